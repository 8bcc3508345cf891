//! A rejection tells the guest why, in the kitchen's words.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_problem, json_of, spawn_app};

#[tokio::test]
async fn a_rejected_order_shows_the_guest_the_reason_the_kitchen_gave() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("nope").await;
    let cart = app.cart_with_pizza("nope", 1).await;
    let placed = json_of(app.place("nope", &cart, "k").await).await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());

    let body = json!({"to": "rejected", "reason": "Our oven is broken tonight, sorry."});
    let response =
        app.send(Method::POST, &format!("/v1/restaurants/nope/orders/{id}/transitions"), Some(&owner), &body).await;

    assert_eq!(response.status(), StatusCode::OK);
    let seen = json_of(app.get(&format!("/v1/restaurants/nope/orders/{id}?token={token}"), None).await).await;
    assert_eq!(
        (seen["state"].as_str(), seen["reason"].as_str()),
        (Some("rejected"), Some("Our oven is broken tonight, sorry."))
    );
}

#[tokio::test]
async fn a_reason_with_any_move_but_a_rejection_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("why").await;
    let cart = app.cart_with_pizza("why", 1).await;
    let placed = json_of(app.place("why", &cart, "k").await).await;
    let id = placed["order"]["id"].as_str().unwrap();

    let body = json!({"to": "accepted", "reason": "because"});
    let response =
        app.send(Method::POST, &format!("/v1/restaurants/why/orders/{id}/transitions"), Some(&owner), &body).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "reason_not_expected").await;
    let seen = json_of(app.get(&format!("/v1/restaurants/why/orders/{id}"), Some(&owner)).await).await;
    assert_eq!(seen["state"], "placed");
}
