//! Each function reads and writes only the partitions its IAM policy names, and its policy names
//! nothing it does not use. The policies come from `cdk/lib/functions.json`, which the CDK turns
//! into `dynamodb:LeadingKeys` conditions; here the same file routes requests to each function's
//! own router as API Gateway would, every operation of the OpenAPI document is called with
//! success at least once, the ws and notifier code runs over the same store, and a store in
//! between records which function touched which partition, how.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use bistro_api::auth::Auth;
use bistro_api::signing::{KeyError, KeyRing, KeySource};
use bistro_api::{AppState, routes};
use bistro_lambda::ws::{Handler, WebSocketEvent};
use bistro_realtime::fanout::{SendError, Sender};
use bistro_store::blob::folder::FolderBlobs;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::Events;
use bistro_store::seam::{Item, Key, Page, Query, SeamError, Store, Write};
use bistro_store::{Repos, keys};

const POLICIES: &str = include_str!("../cdk/lib/functions.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Policy {
    routes: Vec<String>,
    reads: Vec<String>,
    index_reads: Vec<String>,
    writes: Vec<String>,
    #[serde(default)]
    describes_table: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Access {
    /// `GetItem`, or `Query` on the table's own keys.
    Read,
    /// `Query` on a secondary index: IAM sees the index's partition key.
    IndexRead,
    /// `PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`, alone or in a transaction.
    Write,
    /// `DescribeTable` (the health check).
    Describe,
}

/// SQLite underneath; remembers (function, access, partition) for everything that passes.
#[derive(Debug)]
struct Recording {
    inner: Arc<dyn Store>,
    function: Mutex<String>,
    seen: Mutex<BTreeSet<(String, Access, String)>>,
}

impl Recording {
    fn acting_as(&self, function: &str) {
        function.clone_into(&mut self.function.lock().unwrap());
    }

    fn note(&self, access: Access, pk: &str) {
        let function = self.function.lock().unwrap().clone();
        self.seen.lock().unwrap().insert((function, access, pk.to_owned()));
    }
}

#[async_trait]
impl Store for Recording {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.note(Access::Read, &key.pk);
        self.inner.get(key).await
    }

    async fn get_recent(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.note(Access::Read, &key.pk);
        self.inner.get_recent(key).await
    }

    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        self.note(Access::Write, &write.key().pk);
        self.inner.write(write).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        for write in &writes {
            self.note(Access::Write, &write.key().pk);
        }
        self.inner.transact(writes).await
    }

    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        self.note(if query.index.is_some() { Access::IndexRead } else { Access::Read }, &query.pk);
        self.inner.query(query).await
    }

    async fn ping(&self) -> Result<(), SeamError> {
        self.note(Access::Describe, "");
        self.inner.ping().await
    }
}

/// IAM's `StringLike`: `*` is any run of characters (`#` included), `?` exactly one.
fn like(pattern: &str, value: &str) -> bool {
    fn matches(pattern: &[char], value: &[char]) -> bool {
        match pattern.split_first() {
            None => value.is_empty(),
            Some(('*', rest)) => (0..=value.len()).any(|at| matches(rest, &value[at..])),
            Some((wanted, rest)) => value
                .split_first()
                .is_some_and(|(first, tail)| (*wanted == '?' || wanted == first) && matches(rest, tail)),
        }
    }
    matches(&pattern.chars().collect::<Vec<_>>(), &value.chars().collect::<Vec<_>>())
}

/// API Gateway's route match: `{name}` is one segment, `{proxy+}` one or more at the end.
fn route_matches(route: &str, path: &str) -> bool {
    let route: Vec<&str> = route.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    for (at, segment) in route.iter().enumerate() {
        if *segment == "{proxy+}" {
            return path.len() > at && path[at..].iter().all(|s| !s.is_empty());
        }
        match path.get(at) {
            Some(actual) if segment.starts_with('{') && !actual.is_empty() => {}
            Some(actual) if actual == segment => {}
            _ => return false,
        }
    }
    route.len() == path.len()
}

/// The accounts function's private ring, as SSM would hand it over.
#[derive(Debug)]
struct Ring(KeyRing);

#[async_trait]
impl KeySource for Ring {
    async fn key_ring(&self) -> Result<Option<KeyRing>, KeyError> {
        Ok(Some(self.0.clone()))
    }
}

/// Sockets that take every post, except those whose id starts with `gone`: closed by the browser.
#[derive(Debug)]
struct Listening;

#[async_trait]
impl Sender for Listening {
    async fn send(&self, connection_id: &str, _text: &str) -> Result<(), SendError> {
        if connection_id.starts_with("gone") { Err(SendError::Gone) } else { Ok(()) }
    }

