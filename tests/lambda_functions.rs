//! Each built Lambda binary answers real API Gateway HTTP API (payload 2.0) events, fed through a
//! mock of the Lambda Runtime API, with its data in DynamoDB (moto server).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bistro_domain::restaurant::Role;
use bistro_store::Repos;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_testkit::runtime_api::RuntimeApi;
use bistro_testkit::{fixtures, moto};
use serde_json::{Value, json};

#[path = "live_support.rs"]
mod live_support;

const FUNCTIONS: [&str; 7] = ["menu", "cart", "orders", "reservations", "accounts", "exports", "payments"];
const REALTIME_FUNCTIONS: [&str; 4] = ["ws", "notifier", "retention", "reconcile"];
/// The stack whose SSM parameters the functions are pointed at.
const STACK: &str = "lambda-test";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds every function binary once per test run, as `cargo build` would for a developer.
fn binaries() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = std::process::Command::new(cargo);
        command.current_dir(workspace()).args(["build", "--locked"]);
        for function in FUNCTIONS.into_iter().chain(REALTIME_FUNCTIONS) {
            command.args(["-p", function]);
        }
        let status = command.status().expect("cargo runs");
        assert!(status.success(), "building the Lambda functions failed");
        let target =
            std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| workspace().join("target"));
        target.join("debug")
    })
}

fn event(name: &str) -> Value {
    let path = workspace().join("tests/events").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the event fixture exists")).expect("valid JSON")
}

/// Runs `function` on one event against a fresh mock runtime; returns what it posted.
async fn invoke(function: &str, event: Value, table: &str) -> Value {
    invoke_in(function, event, table, STACK).await
}

/// The same, with the SSM parameters of `stack`.
async fn invoke_in(function: &str, event: Value, table: &str, stack: &str) -> Value {
    invoke_posting_to(function, event, table, stack, &moto::server().endpoint).await
}

/// The same, with WebSocket posts going to `websocket_endpoint`.
async fn invoke_posting_to(function: &str, event: Value, table: &str, stack: &str, websocket_endpoint: &str) -> Value {
    invoke_with(function, event, table, stack, websocket_endpoint, &[]).await
}

/// The same, with `extra` variables in the function's environment.
async fn invoke_with(
    function: &str,
    event: Value,
    table: &str,
    stack: &str,
    websocket_endpoint: &str,
    extra: &[(&str, String)],
) -> Value {
    let runtime = RuntimeApi::start(Some(event)).await;
    let mut child = tokio::process::Command::new(binaries().join(function))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(runtime.lambda_environment(function))
        .env("AWS_ENDPOINT_URL_DYNAMODB", &moto::server().endpoint)
        .env("TABLE_NAME", table)
        .env("AWS_ENDPOINT_URL_SSM", &moto::server().endpoint)
        .env("BISTRO_SIGNING_KEY_PARAMETER", bistro_lambda::keys::signing_key_parameter(stack))
        .env("BISTRO_SIGN_UP_CODE_PARAMETER", bistro_lambda::keys::sign_up_code_parameter(stack))
        .env("WEBSOCKET_ENDPOINT", websocket_endpoint)
        .envs(payment_environment(function, stack))
        .envs(extra.iter().map(|(name, value)| (*name, value.as_str())))
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the function binary starts");
    // The invocation's deadline is 120 s after the event is handed out (the mock Runtime API's
    // header); the wait also covers starting the binary.
    let answer = runtime.answer(Duration::from_secs(180)).await.expect("the function answers within 180 s");
    child.kill().await.unwrap();
    answer.posted
}

/// What the CDK stack tells the functions that call Stripe (a stage with payments on).
fn payment_environment(function: &str, stack: &str) -> Vec<(&'static str, String)> {
    let mut env = Vec::new();
    if ["orders", "payments", "reconcile"].contains(&function) {
        env.push(("BISTRO_STRIPE_KEY_PARAMETER", format!("/bistro/{stack}/stripe-key")));
        env.push(("BISTRO_PLATFORM_FEES", "EUR:30+1.5%".to_owned()));
    }
    if function == "payments" {
        env.push(("BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER", format!("/bistro/{stack}/stripe-webhook-secret")));
    }
    env
}

/// A table in moto holding the restaurant "lambda-test" with an owner and a dish.
async fn seeded_table() -> String {
    let table = moto::unique_name("lambda");
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let store = DynamoStore::new(client, table.clone());
    store.create_table_if_missing().await.unwrap();
    let repos = Repos::new(Arc::new(store));
    repos
        .restaurants
        .create(
            &fixtures::restaurant("lambda-test"),
            &fixtures::account("lambda-test", "owner@lambda.test", Role::Owner),
        )
        .await
        .unwrap();
    repos.menus.put_category(&fixtures::slug("lambda-test"), &fixtures::category("mains", 1), None).await.unwrap();
    repos.menus.create_item(&fixtures::slug("lambda-test"), &fixtures::menu_item("pizza", 900)).await.unwrap();
    fixtures::accept_events_origin(&repos).await;
    table
}

