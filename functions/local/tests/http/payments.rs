//! Paying online, against the fake Stripe: the owner connects the restaurant's account; a guest's
//! order paid online reaches the board, numbered, only when Stripe's webhook confirms it; the
//! kitchen's acceptance takes the money and a refusal lets it go; webhooks late, twice, out of
//! order or forged change nothing they should not.

use bistro_payments::fake::{Delivery, FakeStripe};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app, spawn_paying_app};
use crate::later::{open_from_this_hour, set_timing, slots, timing};

const EVENTS: &str = "/v1/payments/stripe/events";

/// Sets how the restaurant asks pickup and delivery to be paid, as the manage page saves it.
pub(crate) async fn ask_payment(app: &TestApp, slug: &str, owner: &str, choice: &str) {
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"]["payment"] = json!({"pickup": choice, "delivery": choice});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

/// The owner connects the restaurant's account: returns its id (not yet able to take payments).
pub(crate) async fn connect(app: &TestApp, slug: &str, owner: &str) -> String {
    let path = format!("/v1/restaurants/{slug}/payments/connect");
    let response = app.request(Method::POST, &path, Some(owner)).header("origin", &app.base).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let view = json_of(response).await;
    assert_eq!(view["state"], "pending");
    let link = view["continue_url"].as_str().unwrap();
    link.split("/connect/").nth(1).unwrap().split('?').next().unwrap().to_owned()
}

/// A restaurant with a pizza whose owner asks for payment online and whose account is ready.
pub(crate) async fn paying_restaurant(app: &TestApp, fake: &FakeStripe, slug: &str) -> String {
    let owner = app.restaurant_with_pizza(slug).await;
    ask_payment(app, slug, &owner, "online").await;
    let account = connect(app, slug, &owner).await;
    assert!(fake.finish_onboarding(&account).await);
    owner
}

pub(crate) async fn order_online(app: &TestApp, slug: &str, cart: &str, key: &str, at: Option<&Value>) -> Response {
    let mut body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}, "pay": "online"});
    if let Some(at) = at {
        body["at"] = at.clone();
    }
    send_order(app, slug, key, &body).await
}

