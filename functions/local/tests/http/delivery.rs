//! A restaurant's delivery terms: the postcodes it drives to, the least food it delivers, and
//! the fee, a line of its own on the order and in its total.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

/// A restaurant selling 9.00 pizzas that delivers to 10115 and 10117 for 2.50, from 15.00 of food.
async fn delivering(app: &TestApp, slug: &str) -> String {
    let owner = app.restaurant_with_pizza(slug).await;
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"]["delivery"] = json!({"fee": 250, "minimum": 1500, "postcodes": ["10115", "10117"]});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(&owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    owner
}

fn delivery(cart: &str, postcode: Option<&str>) -> Value {
    let mut kind = json!({"type": "delivery", "address": "Invalidenstr. 1\nBerlin"});
    if let Some(postcode) = postcode {
        kind["postcode"] = json!(postcode);
    }
    json!({"cart": cart, "kind": kind, "customer": {"name": "Ada", "phone": "+49 30 1234"}})
}

#[tokio::test]
async fn the_restaurants_delivery_terms_are_public_with_its_settings() {
    let app = spawn_app().await;
    delivering(&app, "terms").await;

    let restaurant = json_of(app.get("/v1/restaurants/terms", None).await).await;

    assert_eq!(
        restaurant["restaurant"]["delivery"],
        json!({"fee": 250, "minimum": 1500, "postcodes": ["10115", "10117"]})
    );
}

#[tokio::test]
async fn terms_beyond_their_bounds_are_refused_naming_the_field_that_is_too_large() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("bounds").await;
    let current = json_of(app.get("/v1/restaurants/bounds", None).await).await;
    let many: Vec<String> = (0..501).map(|n| format!("{}", 10_000 + n)).collect();

    for (terms, field) in [
        (json!({"fee": 100_000_001}), "restaurant.delivery.fee"),
        (json!({"minimum": 100_000_001}), "restaurant.delivery.minimum"),
        (json!({"postcodes": many}), "restaurant.delivery.postcodes"),
    ] {
        let mut restaurant = current["restaurant"].clone();
        restaurant["delivery"] = terms;
        let update = json!({"restaurant": restaurant, "version": current["version"]});
        let problem = json_of(app.send(Method::PUT, "/v1/restaurants/bounds", Some(&owner), &update).await).await;
        assert_eq!(
            (problem["code"].as_str(), problem["field"].as_str()),
            (Some("invalid_body"), Some(field)),
            "{problem}"
        );
    }
    assert_eq!(json_of(app.get("/v1/restaurants/bounds", None).await).await, current, "nothing changed");
}