/// A seeded table with one order placed, and the repositories over it.
async fn table_with_an_order() -> (String, Repos, bistro_domain::order::Order) {
    let table = seeded_table().await;
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let repos = Repos::new(Arc::new(DynamoStore::new(client, table.clone())));
    let key = bistro_store::repo::IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
    let new = fixtures::new_order("lambda-test", bistro_domain::jiff::civil::date(2026, 11, 23));
    let order = fixtures::place(&repos.orders, &key, new).await.unwrap().value;
    (table, repos, order)
}

fn body(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().unwrap_or_else(|| panic!("no body in {response}"))).unwrap()
}

#[tokio::test]
async fn the_menu_function_serves_the_public_menu() {
    let table = seeded_table().await;
    let response = invoke("menu", event("menu-get-menu"), &table).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(body(&response)["items"][0]["id"], "pizza");
}

#[tokio::test]
async fn the_cart_function_opens_a_cart() {
    let table = seeded_table().await;
    let response = invoke("cart", event("cart-open-cart"), &table).await;
    assert_eq!(response["statusCode"], 201, "{response}");
    assert_eq!(body(&response)["token"].as_str().map(str::len), Some(64));
}

/// Opening a cart from `viewer`, the address the site's CloudFront function writes.
fn open_cart_from(viewer: &str) -> Value {
    let mut event = event("cart-open-cart");
    event["headers"][bistro_lambda::VIEWER_ADDRESS] = viewer.into();
    event
}

#[tokio::test]
async fn two_viewer_addresses_in_one_ipv6_64_share_a_budget_and_another_64_has_its_own() {
    let table = seeded_table().await;
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let repos = Repos::new(Arc::new(DynamoStore::new(client, table.clone())));
    within_one_minute(15).await;
    let group = bistro_api::limits::ClientAddress::of("2001:db8:1:2::1").0;
    let budget = bistro_api::limits::CLIENT_BUDGET;
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    for _ in 0..budget.per_minute {
        assert_eq!(repos.clients.count(&fixtures::slug("lambda-test"), &group, now, budget).await.unwrap(), Ok(()));
    }

    let same_64 = invoke("cart", open_cart_from("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), &table).await;
    let other_64 = invoke("cart", open_cart_from("2001:db8:1:3::1"), &table).await;

    assert_eq!(same_64["statusCode"], 429, "{same_64}");
    assert_eq!(body(&same_64)["code"], "rate_limited");
    assert_eq!(other_64["statusCode"], 201, "{other_64}");
}

/// Waits for a new minute unless `seconds` are left in this one (the binaries built first, which
/// takes longer than that): a budget's minute tier counts per minute.
async fn within_one_minute(seconds: i64) {
    binaries();
    let second = bistro_domain::jiff::Timestamp::now().as_second().rem_euclid(60);
    if second > 60 - seconds {
        tokio::time::sleep(Duration::from_secs(u64::try_from(61 - second).unwrap())).await;
    }
}

/// A guest's request from `viewer` (the address CloudFront saw) holding `device`, if any.
fn guest_event(method: &str, path: &str, body: Option<Value>, viewer: &str, device: Option<&str>) -> Value {
    let mut event = http_event(method, path, body, None);
    event["headers"][bistro_lambda::VIEWER_ADDRESS] = viewer.into();
    if let Some(device) = device {
        event["headers"][bistro_api::limits::DEVICE_HEADER] = device.into();
    }
    event
}

/// A guest holding `device` behind `viewer` opens a cart, puts a pizza in and orders it.
async fn order_on_lambda(table: &str, viewer: &str, device: &str, key: &str) -> Value {
    let carts = "/v1/restaurants/lambda-test/carts";
    let opened = invoke("cart", guest_event("POST", carts, None, viewer, Some(device)), table).await;
    if opened["statusCode"] != 201 {
        return opened;
    }
    let cart = body(&opened)["token"].as_str().unwrap().to_owned();
    let line = json!({"item": "pizza", "quantity": 1});
    let path = format!("{carts}/{cart}/lines");
    let added = invoke("cart", guest_event("POST", &path, Some(line), viewer, Some(device)), table).await;
    assert_eq!(added["statusCode"], 200, "{added}");
    let order = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}});
    let mut placing = guest_event("POST", "/v1/restaurants/lambda-test/orders", Some(order), viewer, Some(device));
    placing["headers"]["idempotency-key"] = key.into();
    invoke("orders", placing, table).await
}

