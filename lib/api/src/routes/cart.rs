//! Guests' carts: no account, an unguessable token, prices only ever from the menu.

use crate::error::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use serde::Serialize;
use utoipa::ToSchema;

use bistro_domain::cart::{self, Cart, CartError, CartLine, PricedCart};
use bistro_domain::ids::{Slug, Token};
use bistro_domain::jiff::Timestamp;
use bistro_domain::menu::Menu;
use bistro_domain::restaurant::Restaurant;
use bistro_store::RepoError;
use bistro_store::repo::Current;

use super::{Attempt, current, missing, retry_stale};
use crate::access::Tenant;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::problem;
use crate::path::{LineIndex, PathId};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/carts", post(open_cart))
        .route("/v1/restaurants/{slug}/devices", post(issue_device))
        .route("/v1/restaurants/{slug}/carts/{token}", get(read_cart))
        .route("/v1/restaurants/{slug}/carts/{token}/lines", post(add_line))
        .route("/v1/restaurants/{slug}/carts/{token}/lines/{index}", put(replace_line).delete(remove_line))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartProblem {
    pub code: ErrorCode,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartView {
    /// The cart's secret: whoever has it can see and change the cart.
    pub token: String,
    /// The lines as chosen, in order; `index` in the line URLs counts from 0.
    pub lines: Vec<CartLine>,
    /// Lines and totals priced from the menu as it is now; absent when a line cannot be ordered.
    pub priced: Option<PricedCart>,
    /// Why the cart cannot be priced now (an item sold out since it was added, say).
    pub problem: Option<CartProblem>,
    pub version: u64,
}

/// Prices the cart against the restaurant's menu as of the change count `restaurant` was read
/// at: a moment ago for a guest filling the cart, now for an order being placed.
pub(crate) async fn price(state: &AppState, restaurant: &Current, cart: &Cart) -> Result<PricedCart, ApiError> {
    let settings = &restaurant.settings.value;
    price_against(&state.repos.menus.menu_as_of(&settings.slug, restaurant.changes).await?.value, settings, cart)
}

fn price_against(menu: &Menu, restaurant: &Restaurant, cart: &Cart) -> Result<PricedCart, ApiError> {
    let now = restaurant.time_zone.at(Timestamp::now());
    Ok(cart::price(cart, menu, restaurant.pricing_rules(), &now)?)
}

/// The cart as shown: priced, or with the reason it cannot be priced now.
fn view(token: &Token, cart: Cart, version: u64, pricing: Result<PricedCart, ApiError>) -> Result<CartView, ApiError> {
    let (priced, problem) = match pricing {
        Ok(priced) => (Some(priced), None),
        Err(ApiError::Unprocessable { code, detail }) => (None, Some(CartProblem { code, detail })),
        Err(other) => return Err(other),
    };
    Ok(CartView { token: token.to_string(), lines: cart.lines().to_vec(), priced, problem, version })
}

async fn priced_view(
    state: &AppState,
    restaurant: &Current,
    token: &Token,
    cart: Cart,
    version: u64,
) -> Result<CartView, ApiError> {
    let pricing = price(state, restaurant, &cart).await;
    view(token, cart, version, pricing)
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/carts", tag = "cart", params(("slug" = bistro_domain::ids::Slug, Path)),
    responses((status = 201, body = CartView), problem::NotFound, (status = 422, description = "The restaurant takes no orders online (ordering_off, feature_held)", body = crate::error::Problem), problem::TooMany))]
pub async fn open_cart(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    _: crate::limits::GuestBudget,
) -> Result<impl IntoResponse, ApiError> {
    let found = current(&state, &slug).await?;
    // A menu to read only takes no cart: nothing could be ordered from it.
    found.settings.value.terms(state.held).take_cart()?;
    let token = state.repos.carts.open(&slug).await?;
    Ok((StatusCode::CREATED, Json(priced_view(&state, &found, &token, Cart::default(), 1).await?)))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/devices", tag = "cart", params(("slug" = bistro_domain::ids::Slug, Path)),
    responses((status = 204, description = "A token of the guest's device's own, in the `Bistro-Device` header: sent back in that header when the guest opens a cart, orders or books, those count against the device's budget at the restaurant, not its address's.",
        headers(("Bistro-Device" = String, description = "The device's token (64 hex digits)"))), problem::NotFound, problem::TooMany))]
