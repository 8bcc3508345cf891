//! Orders: placed from a cart exactly once, followed by the customer with a token, moved along
//! the state machine by staff and drivers.

use crate::error::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bistro_domain::cart::Cart;
use bistro_domain::ids::{OrderId, Slug, Token, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::order::{Actor, Customer, NewOrder, Order, OrderKind, OrderState};
use bistro_domain::restaurant::Role;
use bistro_domain::timing::Wanted;
use bistro_store::RepoError;
use bistro_store::repo::{CartAtVersion, Current, IdempotencyKey, Placement, Versioned};

use super::cart::price;
use super::checkouts::{self, Opening};
use super::{Attempt, cursor, idempotency, missing, page_size, restaurant, retry_stale};
use crate::access::{AnyRole, Asking, Caller, Clearance, FloorStaff, Owner, Staff, Tenant, TokenParam};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, id};
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;
use bistro_domain::order::OrderView;
use bistro_domain::payment::PayBy;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/orders", post(place_order).get(list_orders))
        .route("/v1/restaurants/{slug}/orders/slots", get(later_slots))
        .route("/v1/restaurants/{slug}/orders/report", get(super::reports::sales_report))
        .route("/v1/restaurants/{slug}/orders/{order}", get(read_order))
        .route("/v1/restaurants/{slug}/orders/{order}/cancel", post(cancel_order))
        .route("/v1/restaurants/{slug}/orders/{order}/transitions", post(move_order))
        .route("/v1/restaurants/{slug}/orders/{order}/driver", put(assign_driver))
        .route("/v1/restaurants/{slug}/orders/{order}/erase", post(erase_order))
        .merge(super::deliveries::router())
        .merge(super::checkouts::router())
        .merge(super::refunds::router())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    /// The cart's token; the cart is used up by the order.
    #[schema(value_type = bistro_domain::ids::Token)]
    pub cart: String,
    pub kind: OrderKind,
    pub customer: Customer,
    /// A later time for pickup or delivery: one of the slots `…/orders/slots` offers (also while
    /// the restaurant is closed, for its next opening). Without it, as soon as possible.
    #[serde(default)]
    #[schema(value_type = Option<bistro_domain::schema::Instant>)]
    pub at: Option<Timestamp>,
    /// How the guest pays: online (then the answer is a checkout to pay on Stripe's page) or at
    /// the restaurant. Without it, online where the restaurant asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay: Option<PayBy>,
    /// A tip added to what is paid online, where the restaurant offers tips for this way of
    /// ordering (`restaurant.tips`): `{"percent": 10}`, one of the shares it offers of the
    /// order's total, or `{"amount": 250}` in minor units, up to the total, where it allows that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<bistro_domain::tip::TipWish>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedOrder {
    pub order: OrderView,
    /// The customer's secret for following and cancelling this order (`?token=`).
    pub token: String,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders", tag = "orders", request_body = PlaceOrder,
    params(("slug" = bistro_domain::ids::Slug, Path), ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "Unique per order attempt; a retry with the same key returns the first order")),
    responses((status = 201, description = "Placed", body = PlacedOrder), (status = 200, description = "Placed (or its checkout opened) earlier with this key", body = PlacedOrder),
              (status = 202, description = "Paid online: a checkout to pay at its pay_url; the order is placed once Stripe confirms the payment", body = super::checkouts::AwaitingPayment),
              (status = 502, description = "Stripe did not answer: nothing was ordered", body = Problem),
              problem::BadRequest, problem::NotFound, (status = 409, description = "The cart changed meanwhile", body = Problem),
              problem::TooLarge, problem::NotJson,
              (status = 422, description = "Closed, sold out, empty cart, unknown table, key reused for another request", body = Problem),
              problem::TooMany))]
