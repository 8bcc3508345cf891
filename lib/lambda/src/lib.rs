//! Runs Bistro's code as Lambda functions: the HTTP routers behind an API Gateway HTTP API, the
//! WebSocket routes, and the stream notifier.
//!
//! Configuration comes from the environment (set by the CDK stack): `TABLE_NAME` (the DynamoDB
//! table) and, for `ws` and `notifier`, `WEBSOCKET_ENDPOINT` (the WebSocket API's management URL);
//! `MEDIA_BUCKET` and `SITE_BUCKET` for the functions that take pictures and publish menus;
//! `BISTRO_SESSION_CACHE_SECONDS` (0–60, default 60) for how long an instance keeps an account's
//! session number; for `accounts` only, `BISTRO_SIGNING_KEY_PARAMETER` and
//! `BISTRO_SIGN_UP_CODE_PARAMETER`, the names (never the values) of its SSM parameters. Region and
//! credentials come from the Lambda environment. No key reaches any function through its
//! configuration: verifiers read the public keys from the table, `accounts` its private ring from SSM.
//! `orders`, `payments` and `reconcile` read the Stripe key from SSM on their first payment
//! (`payment_keys`), named by `BISTRO_STRIPE_KEY_PARAMETER` and (payments only)
//! `BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER`; `BISTRO_PLATFORM_FEES` and `BISTRO_SITE_URL` beside them.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod apigw;
#[cfg(feature = "issuer")]
pub mod keys;
pub mod notifier;
#[cfg(feature = "payments")]
pub mod payment_keys;
pub mod ws;

/// For [`function_allocator!`], so a function needs no dependency of its own for it.
pub use mimalloc;

/// Declares the allocator of a Lambda function's binary: mimalloc, which spends fewer
/// instructions per request than glibc's allocator (the bench's warm section counts them with
/// it). The local server keeps glibc's, whose peak memory under load is lower.
#[macro_export]
macro_rules! function_allocator {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::mimalloc::MiMalloc = $crate::mimalloc::MiMalloc;
    };
}

use bistro_api::error::ErrorCode;
use std::sync::Arc;

use axum::http::HeaderValue;
use bistro_api::AppState;
use bistro_api::auth::Auth;
use bistro_api::telemetry::REQUEST_ID;
use bistro_store::engine::dynamodb::{Client, DynamoStore, lambda_aws_config};
use lambda_http::RequestExt;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} must be {1}")]
    Invalid(&'static str, &'static str),
    #[error("this function was built without the `issuer` feature, so it cannot issue tokens")]
    NotAnIssuer,
}

/// What a function does with staff tokens, as its `main` declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokens {
    /// Signs them at login and sign-up, and verifies: `accounts`, the only reader of the private key.
    Issue,
    /// Verifies them with the public keys only.
    Verify,
    /// Never sees one: every token is refused (`cart`, `notifier`).
    Refuse,
}

/// How long an instance may go on accepting a session that was ended elsewhere:
/// `BISTRO_SESSION_CACHE_SECONDS`, 60 unless set, at most 60.
fn session_window() -> Result<std::time::Duration, ConfigError> {
    match std::env::var("BISTRO_SESSION_CACHE_SECONDS") {
        Err(_) => Ok(bistro_api::sessions::MAX_WINDOW),
        Ok(raw) => raw
            .parse()
            .map(std::time::Duration::from_secs)
            .map_err(|_| ConfigError::Invalid("BISTRO_SESSION_CACHE_SECONDS", "a whole number of seconds")),
    }
}

/// What the deployment holds back for every restaurant: `BISTRO_HELD_FEATURES`, none unless set.
fn held_features() -> Result<bistro_domain::offer::Held, ConfigError> {
    let raw = std::env::var("BISTRO_HELD_FEATURES").unwrap_or_default();
    bistro_domain::offer::Held::parse(&raw).map_err(|_| {
        ConfigError::Invalid(
            "BISTRO_HELD_FEATURES",
            "comma-separated: ordering, dine_in, pickup, delivery, ahead, booking",
        )
    })
}

/// Whether the stage takes sign-ups with the code in SSM (`code`, the default) or none at all
/// (`closed`, whatever the parameter holds): `BISTRO_SIGN_UP`, the stage's `signUp` setting.
#[cfg(any(feature = "issuer", test))]
fn sign_up_closed(raw: Option<&str>) -> Result<bool, ConfigError> {
    match raw {
        None | Some("code") => Ok(false),
        Some("closed") => Ok(true),
        Some(_) => Err(ConfigError::Invalid("BISTRO_SIGN_UP", "code or closed")),
    }
}

