//! Restaurants and their staff: sign-up with an owner, log in, `me`, hiring.

use crate::error::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::routing::{get, post, put};
use axum::{Router, response::IntoResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use bistro_domain::ids::{Email, Slug, UserId};
use bistro_domain::restaurant::{Account, Restaurant, Role};
use bistro_domain::text::Name;

use super::{missing, restaurant};
use crate::access::{Manager, Staff, Tenant};
use crate::auth::{check_password_rules, hash_password};
use crate::error::ApiError;
use crate::extract::Json;
use crate::limits::ClientAddress;
use crate::openapi::problem;
use crate::state::AppState;
use crate::views::AccountView;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants", post(create_restaurant))
        // The published menu carries the restaurant's hours and name: a change republishes it.
        .route(
            "/v1/restaurants/{slug}",
            get(get_restaurant).merge(put(update_restaurant).route_layer(from_fn(crate::publish::after_change))),
        )
        .route("/v1/restaurants/{slug}/login", post(login))
        .route("/v1/restaurants/{slug}/me", get(me))
        .route("/v1/restaurants/{slug}/me/password", put(change_own_password))
        .route("/v1/restaurants/{slug}/me/logout-everywhere", post(logout_everywhere))
        .merge(super::staff::router())
        .merge(super::pace::router())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub email: Email,
    pub name: Name,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRestaurant {
    pub restaurant: Restaurant,
    pub owner: NewAccount,
    /// The code whoever runs this service hands out, where it asks for one.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub sign_up_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestaurantView {
    pub restaurant: Restaurant,
    /// Send it back when updating, so a concurrent change is not overwritten.
    pub version: u64,
    /// The restaurant's day of service now (its local date, or the day before until the day
    /// changes at `day_starts`): the day its orders and bookings are listed under.
    #[schema(value_type = bistro_domain::schema::LocalDate)]
    pub today: bistro_domain::jiff::civil::Date,
    /// What guests may do here now: the restaurant's switches with the held features taken out.
    pub offered: bistro_domain::offer::Offered,
    /// What this deployment holds back for every restaurant, whatever its switches say (not
    /// available yet).
    pub held: Vec<bistro_domain::offer::Feature>,
}

impl RestaurantView {
    fn new(restaurant: Restaurant, version: u64, held: bistro_domain::offer::Held) -> Self {
        let today = restaurant.business_day(bistro_domain::jiff::Timestamp::now());
        let offered = restaurant.terms(held).offered();
        Self { restaurant, version, today, offered, held: held.features() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// A bearer token for this restaurant only, valid 12 hours.
    pub token: String,
    pub account: AccountView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedUp {
    pub restaurant: Restaurant,
    pub session: Session,
}

pub(crate) fn new_account(slug: &Slug, new: NewAccount, role: Role) -> Result<Account, ApiError> {
    check_password_rules(&new.password)?;
    Ok(Account {
        id: UserId::generate(),
        restaurant: slug.clone(),
        email: new.email,
        name: new.name,
        role,
        password_hash: hash_password(&new.password)?,
        disabled: false,
        sessions: 0,
    })
}

#[utoipa::path(post, path = "/v1/restaurants", tag = "accounts", request_body = NewRestaurant,
    responses((status = 201, description = "Created, with the owner logged in", body = SignedUp),
              problem::BadRequest,
              (status = 403, description = "Sign-up is closed here, or needs a code this request did not carry", body = crate::error::Problem),
              (status = 409, description = "Slug taken", body = crate::error::Problem),
              problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn create_restaurant(
    State(state): State<AppState>,
    Json(body): Json<NewRestaurant>,
) -> Result<impl IntoResponse, ApiError> {
    crate::sign_up::check(state.sign_up.as_ref(), body.sign_up_code.as_deref()).await?;
    let owner = new_account(&body.restaurant.slug, body.owner, Role::Owner)?;
    state.repos.restaurants.create(&body.restaurant, &owner).await.map_err(|e| match e {
        bistro_store::RepoError::AlreadyExists => {
            ApiError::conflict(ErrorCode::SlugTaken, "a restaurant with this slug exists; choose another")
        }
        other => other.into(),
    })?;
    let token = state.auth.issue(&owner).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignedUp { restaurant: body.restaurant, session: Session { token, account: owner.into() } }),
    ))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)),
    responses((status = 200, body = RestaurantView), problem::NotFound, problem::TooMany))]