pub async fn issue_device(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    _: crate::limits::ClientBudget,
) -> Result<impl IntoResponse, ApiError> {
    current(&state, &slug).await?;
    let now = bistro_domain::jiff::Timestamp::now().as_second();
    let token = state.repos.clients.issue_device(&slug, now, crate::limits::DEVICE_BUDGET).await?;
    Ok((crate::limits::IssuedDevice(token), StatusCode::NO_CONTENT))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/carts/{token}", tag = "cart", params(("slug" = bistro_domain::ids::Slug, Path), ("token" = bistro_domain::ids::Token, Path)),
    responses((status = 200, body = CartView), (status = 404, description = "No such cart, or expired", body = Problem), problem::TooMany))]
pub async fn read_cart(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(token): PathId<Token>,
) -> Result<Json<CartView>, ApiError> {
    let found = current(&state, &slug).await?;
    let cart = state.repos.carts.get(&slug, &token).await.map_err(missing("cart"))?;
    Ok(Json(priced_view(&state, &found, &token, cart.value, cart.version).await?))
}

/// Applies `change` to the cart, checks the result prices (unless it only removes), and saves
/// it; a concurrent change from the same guest's other tab is re-read and `change` applied
/// again on top.
async fn change_cart(
    state: &AppState,
    slug: &Slug,
    token: &Token,
    change: impl Fn(&mut Cart) -> Result<(), CartError>,
    must_price: bool,
) -> Result<CartView, ApiError> {
    let found = &current(state, slug).await?;
    let change = &change;
    let busy = || ApiError::conflict(ErrorCode::BusyCart, "the cart is being changed elsewhere; try again");
    // Each attempt reads the cart itself: a stale copy is forgotten by the store.
    retry_stale((), busy, |(), _| async move {
        let mut cart = state.repos.carts.to_change(slug, token).await.map_err(missing("cart"))?;
        change(&mut cart.value)?;
        // Priced once: the check before saving is also what the answer shows.
        let pricing = price(state, found, &cart.value).await;
        if must_price {
            if let Err(refused) = pricing {
                return Err(refused);
            }
        }
        match state.repos.carts.save(slug, token, &cart.value, cart.version).await {
            Ok(version) => view(token, cart.value, version, pricing).map(Attempt::Done),
            Err(RepoError::StaleVersion) => Ok(Attempt::Stale(())),
            Err(other) => Err(missing("cart")(other)),
        }
    })
    .await
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/carts/{token}/lines", tag = "cart", params(("slug" = bistro_domain::ids::Slug, Path), ("token" = bistro_domain::ids::Token, Path)),
    request_body = bistro_domain::cart::CartLine,
    responses((status = 200, body = CartView), problem::BadRequest, problem::NotFound, problem::Conflict,
              problem::TooLarge, problem::NotJson,
              (status = 422, description = "Unknown, sold-out or unavailable item, or invalid options", body = Problem), problem::TooMany))]
pub async fn add_line(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(token): PathId<Token>,
    Json(line): Json<CartLine>,
) -> Result<Json<CartView>, ApiError> {
    Ok(Json(change_cart(&state, &slug, &token, |cart| cart.add(line.clone()), true).await?))
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/carts/{token}/lines/{index}", tag = "cart",
    params(("slug" = bistro_domain::ids::Slug, Path), ("token" = bistro_domain::ids::Token, Path), ("index" = usize, Path)), request_body = bistro_domain::cart::CartLine,
    responses((status = 200, body = CartView), problem::BadRequest, problem::NotFound, problem::Conflict,
              problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn replace_line(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(token): PathId<Token>,
    PathId(LineIndex(index)): PathId<LineIndex>,
    Json(line): Json<CartLine>,
) -> Result<Json<CartView>, ApiError> {
    Ok(Json(change_cart(&state, &slug, &token, |cart| cart.replace(index, line.clone()), true).await?))
}

#[utoipa::path(delete, path = "/v1/restaurants/{slug}/carts/{token}/lines/{index}", tag = "cart",
    params(("slug" = bistro_domain::ids::Slug, Path), ("token" = bistro_domain::ids::Token, Path), ("index" = usize, Path)),
    responses((status = 200, body = CartView), problem::NotFound, problem::Conflict, problem::Unprocessable, problem::TooMany))]
pub async fn remove_line(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(token): PathId<Token>,
    PathId(LineIndex(index)): PathId<LineIndex>,
) -> Result<Json<CartView>, ApiError> {
    Ok(Json(change_cart(&state, &slug, &token, |cart| cart.remove(index).map(|_| ()), false).await?))
}
