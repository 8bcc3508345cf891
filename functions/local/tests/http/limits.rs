//! Limits that keep one guest or client from taking what belongs to everybody.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, pizza_json, spawn_app, spawn_app_with};

/// The first bookable start tomorrow evening in `slug`.
async fn evening_slot(app: &TestApp, slug: &str) -> String {
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().unwrap();
    let slots =
        json_of(app.get(&format!("/v1/restaurants/{slug}/reservations/slots?date={tomorrow}&party=2"), None).await)
            .await;
    slots["slots"][36]["starts_at"].as_str().unwrap().to_owned()
}

async fn book(app: &TestApp, slug: &str, start: &str, phone: &str, key: &str) -> reqwest::Response {
    let booking = json!({"starts_at": start, "party": 2, "contact": {"name": "Grace", "phone": phone}});
    app.request(Method::POST, &format!("/v1/restaurants/{slug}/reservations"), None)
        .header("Idempotency-Key", key)
        .json(&booking)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_sixth_booking_of_one_guest_on_one_day_is_refused_and_others_still_book() {
    let app = spawn_app().await;
    app.sign_up("busy").await;
    let start = evening_slot(&app, "busy").await;
    for n in 0..5 {
        // Spacing and punctuation make no other guest.
        let phone = if n % 2 == 0 { "+49 30 5555" } else { "+49-30-5555" };
        assert_eq!(
            book(&app, "busy", &start, phone, &format!("b{n}")).await.status(),
            StatusCode::CREATED,
            "booking {n}"
        );
    }

    let sixth = book(&app, "busy", &start, "+49 30 5555", "b5").await;
    let someone_else = book(&app, "busy", &start, "+49 30 6666", "c0").await;

    assert_problem(sixth, StatusCode::UNPROCESSABLE_ENTITY, "too_many_bookings").await;
    assert_eq!(someone_else.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_guest_who_cancels_a_booking_may_make_another() {
    let app = spawn_app().await;
    app.sign_up("freed").await;
    let start = evening_slot(&app, "freed").await;
    let mut first: Option<Value> = None;
    for n in 0..5 {
        let booked = json_of(book(&app, "freed", &start, "+49 30 5555", &format!("b{n}")).await).await;
        first.get_or_insert(booked);
    }
    let first = first.unwrap();
    let (id, token) = (first["reservation"]["id"].as_str().unwrap(), first["token"].as_str().unwrap());
    let path = format!("/v1/restaurants/freed/reservations/{id}/cancel?token={token}");
    assert_eq!(app.request(Method::POST, &path, None).send().await.unwrap().status(), StatusCode::OK);

    assert_eq!(book(&app, "freed", &start, "+49 30 5555", "b5").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_restaurant_gets_two_hundred_upload_links_a_day_and_then_a_429_with_its_code() {
    let app = spawn_app().await;
    let owner = app.sign_up("snaps").await;
    let grant = json!({"content_type": "image/jpeg", "size": 1000});
    for n in 0..bistro_api::images::MAX_UPLOADS_PER_DAY {
        let granted = app.send(Method::POST, "/v1/restaurants/snaps/menu/images", Some(&owner), &grant).await;
        assert_eq!(granted.status(), StatusCode::CREATED, "upload link {n}");
    }

    let refused = app.send(Method::POST, "/v1/restaurants/snaps/menu/images", Some(&owner), &grant).await;

    assert_eq!(refused.headers()["retry-after"], "3600");
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_uploads").await;
}

#[tokio::test]
async fn a_menu_holds_five_hundred_items_and_refuses_the_next_with_a_reason() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("big").await;
    let mut item = pizza_json();
    for n in 1..bistro_api::routes::menu::MAX_MENU_ITEMS {
        item["id"] = json!(format!("dish-{n}"));
        item["item"]["name"] = json!(format!("Dish {n}"));
        let created = app.send(Method::POST, "/v1/restaurants/big/menu/items", Some(&owner), &item).await;
        assert_eq!(created.status(), StatusCode::CREATED, "item {n}");
    }

    item["id"] = json!("one-too-many");
    item["item"]["name"] = json!("One too many");
    let refused = app.send(Method::POST, "/v1/restaurants/big/menu/items", Some(&owner), &item).await;

    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "menu_full").await;
}

/// Opens carts at `slug` until one is refused or `most` are open; returns how many opened and
/// the refusal.
async fn open_until_refused(app: &TestApp, slug: &str, most: u32) -> (u32, Option<reqwest::Response>) {
    let mut opened = 0;
    for _ in 0..most {
        let response = app.request(Method::POST, &format!("/v1/restaurants/{slug}/carts"), None).send().await.unwrap();
        if response.status() != StatusCode::CREATED {
            return (opened, Some(response));
        }
        opened += 1;
    }
    (opened, None)
}

#[tokio::test]
async fn one_client_opens_its_minutes_carts_at_one_restaurant_and_the_next_waits() {
    let app = spawn_app_with(|config| config.rate_limit = 1000).await;
    app.restaurant_with_pizza("crowd").await;
    app.restaurant_with_pizza("other").await;
    let minute = bistro_api::limits::CLIENT_BUDGET.per_minute;
    // Twice the budget and one: a minute boundary in between starts the count again once.
    let (opened, refused) = open_until_refused(&app, "crowd", 2 * minute + 1).await;

    let elsewhere = app.request(Method::POST, "/v1/restaurants/other/carts", None).send().await.unwrap();

    assert!(opened >= minute, "{opened}");
    let refused = refused.expect("the budget runs out within two minutes' worth");
    assert!(refused.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 60);
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(elsewhere.status(), StatusCode::CREATED, "another restaurant's budget is its own");
}

#[tokio::test]
async fn past_the_days_budget_one_more_creation_waits_for_the_next_day_whatever_the_minute() {
    let budget = bistro_store::repo::Budget { per_minute: 1000, per_hour: 1000, per_day: 40 };
    let app = spawn_app_with(|config| {
        config.rate_limit = 1000;
        config.client_budget = budget;
    })
    .await;
    app.restaurant_with_pizza("daily").await;

    let (opened, refused) = open_until_refused(&app, "daily", budget.per_day + 1).await;

    assert_eq!(opened, budget.per_day);
    let refused = refused.expect("the day's budget + 1 is refused");
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        wait > 60 || bistro_domain::jiff::Timestamp::now().as_second().rem_euclid(86_400) > 86_400 - 60,
        "until the day ends: {wait}"
    );
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

/// Waits for a new minute unless `seconds` are left in this one: the minute's tier counts per
/// minute, and a test that means one minute must not run across two.
async fn within_one_minute(seconds: i64) {
    let second = bistro_domain::jiff::Timestamp::now().as_second().rem_euclid(60);
    if second > 60 - seconds {
        tokio::time::sleep(std::time::Duration::from_secs(u64::try_from(61 - second).unwrap())).await;
    }
}

/// A token of a guest's device's own at `slug`, as the menu page asks for one.
async fn device(app: &TestApp, slug: &str) -> String {
    let response = app.request(Method::POST, &format!("/v1/restaurants/{slug}/devices"), None).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    response.headers()[bistro_api::limits::DEVICE_HEADER].to_str().unwrap().to_owned()
}

/// A guest holding `device` opens a cart, puts a pizza in and orders it pickup.
async fn order_from_device(app: &TestApp, slug: &str, device: &str, key: String) -> StatusCode {
    let header = bistro_api::limits::DEVICE_HEADER;
    let opened = app.request(Method::POST, &format!("/v1/restaurants/{slug}/carts"), None).header(header, device);
    let opened = opened.send().await.unwrap();
    if opened.status() != StatusCode::CREATED {
        return opened.status();
    }
    let cart = json_of(opened).await["token"].as_str().unwrap().to_owned();
    let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": 1});
    let added = app.send(Method::POST, &format!("/v1/restaurants/{slug}/carts/{cart}/lines"), None, &line).await;
    assert_eq!(added.status(), StatusCode::OK);
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}});
    let placed = app.request(Method::POST, &format!("/v1/restaurants/{slug}/orders"), None).header(header, device);
    placed.header("Idempotency-Key", key).json(&body).send().await.unwrap().status()
}