pub async fn place_order(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    _: crate::limits::GuestBudget,
    headers: HeaderMap,
    Json(body): Json<PlaceOrder>,
) -> Result<Response, ApiError> {
    let idempotency = idempotency(&headers, &body)?;
    let latest = state.repos.restaurants.latest(&slug).await.map_err(missing("restaurant"))?;
    let token = id(&body.cart, "cart", Token::parse)?;
    let ordering = Ordering {
        state: &state,
        slug: &slug,
        latest: &latest,
        idempotency: &idempotency,
        token: &token,
        body: &body,
        headers: &headers,
    };
    let carts = &state.repos.carts;
    // If this instance saw the cart last, the first try prices that copy. Only an order is taken
    // from it: the order removes the cart only at the version priced, and whatever refuses the
    // copy (changed or ordered elsewhere, emptied, below a minimum) is decided again on the cart
    // as stored. An instance that never saw the cart reads it once, and its refusal stands.
    if let Some(copy) = carts.remembered(&slug, &token) {
        if let Ok(placed) = ordering.attempt(Ok(copy)).await {
            return Ok(placed);
        }
        carts.forget(&slug, &token);
    }
    ordering.attempt(carts.get(&slug, &token).await).await
}

/// One guest's order being placed: what the request brought and the restaurant as it is now.
struct Ordering<'a> {
    state: &'a AppState,
    slug: &'a Slug,
    latest: &'a Current,
    idempotency: &'a IdempotencyKey,
    token: &'a Token,
    body: &'a PlaceOrder,
    headers: &'a HeaderMap,
}

impl Ordering<'_> {
    /// Places the order from the cart as `found`: a cart already gone answers with the order an
    /// earlier try under the key placed.
    async fn attempt(&self, found: Result<Versioned<Cart>, RepoError>) -> Result<Response, ApiError> {
        let cart = match found {
            Ok(cart) => cart,
            // Placing consumes the cart: a retry finds it gone, and gets its first answer.
            Err(RepoError::NotFound) => return self.earlier().await,
            Err(other) => return Err(other.into()),
        };
        if cart.value.is_empty() {
            return Err(ApiError::unprocessable(ErrorCode::CartEmpty, "the cart is empty"));
        }
        let (new, business_date, pay) = self.decide(&cart.value).await?;
        let restaurant = &self.latest.settings.value;
        let tip = restaurant.tips.take(&new.kind, pay, new.priced.totals.total, self.body.tip)?;
        if let (PayBy::Online, Some(account)) = (pay, &restaurant.payment_account) {
            let opening = Opening {
                slug: self.slug,
                idempotency: self.idempotency,
                cart: CartAtVersion { token: self.token, version: cart.version },
                orders_per_slot: restaurant.timing.orders_per_slot(),
                headers: self.headers,
            };
            let opened = checkouts::open(self.state, opening, new, tip, &account.id, restaurant.language).await?;
            self.state.repos.carts.forget(self.slug, self.token);
            return Ok(opened.into_response());
        }
        let placement = Placement {
            idempotency: self.idempotency,
            slug: self.slug,
            business_date,
            cart: Some(CartAtVersion { token: self.token, version: cart.version }),
            orders_per_slot: self.latest.settings.value.timing.orders_per_slot(),
        };
        let placed = self.state.repos.orders.place(placement, |id, number| Order::place(id, new.clone(), number));
        let placed = placed.await.map_err(|e| match e {
            RepoError::StaleVersion => {
                ApiError::conflict(ErrorCode::CartChanged, "the cart changed while ordering; review it and order again")
            }
            other => other.into(),
        })?;
        self.state.repos.carts.forget(self.slug, self.token);
        let status = if placed.replayed { StatusCode::OK } else { StatusCode::CREATED };
        Ok(placed_response(placed.value, status).into_response())
    }

    /// The answer an earlier try under the key got: its order, or its checkout.
    async fn earlier(&self) -> Result<Response, ApiError> {
        if let Some(earlier) = self.state.repos.orders.earlier(self.slug, self.idempotency).await? {
            return Ok(placed_response(earlier.value, StatusCode::OK).into_response());
        }
        match checkouts::earlier(self.state, self.slug, self.idempotency).await? {
            Some(checkout) => Ok(checkouts::awaiting(&checkout, StatusCode::OK).into_response()),
            None => Err(ApiError::NotFound("cart")),
        }
    }

    /// What the restaurant agrees to for this cart now: the order to number, its day of service,
    /// and how it is paid.
    async fn decide(&self, cart: &Cart) -> Result<(NewOrder, Date, PayBy), ApiError> {
        let restaurant = &self.latest.settings.value;
        let body = self.body;
        let now = Timestamp::now();
        let terms = restaurant.terms(self.state.held);
        let pay = terms.take_payment(&body.kind, body.pay, self.state.takes_payments())?;
        let agreed = terms.take_order(&body.kind, body.at.map_or(Wanted::Soon, Wanted::At), now)?;
        restaurant.check_guest(&body.kind, &body.customer)?;
        let priced = restaurant.charge(&body.kind, price(self.state, self.latest, cart).await?)?;
        let new = NewOrder {
            restaurant: self.slug.clone(),
            kind: body.kind.clone(),
            customer: body.customer.clone(),
            priced,
            placed_at: now,
            business_date: agreed.business_date,
            promise: agreed.promise,
        };
        Ok((new, agreed.business_date, pay))
    }
}

