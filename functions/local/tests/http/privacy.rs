//! An owner erases a guest's personal data of one order or booking, ahead of the retention period.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

/// A delivery order by Ada with a phone, in a fresh restaurant; returns the owner's token and the
/// placed order (with its guest token).
async fn delivery(app: &TestApp, slug: &str) -> (String, Value) {
    let owner = app.restaurant_with_pizza(slug).await;
    let cart = app.cart_with_pizza(slug, 2).await;
    let body = json!({"cart": cart, "kind": {"type": "delivery", "address": "Via Roma 1"},
                      "customer": {"name": "Ada", "phone": "+39 06 1234"}});
    let placed = app
        .request(Method::POST, &format!("/v1/restaurants/{slug}/orders"), None)
        .header("Idempotency-Key", "erase-me")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    (owner, json_of(placed).await)
}

async fn cancel(app: &TestApp, slug: &str, placed: &Value) {
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());
    let path = format!("/v1/restaurants/{slug}/orders/{id}/cancel?token={token}");
    assert_eq!(app.request(Method::POST, &path, None).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn an_owner_erases_a_finished_orders_guest_and_its_lines_and_totals_stay() {
    let app = spawn_app().await;
    let (owner, placed) = delivery(&app, "forget").await;
    cancel(&app, "forget", &placed).await;
    let id = placed["order"]["id"].as_str().unwrap();

    let erased =
        app.request(Method::POST, &format!("/v1/restaurants/forget/orders/{id}/erase"), Some(&owner)).send().await;

    assert_eq!(erased.as_ref().unwrap().status(), StatusCode::OK);
    let stored = json_of(app.get(&format!("/v1/restaurants/forget/orders/{id}"), Some(&owner)).await).await;
    assert_eq!(stored["customer"], Value::Null);
    assert_eq!(stored["kind"], json!({"type": "delivery", "address": null}));
    assert!(stored["erased_at"].is_string());
    assert_eq!(stored["lines"], placed["order"]["lines"]);
    assert_eq!(stored["totals"], placed["order"]["totals"]);
    assert!(!stored.to_string().contains("Ada") && !stored.to_string().contains("1234"), "{stored}");
}

#[tokio::test]
async fn an_order_still_on_its_way_is_not_erased() {
    let app = spawn_app().await;
    let (owner, placed) = delivery(&app, "open").await;
    let id = placed["order"]["id"].as_str().unwrap();

    let refused =
        app.request(Method::POST, &format!("/v1/restaurants/open/orders/{id}/erase"), Some(&owner)).send().await;

    assert_problem(refused.unwrap(), StatusCode::CONFLICT, "not_finished").await;
    let stored = json_of(app.get(&format!("/v1/restaurants/open/orders/{id}"), Some(&owner)).await).await;
    assert_eq!(stored["customer"]["name"], "Ada");
}

#[tokio::test]
async fn only_the_owner_may_erase_an_order() {
    let app = spawn_app().await;
    let (owner, placed) = delivery(&app, "mine").await;
    cancel(&app, "mine", &placed).await;
    let (manager, _) = app.hire("mine", &owner, "manager").await;
    let id = placed["order"]["id"].as_str().unwrap();

    let refused =
        app.request(Method::POST, &format!("/v1/restaurants/mine/orders/{id}/erase"), Some(&manager)).send().await;

    assert_problem(refused.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn an_owner_erases_a_cancelled_bookings_guest_and_note() {
    let app = spawn_app().await;
    let owner = app.sign_up("tables").await;
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let slots =
        json_of(app.get(&format!("/v1/restaurants/tables/reservations/slots?date={tomorrow}&party=2"), None).await)
            .await;
    let booking = json!({"starts_at": slots["slots"][36]["starts_at"], "party": 2,
                         "contact": {"name": "Grace", "phone": "+49 30 5555", "email": "grace@example.com"},
                         "note": "my birthday"});
    let booked = app
        .request(Method::POST, "/v1/restaurants/tables/reservations", None)
        .header("Idempotency-Key", "b")
        .json(&booking)
        .send()
        .await
        .unwrap();
    let booked = json_of(booked).await;
    let (id, token) = (booked["reservation"]["id"].as_str().unwrap(), booked["token"].as_str().unwrap());
    let erase = format!("/v1/restaurants/tables/reservations/{id}/erase");
    let too_early = app.request(Method::POST, &erase, Some(&owner)).send().await.unwrap();
    let cancel = format!("/v1/restaurants/tables/reservations/{id}/cancel?token={token}");
    assert_eq!(app.request(Method::POST, &cancel, None).send().await.unwrap().status(), StatusCode::OK);

    let erased = json_of(app.request(Method::POST, &erase, Some(&owner)).send().await.unwrap()).await;

    assert_problem(too_early, StatusCode::CONFLICT, "not_finished").await;
    assert_eq!((&erased["contact"], &erased["note"]), (&Value::Null, &Value::Null));
    assert_eq!(erased["party"], 2);
}
