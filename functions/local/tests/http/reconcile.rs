//! The hourly reconciliation against the fake Stripe: a confirmation or a lapse Stripe never
//! delivered is handled late, money taken for no order is let go and reported to the owner, and
//! an order recorded as paid whose money Stripe let go is reported; a second run repeats nothing.

use bistro_payments::fake::{Delivery, FakeStripe};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, json_of, spawn_paying_app};
use crate::payments::{checkout, order_seen, paying_restaurant};

async fn reconcile(app: &TestApp) -> bistro_api::reconcile::Reconciled {
    let state = app.state.as_ref().expect("a paying app's state");
    bistro_api::reconcile::reconcile(state, bistro_domain::jiff::Timestamp::now()).await.expect("reconciled")
}

async fn problems(app: &TestApp, slug: &str, owner: &str) -> Vec<Value> {
    let view = json_of(app.get(&format!("/v1/restaurants/{slug}/payments"), Some(owner)).await).await;
    view["problems"].as_array().unwrap().clone()
}

/// The restaurant's connected account, as the checkout it opened named it.
fn account_of(fake: &FakeStripe) -> String {
    let sent = fake.requests().into_iter().find(|r| r["path"] == "/v1/checkout/sessions").expect("a checkout opened");
    sent["account"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_paid_order_whose_webhook_was_lost_is_placed_by_the_next_reconciliation_once() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "lost").await;
    let (placed, session) = checkout(&app, "lost", "k").await;
    fake.deliver(Delivery::Lose);
    fake.pay(&session).await.expect("paid");
    assert_eq!(order_seen(&app, "lost", &placed).await.status(), StatusCode::NOT_FOUND, "the webhook was lost");

    let first = reconcile(&app).await;

    assert_eq!((first.sessions, first.mended, first.reported, first.failed), (1, 1, 0, 0));
    let seen = json_of(order_seen(&app, "lost", &placed).await).await;
    assert_eq!((seen["number"].as_u64(), seen["paid"]["state"].as_str()), (Some(1), Some("authorized")));
    assert_eq!(reconcile(&app).await.mended, 0, "a second run finds it placed");
    assert!(problems(&app, "lost", &owner).await.is_empty());
}

#[tokio::test]
async fn a_checkout_whose_lapse_was_lost_is_closed_by_the_reconciliation() {
    let (app, fake) = spawn_paying_app().await;
    paying_restaurant(&app, &fake, "lapsed").await;
    let (placed, session) = checkout(&app, "lapsed", "k").await;
    fake.deliver(Delivery::Lose);
    assert!(fake.lapse(&session).await);

    assert_eq!(reconcile(&app).await.mended, 1);

    let (id, token) = (placed["checkout"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let followed =
        json_of(app.get(&format!("/v1/restaurants/lapsed/orders/{id}/checkout?token={token}"), None).await).await;
    assert_eq!(followed["state"], "expired");
}

#[tokio::test]
async fn a_payment_without_an_order_is_let_go_and_reported_to_the_owner_once() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "stray").await;
    checkout(&app, "stray", "k").await;
    let account = account_of(&fake);
    let unknown = "0123456789abcdef0123456789abcdef";
    let stray = fake.open_session(&account, 1_250, json!({"checkout": unknown, "restaurant": "stray"}));
    fake.deliver(Delivery::Lose);
    fake.pay(&stray).await.expect("paid");

    let first = reconcile(&app).await;

    assert_eq!((first.reported, first.failed), (1, 0));
    let intent = fake.session(&stray).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    assert_eq!(fake.intent(&intent).unwrap()["status"], "canceled", "the guest is not charged for nothing");
    let found = problems(&app, "stray", &owner).await;
    assert_eq!(found.len(), 1);
    assert_eq!((found[0]["kind"].as_str(), found[0]["released"].as_bool()), (Some("paid_without_order"), Some(true)));
    assert_eq!(
        (found[0]["session"].as_str(), found[0]["amount"]["minor"].as_i64()),
        (Some(stray.as_str()), Some(1_250))
    );
    assert_eq!(reconcile(&app).await.reported, 0, "reported once");
    assert_eq!(problems(&app, "stray", &owner).await.len(), 1);
}

#[tokio::test]
async fn an_order_recorded_as_paid_whose_money_stripe_let_go_is_reported_with_its_number() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "unpaid").await;
    let (_, session) = checkout(&app, "unpaid", "k").await;
    fake.pay(&session).await.expect("paid");
    let intent = fake.session(&session).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    assert!(fake.let_go(&intent));

    assert_eq!(reconcile(&app).await.reported, 1);

    let found = problems(&app, "unpaid", &owner).await;
    assert_eq!((found[0]["kind"].as_str(), found[0]["number"].as_u64()), (Some("order_not_paid"), Some(1)));
    assert_eq!(found[0]["released"], false);
}

#[tokio::test]
async fn a_restaurants_own_payments_that_bistro_did_not_open_are_left_alone() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "own").await;
    checkout(&app, "own", "k").await;
    let account = account_of(&fake);
    let theirs = fake.open_session(&account, 5_000, json!({"invoice": "2026-117"}));
    fake.pay(&theirs).await.expect("paid");

    let done = reconcile(&app).await;

    assert_eq!((done.mended, done.reported), (0, 0));
    assert!(problems(&app, "own", &owner).await.is_empty());
    let intent = fake.session(&theirs).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    assert_eq!(fake.intent(&intent).unwrap()["status"], "requires_capture");
}