/// Places an order as the guest's page does (its Origin is where Stripe sends the guest back).
pub(crate) async fn send_order(app: &TestApp, slug: &str, key: &str, body: &Value) -> Response {
    app.request(Method::POST, &format!("/v1/restaurants/{slug}/orders"), None)
        .header("idempotency-key", key)
        .header("origin", &app.base)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Opens a checkout for one pizza: (its body, the Stripe session to pay on).
pub(crate) async fn checkout(app: &TestApp, slug: &str, key: &str) -> (Value, String) {
    let cart = app.cart_with_pizza(slug, 1).await;
    let response = order_online(app, slug, &cart, key, None).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED, "{}", response.text().await.unwrap());
    let body = json_of(response).await;
    let session = body["checkout"]["pay_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    (body, session)
}

async fn board(app: &TestApp, slug: &str, owner: &str) -> Vec<Value> {
    let listed = json_of(app.get(&format!("/v1/restaurants/{slug}/orders"), Some(owner)).await).await;
    listed["orders"].as_array().unwrap().clone()
}

async fn followed(app: &TestApp, slug: &str, placed: &Value) -> Value {
    let (id, token) = (placed["checkout"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    json_of(app.get(&format!("/v1/restaurants/{slug}/orders/{id}/checkout?token={token}"), None).await).await
}

pub(crate) async fn order_seen(app: &TestApp, slug: &str, placed: &Value) -> Response {
    let (id, token) = (placed["checkout"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    app.get(&format!("/v1/restaurants/{slug}/orders/{id}?token={token}"), None).await
}

#[tokio::test]
async fn a_pickup_paid_online_reaches_the_board_numbered_only_when_stripe_confirms_it() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "paid").await;

    let (placed, session) = checkout(&app, "paid", "k1").await;

    assert_eq!(placed["checkout"]["state"], "open");
    assert!(board(&app, "paid", &owner).await.is_empty(), "nothing on the board before the payment");
    assert_eq!(order_seen(&app, "paid", &placed).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(followed(&app, "paid", &placed).await["state"], "open");

    fake.pay(&session).await.expect("paid");

    assert_eq!(followed(&app, "paid", &placed).await["state"], "paid");
    let orders = board(&app, "paid", &owner).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["number"], 1, "the first order of the day: no number was taken before");
    assert_eq!(orders[0]["paid"]["state"], "authorized");
    let seen = json_of(order_seen(&app, "paid", &placed).await).await;
    assert_eq!(seen["paid"]["amount"]["minor"], 900);
}

#[tokio::test]
async fn the_platform_fee_and_manual_capture_are_on_every_payment_made_on_the_restaurants_account() {
    let (app, fake) = spawn_paying_app().await;
    paying_restaurant(&app, &fake, "fees").await;
    for key in ["a", "b"] {
        checkout(&app, "fees", key).await;
    }
    let sessions: Vec<Value> = fake.requests().into_iter().filter(|r| r["path"] == "/v1/checkout/sessions").collect();
    assert_eq!(sessions.len(), 2);
    for session in sessions {
        // 30 cents and 1.5 % of 9.00 € (13.5, rounded half up to 14).
        assert_eq!(session["form"]["payment_intent_data[application_fee_amount]"], "44");
        assert_eq!(session["form"]["payment_intent_data[capture_method]"], "manual");
        assert!(session["account"].as_str().is_some_and(|a| a.starts_with("acct_")), "{session}");
        assert!(session["idempotency_key"].as_str().is_some_and(|k| !k.is_empty()), "{session}");
    }
}

#[tokio::test]
async fn accepting_a_paid_order_captures_the_payment_and_rejecting_one_releases_it() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "settle").await;
    let mut intents = Vec::new();
    for (key, to) in [("keep", "accepted"), ("refuse", "rejected")] {
        let (placed, session) = checkout(&app, "settle", key).await;
        fake.pay(&session).await.expect("paid");
        let id = placed["checkout"]["id"].as_str().unwrap();
        let path = format!("/v1/restaurants/settle/orders/{id}/transitions");
        let response = app.send(Method::POST, &path, Some(&owner), &json!({"to": to})).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        let moved = json_of(response).await;
        intents.push((moved["paid"]["state"].clone(), fake.session(&session).unwrap()["payment_intent"].clone()));
    }
    let [(captured, kept), (released, refused)] = intents.try_into().unwrap();
    assert_eq!(captured, "captured");
    assert_eq!(fake.intent(kept.as_str().unwrap()).unwrap()["status"], "succeeded");
    assert_eq!(released, "released");
    assert_eq!(fake.intent(refused.as_str().unwrap()).unwrap()["status"], "canceled");
}

#[tokio::test]
async fn a_guest_who_cancels_a_paid_order_before_it_is_accepted_has_the_payment_released() {
    let (app, fake) = spawn_paying_app().await;
    paying_restaurant(&app, &fake, "changed").await;
    let (placed, session) = checkout(&app, "changed", "k").await;
    fake.pay(&session).await.expect("paid");
    let (id, token) = (placed["checkout"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());

    let response = app
        .request(Method::POST, &format!("/v1/restaurants/changed/orders/{id}/cancel?token={token}"), None)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let intent = fake.session(&session).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    assert_eq!(fake.intent(&intent).unwrap()["status"], "canceled");
}

#[tokio::test]
async fn duplicated_late_and_out_of_order_webhooks_change_nothing_twice() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "twice").await;
    let (placed, session) = checkout(&app, "twice", "first").await;

    fake.deliver(Delivery::Twice);
    fake.pay(&session).await.expect("paid");
    // Late and out of order: a second checkout's payment, then a third's lapse, held and then
    // delivered newest first.
    fake.deliver(Delivery::Hold);
    let (second, second_session) = checkout(&app, "twice", "second").await;
    fake.pay(&second_session).await.expect("paid");
    let (third, third_session) = checkout(&app, "twice", "third").await;
    assert!(fake.lapse(&third_session).await);
    assert_eq!(followed(&app, "twice", &second).await["state"], "open", "held: not confirmed yet");
    fake.release().await;
    // And Stripe retrying every delivery once more, later.
    fake.redeliver().await;

    let orders = board(&app, "twice", &owner).await;
    let numbers: Vec<&Value> = orders.iter().map(|o| &o["number"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2)], "one order per payment, numbered in turn");
    assert_eq!(followed(&app, "twice", &placed).await["state"], "paid");
    assert_eq!(followed(&app, "twice", &second).await["state"], "paid");
    assert_eq!(followed(&app, "twice", &third).await["state"], "expired");
}