#[tokio::test]
async fn forty_guests_behind_one_viewer_address_each_order_while_carts_flood_from_it_and_are_refused() {
    let table = seeded_table().await;
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let repos = Repos::new(Arc::new(DynamoStore::new(client, table.clone())));
    let (viewer, devices_path) = ("198.51.100.7", "/v1/restaurants/lambda-test/devices");
    within_one_minute(50).await;
    let issued = invoke("cart", guest_event("POST", devices_path, None, viewer, None), &table).await;
    assert_eq!(issued["statusCode"], 204, "{issued}");
    let flooder = issued["headers"][bistro_api::limits::DEVICE_HEADER].as_str().unwrap().to_owned();
    // The other guests' devices, issued as the same function does (each counts on the address).
    let slug = fixtures::slug("lambda-test");
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    let mut devices = Vec::new();
    for _ in 0..40 {
        assert_eq!(repos.clients.count(&slug, viewer, now, bistro_api::limits::CLIENT_BUDGET).await.unwrap(), Ok(()));
        devices.push(repos.clients.issue_device(&slug, now, bistro_api::limits::DEVICE_BUDGET).await.unwrap());
    }
    // The flood has spent the rest of the address's minute.
    while repos.clients.count(&slug, viewer, now, bistro_api::limits::CLIENT_BUDGET).await.unwrap().is_ok() {}
    let carts = "/v1/restaurants/lambda-test/carts";

    let as_address = invoke("cart", guest_event("POST", carts, None, viewer, None), &table).await;
    let mut as_device = Vec::new();
    for _ in 0..bistro_api::limits::DEVICE_BUDGET.per_minute {
        as_device.push(invoke("cart", guest_event("POST", carts, None, viewer, Some(&flooder)), &table).await);
    }
    let mut placed = Vec::new();
    for (batch, devices) in devices.chunks(8).enumerate() {
        let mut guests = tokio::task::JoinSet::new();
        for (n, device) in devices.iter().enumerate() {
            let (table, device) = (table.clone(), device.as_str().to_owned());
            guests.spawn(async move { order_on_lambda(&table, viewer, &device, &format!("guest-{batch}-{n}")).await });
        }
        placed.extend(guests.join_all().await);
    }

    assert_eq!(as_address["statusCode"], 429, "{as_address}");
    let statuses: Vec<_> = as_device.iter().map(|r| r["statusCode"].as_u64().unwrap()).collect();
    // The issue counted one on the flooder's device: five carts, then a refusal.
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429], "{as_device:?}");
    assert!(placed.iter().all(|r| r["statusCode"] == 201), "{placed:?}");
    assert_eq!(placed.len(), 40);
}

#[tokio::test]
async fn the_orders_function_hides_an_order_without_its_token() {
    let table = seeded_table().await;
    let response = invoke("orders", event("orders-read-unknown-order"), &table).await;
    assert_eq!(response["statusCode"], 404, "{response}");
    assert_eq!(response["headers"]["content-type"], "application/problem+json");
    assert_eq!(body(&response)["code"], "not_found");
}

#[tokio::test]
async fn the_reservations_function_lists_free_slots() {
    let table = seeded_table().await;
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap().to_string();
    let mut request = event("reservations-free-slots");
    request["rawQueryString"] = Value::String(format!("date={tomorrow}&party=2"));
    request["queryStringParameters"]["date"] = Value::String(tomorrow);

    let response = invoke("reservations", request, &table).await;

    assert_eq!(response["statusCode"], 200, "{response}");
    assert!(body(&response)["slots"].as_array().is_some_and(|slots| slots.len() > 10), "{response}");
}

#[tokio::test]
async fn the_accounts_function_refuses_a_wrong_password() {
    let table = seeded_table().await;
    let response = invoke("accounts", event("accounts-login-wrong-password"), &table).await;
    assert_eq!(response["statusCode"], 401, "{response}");
    assert_eq!(body(&response)["code"], "unauthenticated");
}

#[tokio::test]
async fn every_function_reports_its_health() {
    let table = seeded_table().await;
    for function in FUNCTIONS {
        let response = invoke(function, event("any-health"), &table).await;
        assert_eq!(response["statusCode"], 200, "{function}: {response}");
        assert_eq!(body(&response)["store"], "reachable", "{function}");
    }
}

#[tokio::test]
async fn every_function_refuses_a_request_that_did_not_come_through_the_site() {
    let table = seeded_table().await;
    for function in FUNCTIONS {
        let mut straight = event("any-health");
        straight["headers"].as_object_mut().unwrap().remove(bistro_api::origin::ORIGIN_HEADER);
        let mut guessed = event("any-health");
        guessed["headers"][bistro_api::origin::ORIGIN_HEADER] = "a guess at the secret, 32 characters long".into();

        for request in [straight, guessed] {
            let response = invoke(function, request, &table).await;
            assert_eq!(response["statusCode"], 403, "{function}: {response}");
            assert_eq!(body(&response)["code"], "not_through_site", "{function}");
        }
    }
}

