//! The local server under load: a separate process on loopback, driven by 64 keep-alive
//! connections from this one, each scenario for a fixed time.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::fixture::{self, Access, Api, SLUG};

pub const CONNECTIONS: usize = 64;

const MENU_READS_PER_SECOND: f64 = 20_000.0;
const MENU_P99_MS: f64 = 5.0;
const ORDERS_PER_SECOND: f64 = 1_700.0;
const ORDER_P99_MS: f64 = 10.0;
const PEAK_MEMORY_MB: f64 = 35.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    MenuRead,
    CartUpdate,
    Order,
    Booking,
}

impl Scenario {
    const ALL: [Self; 4] = [Self::MenuRead, Self::CartUpdate, Self::Order, Self::Booking];

    fn name(self) -> &'static str {
        match self {
            Self::MenuRead => "menu read",
            Self::CartUpdate => "cart update",
            Self::Order => "cart add + order placement",
            Self::Booking => "reservation booking",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub seconds: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    /// What the scenario completes: reads, updates, orders or bookings per second.
    pub completed_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    /// The server's CPU time per request, in milliseconds of one core.
    pub server_cpu_ms_per_request: f64,
    /// The load generator's (this process's) CPU time per request: the rest of the machine.
    #[serde(default)]
    pub generator_cpu_ms_per_request: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Load {
    pub connections: usize,
    pub scenarios: Vec<ScenarioResult>,
    pub peak_memory_mb: f64,
    pub orders_placed: u64,
    pub orders_stored: u64,
    pub orders_stored_twice: u64,
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(Self { sender })
    }

    /// Sends a request and collects the answer's bytes, unparsed: the load generator shares the
    /// two cores with the server, so it reads JSON only where it needs a value from it.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        auth: Access<'_>,
        body: Option<&Value>,
    ) -> Result<Bytes, String> {
        let mut request = hyper::Request::builder().method(method).uri(path).header("host", "127.0.0.1");
        if let Some(token) = auth.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = auth.idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Full::new(Bytes::from(body.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body).map_err(|e| e.to_string())?;
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self.sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {}", String::from_utf8_lossy(&bytes)));
        }
        Ok(bytes)
    }