/// The kinds of order that can be placed for a later time.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LaterKind {
    Pickup,
    Delivery,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LaterQuery {
    #[param(inline)]
    pub kind: LaterKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LaterSlot {
    #[schema(value_type = bistro_domain::schema::Instant)]
    pub at: Timestamp,
    /// The slot took all the orders it takes.
    pub full: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LaterSlots {
    /// Minutes an order of this kind placed now takes (a busy kitchen's delay included).
    pub ready_in_minutes: i64,
    /// It can be ordered for as soon as possible now (the restaurant is open).
    pub now: bool,
    /// The day of service the slots belong to; absent when there are none.
    #[schema(value_type = Option<bistro_domain::schema::LocalDate>)]
    pub date: Option<Date>,
    pub time_zone: String,
    pub slots: Vec<LaterSlot>,
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders/slots", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), LaterQuery),
    responses((status = 200, body = LaterSlots), problem::BadRequest, problem::NotFound, problem::TooMany))]
pub async fn later_slots(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    Query(query): Query<LaterQuery>,
) -> Result<Json<LaterSlots>, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let kind = match query.kind {
        LaterKind::Pickup => OrderKind::Pickup,
        LaterKind::Delivery => OrderKind::Delivery { address: None, postcode: None },
    };
    let now = Timestamp::now();
    let terms = restaurant.terms(state.held);
    let later = terms.later_slots(&kind, now);
    // Each slot is counted under its own business day: the slots of one opening may span two.
    let mut taken = std::collections::BTreeMap::new();
    let days: std::collections::BTreeSet<Date> =
        later.iter().flat_map(|later| later.times.iter().map(|at| restaurant.business_day(*at))).collect();
    for day in days {
        taken.extend(state.repos.orders.slot_counts(&slug, day).await?);
    }
    let cap = u32::from(restaurant.timing.orders_per_slot());
    let slots = later
        .as_ref()
        .map(|later| {
            let full = |at| taken.get(at).is_some_and(|n| *n >= cap);
            later.times.iter().map(|at| LaterSlot { at: *at, full: full(at) }).collect()
        })
        .unwrap_or_default();
    Ok(Json(LaterSlots {
        ready_in_minutes: terms.ready_in(&kind).as_mins(),
        now: terms.takes_now(&kind, now),
        date: later.as_ref().and_then(|later| later.times.first()).map(|at| restaurant.business_day(*at)),
        time_zone: restaurant.time_zone.name().to_owned(),
        slots,
    }))
}

fn placed_response(order: Order, status: StatusCode) -> (StatusCode, Json<PlacedOrder>) {
    let token = order.token.to_string();
    (status, Json(PlacedOrder { order: OrderView::seen_by(order, &Actor::Customer), token }))
}

