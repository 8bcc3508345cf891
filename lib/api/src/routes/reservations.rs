//! Table bookings: free slots, booking (idempotent), the guest's view and cancel, the staff list.

use crate::error::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bistro_domain::ids::{ReservationId, Slug};
use bistro_domain::jiff::civil::Date;
use bistro_domain::jiff::{SignedDuration, Timestamp};
use bistro_domain::reservation::{Contact, Reservation, ReservationStatus};
use bistro_domain::restaurant::Restaurant;
use bistro_domain::text::Note;
use bistro_store::RepoError;

use super::{Attempt, cursor, idempotency, missing, page_size, restaurant, retry_stale};
use crate::access::{Asking, Caller, FloorStaff, Owner, Tenant, TokenParam, WorksTheFloor};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;
use crate::views::ReservationView;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/reservations/slots", get(free_slots))
        .route("/v1/restaurants/{slug}/reservations", post(book).get(list_reservations))
        .route("/v1/restaurants/{slug}/reservations/{reservation}", get(read_reservation))
        .route("/v1/restaurants/{slug}/reservations/{reservation}/cancel", post(cancel_reservation))
        .route("/v1/restaurants/{slug}/reservations/{reservation}/status", post(set_status))
        .route("/v1/restaurants/{slug}/reservations/{reservation}/erase", post(erase_reservation))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// The restaurant's day of service (YYYY-MM-DD), as in the staff's list of bookings: from its
    /// `day_starts` to the next day's, so a start in the small hours belongs to the day before.
    #[param(value_type = bistro_domain::schema::LocalDate)]
    pub date: Date,
    /// Guests; the restaurant's own `party_min`..`party_max` bound it further.
    #[param(minimum = 1, maximum = 5000)]
    pub party: u16,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Slot {
    #[schema(value_type = bistro_domain::schema::Instant)]
    pub starts_at: Timestamp,
    /// The start in the restaurant's local time, with offset and zone.
    pub local: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Slots {
    #[schema(value_type = bistro_domain::schema::LocalDate)]
    pub date: Date,
    pub party: u16,
    pub time_zone: String,
    pub slots: Vec<Slot>,
}

async fn covers_around(
    state: &AppState,
    restaurant: &Restaurant,
    date: Date,
) -> Result<std::collections::BTreeMap<Timestamp, u32>, ApiError> {
    let zone = &restaurant.time_zone;
    let from = zone.instant_of(date.to_datetime(bistro_domain::jiff::civil::time(0, 0, 0, 0)));
    // Sessions of `date` can run past midnight, and seatings past the session.
    let to = from.checked_add(SignedDuration::from_hours(48)).unwrap_or(from);
    Ok(state.repos.reservations.booked_covers(&restaurant.slug, from, to).await?)
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/reservations/slots", tag = "reservations", params(("slug" = bistro_domain::ids::Slug, Path), SlotQuery),
    responses((status = 200, body = Slots), problem::BadRequest, problem::NotFound, problem::Unprocessable, problem::TooMany))]