fn var(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).map_err(|_| ConfigError::Missing(name))
}

/// The state every function shares: the store over `TABLE_NAME`, and the token authority.
pub async fn state_from_env(aws: &aws_config::SdkConfig, tokens: Tokens) -> Result<AppState, ConfigError> {
    let client = Client::new(aws);
    let store: Arc<dyn bistro_store::Store> = Arc::new(DynamoStore::new(client, var("TABLE_NAME")?));
    let public = Arc::new(bistro_store::Repos::new(Arc::clone(&store)).signing_keys);
    let (auth, sign_up) = match tokens {
        Tokens::Refuse => (Auth::without_keys(), None),
        Tokens::Verify => (Auth::from_sources(None, public), None),
        Tokens::Issue => issuer(aws, public)?,
    };
    let mut state = AppState::new(store, auth).with_session_cache(session_window()?).with_held(held_features()?);
    if let Some(sign_up) = sign_up {
        state = state.with_sign_up(sign_up);
    }
    with_payments(with_media(state, aws), aws)
}

/// Payments online, for the functions built to take them (`orders`, `payments`) in a stage
/// whose settings switch them on.
#[cfg(feature = "payments")]
fn with_payments(state: AppState, aws: &aws_config::SdkConfig) -> Result<AppState, ConfigError> {
    Ok(match payment_keys::from_env(aws)? {
        Some(settings) => state.with_payments(settings),
        None => state,
    })
}

#[cfg(not(feature = "payments"))]
fn with_payments(state: AppState, _aws: &aws_config::SdkConfig) -> Result<AppState, ConfigError> {
    Ok(state)
}

type SignUp = Option<Arc<dyn bistro_api::sign_up::SignUpPolicy>>;

#[cfg(feature = "issuer")]
fn issuer(
    aws: &aws_config::SdkConfig,
    public: Arc<bistro_store::repo::SigningKeys>,
) -> Result<(Auth, SignUp), ConfigError> {
    let client = aws_sdk_ssm::Client::new(aws);
    let ring = keys::SsmKeyRing { client: client.clone(), name: var("BISTRO_SIGNING_KEY_PARAMETER")? };
    let sign_up: Arc<dyn bistro_api::sign_up::SignUpPolicy> =
        if sign_up_closed(std::env::var("BISTRO_SIGN_UP").ok().as_deref())? {
            Arc::new(bistro_api::sign_up::SignUpRule::Closed)
        } else {
            Arc::new(keys::SsmSignUpCode { client, name: var("BISTRO_SIGN_UP_CODE_PARAMETER")? })
        };
    Ok((Auth::from_sources(Some(Arc::new(ring)), public), Some(sign_up)))
}

#[cfg(not(feature = "issuer"))]
fn issuer(
    _aws: &aws_config::SdkConfig,
    _public: Arc<bistro_store::repo::SigningKeys>,
) -> Result<(Auth, SignUp), ConfigError> {
    Err(ConfigError::NotAnIssuer)
}

/// Pictures and the published menu, for the functions that handle them (menu, accounts).
#[cfg(feature = "media")]
fn with_media(state: AppState, aws: &aws_config::SdkConfig) -> AppState {
    use bistro_store::blob::s3::S3Blobs;
    match (std::env::var("MEDIA_BUCKET"), std::env::var("SITE_BUCKET")) {
        (Ok(media), Ok(site)) => {
            let s3 = S3Blobs::from_config(aws);
            state.with_blobs(Arc::new(S3Blobs::new(s3.clone(), media)), Arc::new(S3Blobs::new(s3, site)))
        }
        _ => state,
    }
}

#[cfg(not(feature = "media"))]
fn with_media(state: AppState, _aws: &aws_config::SdkConfig) -> AppState {
    state
}

/// Serves one route group (`bistro_api::routes::menu::router()`, say) until the runtime stops
/// the function.
pub async fn run_http(group: axum::Router<AppState>, tokens: Tokens) -> Result<(), lambda_http::Error> {
    bistro_api::telemetry::init_json_logs();
    let state = state_from_env(&lambda_aws_config().await, tokens).await?;
    lambda_http::run(http_app(group, state)).await
}