#[tokio::test]
async fn a_forged_or_stale_signature_is_refused_and_changes_nothing() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "forged").await;
    let (placed, session) = checkout(&app, "forged", "k").await;
    let id = placed["checkout"]["id"].as_str().unwrap();
    let event = json!({"id": "evt_forged", "object": "event", "type": "checkout.session.completed", "created": 1,
        "account": "acct_x", "data": {"object": {"id": session, "status": "complete", "payment_intent": "pi_forged",
        "metadata": {"checkout": id, "restaurant": "forged"}}}})
    .to_string();
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    let forged = bistro_payments::webhook::sign("whsec_guessed", now, event.as_bytes());
    let stale = bistro_payments::webhook::sign("whsec_guessed", now - 3600, event.as_bytes());

    for signature in [Some(forged), Some(stale), None] {
        let mut request = app.request(Method::POST, EVENTS, None).header("content-type", "application/json");
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        assert_problem(request.body(event.clone()).send().await.unwrap(), StatusCode::BAD_REQUEST, "invalid_signature")
            .await;
    }
    assert!(board(&app, "forged", &owner).await.is_empty());
    assert_eq!(followed(&app, "forged", &placed).await["state"], "open");
}

#[tokio::test]
async fn an_abandoned_checkout_leaves_no_order_takes_no_number_and_frees_its_later_slot() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "lapsed").await;
    set_timing(&app, "lapsed", &owner, timing(20, 1), Some(open_from_this_hour())).await;
    let slot = slots(&app, "lapsed").await["slots"][2]["at"].clone();
    let cart = app.cart_with_pizza("lapsed", 1).await;
    let placed = json_of(order_online(&app, "lapsed", &cart, "k", Some(&slot)).await).await;
    let session = placed["checkout"]["pay_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let full = |offered: &Value| {
        offered["slots"].as_array().unwrap().iter().find(|s| s["at"] == slot).unwrap()["full"].clone()
    };
    assert_eq!(full(&slots(&app, "lapsed").await), true, "the slot is held while the guest pays");

    assert!(fake.lapse(&session).await);

    assert_eq!(followed(&app, "lapsed", &placed).await["state"], "expired");
    assert_eq!(full(&slots(&app, "lapsed").await), false, "the slot is free again");
    assert!(board(&app, "lapsed", &owner).await.is_empty());
    let (next, next_session) = checkout(&app, "lapsed", "next").await;
    fake.pay(&next_session).await.expect("paid");
    assert_eq!(board(&app, "lapsed", &owner).await[0]["number"], 1, "the lapsed checkout took no number");
    assert_eq!(followed(&app, "lapsed", &next).await["state"], "paid");
}

#[tokio::test]
async fn a_dish_sold_out_while_the_guest_paid_releases_the_payment_and_the_guest_is_told() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "soldout").await;
    let (placed, session) = checkout(&app, "soldout", "k").await;
    let item = json_of(app.get("/v1/restaurants/soldout/menu/items/pizza", None).await).await;
    let body = json!({"sold_out": true, "version": item["version"]});
    let response =
        app.send(Method::PUT, "/v1/restaurants/soldout/menu/items/pizza/sold-out", Some(&owner), &body).await;
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());

    fake.pay(&session).await.expect("paid");

    let seen = followed(&app, "soldout", &placed).await;
    assert_eq!((&seen["state"], &seen["reason"]), (&json!("not_served"), &json!("sold_out")));
    let intent = fake.session(&session).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    assert_eq!(fake.intent(&intent).unwrap()["status"], "canceled");
    assert!(board(&app, "soldout", &owner).await.is_empty());
}

