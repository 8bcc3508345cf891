//! Instructions per warm request with the store in-process (SQLite in memory, no network):
//! `bistro-bench warm OPERATION N` prepares the same inputs whatever N is, then runs the
//! operation N times; callgrind counts two runs and the difference is N₂ − N₁ requests.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde::{Deserialize, Serialize};
use serde_json::json;

use bistro_api::auth::Auth;
use bistro_api::{AppState, api};
use bistro_store::engine::sqlite::SqliteStore;

use crate::fixture::{self, Access, Api, SLUG};
use crate::request_units::InProcess;

pub const OPERATIONS: [&str; 6] =
    ["menu read", "cart update", "place order", "order status read", "state change", "book a table"];
const FEW: usize = 10;
const MANY: usize = 60;
const BUDGET: f64 = 200_000.0;
const BUDGET_WRITES: f64 = 300_000.0;

#[derive(Debug, Serialize, Deserialize)]
pub struct WarmRequest {
    pub operation: String,
    pub instructions: u64,
}

/// Inputs for up to `MANY` runs of each operation.
struct Prepared {
    staff: String,
    carts: Vec<String>,
    orders: Vec<(String, String)>,
}

async fn prepare(api: &InProcess) -> Result<Prepared, String> {
    let staff = fixture::seed(api).await?;
    let base = format!("/v1/restaurants/{SLUG}");
    let (mut carts, mut orders) = (Vec::new(), Vec::new());
    for n in 0..2 * MANY {
        let cart = api.call("POST", &format!("{base}/carts"), Access::none(), None).await?;
        let token = cart["token"].as_str().unwrap_or_default().to_owned();
        api.call("POST", &format!("{base}/carts/{token}/lines"), Access::none(), Some(fixture::line(n, 1))).await?;
        if n < MANY {
            carts.push(token);
        } else {
            let key = format!("prepare-{n}");
            let placed = api
                .call("POST", &format!("{base}/orders"), Access::key(&key), Some(fixture::order_request(&token)))
                .await?;
            orders.push((
                placed["order"]["id"].as_str().unwrap_or_default().to_owned(),
                placed["token"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    Ok(Prepared { staff, carts, orders })
}

/// Every request of `operation` a run may make, built before any is sent, so the count
/// difference between two runs holds only serving them.
fn requests(operation: &str, p: &Prepared) -> Result<Vec<Request<Body>>, String> {
    let base = format!("/v1/restaurants/{SLUG}");
    let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().map_err(|e| e.to_string())?;
    (0..MANY)
        .map(|i| {
            let cart = p.carts.get(i).ok_or("too few carts")?;
            let (order, order_token) = p.orders.get(i).ok_or("too few orders")?;
            match operation {
                "menu read" => InProcess::request("GET", &format!("{base}/menu"), Access::none(), None),
                "cart update" => InProcess::request(
                    "PUT",
                    &format!("{base}/carts/{cart}/lines/0"),
                    Access::none(),
                    Some(&fixture::line(i, 2)),
                ),
                "place order" => InProcess::request(
                    "POST",
                    &format!("{base}/orders"),
                    Access::key(&format!("warm-{i}")),
                    Some(&fixture::order_request(cart)),
                ),
                "order status read" => InProcess::request(
                    "GET",
                    &format!("{base}/orders/{order}?token={order_token}"),
                    Access::none(),
                    None,
                ),
                "state change" => InProcess::request(
                    "POST",
                    &format!("{base}/orders/{order}/transitions"),
                    Access::staff(&p.staff),
                    Some(&json!({"to": "accepted"})),
                ),
                "book a table" => {
                    // A guest books at most five tables a day: each booking is another guest's.
                    let booking = json!({"starts_at": format!("{tomorrow}T{:02}:00:00Z", i % 24), "party": 2, "contact": {"name": "Grace", "phone": format!("+49 30 5555 {i:03}")}});
                    InProcess::request(
                        "POST",
                        &format!("{base}/reservations"),
                        Access::key(&format!("warm-booking-{i}")),
                        Some(&booking),
                    )
                }
                other => Err(format!("unknown operation '{other}'")),
            }
        })
        .collect()
}

async fn run(api: &InProcess, requests: Vec<Request<Body>>, n: usize) -> Result<(), String> {
    for request in requests.into_iter().take(n) {
        api.send(request).await?;
    }
    Ok(())
}

/// The `warm` subcommand, run under callgrind by `measure`.
pub fn command(operation: &str, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let state = AppState::new(
            Arc::new(SqliteStore::in_memory()?),
            Auth::with_key_ring(&bistro_api::signing::KeyRing::generate()?)?,
        );
        let api = InProcess::new(api(state));
        let prepared = prepare(&api).await?;
        let requests = requests(operation, &prepared)?;
        if n > requests.len() {
            return Err(format!("at most {} runs", requests.len()).into());
        }
        run(&api, requests, n).await?;
        Ok(())
    })
}

async fn count(bench: &Path, operation: &str, n: usize) -> Result<u64, String> {
    let out = std::env::temp_dir().join(format!("bench-warm-{}-{n}.out", std::process::id()));
    let status = tokio::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bench)
        .args(["warm", operation, &n.to_string()])
        .stdout(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("valgrind: {e}; install it (Debian package valgrind)"))?;
    if !status.status.success() {
        let tail = String::from_utf8_lossy(&status.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" / ");
        return Err(format!("`bistro-bench warm '{operation}' {n}` under callgrind failed: {}: {tail}", status.status));
    }
    let counts = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&out);
    crate::cold_start::total_instructions(&counts).ok_or_else(|| "no totals in callgrind's output".into())
}

pub async fn measure(bench: &Path) -> Result<Vec<WarmRequest>, String> {
    let mut results = Vec::new();
    for operation in OPERATIONS {
        let (few, many) = (count(bench, operation, FEW).await?, count(bench, operation, MANY).await?);
        let instructions = many.saturating_sub(few) / (MANY - FEW) as u64;
        eprintln!("{operation}: {instructions} instructions per warm request");
        results.push(WarmRequest { operation: operation.to_owned(), instructions });
    }
    Ok(results)
}

pub fn section(warm: &[WarmRequest]) -> String {
    let mut out = format!(
        "## Instructions per warm request\n\nThe real router over an in-process store (SQLite in memory, so no network), allocating with mimalloc as the Lambda functions do, counted by callgrind: two runs that prepare the same data and then make the request {FEW} and {MANY} times; the difference divided by {}. It includes the store's own work (SQLite), routing, JSON and the domain rules. Two runs of the same code differ by up to 10 % (hash seeds and allocations differ per process): read a smaller change as noise.\n\n| operation | instructions per request |\n|---|---:|\n",
        MANY - FEW
    );
    for w in warm {
        out += &format!("| {} | {} |\n", w.operation, crate::report::thousands(w.instructions));
    }
    let most = warm.iter().map(|w| w.instructions).max().unwrap_or(0);
    out += &format!(
        "\nBudget ≤ 200 k instructions per warm request (issue #8): {} (most {}).\n",
        crate::report::verdict(most as f64, BUDGET),
        crate::report::thousands(most)
    );
    let writes: Vec<&WarmRequest> =
        warm.iter().filter(|w| ["place order", "state change"].contains(&w.operation.as_str())).collect();
    let most_writes = writes.iter().map(|w| w.instructions).max().unwrap_or(0);
    out += &format!(
        "Budget ≤ 300 k for placing an order and for a state change (issue #16): {} (most {}).\n\n",
        crate::report::verdict(most_writes as f64, BUDGET_WRITES),
        crate::report::thousands(most_writes)
    );
    out += "What the writes cost: each runs one SQLite transaction of three (a state change) to six (a placement: ticket, progress, day number, cart, event number, event) writes into an indexed table; a staff request's token is verified once per instance and then found by its text (an Ed25519 check is about half a million instructions); a state change reads and rewrites only the order's small progress item, and logs a summary of the change rather than a copy of the order.\n\n";
    out
}
