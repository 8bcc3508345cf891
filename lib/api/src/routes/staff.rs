//! A restaurant's staff: hiring, roles, disabling, removing, password resets and handing the
//! restaurant over. The domain (`bistro_domain::staff`) decides; every change that takes rights
//! away ends the account's sessions, and none may leave the restaurant without an owner.

use crate::error::ErrorCode;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post, put};
use serde::Deserialize;
use utoipa::ToSchema;

use bistro_domain::ids::{Email, Slug, UserId};
use bistro_domain::restaurant::{Account, Role};
use bistro_domain::staff::{self, Decision, StaffChange, StaffError};
use bistro_domain::text::Name;
use bistro_store::RepoError;
use bistro_store::repo::Versioned;

use super::accounts::{NewAccount, Session, new_account};
use super::{Attempt, missing, retry_stale};
use crate::access::{FloorStaff, Manager, Owner};
use crate::auth::{check_password_rules, hash_password};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;
use crate::views::AccountView;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/restaurants/{slug}/staff", get(list_staff).post(add_staff))
        .route("/v1/restaurants/{slug}/drivers", get(list_drivers))
        .route("/v1/restaurants/{slug}/staff/{user}", patch(change_staff).delete(remove_staff))
        .route("/v1/restaurants/{slug}/staff/{user}/password", put(reset_password))
        .route("/v1/restaurants/{slug}/staff/{user}/ownership", post(hand_over))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/staff", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), security(("bearer" = ["owner", "manager"])),
    responses((status = 200, body = Vec<AccountView>), problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn list_staff(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    let accounts = state.repos.restaurants.accounts(&slug).await?;
    Ok(Json(accounts.into_iter().map(AccountView::from).collect()))
}

/// A driver as the floor sees one: whom to give a delivery to, and whose name a ticket shows.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct DriverView {
    pub id: UserId,
    pub name: Name,
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/drivers", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, description = "The restaurant's drivers who may sign in, by name", body = Vec<DriverView>), problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::TooMany))]
pub async fn list_drivers(
    State(state): State<AppState>,
    FloorStaff { slug, .. }: FloorStaff,
) -> Result<Json<Vec<DriverView>>, ApiError> {
    let accounts = state.repos.restaurants.accounts(&slug).await?;
    let mut drivers: Vec<_> = accounts
        .into_iter()
        .filter(|a| a.role == Role::Driver && !a.disabled)
        .map(|a| DriverView { id: a.id, name: a.name })
        .collect();
    drivers.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(Json(drivers))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub email: Email,
    pub name: Name,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[schema(schema_with = hireable_role)]
    pub role: Role,
}

/// The roles an owner may hire: every role but owner (ownership is handed over, not hired).
fn hireable_role() -> utoipa::openapi::Object {
    let names = Role::ALL.into_iter().filter(|role| *role != Role::Owner).map(|role| role.as_str().to_owned());
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(names))
        .description(Some("The new account's role: manager, staff or driver."))
        .build()
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/staff", tag = "accounts", params(("slug" = bistro_domain::ids::Slug, Path)), request_body = NewStaff,
    security(("bearer" = ["owner"])),
    responses((status = 201, body = AccountView), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound,
              (status = 409, description = "E-mail taken", body = Problem), problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn add_staff(
    State(state): State<AppState>,
    Owner { slug, .. }: Owner,
    Json(body): Json<NewStaff>,
) -> Result<impl IntoResponse, ApiError> {
    if body.role == Role::Owner {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidRole,
            "hire a manager, staff or driver; make an account owner by handing ownership over",
        ));
    }
    let account =
        new_account(&slug, NewAccount { email: body.email, name: body.name, password: body.password }, body.role)?;
    state.repos.restaurants.add_account(&account).await.map_err(|e| match e {
        bistro_store::RepoError::AlreadyExists => {
            ApiError::conflict(ErrorCode::EmailTaken, "an account with this e-mail exists here")
        }
        other => missing("restaurant")(other),
    })?;
    Ok((StatusCode::CREATED, Json(AccountView::from(account))))
}

