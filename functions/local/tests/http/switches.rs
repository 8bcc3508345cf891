//! What a restaurant takes: its switches for each way of ordering, ordering ahead, table booking
//! and ordering as a whole, and what the deployment holds back for every restaurant.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app, spawn_app_with};

/// Sets the restaurant's `field` (a settings object) to `value`, as the manage page saves it.
async fn set(app: &TestApp, slug: &str, owner: &str, field: &str, value: Value) {
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"][field] = value;
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

fn kinds(dine_in: bool, pickup: bool, delivery: bool) -> Value {
    json!({"dine_in": dine_in, "pickup": pickup, "delivery": delivery})
}

fn switches(ordering: bool, ahead: bool, booking: bool) -> Value {
    json!({"ordering": ordering, "ahead": ahead, "booking": booking})
}

async fn place(app: &TestApp, slug: &str, cart: &str, kind: Value, at: Option<&str>) -> reqwest::Response {
    let mut body = json!({"cart": cart, "kind": kind, "customer": {"name": "Ada", "phone": "+49 30 1234"}});
    if let Some(at) = at {
        body["at"] = json!(at);
    }
    app.post_keyed(&format!("/v1/restaurants/{slug}/orders"), &bistro_domain::ids::Token::generate().to_string(), &body)
        .await
}

fn delivery() -> Value {
    json!({"type": "delivery", "address": "Invalidenstr. 1\nBerlin"})
}

async fn book(app: &TestApp, slug: &str) -> reqwest::Response {
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let start = format!("{tomorrow}T18:00:00+01:00");
    let booking = json!({"starts_at": start, "party": 2, "contact": {"name": "Grace", "phone": "+49 30 1234"}});
    app.post_keyed(&format!("/v1/restaurants/{slug}/reservations"), "booking", &booking).await
}

#[tokio::test]
async fn each_way_of_ordering_switched_off_is_refused_with_its_code_and_the_others_are_taken() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("ways").await;
    set(&app, "ways", &owner, "order_kinds", kinds(false, false, false)).await;
    let cart = app.cart_with_pizza("ways", 2).await;

    let at_table = place(&app, "ways", &cart, json!({"type": "dine_in", "table": "1"}), None).await;
    let pickup = place(&app, "ways", &cart, json!({"type": "pickup"}), None).await;
    let delivered = place(&app, "ways", &cart, delivery(), None).await;
    set(&app, "ways", &owner, "order_kinds", kinds(false, true, false)).await;
    let pickup_again = place(&app, "ways", &cart, json!({"type": "pickup"}), None).await;

    assert_problem(at_table, StatusCode::UNPROCESSABLE_ENTITY, "order_type_not_offered").await;
    assert_problem(pickup, StatusCode::UNPROCESSABLE_ENTITY, "order_type_not_offered").await;
    assert_problem(delivered, StatusCode::UNPROCESSABLE_ENTITY, "order_type_not_offered").await;
    assert_eq!(pickup_again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn ordering_ahead_switched_off_refuses_a_later_slot_and_lists_none() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("ahead").await;
    set(&app, "ahead", &owner, "switches", switches(true, false, true)).await;
    let cart = app.cart_with_pizza("ahead", 1).await;
    let later =
        (bistro_domain::jiff::Timestamp::now() + bistro_domain::jiff::SignedDuration::from_hours(3)).to_string();

    let ahead = place(&app, "ahead", &cart, json!({"type": "pickup"}), Some(&later)).await;
    let slots = json_of(app.get("/v1/restaurants/ahead/orders/slots?kind=pickup", None).await).await;
    let now = place(&app, "ahead", &cart, json!({"type": "pickup"}), None).await;

    assert_problem(ahead, StatusCode::UNPROCESSABLE_ENTITY, "ordering_ahead_off").await;
    assert_eq!(slots["slots"], json!([]));
    assert_eq!(slots["now"], json!(true));
    assert_eq!(now.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_menu_only_restaurant_opens_no_cart_and_takes_no_order_from_one_opened_before() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("readonly").await;
    let earlier_cart = app.cart_with_pizza("readonly", 1).await;
    set(&app, "readonly", &owner, "switches", switches(false, true, true)).await;

    let cart = app.request(Method::POST, "/v1/restaurants/readonly/carts", None).send().await.unwrap();
    let order = place(&app, "readonly", &earlier_cart, json!({"type": "pickup"}), None).await;
    let shown = json_of(app.get("/v1/restaurants/readonly", None).await).await;

    assert_problem(cart, StatusCode::UNPROCESSABLE_ENTITY, "ordering_off").await;
    assert_problem(order, StatusCode::UNPROCESSABLE_ENTITY, "ordering_off").await;
    assert_eq!(
        shown["offered"],
        json!({"ordering": false, "dine_in": false, "pickup": false, "delivery": false, "ahead": false, "booking": true})
    );
}

#[tokio::test]
async fn booking_switched_off_refuses_bookings_and_their_times_while_orders_are_taken() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("nobook").await;
    set(&app, "nobook", &owner, "switches", switches(true, true, false)).await;
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let cart = app.cart_with_pizza("nobook", 1).await;

    let booked = book(&app, "nobook").await;
    let slots = app.get(&format!("/v1/restaurants/nobook/reservations/slots?date={tomorrow}&party=2"), None).await;

    assert_problem(booked, StatusCode::UNPROCESSABLE_ENTITY, "booking_off").await;
    assert_problem(slots, StatusCode::UNPROCESSABLE_ENTITY, "booking_off").await;
    assert_eq!(app.place("nobook", &cart, "order").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_feature_the_deployment_holds_stays_off_where_a_restaurant_switched_it_on() {
    let held = bistro_domain::offer::Held::parse("delivery,booking").unwrap();
    let app = spawn_app_with(|config| config.held = held).await;
    let owner = app.restaurant_with_pizza("dark").await;
    set(&app, "dark", &owner, "order_kinds", kinds(true, true, true)).await;
    let cart = app.cart_with_pizza("dark", 2).await;

    let delivered = place(&app, "dark", &cart, delivery(), None).await;
    let booked = book(&app, "dark").await;
    let shown = json_of(app.get("/v1/restaurants/dark", None).await).await;
    let published = json_of(app.get("/menus/dark.json", None).await).await;

    assert_problem(delivered, StatusCode::UNPROCESSABLE_ENTITY, "feature_held").await;
    assert_problem(booked, StatusCode::UNPROCESSABLE_ENTITY, "feature_held").await;
    assert_eq!(shown["restaurant"]["order_kinds"]["delivery"], json!(true), "the restaurant's own switch is kept");
    assert_eq!(shown["held"], json!(["delivery", "booking"]));
    assert_eq!(shown["offered"]["delivery"], json!(false));
    assert_eq!(published["restaurant"]["offered"]["delivery"], json!(false), "guests are not offered it");
    assert_eq!(published["restaurant"]["offered"]["pickup"], json!(true));
    assert_eq!(place(&app, "dark", &cart, json!({"type": "pickup"}), None).await.status(), StatusCode::CREATED);
}