    /// Sends a request and reads from the answer only the fields `T` names.
    async fn send_json<T: DeserializeOwned>(
        &mut self,
        method: &str,
        path: &str,
        auth: Access<'_>,
        body: Option<&Value>,
    ) -> Result<T, String> {
        let bytes = self.send(method, path, auth, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: unexpected answer: {e}"))
    }
}

/// The fields of answers the load reads back.
#[derive(Deserialize)]
struct OpenedCart {
    token: String,
}

#[derive(Deserialize)]
struct PlacedOrder {
    order: OrderId,
}

#[derive(Deserialize)]
struct OrderId {
    id: String,
}

/// Setup goes through one connection, one request at a time.
struct Setup(tokio::sync::Mutex<Connection>);

impl Api for Setup {
    async fn call(&self, method: &str, path: &str, auth: Access<'_>, body: Option<Value>) -> Result<Value, String> {
        let bytes = self.0.lock().await.send(method, path, auth, body.as_ref()).await?;
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    completed: u64,
    orders: Vec<String>,
}

impl Tally {
    async fn timed<T>(&mut self, request: impl Future<Output = Result<T, String>>) -> Option<T> {
        let started = Instant::now();
        let outcome = request.await;
        self.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        match outcome {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors += 1;
                self.first_error.get_or_insert(error);
                None
            }
        }
    }
}

/// One connection's loop until the deadline.
async fn drive(scenario: Scenario, addr: SocketAddr, worker: usize, until: Instant) -> Result<Tally, String> {
    let mut connection = Connection::open(addr).await?;
    let mut tally = Tally::default();
    let base = format!("/v1/restaurants/{SLUG}");
    // The cart this connection keeps changing, for the cart-update scenario.
    let mut cart = String::new();
    if scenario == Scenario::CartUpdate {
        let opened: OpenedCart = connection.send_json("POST", &format!("{base}/carts"), Access::none(), None).await?;
        cart = opened.token;
        connection
            .send("POST", &format!("{base}/carts/{cart}/lines"), Access::none(), Some(&fixture::line(worker, 1)))
            .await?;
    }
    let tomorrow = bistro_domain::jiff::Timestamp::now()
        .checked_add(bistro_domain::jiff::SignedDuration::from_hours(24))
        .map_err(|e| e.to_string())?;
    let first_slot = tomorrow.as_second() - tomorrow.as_second() % 1800;
    let mut iteration: usize = 0;
    while Instant::now() < until {
        iteration += 1;
        match scenario {
            Scenario::MenuRead => {
                if tally.timed(connection.send("GET", &format!("{base}/menu"), Access::none(), None)).await.is_some() {
                    tally.completed += 1;
                }
            }
            Scenario::CartUpdate => {
                let line = fixture::line(worker, 1 + (iteration % 3) as u32);
                let path = format!("{base}/carts/{cart}/lines/0");
                if tally.timed(connection.send("PUT", &path, Access::none(), Some(&line))).await.is_some() {
                    tally.completed += 1;
                }
            }
            Scenario::Order => {
                let Some(opened) = tally
                    .timed(connection.send_json::<OpenedCart>("POST", &format!("{base}/carts"), Access::none(), None))
                    .await
                else {
                    continue;
                };
                let token = opened.token;
                let line = fixture::line(worker + iteration, 1);
                let path = format!("{base}/carts/{token}/lines");
                if tally.timed(connection.send("POST", &path, Access::none(), Some(&line))).await.is_none() {
                    continue;
                }
                let key = format!("load-{worker}-{iteration}");
                let order = fixture::order_request(&token);
                let path = format!("{base}/orders");
                let placed = connection.send_json::<PlacedOrder>("POST", &path, Access::key(&key), Some(&order));
                if let Some(placed) = tally.timed(placed).await {
                    tally.completed += 1;
                    tally.orders.push(placed.order.id);
                }
            }
            Scenario::Booking => {
                // Spread over the grid so that no slot fills: every connection walks its own slots.
                let slot = first_slot + 1800 * ((iteration * CONNECTIONS + worker) % (300 * 48)) as i64;
                let starts_at = bistro_domain::jiff::Timestamp::from_second(slot).map_err(|e| e.to_string())?;
                // A guest holds at most five bookings a day: each booking is another guest's.
                let phone = format!("+49 30 {worker:03} {iteration:06}");
                let booking = json!({"starts_at": starts_at.to_string(), "party": 2, "contact": {"name": "Grace", "phone": phone}});
                let key = format!("booking-{worker}-{iteration}");
                let path = format!("{base}/reservations");
                let booked = connection.send("POST", &path, Access::key(&key), Some(&booking));
                if tally.timed(booked).await.is_some() {
                    tally.completed += 1;
                }
            }
        }
    }
    Ok(tally)
}

/// The server process's CPU time so far, in seconds (user + system).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks per second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// The server's peak resident memory so far (VmHWM), in MB.
fn peak_memory_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1000.0)
}

