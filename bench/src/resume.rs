//! How long a kitchen board's resume of 1,000 missed events takes in the `ws` function: the
//! release binary, started cold against a mock Lambda Runtime API, its data in moto server and
//! its posts answered by a local stand-in for API Gateway's connections, as the tests drive it.
//! The function must answer within its configured timeout (10 s, asserted on the synthesized
//! template by the CDK tests).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use bistro_store::Repos;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_testkit::runtime_api::RuntimeApi;
use bistro_testkit::{fixtures, moto};
use serde::{Deserialize, Serialize};

/// The `ws` function's timeout in `cdk/lib/functions.ts` (the CDK tests hold the template to it).
const WS_TIMEOUT_MS: f64 = 10_000.0;
const EVENTS: u64 = 1000;
const ORDERS: usize = 25;
const RUNS: usize = 3;

#[derive(Debug, Serialize, Deserialize)]
pub struct Resume {
    pub events: u64,
    pub orders: usize,
    pub runs: usize,
    /// From starting the binary to its answer: init, the reads, and every post.
    pub answered_ms_median: f64,
    pub answered_ms_max: f64,
    /// Frames posted to the board: one per order, and `resumed`.
    pub frames: usize,
}

/// A stand-in for API Gateway's `@connections` that answers every post and counts them.
async fn connections() -> Result<(Arc<Mutex<usize>>, String), String> {
    let posts = Arc::new(Mutex::new(0usize));
    let counted = Arc::clone(&posts);
    let app = Router::new().route(
        "/@connections/{id}",
        post(move || {
            let counted = Arc::clone(&counted);
            async move {
                *counted.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((posts, format!("http://{address}")))
}

/// A board connected to "lambda-test", whose restaurant logged 1,000 events over 25 orders.
async fn busy_evening() -> Result<String, String> {
    let table = crate::cold_start::seeded_table().await?;
    let aws = bistro_store::aws::emulator_config(&moto::server().endpoint).await;
    let store = Arc::new(DynamoStore::new(bistro_store::engine::dynamodb::Client::new(&aws), table.clone()));
    let repos = Repos::new(store.clone());
    let slug = fixtures::slug("lambda-test");
    let admitted = bistro_realtime::connect::Admitted {
        restaurant: slug.clone(),
        subscription: bistro_store::repo::Subscription::Board,
        signed_in: None,
    };
    repos
        .connections
        .put(&bistro_realtime::connect::connection("board-1", admitted))
        .await
        .map_err(|e| e.to_string())?;
    fixtures::busy_evening(store.as_ref(), &repos, "lambda-test", ORDERS, EVENTS).await?;
    Ok(table)
}

async fn once(binary: &Path, table: &str) -> Result<(f64, usize), String> {
    let mut resume = crate::cold_start::event("ws-connect-without-token")?;
    resume["requestContext"]["routeKey"] = "$default".into();
    resume["requestContext"]["eventType"] = "MESSAGE".into();
    resume["requestContext"]["connectionId"] = "board-1".into();
    resume["body"] = r#"{"type":"resume","last_seq":0}"#.into();
    let (posts, endpoint) = connections().await?;
    let runtime = RuntimeApi::start(Some(resume)).await;
    let mut command = crate::cold_start::lambda_command(binary, &runtime, "ws", table);
    command.env("WEBSOCKET_ENDPOINT", &endpoint);
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("{}: {e}", binary.display()))?;
    let answer = runtime.answer(Duration::from_secs(60)).await.ok_or("ws did not answer the resume within 60 s")?;
    let _ = child.kill().await;
    if answer.posted["statusCode"] != 200 {
        return Err(format!("ws answered the resume with {}", answer.posted));
    }
    let frames = *posts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok((answer.posted_at.duration_since(started).as_secs_f64() * 1000.0, frames))
}

pub async fn measure(release: &Path) -> Result<Resume, String> {
    let binary = release.join("ws");
    let table = busy_evening().await?;
    let mut times = Vec::new();
    let mut frames = 0;
    for _ in 0..RUNS {
        let (ms, posted) = once(&binary, &table).await?;
        times.push(ms);
        frames = posted;
    }
    times.sort_by(f64::total_cmp);
    let resume = Resume {
        events: EVENTS,
        orders: ORDERS,
        runs: RUNS,
        answered_ms_median: times[RUNS / 2],
        answered_ms_max: times[RUNS - 1],
        frames,
    };
    eprintln!(
        "resume of {EVENTS} events: {:.0} ms median, {:.0} ms max, {frames} frames",
        resume.answered_ms_median, resume.answered_ms_max
    );
    Ok(resume)
}

pub fn section(resume: &Resume) -> String {
    format!(
        "## A board's resume of {} missed events\n\nThe release `ws` binary, started cold against a mock Lambda Runtime API with one `resume` (from event 0) of a board whose restaurant logged {} events over {} orders, its table in moto server on loopback and its posts answered by a local stand-in for API Gateway's connections; {} runs. The board gets one frame per order (its last change) and `resumed`.\n\n| answered, median | answered, max | frames posted |\n|---:|---:|---:|\n| {:.0} ms | {:.0} ms | {} |\n\nBudget: within the `ws` function's timeout of {:.0} s: {}.\n\n",
        resume.events,
        resume.events,
        resume.orders,
        resume.runs,
        resume.answered_ms_median,
        resume.answered_ms_max,
        resume.frames,
        WS_TIMEOUT_MS / 1000.0,
        crate::report::verdict(resume.answered_ms_max, WS_TIMEOUT_MS),
    )
}
