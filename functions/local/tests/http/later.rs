//! Promised times: "ready in about N minutes" on every order, and pickup or delivery for a later
//! slot, each slot taking only as many orders as the restaurant allows.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

/// Sets the restaurant's timing (and, if given, its weekly hours) as its owner would.
pub(crate) async fn set_timing(app: &TestApp, slug: &str, owner: &str, timing: Value, weekly: Option<Value>) {
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"]["timing"] = timing;
    if let Some(weekly) = weekly {
        current["restaurant"]["hours"] = json!({"weekly": weekly});
    }
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

/// Open every day for eight hours from the start of this hour (Berlin), so each test finds the
/// later slots it counts on whatever the time it runs at: an all-day opening ends at midnight,
/// and late in the evening leaves only a few.
pub(crate) fn open_from_this_hour() -> Value {
    let now = bistro_domain::jiff::Timestamp::now()
        .to_zoned(bistro_domain::jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let closes = now.checked_add(bistro_domain::jiff::SignedDuration::from_hours(8)).unwrap();
    let day = json!([{"opens": now.strftime("%H:00").to_string(), "closes": closes.strftime("%H:00").to_string()}]);
    json!({"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day})
}

pub(crate) fn timing(pickup_minutes: u32, orders_per_slot: u32) -> Value {
    json!({"dine_in_minutes": 10, "pickup_minutes": pickup_minutes, "delivery_minutes": 45, "slot_minutes": 15, "orders_per_slot": orders_per_slot})
}

pub(crate) async fn slots(app: &TestApp, slug: &str) -> Value {
    let response = app.get(&format!("/v1/restaurants/{slug}/orders/slots?kind=pickup"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}

async fn place_at(app: &TestApp, slug: &str, cart: &str, key: &str, at: &Value) -> reqwest::Response {
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}, "at": at});
    app.post_keyed(&format!("/v1/restaurants/{slug}/orders"), key, &body).await
}

fn instant(value: &Value) -> bistro_domain::jiff::Timestamp {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_order_for_now_is_promised_its_preparation_time_after_placing() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("soon").await;
    set_timing(&app, "soon", &owner, timing(25, 3), None).await;
    let cart = app.cart_with_pizza("soon", 1).await;

    let placed = json_of(app.place("soon", &cart, "k").await).await;

    let order = &placed["order"];
    let ready_in = instant(&order["promise"]["at"]).duration_since(instant(&order["placed_at"]));
    assert_eq!(ready_in.as_mins(), 25, "{order}");
    assert_eq!(order["promise"]["scheduled"], false);
}

#[tokio::test]
async fn a_pickup_for_a_later_slot_is_promised_that_slot_and_the_kitchen_sees_it() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("later").await;
    set_timing(&app, "later", &owner, timing(20, 3), Some(open_from_this_hour())).await;
    let offered = slots(&app, "later").await;
    assert_eq!(offered["ready_in_minutes"], 20);
    assert_eq!(offered["now"], true);
    let slot = offered["slots"][4]["at"].clone();
    let cart = app.cart_with_pizza("later", 1).await;

    let placed = place_at(&app, "later", &cart, "k", &slot).await;

    assert_eq!(placed.status(), StatusCode::CREATED);
    let id = json_of(placed).await["order"]["id"].as_str().unwrap().to_owned();
    let seen = json_of(app.get(&format!("/v1/restaurants/later/orders/{id}"), Some(&owner)).await).await;
    assert_eq!(instant(&seen["promise"]["at"]), instant(&slot));
    assert_eq!(seen["promise"]["scheduled"], true);
}

#[tokio::test]
async fn a_full_slot_is_marked_full_and_refuses_one_more_order() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("capped").await;
    set_timing(&app, "capped", &owner, timing(20, 2), Some(open_from_this_hour())).await;
    let slot = slots(&app, "capped").await["slots"][2]["at"].clone();
    for key in ["a", "b"] {
        let cart = app.cart_with_pizza("capped", 1).await;
        assert_eq!(place_at(&app, "capped", &cart, key, &slot).await.status(), StatusCode::CREATED);
    }
    let cart = app.cart_with_pizza("capped", 1).await;

    let third = place_at(&app, "capped", &cart, "c", &slot).await;

    assert_problem(third, StatusCode::CONFLICT, "slot_full").await;
    let offered = slots(&app, "capped").await;
    let listed = offered["slots"].as_array().unwrap().iter().find(|s| s["at"] == slot).unwrap().clone();
    assert_eq!(listed["full"], true);
    assert_eq!(offered["slots"][3]["full"], false, "the next slot still has room");
    let cart_still_there = app.get(&format!("/v1/restaurants/capped/carts/{cart}"), None).await;
    assert_eq!(cart_still_there.status(), StatusCode::OK, "a refused order leaves the cart");
}

#[tokio::test]
async fn a_time_that_is_no_slot_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("offgrid").await;
    set_timing(&app, "offgrid", &owner, timing(20, 10), Some(open_from_this_hour())).await;
    let slot = instant(&slots(&app, "offgrid").await["slots"][1]["at"]);
    let off_grid = json!(slot.checked_add(bistro_domain::jiff::SignedDuration::from_mins(7)).unwrap().to_string());
    let cart = app.cart_with_pizza("offgrid", 1).await;

    let response = place_at(&app, "offgrid", &cart, "k", &off_grid).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "slot_unavailable").await;
    assert_eq!(app.get(&format!("/v1/restaurants/offgrid/carts/{cart}"), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_table_cannot_order_for_later() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("tablelater").await;
    set_timing(&app, "tablelater", &owner, timing(20, 10), Some(open_from_this_hour())).await;
    let slot = slots(&app, "tablelater").await["slots"][1]["at"].clone();
    let cart = app.cart_with_pizza("tablelater", 1).await;
    let body =
        json!({"cart": cart, "kind": {"type": "dine_in", "table": "2"}, "customer": {"name": "Ada"}, "at": slot});

    let response = app.post_keyed("/v1/restaurants/tablelater/orders", "k", &body).await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "later_at_table").await;
}

