//! A fake Stripe on loopback, for the tests and the local demo: the calls Bistro makes (connected
//! accounts and their onboarding page, hosted Checkout Sessions and their payment page, capture
//! and cancel of a manual-capture PaymentIntent), answered in Stripe's shapes, with Stripe's
//! idempotency (same key and body: the first answer; same key, other body: an error), and
//! webhooks signed as Stripe signs them. On request the webhooks come late (held until
//! released, then in reverse order) or twice. Stripe's own Python library is run against it
//! (`tests/official_library.rs`), so it cannot drift from what Stripe's code sends and reads.
//!
//! Nothing here is used in production: the `fake` feature compiles it, for tests and the demo.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Form, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

mod page;

/// How the fake delivers webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Each event once, as it happens.
    #[default]
    Now,
    /// Each event twice in a row.
    Twice,
    /// Held until `release`, then in reverse order (late and out of order).
    Hold,
    /// Never delivered (lost: only asking Stripe finds what happened).
    Lose,
}

#[derive(Debug, Default)]
struct Books {
    next: u64,
    accounts: BTreeMap<String, Value>,
    sessions: BTreeMap<String, Value>,
    /// Each session's connected account.
    session_account: BTreeMap<String, String>,
    intents: BTreeMap<String, Value>,
    /// Idempotency key → the request's form and the answer given.
    idempotent: BTreeMap<String, (Vec<(String, String)>, Value)>,
    /// Every API call: method, path, connected account, idempotency key, form.
    requests: Vec<Value>,
    delivery: Delivery,
    held: Vec<Value>,
    /// Every event delivered so far, for delivering them all again.
    sent: Vec<Value>,
    webhook_url: Option<String>,
}

impl Books {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_fake{:016}", self.next)
    }
}

#[derive(Debug, Clone)]
struct Fake {
    books: Arc<Mutex<Books>>,
    key: String,
    secret: String,
    base: String,
    http: reqwest::Client,
}

/// A running fake: its address, and the handles a test turns.
#[derive(Debug, Clone)]
pub struct FakeStripe {
    pub base: String,
    fake: Fake,
}

