//! The whole story a restaurant lives through, as one walk.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{json_of, pizza_json, spawn_app};

#[tokio::test]
async fn a_restaurant_signs_up_hires_edits_its_menu_takes_an_order_and_a_booking() {
    let app = spawn_app().await;
    let owner = app.sign_up("story").await;
    let (manager, _) = app.hire("story", &owner, "manager").await;
    let (staff, _) = app.hire("story", &owner, "staff").await;

    // The manager builds the menu and changes a price.
    let category = json!({"id": "mains", "name": "Mains", "position": 1});
    assert_eq!(
        app.send(Method::POST, "/v1/restaurants/story/menu/categories", Some(&manager), &category).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.send(Method::POST, "/v1/restaurants/story/menu/items", Some(&manager), &pizza_json()).await.status(),
        StatusCode::CREATED
    );
    let mut edit = pizza_json();
    edit["item"]["price"]["minor"] = json!(950);
    let edited = app
        .send(
            Method::PUT,
            "/v1/restaurants/story/menu/items/pizza",
            Some(&manager),
            &json!({"item": edit["item"], "version": 1}),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(json_of(edited).await["version"], 2);

    // A guest fills a cart; the server prices it.
    let cart = app.cart_with_pizza("story", 2).await;
    let priced = json_of(app.get(&format!("/v1/restaurants/story/carts/{cart}"), None).await).await;
    assert_eq!(priced["priced"]["totals"]["total"]["minor"], 1900);
    assert_eq!(priced["priced"]["totals"]["tax"]["minor"], 303);

    // The guest orders at table 3.
    let body = json!({"cart": cart, "kind": {"type": "dine_in", "table": "3"}, "customer": {"name": "Ada", "phone": "+49 30 1234"}});
    let placed = app
        .request(Method::POST, "/v1/restaurants/story/orders", None)
        .header("Idempotency-Key", "story-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    let placed = json_of(placed).await;
    let (id, token) =
        (placed["order"]["id"].as_str().unwrap().to_owned(), placed["token"].as_str().unwrap().to_owned());
    assert_eq!(placed["order"]["number"], 1);
    assert_eq!(placed["order"]["totals"]["total"]["minor"], 1900);

    // Staff see it and move it along; the guest sees each state.
    let board = json_of(app.get("/v1/restaurants/story/orders?state=placed", Some(&staff)).await).await;
    assert_eq!(board["orders"].as_array().unwrap().len(), 1);
    for state in ["accepted", "preparing", "ready", "completed"] {
        let moved = app
            .send(
                Method::POST,
                &format!("/v1/restaurants/story/orders/{id}/transitions"),
                Some(&staff),
                &json!({"to": state}),
            )
            .await;
        assert_eq!(moved.status(), StatusCode::OK, "to {state}");
        let seen = json_of(app.get(&format!("/v1/restaurants/story/orders/{id}?token={token}"), None).await).await;
        assert_eq!(seen["state"], state);
    }
    let seen = json_of(app.get(&format!("/v1/restaurants/story/orders/{id}?token={token}"), None).await).await;
    assert_eq!(seen["history"].as_array().unwrap().len(), 4);
    assert_eq!(seen["history"][0]["actor"]["role"], "staff");

    // A booking is made, seen, and cancelled; its covers come back.
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let slots =
        json_of(app.get(&format!("/v1/restaurants/story/reservations/slots?date={tomorrow}&party=4"), None).await)
            .await;
    let first = slots["slots"][20]["starts_at"].as_str().unwrap().to_owned();
    let booking = json!({"starts_at": first, "party": 4, "contact": {"name": "Grace", "phone": "+49 30 5555"}});
    let booked = app
        .request(Method::POST, "/v1/restaurants/story/reservations", None)
        .header("Idempotency-Key", "book-1")
        .json(&booking)
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booked = json_of(booked).await;
    let (rid, rtoken) =
        (booked["reservation"]["id"].as_str().unwrap().to_owned(), booked["token"].as_str().unwrap().to_owned());
    let listed =
        json_of(app.get(&format!("/v1/restaurants/story/reservations?date={tomorrow}"), Some(&staff)).await).await;
    assert_eq!(listed["reservations"][0]["id"], rid.as_str());
    let cancelled = app
        .request(Method::POST, &format!("/v1/restaurants/story/reservations/{rid}/cancel?token={rtoken}"), None)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(cancelled).await["status"], "cancelled");
}
