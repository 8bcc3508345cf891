//! Cold start of every Lambda `bootstrap`: from process start to its first `/next` (init) and to
//! its first response, against a mock Runtime API with real API Gateway events, data in moto; and
//! the instructions its init executes, counted by callgrind.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bistro_domain::restaurant::Role;
use bistro_store::Repos;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_testkit::runtime_api::RuntimeApi;
use bistro_testkit::{fixtures, moto};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const RUNS: usize = 11;
const INIT_BUDGET_MS: f64 = 5.0;
const INIT_BUDGET_INSTRUCTIONS: f64 = 3_000_000.0;

/// Each function and the event it answers: the fixtures of the Lambda tests.
pub const FUNCTIONS: [(&str, &str); 7] = [
    ("menu", "menu-get-menu"),
    ("cart", "cart-open-cart"),
    ("orders", "orders-read-unknown-order"),
    ("reservations", "reservations-free-slots"),
    ("accounts", "accounts-get-restaurant"),
    ("ws", "ws-connect-without-token"),
    ("notifier", "notifier-unrelated-records"),
];

#[derive(Debug, Serialize, Deserialize)]
pub struct ColdStart {
    pub function: String,
    pub event: String,
    pub runs: usize,
    pub init_ms_median: f64,
    pub init_ms_max: f64,
    pub first_response_ms_median: f64,
    pub first_response_ms_max: f64,
    pub status: Option<u64>,
    /// What the function wrote to its log (stdout and stderr) from start to its first response.
    pub log_bytes: u64,
    pub init_instructions: Option<u64>,
    /// Instructions of answering the event right after init (the first request, which sets up
    /// what later ones reuse), counted by callgrind like init's.
    #[serde(default)]
    pub first_request_instructions: Option<u64>,
}

pub(crate) fn event(name: &str) -> Result<Value, String> {
    let path = crate::workspace().join("tests/events").join(format!("{name}.json"));
    let mut event: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?)
            .map_err(|e| e.to_string())?;
    if name == "reservations-free-slots" {
        // Free slots are asked for tomorrow, inside the booking horizon.
        let tomorrow = bistro_domain::jiff::Zoned::now().date().tomorrow().map_err(|e| e.to_string())?.to_string();
        event["rawQueryString"] = Value::String(format!("date={tomorrow}&party=2"));
        event["queryStringParameters"]["date"] = Value::String(tomorrow);
    }
    Ok(event)
}

/// A table in moto holding the restaurant the events name.
pub(crate) async fn seeded_table() -> Result<String, String> {
    let table = moto::unique_name("bench");
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let store = DynamoStore::new(client, table.clone());
    store.create_table_if_missing().await.map_err(|e| e.to_string())?;
    let repos = Repos::new(Arc::new(store));
    let slug = fixtures::slug("lambda-test");
    repos
        .restaurants
        .create(
            &fixtures::restaurant("lambda-test"),
            &fixtures::account("lambda-test", "owner@lambda.test", Role::Owner),
        )
        .await
        .map_err(|e| e.to_string())?;
    repos.menus.put_category(&slug, &fixtures::category("mains", 1), None).await.map_err(|e| e.to_string())?;
    repos.menus.create_item(&slug, &fixtures::menu_item("pizza", 900)).await.map_err(|e| e.to_string())?;
    fixtures::accept_events_origin(&repos).await;
    Ok(table)
}