#[tokio::test]
async fn after_a_new_origin_secret_the_functions_accept_it_and_the_one_before_it_and_no_older() {
    let table = seeded_table().await;
    let store = DynamoStore::new(DynamoStore::emulator_client(&moto::server().endpoint).await, table.clone());
    let keys = Repos::new(Arc::new(store)).signing_keys;
    let (second, third) =
        ("the second origin secret, 32 characters or more", "the third origin secret, 32 characters or more");
    keys.accept_origin_digest(&bistro_api::origin::digest_of(second)).await.unwrap();
    let before = invoke("cart", health_through_site_with(fixtures::EVENTS_ORIGIN_SECRET), &table).await;
    let new = invoke("cart", health_through_site_with(second), &table).await;
    keys.accept_origin_digest(&bistro_api::origin::digest_of(third)).await.unwrap();

    let retired = invoke("cart", health_through_site_with(fixtures::EVENTS_ORIGIN_SECRET), &table).await;

    assert_eq!((before["statusCode"].as_u64(), new["statusCode"].as_u64()), (Some(200), Some(200)));
    assert_eq!(retired["statusCode"], 403, "{retired}");
}

/// A health check as CloudFront sends it, with `secret` as the origin secret.
fn health_through_site_with(secret: &str) -> Value {
    let mut request = event("any-health");
    request["headers"][bistro_api::origin::ORIGIN_HEADER] = secret.into();
    request
}

#[tokio::test]
async fn a_revoked_origin_secret_is_refused_at_once_by_a_new_instance_and_the_new_one_accepted() {
    let table = seeded_table().await;
    let store = DynamoStore::new(DynamoStore::emulator_client(&moto::server().endpoint).await, table.clone());
    let keys = Repos::new(Arc::new(store)).signing_keys;
    let new = "the new origin secret, 32 characters or more";
    // `bistro-keys origin-secret --revoke-previous`: the secret that leaked is no longer accepted.
    keys.accept_only_origin_digest(&bistro_api::origin::digest_of(new)).await.unwrap();

    let leaked = invoke("cart", health_through_site_with(fixtures::EVENTS_ORIGIN_SECRET), &table).await;
    let accepted = invoke("cart", health_through_site_with(new), &table).await;

    assert_eq!(leaked["statusCode"], 403, "{leaked}");
    assert_eq!(accepted["statusCode"], 200, "{accepted}");
    assert_eq!(bistro_api::origin::TRUST_FOR, Duration::from_secs(30), "a warm instance re-reads within 30 s");
}

#[tokio::test]
async fn a_function_answers_routes_of_other_groups_with_not_found() {
    let table = seeded_table().await;
    let response = invoke("menu", event("cart-open-cart"), &table).await;
    assert_eq!(response["statusCode"], 404, "{response}");
}

#[tokio::test]
async fn the_retention_function_sweeps_every_listed_restaurant_on_its_schedule() {
    let table = seeded_table().await;
    let scheduled = serde_json::json!({
        "version": "0", "id": "89d1a02d-5ec7-412e-82f5-13505f849b41", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-12-04T03:00:00Z", "region": "eu-central-1",
        "resources": ["arn:aws:events:eu-central-1:123456789012:rule/retention"], "detail": {}
    });

    let answer = invoke("retention", scheduled, &table).await;

    // Signed up today: none of its days is past the period yet.
    assert_eq!(answer, serde_json::json!({"restaurants": 1, "orders": 0, "bookings": 0}));
}

#[tokio::test]
async fn the_reconcile_function_reads_stripes_key_from_ssm_and_reports_a_payment_without_an_order() {
    let (table, stack) = (seeded_table().await, moto::unique_name("reconcile"));
    let (_, client) = ssm().await;
    let put = client.put_parameter().name(format!("/bistro/{stack}/stripe-key")).value("sk_test_reconcile");
    put.r#type(aws_sdk_ssm::types::ParameterType::SecureString).send().await.unwrap();
    let fake = bistro_payments::fake::FakeStripe::start("sk_test_reconcile", "whsec_unused").await.unwrap();
    let account = fake.ready_account();
    let store = DynamoStore::new(DynamoStore::emulator_client(&moto::server().endpoint).await, table.clone());
    let repos = Repos::new(Arc::new(store));
    let id = bistro_domain::payment::ProviderId::parse(&account, "acct_").unwrap();
    repos.payments.link_account(&id, &fixtures::slug("lambda-test")).await.unwrap();
    let metadata = json!({"checkout": "0123456789abcdef0123456789abcdef", "restaurant": "lambda-test"});
    let stray = fake.open_session(&account, 800, metadata);
    fake.pay(&stray).await.unwrap();
    let hourly = json!({
        "version": "0", "id": "5f1f7c1e-2d0a-4a3e-9a55-1c3f0b0e7a11", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-12-08T02:00:00Z", "region": "eu-central-1",
        "resources": ["arn:aws:events:eu-central-1:123456789012:rule/reconcile"], "detail": {}
    });

    let extra = [("BISTRO_STRIPE_API", fake.base.clone())];
    let answer = invoke_with("reconcile", hourly, &table, &stack, &moto::server().endpoint, &extra).await;

    assert_eq!(answer, json!({"accounts": 1, "sessions": 1, "mended": 0, "reported": 1, "failed": 0}));
    let problems = repos.payments.problems(&fixtures::slug("lambda-test")).await.unwrap();
    assert_eq!((problems.len(), problems[0].released), (1, true));
}