#[tokio::test]
async fn a_delivery_below_the_minimum_is_refused_with_what_is_missing_and_keeps_the_cart() {
    let app = spawn_app().await;
    delivering(&app, "small").await;
    let cart = app.cart_with_pizza("small", 1).await;

    let response = app.post_keyed("/v1/restaurants/small/orders", "one-pizza", &delivery(&cart, Some("10115"))).await;

    let problem = json_of(response).await;
    assert_eq!(problem["code"], "below_delivery_minimum");
    assert_eq!(problem["detail"], "a delivery needs at least 15.00 EUR of food; add 6.00 EUR more");
    assert_eq!(app.get(&format!("/v1/restaurants/small/carts/{cart}"), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_delivery_outside_the_postcodes_is_refused() {
    let app = spawn_app().await;
    delivering(&app, "far").await;
    let cart = app.cart_with_pizza("far", 2).await;

    let response = app.post_keyed("/v1/restaurants/far/orders", "hamburg", &delivery(&cart, Some("20095"))).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "postcode_not_delivered").await;
}

#[tokio::test]
async fn a_delivery_without_a_postcode_is_refused_where_the_restaurant_lists_them() {
    let app = spawn_app().await;
    delivering(&app, "where").await;
    let cart = app.cart_with_pizza("where", 2).await;

    let response = app.post_keyed("/v1/restaurants/where/orders", "no-code", &delivery(&cart, None)).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "postcode_required").await;
}

#[tokio::test]
async fn a_refused_delivery_takes_no_order_number() {
    let app = spawn_app().await;
    delivering(&app, "gapless").await;
    let small = app.cart_with_pizza("gapless", 1).await;
    let refused = app.post_keyed("/v1/restaurants/gapless/orders", "small", &delivery(&small, Some("10115"))).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let cart = app.cart_with_pizza("gapless", 2).await;

    let placed =
        json_of(app.post_keyed("/v1/restaurants/gapless/orders", "big", &delivery(&cart, Some("10115"))).await).await;

    assert_eq!(placed["order"]["number"], 1);
}

#[tokio::test]
async fn the_fee_is_a_line_of_its_own_and_part_of_the_total_and_tax() {
    let app = spawn_app().await;
    delivering(&app, "fee").await;
    let cart = app.cart_with_pizza("fee", 2).await;

    let response = app.post_keyed("/v1/restaurants/fee/orders", "two", &delivery(&cart, Some("10117"))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let order = json_of(response).await["order"].clone();
    assert_eq!(order["delivery_fee"], json!({"minor": 250, "currency": "EUR"}));
    assert_eq!(order["lines"].as_array().unwrap().len(), 1, "the fee is not a dish");
    assert_eq!(order["totals"]["subtotal"]["minor"], 2050);
    assert_eq!(order["totals"]["total"]["minor"], 2050);
    // 19 % inclusive of 20.50: 3.27.
    assert_eq!(order["totals"]["tax"]["minor"], 327);
    assert_eq!(order["kind"]["postcode"], "10117");
}

#[tokio::test]
async fn a_postcode_matches_however_the_guest_writes_it() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("london").await;
    let mut current = json_of(app.get("/v1/restaurants/london", None).await).await;
    current["restaurant"]["delivery"] = json!({"postcodes": ["SW1A 1AA"]});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    assert_eq!(app.send(Method::PUT, "/v1/restaurants/london", Some(&owner), &update).await.status(), StatusCode::OK);
    let cart = app.cart_with_pizza("london", 1).await;

    let response = app.post_keyed("/v1/restaurants/london/orders", "lower", &delivery(&cart, Some("sw1a  1aa"))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(json_of(response).await["order"]["delivery_fee"], Value::Null, "no fee set, none charged");
}

#[tokio::test]
async fn a_restaurant_delivering_to_e1_takes_e1_6qf_and_refuses_e14_5ab() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("east").await;
    let mut current = json_of(app.get("/v1/restaurants/east", None).await).await;
    current["restaurant"]["delivery"] = json!({"postcodes": ["E1", "E2", "101*"]});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    assert_eq!(app.send(Method::PUT, "/v1/restaurants/east", Some(&owner), &update).await.status(), StatusCode::OK);
    let (in_e1, in_e14) = (app.cart_with_pizza("east", 1).await, app.cart_with_pizza("east", 1).await);

    let taken = app.post_keyed("/v1/restaurants/east/orders", "e1", &delivery(&in_e1, Some("E1 6QF"))).await;
    let refused = app.post_keyed("/v1/restaurants/east/orders", "e14", &delivery(&in_e14, Some("E14 5AB"))).await;

    assert_eq!(taken.status(), StatusCode::CREATED);
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "postcode_not_delivered").await;
    let saved = json_of(app.get("/v1/restaurants/east", None).await).await;
    assert_eq!(saved["restaurant"]["delivery"]["postcodes"], json!(["E1", "E2", "101*"]), "a prefix keeps its star");
}

#[tokio::test]
async fn pickup_pays_no_delivery_fee_and_has_no_minimum() {
    let app = spawn_app().await;
    delivering(&app, "pickup").await;
    let cart = app.cart_with_pizza("pickup", 1).await;

    let placed = json_of(app.place("pickup", &cart, "pick").await).await;

    assert_eq!(placed["order"]["totals"]["total"]["minor"], 900);
    assert_eq!(placed["order"]["delivery_fee"], Value::Null);
}
