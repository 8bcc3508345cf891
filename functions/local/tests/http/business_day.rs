//! A restaurant's business day: until its day-change time, orders and bookings belong to the day
//! before, so a service running past midnight is numbered and listed as one day.
//!
//! The clock cannot be moved in an HTTP test, so the day-change time is moved instead: at 23:59,
//! every moment of the day before it still belongs to the day before.

use bistro_domain::jiff::{Timestamp, ToSpan, tz::TimeZone};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, json_of, spawn_app};

async fn set_day_start(app: &TestApp, slug: &str, owner: &str, day_starts: &str) {
    let mut current = json_of(app.get(&format!("/v1/restaurants/{slug}"), None).await).await;
    current["restaurant"]["day_starts"] = json!(day_starts);
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    let response = app.send(Method::PUT, &format!("/v1/restaurants/{slug}"), Some(owner), &update).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

/// Berlin's business day now with the day changing at `day_starts`, as the domain counts it.
fn business_day(day_starts: (i8, i8)) -> bistro_domain::jiff::civil::Date {
    let local = Timestamp::now().to_zoned(TimeZone::get("Europe/Berlin").unwrap()).datetime();
    local.checked_sub(i64::from(day_starts.0).hours().minutes(i64::from(day_starts.1))).unwrap().date()
}

fn numbers(listing: &Value) -> Vec<u64> {
    listing["orders"].as_array().unwrap().iter().map(|o| o["number"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn an_order_before_the_day_change_is_numbered_and_listed_in_the_day_before() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("late").await;
    let cart = app.cart_with_pizza("late", 1).await;
    assert_eq!(app.place("late", &cart, "evening").await.status(), StatusCode::CREATED);
    set_day_start(&app, "late", &owner, "23:59").await;
    let evening = business_day((23, 59));
    let cart = app.cart_with_pizza("late", 1).await;

    let placed = json_of(app.place("late", &cart, "after-midnight").await).await;

    assert_eq!(placed["order"]["business_date"], evening.to_string());
    let that_day = json_of(app.get(&format!("/v1/restaurants/late/orders?date={evening}"), Some(&owner)).await).await;
    assert!(numbers(&that_day).contains(&placed["order"]["number"].as_u64().unwrap()));
    let board = json_of(app.get("/v1/restaurants/late/orders", Some(&owner)).await).await;
    assert_eq!(numbers(&board), numbers(&that_day), "the board shows the business day, not the calendar's");
}

#[tokio::test]
async fn a_booking_before_the_day_change_is_in_the_day_view_of_the_day_before() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("nightowl").await;
    set_day_start(&app, "nightowl", &owner, "23:59").await;
    let today = business_day((0, 0));
    let tomorrow = today.tomorrow().unwrap();
    // `date` is the day of service, here as in the staff's list: today's runs until tomorrow's
    // day change at 23:59, so its slots hold tomorrow 00:30.
    let slots =
        json_of(app.get(&format!("/v1/restaurants/nightowl/reservations/slots?date={today}&party=2"), None).await)
            .await;
    let half_past_midnight = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|slot| slot["local"].as_str().unwrap().starts_with(&format!("{tomorrow}T00:30")))
        .map(|slot| slot["starts_at"].clone())
        .expect("today's service offers tomorrow 00:30");
    let booking =
        json!({"starts_at": half_past_midnight, "party": 2, "contact": {"name": "Noor", "phone": "+49 30 1234"}});
    let response = app.post_keyed("/v1/restaurants/nightowl/reservations", "noor", &booking).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let booked = json_of(response).await;

    assert_eq!(booked["reservation"]["date"], today.to_string());
    let listed =
        json_of(app.get(&format!("/v1/restaurants/nightowl/reservations?date={today}"), Some(&owner)).await).await;
    assert_eq!(listed["reservations"][0]["id"], booked["reservation"]["id"]);
    let next =
        json_of(app.get(&format!("/v1/restaurants/nightowl/reservations?date={tomorrow}"), Some(&owner)).await).await;
    assert_eq!(next["reservations"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_history_of_a_day_comes_in_pages_and_by_state() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pages").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let cart = app.cart_with_pizza("pages", 1).await;
        ids.push(
            json_of(app.place("pages", &cart, &format!("k{n}")).await).await["order"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for id in &ids[..2] {
        let body = json!({"to": "rejected"});
        let response = app
            .send(Method::POST, &format!("/v1/restaurants/pages/orders/{id}/transitions"), Some(&owner), &body)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let today = business_day((5, 0));

    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/v1/restaurants/pages/orders?date={today}&limit=2{cursor}");
        let page = json_of(app.get(&path, Some(&owner)).await).await;
        assert!(page["orders"].as_array().unwrap().len() <= 2);
        seen.extend(numbers(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5], "every order of the day once, by number");
    let rejected =
        json_of(app.get(&format!("/v1/restaurants/pages/orders?date={today}&state=rejected"), Some(&owner)).await)
            .await;
    assert_eq!(numbers(&rejected), vec![1, 2]);
    let placed =
        json_of(app.get(&format!("/v1/restaurants/pages/orders?date={today}&state=placed"), Some(&owner)).await).await;
    assert_eq!(numbers(&placed), vec![3, 4, 5]);
    let yesterday = today.yesterday().unwrap();
    let before = json_of(app.get(&format!("/v1/restaurants/pages/orders?date={yesterday}"), Some(&owner)).await).await;
    assert_eq!(numbers(&before), Vec::<u64>::new());
}
