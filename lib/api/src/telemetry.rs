//! Structured logs: one span per request carrying its request id, JSON on Lambda.

use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

/// The header that carries a request's id: set by the local server, or from the Lambda context.
pub const REQUEST_ID: &str = "x-request-id";

#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> tracing::Span {
        let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        let route = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or_else(|| request.uri().path().to_owned(), |p| p.as_str().to_owned());
        tracing::info_span!("request", method = %request.method(), route = %route, request_id = %request_id)
    }
}

pub type Layer = TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), DefaultOnResponse>;

pub fn layer() -> Layer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO))
}

/// `RUST_LOG` as levels per target (`info,tower_http=warn`), else `default`. `Targets` rather
/// than `EnvFilter`: the same syntax without span and field filters, and without the regex
/// engine that made up most of the distance between the menu function and its size budget.
fn log_filter(default: &str) -> Targets {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse().ok())
        .or_else(|| default.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(Level::INFO))
}

/// JSON lines for CloudWatch, filtered by `RUST_LOG` (default `info`).
pub fn init_json_logs() {
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(Level::TRACE)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time() // CloudWatch stamps every line itself.
        .finish()
        .with(log_filter("info"));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Readable lines for a terminal, filtered by `RUST_LOG` (default `info,tower_http=warn`).
pub fn init_terminal_logs() {
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(Level::TRACE)
        .with_target(false)
        .finish()
        .with(log_filter("info,tower_http=warn"));
    let _ = tracing::subscriber::set_global_default(subscriber);
}