/// The order, if the caller may see it: its guest (with the token) or the restaurant's floor
/// staff; a driver only when it is assigned to them.
async fn authorized<C: Clearance>(
    state: &AppState,
    slug: &Slug,
    id: &OrderId,
    caller: &Caller<C>,
) -> Result<(Order, Actor), ApiError> {
    let order = state.repos.orders.get_recent(slug, id).await.map_err(missing("order"))?;
    let actor = caller.may_see(&order.token, "order", |staff| {
        if staff.role.works_the_floor() || order.driver.as_ref() == Some(&staff.user) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("this order is not assigned to you"))
        }
    })?;
    Ok((order, actor))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders/{order}", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path), TokenParam),
    security((), ("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, body = OrderView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn read_order(
    State(state): State<AppState>,
    Asking(slug, caller): Asking<AnyRole>,
    PathId(order): PathId<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let (order, viewer) = authorized(&state, &slug, &order, &caller).await?;
    Ok(Json(OrderView::seen_by(order, &viewer)))
}

/// Re-reads and re-applies `change` when someone else moved the order first: the change is
/// judged against the order as it is, never written over a state it did not see.
pub(super) async fn change_order(
    state: &AppState,
    slug: &Slug,
    order: Order,
    change: impl Fn(&mut Order) -> Result<(), ApiError>,
) -> Result<Order, ApiError> {
    change_order_booked(state, slug, order, change, None).await
}

/// `change_order`, with a refund's entry in the books written together with the change.
pub(super) async fn change_order_booked(
    state: &AppState,
    slug: &Slug,
    order: Order,
    change: impl Fn(&mut Order) -> Result<(), ApiError>,
    booked: Option<&bistro_domain::report::BookedRefund>,
) -> Result<Order, ApiError> {
    let change = &change;
    let busy = || ApiError::conflict(ErrorCode::BusyOrder, "the order is being changed elsewhere; try again");
    retry_stale(order, busy, |mut order: Order, attempt| async move {
        if let Err(refused) = change(&mut order) {
            // The order may have been read a moment old: judge the change once more on the latest.
            let latest = state.repos.orders.get(slug, &order.id).await.map_err(missing("order"))?;
            if attempt > 0 || latest.version == order.version {
                return Err(refused);
            }
            return Ok(Attempt::Stale(latest));
        }
        let saved = match booked {
            Some(booked) => state.repos.orders.save_refunded(&order, booked).await,
            None => state.repos.orders.save(&order).await,
        };
        match saved {
            Ok(()) => Ok(Attempt::Done(order)),
            Err(RepoError::StaleVersion) => {
                Ok(Attempt::Stale(state.repos.orders.get(slug, &order.id).await.map_err(missing("order"))?))
            }
            Err(other) => Err(missing("order")(other)),
        }
    })
    .await
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders/{order}/cancel", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path), TokenParam),
    responses((status = 200, body = OrderView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 409, description = "Already accepted", body = Problem), problem::TooMany))]
pub async fn cancel_order(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(order): PathId<OrderId>,
    Query(TokenParam { token }): Query<TokenParam>,
) -> Result<Json<OrderView>, ApiError> {
    // Only the guest cancels: the kitchen refuses an order by moving it to `rejected`.
    let (order, actor) = authorized(&state, &slug, &order, &Caller::<AnyRole>::Guest { token }).await?;
    let order = move_paying(&state, &slug, order, OrderState::Cancelled, &actor, None).await?;
    Ok(Json(OrderView::seen_by(order, &actor)))
}

