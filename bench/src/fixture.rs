//! The bench restaurant: open around the clock, 20 dishes with a size choice, room for thousands of
//! guests per slot, created through the API like a real restaurant would be.

use serde_json::{Value, json};

pub const SLUG: &str = "bench";
pub const DISHES: usize = 20;

/// One API call: the bench speaks to the router in-process or to a server over HTTP.
pub trait Api {
    /// Sends a request; a non-2xx answer is an `Err` carrying the status and body.
    async fn call(&self, method: &str, path: &str, auth: Access<'_>, body: Option<Value>) -> Result<Value, String>;
}

/// What a request carries besides its body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access<'a> {
    pub bearer: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
}

impl<'a> Access<'a> {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn staff(token: &'a str) -> Self {
        Self { bearer: Some(token), idempotency_key: None }
    }
    pub fn key(key: &'a str) -> Self {
        Self { bearer: None, idempotency_key: Some(key) }
    }
}

pub fn eur(minor: i64) -> Value {
    json!({"minor": minor, "currency": "EUR"})
}

fn restaurant() -> Value {
    let day = json!([{"opens": "00:00", "closes": "00:00"}]);
    json!({
        "slug": SLUG, "name": "Bench", "currency": "EUR", "time_zone": "Europe/Berlin",
        "hours": {"weekly": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day}},
        "order_kinds": {"dine_in": true, "pickup": true, "delivery": true}, "tables": ["1", "2", "3"],
        "tax": {"rate": 1900, "mode": "inclusive"},
        "reservations": {"slot_minutes": 30, "seating_minutes": 30, "covers_per_slot": 5000, "party_min": 1, "party_max": 8, "lead_minutes": 0, "horizon_days": 366}
    })
}

pub fn dish(n: usize) -> String {
    format!("dish-{n}")
}

/// A cart line as a guest adds it: one dish, large.
pub fn line(n: usize, quantity: u32) -> Value {
    json!({"item": dish(n % DISHES), "choices": [{"group": "size", "option": "large"}], "quantity": quantity})
}

pub fn order_request(cart: &str) -> Value {
    json!({"cart": cart, "kind": {"type": "dine_in", "table": "2"}, "customer": {"name": "Ada"}})
}

/// Creates the restaurant, its owner and its menu; returns the owner's session token.
pub async fn seed(api: &impl Api) -> Result<String, String> {
    let owner = json!({"email": "owner@bench.test", "name": "Owner", "password": "bench password 123"});
    let created = api
        .call("POST", "/v1/restaurants", Access::none(), Some(json!({"restaurant": restaurant(), "owner": owner})))
        .await?;
    let token = created["session"]["token"].as_str().ok_or("no session token")?.to_owned();
    let category = json!({"id": "mains", "name": "Mains", "position": 1});
    api.call("POST", &format!("/v1/restaurants/{SLUG}/menu/categories"), Access::staff(&token), Some(category)).await?;
    for n in 0..DISHES {
        let item = json!({"id": dish(n), "item": {"category": "mains", "name": format!("Dish number {n}"),
            "description": "A typical dish description of a few words.",
            "price": eur(900 + n as i64), "allergens": ["gluten", "milk"],
            "option_groups": [{"id": "size", "name": "Size", "min_choices": 1, "max_choices": 1,
                "options": [{"id": "regular", "name": "Regular", "price_delta": eur(0)}, {"id": "large", "name": "Large", "price_delta": eur(300)}]}]}});
        api.call("POST", &format!("/v1/restaurants/{SLUG}/menu/items"), Access::staff(&token), Some(item)).await?;
    }
    Ok(token)
}
