//! DynamoDB request units of one complete order paid online (issue #39), through the real API over
//! a metering store, with the fake Stripe standing in for Stripe: what paying online adds to the
//! order the budget is set for.

use std::sync::Arc;

use axum::http::HeaderValue;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use bistro_api::auth::Auth;
use bistro_api::payments::{GivenSecrets, PaymentSettings};
use bistro_api::{AppState, api};
use bistro_payments::fake::FakeStripe;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::metered::Metered;

use crate::fixture::{self, Access, Api};
use crate::request_units::{InProcess, Operation, table};

const KEY: &str = "sk_test_bench";
const SECRET: &str = "whsec_bench";

/// One complete order paid online: how often each operation happens in it.
const ORDER: [(&str, u32); 7] = [
    ("open cart", 1),
    ("cart update", 10),
    ("open a checkout (pay online)", 1),
    ("Stripe confirms the payment (webhook)", 1),
    ("checkout status read", 1),
    ("order status read", 4),
    ("state change (accepting captures)", 4),
];

#[derive(Debug, Serialize, Deserialize)]
pub struct PaidOrder {
    pub operations: Vec<Operation>,
    pub total_read: f64,
    pub total_write: u64,
    pub total_index_write: u64,
    pub largest_item: u64,
    /// Calls to Stripe's API one order makes (the checkout opened, the payment read, the capture).
    #[serde(default)]
    pub stripe_calls: u32,
    /// One run of the hourly reconciliation over the restaurant's account after the orders.
    #[serde(default)]
    pub reconcile: Option<ReconcileRun>,
}

/// What one reconciliation run spent: its checkouts judged, DynamoDB and Stripe calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReconcileRun {
    pub accounts: u32,
    pub sessions: u32,
    pub read: f64,
    pub write: u64,
    pub calls: u64,
    pub stripe_calls: u32,
}

/// The API's three instances: the cart's, the orders function's and the payments function's.
struct Instances {
    client: InProcess,
    orders: InProcess,
    payments: InProcess,
}

pub async fn measure() -> Result<PaidOrder, Box<dyn std::error::Error>> {
    let metered = Arc::new(Metered::new(Arc::new(SqliteStore::in_memory()?)));
    let keys = bistro_api::signing::KeyRing::generate()?;
    let fake = FakeStripe::start(KEY, SECRET).await?;
    let guest = bistro_api::limits::ClientAddress("203.0.113.7".into());
    let state = |paying: bool| -> Result<AppState, Box<dyn std::error::Error>> {
        let mut state = AppState::new(metered.clone(), Auth::with_key_ring(&keys)?)
            .with_session_cache(std::time::Duration::from_secs(60));
        if paying {
            let secrets = GivenSecrets { api_key: KEY.into(), webhook_secret: SECRET.into() };
            let fees = bistro_domain::payment::PlatformFees::parse("EUR:30+1.5%")?;
            state = state.with_payments(PaymentSettings::new(
                &fake.base,
                fees,
                Some("https://bench.test".into()),
                Arc::new(secrets),
            ));
        }
        Ok(state)
    };
    let instance = |paying: bool| -> Result<InProcess, Box<dyn std::error::Error>> {
        Ok(InProcess::new(api(state(paying)?).layer(axum::Extension(guest.clone()))))
    };
    let apis = Instances { client: instance(false)?, orders: instance(true)?, payments: instance(true)? };
    metered.charge_to("setup");
    let owner = fixture::seed(&apis.client).await?;
    let account = take_payments_online(&apis, &fake, &owner).await?;
    let paying = Paying { fake: &fake, account: &account, owner: &owner };
    metered.take();
    // The first order warms the instances (their caches of settings, menu, event counter).
    paid_order(&apis, &paying, &metered, "first: ").await?;
    let calls_before = fake.requests().len();
    paid_order(&apis, &paying, &metered, "").await?;
    let stripe_calls = u32::try_from(fake.requests().len() - calls_before)?;
    let used = metered.take();
    let operations: Vec<Operation> =
        ORDER.iter().map(|(name, count)| Operation::measured(&used, name, *count)).collect();
    let (_, (total_read, total_write, total_index_write, largest_item)) = table(&operations);
    let reconcile = Some(reconcile_run(&state(true)?, &metered, &fake).await?);
    Ok(PaidOrder { total_read, total_write, total_index_write, largest_item, operations, stripe_calls, reconcile })
}

/// One reconciliation run on a fresh instance over the restaurant's checkouts (all in order).
async fn reconcile_run(
    state: &AppState,
    metered: &Metered,
    fake: &FakeStripe,
) -> Result<ReconcileRun, Box<dyn std::error::Error>> {
    let calls_before = fake.requests().len();
    metered.charge_to("reconcile");
    let done = bistro_api::reconcile::reconcile(state, bistro_domain::jiff::Timestamp::now()).await?;
    let used = Operation::measured(&metered.take(), "reconcile", 1);
    if done.mended + done.reported + done.failed > 0 {
        return Err(format!("the bench's checkouts were all in order, yet the run found: {done:?}").into());
    }
    Ok(ReconcileRun {
        accounts: done.accounts,
        sessions: done.sessions,
        read: used.read,
        write: used.write + used.index_write,
        calls: used.calls,
        stripe_calls: u32::try_from(fake.requests().len() - calls_before)?,
    })
}

