//! The route groups. Each handler parses into domain types, applies domain rules, and stores
//! through the repositories; nothing is written unless every check has passed.

pub mod accounts;
pub mod cart;
pub mod checkouts;
pub mod deliveries;
pub mod exports;
pub mod health;
pub mod menu;
pub mod option_groups;
pub mod orders;
pub mod pace;
pub mod payments;
pub mod refunds;
pub mod reports;
pub mod reservations;
pub mod staff;

use crate::error::ErrorCode;
use axum::http::HeaderMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use bistro_domain::ids::Slug;
use bistro_domain::restaurant::Restaurant;
use bistro_store::repo::{Current, IdempotencyKey, Versioned};
use bistro_store::{Cursor, RepoError};

use crate::error::ApiError;
use crate::state::AppState;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// How often a change meets a newer version and is made again before the caller is asked to retry.
const STALE_ATTEMPTS: usize = 5;

/// What one attempt at a change over an optimistic version came to.
pub(crate) enum Attempt<S, T> {
    Done(T),
    /// Someone wrote first: try again from `S`, the copy that is latest now.
    Stale(S),
}

/// Makes a change over optimistic versions: each attempt (numbered from 0) starts from what the
/// one before found, so nothing is written over a version the change did not see. `busy` is the
/// answer when every attempt met a newer version.
pub(crate) async fn retry_stale<S, T, Fut>(
    mut from: S,
    busy: impl FnOnce() -> ApiError,
    mut attempt: impl FnMut(S, usize) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<Attempt<S, T>, ApiError>>,
{
    for n in 0..STALE_ATTEMPTS {
        match attempt(from, n).await? {
            Attempt::Done(done) => return Ok(done),
            Attempt::Stale(latest) => from = latest,
        }
    }
    Err(busy())
}

/// A repository error where "not found" means `what`.
pub(crate) fn missing(what: &'static str) -> impl Fn(RepoError) -> ApiError {
    move |error| match error {
        RepoError::NotFound => ApiError::NotFound(what),
        other => other.into(),
    }
}

/// The restaurant as a request applies it: settings and the menu version, from one small read.
pub(crate) async fn current(state: &AppState, slug: &Slug) -> Result<Current, ApiError> {
    state.repos.restaurants.current(slug).await.map_err(missing("restaurant"))
}

pub(crate) async fn restaurant(state: &AppState, slug: &Slug) -> Result<Versioned<Restaurant>, ApiError> {
    Ok(current(state, slug).await?.settings)
}

/// The `Idempotency-Key` header, required on requests that create something, with a fingerprint
/// of the body so a key reused for a different request is caught.
pub(crate) fn idempotency(headers: &HeaderMap, body: &impl Serialize) -> Result<IdempotencyKey, ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::IdempotencyKeyRequired,
                "send an Idempotency-Key header (any unique string, e.g. a UUID) so a retry cannot order twice",
            )
        })?
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidIdempotencyKey,
                "an Idempotency-Key is 1 to 255 visible ASCII characters",
            )
        })?;
    let canonical = serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let fingerprint = bistro_domain::ids::hex(&Sha256::digest(&canonical));
    Ok(IdempotencyKey { key: key.to_owned(), fingerprint })
}

pub(crate) fn cursor(raw: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    raw.map(|raw| {
        Cursor::parse(raw)
            .map_err(|_| ApiError::bad_request(ErrorCode::InvalidCursor, "the cursor is not one this API issued"))
    })
    .transpose()
}

pub(crate) fn page_size(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::bad_request(ErrorCode::InvalidLimit, format!("limit must be 1 to {MAX_PAGE}"))),
    }
}
