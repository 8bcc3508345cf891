//! Sales reports: a business day's orders, revenue and tax from the stored orders, by hour in the
//! restaurant's zone (a day with 25 hours included), and as CSV.

use std::sync::Arc;

use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::date;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::IdempotencyKey;
use bistro_store::{Repos, Store};
use bistro_testkit::fixtures;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_problem, json_of, spawn_app};

/// Orders placed at `instants` on 2026-10-25 (Berlin), written straight into the server's database
/// as the API stores them (the API places orders only now).
async fn orders_on_the_night_the_clocks_go_back(data: &std::path::Path, slug: &str, instants: &[&str]) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&data.join("bistro.db")).unwrap());
    let repos = Repos::new(store);
    for (n, instant) in instants.iter().enumerate() {
        let mut new = fixtures::new_order(slug, date(2026, 10, 25));
        new.placed_at = instant.parse::<Timestamp>().unwrap();
        let key = IdempotencyKey { key: format!("dst-{n}"), fingerprint: "f".into() };
        // Served: an order sells once the restaurant accepted it.
        let mut order = fixtures::place(&repos.orders, &key, new).await.unwrap().value;
        order.state = bistro_domain::order::OrderState::Completed;
        order.version += 1;
        repos.orders.save(&order).await.unwrap();
    }
}

#[tokio::test]
async fn orders_nobody_accepted_are_not_revenue_and_are_shown_apart() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("waiting").await;
    let cart = app.cart_with_pizza("waiting", 1).await;
    assert_eq!(app.place("waiting", &cart, "w").await.status(), StatusCode::CREATED);

    let report = json_of(app.get("/v1/restaurants/waiting/orders/report", Some(&owner)).await).await;

    let sales = &report["sales"];
    assert_eq!((sales["orders"].as_u64(), sales["revenue"]["minor"].as_i64()), (Some(0), Some(0)));
    assert_eq!((sales["unaccepted"].as_u64(), sales["unaccepted_total"]["minor"].as_i64()), (Some(1), Some(900)));
}

#[tokio::test]
async fn a_day_with_twenty_five_hours_reports_both_hours_that_start_at_two() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("autumn").await;
    // 00:30 UTC is 02:30 CEST; 01:10 and 01:50 UTC are 02:10 and 02:50 CET.
    orders_on_the_night_the_clocks_go_back(
        app.data_dir(),
        "autumn",
        &["2026-10-25T00:30:00Z", "2026-10-25T01:10:00Z", "2026-10-25T01:50:00Z"],
    )
    .await;

    let report = json_of(app.get("/v1/restaurants/autumn/orders/report?from=2026-10-25", Some(&owner)).await).await;

    let sales = &report["sales"];
    assert_eq!(sales["orders"], 3);
    assert_eq!(sales["revenue"], json!({"minor": 2700, "currency": "EUR"}));
    assert_eq!(sales["average"], json!({"minor": 900, "currency": "EUR"}));
    assert_eq!(sales["tax"], json!([{"rate": 1900, "amount": {"minor": 432, "currency": "EUR"}}]));
    let hours: Vec<(String, u64)> = sales["by_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["local"].as_str().unwrap().to_owned(), h["orders"].as_u64().unwrap()))
        .collect();
    assert_eq!(hours, vec![("02:00+02:00".to_owned(), 1), ("02:00+01:00".to_owned(), 2)]);
}

#[tokio::test]
async fn the_report_counts_what_was_accepted_today_and_cancelled_orders_apart_and_its_csv_has_a_row_each() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("ledger").await;
    let mut placed = Vec::new();
    for key in ["a", "b", "c"] {
        let cart = app.cart_with_pizza("ledger", 2).await;
        placed.push(json_of(app.place("ledger", &cart, key).await).await);
    }
    let (id, token) = (placed[0]["order"]["id"].as_str().unwrap(), placed[0]["token"].as_str().unwrap());
    let cancel = app
        .request(Method::POST, &format!("/v1/restaurants/ledger/orders/{id}/cancel?token={token}"), None)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    for sold in &placed[1..] {
        let path = format!("/v1/restaurants/ledger/orders/{}/transitions", sold["order"]["id"].as_str().unwrap());
        let accepted = app.send(Method::POST, &path, Some(&owner), &json!({"to": "accepted"})).await;
        assert_eq!(accepted.status(), StatusCode::OK);
    }

    let report = json_of(app.get("/v1/restaurants/ledger/orders/report", Some(&owner)).await).await;

    assert_eq!((report["sales"]["orders"].as_u64(), report["sales"]["cancelled"].as_u64()), (Some(2), Some(1)));
    assert_eq!(report["sales"]["revenue"]["minor"], 2 * 1800);
    assert_eq!(report["sales"]["by_item"][0]["quantity"], 4);
    let csv = app.get("/v1/restaurants/ledger/orders/report?format=csv", Some(&owner)).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(
        rows[0].ends_with(
            ",subtotal,delivery_fee,tax,tax_rate_percent,total,paid_by,payment_method,tip,platform_fee,customer,phone,lines"
        ),
        "{text}"
    );
    assert!(rows[1].contains(",1,") && rows[1].contains(",cancelled,EUR,18.00,"), "{text}");
    assert!(rows[2].ends_with(",EUR,18.00,0,2.87,19,18.00,at_restaurant,,,,Ada,,2 x Pizza (Regular)"), "{text}");
}

#[tokio::test]
async fn a_report_over_more_than_a_month_or_backwards_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("range").await;
    for query in ["from=2026-10-01&to=2026-11-15", "from=2026-10-05&to=2026-10-01"] {
        let response = app.get(&format!("/v1/restaurants/range/orders/report?{query}"), Some(&owner)).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_range").await;
    }
}

#[tokio::test]
async fn kitchen_staff_cannot_read_the_report() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("secret").await;
    let (cook, _) = app.hire("secret", &owner, "staff").await;
    let response = app.get("/v1/restaurants/secret/orders/report", Some(&cook)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
