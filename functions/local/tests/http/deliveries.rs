//! Deliveries and their drivers: the floor gives one to a driver, or a driver takes one that
//! waits; two drivers taking the same one at once get it once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

/// A delivery placed at `slug`; returns its id.
async fn delivery(app: &TestApp, slug: &str, key: &str) -> String {
    let cart = app.cart_with_pizza(slug, 1).await;
    let body = json!({"cart": cart, "kind": {"type": "delivery", "address": "Hauptstr. 1, Berlin"}, "customer": {"name": "Ada", "phone": "+49 30 1234"}});
    let placed = json_of(app.post_keyed(&format!("/v1/restaurants/{slug}/orders"), key, &body).await).await;
    placed["order"]["id"].as_str().unwrap().to_owned()
}

async fn take(app: &TestApp, slug: &str, id: &str, driver: &str) -> reqwest::Response {
    app.send(Method::POST, &format!("/v1/restaurants/{slug}/orders/{id}/take"), Some(driver), &Value::Null).await
}

fn ids(listed: &Value) -> Vec<&str> {
    listed.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_cook_gives_a_delivery_to_a_driver_named_in_the_floor_s_list_of_drivers() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pass").await;
    let (cook, _) = app.hire("pass", &owner, "staff").await;
    let (_, driver_id) = app.hire("pass", &owner, "driver").await;
    let id = delivery(&app, "pass", "d").await;

    let drivers = json_of(app.get("/v1/restaurants/pass/drivers", Some(&cook)).await).await;
    let assignment = json!({"driver": driver_id});
    let given =
        app.send(Method::PUT, &format!("/v1/restaurants/pass/orders/{id}/driver"), Some(&cook), &assignment).await;

    assert_eq!(drivers, json!([{"id": driver_id, "name": "driver"}]));
    assert_eq!(given.status(), StatusCode::OK);
    assert_eq!(json_of(given).await["driver"], json!(driver_id));
}

#[tokio::test]
async fn a_driver_sees_the_deliveries_waiting_and_takes_one_which_then_is_theirs() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("waits").await;
    let (driver, driver_id) = app.hire("waits", &owner, "driver").await;
    let first = delivery(&app, "waits", "first").await;
    let second = delivery(&app, "waits", "second").await;
    app.place("waits", &app.cart_with_pizza("waits", 1).await, "a pickup").await;

    let waiting = json_of(app.get("/v1/restaurants/waits/orders/waiting", Some(&driver)).await).await;
    let taken = take(&app, "waits", &first, &driver).await;
    let still_waiting = json_of(app.get("/v1/restaurants/waits/orders/waiting", Some(&driver)).await).await;
    let mine = json_of(app.get("/v1/restaurants/waits/orders", Some(&driver)).await).await;

    assert_eq!(ids(&waiting), [first.as_str(), second.as_str()], "deliveries only, soonest due first");
    assert_eq!(taken.status(), StatusCode::OK);
    assert_eq!(json_of(taken).await["driver"], json!(driver_id));
    assert_eq!(ids(&still_waiting), [second.as_str()]);
    assert_eq!(ids(&mine["orders"]), [first.as_str()]);
}

#[tokio::test]
async fn two_drivers_taking_the_same_delivery_at_once_get_it_once() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("race").await;
    let (one, _) = app.hire("race", &owner, "driver").await;
    let (two, _) = app.hire("race", &owner, "driver").await;
    let id = delivery(&app, "race", "d").await;

    let (a, b) = tokio::join!(take(&app, "race", &id, &one), take(&app, "race", &id, &two));

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let refused = if a.status() == StatusCode::CONFLICT { a } else { b };
    assert_problem(refused, StatusCode::CONFLICT, "delivery_taken").await;
}

#[tokio::test]
async fn only_a_driver_takes_a_delivery() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("cooks").await;
    let (cook, _) = app.hire("cooks", &owner, "staff").await;
    let id = delivery(&app, "cooks", "d").await;

    assert_problem(take(&app, "cooks", &id, &cook).await, StatusCode::FORBIDDEN, "forbidden").await;
}
