//! Giving a guest's money back after it was taken: the owner refunds all or part of an order paid
//! online, with a reason the guest is shown; Stripe refunds the platform's fee in proportion.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use bistro_domain::ids::OrderId;
use bistro_domain::jiff::Timestamp;
use bistro_domain::money::Money;
use bistro_domain::order::OrderView;
use bistro_domain::payment::{ProviderId, Refund, RefundError};
use bistro_domain::report::BookedRefund;
use bistro_domain::text::Note;

use super::orders::change_order_booked;
use super::payments::settings;
use super::{idempotency, missing};
use crate::access::Owner;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/restaurants/{slug}/orders/{order}/refunds", post(refund_order))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// How much to give back, in the minor units of the order's currency: at most what is left.
    #[schema(minimum = 1)]
    pub amount: i64,
    /// Why, in words the guest is shown.
    pub reason: Note,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders/{order}/refunds", tag = "orders",
    params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path),
           ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "Unique per refund; a retry with the same key refunds once")),
    request_body = RefundRequest, security(("bearer" = ["owner"])),
    responses((status = 200, description = "Refunded: the order with its refunds", body = OrderView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "Not paid online, or not taken yet (not_refundable)", body = Problem),
              problem::TooLarge, problem::NotJson,
              (status = 422, description = "More than is left to refund, or no reason", body = Problem), problem::TooMany,
              (status = 502, description = "Stripe did not refund: nothing changed", body = Problem)))]
/// Refunds all or part of an order paid online and taken.
pub async fn refund_order(
    State(state): State<AppState>,
    owner: Owner,
    PathId(id): PathId<OrderId>,
    headers: HeaderMap,
    Json(body): Json<RefundRequest>,
) -> Result<Json<OrderView>, ApiError> {
    let key = idempotency(&headers, &body)?;
    let slug = owner.slug.clone();
    let order = state.repos.orders.get(&slug, &id).await.map_err(missing("order"))?;
    let payment = order.payment.clone().ok_or(RefundError::NotTaken)?;
    let amount = Money::new(body.amount, payment.amount.currency);
    payment.may_refund(amount, &body.reason)?;
    let stripe = settings(&state)?.stripe().await?;
    let idempotency = format!("refund-{id}-{}", key.key);
    let made = stripe.refund(payment.account.as_str(), payment.intent.as_str(), amount.minor, &idempotency).await;
    let made = made.map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
    let refund = Refund {
        id: ProviderId::parse(&made, "re_").map_err(|e| ApiError::PaymentProvider(e.to_string()))?,
        amount,
        reason: body.reason,
        at: Timestamp::now(),
    };
    let restaurant = super::restaurant(&state, &slug).await?.value;
    let booked = BookedRefund {
        refund: refund.id.clone(),
        order: order.id.clone(),
        number: order.number,
        order_day: order.business_date,
        amount,
        fee_returned: payment.fee_returned(amount),
        at: refund.at,
        made_on: restaurant.business_day(refund.at),
    };
    let refunded = |o: &mut bistro_domain::order::Order| Ok(o.refunded(refund.clone())?);
    let order = change_order_booked(&state, &slug, order, refunded, Some(&booked)).await?;
    Ok(Json(OrderView::seen_by(order, &owner.staff.actor())))
}