#[tokio::test]
async fn the_ws_function_refuses_a_connection_without_credentials() {
    let table = seeded_table().await;
    let response = invoke("ws", event("ws-connect-without-token"), &table).await;
    assert_eq!(response["statusCode"], 401, "{response}");
}

#[tokio::test]
async fn the_ws_function_refuses_a_connection_that_did_not_come_through_the_site() {
    let table = seeded_table().await;
    let mut connect = event("ws-connect-without-token");
    connect["headers"].as_object_mut().unwrap().remove("x-bistro-origin");
    let without = invoke("ws", connect.clone(), &table).await;
    connect["headers"]["x-bistro-origin"] = "a-guessed-secret".into();
    let guessed = invoke("ws", connect, &table).await;

    assert_eq!(without["statusCode"], 403, "{without}");
    assert_eq!(guessed["statusCode"], 403, "{guessed}");
}

#[tokio::test]
async fn the_ws_function_accepts_a_customer_following_their_order() {
    let (table, repos, order) = table_with_an_order().await;
    let mut connect = event("ws-connect-without-token");
    connect["queryStringParameters"] = serde_json::json!({"restaurant": "lambda-test", "order": order.id.as_str(), "order_token": order.token.as_str()});

    let response = invoke("ws", connect, &table).await;

    assert_eq!(response["statusCode"], 200, "{response}");
    assert!(repos.connections.get("conn-0001").await.is_ok());
}

#[tokio::test]
async fn the_ws_function_refuses_a_fourth_socket_for_one_order_and_the_place_comes_back_when_one_closes() {
    let (table, repos, order) = table_with_an_order().await;
    let admitted = bistro_realtime::connect::Admitted {
        restaurant: fixtures::slug("lambda-test"),
        subscription: bistro_store::repo::Subscription::Customer { order: order.id.clone() },
        signed_in: None,
    };
    for n in 0..bistro_store::repo::CAPS.per_order {
        let open = bistro_realtime::connect::connection(&format!("guest-{n}"), admitted.clone());
        assert_eq!(repos.connections.open(&open, &bistro_store::repo::CAPS).await.unwrap(), Ok(()));
    }
    let mut connect = event("ws-connect-without-token");
    connect["queryStringParameters"] = serde_json::json!({"restaurant": "lambda-test", "order": order.id.as_str(), "order_token": order.token.as_str()});

    let refused = invoke("ws", connect.clone(), &table).await;
    let mut disconnect = event("ws-connect-without-token");
    disconnect["requestContext"]["connectionId"] = "guest-0".into();
    disconnect["requestContext"]["routeKey"] = "$disconnect".into();
    disconnect["requestContext"]["eventType"] = "DISCONNECT".into();
    assert_eq!(invoke("ws", disconnect, &table).await["statusCode"], 200);
    let accepted = invoke("ws", connect, &table).await;

    assert_eq!(refused["statusCode"], 429, "{refused}");
    assert!(repos.connections.get("conn-0001").await.is_ok() && accepted["statusCode"] == 200, "{accepted}");
}