/// One route group as its function serves it: only to requests that came through the site's
/// CloudFront, each tagged with its invocation's id and its client's address.
pub fn http_app(group: axum::Router<AppState>, state: AppState) -> axum::Router {
    let origin = Arc::new(bistro_api::origin::OriginCheck::new(state.repos.signing_keys.clone()));
    bistro_api::router(group, state)
        .layer(axum::middleware::from_fn_with_state(origin, require_origin))
        .layer(axum::middleware::from_fn(tag_request_id))
}

/// Answers only requests that came through the site's CloudFront (`bistro_api::origin`).
async fn require_origin(
    axum::extract::State(check): axum::extract::State<Arc<bistro_api::origin::OriginCheck>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let secret = request.headers().get(bistro_api::origin::ORIGIN_HEADER).and_then(|v| v.to_str().ok());
    match check.admits(secret).await {
        Ok(true) => next.run(request).await,
        Ok(false) => bistro_api::error::ApiError::Refused {
            code: ErrorCode::NotThroughSite,
            detail: "this API answers only through the site's own address",
        }
        .into_response(),
        Err(error) => bistro_api::error::ApiError::Unavailable(error.to_string()).into_response(),
    }
}

/// The header the site's CloudFront function sets to the viewer's IP on every API request,
/// overwriting whatever the viewer sent (cdk/lib/site-stack.ts).
pub const VIEWER_ADDRESS: &str = "x-bistro-viewer-address";

/// Gives the request the Lambda invocation's id, so every log line of it can be found, and the
/// client's address. Behind CloudFront, API Gateway's source IP is CloudFront's edge, which many
/// viewers share: counting failed logins by it would lock a whole city out, so the viewer address
/// CloudFront's function wrote comes first. It can be trusted: the function writes it over
/// whatever the viewer sent, and a request that went around CloudFront never gets this far
/// ([`require_origin`] refuses it first).
async fn tag_request_id(mut request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = request.lambda_context_ref().map(|context| context.request_id.clone());
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(address) = client_address(&request) {
        request.extensions_mut().insert(bistro_api::limits::ClientAddress::of(&address));
    }
    next.run(request).await
}

fn client_address(request: &axum::extract::Request) -> Option<String> {
    let viewer = request.headers().get(VIEWER_ADDRESS).and_then(|v| v.to_str().ok());
    if let Some(ip) = viewer.and_then(|v| v.trim().parse::<std::net::IpAddr>().ok()) {
        return Some(ip.to_string());
    }
    // The only request context an HTTP API (payload 2.0) function is built to receive.
    let lambda_http::request::RequestContext::ApiGatewayV2(context) = request.request_context_ref()?;
    context.http.source_ip.clone()
}

/// What the realtime functions share: the state, and the sender that posts to sockets.
async fn realtime_from_env(tokens: Tokens) -> Result<(AppState, apigw::ApiGatewaySender), ConfigError> {
    bistro_api::telemetry::init_json_logs();
    let aws = lambda_aws_config().await;
    let state = state_from_env(&aws, tokens).await?;
    Ok((state, apigw::ApiGatewaySender::new(&aws, &var("WEBSOCKET_ENDPOINT")?)))
}

/// Serves the WebSocket routes until the runtime stops the function.
pub async fn run_ws() -> Result<(), lambda_runtime::Error> {
    let (state, sender) = realtime_from_env(Tokens::Verify).await?;
    let origin = bistro_api::origin::OriginCheck::new(state.repos.signing_keys.clone());
    let (state, sender, origin) = (&state, &sender, &origin);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<ws::WebSocketEvent>| async move {
            if let Some(refused) = ws::refused_unless_through_site(origin, &event.payload).await {
                return Ok::<_, lambda_runtime::Error>(refused);
            }
            let handler = ws::Handler { repos: &state.repos, auth: &state.auth, sender };
            Ok::<_, lambda_runtime::Error>(handler.handle(event.payload).await)
        },
    ))
    .await
}

/// Consumes the table's stream until the runtime stops the function.
pub async fn run_notifier() -> Result<(), lambda_runtime::Error> {
    let (state, sender) = realtime_from_env(Tokens::Refuse).await?;
    let (state, sender) = (&state, &sender);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<notifier::StreamEvent>| async move {
            // The context's deadline is wall-clock milliseconds; the handler counts on a monotonic clock.
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            let left = std::time::Duration::from_millis(event.context.deadline.saturating_sub(now_ms));
            let deadline = std::time::Instant::now() + left;
            Ok::<_, lambda_runtime::Error>(
                notifier::handle_until(&state.repos, sender, event.payload, Some(deadline)).await,
            )
        },
    ))
    .await
}