async fn run_scenario(
    scenario: Scenario,
    addr: SocketAddr,
    pid: u32,
    duration: Duration,
) -> Result<(ScenarioResult, Vec<String>), String> {
    let cpu_before = cpu_seconds(pid);
    let generator_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    let until = started + duration;
    let workers: Vec<_> = (0..CONNECTIONS).map(|w| tokio::spawn(drive(scenario, addr, w, until))).collect();
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await.map_err(|e| e.to_string())??;
        all.latencies_us.extend(tally.latencies_us);
        all.errors += tally.errors;
        all.completed += tally.completed;
        all.orders.extend(tally.orders);
        if all.first_error.is_none() {
            all.first_error = tally.first_error;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    let generator_cpu = cpu_seconds(std::process::id()) - generator_before;
    if let Some(error) = &all.first_error {
        eprintln!("{}: {} errors, the first: {error}", scenario.name(), all.errors);
    }
    all.latencies_us.sort_unstable();
    let quantile = |q: f64| {
        let index = ((all.latencies_us.len() as f64 * q).ceil() as usize).saturating_sub(1);
        all.latencies_us.get(index).map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    let requests = all.latencies_us.len() as u64;
    let result = ScenarioResult {
        name: scenario.name().to_owned(),
        seconds,
        requests,
        requests_per_second: requests as f64 / seconds,
        completed_per_second: all.completed as f64 / seconds,
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
        max_ms: quantile(1.0),
        errors: all.errors,
        server_cpu_ms_per_request: cpu * 1000.0 / requests.max(1) as f64,
        generator_cpu_ms_per_request: generator_cpu * 1000.0 / requests.max(1) as f64,
    };
    Ok((result, all.orders))
}

/// The local server, started from its release binary on a free port with an empty data directory.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server with `args` besides its address, data directory and no rate limit.
pub async fn start_server(binary: &Path, args: &[&str]) -> Result<Server, String> {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let data = tempfile::Builder::new().prefix("bistro-bench-").tempdir().map_err(|e| e.to_string())?;
    let child = Command::new(binary)
        .args(["--addr", &addr.to_string(), "--rate-limit", "0", "--data"])
        .arg(data.path())
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("cannot start {}: {e}; build it with `cargo build --release -p bistro-local`", binary.display())
        })?;
    let server = Server { child, addr, _data: data };
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        if Instant::now() > deadline {
            return Err("the local server did not listen within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(server)
}

/// Every order of the bench restaurant's days, by id, read back through the API.
async fn stored_orders(setup: &Setup, token: &str, dates: &HashSet<String>) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for date in dates {
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_ref().map_or_else(String::new, |c| format!("&cursor={c}"));
            let path = format!("/v1/restaurants/{SLUG}/orders?date={date}&limit=100{after}");
            let page = setup.call("GET", &path, Access::staff(token), None).await?;
            ids.extend(
                page["orders"].as_array().into_iter().flatten().filter_map(|o| o["id"].as_str().map(str::to_owned)),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
    }
    Ok(ids)
}

pub async fn measure(binary: &Path, duration: Duration) -> Result<Load, String> {
    let server = start_server(binary, &["--no-demo"]).await?;
    let pid = server.child.id();
    let setup = Setup(tokio::sync::Mutex::new(Connection::open(server.addr).await?));
    let token = fixture::seed(&setup).await?;
    let mut scenarios = Vec::new();
    let mut placed = Vec::new();
    for scenario in Scenario::ALL {
        let (result, orders) = run_scenario(scenario, server.addr, pid, duration).await?;
        eprintln!(
            "{}: {:.0} req/s, p99 {:.2} ms, {} errors",
            result.name, result.requests_per_second, result.p99_ms, result.errors
        );
        scenarios.push(result);
        placed.extend(orders);
    }
    let peak = peak_memory_mb(pid);
    let today = bistro_domain::jiff::Zoned::now()
        .with_time_zone(bistro_domain::jiff::tz::TimeZone::get("Europe/Berlin").map_err(|e| e.to_string())?)
        .date();
    let dates: HashSet<String> = [today.yesterday(), Ok(today), today.tomorrow()]
        .into_iter()
        .filter_map(Result::ok)
        .map(|d| d.to_string())
        .collect();
    let stored = stored_orders(&setup, &token, &dates).await?;
    let distinct: HashSet<&String> = stored.iter().collect();
    let placed_set: HashSet<&String> = placed.iter().collect();
    if !placed_set.is_subset(&distinct) {
        return Err(format!("{} placed orders are missing from the store", placed_set.difference(&distinct).count()));
    }
    Ok(Load {
        connections: CONNECTIONS,
        scenarios,
        peak_memory_mb: peak,
        orders_placed: placed.len() as u64,
        orders_stored: distinct.len() as u64,
        orders_stored_twice: (stored.len() - distinct.len()) as u64,
    })
}

pub fn section(load: &Load) -> String {
    let mut out = format!(
        "## The local server under load\n\n`bistro-local` (release build, SQLite file, rate limit off) on loopback, driven by {} keep-alive connections from the bench process on the same 2 cores. Latency is per request, as the client saw it; server and generator CPU are the user + system time of each process per request.\n\n",
        load.connections
    );
    out += "| scenario | seconds | requests/s | completed/s | p50 ms | p99 ms | max ms | errors | server CPU ms/request | generator CPU ms/request |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for s in &load.scenarios {
        out += &format!(
            "| {} | {:.1} | {:.0} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {:.3} | {:.3} |\n",
            s.name,
            s.seconds,
            s.requests_per_second,
            s.completed_per_second,
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.errors,
            s.server_cpu_ms_per_request,
            s.generator_cpu_ms_per_request
        );
    }
    let find = |scenario: Scenario| load.scenarios.iter().find(|s| s.name == scenario.name());
    out += &format!(
        "\nPeak memory of the server (VmHWM): {:.1} MB. Orders placed: {}; stored: {}; stored twice: {}.\n\n",
        load.peak_memory_mb, load.orders_placed, load.orders_stored, load.orders_stored_twice
    );
    out += "Budgets:\n";
    if let Some(menu) = find(Scenario::MenuRead) {
        out += &format!(
            "- menu read ≥ {MENU_READS_PER_SECOND} req/s: {}; p99 < {MENU_P99_MS} ms: {}\n",
            crate::report::verdict_at_least(menu.requests_per_second, MENU_READS_PER_SECOND),
            crate::report::verdict(menu.p99_ms, MENU_P99_MS)
        );
    }
    if let Some(order) = find(Scenario::Order) {
        out += &format!(
            "- orders ≥ {ORDERS_PER_SECOND}/s: {}; p99 < {ORDER_P99_MS} ms: {}\n",
            crate::report::verdict_at_least(order.completed_per_second, ORDERS_PER_SECOND),
            crate::report::verdict(order.p99_ms, ORDER_P99_MS)
        );
    }
    let errors: u64 = load.scenarios.iter().map(|s| s.errors).sum();
    out += &format!(
        "- peak memory ≤ {PEAK_MEMORY_MB} MB: {}\n",
        crate::report::verdict(load.peak_memory_mb, PEAK_MEMORY_MB)
    );
    out += &format!(
        "- no errors: {}\n",
        if errors == 0 { "met".to_owned() } else { format!("**missed: {errors} errors**") }
    );
    out += &format!(
        "- every placed order stored exactly once: {}\n\n",
        if load.orders_placed == load.orders_stored && load.orders_stored_twice == 0 { "met" } else { "**missed**" }
    );
    for scenario in [Scenario::MenuRead, Scenario::Order].into_iter().filter_map(find) {
        let (rate, p99) = match scenario.name.as_str() {
            "menu read" => (MENU_READS_PER_SECOND, MENU_P99_MS),
            _ => (ORDERS_PER_SECOND, ORDER_P99_MS),
        };
        if scenario.completed_per_second >= rate && scenario.p99_ms < p99 {
            continue;
        }
        let mean_ms = CONNECTIONS as f64 * 1000.0 / scenario.requests_per_second.max(1.0);
        let cores = scenario.requests_per_second * scenario.server_cpu_ms_per_request / 1000.0;
        let generator_cores = scenario.requests_per_second * scenario.generator_cpu_ms_per_request / 1000.0;
        let needed = CONNECTIONS as f64 * 1000.0 / p99;
        out += &format!(
            "Why {} misses: {:.3} ms of server CPU per request at {:.0} requests/s is {cores:.2} cores, and the load generator takes {generator_cores:.2} more, of 2. ",
            scenario.name, scenario.server_cpu_ms_per_request, scenario.requests_per_second,
        );
        out += &if scenario.requests_per_second < needed {
            format!(
                "Every read and write of the store goes through the server's one SQLite connection, one at a time, so the server cannot use the second core. With {CONNECTIONS} connections each request also waits behind the others: the mean latency is {CONNECTIONS} ÷ requests/s = {mean_ms:.1} ms, so p99 < {p99} ms needs more than {needed:.0} requests/s, whatever the spread.\n\n"
            )
        } else {
            format!(
                "The rate is enough for the mean latency ({CONNECTIONS} ÷ requests/s = {mean_ms:.1} ms); the tail is the two cores being full, server and generator taking turns, and the slowest request took {:.1} ms.\n\n",
                scenario.max_ms
            )
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu_reads(requests_per_second: f64, p99_ms: f64) -> Load {
        let scenario = ScenarioResult {
            name: Scenario::MenuRead.name().to_owned(),
            seconds: 15.0,
            requests: 1000,
            requests_per_second,
            completed_per_second: requests_per_second,
            p50_ms: 2.0,
            p99_ms,
            max_ms: 104.2,
            errors: 0,
            server_cpu_ms_per_request: 0.044,
            generator_cpu_ms_per_request: 0.022,
        };
        Load {
            connections: CONNECTIONS,
            scenarios: vec![scenario],
            peak_memory_mb: 30.0,
            orders_placed: 0,
            orders_stored: 0,
            orders_stored_twice: 0,
        }
    }

    #[test]
    fn a_tail_missed_at_a_rate_ample_for_the_mean_latency_is_put_down_to_full_cores() {
        let report = section(&menu_reads(28_144.0, 5.25));

        assert!(report.contains("the tail is the two cores being full"), "{report}");
        assert!(!report.contains("needs more than"), "{report}");
    }

    #[test]
    fn a_tail_missed_at_too_low_a_rate_is_put_down_to_queueing_behind_one_connection() {
        let report = section(&menu_reads(10_000.0, 7.0));

        assert!(report.contains("p99 < 5 ms needs more than 12800 requests/s"), "{report}");
    }
}