    async fn close(&self, _connection_id: &str) -> Result<(), SendError> {
        Ok(())
    }
}

/// The deployment: one router per HTTP function, as each function's `main` builds it.
struct Deployment {
    recording: Arc<Recording>,
    policies: BTreeMap<String, Policy>,
    routers: BTreeMap<String, Router>,
    verifier: Auth,
    /// Every (method, path) answered with success.
    succeeded: Vec<(Method, String)>,
    /// The guest's device token, sent as a guest's page does once the restaurant issued one.
    device: Option<String>,
    /// The fake Stripe the functions that take payments talk to.
    stripe: Stripe,
    _files: tempfile::TempDir,
}

const STRIPE_KEY: &str = "sk_test_partitions";
const WEBHOOK_SECRET: &str = "whsec_partitions";

/// A fake Stripe, and the settings the orders and payments functions take money with.
struct Stripe {
    fake: bistro_payments::fake::FakeStripe,
}

impl Stripe {
    async fn start() -> Self {
        Self { fake: bistro_payments::fake::FakeStripe::start(STRIPE_KEY, WEBHOOK_SECRET).await.unwrap() }
    }

    fn settings(&self) -> bistro_api::payments::PaymentSettings {
        let secrets =
            bistro_api::payments::GivenSecrets { api_key: STRIPE_KEY.into(), webhook_secret: WEBHOOK_SECRET.into() };
        let fees = bistro_domain::payment::PlatformFees::parse("EUR:30").unwrap();
        bistro_api::payments::PaymentSettings::new(
            &self.fake.base,
            fees,
            Some("https://bistro.test".into()),
            Arc::new(secrets),
        )
    }
}

impl Deployment {
    async fn new() -> Self {
        let policies: BTreeMap<String, Policy> = serde_json::from_str(POLICIES).expect("functions.json parses");
        let sqlite: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
        let ring = KeyRing::generate().unwrap();
        // `bistro-keys rotate` publishes the public set with an operator's credentials, not a function's.
        Repos::new(Arc::clone(&sqlite)).signing_keys.publish(&ring.public_keys().unwrap().to_json()).await.unwrap();
        // `bistro-keys origin-secret`, too: every request below comes as if through CloudFront.
        Repos::new(Arc::clone(&sqlite))
            .signing_keys
            .accept_origin_digest(&bistro_api::origin::digest_of(ORIGIN_SECRET))
            .await
            .unwrap();
        let recording = Arc::new(Recording {
            inner: sqlite,
            function: Mutex::new("setup".into()),
            seen: Mutex::new(BTreeSet::new()),
        });
        let store: Arc<dyn Store> = recording.clone();
        let public = Arc::new(Repos::new(Arc::clone(&store)).signing_keys);
        let files = tempfile::tempdir().unwrap();
        let blobs =
            |name: &str| Arc::new(FolderBlobs::new(files.path().join(name), format!("/{name}-upload"), b"secret"));
        let stripe = Stripe::start().await;
        let mut routers = BTreeMap::new();
        for (name, group) in [
            ("menu", routes::menu::router()),
            ("cart", routes::cart::router()),
            ("orders", routes::orders::router()),
            ("reservations", routes::reservations::router()),
            ("accounts", routes::accounts::router()),
            ("exports", routes::exports::router()),
            ("payments", routes::payments::router()),
        ] {
            let auth = match name {
                "accounts" => Auth::from_sources(Some(Arc::new(Ring(ring.clone()))), public.clone()),
                "cart" => Auth::without_keys(),
                _ => Auth::from_sources(None, public.clone()),
            };
            let mut state = AppState::new(Arc::clone(&store), auth).with_blobs(blobs("media"), blobs("site"));
            if ["orders", "payments"].contains(&name) {
                state = state.with_payments(stripe.settings());
            }
            routers.insert(name.to_owned(), bistro_lambda::http_app(group, state));
        }
        let verifier = Auth::from_sources(None, public);
        Self { recording, policies, routers, verifier, succeeded: Vec::new(), device: None, stripe, _files: files }
    }

    fn function_of(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap();
        let mut serving = self.policies.iter().filter(|(_, p)| p.routes.iter().any(|r| route_matches(r, path)));
        let (name, _) = serving.next().unwrap_or_else(|| panic!("no function serves {path}"));
        assert!(serving.next().is_none(), "two functions serve {path}");
        name.clone()
    }

    /// Sends a request to the function API Gateway would route it to; panics unless it succeeds.
    async fn call(&mut self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
        let key = format!("call-{}", self.succeeded.len());
        self.call_keyed(method, path, token, body, &key).await
    }

