//! Runs one of Bistro's routers as a Lambda function behind an API Gateway HTTP API.
//!
//! Configuration comes from the environment (set by the CDK stack):
//! `TABLE_NAME` (the DynamoDB table) and `BISTRO_JWT_SECRET` (≥ 32 bytes); region and
//! credentials come from the Lambda environment as usual.

use std::sync::Arc;

use axum::http::HeaderValue;
use bistro_api::auth::Auth;
use bistro_api::telemetry::REQUEST_ID;
use bistro_api::{AppState, RouteGroup};
use bistro_store::engine::dynamodb::{Client, DynamoStore, load_aws_config};
use lambda_http::RequestExt;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error(transparent)]
    Secret(#[from] bistro_api::auth::WeakSecret),
}

fn var(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).map_err(|_| ConfigError::Missing(name))
}

/// The state every HTTP function shares: the store over `TABLE_NAME`, and the token authority.
pub async fn state_from_env() -> Result<AppState, ConfigError> {
    let client = Client::new(&load_aws_config().await);
    let store = DynamoStore::new(client, var("TABLE_NAME")?);
    Ok(AppState::new(Arc::new(store), Auth::new(var("BISTRO_JWT_SECRET")?.as_bytes())?))
}

/// Serves `group` until the runtime stops the function.
pub async fn run_http(group: RouteGroup) -> Result<(), lambda_http::Error> {
    bistro_api::telemetry::init_json_logs();
    let state = state_from_env().await?;
    let app = bistro_api::router(group, state).layer(axum::middleware::from_fn(tag_request_id));
    lambda_http::run(app).await
}

/// Gives the request the Lambda invocation's id, so every log line of it can be found.
async fn tag_request_id(mut request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = request.lambda_context_ref().map(|context| context.request_id.clone());
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    next.run(request).await
}