#[tokio::test]
async fn a_closed_restaurant_takes_pickups_for_its_next_opening_only() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("ahead").await;
    // Open one hour every day, starting in about two hours (Berlin), so it is closed now.
    let now = bistro_domain::jiff::Timestamp::now()
        .to_zoned(bistro_domain::jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let opens = now.checked_add(bistro_domain::jiff::SignedDuration::from_hours(2)).unwrap();
    let closes = opens.checked_add(bistro_domain::jiff::SignedDuration::from_hours(1)).unwrap();
    let day = json!([{"opens": opens.strftime("%H:00").to_string(), "closes": closes.strftime("%H:00").to_string()}]);
    let weekly = json!({"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day});
    set_timing(&app, "ahead", &owner, timing(20, 5), Some(weekly)).await;
    let offered = slots(&app, "ahead").await;
    assert_eq!(offered["now"], false);
    let first = instant(&offered["slots"][0]["at"]);
    let cart = app.cart_with_pizza("ahead", 1).await;
    assert_problem(app.place("ahead", &cart, "now").await, StatusCode::UNPROCESSABLE_ENTITY, "restaurant_closed").await;

    let placed = place_at(&app, "ahead", &cart, "later", &offered["slots"][0]["at"]).await;

    assert_eq!(placed.status(), StatusCode::CREATED);
    let opening = instant(&json!(opens.strftime("%Y-%m-%dT%H:00:00%:z").to_string()));
    assert_eq!(first.duration_since(opening).as_mins(), 30, "the first slot 20 minutes after opening, on the grid");
}

#[tokio::test]
async fn a_cancelled_later_order_frees_its_slot() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("freed").await;
    set_timing(&app, "freed", &owner, timing(20, 1), Some(open_from_this_hour())).await;
    let slot = slots(&app, "freed").await["slots"][1]["at"].clone();
    let cart = app.cart_with_pizza("freed", 1).await;
    let placed = json_of(place_at(&app, "freed", &cart, "k", &slot).await).await;
    let (id, token) = (placed["order"]["id"].as_str().unwrap(), placed["token"].as_str().unwrap());

    let cancel = app
        .request(Method::POST, &format!("/v1/restaurants/freed/orders/{id}/cancel?token={token}"), None)
        .send()
        .await
        .unwrap();

    assert_eq!(cancel.status(), StatusCode::OK);
    let listed = slots(&app, "freed").await["slots"][1].clone();
    assert_eq!((listed["at"].clone(), listed["full"].clone()), (slot, json!(false)));
}
