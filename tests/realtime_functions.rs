//! The `notifier` and `ws` functions' handlers, fed real events: stream records read back from
//! moto's DynamoDB Streams after real writes, and API Gateway WebSocket events.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use base64::Engine as _;
use bistro_api::auth::Auth;
use bistro_domain::ids::Slug;
use bistro_domain::jiff::civil::date;
use bistro_domain::restaurant::Role;
use bistro_lambda::apigw::ApiGatewaySender;
use bistro_lambda::notifier::{self, StreamEvent};
use bistro_lambda::ws::{Handler, WebSocketEvent};
use bistro_realtime::connect::Admitted;
use bistro_store::Repos;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::repo::{IdempotencyKey, SignedIn, Subscription};
use bistro_testkit::{fixtures, moto};
use serde_json::{Value, json};

#[path = "live_support.rs"]
mod live_support;
use live_support::{stream_event, stub_server};

/// One signing key for the whole test binary, so that a token one test issues, another verifies.
fn auth() -> Auth {
    static RING: std::sync::OnceLock<bistro_api::signing::KeyRing> = std::sync::OnceLock::new();
    Auth::with_key_ring(RING.get_or_init(|| bistro_api::signing::KeyRing::generate().unwrap())).unwrap()
}

struct World {
    repos: Repos,
    table: String,
    aws: aws_config::SdkConfig,
}

async fn world() -> World {
    let endpoint = &moto::server().endpoint;
    let table = moto::unique_name("live");
    let client = DynamoStore::emulator_client(endpoint).await;
    let store = DynamoStore::new(client, table.clone());
    store.create_table_if_missing().await.unwrap();
    let repos = Repos::new(Arc::new(store));
    repos
        .restaurants
        .create(&fixtures::restaurant("roma"), &fixtures::account("roma", "owner@roma.test", Role::Owner))
        .await
        .unwrap();
    let aws = bistro_store::aws::emulator_config(endpoint).await;
    World { repos, table, aws }
}

/// The board of `account`, opened under its current session number.
fn board_of(id: &str, account: &bistro_domain::restaurant::Account) -> bistro_store::repo::Connection {
    let signed_in = Some(SignedIn { user: account.id.clone(), session: account.sessions });
    let admitted = Admitted { restaurant: account.restaurant.clone(), subscription: Subscription::Board, signed_in };
    bistro_realtime::connect::connection(id, admitted)
}

/// Removes `account` from its restaurant as the staff route does.
async fn remove(world: &World, account: &bistro_domain::restaurant::Account) {
    let roster = world.repos.restaurants.roster(&account.restaurant).await.unwrap();
    let accounts: Vec<_> = roster.iter().map(|a| a.value.clone()).collect();
    let decision =
        bistro_domain::staff::decide(&accounts, vec![(account.id.clone(), bistro_domain::staff::StaffChange::Remove)])
            .unwrap();
    world.repos.restaurants.apply(&roster, &decision).await.unwrap();
}

fn board(id: &str, slug: &str) -> bistro_store::repo::Connection {
    let restaurant = Slug::parse(slug).unwrap();
    bistro_realtime::connect::connection(
        id,
        Admitted { restaurant, subscription: Subscription::Board, signed_in: None },
    )
}

async fn place(repos: &Repos, key: &str) -> bistro_domain::order::Order {
    let idempotency = IdempotencyKey { key: key.into(), fingerprint: "f".into() };
    fixtures::place(&repos.orders, &idempotency, fixtures::new_order("roma", date(2026, 11, 23))).await.unwrap().value
}

/// The notifier's answer to `event` (a batch as Lambda hands it over), posting through `endpoint`.
async fn notify(world: &World, endpoint: &str, event: impl serde::Serialize) -> notifier::BatchResponse {
    let event: StreamEvent = serde_json::from_value(serde_json::to_value(event).unwrap()).unwrap();
    notifier::handle(&world.repos, &ApiGatewaySender::new(&world.aws, endpoint), event).await
}

