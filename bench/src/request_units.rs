//! DynamoDB request units of one complete order, through the real API over a metering store.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use bistro_api::auth::Auth;
use bistro_api::{AppState, api};
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::metered::{Metered, Units};

/// The budget of issue #8 for one complete order.
const BUDGET_WRITE: f64 = 45.0;
const BUDGET_READ: f64 = 12.0;
const BUDGET_ITEM_BYTES: u64 = 2048;

/// One complete order: how often each operation happens in it.
const ORDER: [(&str, u32); 5] =
    [("open cart", 1), ("cart update", 10), ("place order", 1), ("order status read", 5), ("state change", 4)];

#[derive(Debug, Serialize)]
pub struct Operation {
    pub name: String,
    pub count: u32,
    pub read: f64,
    pub write: u64,
    pub index_write: u64,
    pub largest_item: u64,
}

#[derive(Debug, Serialize)]
pub struct RequestUnits {
    pub operations: Vec<Operation>,
    pub total_read: f64,
    pub total_write: u64,
    pub total_index_write: u64,
    pub largest_item: u64,
}

struct Client {
    app: axum::Router,
}

impl Client {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let request = match body {
            Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .map_err(|e| e.to_string())?;
        let response = self.app.clone().oneshot(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.map_err(|e| e.to_string())?;
        if !status.is_success() && status != StatusCode::NO_CONTENT {
            return Err(format!("{method} {path}: {status} {}", String::from_utf8_lossy(&bytes)));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

pub async fn measure() -> Result<RequestUnits, Box<dyn std::error::Error>> {
    let metered = Arc::new(Metered::new(Arc::new(SqliteStore::in_memory()?)));
    let state = AppState::new(metered.clone(), Auth::new(b"bench secret, long enough for HS256 signing")?);
    let client = Client { app: api(state) };
    let slug = "bench";
    let day = json!([{"opens": "00:00", "closes": "00:00"}]);
    let restaurant = json!({
        "slug": slug, "name": "Bench", "currency": "EUR", "time_zone": "Europe/Berlin",
        "hours": {"weekly": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day}},
        "order_kinds": {"dine_in": true, "pickup": true, "delivery": true}, "tables": ["1", "2", "3"],
        "tax": {"rate": 1900, "mode": "inclusive"},
        "reservations": {"slot_minutes": 30, "seating_minutes": 90, "covers_per_slot": 20, "party_min": 1, "party_max": 8, "lead_minutes": 0, "horizon_days": 60}
    });
    metered.charge_to("setup");
    let owner = client.call("POST", "/v1/restaurants", None, None, Some(json!({"restaurant": restaurant, "owner": {"email": "o@bench.test", "name": "O", "password": "bench password 123"}}))).await?;
    let token = owner["session"]["token"].as_str().unwrap_or_default().to_owned();
    client
        .call(
            "POST",
            "/v1/restaurants/bench/menu/categories",
            Some(&token),
            None,
            Some(json!({"id": "mains", "name": "Mains", "position": 1})),
        )
        .await?;
    let eur = |minor: i64| json!({"minor": minor, "currency": "EUR"});
    for n in 0..20 {
        let item = json!({"id": format!("dish-{n}"), "item": {"category": "mains", "name": format!("Dish number {n}"), "description": "A typical dish description of a few words.",
            "price": eur(900 + n), "allergens": ["gluten", "milk"],
            "option_groups": [{"id": "size", "name": "Size", "min_choices": 1, "max_choices": 1,
                "options": [{"id": "regular", "name": "Regular", "price_delta": eur(0)}, {"id": "large", "name": "Large", "price_delta": eur(300)}]}]}});
        client.call("POST", "/v1/restaurants/bench/menu/items", Some(&token), None, Some(item)).await?;
    }
    metered.take();

    metered.charge_to("open cart");
    let cart = client.call("POST", "/v1/restaurants/bench/carts", None, None, None).await?;
    let cart_token = cart["token"].as_str().unwrap_or_default().to_owned();
    metered.charge_to("cart update");
    for n in 0..10 {
        let line =
            json!({"item": format!("dish-{n}"), "choices": [{"group": "size", "option": "large"}], "quantity": 1});
        client.call("POST", &format!("/v1/restaurants/bench/carts/{cart_token}/lines"), None, None, Some(line)).await?;
    }
    metered.charge_to("place order");
    let placed = client
        .call(
            "POST",
            "/v1/restaurants/bench/orders",
            None,
            Some("bench-1"),
            Some(json!({"cart": cart_token, "kind": {"type": "dine_in", "table": "2"}, "customer": {"name": "Ada"}})),
        )
        .await?;
    let (id, order_token) = (
        placed["order"]["id"].as_str().unwrap_or_default().to_owned(),
        placed["token"].as_str().unwrap_or_default().to_owned(),
    );
    metered.charge_to("order status read");
    for _ in 0..5 {
        client.call("GET", &format!("/v1/restaurants/bench/orders/{id}?token={order_token}"), None, None, None).await?;
    }
    metered.charge_to("state change");
    for to in ["accepted", "preparing", "ready", "completed"] {
        client
            .call(
                "POST",
                &format!("/v1/restaurants/bench/orders/{id}/transitions"),
                Some(&token),
                None,
                Some(json!({"to": to})),
            )
            .await?;
    }
    let used: BTreeMap<String, Units> = metered.take();

    let operations: Vec<Operation> = ORDER
        .iter()
        .map(|(name, count)| {
            let units = used.get(*name).copied().unwrap_or_default();
            Operation {
                name: (*name).to_owned(),
                count: *count,
                read: units.read(),
                write: units.write,
                index_write: units.index_write,
                largest_item: units.largest_item,
            }
        })
        .collect();
    Ok(RequestUnits {
        total_read: operations.iter().map(|o| o.read).sum(),
        total_write: operations.iter().map(|o| o.write).sum(),
        total_index_write: operations.iter().map(|o| o.index_write).sum(),
        largest_item: operations.iter().map(|o| o.largest_item).max().unwrap_or(0),
        operations,
    })
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

pub fn report(units: &RequestUnits) -> String {
    let mut out = String::from(
        "# Performance\n\nWritten by `cargo run --release -p bistro-bench`; the same figures are in `performance.json`.\n\n",
    );
    out += &format!("Measured {} on {}.\n\n", bistro_domain::jiff::Timestamp::now().strftime("%Y-%m-%d"), machine());
    out += "## DynamoDB request units of one complete order\n\n";
    out += "Computed from the items each operation actually reads and writes, through the real API over a metering store: ";
    out += "1 write unit per KB (rounded up, on the larger of old and new item), 1 read unit per 4 KB strongly consistent ";
    out += "(half from an index), transactions twice. Index writes are shown apart: DynamoDB bills them too.\n\n";
    out += "| operation | times | read units | write units | index write units | largest item (bytes) |\n|---|---:|---:|---:|---:|---:|\n";
    for o in &units.operations {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            o.name, o.count, o.read, o.write, o.index_write, o.largest_item
        );
    }
    out += &format!(
        "| **total** | | **{}** | **{}** | **{}** | **{}** |\n\n",
        units.total_read, units.total_write, units.total_index_write, units.largest_item
    );
    out += &format!(
        "Budget (issue #8): ≤ {BUDGET_WRITE} write units: **{}** ({} table + {} index = {}); ≤ {BUDGET_READ} read units: **{}** ({}); every item ≤ {BUDGET_ITEM_BYTES} bytes: **{}** ({}).\n",
        verdict((units.total_write + units.total_index_write) as f64 <= BUDGET_WRITE),
        units.total_write,
        units.total_index_write,
        units.total_write + units.total_index_write,
        verdict(units.total_read <= BUDGET_READ),
        units.total_read,
        verdict(units.largest_item <= BUDGET_ITEM_BYTES),
        units.largest_item,
    );
    out
}

/// The processor and core count, for the report's header.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!("{cores} cores ({})", model.unwrap_or_else(|| "unknown processor".into()))
}