impl FakeStripe {
    /// Starts the fake on a free loopback port, answering calls made with `api_key` and signing
    /// webhooks with `webhook_secret`.
    pub async fn start(api_key: &str, webhook_secret: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let fake = Fake {
            books: Arc::default(),
            key: api_key.to_owned(),
            secret: webhook_secret.to_owned(),
            base: base.clone(),
            http: reqwest::Client::new(),
        };
        let app = router().with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { base, fake })
    }

    /// Where webhooks go (Bistro's endpoint).
    pub fn send_webhooks_to(&self, url: &str) {
        self.fake.books().webhook_url = Some(url.to_owned());
    }

    pub fn deliver(&self, delivery: Delivery) {
        self.fake.books().delivery = delivery;
    }

    /// Delivers the held webhooks, newest first, and goes back to delivering at once.
    pub async fn release(&self) {
        let held = {
            let mut books = self.fake.books();
            books.delivery = Delivery::Now;
            std::mem::take(&mut books.held)
        };
        for event in held.into_iter().rev() {
            self.fake.send(&event).await;
        }
    }

    /// Delivers every event delivered so far once more, as Stripe retries.
    pub async fn redeliver(&self) {
        let sent = self.fake.books().sent.clone();
        for event in sent {
            self.fake.send(&event).await;
        }
    }

    /// Every API call made so far.
    pub fn requests(&self) -> Vec<Value> {
        self.fake.books().requests.clone()
    }

    /// The guest pays on the hosted page (as its button does).
    pub async fn pay(&self, session: &str) -> Option<String> {
        self.fake.complete(session).await
    }

    /// Lets the session lapse now, as Stripe does when its time is up.
    pub async fn lapse(&self, session: &str) -> bool {
        self.fake.expire(session).await.is_some()
    }

    /// The owner finishes the onboarding (as the onboarding page's button does).
    pub async fn finish_onboarding(&self, account: &str) -> bool {
        self.fake.onboard(account).await
    }

    /// Stripe stops the account taking payments (more details are due): it says so in an event.
    pub async fn restrict(&self, account: &str) -> bool {
        self.fake.set_ready(account, false).await
    }

    /// Knows `account` (made by an earlier run of the fake) as connected, and ready or not.
    pub fn adopt(&self, account: &str, ready: bool) {
        let object = json!({"id": account, "object": "account", "type": "standard", "charges_enabled": ready,
                            "details_submitted": ready, "payouts_enabled": ready});
        self.fake.books().accounts.insert(account.to_owned(), object);
    }

    /// A new connected account that can take payments (the demo restaurant's).
    pub fn ready_account(&self) -> String {
        let id = self.fake.books().id("acct");
        self.adopt(&id, true);
        id
    }

    /// A checkout opened on `account` other than through Bistro's server (a stray payment),
    /// carrying `metadata`: returns its id, to pay with `pay`.
    pub fn open_session(&self, account: &str, amount: i64, metadata: Value) -> String {
        let mut books = self.fake.books();
        let id = books.id("cs_test");
        let session = json!({"id": id, "object": "checkout.session", "status": "open", "payment_status": "unpaid",
            "mode": "payment", "currency": "eur", "amount_total": amount, "expires_at": now() + 1_800,
            "success_url": "https://example.com/", "metadata": metadata, "payment_intent": null, "livemode": false,
            "payment_intent_data_fee": 0, "created": now(), "capture_method": "manual",
            "url": format!("{}/pay/{id}", self.base)});
        books.sessions.insert(id.clone(), session);
        books.session_account.insert(id.clone(), account.to_owned());
        id
    }

    /// Stripe lets an authorization go on its own (as when it lapses after seven days).
    pub fn let_go(&self, intent: &str) -> bool {
        let mut books = self.fake.books();
        let Some(found) = books.intents.get_mut(intent) else { return false };
        found["status"] = json!("canceled");
        found["amount_capturable"] = json!(0);
        true
    }

    pub fn intent(&self, id: &str) -> Option<Value> {
        self.fake.books().intents.get(id).cloned()
    }

    pub fn session(&self, id: &str) -> Option<Value> {
        self.fake.books().sessions.get(id).cloned()
    }
}

fn router() -> Router<Fake> {
    Router::new()
        .route("/v1/accounts", post(create_account))
        .route("/v1/accounts/{id}", get(read_account))
        .route("/v1/account_links", post(create_link))
        .route("/v1/checkout/sessions", post(create_session).get(list_sessions))
        .route("/v1/checkout/sessions/{id}", get(read_session))
        .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
        .route("/v1/payment_intents/{id}", get(read_intent))
        .route("/v1/payment_intents/{id}/capture", post(capture))
        .route("/v1/payment_intents/{id}/cancel", post(cancel))
        .route("/v1/refunds", post(refund))
        .merge(page::router())
}

type Answer = Result<Json<Value>, Refusal>;

/// An error as Stripe answers one: its status, type and message.
#[derive(Debug)]
struct Refusal(StatusCode, &'static str, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": {"type": self.1, "message": self.2}}))).into_response()
    }
}

fn stripe_error(status: StatusCode, kind: &'static str, message: &str) -> Refusal {
    Refusal(status, kind, message.to_owned())
}

