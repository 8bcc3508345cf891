//! After the payment, against the fake Stripe: a tip authorized and taken with the order, how
//! the guest paid on the receipt, and a refund in the books of the day it was made.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_paying_app};
use crate::payments::{ask_payment, checkout, order_seen, paying_restaurant, send_order};

/// Offers pickup guests a tip of 10 or 15 percent (and, with `any_amount`, one of their own).
async fn offer_tips(app: &TestApp, slug: &str, owner: &str, any_amount: bool) {
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"]["tips"] = json!({"pickup": true, "percents": [10, 15], "any_amount": any_amount});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

async fn order_with_tip(app: &TestApp, slug: &str, cart: &str, key: &str, tip: Value) -> reqwest::Response {
    let body =
        json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}, "pay": "online", "tip": tip});
    send_order(app, slug, key, &body).await
}

async fn accept(app: &TestApp, slug: &str, owner: &str, id: &str) {
    let path = format!("/v1/restaurants/{slug}/orders/{id}/transitions");
    let response = app.send(Method::POST, &path, Some(owner), &json!({"to": "accepted"})).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_tip_is_authorized_and_taken_with_the_order_and_the_receipt_says_how_the_guest_paid() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "tipped").await;
    offer_tips(&app, "tipped", &owner, false).await;
    let cart = app.cart_with_pizza("tipped", 1).await;

    let response = order_with_tip(&app, "tipped", &cart, "t1", json!({"percent": 10})).await;

    assert_eq!(response.status(), StatusCode::ACCEPTED, "{}", response.text().await.unwrap());
    let placed = json_of(response).await;
    assert_eq!(
        (placed["checkout"]["total"]["minor"].as_i64(), placed["checkout"]["tip"]["minor"].as_i64()),
        (Some(990), Some(90))
    );
    let session = placed["checkout"]["pay_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let opened = fake.session(&session).unwrap();
    assert_eq!(opened["amount_total"], 990);
    assert_eq!(opened["lines_shown"].as_array().unwrap().last().unwrap()["name"], "Tip");
    let sent = fake.requests().into_iter().find(|r| r["path"] == "/v1/checkout/sessions").unwrap();
    assert_eq!(sent["form"]["payment_intent_data[application_fee_amount]"], "44", "no fee on the tip");
    fake.pay(&session).await.expect("paid");
    let id = placed["checkout"]["id"].as_str().unwrap();
    accept(&app, "tipped", &owner, id).await;
    let intent = fake.session(&session).unwrap()["payment_intent"].as_str().unwrap().to_owned();
    let taken = fake.intent(&intent).unwrap();
    assert_eq!((taken["status"].as_str(), taken["amount_received"].as_i64()), (Some("succeeded"), Some(990)));
    let seen = json_of(order_seen(&app, "tipped", &placed).await).await;
    assert_eq!(
        (seen["paid"]["amount"]["minor"].as_i64(), seen["paid"]["tip"]["minor"].as_i64()),
        (Some(990), Some(90))
    );
    assert_eq!(seen["paid"]["state"], "captured");
    assert_eq!(seen["paid"]["method"], json!({"kind": "card", "brand": "visa", "last4": "4242"}));
}

#[tokio::test]
async fn a_tip_of_the_guests_own_where_only_shares_are_offered_is_refused_and_the_cart_is_kept() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "untipped").await;
    offer_tips(&app, "untipped", &owner, false).await;
    let cart = app.cart_with_pizza("untipped", 1).await;

    assert_problem(
        order_with_tip(&app, "untipped", &cart, "t1", json!({"amount": 100})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_tip",
    )
    .await;

    assert_eq!(
        order_with_tip(&app, "untipped", &cart, "t2", json!({"percent": 15})).await.status(),
        StatusCode::ACCEPTED,
        "15 % of 9.00"
    );
}

/// Today's report (its JSON and its CSV) as the owner downloads it.
async fn todays_report(app: &TestApp, slug: &str, owner: &str) -> (Value, String) {
    let path = format!("/v1/restaurants/{slug}/orders/report");
    let report = json_of(app.get(&path, Some(owner)).await).await;
    let csv = app.get(&format!("{path}?format=csv"), Some(owner)).await.text().await.unwrap();
    (report, csv)
}

#[tokio::test]
async fn a_partial_refund_is_in_the_books_of_the_day_it_was_made_with_the_fee_that_came_back() {
    let (app, fake) = spawn_paying_app().await;
    let owner = paying_restaurant(&app, &fake, "books").await;
    ask_payment(&app, "books", &owner, "either").await;
    let (placed, session) = checkout(&app, "books", "paid").await;
    fake.pay(&session).await.expect("paid");
    let id = placed["checkout"]["id"].as_str().unwrap();
    accept(&app, "books", &owner, id).await;
    let cart = app.cart_with_pizza("books", 2).await;
    let at_the_counter =
        json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Bo"}, "pay": "at_restaurant"});
    let there = app
        .request(Method::POST, "/v1/restaurants/books/orders", None)
        .header("idempotency-key", "there")
        .json(&at_the_counter)
        .send()
        .await
        .unwrap();
    assert_eq!(there.status(), StatusCode::CREATED);
    accept(&app, "books", &owner, json_of(there).await["order"]["id"].as_str().unwrap()).await;

    let path = format!("/v1/restaurants/books/orders/{id}/refunds");
    let body = json!({"amount": 300, "reason": "The pizza came cold"});
    let refunded = app
        .request(Method::POST, &path, Some(&owner))
        .header("idempotency-key", "r1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refunded.status(), StatusCode::OK);

    let (report, csv) = todays_report(&app, "books", &owner).await;
    let online = &report["sales"]["books"]["online"];
    assert_eq!((online["orders"].as_u64(), online["sales"]["minor"].as_i64()), (Some(1), Some(900)));
    assert_eq!((online["refund_count"].as_u64(), online["refunds"]["minor"].as_i64()), (Some(1), Some(300)));
    // 44 cents of fee, 15 of them back with a third of the payment.
    assert_eq!((online["fees"]["minor"].as_i64(), online["net"]["minor"].as_i64()), (Some(29), Some(900 - 300 - 29)));
    let there = &report["sales"]["books"]["at_restaurant"];
    assert_eq!(
        (there["orders"].as_u64(), there["sales"]["minor"].as_i64(), there["fees"]["minor"].as_i64()),
        (Some(1), Some(1800), Some(0))
    );
    let refund_row = csv.lines().find(|row| row.contains(",refund,")).expect(&csv);
    assert!(refund_row.contains(",-3.00,online,,,-0.15,"), "{refund_row}");
    let paid_row = csv.lines().find(|row| row.contains(",online,card visa 4242,")).expect(&csv);
    assert!(paid_row.contains(",9.00,online,card visa 4242,,0.44,"), "{paid_row}");
    let seen = json_of(order_seen(&app, "books", &placed).await).await;
    assert_eq!(seen["paid"]["refunds"][0]["amount"]["minor"], 300);
}