pub async fn free_slots(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    Query(query): Query<SlotQuery>,
) -> Result<Json<Slots>, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    restaurant.terms(state.held).take_booking()?;
    let booked = covers_around(&state, &restaurant, query.date).await?;
    let zone = &restaurant.time_zone;
    let starts = restaurant.reservations.available_slots(
        query.date,
        query.party,
        &restaurant.hours,
        zone,
        restaurant.day_starts,
        Timestamp::now(),
        &booked,
    )?;
    Ok(Json(Slots {
        date: query.date,
        party: query.party,
        time_zone: zone.name().to_owned(),
        slots: starts.into_iter().map(|starts_at| Slot { starts_at, local: zone.at(starts_at).to_string() }).collect(),
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    /// One of the slots offered for the day.
    #[schema(value_type = bistro_domain::schema::Instant)]
    pub starts_at: Timestamp,
    /// Guests; the restaurant's own `party_min`..`party_max` bound it further.
    #[schema(minimum = 1, maximum = 5000)]
    pub party: u16,
    pub contact: Contact,
    #[serde(default)]
    pub note: Option<Note>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Booked {
    pub reservation: ReservationView,
    /// The guest's secret for viewing and cancelling (`?token=`).
    pub token: String,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/reservations", tag = "reservations", request_body = Booking,
    params(("slug" = bistro_domain::ids::Slug, Path), ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "Unique per booking attempt")),
    responses((status = 201, body = Booked), (status = 200, description = "Booked earlier with this key", body = Booked), problem::BadRequest,
              problem::NotFound, (status = 409, description = "The slot is full", body = Problem), problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn book(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    _: crate::limits::GuestBudget,
    headers: HeaderMap,
    Json(body): Json<Booking>,
) -> Result<impl IntoResponse, ApiError> {
    let idempotency = idempotency(&headers, &body)?;
    let restaurant = restaurant(&state, &slug).await?.value;
    restaurant.terms(state.held).take_booking()?;
    let settings = &restaurant.reservations;
    let slots = settings.check_booking(
        body.starts_at,
        body.party,
        &restaurant.hours,
        &restaurant.time_zone,
        Timestamp::now(),
    )?;
    let reservation = Reservation::new(
        slug,
        restaurant.business_day(body.starts_at),
        body.starts_at,
        body.party,
        body.contact,
        body.note,
        slots,
        Timestamp::now(),
    );
    let booked = state.repos.reservations.book(&idempotency, &reservation, settings.covers_per_slot()).await?;
    let status = if booked.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let token = booked.value.token.to_string();
    Ok((status, Json(Booked { reservation: ReservationView::new(booked.value, &restaurant.time_zone), token })))
}

/// The booking, if the caller may see it: its guest (with the token) or the floor staff.
async fn authorized(
    state: &AppState,
    slug: &Slug,
    id: &ReservationId,
    caller: &Caller<WorksTheFloor>,
) -> Result<Reservation, ApiError> {
    let reservation = state.repos.reservations.get(slug, id).await.map_err(missing("reservation"))?;
    caller.may_see(&reservation.token, "reservation", |_| Ok(()))?;
    Ok(reservation)
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/reservations/{reservation}", tag = "reservations",
    params(("slug" = bistro_domain::ids::Slug, Path), ("reservation" = bistro_domain::ids::ReservationId, Path), TokenParam), security((), ("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = ReservationView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn read_reservation(
    State(state): State<AppState>,
    Asking(slug, caller): Asking<WorksTheFloor>,
    PathId(reservation): PathId<ReservationId>,
) -> Result<Json<ReservationView>, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let reservation = authorized(&state, &slug, &reservation, &caller).await?;
    Ok(Json(ReservationView::new(reservation, &restaurant.time_zone)))
}

async fn change_status(
    state: &AppState,
    slug: &Slug,
    reservation: Reservation,
    to: ReservationStatus,
) -> Result<ReservationView, ApiError> {
    let restaurant = restaurant(state, slug).await?.value;
    let busy = || ApiError::conflict(ErrorCode::BusyReservation, "the booking is being changed elsewhere; try again");
    let changed = retry_stale(reservation, busy, |mut reservation: Reservation, _| async move {
        let held = reservation.status.holds_covers();
        reservation.change_status(to, Timestamp::now())?;
        match state.repos.reservations.save_status(&reservation, held && !to.holds_covers()).await {
            Ok(()) => Ok(Attempt::Done(reservation)),
            Err(RepoError::StaleVersion) => Ok(Attempt::Stale(
                state.repos.reservations.get(slug, &reservation.id).await.map_err(missing("reservation"))?,
            )),
            Err(other) => Err(missing("reservation")(other)),
        }
    })
    .await?;
    Ok(ReservationView::new(changed, &restaurant.time_zone))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/reservations/{reservation}/cancel", tag = "reservations",
    params(("slug" = bistro_domain::ids::Slug, Path), ("reservation" = bistro_domain::ids::ReservationId, Path), TokenParam), security((), ("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = ReservationView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooMany))]
pub async fn cancel_reservation(
    State(state): State<AppState>,
    Asking(slug, caller): Asking<WorksTheFloor>,
    PathId(reservation): PathId<ReservationId>,
) -> Result<Json<ReservationView>, ApiError> {
    let reservation = authorized(&state, &slug, &reservation, &caller).await?;
    Ok(Json(change_status(&state, &slug, reservation, ReservationStatus::Cancelled).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// seated, no_show or cancelled.
    pub status: ReservationStatus,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/reservations/{reservation}/status", tag = "reservations",
    params(("slug" = bistro_domain::ids::Slug, Path), ("reservation" = bistro_domain::ids::ReservationId, Path)), request_body = StatusChange, security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = ReservationView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn set_status(
    State(state): State<AppState>,
    staff: FloorStaff,
    PathId(reservation): PathId<ReservationId>,
    Json(body): Json<StatusChange>,
) -> Result<Json<ReservationView>, ApiError> {
    let slug = staff.slug.clone();
    let reservation = authorized(&state, &slug, &reservation, &Caller::Staff(staff)).await?;
    Ok(Json(change_status(&state, &slug, reservation, body.status).await?))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/reservations/{reservation}/erase", tag = "reservations",
    params(("slug" = bistro_domain::ids::Slug, Path), ("reservation" = bistro_domain::ids::ReservationId, Path)), security(("bearer" = ["owner"])),
    responses((status = 200, description = "The guest's name, phone, e-mail and note are gone; party and time stay", body = ReservationView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "The booking is still to come", body = Problem), problem::TooMany))]
/// Erases the guest's personal data of one finished booking now, ahead of the retention period.
pub async fn erase_reservation(
    State(state): State<AppState>,
    Owner { slug, .. }: Owner,
    PathId(reservation): PathId<ReservationId>,
) -> Result<Json<ReservationView>, ApiError> {
    let zone = restaurant(&state, &slug).await?.value.time_zone;
    let id = reservation;
    let booking = state.repos.reservations.get(&slug, &id).await.map_err(missing("reservation"))?;
    let busy = || ApiError::conflict(ErrorCode::BusyReservation, "the booking is being changed elsewhere; try again");
    let erased = retry_stale(booking, busy, |mut booking: Reservation, _| {
        let state = &state;
        async move {
            booking.erase_personal_data(Timestamp::now())?;
            match state.repos.reservations.save_erased(&booking).await {
                Ok(()) => Ok(Attempt::Done(booking)),
                Err(RepoError::StaleVersion) => {
                    Ok(Attempt::Stale(state.repos.reservations.get(&booking.restaurant, &booking.id).await?))
                }
                Err(other) => Err(missing("reservation")(other)),
            }
        }
    })
    .await?;
    Ok(Json(ReservationView::new(erased, &zone)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DayListing {
    /// The restaurant's local date (YYYY-MM-DD); today when left out.
    #[param(value_type = Option<bistro_domain::schema::LocalDate>)]
    pub date: Option<Date>,
    /// Bookings per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationPage {
    pub reservations: Vec<ReservationView>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/reservations", tag = "reservations", params(("slug" = bistro_domain::ids::Slug, Path), DayListing), security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = ReservationPage), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn list_reservations(
    State(state): State<AppState>,
    FloorStaff { slug, .. }: FloorStaff,
    Query(listing): Query<DayListing>,
) -> Result<Json<ReservationPage>, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let date = listing.date.unwrap_or_else(|| restaurant.business_day(Timestamp::now()));
    let (reservations, next) = state
        .repos
        .reservations
        .of_day(&slug, date, page_size(listing.limit)?, cursor(listing.cursor.as_deref())?)
        .await?;
    Ok(Json(ReservationPage {
        reservations: reservations.into_iter().map(|r| ReservationView::new(r, &restaurant.time_zone)).collect(),
        next_cursor: next.map(|c| c.as_str().to_owned()),
    }))
}