fn invalid(message: &str) -> Refusal {
    stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

fn missing(what: &str) -> Refusal {
    stripe_error(StatusCode::NOT_FOUND, "invalid_request_error", &format!("No such {what}"))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Fake {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks the key, records the call, and answers a repeated idempotency key with the first
    /// answer (`Ok(Some)`), or refuses it when the body differs.
    fn admit(&self, headers: &HeaderMap, path: &str, form: &[(String, String)]) -> Result<Option<Value>, Refusal> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        if header("authorization").as_deref() != Some(&format!("Bearer {}", self.key)) {
            return Err(stripe_error(StatusCode::UNAUTHORIZED, "invalid_request_error", "Invalid API Key provided"));
        }
        let (account, key) = (header("stripe-account"), header("idempotency-key"));
        let mut books = self.books();
        let form_json: BTreeMap<_, _> = form.iter().cloned().collect();
        books.requests.push(json!({"path": path, "account": account, "idempotency_key": key, "form": form_json}));
        match key.and_then(|key| books.idempotent.get(&key).cloned()) {
            Some((first, _)) if first != form => Err(stripe_error(
                StatusCode::BAD_REQUEST,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            )),
            Some((_, answer)) => Ok(Some(answer)),
            None => Ok(None),
        }
    }

    fn remember(&self, headers: &HeaderMap, form: Vec<(String, String)>, answer: &Value) {
        if let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
            self.books().idempotent.insert(key.to_owned(), (form, answer.clone()));
        }
    }

    /// Makes an event of `object` and delivers it as the delivery mode says.
    async fn happened(&self, kind: &str, object: Value, account: Option<String>) {
        let event = {
            let mut books = self.books();
            let id = books.id("evt");
            json!({"id": id, "object": "event", "api_version": crate::client::API_VERSION, "created": now(),
                   "type": kind, "account": account, "livemode": false, "pending_webhooks": 1,
                   "request": {"id": null, "idempotency_key": null}, "data": {"object": object}})
        };
        let delivery = self.books().delivery;
        match delivery {
            Delivery::Now => self.send(&event).await,
            Delivery::Twice => {
                self.send(&event).await;
                self.send(&event).await;
            }
            Delivery::Hold => self.books().held.push(event),
            Delivery::Lose => {}
        }
    }

    /// Posts one event to the webhook endpoint, signed now.
    async fn send(&self, event: &Value) {
        let Some(url) = self.books().webhook_url.clone() else { return };
        self.books().sent.push(event.clone());
        let body = event.to_string();
        let signature = crate::webhook::sign(&self.secret, now(), body.as_bytes());
        let sent = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body)
            .send()
            .await;
        if let Err(error) = sent {
            eprintln!("fake Stripe: a webhook was not delivered: {error}");
        }
    }

    async fn complete(&self, session: &str) -> Option<String> {
        let (object, account) = {
            let mut books = self.books();
            let current = books.sessions.get(session)?.clone();
            if current["status"] != "open" {
                return None;
            }
            let intent = books.id("pi");
            let account = books.session_account.get(session).cloned();
            let amount = current["amount_total"].clone();
            let fee = current["payment_intent_data_fee"].clone();
            books.intents.insert(
                intent.clone(),
                json!({"id": intent, "object": "payment_intent", "amount": amount, "amount_capturable": amount,
                       "application_fee_amount": fee, "capture_method": "manual", "currency": current["currency"],
                       "status": "requires_capture", "metadata": current["metadata"], "created": now(),
                       "latest_charge": {"id": format!("ch_{}", &intent[3..]), "object": "charge",
                           "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}}}}),
            );
            let done = books.sessions.get_mut(session)?;
            done["status"] = json!("complete");
            done["payment_status"] = json!("unpaid");
            done["payment_intent"] = json!(intent);
            (done.clone(), account)
        };
        let success = object["success_url"].as_str().map(str::to_owned);
        self.happened("checkout.session.completed", public(object), account).await;
        success
    }

    async fn expire(&self, session: &str) -> Option<Value> {
        let (object, account) = {
            let mut books = self.books();
            let account = books.session_account.get(session).cloned();
            let current = books.sessions.get_mut(session)?;
            if current["status"] != "open" {
                return None;
            }
            current["status"] = json!("expired");
            (current.clone(), account)
        };
        self.happened("checkout.session.expired", public(object.clone()), account).await;
        Some(public(object))
    }

    async fn onboard(&self, account: &str) -> bool {
        self.set_ready(account, true).await
    }

    async fn set_ready(&self, account: &str, ready: bool) -> bool {
        let object = {
            let mut books = self.books();
            let Some(found) = books.accounts.get_mut(account) else { return false };
            found["charges_enabled"] = json!(ready);
            found["details_submitted"] = json!(true);
            found.clone()
        };
        self.happened("account.updated", object, Some(account.to_owned())).await;
        true
    }
}

/// A session as Stripe shows it (without the fake's own bookkeeping).
fn public(mut session: Value) -> Value {
    if let Some(object) = session.as_object_mut() {
        object.remove("payment_intent_data_fee");
    }
    session
}

async fn create_account(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Answer {
    if let Some(first) = fake.admit(&headers, "/v1/accounts", &form)? {
        return Ok(Json(first));
    }
    let id = fake.books().id("acct");
    let account = json!({"id": id, "object": "account", "type": field(&form, "type").unwrap_or("standard"),
                         "charges_enabled": false, "details_submitted": false, "payouts_enabled": false});
    fake.books().accounts.insert(id, account.clone());
    fake.remember(&headers, form, &account);
    Ok(Json(account))
}

async fn read_account(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    fake.admit(&headers, "/v1/accounts/{id}", &[])?;
    fake.books().accounts.get(&id).cloned().map(Json).ok_or_else(|| missing("account"))
}

async fn create_link(State(fake): State<Fake>, headers: HeaderMap, Form(form): Form<Vec<(String, String)>>) -> Answer {
    if let Some(first) = fake.admit(&headers, "/v1/account_links", &form)? {
        return Ok(Json(first));
    }
    let (Some(account), Some(back)) = (field(&form, "account"), field(&form, "return_url")) else {
        return Err(invalid("Missing required param: account, return_url."));
    };
    if !fake.books().accounts.contains_key(account) {
        return Err(missing("account"));
    }
    let url = format!("{}/connect/{account}?return_url={}", fake.base, page::encode(back));
    let link = json!({"object": "account_link", "created": now(), "expires_at": now() + 300, "url": url});
    fake.remember(&headers, form, &link);
    Ok(Json(link))
}

/// A session's lines and total from its form; refuses what Stripe refuses.
fn session_from(form: &[(String, String)], account: Option<&str>) -> Result<Value, Refusal> {
    let line = |i: usize, f: &str| field(form, &format!("line_items[{i}]{f}"));
    let mut total = 0i64;
    let mut lines = Vec::new();
    for i in 0.. {
        let Some(amount) = line(i, "[price_data][unit_amount]") else { break };
        let amount: i64 = amount.parse().map_err(|_| invalid("Invalid integer: unit_amount"))?;
        let quantity: i64 =
            line(i, "[quantity]").unwrap_or("1").parse().map_err(|_| invalid("Invalid integer: quantity"))?;
        total += amount * quantity;
        lines.push(
            json!({"name": line(i, "[price_data][product_data][name]"), "unit_amount": amount, "quantity": quantity}),
        );
    }
    let currency = line(0, "[price_data][currency]").ok_or_else(|| invalid("Missing required param: line_items."))?;
    let fee = field(form, "payment_intent_data[application_fee_amount]").map(str::parse::<i64>).transpose();
    let fee = fee.map_err(|_| invalid("Invalid integer: application_fee_amount"))?;
    if fee.is_some() && account.is_none() {
        return Err(invalid(
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
        ));
    }
    let expires_at: i64 = field(form, "expires_at")
        .map_or(Ok(now() + 86_400), str::parse)
        .map_err(|_| invalid("Invalid integer: expires_at"))?;
    if !(now() + 1_800 - 5..=now() + 86_400).contains(&expires_at) {
        return Err(invalid(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
        ));
    }
    let success = field(form, "success_url").ok_or_else(|| invalid("Missing required param: success_url."))?;
    let metadata: serde_json::Map<String, Value> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("metadata[")?.strip_suffix(']')?.to_owned(), json!(v))))
        .collect();
    Ok(json!({"object": "checkout.session", "status": "open", "payment_status": "unpaid", "mode": "payment",
              "currency": currency, "amount_total": total, "expires_at": expires_at, "success_url": success,
              "cancel_url": field(form, "cancel_url"), "metadata": metadata, "payment_intent": null,
              "livemode": false, "lines_shown": lines, "payment_intent_data_fee": fee, "created": now(),
              "capture_method": field(form, "payment_intent_data[capture_method]").unwrap_or("automatic")}))
}