/// Decides on the roster as stored and writes the decision once; when someone changed the roster
/// meanwhile, decides again on the new one, so no change is made on a roster it did not see.
pub(crate) async fn change(
    state: &AppState,
    slug: &Slug,
    decide: impl Fn(&[Account]) -> Result<Decision, StaffError>,
) -> Result<Decision, ApiError> {
    let busy =
        || ApiError::conflict(ErrorCode::StaffChanged, "the staff list is being changed by someone else; try again");
    let roster = state.repos.restaurants.roster(slug).await?;
    let decide = &decide;
    retry_stale(roster, busy, |roster: Vec<Versioned<Account>>, _| async move {
        let accounts: Vec<Account> = roster.iter().map(|a| a.value.clone()).collect();
        let decision = decide(&accounts)?;
        match state.repos.restaurants.apply(&roster, &decision).await {
            Ok(()) => Ok(Attempt::Done(decision)),
            Err(RepoError::StaleVersion) => Ok(Attempt::Stale(state.repos.restaurants.roster(slug).await?)),
            Err(other) => Err(missing("account")(other)),
        }
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    /// The account's new role. Making an account owner keeps every other owner an owner.
    pub role: Option<Role>,
    /// True disables the account (it cannot sign in, and its sessions end); false enables it.
    pub disabled: Option<bool>,
}

#[utoipa::path(patch, path = "/v1/restaurants/{slug}/staff/{user}", tag = "accounts",
    params(("slug" = bistro_domain::ids::Slug, Path), ("user" = bistro_domain::ids::UserId, Path)), request_body = StaffUpdate,
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The account as it is now; a role change or disabling ended its sessions", body = AccountView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "It would leave no owner who can sign in", body = Problem), problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn change_staff(
    State(state): State<AppState>,
    Owner { slug, .. }: Owner,
    PathId(user): PathId<UserId>,
    Json(body): Json<StaffUpdate>,
) -> Result<Json<AccountView>, ApiError> {
    let mut changes = Vec::new();
    if let Some(role) = body.role {
        changes.push((user.clone(), StaffChange::Role(role)));
    }
    match body.disabled {
        Some(true) => changes.push((user.clone(), StaffChange::Disable)),
        Some(false) => changes.push((user.clone(), StaffChange::Enable)),
        None => {}
    }
    let decision = change(&state, &slug, |roster| staff::decide(roster, changes.clone())).await?;
    let account = match decision.changed.into_iter().find(|a| a.id == user) {
        Some(changed) => changed,
        None => state.repos.restaurants.account(&slug, &user).await.map_err(missing("account"))?,
    };
    Ok(Json(account.into()))
}

#[utoipa::path(delete, path = "/v1/restaurants/{slug}/staff/{user}", tag = "accounts",
    params(("slug" = bistro_domain::ids::Slug, Path), ("user" = bistro_domain::ids::UserId, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 204, description = "Removed; its sessions have ended"), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound,
              (status = 409, description = "It would leave no owner who can sign in", body = Problem), problem::TooMany))]
pub async fn remove_staff(
    State(state): State<AppState>,
    Owner { slug, .. }: Owner,
    PathId(user): PathId<UserId>,
) -> Result<StatusCode, ApiError> {
    change(&state, &slug, |roster| staff::decide(roster, vec![(user.clone(), StaffChange::Remove)])).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/staff/{user}/password", tag = "accounts",
    params(("slug" = bistro_domain::ids::Slug, Path), ("user" = bistro_domain::ids::UserId, Path)), request_body = PasswordReset,
    security(("bearer" = ["owner"])),
    responses((status = 204, description = "Set; the account's sessions have ended"), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound, problem::Conflict, problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn reset_password(
    State(state): State<AppState>,
    Owner { slug, .. }: Owner,
    PathId(user): PathId<UserId>,
    Json(body): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    check_password_rules(&body.password)?;
    let hash = hash_password(&body.password)?;
    change(&state, &slug, |roster| staff::decide(roster, vec![(user.clone(), StaffChange::Password(hash.clone()))]))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/staff/{user}/ownership", tag = "accounts",
    params(("slug" = bistro_domain::ids::Slug, Path), ("user" = bistro_domain::ids::UserId, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The account named is owner; the caller is a manager now, signed in again as one", body = Session),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              problem::Conflict, problem::Unprocessable, problem::TooMany))]
pub async fn hand_over(
    State(state): State<AppState>,
    Owner { slug, staff: me, .. }: Owner,
    PathId(user): PathId<UserId>,
) -> Result<Json<Session>, ApiError> {
    let decision = change(&state, &slug, |roster| staff::hand_over(roster, &me.user, &user)).await?;
    let now = decision.changed.into_iter().find(|a| a.id == me.user).ok_or(ApiError::NotFound("account"))?;
    Ok(Json(Session { token: state.auth.issue(&now).await?, account: now.into() }))
}
