//! The fake Stripe, held to Stripe's own Python library (PyPI `stripe` in the test command's
//! `.venv`): the library's client calls the fake and reads its answers, and the library's webhook
//! verifier accepts what the fake delivers. Were the fake to drift from what Stripe's code sends
//! and reads, these would fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::python;

use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use bistro_payments::fake::FakeStripe;
use serde_json::Value;

const KEY: &str = "sk_test_official";
const SECRET: &str = "whsec_official";

/// Runs `code` with Stripe's library configured for the fake at `base`; returns its JSON output.
fn stripe(base: &str, code: &str, args: &[&str]) -> Value {
    let prelude = format!(
        "import sys, json, time, stripe\nstripe.api_key = '{KEY}'\nstripe.api_base = '{base}'\nstripe.max_network_retries = 0\n"
    );
    let output =
        Command::new(python()).args(["-c", &format!("{prelude}{code}")]).args(args).output().expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

/// A webhook endpoint on loopback that keeps each delivery's body and signature.
async fn endpoint() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |headers: HeaderMap, body: String| async move {
            let signature = headers.get("stripe-signature").unwrap().to_str().unwrap().to_owned();
            kept.lock().unwrap().push((body, signature));
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

const OPEN_CHECKOUT: &str = r#"
acct = stripe.Account.create(type='standard', idempotency_key='acct-1')
again = stripe.Account.create(type='standard', idempotency_key='acct-1')
link = stripe.AccountLink.create(account=acct.id, refresh_url='http://127.0.0.1:1/r', return_url='http://127.0.0.1:1/r', type='account_onboarding')
session = stripe.checkout.Session.create(
    mode='payment',
    line_items=[{'price_data': {'currency': 'eur', 'unit_amount': 950, 'product_data': {'name': 'Pizza'}}, 'quantity': 2}],
    payment_intent_data={'capture_method': 'manual', 'application_fee_amount': 58},
    expires_at=int(time.time()) + 1860,
    success_url='http://127.0.0.1:1/ok', cancel_url='http://127.0.0.1:1/back',
    metadata={'checkout': 'c1', 'restaurant': 'roma'},
    stripe_account=acct.id, idempotency_key='cs-1')
print(json.dumps({'account': acct.id, 'same': again.id == acct.id, 'link': link.url, 'session': session.id,
                  'status': session.status, 'total': session.amount_total, 'url': session.url}))
"#;

#[tokio::test]
async fn stripes_library_opens_a_checkout_on_the_fake_and_verifies_its_webhook() {
    let fake = FakeStripe::start(KEY, SECRET).await.unwrap();
    let (url, received) = endpoint().await;
    fake.send_webhooks_to(&url);
    let base = fake.base.clone();

    let opened = tokio::task::spawn_blocking(move || stripe(&base, OPEN_CHECKOUT, &[])).await.unwrap();

    assert_eq!(opened["same"], true, "an idempotency key answers with the first account");
    assert_eq!((opened["status"].as_str(), opened["total"].as_i64()), (Some("open"), Some(1900)));
    fake.pay(opened["session"].as_str().unwrap()).await.expect("the session is open");
    let (body, signature) = received.lock().unwrap().pop().expect("a webhook was delivered");
    let verify = "e = stripe.Webhook.construct_event(sys.argv[1], sys.argv[2], sys.argv[3])\nprint(json.dumps({'type': e.type, 'account': e.account, 'intent': e.data.object.payment_intent, 'meta': e.data.object.metadata.to_dict()}))";
    let base = fake.base.clone();
    let event = tokio::task::spawn_blocking(move || stripe(&base, verify, &[&body, &signature, SECRET])).await.unwrap();
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["account"], opened["account"]);
    assert_eq!(event["meta"]["checkout"], "c1");

    let capture = "pi = stripe.PaymentIntent.capture(sys.argv[1], stripe_account=sys.argv[2], idempotency_key='cap-1')\nprint(json.dumps({'status': pi.status, 'fee': pi.application_fee_amount}))";
    let (base, intent, account) = (
        fake.base.clone(),
        event["intent"].as_str().unwrap().to_owned(),
        opened["account"].as_str().unwrap().to_owned(),
    );
    let captured = tokio::task::spawn_blocking(move || stripe(&base, capture, &[&intent, &account])).await.unwrap();
    assert_eq!(captured, serde_json::json!({"status": "succeeded", "fee": 58}));
}

#[tokio::test]
async fn stripes_library_reads_the_fakes_refusals_as_stripe_errors() {
    let fake = FakeStripe::start(KEY, SECRET).await.unwrap();
    let base = fake.base.clone();
    let refused = r#"
out = {}
try:
    stripe.checkout.Session.create(mode='payment', success_url='http://127.0.0.1:1/ok', expires_at=int(time.time()) + 60,
        line_items=[{'price_data': {'currency': 'eur', 'unit_amount': 1, 'product_data': {'name': 'x'}}, 'quantity': 1}])
except stripe.InvalidRequestError as e:
    out['short_expiry'] = e.http_status
stripe.api_key = 'sk_test_wrong'
try:
    stripe.Account.retrieve('acct_x')
except stripe.AuthenticationError as e:
    out['wrong_key'] = e.http_status
print(json.dumps(out))
"#;
    let said = tokio::task::spawn_blocking(move || stripe(&base, refused, &[])).await.unwrap();
    assert_eq!(said, serde_json::json!({"short_expiry": 400, "wrong_key": 401}));
}

/// The client's trust store is the root list Stripe ships with its own library.
#[test]
fn the_trust_store_is_stripes_own() {
    let said = stripe(
        "http://127.0.0.1:1",
        "import os\nprint(json.dumps(open(os.path.join(os.path.dirname(stripe.__file__), 'data', 'ca-certificates.crt')).read()))",
        &[],
    );
    let theirs: Vec<&str> = said.as_str().unwrap().split("-----BEGIN CERTIFICATE-----").skip(1).collect();
    let ours: Vec<&str> = bistro_payments::client::STRIPE_ROOTS.split("-----BEGIN CERTIFICATE-----").skip(1).collect();
    assert_eq!(ours.len(), 12);
    assert_eq!(ours, theirs);
}