#[tokio::test]
async fn the_notifier_function_answers_a_batch_with_its_failures() {
    let table = seeded_table().await;
    let response = invoke("notifier", event("notifier-unrelated-records"), &table).await;
    assert_eq!(response, serde_json::json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn the_notifier_binary_serves_every_healthy_screen_in_order_past_a_throttled_one() {
    let table = seeded_table().await;
    let aws = bistro_store::aws::emulator_config(&moto::server().endpoint).await;
    let repos =
        Repos::new(Arc::new(DynamoStore::new(bistro_store::engine::dynamodb::Client::new(&aws), table.clone())));
    let slug = fixtures::slug("lambda-test");
    for id in ["slow-1", "alive-1"] {
        let admitted = bistro_realtime::connect::Admitted {
            restaurant: slug.clone(),
            subscription: bistro_store::repo::Subscription::Board,
            signed_in: None,
        };
        repos.connections.put(&bistro_realtime::connect::connection(id, admitted)).await.unwrap();
    }
    for n in 0..5 {
        let key = bistro_store::repo::IdempotencyKey { key: format!("k{n}"), fingerprint: "f".into() };
        let day = bistro_domain::jiff::civil::date(2026, 12, 4);
        fixtures::place(&repos.orders, &key, fixtures::new_order("lambda-test", day)).await.unwrap();
    }
    let batch = live_support::stream_event(&aws, &table).await;
    let (stub, endpoint) = live_support::stub_server().await;

    let answer = invoke_posting_to("notifier", batch, &table, STACK, &endpoint).await;

    assert_eq!(answer, serde_json::json!({"batchItemFailures": []}));
    let delivered: Vec<u64> = stub.posts.lock().unwrap().iter().map(|(_, m)| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(delivered, [1, 2, 3, 4, 5], "the healthy board gets each event once, in order");
    let tries = stub.throttled.lock().unwrap().len();
    assert!((1..=3).contains(&tries), "{tries} posts to the throttled screen: one record's attempts, not five");
}

#[tokio::test]
async fn the_ws_binary_replays_a_thousand_missed_events_to_a_board_as_one_frame_per_order() {
    let table = seeded_table().await;
    let aws = bistro_store::aws::emulator_config(&moto::server().endpoint).await;
    let store = Arc::new(DynamoStore::new(bistro_store::engine::dynamodb::Client::new(&aws), table.clone()));
    let repos = Repos::new(store.clone());
    let slug = fixtures::slug("lambda-test");
    let admitted = bistro_realtime::connect::Admitted {
        restaurant: slug.clone(),
        subscription: bistro_store::repo::Subscription::Board,
        signed_in: None,
    };
    repos.connections.put(&bistro_realtime::connect::connection("board-1", admitted)).await.unwrap();
    // A busy evening: 25 orders placed (events 1 to 25), then 39 changes of each (26 to 1,000).
    fixtures::busy_evening(store.as_ref(), &repos, "lambda-test", 25, 1000).await.unwrap();
    let mut resume = event("ws-connect-without-token");
    resume["requestContext"]["routeKey"] = "$default".into();
    resume["requestContext"]["eventType"] = "MESSAGE".into();
    resume["requestContext"]["connectionId"] = "board-1".into();
    resume["body"] = r#"{"type":"resume","last_seq":0}"#.into();
    let (stub, endpoint) = live_support::stub_server().await;

    let answer = invoke_posting_to("ws", resume, &table, STACK, &endpoint).await;

    assert_eq!(answer["statusCode"], 200, "{answer}");
    let posts = stub.posts.lock().unwrap().clone();
    let (last, replayed) = posts.split_last().unwrap();
    assert_eq!(last.1["type"], "resumed", "{}", last.1);
    assert_eq!((last.1["last_seq"].as_u64(), last.1["sent"].as_u64()), (Some(1000), Some(25)));
    let mut numbers: Vec<u64> = replayed.iter().map(|(_, m)| m["seq"].as_u64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (976..=1000).collect::<Vec<_>>(), "each order once, under its last change");
}

/// The SSM client the tests set parameters with, as an operator's `bistro-keys` would.
async fn ssm() -> (aws_config::SdkConfig, aws_sdk_ssm::Client) {
    let aws = bistro_store::aws::emulator_config(&moto::server().endpoint).await;
    let client = aws_sdk_ssm::Client::new(&aws);
    (aws, client)
}

/// A fresh stack's signing key, rotated into moto's SSM and the table as `bistro-keys rotate` does.
async fn rotate(stack: &str, table: &str) -> bistro_api::signing::KeyRing {
    rotate_revoking(stack, table, false).await
}

/// The same, maybe with `--revoke-previous`.
async fn rotate_revoking(stack: &str, table: &str, revoke_previous: bool) -> bistro_api::signing::KeyRing {
    let (aws, client) = ssm().await;
    let store = DynamoStore::new(bistro_store::engine::dynamodb::Client::new(&aws), table.to_owned());
    let public = Repos::new(Arc::new(store)).signing_keys;
    let name = bistro_lambda::keys::signing_key_parameter(stack);
    bistro_lambda::keys::rotate(&client, &name, &public, 2_000_000_000, revoke_previous).await.unwrap()
}

#[tokio::test]
async fn a_token_signed_with_a_revoked_key_is_refused_by_a_lambda_verifier_within_thirty_seconds() {
    let (table, stack) = (seeded_table().await, moto::unique_name("revoke"));
    let leaked = rotate(&stack, &table).await;
    let token = bistro_api::auth::Auth::with_key_ring(&leaked)
        .unwrap()
        .issue(&fixtures::account("lambda-test", "owner@lambda.test", Role::Owner))
        .await
        .unwrap();
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let public = Arc::new(Repos::new(Arc::new(DynamoStore::new(client, table.clone()))).signing_keys);
    // As a Lambda function verifies (bistro_lambda::state, Tokens::Verify), on a clock the test moves.
    let (start, seconds) = (std::time::Instant::now(), Arc::new(std::sync::atomic::AtomicU64::new(0)));
    let elapsed = Arc::clone(&seconds);
    let clock = Arc::new(move || start + Duration::from_secs(elapsed.load(std::sync::atomic::Ordering::SeqCst)));
    let verifier = bistro_api::auth::Auth::from_sources(None, public).with_clock(clock);
    assert!(verifier.verify(&token).await.is_ok(), "valid before the revocation");

    let replacing = rotate_revoking(&stack, &table, true).await;
    seconds.store(29, std::sync::atomic::Ordering::SeqCst);
    let just_before = verifier.verify(&token).await;
    seconds.store(30, std::sync::atomic::Ordering::SeqCst);
    let at_thirty = verifier.verify(&token).await;

    assert!(just_before.is_ok(), "an instance re-reads the keys every 30 s, not on every request");
    assert!(at_thirty.is_err(), "the revoked key is refused");
    assert_ne!(replacing.current_kid(), leaked.current_kid());
    assert_eq!(replacing.kids().count(), 1, "the new ring keeps nothing of the leaked one");
}

/// An API Gateway event for `method path` with a JSON body and maybe a bearer token.
fn http_event(method: &str, path: &str, body: Option<Value>, token: Option<&str>) -> Value {
    let mut event = event("accounts-login-wrong-password");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    match body {
        Some(body) => event["body"] = body.to_string().into(),
        None => {
            event.as_object_mut().unwrap().remove("body");
        }
    }
    if let Some(token) = token {
        event["headers"]["authorization"] = format!("Bearer {token}").into();
    }
    event
}

/// Sign-up on `stack` then needs `code`, as `bistro-keys sign-up-code` sets it.
async fn set_sign_up_code(stack: &str, code: &str) {
    let (_, client) = ssm().await;
    let name = bistro_lambda::keys::sign_up_code_parameter(stack);
    bistro_lambda::keys::set_sign_up_code(&client, &name, Some(code)).await.unwrap();
}

fn sign_up(slug: &str, code: Option<&str>) -> Value {
    let mut body = serde_json::json!({
        "restaurant": fixtures::restaurant(slug),
        "owner": {"email": format!("owner@{slug}.test"), "name": "Owner", "password": "correct horse battery"},
    });
    if let Some(code) = code {
        body["sign_up_code"] = code.into();
    }
    http_event("POST", "/v1/restaurants", Some(body), None)
}

fn kid(token: &str) -> String {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
    serde_json::from_slice::<Value>(&header).unwrap()["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sign_up_on_lambda_is_closed_while_no_code_is_set() {
    let (table, stack) = (seeded_table().await, moto::unique_name("closed"));
    rotate(&stack, &table).await;
    let response = invoke_in("accounts", sign_up("closed-here", None), &table, &stack).await;
    assert_eq!(response["statusCode"], 403, "{response}");
    assert_eq!(body(&response)["code"], "sign_up_closed");
}

#[tokio::test]
async fn sign_up_on_lambda_without_the_code_is_refused_where_one_is_set() {
    let (table, stack) = (seeded_table().await, moto::unique_name("coded"));
    rotate(&stack, &table).await;
    set_sign_up_code(&stack, "a long opening code").await;

    let without = invoke_in("accounts", sign_up("no-code", None), &table, &stack).await;
    let wrong = invoke_in("accounts", sign_up("wrong-code", Some("a guess")), &table, &stack).await;

    assert_eq!((without["statusCode"].as_u64(), wrong["statusCode"].as_u64()), (Some(403), Some(403)), "{without}");
    assert_eq!(body(&without)["code"], "sign_up_code_invalid");
}

#[tokio::test]
async fn the_accounts_function_signs_with_the_key_in_ssm_and_the_others_verify_with_the_public_half() {
    let (table, stack) = (seeded_table().await, moto::unique_name("signed"));
    let ring = rotate(&stack, &table).await;
    set_sign_up_code(&stack, "a long opening code").await;

    let signed_up = invoke_in("accounts", sign_up("signed", Some("a long opening code")), &table, &stack).await;
    assert_eq!(signed_up["statusCode"], 201, "{signed_up}");
    let token = body(&signed_up)["session"]["token"].as_str().unwrap().to_owned();
    assert_eq!(kid(&token), ring.current_kid());

    let orders = http_event("GET", "/v1/restaurants/signed/orders", None, Some(&token));
    let listed = invoke_in("orders", orders, &table, &stack).await;
    assert_eq!(listed["statusCode"], 200, "{listed}");
}

#[tokio::test]
async fn a_token_signed_before_a_rotation_still_verifies_on_lambda_and_new_logins_use_the_new_key() {
    let (table, stack) = (seeded_table().await, moto::unique_name("rotated"));
    let first = rotate(&stack, &table).await;
    set_sign_up_code(&stack, "a long opening code").await;
    let signed_up = invoke_in("accounts", sign_up("rotated", Some("a long opening code")), &table, &stack).await;
    let old = body(&signed_up)["session"]["token"].as_str().unwrap().to_owned();

    let second = rotate(&stack, &table).await;
    assert_ne!(second.current_kid(), first.current_kid());

    let orders = http_event("GET", "/v1/restaurants/rotated/orders", None, Some(&old));
    assert_eq!(invoke_in("orders", orders, &table, &stack).await["statusCode"], 200);
    let login = http_event(
        "POST",
        "/v1/restaurants/rotated/login",
        Some(serde_json::json!({"email": "owner@rotated.test", "password": "correct horse battery"})),
        None,
    );
    let logged_in = invoke_in("accounts", login, &table, &stack).await;
    assert_eq!(logged_in["statusCode"], 200, "{logged_in}");
    assert_eq!(kid(body(&logged_in)["token"].as_str().unwrap()), second.current_kid());
}

#[tokio::test]
async fn rotations_at_the_same_time_leave_every_key_ssm_signs_with_in_the_published_set() {
    let (table, stack) = (seeded_table().await, moto::unique_name("racing"));
    rotate(&stack, &table).await;

    let rings = tokio::join!(rotate(&stack, &table), rotate(&stack, &table), rotate(&stack, &table));

    let (_, client) = ssm().await;
    let name = bistro_lambda::keys::signing_key_parameter(&stack);
    let held = bistro_lambda::keys::SsmKeyRing { client, name };
    let held = bistro_api::signing::KeySource::key_ring(&held).await.unwrap().expect("a ring in SSM");
    let store = DynamoStore::new(bistro_store::engine::dynamodb::Client::new(&ssm().await.0), table.clone());
    let published = Repos::new(Arc::new(store)).signing_keys.public().await.unwrap().expect("a published set");
    let published = bistro_api::signing::PublicKeys::parse(&published).unwrap();
    let published: Vec<&str> = published.kids().collect();
    for kid in held.kids() {
        assert!(published.contains(&kid), "SSM's key {kid} is not among the published {published:?}");
    }
    for ring in [rings.0, rings.1, rings.2] {
        assert!(published.contains(&ring.current_kid()), "every rotation's new key stays verifiable");
    }
}

/// A Stripe webhook delivery as API Gateway hands it to the payments function.
fn stripe_delivery(body: &str, signature: &str) -> Value {
    let mut request = event("any-health");
    request["rawPath"] = "/v1/payments/stripe/events".into();
    request["requestContext"]["http"]["path"] = "/v1/payments/stripe/events".into();
    request["requestContext"]["http"]["method"] = "POST".into();
    request["headers"]["content-type"] = "application/json".into();
    request["headers"]["stripe-signature"] = signature.into();
    request["body"] = body.into();
    request
}

#[tokio::test]
async fn the_payments_function_reads_its_webhook_secret_from_ssm_and_refuses_a_forged_delivery() {
    let (table, stack) = (seeded_table().await, moto::unique_name("stripe"));
    let (_, client) = ssm().await;
    for (name, value) in [("stripe-key", "sk_test_lambda"), ("stripe-webhook-secret", "whsec_lambda")] {
        let put = client.put_parameter().name(format!("/bistro/{stack}/{name}")).value(value);
        put.r#type(aws_sdk_ssm::types::ParameterType::SecureString).send().await.unwrap();
    }
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    let delivery = format!(
        r#"{{"id":"evt_lambda","object":"event","type":"customer.created","created":{now},"data":{{"object":{{}}}}}}"#
    );
    let genuine = bistro_payments::webhook::sign("whsec_lambda", now, delivery.as_bytes());
    let forged = bistro_payments::webhook::sign("whsec_guessed", now, delivery.as_bytes());

    let accepted = invoke_in("payments", stripe_delivery(&delivery, &genuine), &table, &stack).await;
    let refused = invoke_in("payments", stripe_delivery(&delivery, &forged), &table, &stack).await;

    assert_eq!(accepted["statusCode"], 200, "{accepted}");
    assert_eq!(body(&accepted)["handled"], false, "an event Bistro has no use for");
    assert_eq!(refused["statusCode"], 400, "{refused}");
    assert_eq!(body(&refused)["code"], "invalid_signature");
}
