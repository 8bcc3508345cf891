//! `/health`: whether the process is up and its store answers.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// `reachable` or `unreachable`.
    pub store: &'static str,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Up, store reachable", body = Health),
               (status = 503, description = "Up, store unreachable", body = Health)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, crate::extract::Json<Health>) {
    match state.repos.store().ping().await {
        Ok(()) => (StatusCode::OK, crate::extract::Json(Health { status: "ok", store: "reachable" })),
        Err(error) => {
            tracing::error!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, crate::extract::Json(Health { status: "degraded", store: "unreachable" }))
        }
    }
}