#[tokio::test]
async fn a_restaurant_whose_account_is_not_ready_offers_only_paying_at_the_restaurant() {
    let (app, _fake) = spawn_paying_app().await;
    let owner = app.restaurant_with_pizza("pending").await;
    ask_payment(&app, "pending", &owner, "online").await;
    connect(&app, "pending", &owner).await;
    let menu = json_of(app.get("/menus/pending.json", None).await).await;
    assert_eq!(menu["restaurant"]["pay"]["pickup"], json!({"online": false, "at_restaurant": true}), "{menu}");

    let cart = app.cart_with_pizza("pending", 1).await;
    assert_problem(
        order_online(&app, "pending", &cart, "k", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "online_payment_unavailable",
    )
    .await;
    let placed = app.place("pending", &cart, "k2").await;
    assert_eq!(placed.status(), StatusCode::CREATED, "paid at the restaurant, placed at once");
}

#[tokio::test]
async fn an_older_word_about_the_account_arriving_late_does_not_undo_a_newer_one() {
    let (app, fake) = spawn_paying_app().await;
    let owner = app.restaurant_with_pizza("word").await;
    let account = connect(&app, "word", &owner).await;
    fake.deliver(Delivery::Hold);
    assert!(fake.restrict(&account).await);
    // Stripe's events tell their time in whole seconds: the next word is a second newer.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert!(fake.finish_onboarding(&account).await);

    fake.release().await; // newest first: ready, then the older "pending"

    let seen = json_of(app.get("/v1/restaurants/word/payments", Some(&owner)).await).await;
    assert_eq!(seen["state"], "ready");
}

#[tokio::test]
async fn the_owner_back_from_stripe_sees_the_account_as_stripe_says_it_is_now() {
    let (app, fake) = spawn_paying_app().await;
    let owner = app.restaurant_with_pizza("back").await;
    let account = connect(&app, "back", &owner).await;
    fake.deliver(Delivery::Hold); // the webhook has not come yet
    assert!(fake.finish_onboarding(&account).await);

    let refreshed =
        app.request(Method::POST, "/v1/restaurants/back/payments/refresh", Some(&owner)).send().await.unwrap();

    assert_eq!(json_of(refreshed).await["state"], "ready");
    let menu = json_of(app.get("/menus/back.json", None).await).await;
    assert_eq!(menu["restaurant"]["pay"]["pickup"]["online"], false, "the owner has not asked for online payment");
}

#[tokio::test]
async fn a_deployment_without_payments_refuses_connecting_and_takes_orders_paid_at_the_restaurant() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("cash").await;
    let response =
        app.request(Method::POST, "/v1/restaurants/cash/payments/connect", Some(&owner)).send().await.unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "payments_not_available").await;
    let response = app.request(Method::POST, EVENTS, None).body("{}").send().await.unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "payments_not_available").await;
}

#[tokio::test]
async fn stripes_webhooks_are_not_held_to_the_limit_per_address_meant_for_guests() {
    let app = crate::harness::spawn_app_with(|config| config.rate_limit = 1).await;
    for _ in 0..6 {
        let response = app.request(Method::POST, EVENTS, None).body("{}").send().await.unwrap();
        assert_problem(response, StatusCode::FORBIDDEN, "payments_not_available").await;
    }
    let guest = [app.get("/health", None).await.status(), app.get("/v1/restaurants/x", None).await.status()];
    let limited = (0..6).map(|_| app.get("/v1/restaurants/x", None));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(limited).await.iter().map(|r| r.status()).collect();
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "a guest is still limited: {guest:?} {statuses:?}");
}