/// The environment Lambda gives a function, and the one the CDK stack sets.
pub(crate) fn lambda_command(
    program: &Path,
    runtime: &RuntimeApi,
    function: &str,
    table: &str,
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command
        .env_clear()
        .envs(runtime.lambda_environment(function))
        .env("AWS_ENDPOINT_URL_DYNAMODB", &moto::server().endpoint)
        .env("TABLE_NAME", table)
        // Names only, as the CDK stack sets them for accounts; the parameters are read when a
        // token is first issued, which none of the measured events does.
        .env("AWS_ENDPOINT_URL_SSM", &moto::server().endpoint)
        .env("BISTRO_SIGNING_KEY_PARAMETER", "/bistro/bench/signing-key")
        .env("BISTRO_SIGN_UP_CODE_PARAMETER", "/bistro/bench/sign-up-code")
        .env("WEBSOCKET_ENDPOINT", &moto::server().endpoint)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// One cold start, as it went.
struct Start {
    init_ms: f64,
    response_ms: f64,
    status: Option<u64>,
    log_bytes: u64,
}

async fn once(binary: &Path, function: &str, event: Value, table: &str) -> Result<Start, String> {
    use tokio::io::AsyncReadExt;
    let runtime = RuntimeApi::start(Some(event)).await;
    let mut command = lambda_command(binary, &runtime, function, table);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("{}: {e}", binary.display()))?;
    let answer = runtime.answer(Duration::from_secs(30)).await.ok_or_else(|| format!("{function} did not answer"))?;
    let _ = child.kill().await;
    let mut log = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_end(&mut log).await;
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_end(&mut log).await;
    }
    let ms = |at: Instant| at.duration_since(started).as_secs_f64() * 1000.0;
    Ok(Start {
        init_ms: ms(answer.first_next),
        response_ms: ms(answer.posted_at),
        status: answer.posted["statusCode"].as_u64(),
        log_bytes: log.len() as u64,
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The instructions a function executes from process start to its first `/next` (no event), or
/// until it has answered `event` and asked for the next.
async fn counted_instructions(binary: &Path, function: &str, table: &str, event: Option<Value>) -> Result<u64, String> {
    let out = std::env::temp_dir().join(format!("bench-callgrind-{function}-{}.out", std::process::id()));
    let answers = event.is_some();
    let mut runtime = RuntimeApi::start(event).await;
    let mut command = lambda_command(Path::new("valgrind"), &runtime, function, table);
    command
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary);
    let mut child = command.spawn().map_err(|e| format!("valgrind: {e}; install it (Debian package valgrind)"))?;
    runtime
        .init_done(Duration::from_secs(300))
        .await
        .ok_or_else(|| format!("{function} under callgrind did not reach /next"))?;
    if answers {
        runtime
            .answered_and_idle(Duration::from_secs(300))
            .await
            .ok_or_else(|| format!("{function} under callgrind did not answer and ask for the next event"))?;
    }
    // SIGTERM lets callgrind write its counts; SIGKILL would lose them.
    let pid = child.id().ok_or("valgrind exited early")?;
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().map_err(|e| e.to_string())?;
    let _ = tokio::time::timeout(Duration::from_secs(60), child.wait()).await;
    let counts = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    total_instructions(&counts).ok_or_else(|| "no totals in callgrind's output".into())
}

/// The `summary:` (or `totals:`) line of a callgrind output file.
pub fn total_instructions(callgrind_out: &str) -> Option<u64> {
    callgrind_out
        .lines()
        .find_map(|line| line.strip_prefix("summary:").or_else(|| line.strip_prefix("totals:")))
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
}

pub async fn measure(binaries: &Path, callgrind: bool) -> Result<Vec<ColdStart>, String> {
    let table = seeded_table().await?;
    let mut results = Vec::new();
    for (function, event_name) in FUNCTIONS {
        let binary = binaries.join(function);
        let event = event(event_name)?;
        // One start first, so the binary is in the page cache as it is on a warm Lambda host.
        once(&binary, function, event.clone(), &table).await?;
        let (mut init, mut response, mut status, mut log_bytes) = (Vec::new(), Vec::new(), None, 0);
        for _ in 0..RUNS {
            let start = once(&binary, function, event.clone(), &table).await?;
            init.push(start.init_ms);
            response.push(start.response_ms);
            status = start.status;
            log_bytes = start.log_bytes;
        }
        let (instructions, first_request) = if callgrind {
            let at_init = counted_instructions(&binary, function, &table, None).await?;
            let answered = counted_instructions(&binary, function, &table, Some(event.clone())).await?;
            (Some(at_init), Some(answered.saturating_sub(at_init)))
        } else {
            (None, None)
        };
        eprintln!(
            "{function}: init {:.2} ms, first response {:.2} ms, init instructions {instructions:?}, first request {first_request:?}",
            median(&mut init.clone()),
            median(&mut response.clone())
        );
        results.push(ColdStart {
            function: function.to_owned(),
            event: event_name.to_owned(),
            runs: RUNS,
            init_ms_median: median(&mut init),
            init_ms_max: init.iter().copied().fold(0.0, f64::max),
            first_response_ms_median: median(&mut response),
            first_response_ms_max: response.iter().copied().fold(0.0, f64::max),
            status,
            log_bytes,
            init_instructions: instructions,
            first_request_instructions: first_request,
        });
    }
    Ok(results)
}

pub fn section(starts: &[ColdStart]) -> String {
    let mut out = format!(
        "## Cold start\n\nEach release `bootstrap` (x86_64, this machine) started {RUNS} times (after one start to warm the page cache) against a mock Lambda Runtime API handing it one real API Gateway event, with its data in moto server on loopback: time from spawn to its first `/next` (init) and to its posted response (init + one request, whose DynamoDB calls go to moto). Instructions at init are counted by callgrind from process start to the first `/next`; those of the first request from there until the function has answered and asks for the next event (a second run, less init's count).\n\n"
    );
    out += "| function | event | init median ms | init max ms | first response median ms | max ms | status | init instructions | first request instructions |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    let counted = |n: Option<u64>| n.map_or_else(|| "not measured".into(), crate::report::thousands);
    for s in starts {
        out += &format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |\n",
            s.function,
            s.event,
            s.init_ms_median,
            s.init_ms_max,
            s.first_response_ms_median,
            s.first_response_ms_max,
            s.status.map_or_else(|| "-".into(), |c| c.to_string()),
            counted(s.init_instructions),
            counted(s.first_request_instructions),
        );
    }
    let slowest = starts.iter().map(|s| s.init_ms_median).fold(0.0, f64::max);
    let most = starts.iter().filter_map(|s| s.init_instructions).max().unwrap_or(0) as f64;
    out += &format!(
        "\nBudgets: init ≤ {INIT_BUDGET_MS} ms: {} (slowest median {slowest:.2} ms); ≤ 3 M instructions at init: {} (most {}).\n\n",
        crate::report::verdict(slowest, INIT_BUDGET_MS),
        crate::report::verdict(most, INIT_BUDGET_INSTRUCTIONS),
        crate::report::thousands(most as u64),
    );
    out += "How init got here (callgrind, the same binaries): 20.7 M instructions (21.6 M for ws and notifier) while the SDK loaded the system's certificate store; 3.2 M (notifier) once the AWS clients trusted Amazon's root CAs only (`lib/store/src/aws.rs`); 2.4 to 2.9 M with four roots instead of five and ring as the only crypto library; 1.57 to 2.35 M (a quarter to a third less) once the functions took region and credentials from the environment alone instead of aws-config's default chains, which built an STS client at every start. By callgrind's inclusive counts on an unstripped notifier, about 0.7 M of what remains is the dynamic loader's relocations and 0.6 M decoding the root certificates from PEM. ";
    if most > INIT_BUDGET_INSTRUCTIONS || slowest > INIT_BUDGET_MS {
        out += "The rest is building the SDK clients and the runtimes; times include spawning the process from this bench.";
    }
    out + "\n\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instruction_total_is_read_from_callgrinds_summary_line() {
        let out = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 3241089\ntotals: 3241089\n";
        assert_eq!(total_instructions(out), Some(3_241_089));
        assert_eq!(total_instructions("events: Ir\n"), None);
    }
}