    /// As `call`, with this `Idempotency-Key`.
    async fn call_keyed(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        key: &str,
    ) -> Value {
        let (status, value) = self.send(method.clone(), path, token, body, key).await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        self.succeeded.push((method, path.split('?').next().unwrap().to_owned()));
        value
    }

    /// A request the API refuses, as the function serving it would make it; its status.
    async fn refused(&mut self, method: Method, path: &str, body: Value, key: &str) -> StatusCode {
        let (status, value) = self.send(method.clone(), path, None, Some(body), key).await;
        assert!(status.is_client_error(), "{method} {path}: {status} {value}");
        status
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        key: &str,
    ) -> (StatusCode, Value) {
        let function = self.function_of(path);
        self.recording.acting_as(&function);
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("idempotency-key", key)
            .header(bistro_api::origin::ORIGIN_HEADER, ORIGIN_SECRET)
            .header(bistro_lambda::VIEWER_ADDRESS, "203.0.113.7");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(device) = &self.device {
            request = request.header(bistro_api::limits::DEVICE_HEADER, device);
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.routers[&function].clone().oneshot(request).await.unwrap();
        if let Some(issued) = response.headers().get(bistro_api::limits::DEVICE_HEADER) {
            self.device = Some(issued.to_str().unwrap().to_owned());
        }
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Delivers Stripe's event (`kind` about `object`, on `account`) signed as Stripe signs it.
    async fn stripe_event(&mut self, kind: &str, account: &str, object: Value) {
        let path = "/v1/payments/stripe/events";
        let function = self.function_of(path);
        self.recording.acting_as(&function);
        let now = bistro_domain::jiff::Timestamp::now().as_second();
        let event =
            json!({"id": format!("evt_{}", self.succeeded.len()), "object": "event", "type": kind, "created": now,
            "account": account, "data": {"object": object}})
            .to_string();
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(bistro_api::origin::ORIGIN_HEADER, ORIGIN_SECRET)
            .header("content-type", "application/json")
            .header("stripe-signature", bistro_payments::webhook::sign(WEBHOOK_SECRET, now, event.as_bytes()))
            .body(Body::from(event))
            .unwrap();
        let response = self.routers[&function].clone().oneshot(request).await.unwrap();
        assert!(response.status().is_success(), "{kind}: {}", response.status());
        self.succeeded.push((Method::POST, path.to_owned()));
    }

    async fn ws(&self, route: &str, connection: &str, query: Option<Value>, body: Option<&str>) -> i64 {
        self.recording.acting_as("ws");
        let repos = Repos::new(self.recording.clone());
        let handler = Handler { repos: &repos, auth: &self.verifier, sender: &Listening };
        handler.handle(ws_event(route, connection, query, body)).await.status_code
    }

    /// What the hourly reconciliation does: it must mend one checkout and report one payment.
    async fn reconcile(&self) {
        self.recording.acting_as("reconcile");
        let state = AppState::new(self.recording.clone(), Auth::without_keys()).with_payments(self.stripe.settings());
        let done = bistro_api::reconcile::reconcile(&state, bistro_domain::jiff::Timestamp::now()).await.unwrap();
        assert!(done.mended >= 1 && done.reported == 1 && done.failed == 0, "{done:?}");
    }

    /// What the daily retention run does, as if every day's retention period had passed.
    async fn sweep(&self) {
        self.recording.acting_as("retention");
        let repos = Repos::new(self.recording.clone());
        let later = bistro_domain::jiff::Timestamp::now() + bistro_domain::jiff::SignedDuration::from_hours(400 * 24);
        let swept = bistro_api::retention::sweep(&repos, later).await.unwrap();
        assert!(swept.orders > 0 && swept.bookings > 0 && swept.failed == 0, "{swept:?}");
    }

    /// What the notifier does with each new event of `slug`: fan it out to the restaurant's sockets.
    async fn notify(&self, slug: &str) {
        let slug = bistro_domain::ids::Slug::parse(slug).unwrap();
        let page = self.recording.inner.query(&Query::partition(keys::events_partition(&slug))).await.unwrap();
        self.recording.acting_as("notifier");
        let repos = Repos::new(self.recording.clone());
        for item in &page.items {
            let event = Events::from_item(item).expect("an event").expect("decodes");
            bistro_realtime::fanout::fan_out(&repos, &Listening, &event).await.unwrap();
        }
    }
}

const ORIGIN_SECRET: &str = "the walk's origin secret, as CloudFront sends it";

fn ws_event(route: &str, connection: &str, query: Option<Value>, body: Option<&str>) -> WebSocketEvent {
    let mut event = json!({
        "requestContext": {"routeKey": route, "connectionId": connection, "eventType": route.trim_start_matches('$').to_uppercase(),
                           "domainName": "abc.execute-api.eu-central-1.amazonaws.com", "stage": "live", "requestId": "r-1", "apiId": "abc",
                           "connectedAt": 1795302000000_i64, "requestTimeEpoch": 1795302000000_i64},
        "isBase64Encoded": false
    });
    if let Some(query) = query {
        event["queryStringParameters"] = query;
    }
    if let Some(body) = body {
        event["body"] = json!(body);
    }
    serde_json::from_value(event).unwrap()
}

fn restaurant(slug: &str) -> Value {
    let day = json!([{"opens": "00:00", "closes": "00:00"}]);
    json!({
        "slug": slug, "name": "Trattoria", "currency": "EUR", "time_zone": "Europe/Berlin",
        "hours": {"weekly": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day}},
        "order_kinds": {"dine_in": true, "pickup": true, "delivery": true},
        "tables": ["1", "2"],
        "tax": {"rate": 1900, "mode": "inclusive"},
        "reservations": {"slot_minutes": 30, "seating_minutes": 90, "covers_per_slot": 20, "party_min": 1, "party_max": 8, "lead_minutes": 0, "horizon_days": 60}
    })
}

fn pizza() -> Value {
    json!({"id": "pizza", "item": {"category": "mains", "name": "Pizza", "price": {"minor": 900, "currency": "EUR"},
        "option_groups": [{"id": "size", "name": "Size", "min_choices": 1, "max_choices": 1,
            "options": [{"id": "regular", "name": "Regular", "price_delta": {"minor": 0, "currency": "EUR"}}]}]}})
}

/// Every operation of the API, and the live side, in the order a restaurant's first day takes them.
async fn a_day_of_every_route(d: &mut Deployment) {
    let base = "/v1/restaurants/roma";
    d.call(Method::GET, "/health", None, None).await;
    let owner_body = json!({"email": "owner@roma.test", "name": "Olga", "password": "correct horse battery"});
    let created = d
        .call(
            Method::POST,
            "/v1/restaurants",
            None,
            Some(json!({"restaurant": restaurant("roma"), "owner": owner_body})),
        )
        .await;
    let owner = created["session"]["token"].as_str().unwrap().to_owned();
    let owner = Some(owner.as_str());
    let current = d.call(Method::GET, base, None, None).await;
    d.call(Method::PUT, base, owner, Some(json!({"restaurant": current["restaurant"], "version": current["version"]})))
        .await;
    d.call(Method::GET, &format!("{base}/me"), owner, None).await;

    let hire = |email: &str, role: &str| json!({"email": email, "name": role, "password": "a long staff password", "role": role});
    let cook = d.call(Method::POST, &format!("{base}/staff"), owner, Some(hire("cook@roma.test", "staff"))).await;
    let driver = d.call(Method::POST, &format!("{base}/staff"), owner, Some(hire("driver@roma.test", "driver"))).await;
    let heir = d.call(Method::POST, &format!("{base}/staff"), owner, Some(hire("heir@roma.test", "manager"))).await;
    let leaver = d.call(Method::POST, &format!("{base}/staff"), owner, Some(hire("leaver@roma.test", "staff"))).await;
    let id = |account: &Value| account["id"].as_str().unwrap().to_owned();
    d.call(Method::GET, &format!("{base}/staff"), owner, None).await;
    d.call(Method::PATCH, &format!("{base}/staff/{}", id(&leaver)), owner, Some(json!({"role": "manager"}))).await;
    d.call(
        Method::PUT,
        &format!("{base}/staff/{}/password", id(&leaver)),
        owner,
        Some(json!({"password": "set by the owner"})),
    )
    .await;
    d.call(Method::DELETE, &format!("{base}/staff/{}", id(&leaver)), owner, None).await;
    let login = |email: &str| json!({"email": email, "password": "a long staff password"});
    let cook_token = d.call(Method::POST, &format!("{base}/login"), None, Some(login("cook@roma.test"))).await;
    let cook_token = cook_token["token"].as_str().unwrap().to_owned();
    let cook = (Some(cook_token.as_str()), id(&cook));
    let body = json!({"current": "a long staff password", "password": "the cook's own password"});
    let renewed = d.call(Method::PUT, &format!("{base}/me/password"), cook.0, Some(body)).await;
    // The cook logs out of every device (the renewed session ends with the others).
    d.call(Method::POST, &format!("{base}/me/logout-everywhere"), renewed["token"].as_str(), None).await;
    let cook_token = d
        .call(
            Method::POST,
            &format!("{base}/login"),
            None,
            Some(json!({"email": "cook@roma.test", "password": "the cook's own password"})),
        )
        .await;
    let cook_token = cook_token["token"].as_str().unwrap().to_owned();
    let staff = Some(cook_token.as_str());
    let _ = cook.1;
    d.call(Method::GET, &format!("{base}/drivers"), staff, None).await;

    d.call(
        Method::POST,
        &format!("{base}/menu/categories"),
        owner,
        Some(json!({"id": "mains", "name": "Mains", "position": 1})),
    )
    .await;
    d.call(
        Method::POST,
        &format!("{base}/menu/categories"),
        owner,
        Some(json!({"id": "drinks", "name": "Drinks", "position": 2})),
    )
    .await;
    d.call(
        Method::PUT,
        &format!("{base}/menu/categories/drinks"),
        owner,
        Some(json!({"name": "Cold drinks", "position": 2, "version": 1})),
    )
    .await;
    d.call(Method::GET, &format!("{base}/menu/categories/drinks"), None, None).await;
    d.call(Method::DELETE, &format!("{base}/menu/categories/drinks?version=2"), owner, None).await;
    d.call(Method::POST, &format!("{base}/menu/items"), owner, Some(pizza())).await;
    let water = json!({"id": "water", "item": {"category": "mains", "name": "Water", "price": {"minor": 250, "currency": "EUR"}}});
    d.call(Method::POST, &format!("{base}/menu/items"), owner, Some(water)).await;
    let mut edit = pizza();
    edit["item"]["price"]["minor"] = json!(950);
    d.call(Method::PUT, &format!("{base}/menu/items/pizza"), owner, Some(json!({"item": edit["item"], "version": 1})))
        .await;
    d.call(
        Method::PUT,
        &format!("{base}/menu/items/water/sold-out"),
        owner,
        Some(json!({"sold_out": true, "version": 1})),
    )
    .await;
    d.call(Method::DELETE, &format!("{base}/menu/items/water?version=2"), owner, None).await;
    d.call(
        Method::POST,
        &format!("{base}/menu/images"),
        owner,
        Some(json!({"content_type": "image/jpeg", "size": 1000})),
    )
    .await;
    d.call(Method::GET, &format!("{base}/menu"), None, None).await;
    d.call(Method::GET, &format!("{base}/menu/items/pizza"), None, None).await;
    // A group of choices saved once, changed once for every dish, then deleted (no dish has it).
    let spice = |hot: i64| {
        json!({"id": "spice", "name": "Spice", "min_choices": 0, "max_choices": 1, "options": [
        {"id": "hot", "name": "Hot", "price_delta": {"minor": hot, "currency": "EUR"}}]})
    };
    d.call(Method::POST, &format!("{base}/menu/option-groups"), owner, Some(json!({"group": spice(0)}))).await;
    d.call(
        Method::PUT,
        &format!("{base}/menu/option-groups/spice"),
        owner,
        Some(json!({"group": spice(50), "version": 1})),
    )
    .await;
    d.call(Method::GET, &format!("{base}/menu/option-groups"), owner, None).await;
    d.call(Method::DELETE, &format!("{base}/menu/option-groups/spice?version=2"), owner, None).await;

    // The board connects and resumes; a guest orders and follows the order live.
    assert_eq!(d.ws("$connect", "board", Some(json!({"restaurant": "roma", "token": cook_token})), None).await, 200);
    assert_eq!(d.ws("$default", "board", None, Some(r#"{"type":"resume","last_seq":0}"#)).await, 200);
    assert_eq!(
        d.ws("$connect", "gone-board", Some(json!({"restaurant": "roma", "token": cook_token})), None).await,
        200
    );
    // Ada's menu page asks for her device's token, and her cart and order count on it.
    d.call(Method::POST, &format!("{base}/devices"), None, None).await;
    let cart = d.call(Method::POST, &format!("{base}/carts"), None, None).await;
    let cart = cart["token"].as_str().unwrap().to_owned();
    let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": 1});
    d.call(Method::POST, &format!("{base}/carts/{cart}/lines"), None, Some(line.clone())).await;
    // The same dish again would add to that line: a note makes it a line of its own.
    let mut noted = line.clone();
    noted["note"] = json!("no basil");
    d.call(Method::POST, &format!("{base}/carts/{cart}/lines"), None, Some(noted)).await;
    let mut two = line.clone();
    two["quantity"] = json!(2);
    d.call(Method::PUT, &format!("{base}/carts/{cart}/lines/0"), None, Some(two)).await;
    d.call(Method::DELETE, &format!("{base}/carts/{cart}/lines/1"), None, None).await;
    d.call(Method::GET, &format!("{base}/carts/{cart}"), None, None).await;
    let order = json!({"cart": cart, "kind": {"type": "delivery", "address": "Via Roma 1"}, "customer": {"name": "Ada", "phone": "+39 06 1234"}});
    let placed = d.call_keyed(Method::POST, &format!("{base}/orders"), None, Some(order.clone()), "ada-1").await;
    // The guest's phone sends it again: the same order comes back.
    let again = d.call_keyed(Method::POST, &format!("{base}/orders"), None, Some(order.clone()), "ada-1").await;
    assert_eq!(again["order"]["id"], placed["order"]["id"]);
    // Her second phone orders the same cart under a key of its own: the cart is gone, and no
    // order (nor a claim record written before orders claimed their keys themselves) has its key.
    let second_phone = d.refused(Method::POST, &format!("{base}/orders"), order, "ada-2").await;
    assert_eq!(second_phone, StatusCode::NOT_FOUND);
    let (order, token) =
        (placed["order"]["id"].as_str().unwrap().to_owned(), placed["token"].as_str().unwrap().to_owned());
    let follow = json!({"restaurant": "roma", "order": order, "order_token": token});
    assert_eq!(d.ws("$connect", "guest", Some(follow), None).await, 200);
    d.call(Method::GET, &format!("{base}/orders?state=placed"), staff, None).await;
    d.call(Method::GET, &format!("{base}/orders/report"), owner, None).await;
    d.call(Method::GET, &format!("{base}/export"), owner, None).await;
    d.call(Method::GET, &format!("{base}/export/orders.csv"), owner, None).await;
    // The board slows the kitchen down for a moment, then takes orders at the usual pace again.
    d.call(Method::PUT, &format!("{base}/pace"), staff, Some(json!({"busy_minutes": 15}))).await;
    d.call(Method::PUT, &format!("{base}/pace"), staff, Some(json!({}))).await;
    for state in ["accepted", "preparing", "ready"] {
        d.call(Method::POST, &format!("{base}/orders/{order}/transitions"), staff, Some(json!({"to": state}))).await;
    }
    // The driver sees it waiting and takes it; the owner gives it to the same driver again.
    let driver_token = d.call(Method::POST, &format!("{base}/login"), None, Some(login("driver@roma.test"))).await;
    d.call(Method::GET, &format!("{base}/orders/waiting"), driver_token["token"].as_str(), None).await;
    d.call(Method::POST, &format!("{base}/orders/{order}/take"), driver_token["token"].as_str(), None).await;
    d.call(Method::PUT, &format!("{base}/orders/{order}/driver"), owner, Some(json!({"driver": id(&driver)}))).await;
    d.call(Method::GET, &format!("{base}/orders"), driver_token["token"].as_str(), None).await;
    d.call(Method::GET, &format!("{base}/orders/{order}?token={token}"), None, None).await;
    d.notify("roma").await;
    // Bea's phone holds no token: her cart, order and booking count on the address.
    let ada = d.device.take();
    let cart = d.call(Method::POST, &format!("{base}/carts"), None, None).await;
    let cart = cart["token"].as_str().unwrap().to_owned();
    d.call(Method::POST, &format!("{base}/carts/{cart}/lines"), None, Some(line)).await;
    // Bea orders a pickup for a later time, then cancels it, which gives the slot's place back.
    let later = d.call(Method::GET, &format!("{base}/orders/slots?kind=pickup"), None, None).await;
    // The last slot offered: there is always one, and late in the evening there may be no third.
    let at = later["slots"].as_array().and_then(|slots| slots.last()).unwrap()["at"].clone();
    let order = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Bea"}, "at": at});
    let placed = d.call(Method::POST, &format!("{base}/orders"), None, Some(order)).await;
    let (order, token) =
        (placed["order"]["id"].as_str().unwrap().to_owned(), placed["token"].as_str().unwrap().to_owned());
    d.call(Method::POST, &format!("{base}/orders/{order}/cancel?token={token}"), None, None).await;
    d.call(Method::POST, &format!("{base}/orders/{order}/erase"), owner, None).await;
    assert_eq!(d.ws("$disconnect", "guest", None, None).await, 200);

    // Bookings.
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let slots = d.call(Method::GET, &format!("{base}/reservations/slots?date={tomorrow}&party=2"), None, None).await;
    let start = slots["slots"][20]["starts_at"].as_str().unwrap().to_owned();
    let booking =
        |name: &str| json!({"starts_at": start, "party": 2, "contact": {"name": name, "phone": "+39 06 1234"}});
    d.device.clone_from(&ada);
    let first = d.call(Method::POST, &format!("{base}/reservations"), None, Some(booking("Carla"))).await;
    d.device = None;
    let (rid, rtoken) =
        (first["reservation"]["id"].as_str().unwrap().to_owned(), first["token"].as_str().unwrap().to_owned());
    d.call(Method::GET, &format!("{base}/reservations/{rid}?token={rtoken}"), None, None).await;
    d.call(Method::GET, &format!("{base}/reservations?date={tomorrow}"), staff, None).await;
    d.call(Method::POST, &format!("{base}/reservations/{rid}/status"), staff, Some(json!({"status": "seated"}))).await;
    let second = d.call(Method::POST, &format!("{base}/reservations"), None, Some(booking("Dario"))).await;
    let (rid, rtoken) =
        (second["reservation"]["id"].as_str().unwrap().to_owned(), second["token"].as_str().unwrap().to_owned());
    d.call(Method::POST, &format!("{base}/reservations/{rid}/cancel?token={rtoken}"), None, None).await;
    d.call(Method::POST, &format!("{base}/reservations/{rid}/erase"), owner, None).await;
    d.sweep().await;

    paying_online(d, base, owner, staff).await;

    // The owner hands the restaurant over last: their own token ends with it.
    d.call(Method::POST, &format!("{base}/staff/{}/ownership", id(&heir)), owner, Some(json!({}))).await;
}

/// The owner connects the restaurant's Stripe account; a guest pays a pickup online, Stripe
/// confirms it, the kitchen accepts it (the payment is captured); another checkout lapses unpaid.
async fn paying_online(d: &mut Deployment, base: &str, owner: Option<&str>, staff: Option<&str>) {
    d.call(Method::GET, &format!("{base}/payments"), owner, None).await;
    let connected = d.call(Method::POST, &format!("{base}/payments/connect"), owner, None).await;
    let link = connected["continue_url"].as_str().unwrap();
    let account = link.split("/connect/").nth(1).unwrap().split('?').next().unwrap().to_owned();
    assert!(d.stripe.fake.finish_onboarding(&account).await);
    d.call(Method::POST, &format!("{base}/payments/refresh"), owner, None).await;
    let ready = json!({"id": account, "charges_enabled": true, "details_submitted": true});
    d.stripe_event("account.updated", &account, ready).await;
    let current = d.call(Method::GET, base, None, None).await;
    let mut restaurant = current["restaurant"].clone();
    restaurant["payment"] = json!({"pickup": "either"});
    d.call(Method::PUT, base, owner, Some(json!({"restaurant": restaurant, "version": current["version"]}))).await;
    let mut sessions = Vec::new();
    for name in ["Eva", "Fritz"] {
        let cart = d.call(Method::POST, &format!("{base}/carts"), None, None).await;
        let cart = cart["token"].as_str().unwrap().to_owned();
        let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": 1});
        d.call(Method::POST, &format!("{base}/carts/{cart}/lines"), None, Some(line)).await;
        let order = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": name}, "pay": "online"});
        let opened = d.call(Method::POST, &format!("{base}/orders"), None, Some(order)).await;
        let (id, token) =
            (opened["checkout"]["id"].as_str().unwrap().to_owned(), opened["token"].as_str().unwrap().to_owned());
        d.call(Method::GET, &format!("{base}/orders/{id}/checkout?token={token}"), None, None).await;
        sessions.push((id, opened["checkout"]["pay_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()));
    }
    let [(paid, paid_session), (_, lapsed_session)] = sessions.try_into().unwrap();
    d.stripe.fake.pay(&paid_session).await.unwrap();
    let completed = d.stripe.fake.session(&paid_session).unwrap();
    d.stripe_event("checkout.session.completed", &account, completed).await;
    d.stripe.fake.lapse(&lapsed_session).await;
    let expired = d.stripe.fake.session(&lapsed_session).unwrap();
    d.stripe_event("checkout.session.expired", &account, expired).await;
    d.call(Method::POST, &format!("{base}/orders/{paid}/transitions"), staff, Some(json!({"to": "accepted"}))).await;
    let refund = json!({"amount": 100, "reason": "A dish was missing"});
    d.call(Method::POST, &format!("{base}/orders/{paid}/refunds"), owner, Some(refund)).await;
    // A guest pays, and Stripe's confirmation never arrives; another payment names no checkout
    // of Bistro's: the reconciliation places the first and reports the second.
    let cart = d.call(Method::POST, &format!("{base}/carts"), None, None).await;
    let cart = cart["token"].as_str().unwrap().to_owned();
    let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": 1});
    d.call(Method::POST, &format!("{base}/carts/{cart}/lines"), None, Some(line)).await;
    let order = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Greta"}, "pay": "online"});
    let opened = d.call(Method::POST, &format!("{base}/orders"), None, Some(order)).await;
    d.stripe.fake.pay(opened["checkout"]["pay_url"].as_str().unwrap().rsplit('/').next().unwrap()).await.unwrap();
    let stray = d.stripe.fake.open_session(
        &account,
        700,
        json!({"checkout": "0123456789abcdef0123456789abcdef", "restaurant": "roma"}),
    );
    d.stripe.fake.pay(&stray).await.unwrap();
    d.reconcile().await;
    d.call(Method::GET, &format!("{base}/payments"), owner, None).await;
}

/// Which of `patterns` let `pk` through; panics naming the function when none does.
fn allowing<'a>(patterns: &'a [String], function: &str, access: Access, pk: &str) -> Vec<&'a String> {
    let allowing: Vec<&String> = patterns.iter().filter(|p| like(p, pk)).collect();
    assert!(
        !allowing.is_empty(),
        "{function} made a {access:?} of {pk}, which its policy does not allow ({patterns:?})"
    );
    allowing
}

#[tokio::test]
async fn every_function_touches_only_the_partitions_its_policy_names_and_uses_all_it_names() {
    let mut deployment = Deployment::new().await;
    a_day_of_every_route(&mut deployment).await;

    let mut used: BTreeMap<(String, Access), BTreeSet<&String>> = BTreeMap::new();
    let mut described = BTreeSet::new();
    for (function, access, pk) in deployment.recording.seen.lock().unwrap().iter() {
        let policy = &deployment.policies[function];
        let patterns = match access {
            Access::Read => &policy.reads,
            Access::IndexRead => &policy.index_reads,
            Access::Write => &policy.writes,
            Access::Describe => {
                assert!(policy.describes_table, "{function} described the table");
                described.insert(function.clone());
                continue;
            }
        };
        used.entry((function.clone(), *access)).or_default().extend(allowing(patterns, function, *access, pk));
    }
    for (function, policy) in &deployment.policies {
        for (access, patterns) in
            [(Access::Read, &policy.reads), (Access::IndexRead, &policy.index_reads), (Access::Write, &policy.writes)]
        {
            let used = used.get(&(function.clone(), access)).cloned().unwrap_or_default();
            let unused: Vec<&String> = patterns.iter().filter(|p| !used.contains(p)).collect();
            assert!(unused.is_empty(), "{function} is allowed {access:?} of {unused:?} but never used it");
        }
        assert_eq!(policy.describes_table, described.contains(function), "{function} describes the table");
    }
}

#[tokio::test]
async fn the_walk_calls_every_operation_of_the_openapi_document_with_success() {
    let mut deployment = Deployment::new().await;
    a_day_of_every_route(&mut deployment).await;

    let document = <bistro_api::openapi::ApiDoc as utoipa::OpenApi>::openapi();
    for (template, item) in &document.paths.paths {
        let operations = [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ];
        for (method, operation) in operations {
            if operation.is_some() {
                assert!(
                    deployment.succeeded.iter().any(|(m, path)| *m == method && route_matches(template, path)),
                    "{method} {template} is never called with success"
                );
            }
        }
    }
}

#[test]
fn string_like_matches_as_iam_does() {
    assert!(like("R#*#MENU", "R#roma#MENU"));
    assert!(like("R#*#CART#*", "R#roma#CART#abc"));
    assert!(!like("R#*#MENU", "R#roma#MENU#x"));
    assert!(!like("R#*#STAFF", "R#roma#SESSION"));
    assert!(like("KEYS", "KEYS"));
    assert!(!like("KEYS", "KEYSX"));
    assert!(like("CONNECTION#*", "CONNECTION#abc"));
}

#[test]
fn routes_match_as_api_gateway_does() {
    assert!(route_matches("/v1/restaurants/{slug}/menu/{proxy+}", "/v1/restaurants/roma/menu/items/pizza"));
    assert!(!route_matches("/v1/restaurants/{slug}/menu/{proxy+}", "/v1/restaurants/roma/menu"));
    assert!(route_matches("/v1/restaurants/{slug}", "/v1/restaurants/roma"));
    assert!(!route_matches("/v1/restaurants/{slug}", "/v1/restaurants/roma/me"));
}