async fn create_session(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Answer {
    if let Some(first) = fake.admit(&headers, "/v1/checkout/sessions", &form)? {
        return Ok(Json(first));
    }
    let account = headers.get("stripe-account").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if account.as_ref().is_some_and(|a| !fake.books().accounts.contains_key(a)) {
        return Err(stripe_error(
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            "The provided key does not have access to account",
        ));
    }
    let mut session = session_from(&form, account.as_deref())?;
    let id = fake.books().id("cs_test");
    session["id"] = json!(id);
    session["url"] = json!(format!("{}/pay/{id}", fake.base));
    {
        let mut books = fake.books();
        books.sessions.insert(id.clone(), session.clone());
        if let Some(account) = account {
            books.session_account.insert(id, account);
        }
    }
    let answer = public(session);
    fake.remember(&headers, form, &answer);
    Ok(Json(answer))
}

/// The sessions of the connected account, newest first, as Stripe lists them: `created[gte]`,
/// `limit` (10 unless given, at most 100), `starting_after`, and `expand[]=data.payment_intent`.
async fn list_sessions(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Answer {
    fake.admit(&headers, "/v1/checkout/sessions", &[])?;
    let asked = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let number = |name: &str| asked(name).map(str::parse::<i64>).transpose().map_err(|_| invalid("Invalid integer"));
    let since = number("created[gte]")?.unwrap_or(0);
    let limit = usize::try_from(number("limit")?.unwrap_or(10).clamp(1, 100)).unwrap_or(10);
    let expand = query.iter().any(|(k, v)| k == "expand[]" && v == "data.payment_intent");
    let account = headers.get("stripe-account").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let books = fake.books();
    let mut sessions: Vec<&Value> = books
        .sessions
        .iter()
        .filter(|(id, s)| books.session_account.get(*id) == account.as_ref() && s["created"].as_i64() >= Some(since))
        .map(|(_, s)| s)
        .collect();
    sessions.sort_by(|a, b| (b["created"].as_i64(), b["id"].as_str()).cmp(&(a["created"].as_i64(), a["id"].as_str())));
    if let Some(after) = asked("starting_after") {
        let at = sessions.iter().position(|s| s["id"] == after).ok_or_else(|| missing("checkout.session"))?;
        sessions.drain(..=at);
    }
    let has_more = sessions.len() > limit;
    let data: Vec<Value> = sessions
        .into_iter()
        .take(limit)
        .map(|session| {
            let mut shown = public(session.clone());
            let intent = session["payment_intent"].as_str().and_then(|id| books.intents.get(id));
            if let (true, Some(intent)) = (expand, intent) {
                let mut intent = intent.clone();
                shown["payment_intent"] = self::shown(&mut intent, None).clone();
            }
            shown
        })
        .collect();
    Ok(Json(json!({"object": "list", "url": "/v1/checkout/sessions", "has_more": has_more, "data": data})))
}

async fn read_session(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    fake.admit(&headers, "/v1/checkout/sessions/{id}", &[])?;
    fake.books().sessions.get(&id).cloned().map(public).map(Json).ok_or_else(|| missing("checkout.session"))
}

async fn expire_session(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    fake.admit(&headers, "/v1/checkout/sessions/{id}/expire", &[])?;
    match fake.expire(&id).await {
        Some(session) => Ok(Json(session)),
        None if fake.books().sessions.contains_key(&id) => {
            Err(invalid("Only Checkout Sessions with a status of open can be expired."))
        }
        None => Err(missing("checkout.session")),
    }
}

async fn read_intent(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    fake.admit(&headers, "/v1/payment_intents/{id}", &[])?;
    let mut intent = fake.books().intents.get(&id).cloned().ok_or_else(|| missing("payment_intent"))?;
    Ok(Json(shown(&mut intent, query.as_deref()).clone()))
}

/// A PaymentIntent as Stripe answers it: its charge whole only where `expand` asked for it.
fn shown<'a>(intent: &'a mut Value, query: Option<&str>) -> &'a Value {
    let expanded = query.is_some_and(|q| q.contains("latest_charge"));
    if !expanded && let Some(charge) = intent.get("latest_charge").and_then(|c| c.get("id")).cloned() {
        intent["latest_charge"] = charge;
    }
    intent
}