/// Moves the order to `to` as `actor`; a paid order's money is taken (accepted) or let go (not
/// served) first, and only if the move is allowed: a move Stripe fails is not made.
async fn move_paying(
    state: &AppState,
    slug: &Slug,
    order: Order,
    to: OrderState,
    actor: &Actor,
    reason: Option<bistro_domain::text::Note>,
) -> Result<Order, ApiError> {
    let moved = |o: &mut Order| Ok(o.transition_because(to, actor.clone(), Timestamp::now(), reason.clone())?);
    if let Some((step, payment)) = order.money_step(to) {
        moved(&mut order.clone())?;
        super::payments::settings(state)?.settle(&order, step, payment).await?;
    }
    change_order(state, slug, order, moved).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Move {
    pub to: OrderState,
    /// With `rejected` only: why, in words the guest is shown.
    #[serde(default)]
    pub reason: Option<bistro_domain::text::Note>,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders/{order}/transitions", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path)),
    request_body = Move, security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, body = OrderView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 409, description = "Not a legal next state", body = Problem), problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn move_order(
    State(state): State<AppState>,
    staff: Staff,
    PathId(order): PathId<OrderId>,
    Json(body): Json<Move>,
) -> Result<Json<OrderView>, ApiError> {
    let slug = staff.slug.clone();
    let (order, actor) = authorized(&state, &slug, &order, &Caller::Staff(staff)).await?;
    let order = move_paying(&state, &slug, order, body.to, &actor, body.reason).await?;
    Ok(Json(OrderView::seen_by(order, &actor)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The driver's account id.
    #[schema(value_type = bistro_domain::ids::UserId)]
    pub driver: String,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/orders/{order}/driver", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path)),
    request_body = Assignment, security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = OrderView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn assign_driver(
    State(state): State<AppState>,
    floor: FloorStaff,
    PathId(order): PathId<OrderId>,
    Json(body): Json<Assignment>,
) -> Result<Json<OrderView>, ApiError> {
    let (slug, role) = (floor.slug.clone(), floor.staff.role);
    let driver_id = UserId::parse(&body.driver)
        .map_err(|_| ApiError::unprocessable(ErrorCode::UnknownDriver, "no such driver here"))?;
    // The account's public copy (`SESSION`): this function may not read accounts themselves.
    let unknown = || ApiError::unprocessable(ErrorCode::UnknownDriver, "no such driver here");
    let driver_role = state.repos.restaurants.active_role(&slug, &driver_id).await?.ok_or_else(unknown)?;
    let (order, viewer) = authorized(&state, &slug, &order, &Caller::Staff(floor)).await?;
    let order =
        change_order(&state, &slug, order, |o| Ok(o.assign_driver(driver_id.clone(), driver_role, role)?)).await?;
    Ok(Json(OrderView::seen_by(order, &viewer)))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/orders/{order}/erase", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), ("order" = bistro_domain::ids::OrderId, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The guest's name, phone and address are gone; lines and totals stay", body = OrderView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "The order is not finished yet", body = Problem), problem::TooMany))]
/// Erases the guest's personal data of one finished order now (a guest's request, say), ahead
/// of the retention period.
pub async fn erase_order(
    State(state): State<AppState>,
    owner: Owner,
    PathId(order): PathId<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let slug = owner.slug.clone();
    let viewer = Actor::Staff { user: owner.staff.user.clone(), role: owner.staff.role };
    let id = order;
    let order = state.repos.orders.get(&slug, &id).await.map_err(missing("order"))?;
    let busy = || ApiError::conflict(ErrorCode::BusyOrder, "the order is being changed elsewhere; try again");
    let erased = retry_stale(order, busy, |mut order: Order, _| {
        let state = &state;
        async move {
            order.erase_personal_data(Timestamp::now())?;
            match state.repos.orders.save_erased(&order).await {
                Ok(()) => Ok(Attempt::Done(order)),
                Err(RepoError::StaleVersion) => {
                    Ok(Attempt::Stale(state.repos.orders.get(&order.restaurant, &order.id).await?))
                }
                Err(other) => Err(missing("order")(other)),
            }
        }
    })
    .await?;
    Ok(Json(OrderView::seen_by(erased, &viewer)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderListing {
    /// The restaurant's local date (YYYY-MM-DD); today when left out.
    #[param(value_type = Option<bistro_domain::schema::LocalDate>)]
    pub date: Option<Date>,
    /// Only orders in this state.
    pub state: Option<OrderState>,
    /// Orders per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/orders", tag = "orders", params(("slug" = bistro_domain::ids::Slug, Path), OrderListing), security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, description = "Staff see every order of the day; drivers only theirs", body = OrderPage), problem::BadRequest,
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn list_orders(
    State(state): State<AppState>,
    Staff { slug, staff, .. }: Staff,
    Query(listing): Query<OrderListing>,
) -> Result<Json<OrderPage>, ApiError> {
    let restaurant = restaurant(&state, &slug).await?.value;
    let (limit, cursor) = (page_size(listing.limit)?, cursor(listing.cursor.as_deref())?);
    let (orders, next) = if staff.role == Role::Driver {
        let (orders, next) = state.repos.orders.of_driver(&slug, &staff.user, limit, cursor).await?;
        let wanted =
            |o: &Order| listing.date.is_none_or(|d| o.business_date == d) && listing.state.is_none_or(|s| o.state == s);
        (orders.into_iter().filter(wanted).collect(), next)
    } else {
        let date = listing.date.unwrap_or_else(|| restaurant.business_day(Timestamp::now()));
        state.repos.orders.of_day(&slug, date, listing.state, limit, cursor).await?
    };
    Ok(Json(OrderPage {
        orders: orders.into_iter().map(|order| OrderView::seen_by(order, &staff.actor())).collect(),
        next_cursor: next.map(|c| c.as_str().to_owned()),
    }))
}