/// moto's recorder is one per server: tests that read it take turns.
static RECORDER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn recorded_posts(connection_ids: &[&str]) -> Vec<(String, Value)> {
    let text = reqwest::get(format!("{}/moto-api/recorder/download-recording", moto::server().endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|entry| {
            let url = entry["url"].as_str()?.to_owned();
            let id = connection_ids.iter().find(|id| url.ends_with(&format!("/@connections/{id}")))?;
            let body = entry["body"].as_str()?;
            let bytes = if entry["body_encoded"].as_bool() == Some(true) {
                base64::engine::general_purpose::STANDARD.decode(body).ok()?
            } else {
                body.as_bytes().to_vec()
            };
            Some(((*id).to_owned(), serde_json::from_slice(&bytes).ok()?))
        })
        .collect()
}

#[tokio::test]
async fn the_notifier_posts_a_placed_order_to_every_board_of_its_restaurant_through_moto() {
    let _turn = RECORDER.lock().await;
    let world = world().await;
    let (a, b, elsewhere) = (moto::unique_name("board-a"), moto::unique_name("board-b"), moto::unique_name("other"));
    world.repos.connections.put(&board(&a, "roma")).await.unwrap();
    world.repos.connections.put(&board(&b, "roma")).await.unwrap();
    world.repos.connections.put(&board(&elsewhere, "milano")).await.unwrap();
    reqwest::Client::new()
        .post(format!("{}/moto-api/recorder/start-recording", moto::server().endpoint))
        .send()
        .await
        .unwrap();
    let order = place(&world.repos, "k1").await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let sender = ApiGatewaySender::new(&world.aws, &moto::server().endpoint);

    let response = notifier::handle(&world.repos, &sender, event).await;

    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let posts = recorded_posts(&[&a, &b, &elsewhere]).await;
    let mut receivers: Vec<&str> = posts.iter().map(|(id, _)| id.as_str()).collect();
    receivers.sort_unstable();
    let mut expected = [a.as_str(), b.as_str()];
    expected.sort_unstable();
    assert_eq!(receivers, expected, "each board of the restaurant once, nobody else");
    assert!(posts.iter().all(|(_, message)| message["type"] == "order"
        && message["seq"] == 1
        && message["order"]["id"] == order.id.as_str()));
}

#[tokio::test]
async fn a_connection_that_answers_410_gone_is_forgotten() {
    let world = world().await;
    world.repos.connections.put(&board("gone-1", "roma")).await.unwrap();
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    place(&world.repos, "k1").await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    assert!(response.batch_item_failures.is_empty());
    let remaining: Vec<String> = world
        .repos
        .connections
        .of_restaurant(&Slug::parse("roma").unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(remaining, ["alive-1"]);
    assert_eq!(stub.posts.lock().unwrap().len(), 1);
}

/// A record of `slug`'s event log whose body cannot be read.
fn poison(slug: &str) -> Value {
    json!({"eventID": "poison", "eventName": "INSERT", "awsRegion": "us-east-1", "dynamodb": {
        "Keys": {"pk": {"S": format!("R#{slug}#EVENTS")}, "sk": {"S": "00000000000000000099"}},
        "NewImage": {"pk": {"S": format!("R#{slug}#EVENTS")}, "sk": {"S": "00000000000000000099"}, "v": {"N": "1"}, "body": {"S": "{not json"}},
        "SequenceNumber": "poison-1", "SizeBytes": 64}})
}

fn failures(response: &bistro_lambda::notifier::BatchResponse) -> Vec<&str> {
    response.batch_item_failures.iter().filter_map(|f| f.item_identifier.as_deref()).collect()
}

#[tokio::test]
async fn a_failing_record_holds_back_the_later_records_of_its_restaurant_and_reports_them_with_it() {
    let world = world().await;
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    place(&world.repos, "k1").await;
    let mut event = stream_event(&world.aws, &world.table).await;
    let later: Vec<String> = event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["dynamodb"]["Keys"]["pk"]["S"] == "R#roma#EVENTS")
        .map(|r| r["dynamodb"]["SequenceNumber"].as_str().unwrap().to_owned())
        .collect();
    event["Records"].as_array_mut().unwrap().insert(0, poison("roma"));
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    let mut expected = vec!["poison-1".to_owned()];
    expected.extend(later);
    assert_eq!(failures(&response), expected, "the retry starts at the failed record, with everything after it");
    assert!(stub.posts.lock().unwrap().is_empty(), "no screen gets event 1 before the one that failed");
}

#[tokio::test]
async fn an_invocation_near_its_deadline_answers_with_the_records_it_did_not_begin() {
    let world = world().await;
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    place(&world.repos, "k1").await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let records = event.records.len();
    let (stub, endpoint) = stub_server().await;
    let deadline = std::time::Instant::now() + notifier::ANSWER_MARGIN / 2;

    let response =
        notifier::handle_until(&world.repos, &ApiGatewaySender::new(&world.aws, &endpoint), event, Some(deadline))
            .await;

    assert_eq!(response.batch_item_failures.len(), records, "every record is left for the retry");
    assert!(stub.posts.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_throttled_screen_is_tried_once_per_batch_and_every_other_screen_gets_every_event() {
    let world = world().await;
    world.repos.connections.put(&board("slow-1", "roma")).await.unwrap();
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    for n in 0..10 {
        place(&world.repos, &format!("k{n}")).await;
    }
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    assert!(response.batch_item_failures.is_empty(), "a throttled screen fails no record");
    let delivered: Vec<u64> = stub.posts.lock().unwrap().iter().map(|(_, m)| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(delivered, (1..=10).collect::<Vec<u64>>(), "the healthy board gets each event once, in order");
    // One record's worth of the SDK's attempts, not ten: the batch does not wait on it again.
    let tries = stub.throttled.lock().unwrap().len();
    assert!((1..=3).contains(&tries), "{tries} posts to the throttled screen");
}

#[tokio::test]
async fn a_screen_that_missed_an_update_is_told_to_resync_at_its_next_one_and_then_gets_updates_again() {
    let world = world().await;
    world.repos.connections.put(&board("slow-1", "roma")).await.unwrap();
    let (stub, endpoint) = stub_server().await;
    // Each batch holds what the stream got since the one before, as Lambda hands it over.
    let mut handed = 0;
    let mut place_and_notify = async |key: &str| {
        place(&world.repos, key).await;
        let mut batch = stream_event(&world.aws, &world.table).await;
        let records = batch["Records"].as_array_mut().unwrap();
        let all = records.len();
        records.drain(..handed);
        handed = all;
        notify(&world, &endpoint, batch).await;
    };
    place_and_notify("k1").await;
    let marked = world.repos.connections.get("slow-1").await.unwrap().missed;

    stub.recovered.store(true, std::sync::atomic::Ordering::SeqCst);
    place_and_notify("k2").await;
    place_and_notify("k3").await;

    assert!(marked, "the failed post marks the connection");
    let got: Vec<String> = stub
        .posts
        .lock()
        .unwrap()
        .iter()
        .map(|(_, m)| {
            format!("{}{}", m["type"].as_str().unwrap(), m["seq"].as_u64().map(|s| s.to_string()).unwrap_or_default())
        })
        .collect();
    assert_eq!(got, ["resync", "order3"], "told to reload instead of event 2, then live again with 3");
    assert!(!world.repos.connections.get("slow-1").await.unwrap().missed);
}

#[tokio::test]
async fn a_connection_that_cannot_be_read_does_not_keep_the_restaurants_other_screens_from_their_events() {
    let world = world().await;
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    let unreadable = bistro_store::seam::Item::new(
        bistro_store::seam::Key::new("CONNECTION#future-1", "CONNECTION"),
        1,
        "{\"from\":\"a newer version\"}".into(),
    )
    .with_index(bistro_store::seam::Index::Gsi1, bistro_store::seam::Key::new("R#roma#CONNECTIONS", "future-1"));
    world
        .repos
        .store()
        .write(bistro_store::seam::Write::Put { item: unreadable, condition: bistro_store::seam::Condition::Always })
        .await
        .unwrap();
    place(&world.repos, "k1").await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    assert!(response.batch_item_failures.is_empty());
    assert_eq!(stub.posts.lock().unwrap().iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["alive-1"]);
}

#[tokio::test]
async fn a_poison_record_holds_back_only_its_own_restaurant() {
    let world = world().await;
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    place(&world.repos, "k1").await;
    let mut event = stream_event(&world.aws, &world.table).await;
    let poison = poison("napoli");
    event["Records"].as_array_mut().unwrap().insert(0, poison);
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    assert_eq!(failures(&response), ["poison-1"]);
    assert_eq!(stub.posts.lock().unwrap().len(), 1, "the other restaurant's record still went out");
}

#[tokio::test]
async fn a_change_delivered_twice_in_a_batch_goes_out_once() {
    let world = world().await;
    world.repos.connections.put(&board("alive-1", "roma")).await.unwrap();
    place(&world.repos, "k1").await;
    let mut event = stream_event(&world.aws, &world.table).await;
    let records = event["Records"].as_array().unwrap().clone();
    event["Records"].as_array_mut().unwrap().extend(records);
    let (stub, endpoint) = stub_server().await;

    notify(&world, &endpoint, event).await;

    assert_eq!(stub.posts.lock().unwrap().len(), 1);
}

fn ws_event(route: &str, connection: &str, query: Option<Value>, body: Option<&str>) -> WebSocketEvent {
    let mut event = json!({
        "requestContext": {"routeKey": route, "connectionId": connection, "eventType": route.trim_start_matches('$').to_uppercase(),
                           "domainName": "abc.execute-api.us-east-1.amazonaws.com", "stage": "prod", "requestId": "r-1", "apiId": "abc",
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

/// A token of a new kitchen account of `slug`, stored when that restaurant exists (roma does).
async fn staff_token(world: &World, slug: &str) -> String {
    let auth = auth();
    let email = format!("staff-{}@roma.test", bistro_domain::ids::UserId::generate());
    let account = fixtures::account(slug, &email, Role::Staff);
    if slug == "roma" {
        world.repos.restaurants.add_account(&account).await.unwrap();
    }
    auth.issue(&account).await.unwrap()
}

#[tokio::test]
async fn connect_stores_a_staff_board_and_refuses_bad_or_foreign_tokens() {
    let world = world().await;
    let auth = auth();
    let (_, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };
    let token = staff_token(&world, "roma").await;
    let foreign = staff_token(&world, "milano").await;

    let ok =
        handler.handle(ws_event("$connect", "c-ok", Some(json!({"restaurant": "roma", "token": token})), None)).await;
    let bad = handler
        .handle(ws_event("$connect", "c-bad", Some(json!({"restaurant": "roma", "token": "forged"})), None))
        .await;
    let other = handler
        .handle(ws_event("$connect", "c-foreign", Some(json!({"restaurant": "roma", "token": foreign})), None))
        .await;
    let none = handler.handle(ws_event("$connect", "c-none", None, None)).await;

    assert_eq!((ok.status_code, bad.status_code, other.status_code, none.status_code), (200, 401, 403, 401));
    let stored = world.repos.connections.get("c-ok").await.unwrap();
    assert_eq!(stored.subscription, Subscription::Board);
    assert!(stored.signed_in.is_some(), "the login it rides on is kept, to close it when the login ends");
    assert!(world.repos.connections.get("c-bad").await.is_err());
}

#[tokio::test]
async fn disconnect_forgets_the_connection() {
    let world = world().await;
    let auth = auth();
    let (_, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };
    world.repos.connections.put(&board("c-1", "roma")).await.unwrap();

    let response = handler.handle(ws_event("$disconnect", "c-1", None, None)).await;

    assert_eq!(response.status_code, 200);
    assert!(world.repos.connections.get("c-1").await.is_err());
}

#[tokio::test]
async fn default_resume_posts_the_missed_events_and_then_resumed() {
    let world = world().await;
    let auth = auth();
    let (stub, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };
    world.repos.connections.put(&board("c-1", "roma")).await.unwrap();
    for n in 0..5 {
        place(&world.repos, &format!("k{n}")).await;
    }

    let resume = handler.handle(ws_event("$default", "c-1", None, Some(r#"{"type":"resume","last_seq":2}"#))).await;
    let ping = handler.handle(ws_event("$default", "c-1", None, Some(r#"{"type":"ping"}"#))).await;

    assert_eq!((resume.status_code, ping.status_code), (200, 200));
    let posts = stub.posts.lock().unwrap().clone();
    let kinds: Vec<String> = posts
        .iter()
        .map(|(_, m)| {
            format!("{}{}", m["type"].as_str().unwrap(), m["seq"].as_u64().map(|s| s.to_string()).unwrap_or_default())
        })
        .collect();
    // Posted a few at a time, so in any order among themselves; `resumed` only after all three.
    let mut replayed = kinds[..3].to_vec();
    replayed.sort();
    assert_eq!(replayed, ["order3", "order4", "order5"]);
    assert_eq!(kinds[3..], ["resumed", "pong"]);
    assert_eq!(posts[3].1["last_seq"], 5);
}

#[tokio::test]
async fn a_message_of_unknown_shape_gets_an_error_message() {
    let world = world().await;
    let auth = auth();
    let (stub, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };

    handler.handle(ws_event("$default", "c-1", None, Some("hello?"))).await;

    assert_eq!(stub.posts.lock().unwrap()[0].1["code"], "invalid_message");
}

#[tokio::test]
async fn an_event_without_a_connection_is_refused_and_nothing_is_sent() {
    let world = world().await;
    let auth = auth();
    let (stub, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };
    let mut event = ws_event("$default", "c-1", None, Some(r#"{"type":"ping"}"#));
    event.request_context.connection_id = None;

    let response = handler.handle(event).await;

    assert_eq!(response.status_code, 400);
    assert!(stub.posts.lock().unwrap().is_empty());
}

#[tokio::test]
async fn removing_an_account_closes_its_sockets_through_the_stream_and_keeps_the_others() {
    let world = world().await;
    let slug = Slug::parse("roma").unwrap();
    let cook = fixtures::account("roma", "cook@roma.test", Role::Staff);
    world.repos.restaurants.add_account(&cook).await.unwrap();
    let owner = world
        .repos
        .restaurants
        .account_by_email(&slug, &bistro_domain::ids::Email::parse("owner@roma.test").unwrap())
        .await
        .unwrap();
    world.repos.connections.put(&board_of("cook-board", &cook)).await.unwrap();
    world.repos.connections.put(&board_of("owner-board", &owner)).await.unwrap();
    remove(&world, &cook).await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let (stub, endpoint) = stub_server().await;

    let response = notify(&world, &endpoint, event).await;

    assert!(response.batch_item_failures.is_empty());
    assert_eq!(*stub.closed.lock().unwrap(), ["cook-board"]);
    let told: Vec<(String, Value)> = stub.posts.lock().unwrap().clone();
    assert_eq!(told.len(), 1);
    assert_eq!((told[0].0.as_str(), told[0].1["code"].as_str()), ("cook-board", Some("session_ended")));
    let remaining: Vec<String> =
        world.repos.connections.of_restaurant(&slug).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(remaining, ["owner-board"]);
}

#[tokio::test]
async fn an_order_event_is_not_sent_to_a_board_whose_login_ended() {
    let world = world().await;
    let cook = fixtures::account("roma", "cook@roma.test", Role::Staff);
    world.repos.restaurants.add_account(&cook).await.unwrap();
    let mut stale = board_of("stale-board", &cook);
    stale.signed_in.as_mut().unwrap().session += 1;
    world.repos.connections.put(&stale).await.unwrap();
    world.repos.connections.put(&board_of("cook-board", &cook)).await.unwrap();
    place(&world.repos, "k1").await;
    let event: StreamEvent = serde_json::from_value(stream_event(&world.aws, &world.table).await).unwrap();
    let (stub, endpoint) = stub_server().await;

    notify(&world, &endpoint, event).await;

    let posts = stub.posts.lock().unwrap().clone();
    let order_to = |id: &str| posts.iter().any(|(to, m)| to == id && m["type"] == "order");
    assert!(order_to("cook-board") && !order_to("stale-board"), "{posts:?}");
    assert_eq!(*stub.closed.lock().unwrap(), ["stale-board"]);
}

#[tokio::test]
async fn a_resume_on_a_socket_whose_login_ended_is_refused_and_the_socket_closed() {
    let world = world().await;
    let auth = auth();
    let (stub, endpoint) = stub_server().await;
    let sender = ApiGatewaySender::new(&world.aws, &endpoint);
    let handler = Handler { repos: &world.repos, auth: &auth, sender: &sender };
    let cook = fixtures::account("roma", "cook@roma.test", Role::Staff);
    world.repos.restaurants.add_account(&cook).await.unwrap();
    world.repos.connections.put(&board_of("cook-board", &cook)).await.unwrap();
    place(&world.repos, "k1").await;
    remove(&world, &cook).await;

    let resume =
        handler.handle(ws_event("$default", "cook-board", None, Some(r#"{"type":"resume","last_seq":0}"#))).await;

    assert_eq!(resume.status_code, 401);
    let posts = stub.posts.lock().unwrap().clone();
    assert!(posts.iter().all(|(_, m)| m["type"] != "order"), "no missed event is replayed: {posts:?}");
    assert_eq!(*stub.closed.lock().unwrap(), ["cook-board"]);
    assert!(world.repos.connections.get("cook-board").await.is_err());
}