/// Moves a PaymentIntent waiting for capture to `to` (a repeated key answers as the first time).
async fn settle(fake: &Fake, headers: &HeaderMap, id: &str, path: &str, to: &str) -> Answer {
    if let Some(first) = fake.admit(headers, path, &[])? {
        return Ok(Json(first));
    }
    let mut books = fake.books();
    let intent = books.intents.get_mut(id).ok_or_else(|| missing("payment_intent"))?;
    if intent["status"] != "requires_capture" {
        let message =
            format!("This PaymentIntent could not be changed because it has a status of {}.", intent["status"]);
        return Err(stripe_error(StatusCode::BAD_REQUEST, "invalid_request_error", &message));
    }
    intent["status"] = json!(to);
    if to == "succeeded" {
        intent["amount_received"] = intent["amount"].clone();
    }
    intent["amount_capturable"] = json!(0);
    let mut answer = intent.clone();
    shown(&mut answer, None);
    drop(books);
    fake.remember(headers, Vec::new(), &answer);
    Ok(Json(answer))
}

async fn capture(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    settle(&fake, &headers, &id, "/v1/payment_intents/{id}/capture", "succeeded").await
}

async fn cancel(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    settle(&fake, &headers, &id, "/v1/payment_intents/{id}/cancel", "canceled").await
}

