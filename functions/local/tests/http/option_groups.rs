//! Saved groups of choices: written once, given to many dishes, changed once for all of them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app};

fn spice(hot_costs: i64) -> Value {
    json!({"id": "spice", "name": "Spice level", "min_choices": 1, "max_choices": 1, "options": [
        {"id": "mild", "name": "Mild", "price_delta": {"minor": 0, "currency": "EUR"}},
        {"id": "hot", "name": "Hot", "price_delta": {"minor": hot_costs, "currency": "EUR"}}]})
}

async fn dish_with_spice(app: &TestApp, owner: &str, id: &str) {
    let mut group = spice(0);
    group["saved"] = json!(true);
    let body = json!({"id": id, "item": {"category": "mains", "name": id, "price": {"minor": 1200, "currency": "EUR"}, "option_groups": [group]}});
    let response = app.send(Method::POST, "/v1/restaurants/curry/menu/items", Some(owner), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
}

fn hot_price(item: &Value) -> i64 {
    item["option_groups"][0]["options"][1]["price_delta"]["minor"].as_i64().unwrap()
}

#[tokio::test]
async fn a_saved_group_changed_once_changes_every_dish_that_has_it_and_the_price_in_a_cart() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("curry").await;
    let created = app
        .send(Method::POST, "/v1/restaurants/curry/menu/option-groups", Some(&owner), &json!({"group": spice(0)}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    dish_with_spice(&app, &owner, "korma").await;
    dish_with_spice(&app, &owner, "dal").await;

    let change = json!({"group": spice(150), "version": 1});
    let changed = app.send(Method::PUT, "/v1/restaurants/curry/menu/option-groups/spice", Some(&owner), &change).await;
    let listed = json_of(app.get("/v1/restaurants/curry/menu/option-groups", Some(&owner)).await).await;
    let korma = json_of(app.get("/v1/restaurants/curry/menu/items/korma", None).await).await;
    let dal = json_of(app.get("/v1/restaurants/curry/menu/items/dal", None).await).await;
    let cart = json_of(app.send(Method::POST, "/v1/restaurants/curry/carts", None, &Value::Null).await).await;
    let token = cart["token"].as_str().unwrap();
    let line = json!({"item": "dal", "quantity": 1, "choices": [{"group": "spice", "option": "hot"}]});
    let priced =
        json_of(app.send(Method::POST, &format!("/v1/restaurants/curry/carts/{token}/lines"), None, &line).await).await;

    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(listed[0]["version"], json!(2));
    assert_eq!(listed[0]["dishes"], json!(["dal", "korma"]));
    assert_eq!((hot_price(&korma), hot_price(&dal)), (150, 150));
    assert_eq!(priced["priced"]["totals"]["total"]["minor"], json!(1350));
}

#[tokio::test]
async fn a_dish_cannot_have_a_copy_of_a_group_that_is_not_saved() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("curry").await;
    let mut group = spice(0);
    group["saved"] = json!(true);
    let body = json!({"id": "korma", "item": {"category": "mains", "name": "Korma", "price": {"minor": 1200, "currency": "EUR"}, "option_groups": [group]}});

    let refused = app.send(Method::POST, "/v1/restaurants/curry/menu/items", Some(&owner), &body).await;

    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "unknown_saved_group").await;
}

#[tokio::test]
async fn a_saved_group_a_dish_still_has_is_not_deleted_and_an_unused_one_is() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("curry").await;
    app.send(Method::POST, "/v1/restaurants/curry/menu/option-groups", Some(&owner), &json!({"group": spice(0)})).await;
    dish_with_spice(&app, &owner, "korma").await;

    let in_use = app
        .send(Method::DELETE, "/v1/restaurants/curry/menu/option-groups/spice?version=1", Some(&owner), &Value::Null)
        .await;
    let deleted_dish =
        app.send(Method::DELETE, "/v1/restaurants/curry/menu/items/korma?version=1", Some(&owner), &Value::Null).await;
    let deleted = app
        .send(Method::DELETE, "/v1/restaurants/curry/menu/option-groups/spice?version=1", Some(&owner), &Value::Null)
        .await;

    assert_problem(in_use, StatusCode::CONFLICT, "saved_group_in_use").await;
    assert_eq!(deleted_dish.status(), StatusCode::NO_CONTENT);
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_change_made_from_an_old_version_of_a_saved_group_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("curry").await;
    app.send(Method::POST, "/v1/restaurants/curry/menu/option-groups", Some(&owner), &json!({"group": spice(0)})).await;
    let first = json!({"group": spice(100), "version": 1});
    app.send(Method::PUT, "/v1/restaurants/curry/menu/option-groups/spice", Some(&owner), &first).await;

    let stale = app
        .send(
            Method::PUT,
            "/v1/restaurants/curry/menu/option-groups/spice",
            Some(&owner),
            &json!({"group": spice(200), "version": 1}),
        )
        .await;

    assert_problem(stale, StatusCode::CONFLICT, "stale_version").await;
}
