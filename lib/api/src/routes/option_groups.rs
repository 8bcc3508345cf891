//! Saved groups of choices: a manager writes "Spice level" once and gives it to many dishes; a
//! change to it changes every dish's copy in the same write (`Menus::save_group`), so no dish
//! keeps the old choices. Carts price a dish's choices from the dish, as they always do.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use bistro_domain::ids::{ItemId, OptionGroupId, Slug};
use bistro_domain::menu::{MenuItem, OptionGroup};
use bistro_store::RepoError;
use bistro_store::repo::Menus;

use super::menu::VersionParam;
use super::{missing, restaurant};
use crate::access::Manager;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::extract::{Json, Query};
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let publishes = || from_fn(crate::publish::after_change);
    Router::new()
        .route(
            "/v1/restaurants/{slug}/menu/option-groups",
            get(list_groups).merge(axum::routing::post(create_group).route_layer(publishes())),
        )
        .route(
            "/v1/restaurants/{slug}/menu/option-groups/{group}",
            put(change_group).delete(delete_group).route_layer(publishes()),
        )
}

/// A saved group, its version, and the dishes that have it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedGroupView {
    pub group: OptionGroup,
    /// Send it back when changing or deleting the group.
    pub version: u64,
    pub dishes: Vec<ItemId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedGroup {
    pub group: OptionGroup,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedGroupUpdate {
    pub group: OptionGroup,
    /// The version this change was made from.
    pub version: u64,
}

async fn dishes_with(state: &AppState, slug: &Slug, id: &OptionGroupId) -> Result<Vec<MenuItem>, ApiError> {
    let menu = state.repos.menus.menu(slug).await?.value;
    Ok(menu.items().into_iter().filter(|dish| dish.uses_saved_group(id)).cloned().collect())
}

/// A saved group's options are priced in the restaurant's currency, as its dishes are.
async fn check_currency(state: &AppState, slug: &Slug, group: &OptionGroup) -> Result<(), ApiError> {
    let currency = restaurant(state, slug).await?.value.currency;
    if group.options().iter().any(|o| o.price_delta.currency != currency) {
        return Err(ApiError::unprocessable(ErrorCode::WrongCurrency, format!("prices here are in {currency}")));
    }
    Ok(())
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/menu/option-groups", tag = "menu", params(("slug" = Slug, Path)),
    security(("bearer" = ["owner", "manager"])),
    responses((status = 200, body = Vec<SavedGroupView>), problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn list_groups(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
) -> Result<Json<Vec<SavedGroupView>>, ApiError> {
    let menu = state.repos.menus.menu(&slug).await?.value;
    let groups = state.repos.menus.saved_groups(&slug).await?;
    Ok(Json(
        groups
            .into_iter()
            .map(|saved| {
                let dishes = menu
                    .items()
                    .into_iter()
                    .filter(|dish| dish.uses_saved_group(saved.value.id()))
                    .map(|dish| dish.id().clone())
                    .collect();
                SavedGroupView { group: saved.value, version: saved.version, dishes }
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/menu/option-groups", tag = "menu", params(("slug" = Slug, Path)), request_body = NewSavedGroup,
    security(("bearer" = ["owner", "manager"])),
    responses((status = 201, body = SavedGroupView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "A group with this id is saved already (saved_group_exists)", body = Problem),
              problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn create_group(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    Json(body): Json<NewSavedGroup>,
) -> Result<impl IntoResponse, ApiError> {
    check_currency(&state, &slug, &body.group).await?;
    let version = state.repos.menus.save_group(&slug, &body.group, None, &[]).await.map_err(|e| match e {
        RepoError::AlreadyExists => {
            ApiError::conflict(ErrorCode::SavedGroupExists, "a group of choices with this id is saved already")
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(SavedGroupView { group: body.group, version, dishes: Vec::new() })))
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/menu/option-groups/{group}", tag = "menu", params(("slug" = Slug, Path), ("group" = OptionGroupId, Path)),
    request_body = SavedGroupUpdate, security(("bearer" = ["owner", "manager"])),
    responses((status = 200, description = "The group and every dish's copy of it are changed", body = SavedGroupView),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "Changed meanwhile (stale_version)", body = Problem),
              problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn change_group(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(id): PathId<OptionGroupId>,
    Json(body): Json<SavedGroupUpdate>,
) -> Result<Json<SavedGroupView>, ApiError> {
    if body.group.id() != &id {
        return Err(ApiError::unprocessable(ErrorCode::InvalidBody, "a saved group keeps its id"));
    }
    check_currency(&state, &slug, &body.group).await?;
    // A dish edited meanwhile fails the whole write: read the dishes again and write once more.
    for _ in 0..5 {
        let dishes = dishes_with(&state, &slug, &id).await?;
        if dishes.len() > Menus::MAX_DISHES_PER_GROUP {
            return Err(ApiError::unprocessable(
                ErrorCode::SavedGroupOnTooManyDishes,
                format!("a saved group can be on at most {} dishes", Menus::MAX_DISHES_PER_GROUP),
            ));
        }
        let changed = dishes
            .iter()
            .map(|dish| dish.with_saved_group(&body.group))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidItem, e))?;
        let changed: Vec<MenuItem> = changed.into_iter().flatten().collect();
        match state.repos.menus.save_group(&slug, &body.group, Some(body.version), &changed).await {
            Ok(version) => {
                let dishes = changed.iter().map(|dish| dish.id().clone()).collect();
                return Ok(Json(SavedGroupView { group: body.group, version, dishes }));
            }
            // The group itself is stale or gone: said as such, not tried again.
            Err(RepoError::StaleVersion) if !group_is_at(&state, &slug, &id, body.version).await? => {
                return Err(RepoError::StaleVersion.into());
            }
            Err(RepoError::StaleVersion) => continue,
            Err(other) => return Err(missing("saved group")(other)),
        }
    }
    Err(ApiError::conflict(ErrorCode::StaleVersion, "the dishes kept changing meanwhile; try again"))
}

async fn group_is_at(state: &AppState, slug: &Slug, id: &OptionGroupId, version: u64) -> Result<bool, ApiError> {
    let saved = state.repos.menus.saved_group(slug, id).await.map_err(missing("saved group"))?;
    Ok(saved.version == version)
}

#[utoipa::path(delete, path = "/v1/restaurants/{slug}/menu/option-groups/{group}", tag = "menu",
    params(("slug" = Slug, Path), ("group" = OptionGroupId, Path), VersionParam), security(("bearer" = ["owner", "manager"])),
    responses((status = 204, description = "Deleted"), problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              (status = 409, description = "Dishes still have it (saved_group_in_use), or changed meanwhile", body = Problem), problem::TooMany))]
pub async fn delete_group(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(id): PathId<OptionGroupId>,
    Query(query): Query<VersionParam>,
) -> Result<StatusCode, ApiError> {
    let dishes = dishes_with(&state, &slug, &id).await?;
    if !dishes.is_empty() {
        let names: Vec<_> = dishes.iter().map(|d| d.details().name.as_str().to_owned()).collect();
        return Err(ApiError::conflict(
            ErrorCode::SavedGroupInUse,
            format!("these dishes still have it: {}; take it off them first", names.join(", ")),
        ));
    }
    state.repos.menus.delete_group(&slug, &id, query.version).await.map_err(missing("saved group"))?;
    Ok(StatusCode::NO_CONTENT)
}