/// Erases the personal data each restaurant's retention period says is due, once per
/// invocation (a daily schedule; its event carries nothing the run needs).
pub async fn run_retention() -> Result<(), lambda_runtime::Error> {
    bistro_api::telemetry::init_json_logs();
    let state = &state_from_env(&lambda_aws_config().await, Tokens::Refuse).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            let swept = bistro_api::retention::sweep(&state.repos, bistro_domain::jiff::Timestamp::now()).await?;
            tracing::info!(
                restaurants = swept.restaurants,
                days = swept.days,
                orders = swept.orders,
                bookings = swept.bookings,
                failed = swept.failed,
                "erased expired personal data"
            );
            if swept.failed > 0 {
                // Reported as an error so the function-errors alarm fires; the next run retries.
                return Err(lambda_runtime::Error::from(format!("{} restaurants could not be swept", swept.failed)));
            }
            Ok::<_, lambda_runtime::Error>(serde_json::json!({
                "restaurants": swept.restaurants, "orders": swept.orders, "bookings": swept.bookings
            }))
        },
    ))
    .await
}

/// The reconciliation, on its hourly schedule: every connected account's recent checkouts set
/// against what was recorded (`bistro_api::reconcile`).
#[cfg(feature = "payments")]
pub async fn run_reconcile() -> Result<(), lambda_runtime::Error> {
    bistro_api::telemetry::init_json_logs();
    let state = &state_from_env(&lambda_aws_config().await, Tokens::Refuse).await?;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            let done = bistro_api::reconcile::reconcile(state, bistro_domain::jiff::Timestamp::now())
                .await
                .map_err(|e| lambda_runtime::Error::from(e.to_string()))?;
            tracing::info!(
                accounts = done.accounts,
                sessions = done.sessions,
                mended = done.mended,
                reported = done.reported,
                failed = done.failed,
                "reconciled payments with Stripe"
            );
            if done.failed > 0 {
                // Reported as an error so the function-errors alarm fires; the next run retries.
                return Err(lambda_runtime::Error::from(format!(
                    "{} checkouts or accounts could not be judged",
                    done.failed
                )));
            }
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(&done)?)
        },
    ))
    .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
    use lambda_http::request::RequestContext;

    fn request(viewer: Option<&str>, source_ip: Option<&str>) -> axum::extract::Request {
        let mut request = axum::extract::Request::new(axum::body::Body::empty());
        if let Some(viewer) = viewer {
            request.headers_mut().insert(VIEWER_ADDRESS, HeaderValue::from_str(viewer).unwrap());
        }
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = source_ip.map(str::to_owned);
        request.extensions_mut().insert(RequestContext::ApiGatewayV2(context));
        request
    }

    #[test]
    fn the_viewer_address_cloudfront_wrote_comes_before_the_edges_source_ip() {
        assert_eq!(client_address(&request(Some("203.0.113.7"), Some("130.176.0.1"))).as_deref(), Some("203.0.113.7"));
        assert_eq!(client_address(&request(Some("2001:db8::7"), None)).as_deref(), Some("2001:db8::7"));
    }

    #[test]
    fn a_stage_takes_sign_ups_with_its_code_unless_it_is_closed_and_names_a_bad_setting() {
        assert!(!sign_up_closed(None).unwrap());
        assert!(!sign_up_closed(Some("code")).unwrap());
        assert!(sign_up_closed(Some("closed")).unwrap());
        assert!(matches!(sign_up_closed(Some("open")), Err(ConfigError::Invalid("BISTRO_SIGN_UP", _))));
    }

    #[test]
    fn without_a_viewer_address_the_source_ip_is_the_client() {
        assert_eq!(client_address(&request(None, Some("198.51.100.2"))).as_deref(), Some("198.51.100.2"));
    }

    #[test]
    fn a_viewer_header_that_is_not_an_address_is_ignored() {
        assert_eq!(
            client_address(&request(Some("anyone, really"), Some("198.51.100.2"))).as_deref(),
            Some("198.51.100.2")
        );
    }
}
