//! Deliveries waiting for a driver, and a driver taking one: once, however many drivers try at
//! the same moment (the order is written only over the version read, and re-judged on the latest).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use bistro_domain::ids::OrderId;
use bistro_domain::jiff::Timestamp;
use bistro_domain::order::OrderView;
use bistro_domain::restaurant::Role;

use super::orders::change_order;
use super::{missing, restaurant};
use crate::access::{Driver, Staff};
use crate::error::ApiError;
use crate::extract::Json;
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/orders/waiting", get(waiting_deliveries))
        .route("/v1/restaurants/{slug}/orders/{order}/take", post(take_delivery))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders/waiting", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, description = "Today's deliveries no driver has yet, soonest due first", body = Vec<OrderView>),
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn waiting_deliveries(
    State(state): State<AppState>,
    Staff { slug, staff, .. }: Staff,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    let today = restaurant(&state, &slug).await?.value.business_day(Timestamp::now());
    let mut waiting: Vec<_> =
        state.repos.orders.open_of_day(&slug, today).await?.into_iter().filter(|o| o.waits_for_driver()).collect();
    waiting.sort_by_key(|o| (o.promise.map(|p| p.at), o.number));
    Ok(Json(waiting.into_iter().map(|order| OrderView::seen_by(order, &staff.actor())).collect()))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders/{order}/take", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = OrderId, Path)),
    security(("bearer" = ["driver"])),
    responses((status = 200, description = "The delivery is the caller's", body = OrderView), problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 409, description = "Another driver took it first (delivery_taken), or it is on its way (delivery_out)", body = crate::error::Problem),
              (status = 422, description = "Not a delivery, or finished", body = crate::error::Problem), problem::TooMany))]
pub async fn take_delivery(
    State(state): State<AppState>,
    Driver { slug, staff, .. }: Driver,
    PathId(order): PathId<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let order = state.repos.orders.get_recent(&slug, &order).await.map_err(missing("order"))?;
    let driver = staff.user.clone();
    let taken = change_order(&state, &slug, order, |o| Ok(o.take_delivery(driver.clone(), Role::Driver)?)).await?;
    Ok(Json(OrderView::seen_by(taken, &staff.actor())))
}