/// A refund of a captured PaymentIntent: at most what is left of it; with
/// `refund_application_fee`, the platform's fee in proportion (rounded half up).
async fn refund(State(fake): State<Fake>, headers: HeaderMap, Form(form): Form<Vec<(String, String)>>) -> Answer {
    if let Some(first) = fake.admit(&headers, "/v1/refunds", &form)? {
        return Ok(Json(first));
    }
    let intent_id =
        field(&form, "payment_intent").ok_or_else(|| invalid("Missing required param: payment_intent."))?.to_owned();
    let answer = {
        let mut books = fake.books();
        let id = books.id("re");
        let intent = books.intents.get_mut(&intent_id).ok_or_else(|| missing("payment_intent"))?;
        if intent["status"] != "succeeded" {
            return Err(invalid("This PaymentIntent has not been captured."));
        }
        let received = intent["amount_received"].as_i64().unwrap_or_default();
        let refunded = intent["amount_refunded"].as_i64().unwrap_or_default();
        let amount = field(&form, "amount")
            .map_or(Ok(received - refunded), str::parse::<i64>)
            .map_err(|_| invalid("Invalid integer: amount"))?;
        if amount <= 0 || amount > received - refunded {
            return Err(invalid(&format!(
                "Refund amount ({amount}) is greater than unrefunded amount on charge ({})",
                received - refunded
            )));
        }
        intent["amount_refunded"] = json!(refunded + amount);
        if field(&form, "refund_application_fee") == Some("true") {
            let fee = intent["application_fee_amount"].as_i64().unwrap_or_default();
            let back =
                (i128::from(fee) * i128::from(amount) * 2 + i128::from(received)) / (2 * i128::from(received.max(1)));
            let before = intent["application_fee_refunded"].as_i64().unwrap_or_default();
            intent["application_fee_refunded"] = json!(before + i64::try_from(back).unwrap_or_default());
        }
        json!({"id": id, "object": "refund", "amount": amount, "payment_intent": intent_id, "status": "succeeded",
               "reason": field(&form, "reason")})
    };
    fake.remember(&headers, form, &answer);
    Ok(Json(answer))
}