/// The owner connects the restaurant's account (ready at once with the fake) and asks for payment online.
async fn take_payments_online(apis: &Instances, fake: &FakeStripe, owner: &str) -> Result<String, String> {
    let connected =
        apis.payments.call("POST", "/v1/restaurants/bench/payments/connect", Access::staff(owner), None).await?;
    let link = connected["continue_url"].as_str().unwrap_or_default();
    let account = link.split("/connect/").nth(1).and_then(|rest| rest.split('?').next()).unwrap_or_default();
    fake.finish_onboarding(account).await;
    apis.payments.call("POST", "/v1/restaurants/bench/payments/refresh", Access::staff(owner), None).await?;
    let mut current = apis.client.call("GET", "/v1/restaurants/bench", Access::none(), None).await?;
    current["restaurant"]["payment"] = json!({"pickup": "online"});
    let update = json!({"restaurant": current["restaurant"], "version": current["version"]});
    apis.client.call("PUT", "/v1/restaurants/bench", Access::staff(owner), Some(update)).await?;
    Ok(account.to_owned())
}

/// The fake Stripe, the restaurant's account on it, and its owner's session.
struct Paying<'a> {
    fake: &'a FakeStripe,
    account: &'a str,
    owner: &'a str,
}

/// One complete order paid online, each operation charged to its name after `prefix`.
async fn paid_order(apis: &Instances, paying: &Paying<'_>, metered: &Metered, prefix: &str) -> Result<(), String> {
    let Paying { fake, account, owner } = *paying;
    let charge = |operation: &str| metered.charge_to(&format!("{prefix}{operation}"));
    charge("open cart");
    let cart = apis.client.call("POST", "/v1/restaurants/bench/carts", Access::none(), None).await?;
    let cart = cart["token"].as_str().unwrap_or_default().to_owned();
    charge("cart update");
    for n in 0..10 {
        let path = format!("/v1/restaurants/bench/carts/{cart}/lines");
        apis.client.call("POST", &path, Access::none(), Some(fixture::line(n, 1))).await?;
    }
    charge("open a checkout (pay online)");
    let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}, "pay": "online"});
    let key = format!("{}paid-order", prefix.replace([' ', ':'], ""));
    let opened = apis.orders.call("POST", "/v1/restaurants/bench/orders", Access::key(&key), Some(body)).await?;
    let (id, token) =
        (opened["checkout"]["id"].as_str().unwrap_or_default(), opened["token"].as_str().unwrap_or_default());
    let session = opened["checkout"]["pay_url"].as_str().and_then(|url| url.rsplit('/').next()).unwrap_or_default();
    fake.pay(session).await.ok_or("the fake's session was not open")?;
    charge("Stripe confirms the payment (webhook)");
    let object = fake.session(session).ok_or("no such session")?;
    deliver(&apis.payments, "checkout.session.completed", account, &object).await?;
    charge("checkout status read");
    apis.orders
        .call("GET", &format!("/v1/restaurants/bench/orders/{id}/checkout?token={token}"), Access::none(), None)
        .await?;
    charge("order status read");
    for _ in 0..4 {
        apis.orders
            .call("GET", &format!("/v1/restaurants/bench/orders/{id}?token={token}"), Access::none(), None)
            .await?;
    }
    charge("state change (accepting captures)");
    for to in ["accepted", "preparing", "ready", "completed"] {
        let path = format!("/v1/restaurants/bench/orders/{id}/transitions");
        apis.orders.call("POST", &path, Access::staff(owner), Some(json!({"to": to}))).await?;
    }
    Ok(())
}

/// A Stripe event about `object`, signed as Stripe signs it, to the payments function.
async fn deliver(payments: &InProcess, kind: &str, account: &str, object: &Value) -> Result<(), String> {
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    let event = json!({"id": format!("evt_{}", object["id"].as_str().unwrap_or_default()), "object": "event", "type": kind,
        "created": now, "account": account, "data": {"object": object}});
    let body = event.to_string();
    let mut request = InProcess::request("POST", "/v1/payments/stripe/events", Access::none(), Some(&event))?;
    let signature = bistro_payments::webhook::sign(SECRET, now, body.as_bytes());
    request.headers_mut().insert("stripe-signature", HeaderValue::from_str(&signature).map_err(|e| e.to_string())?);
    payments.send(request).await.map(drop)
}

/// The report's paragraph on an order paid online.
pub fn section(paid: &PaidOrder) -> String {
    let mut out = String::from(
        "One complete order **paid online** (issue #39), over the fake Stripe, on warm instances: a pickup whose checkout is opened, confirmed by Stripe's webhook, followed by its guest and accepted (which captures the payment):\n\n",
    );
    out += &table(&paid.operations).0;
    let write = paid.total_write + paid.total_index_write;
    out += &format!(
        "Against the budget of an order paid at the restaurant (≤ 60 write, ≤ 12 read units): {write} write units ({} table + {} index) and {} read units: more, by design.\n\n",
        paid.total_write, paid.total_index_write, paid.total_read
    );
    if let Some(run) = &paid.reconcile {
        out += &format!(
            "It makes {} calls to Stripe (the checkout opened, the payment read for how the guest paid, the capture). One run of the hourly reconciliation over the restaurant's account, judging its {} recent checkouts (all in order): {} Stripe call, {} DynamoDB calls, {} read and {} write units.\n\n",
            paid.stripe_calls, run.sessions, run.stripe_calls, run.calls, run.read, run.write
        );
    }
    out += "What paying online adds, and why it is spent: the checkout (the order as it will be placed, kept until Stripe confirms the payment, written with the cart's removal and rewritten as paid in the placement's own transaction, so a doubled confirmation places one order), the event's id remembered so a redelivery is answered with one read, and the reads the confirmation needs to judge the order again (settings, menu, the checkout, and both counters read afresh: the payments function seldom numbers an order, so what it remembers of them is stale, and a refused transaction is billed in full). The first state change after the confirmation is refused once on the orders function's remembered event number (the payments function wrote the placement's event) and made again: 6 of the state changes' units. An order paid at the restaurant costs what the table above says.\n\n";
    out
}