pub async fn get_restaurant(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
) -> Result<Json<RestaurantView>, ApiError> {
    let found = restaurant(&state, &slug).await?;
    Ok(Json(RestaurantView::new(found.value, found.version, state.held)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestaurantUpdate {
    pub restaurant: Restaurant,
    /// The version this update was made from.
    pub version: u64,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), request_body = RestaurantUpdate,
    security(("bearer" = ["owner", "manager"])),
    responses((status = 200, body = RestaurantView), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound,
              (status = 409, description = "Changed meanwhile, or a new currency while the menu has prices (currency_locked)", body = crate::error::Problem), problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn update_restaurant(
    State(state): State<AppState>,
    Manager { slug, staff, .. }: Manager,
    Json(body): Json<RestaurantUpdate>,
) -> Result<Json<RestaurantView>, ApiError> {
    if body.restaurant.slug != slug {
        return Err(ApiError::unprocessable(ErrorCode::SlugMismatch, "a restaurant's slug cannot change"));
    }
    let current = state.repos.restaurants.get(&slug).await.map_err(missing("restaurant"))?;
    let menu = state.repos.menus.menu(&slug).await?;
    current.value.may_become(&body.restaurant, menu.value.items().len(), staff.role)?;
    // The payment account is Stripe's word, taken by connecting and from its events: a saved form
    // neither sets nor clears it.
    let next = Restaurant { payment_account: current.value.payment_account, ..body.restaurant };
    let version = state.repos.restaurants.update(&next, body.version).await.map_err(missing("restaurant"))?;
    Ok(Json(RestaurantView::new(next, version, state.held)))
}

/// Lets one try at `email`'s password from `client` through, counted before the password is
/// checked (`bistro_store::repo::Logins`), or answers 429 with how long to wait.
async fn gate(
    state: &AppState,
    slug: &Slug,
    email: &Email,
    client: Option<&str>,
) -> Result<bistro_store::repo::Attempt, ApiError> {
    match state.repos.logins.begin(slug, email, client, now()).await? {
        Ok(attempt) => Ok(attempt),
        Err(wait) => Err(ApiError::RateLimited { retry_after_secs: wait.max(1) }),
    }
}

fn now() -> i64 {
    bistro_domain::jiff::Timestamp::now().as_second()
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/login", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), request_body = Credentials,
    responses((status = 200, body = Session), problem::BadRequest, problem::Unauthenticated,
              problem::NotFound, problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn login(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    _: crate::limits::ClientBudget,
    client: Option<axum::Extension<ClientAddress>>,
    Json(body): Json<Credentials>,
) -> Result<Json<Session>, ApiError> {
    restaurant(&state, &slug).await?;
    let client = client.map(|axum::Extension(ClientAddress(address))| address);
    let Ok(email) = Email::parse(&body.email) else {
        // No account has it, so nothing is counted; the same work and answer as a wrong password.
        state.auth.password_matches(&body.password, None);
        return Err(ApiError::Unauthenticated("wrong e-mail or password"));
    };
    let attempt = gate(&state, &slug, &email, client.as_deref()).await?;
    let account = match state.repos.restaurants.account_by_email(&slug, &email).await {
        Ok(account) => Some(account),
        Err(bistro_store::RepoError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    // Same work and same answer whether the e-mail or the password was wrong.
    if !state.auth.password_matches(&body.password, account.as_ref().map(|a| a.password_hash.as_str())) {
        state.repos.logins.failed(attempt, now()).await?;
        return Err(ApiError::Unauthenticated("wrong e-mail or password"));
    }
    let account = account.ok_or(ApiError::Unauthenticated("wrong e-mail or password"))?;
    if account.disabled {
        return Err(ApiError::Forbidden("this account is disabled; ask the restaurant's owner"));
    }
    state.repos.logins.succeeded(attempt).await?;
    Ok(Json(Session { token: state.auth.issue(&account).await?, account: account.into() }))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/me", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, body = AccountView), problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn me(
    State(state): State<AppState>,
    Staff { slug, staff, .. }: Staff,
) -> Result<Json<AccountView>, ApiError> {
    let account = state.repos.restaurants.account(&slug, &staff.user).await.map_err(missing("account"))?;
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password the account signs in with now.
    pub current: String,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/me/password", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)),
    request_body = PasswordChange, security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, description = "Changed: every other session has ended; this is the new one", body = Session),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn change_own_password(
    State(state): State<AppState>,
    Staff { slug, staff, .. }: Staff,
    client: Option<axum::Extension<ClientAddress>>,
    Json(body): Json<PasswordChange>,
) -> Result<Json<Session>, ApiError> {
    let account = state.repos.restaurants.account(&slug, &staff.user).await.map_err(missing("account"))?;
    // A stolen token must not make guessing the password any cheaper than logging in does.
    let client = client.map(|axum::Extension(ClientAddress(address))| address);
    let attempt = gate(&state, &slug, &account.email, client.as_deref()).await?;
    if !state.auth.password_matches(&body.current, Some(&account.password_hash)) {
        state.repos.logins.failed(attempt, now()).await?;
        return Err(ApiError::unprocessable(ErrorCode::WrongPassword, "the current password is not right"));
    }
    state.repos.logins.succeeded(attempt).await?;
    check_password_rules(&body.password)?;
    let hash = hash_password(&body.password)?;
    let change = vec![(staff.user.clone(), bistro_domain::staff::StaffChange::Password(hash))];
    let decision =
        super::staff::change(&state, &slug, |roster| bistro_domain::staff::decide(roster, change.clone())).await?;
    let now = decision.changed.into_iter().find(|a| a.id == staff.user).ok_or(ApiError::NotFound("account"))?;
    Ok(Json(Session { token: state.auth.issue(&now).await?, account: now.into() }))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/me/logout-everywhere", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner", "manager", "staff", "driver"])),
    responses((status = 200, description = "Every session of the account has ended, this one too, on every device and live socket; the new session is for a page that stays signed in (a page logging out drops it)", body = Session),
              problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooMany))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Staff { slug, staff, .. }: Staff,
) -> Result<Json<Session>, ApiError> {
    let change = vec![(staff.user.clone(), bistro_domain::staff::StaffChange::EndSessions)];
    let decision =
        super::staff::change(&state, &slug, |roster| bistro_domain::staff::decide(roster, change.clone())).await?;
    let now = decision.changed.into_iter().find(|a| a.id == staff.user).ok_or(ApiError::NotFound("account"))?;
    Ok(Json(Session { token: state.auth.issue(&now).await?, account: now.into() }))
}
