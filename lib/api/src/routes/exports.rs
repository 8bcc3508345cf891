//! The owner's own copy of their restaurant: everything in Bistro's archive format (without
//! password hashes or guests' tokens, so it can sit in a mailbox), and a spreadsheet of the
//! orders whose guests' details are still kept. Served by the `exports` function, which may read
//! every kind of the restaurant's partitions and write none.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use bistro_domain::jiff::{Timestamp, ToSpan};
use bistro_store::archive::{self, ArchiveError, Blobs, Reading};

use super::restaurant;
use crate::access::Owner;
use crate::error::ApiError;
use crate::openapi::problem;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/export", get(export))
        .route("/v1/restaurants/{slug}/export/orders.csv", get(orders_csv))
}

impl From<ArchiveError> for ApiError {
    fn from(error: ArchiveError) -> Self {
        match error {
            ArchiveError::NoRestaurant(_) => ApiError::NotFound("restaurant"),
            ArchiveError::Repo(repo) => repo.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// A download: its media type and the file name it is saved under; never cached on the way.
fn download(content_type: &str, name: String, body: impl IntoResponse) -> Response {
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, body).into_response()
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/export", tag = "exports", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The restaurant's data as a Bistro archive (tar.gz): settings, menu and pictures, staff without passwords, orders, bookings", content_type = "application/gzip", body = Vec<u8>),
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn export(State(state): State<AppState>, Owner { slug, .. }: Owner) -> Result<Response, ApiError> {
    let published = crate::publish::menu_key(&slug);
    let blobs = match (&state.media, &state.site) {
        (Some(media), Some(site)) => {
            Some(Blobs { media: media.as_ref(), site: site.as_ref(), published_menu: &published })
        }
        _ => None,
    };
    let store = state.repos.store().as_ref();
    let archive = archive::export(store, blobs, &slug, (Reading::Walk, false), &|_| {}).await?;
    let mut bytes = Vec::new();
    archive::write(&archive, &mut bytes)?;
    let day = archive.contents.settings.value.business_day(Timestamp::now());
    Ok(download("application/gzip", format!("{slug}-{day}.tar.gz"), bytes))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/export/orders.csv", tag = "exports", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "One row per order of every day whose guests' details are still kept", content_type = "text/csv", body = String),
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn orders_csv(State(state): State<AppState>, Owner { slug, .. }: Owner) -> Result<Response, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let today = restaurant.business_day(Timestamp::now());
    let from = restaurant.personal_data_days.last_erased_day(today).checked_add(1.day()).unwrap_or(today);
    let days = from.until(today).map_or(0, |span| span.get_days());
    let orders = super::reports::orders_of_days(&state, &slug, from, days).await?;
    let csv = super::reports::csv(&orders, &[], &restaurant.time_zone);
    Ok(download("text/csv; charset=utf-8", format!("{slug}-orders-{from}-{today}.csv"), csv))
}
