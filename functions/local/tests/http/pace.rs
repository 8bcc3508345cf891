//! The pace from the board: a pause of new orders, and a busy delay on what new orders are
//! promised.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

async fn set_pace(app: &TestApp, token: &str, pace: &Value) -> reqwest::Response {
    app.send(Method::PUT, "/v1/restaurants/pass/pace", Some(token), pace).await
}

fn promised(placed: &Value) -> bistro_domain::jiff::Timestamp {
    placed["order"]["promise"]["at"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_pause_from_the_board_refuses_new_orders_until_resumed() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;
    let (cook, _) = app.hire("pass", &owner, "staff").await;
    let cart = app.cart_with_pizza("pass", 1).await;

    assert_eq!(set_pace(&app, &cook, &json!({"pause": {}})).await.status(), StatusCode::OK);
    let paused = app.place("pass", &cart, "p1").await;
    let restaurant = json_of(app.get("/v1/restaurants/pass", None).await).await;
    assert_eq!(set_pace(&app, &cook, &json!({})).await.status(), StatusCode::OK);
    let resumed = app.place("pass", &cart, "p2").await;

    assert_problem(paused, StatusCode::UNPROCESSABLE_ENTITY, "ordering_paused").await;
    assert_eq!(restaurant["restaurant"]["pace"]["pause"], json!({}), "guests' pages can say so");
    assert_eq!(resumed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_pause_refuses_an_order_for_a_later_slot_too() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;
    let cart = app.cart_with_pizza("pass", 1).await;
    let later = bistro_domain::jiff::Timestamp::now() + bistro_domain::jiff::SignedDuration::from_hours(3);

    assert_eq!(set_pace(&app, &owner, &json!({"pause": {}})).await.status(), StatusCode::OK);
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}, "at": later});
    let ahead = app.post_keyed("/v1/restaurants/pass/orders", "ahead", &body).await;

    assert_problem(ahead, StatusCode::UNPROCESSABLE_ENTITY, "ordering_paused").await;
}

#[tokio::test]
async fn a_pause_until_a_time_is_over_at_that_time() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;
    let cart = app.cart_with_pizza("pass", 1).await;
    let past = bistro_domain::jiff::Timestamp::now() - bistro_domain::jiff::SignedDuration::from_mins(1);

    assert_eq!(set_pace(&app, &owner, &json!({"pause": {"until": past}})).await.status(), StatusCode::OK);

    assert_eq!(app.place("pass", &cart, "late").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_busy_delay_moves_the_promises_of_new_orders_only() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;
    let (first_cart, second_cart) = (app.cart_with_pizza("pass", 1).await, app.cart_with_pizza("pass", 1).await);
    let first = json_of(app.place("pass", &first_cart, "first").await).await;

    assert_eq!(set_pace(&app, &owner, &json!({"busy_minutes": 30})).await.status(), StatusCode::OK);
    let second = json_of(app.place("pass", &second_cart, "second").await).await;
    let id = first["order"]["id"].as_str().unwrap();
    let first_now = json_of(app.get(&format!("/v1/restaurants/pass/orders/{id}"), Some(&owner)).await).await;

    let later = promised(&second).duration_since(promised(&first));
    assert!(later >= bistro_domain::jiff::SignedDuration::from_mins(30), "{later:?}");
    assert_eq!(first_now["promise"], first["order"]["promise"], "a placed order keeps its promise");
}

#[tokio::test]
async fn a_guest_cannot_set_the_pace_and_a_delay_past_two_hours_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;

    let anonymous = app.request(Method::PUT, "/v1/restaurants/pass/pace", None).json(&json!({})).send().await.unwrap();
    let too_slow = set_pace(&app, &owner, &json!({"busy_minutes": 500})).await;

    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_problem(too_slow, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}