/// Opens carts at `slug` holding `device` (none: as the address) until one is refused or `most`
/// are open; returns how many opened.
async fn flood(app: &TestApp, slug: &str, device: Option<&str>, most: u32) -> u32 {
    let mut opened = 0;
    for _ in 0..most {
        let mut request = app.request(Method::POST, &format!("/v1/restaurants/{slug}/carts"), None);
        if let Some(device) = device {
            request = request.header(bistro_api::limits::DEVICE_HEADER, device);
        }
        if request.send().await.unwrap().status() != StatusCode::CREATED {
            return opened;
        }
        opened += 1;
    }
    opened
}

#[tokio::test]
async fn forty_guests_behind_one_address_each_order_within_a_minute_while_a_flood_from_it_is_refused() {
    let app = spawn_app_with(|config| config.rate_limit = 10_000).await;
    app.restaurant_with_pizza("wifi").await;
    within_one_minute(40).await;
    // Each guest's page asked for its device's token when the menu opened.
    let mut devices = Vec::new();
    for _ in 0..40 {
        devices.push(device(&app, "wifi").await);
    }
    let flooder = device(&app, "wifi").await;
    let guests = devices.iter().enumerate().map(|(n, device)| order_from_device(&app, "wifi", device, format!("g{n}")));
    // Carts that never become orders, from the same address: as the address, and holding a token.
    let floods = async { (flood(&app, "wifi", None, 500).await, flood(&app, "wifi", Some(&flooder), 500).await) };
    let made_up = bistro_domain::ids::Token::generate();

    let (placed, (as_address, as_device)) = tokio::join!(futures_util::future::join_all(guests), floods);
    let with_made_up_token = flood(&app, "wifi", Some(made_up.as_str()), 500).await;

    assert!(placed.iter().all(|status| *status == StatusCode::CREATED), "{placed:?}");
    let minute = bistro_api::limits::CLIENT_BUDGET.per_minute;
    assert!(as_address < minute, "the address's minute was spent on 41 issues and {as_address} carts");
    assert!(as_device < bistro_api::limits::DEVICE_BUDGET.per_minute, "one device: {as_device} carts");
    assert_eq!(with_made_up_token, 0, "a token the restaurant never issued counts as the spent address");
}

#[tokio::test]
async fn a_flood_from_one_address_leaves_another_address_at_the_same_restaurant_served() {
    let app = spawn_app_with(|config| config.rate_limit = 1000).await;
    app.restaurant_with_pizza("flooded").await;
    let minute = bistro_api::limits::CLIENT_BUDGET.per_minute;
    let (_, refused) = open_until_refused(&app, "flooded", 3 * minute).await;
    assert!(refused.is_some(), "the flood from 127.0.0.1 is refused");

    // Another client: the loopback network's 127.0.0.2, which the server sees as its own address.
    let other = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let served = other.post(format!("{}/v1/restaurants/flooded/carts", app.base)).send().await.unwrap();

    assert_eq!(served.status(), StatusCode::CREATED);
}
