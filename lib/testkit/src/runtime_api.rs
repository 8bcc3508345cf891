//! A mock of the AWS Lambda Runtime API (2018-06-01) for one invocation: it hands a function binary
//! one event, notes when the function first asked for work, and keeps what it posted back.
//! Further `/next` calls never answer, like a frozen sandbox, so the function never spins.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::{oneshot, watch};

/// Where the function's one answer goes, with the instant it arrived.
type AnswerSlot = Arc<Mutex<Option<oneshot::Sender<(Instant, Value)>>>>;

#[derive(Clone)]
struct Shared {
    event: Arc<Mutex<Option<Value>>>,
    first_next: watch::Sender<Option<Instant>>,
    /// How many times the function has asked for work.
    nexts: watch::Sender<usize>,
    posted: AnswerSlot,
}

#[derive(Debug)]
pub struct RuntimeApi {
    pub addr: SocketAddr,
    first_next: watch::Receiver<Option<Instant>>,
    nexts: watch::Receiver<usize>,
    posted: oneshot::Receiver<(Instant, Value)>,
    server: tokio::task::JoinHandle<()>,
}

/// What the function did with its one event.
#[derive(Debug)]
pub struct Answer {
    /// When it first called `/next`: the end of its init phase.
    pub first_next: Instant,
    /// When its response (or error) arrived.
    pub posted_at: Instant,
    /// The response, or `{"runtime_error": …}` when it posted an error.
    pub posted: Value,
}

impl RuntimeApi {
    /// Serves on a free loopback port; `event` is handed out once (`None`: never, to time init alone).
    pub async fn start(event: Option<Value>) -> Self {
        let (posted_sender, posted) = oneshot::channel();
        let (first_next_sender, first_next) = watch::channel(None);
        let (nexts_sender, nexts) = watch::channel(0);
        let shared = Shared {
            event: Arc::new(Mutex::new(event)),
            first_next: first_next_sender,
            nexts: nexts_sender,
            posted: Arc::new(Mutex::new(Some(posted_sender))),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(error))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, first_next, nexts, posted, server }
    }

    /// What Lambda sets in a function's sandbox, pointed at this mock, with the region and
    /// dummy credentials an emulator accepts.
    pub fn lambda_environment(&self, function: &str) -> Vec<(&'static str, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.addr.to_string()),
            ("AWS_LAMBDA_FUNCTION_NAME", function.to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "local".into()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "local".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ]
        .into()
    }

    /// Waits until the function first asks for work.
    pub async fn init_done(&mut self, within: Duration) -> Option<Instant> {
        let seen = tokio::time::timeout(within, self.first_next.wait_for(Option::is_some)).await.ok()?.ok()?;
        *seen
    }

    /// Waits for the function's answer to the event.
    pub async fn answer(mut self, within: Duration) -> Option<Answer> {
        self.answered(within).await
    }

    /// Waits for the function's answer to the event and then for it to ask for the next one, its
    /// work for this event done; keeps serving, so that `/next` waits rather than failing.
    pub async fn answered_and_idle(&mut self, within: Duration) -> Option<Answer> {
        let answer = self.answered(within).await?;
        tokio::time::timeout(within, self.nexts.wait_for(|&asked| asked >= 2)).await.ok()?.ok()?;
        Some(answer)
    }

    async fn answered(&mut self, within: Duration) -> Option<Answer> {
        let first_next = self.init_done(within).await?;
        let (posted_at, posted) = tokio::time::timeout(within, &mut self.posted).await.ok()?.ok()?;
        Some(Answer { first_next, posted_at, posted })
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// How long an invocation may take, from the event handed out: longer than a real function's
/// timeout, so that two busy cores running every other test (and moto for all of them) never
/// make a function give records up that it would finish on Lambda; the deadline's own rules are
/// tested with a deadline of their own (`notifier::handle_until`).
const DEADLINE_MS: u128 = 120_000;

async fn next(State(shared): State<Shared>) -> (HeaderMap, String) {
    shared.nexts.send_modify(|asked| *asked += 1);
    shared.first_next.send_if_modified(|seen| seen.is_none() && seen.replace(Instant::now()).is_none());
    let event = shared.event.lock().expect("not poisoned").take();
    let Some(event) = event else {
        std::future::pending::<()>().await;
        unreachable!("a pending future never completes")
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()) + DEADLINE_MS;
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("req-0001"));
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from(deadline as u64));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:123456789012:function:bistro"),
    );
    headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000"));
    (headers, event.to_string())
}

fn keep(shared: &Shared, posted: Value) {
    let at = Instant::now();
    if let Some(sender) = shared.posted.lock().expect("not poisoned").take() {
        let _ = sender.send((at, posted));
    }
}

async fn respond(State(shared): State<Shared>, body: String) -> &'static str {
    keep(&shared, serde_json::from_str(&body).unwrap_or(Value::String(body)));
    "{}"
}

async fn error(State(shared): State<Shared>, body: String) -> &'static str {
    keep(&shared, serde_json::json!({ "runtime_error": body }));
    "{}"
}
