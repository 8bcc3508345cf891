//! The pace the board sets in the middle of service: a pause of new orders and a busy delay.
//! Floor staff may set it (they are at the pass); it is part of the restaurant's settings, so
//! the published menu carries it and guests' pages say when ordering resumes.

use axum::Router;
use axum::extract::State;
use axum::middleware::from_fn;
use axum::routing::put;

use bistro_domain::pace::Pace;
use bistro_store::RepoError;

use super::{Attempt, missing, retry_stale};
use crate::access::FloorStaff;
use crate::error::{ApiError, ErrorCode};
use crate::extract::Json;
use crate::openapi::problem;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/restaurants/{slug}/pace", put(set_pace).route_layer(from_fn(crate::publish::after_change)))
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/pace", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)),
    request_body = Pace, security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, description = "The pace new orders are taken at from now on", body = Pace),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              problem::Conflict, problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn set_pace(
    State(state): State<AppState>,
    FloorStaff { slug, .. }: FloorStaff,
    Json(pace): Json<Pace>,
) -> Result<Json<Pace>, ApiError> {
    let busy = || ApiError::conflict(ErrorCode::StaleVersion, "the restaurant's settings are being changed; try again");
    let (state, slug) = (&state, &slug);
    // Only the pace changes: settings a manager saved meanwhile are read again, never undone.
    retry_stale((), busy, |(), _| async move {
        let current = state.repos.restaurants.get(slug).await.map_err(missing("restaurant"))?;
        let mut next = current.value;
        next.pace = pace;
        match state.repos.restaurants.update(&next, current.version).await {
            Ok(_) => Ok(Attempt::Done(())),
            Err(RepoError::StaleVersion) => Ok(Attempt::Stale(())),
            Err(other) => Err(missing("restaurant")(other)),
        }
    })
    .await?;
    Ok(Json(pace))
}
