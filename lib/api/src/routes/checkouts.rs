//! A guest's order paid online, before Stripe confirms the payment: opened from the cart as a
//! checkout (the cart used up, a later slot held, no number taken, nothing on the board), paid on
//! Stripe's hosted page, followed by the guest's page until it becomes the order.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use bistro_domain::ids::{OrderId, Slug};
use bistro_domain::jiff::{SignedDuration, Timestamp};
use bistro_domain::money::Money;
use bistro_domain::order::{NewOrder, Order};
use bistro_domain::payment::{Checkout, CheckoutState, ProviderId};
use bistro_payments::client::NewSession;
use bistro_store::RepoError;
use bistro_store::repo::{CartAtVersion, IdempotencyKey};

use super::payments::settings;
use crate::access::{Tenant, TokenParam};
use crate::error::{ApiError, ErrorCode};
use crate::extract::{Json, Query};
use crate::openapi::problem;
use crate::path::PathId;
use crate::payments::checkout_lines;
use crate::state::AppState;

/// Stripe's shortest life for a Checkout Session is 30 minutes from its creation; a minute more
/// so the clocks of Bistro and Stripe cannot disagree about it.
pub const CHECKOUT_LIFETIME: SignedDuration = SignedDuration::from_secs(31 * 60);

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/restaurants/{slug}/orders/{order}/checkout", get(read_checkout))
}

/// A checkout as its guest sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutView {
    /// The order's id, once and when it is placed.
    #[schema(value_type = bistro_domain::ids::OrderId)]
    pub id: OrderId,
    #[serde(flatten)]
    pub state: CheckoutState,
    /// Where the guest pays, while the checkout is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// What the guest pays: the order's total and the tip.
    pub total: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip: Option<Money>,
    #[schema(value_type = bistro_domain::schema::Instant)]
    pub expires_at: Timestamp,
}

impl CheckoutView {
    fn of(checkout: &Checkout) -> Self {
        Self {
            id: checkout.order.id.clone(),
            state: checkout.state,
            pay_url: (checkout.state == CheckoutState::Open).then(|| checkout.pay_url.clone()),
            total: checkout.amount(),
            tip: checkout.tip,
            expires_at: checkout.expires_at,
        }
    }
}

/// What placing an order paid online answers: the checkout to pay, and the guest's secret for
/// following it (and the order it becomes).
#[derive(Debug, Serialize, ToSchema)]
pub struct AwaitingPayment {
    pub checkout: CheckoutView,
    pub token: String,
}

pub(crate) fn awaiting(checkout: &Checkout, status: StatusCode) -> (StatusCode, Json<AwaitingPayment>) {
    let token = checkout.order.token.to_string();
    (status, Json(AwaitingPayment { checkout: CheckoutView::of(checkout), token }))
}

/// What a checkout is opened from: the order as decided, and how the request reached it.
pub(crate) struct Opening<'a> {
    pub slug: &'a Slug,
    pub idempotency: &'a IdempotencyKey,
    pub cart: CartAtVersion<'a>,
    pub orders_per_slot: u16,
    pub headers: &'a HeaderMap,
}

/// The checkout an earlier try under the key opened, if any.
pub(crate) async fn earlier(
    state: &AppState,
    slug: &Slug,
    idempotency: &IdempotencyKey,
) -> Result<Option<Checkout>, ApiError> {
    let id = bistro_store::repo::order_id(slug, idempotency);
    Ok(state.repos.payments.earlier(slug, &id, idempotency).await?)
}

/// Opens a hosted checkout on the restaurant's account for the order `new`, then the checkout
/// itself (the cart used up, its slot held): 202 with where to pay.
pub(crate) async fn open(
    state: &AppState,
    opening: Opening<'_>,
    new: NewOrder,
    tip: Option<Money>,
    account: &ProviderId,
    language: bistro_domain::restaurant::Language,
) -> Result<(StatusCode, Json<AwaitingPayment>), ApiError> {
    let settings = settings(state)?;
    let slug = opening.slug;
    let order = Order::place(bistro_store::repo::order_id(slug, opening.idempotency), new, 0);
    let now = Timestamp::now();
    let expires_at = now.checked_add(CHECKOUT_LIFETIME).map_err(|e| ApiError::Internal(e.to_string()))?;
    let fee = settings.fees.on(order.totals.total);
    let site = settings.site_for(opening.headers)?;
    let lines = checkout_lines(&order, tip, language);
    let (id, currency) = (order.id.to_string(), order.totals.total.currency.code().to_lowercase());
    let success = format!("{site}/r/{slug}/order/{id}");
    let back = format!("{site}/r/{slug}/?paying={id}");
    let new_session = NewSession {
        currency: &currency,
        lines: &lines,
        application_fee: fee.minor,
        expires_at: expires_at.as_second(),
        success_url: &success,
        cancel_url: &back,
        metadata: &[("checkout", &id), ("restaurant", slug.as_str())],
    };
    let stripe = settings.stripe().await?;
    // The session's life starts now, so its key does too: a retry after a failure opens anew.
    let key = format!("checkout-{id}-{}", expires_at.as_second());
    let session = stripe.create_session(account.as_str(), &new_session, &key).await;
    let session = session.map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
    let session_id = ProviderId::parse(&session.id, "cs_").map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
    let pay_url = session.url.ok_or_else(|| ApiError::PaymentProvider("a Checkout Session without a url".into()))?;
    let checkout = Checkout { order, session: session_id, pay_url, fee, tip, expires_at, state: CheckoutState::Open };
    let opened = state.repos.payments.open(&checkout, opening.idempotency, opening.cart, opening.orders_per_slot).await;
    if !matches!(&opened, Ok(first) if !first.replayed) {
        // Nobody will pay on this session: end it now rather than in half an hour.
        let _ = stripe.expire_session(account.as_str(), &session.id).await;
    }
    let opened = opened.map_err(|e| match e {
        RepoError::StaleVersion => {
            ApiError::conflict(ErrorCode::CartChanged, "the cart changed while ordering; review it and order again")
        }
        other => other.into(),
    })?;
    let status = if opened.replayed { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok(awaiting(&opened.value, status))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders/{order}/checkout", tag = "orders",
    params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path), TokenParam),
    responses((status = 200, description = "The checkout: open (pay at pay_url), paid (the order is placed), expired, or not served (the payment was released)", body = CheckoutView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
/// The guest's checkout, with the guest's secret: what the page shows until the order is placed.
pub async fn read_checkout(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(id): PathId<OrderId>,
    Query(TokenParam { token }): Query<TokenParam>,
) -> Result<Json<CheckoutView>, ApiError> {
    let checkout = state.repos.payments.checkout_recent(&slug, &id).await.map_err(super::missing("checkout"))?;
    let presented = token.ok_or(ApiError::Unauthenticated("send the order's token (?token=)"))?;
    if !checkout.value.order.token.matches(presented.as_str()) {
        return Err(ApiError::Forbidden("this token is not this order's"));
    }
    Ok(Json(CheckoutView::of(&checkout.value)))
}