#[tokio::test]
async fn a_restaurant_asks_payment_online_for_delivery_and_at_the_table_for_dine_in_and_gets_exactly_that() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "ways").await;
    let mut current = json_of(app.get("/v1/restaurants/ways", None).await).await;
    current["restaurant"]["payment"] = json!({"dine_in": "at_restaurant", "pickup": "either", "delivery": "online"});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    assert_eq!(app.send(Method::PUT, "/v1/restaurants/ways", Some(&owner), &update).await.status(), StatusCode::OK);
    let menu = json_of(app.get("/menus/ways.json", None).await).await;
    let way = |kind: &str| menu["restaurant"]["pay"][kind].clone();
    assert_eq!(way("dine_in"), json!({"online": false, "at_restaurant": true}));
    assert_eq!(way("pickup"), json!({"online": true, "at_restaurant": true}));
    assert_eq!(way("delivery"), json!({"online": true, "at_restaurant": false}));

    let order = |kind: Value, pay: Option<&'static str>, key: &'static str| {
        let app = &app;
        async move {
            let cart = app.cart_with_pizza("ways", 1).await;
            let mut body = json!({"cart": cart, "kind": kind, "customer": {"name": "Ada", "phone": "+49 30 1234"}});
            if let Some(pay) = pay {
                body["pay"] = json!(pay);
            }
            let request = app.request(Method::POST, "/v1/restaurants/ways/orders", None).header("idempotency-key", key);
            request.header("origin", &app.base).json(&body).send().await.unwrap()
        }
    };
    let delivery = json!({"type": "delivery", "address": "Hauptstr. 1, Berlin"});
    assert_eq!(order(delivery.clone(), None, "d1").await.status(), StatusCode::ACCEPTED, "delivery: paid online");
    assert_problem(
        order(delivery, Some("at_restaurant"), "d2").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "online_payment_required",
    )
    .await;
    let table = json!({"type": "dine_in", "table": "2"});
    assert_eq!(order(table.clone(), None, "t1").await.status(), StatusCode::CREATED, "a table pays at the table");
    assert_problem(
        order(table, Some("online"), "t2").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "online_payment_unavailable",
    )
    .await;
    assert_eq!(order(json!({"type": "pickup"}), Some("at_restaurant"), "p1").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_owner_refunds_part_of_a_taken_order_with_the_platform_fee_in_proportion_and_the_guest_sees_it() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "refunds").await;
    let (placed, session) = checkout(&app, "refunds", "k").await;
    fake.pay(&session).await.expect("paid");
    let id = placed["checkout"]["id"].as_str().unwrap();
    let refund = |amount: i64, key: &'static str| {
        let (app, path) = (&app, format!("/v1/restaurants/refunds/orders/{id}/refunds"));
        let owner = owner.clone();
        async move {
            let body = json!({"amount": amount, "reason": "The pizza came cold"});
            app.request(Method::POST, &path, Some(&owner))
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_problem(refund(300, "early").await, StatusCode::CONFLICT, "not_refundable").await;
    let path = format!("/v1/restaurants/refunds/orders/{id}/transitions");
    assert_eq!(app.send(Method::POST, &path, Some(&owner), &json!({"to": "accepted"})).await.status(), StatusCode::OK);

    let refunded = refund(300, "r1").await;

    assert_eq!(refunded.status(), StatusCode::OK);
    let intent = fake.session(&session).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    let taken = fake.intent(&intent).unwrap();
    // 44 cents of fee on 9.00 €: a third of it back with a third of the payment (14.67, rounded).
    assert_eq!((taken["amount_refunded"].as_i64(), taken["application_fee_refunded"].as_i64()), (Some(300), Some(15)));
    let seen = json_of(order_seen(&app, "refunds", &placed).await).await;
    assert_eq!(seen["paid"]["refunds"][0]["amount"]["minor"], 300);
    assert_eq!(seen["paid"]["refunds"][0]["reason"], "The pizza came cold");
    assert_problem(refund(601, "r2").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_refund_amount").await;
    assert_eq!(refund(600, "r3").await.status(), StatusCode::OK, "the rest");
    assert_eq!(fake.intent(&intent).unwrap()["amount_refunded"], 900);
}
