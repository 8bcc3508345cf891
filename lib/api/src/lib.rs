//! Bistro's HTTP API. Each route group is its own axum `Router`, so each can run as its own
//! Lambda function (`lambda_http::run`) or all together in the local server.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod access;
pub mod auth;
pub mod code;
pub mod error;
pub mod extract;
pub mod images;
pub mod limits;
pub mod openapi;
pub mod origin;
pub mod path;
pub mod payments;
pub mod publish;
pub mod reconcile;
pub mod retention;
pub mod routes;
pub mod sessions;
pub mod sign_up;
pub mod signing;
pub mod state;
pub mod telemetry;
mod verified;
mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use error::ApiError;
pub use state::AppState;

/// Bodies above this are refused with 413: no legitimate request of this API comes near it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The route groups, each named as the Lambda function that serves it. A function's `main`
/// names its group's router itself, so the linker drops every other group from that binary.
pub fn route_groups() -> [Router<AppState>; 7] {
    [
        routes::menu::router(),
        routes::cart::router(),
        routes::orders::router(),
        routes::reservations::router(),
        routes::accounts::router(),
        routes::exports::router(),
        routes::payments::router(),
    ]
}

/// One group's routes with health, the layers every response needs, and a problem+json 404:
/// what a Lambda function serves.
pub fn router(group: Router<AppState>, state: AppState) -> Router {
    with_common_layers(group.merge(routes::health::router()).fallback(not_found), state)
}

/// Every group plus health and the OpenAPI document, without a fallback, so a host can add its own.
pub fn api_routes() -> Router<AppState> {
    route_groups()
        .into_iter()
        .fold(Router::new(), Router::merge)
        .merge(routes::health::router())
        .merge(openapi::router())
}

/// Every group in one router with a problem+json 404 for anything else.
pub fn api(state: AppState) -> Router {
    with_common_layers(api_routes().fallback(not_found), state)
}

/// The problem+json 404 for a path no route serves.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

/// Body limit, telemetry and a problem+json 405: the layers every host puts around its routes.
pub fn with_common_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        // For the middleware that runs after a route (`publish::after_change`), which has no state
        // of its own: one shared copy, so each request pays one reference count, not a clone.
        .layer(axum::Extension(std::sync::Arc::new(state.clone())))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(telemetry::layer())
        .with_state(state)
}
