//! A per-client-IP request budget for `/v1` (on AWS, API Gateway's throttling does this job), and
//! the client's address handed to the routes that count per client (failed logins).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use bistro_api::limits::ClientAddress;
use bistro_api::{ApiError, AppState};

type Limiter = Arc<DefaultKeyedRateLimiter<IpAddr>>;

/// The TCP peer is the client: the local server has no proxy in front it could trust.
async fn tag_client(ConnectInfo(peer): ConnectInfo<SocketAddr>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(ClientAddress::of(&peer.ip().to_string()));
    next.run(request).await
}

async fn rate_limit(
    State(limiter): State<Limiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    // Stripe's webhooks come from a few addresses at the rate all restaurants make together: no
    // limit meant for one guest counts them (each is refused without Stripe's signature).
    if request.uri().path().starts_with("/v1/payments/") {
        return next.run(request).await;
    }
    match limiter.check_key(&peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            ApiError::RateLimited { retry_after_secs: wait.as_secs() + 1 }.into_response()
        }
    }
}

/// `routes` with at most `per_second` requests a second from each client IP (bursts of twice
/// that); 0 leaves them unlimited.
pub fn limited(routes: Router<AppState>, per_second: u32) -> Router<AppState> {
    let routes = routes.layer(middleware::from_fn(tag_client));
    let Some(rate) = NonZeroU32::new(per_second) else { return routes };
    let burst = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
    let limiter: Limiter = Arc::new(RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)));
    routes.layer(middleware::from_fn_with_state(limiter, rate_limit))
}
