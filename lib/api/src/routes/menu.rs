//! The menu: public reading with filters and pages; managers edit under optimistic concurrency.

use crate::error::ErrorCode;
use std::collections::BTreeSet;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use bistro_domain::ids::{CategoryId, ItemId, Slug};
use bistro_domain::jiff::Timestamp;
use bistro_domain::menu::{Allergen, Category, DietaryTag, ImageKey, ItemDetails, Menu, MenuItem};
use bistro_domain::text::{Description, Name};
use bistro_store::repo::Versioned;

use super::{current, missing, page_size, restaurant};
use crate::access::{FloorStaff, Manager, Tenant};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::openapi::problem;
use crate::path::PathId;
use crate::state::{AppState, EncodedMenuPage};

/// Every change to the menu republishes it (`publish::after_change`); reads and upload grants
/// change nothing the published menu shows.
pub fn router() -> Router<AppState> {
    let publishes = || from_fn(crate::publish::after_change);
    Router::new()
        .route("/v1/restaurants/{slug}/menu", get(read_menu))
        .route("/v1/restaurants/{slug}/menu/categories", post(create_category).route_layer(publishes()))
        .route(
            "/v1/restaurants/{slug}/menu/categories/{category}",
            get(read_category).merge(put(update_category).delete(delete_category).route_layer(publishes())),
        )
        .route("/v1/restaurants/{slug}/menu/items", post(create_item).route_layer(publishes()))
        .route(
            "/v1/restaurants/{slug}/menu/items/{item}",
            get(read_item).merge(put(update_item).delete(delete_item).route_layer(publishes())),
        )
        .route("/v1/restaurants/{slug}/menu/items/{item}/sold-out", put(set_sold_out).route_layer(publishes()))
        .route("/v1/restaurants/{slug}/menu/images", post(request_upload))
        .merge(super::option_groups::router())
}

#[derive(Debug, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MenuFilter {
    /// Only items of this category.
    pub category: Option<String>,
    /// Comma-separated dietary tags the item must all carry (vegan,gluten_free).
    #[param(schema_with = dietary_list)]
    pub dietary: Option<String>,
    /// Comma-separated allergens the item must not contain (milk,nuts).
    #[param(schema_with = allergen_list)]
    pub allergen_free: Option<String>,
    /// Words that must appear in the item's name or description (case-insensitive).
    pub q: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MenuPage {
    pub restaurant: Slug,
    pub currency: String,
    /// Every category, in display order.
    pub categories: Vec<Category>,
    /// The items that match, in category order.
    pub items: Vec<MenuItem>,
    pub next_cursor: Option<String>,
}

fn dietary_list() -> utoipa::openapi::Object {
    bistro_domain::schema::word_list(DietaryTag::ALL, "Comma-separated dietary tags the item must all carry.")
}

fn allergen_list() -> utoipa::openapi::Object {
    bistro_domain::schema::word_list(Allergen::ALL, "Comma-separated allergens the item must not contain.")
}

fn parse_list<T: for<'de> Deserialize<'de> + Ord>(
    raw: Option<&str>,
    what: &'static str,
) -> Result<BTreeSet<T>, ApiError> {
    raw.into_iter()
        .flat_map(|list| list.split(','))
        .filter(|word| !word.trim().is_empty())
        .map(|word| {
            serde_json::from_value(serde_json::Value::String(word.trim().to_owned()))
                .map_err(|_| ApiError::bad_request(ErrorCode::InvalidFilter, format!("'{word}' is not a known {what}")))
        })
        .collect()
}

/// Filters `menu` and cuts one page from it; the cursor is the offset of the next item.
pub fn filter_menu(menu: &Menu, filter: &MenuFilter) -> Result<(Vec<MenuItem>, Option<String>), ApiError> {
    let dietary: BTreeSet<DietaryTag> = parse_list(filter.dietary.as_deref(), "dietary tag")?;
    let allergen_free: BTreeSet<Allergen> = parse_list(filter.allergen_free.as_deref(), "allergen")?;
    let words: Vec<String> = filter.q.as_deref().unwrap_or("").split_whitespace().map(str::to_lowercase).collect();
    let limit = page_size(filter.limit)? as usize;
    let offset = match filter.cursor.as_deref() {
        None => 0,
        Some(raw) => URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.strip_prefix("menu:").and_then(|n| n.parse::<usize>().ok()))
            .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidCursor, "the cursor is not one this API issued"))?,
    };
    let matching: Vec<&MenuItem> = menu
        .items()
        .into_iter()
        .filter(|item| {
            let details = item.details();
            filter.category.as_deref().is_none_or(|c| details.category.as_str() == c)
                && dietary.is_subset(&details.dietary)
                && allergen_free.is_disjoint(&details.allergens)
                && (words.is_empty() || {
                    let text = format!("{} {}", details.name, details.description).to_lowercase();
                    words.iter().all(|word| text.contains(word))
                })
        })
        .collect();
    let page: Vec<MenuItem> = matching.iter().skip(offset).take(limit).map(|item| (*item).clone()).collect();
    let next = (offset + limit < matching.len()).then(|| URL_SAFE_NO_PAD.encode(format!("menu:{}", offset + limit)));
    Ok((page, next))
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/menu", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), MenuFilter),
    responses((status = 200, body = MenuPage), problem::BadRequest, problem::NotFound, problem::TooMany))]
pub async fn read_menu(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    Query(filter): Query<MenuFilter>,
) -> Result<Response, ApiError> {
    let found = current(&state, &slug).await?;
    let menu = state.repos.menus.menu_as_of(&slug, found.changes).await?;
    let currency = found.settings.value.currency.code();
    let whole_menu = filter == MenuFilter::default();
    let encoded = whole_menu.then(|| state.menu_pages.at(&slug, menu.version)).flatten();
    if let Some(page) = encoded.filter(|page| page.currency == currency) {
        return Ok(json_body(page.body));
    }
    let (items, next_cursor) = filter_menu(&menu.value, &filter)?;
    let page = MenuPage {
        restaurant: slug.clone(),
        currency: currency.to_owned(),
        categories: menu.value.categories().to_vec(),
        items,
        next_cursor,
    };
    let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::Internal(e.to_string()))?);
    if whole_menu {
        let encoded = EncodedMenuPage { currency, body: body.clone() };
        state.menu_pages.keep(&slug, Versioned { value: encoded, version: menu.version });
    }
    Ok(json_body(body))
}

fn json_body(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/menu/items/{item}", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("item" = bistro_domain::ids::ItemId, Path)),
    responses((status = 200, body = bistro_domain::menu::MenuItem), problem::NotFound, problem::TooMany))]
pub async fn read_item(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(item): PathId<ItemId>,
) -> Result<Json<MenuItem>, ApiError> {
    Ok(Json(state.repos.menus.item(&slug, &item).await.map_err(missing("menu item"))?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub category: Category,
    pub version: u64,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/menu/categories", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path)),
    request_body = bistro_domain::menu::Category, security(("bearer" = ["owner", "manager"])),
    responses((status = 201, body = CategoryView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn create_category(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    Json(category): Json<Category>,
) -> Result<impl IntoResponse, ApiError> {
    let version = state.repos.menus.put_category(&slug, &category, None).await?;
    Ok((StatusCode::CREATED, Json(CategoryView { category, version })))
}

/// A category with the version an edit or a deletion names (the menu lists categories without it).
#[utoipa::path(get, path = "/v1/restaurants/{slug}/menu/categories/{category}", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("category" = bistro_domain::ids::CategoryId, Path)),
    responses((status = 200, body = CategoryView), problem::NotFound, problem::TooMany))]
pub async fn read_category(
    State(state): State<AppState>,
    Tenant(slug): Tenant,
    PathId(id): PathId<CategoryId>,
) -> Result<Json<CategoryView>, ApiError> {
    let found = state.repos.menus.category(&slug, &id).await.map_err(missing("category"))?;
    Ok(Json(CategoryView { category: found.value, version: found.version }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryUpdate {
    pub name: Name,
    #[serde(default)]
    pub description: Description,
    pub position: u32,
    /// The version this edit was made from.
    pub version: u64,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/menu/categories/{category}", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("category" = bistro_domain::ids::CategoryId, Path)),
    request_body = CategoryUpdate, security(("bearer" = ["owner", "manager"])),
    responses((status = 200, body = CategoryView), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, problem::Conflict, problem::TooLarge, problem::NotJson,
              problem::Unprocessable, problem::TooMany))]
pub async fn update_category(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(id): PathId<CategoryId>,
    Json(body): Json<CategoryUpdate>,
) -> Result<Json<CategoryView>, ApiError> {
    let category = Category { id, name: body.name, description: body.description, position: body.position };
    let version =
        state.repos.menus.put_category(&slug, &category, Some(body.version)).await.map_err(missing("category"))?;
    Ok(Json(CategoryView { category, version }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// The version being deleted.
    pub version: u64,
}

#[utoipa::path(delete, path = "/v1/restaurants/{slug}/menu/categories/{category}", tag = "menu",
    params(("slug" = bistro_domain::ids::Slug, Path), ("category" = bistro_domain::ids::CategoryId, Path), VersionParam), security(("bearer" = ["owner", "manager"])),
    responses((status = 204, description = "Deleted"), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 409, description = "Changed meanwhile, or still has items", body = Problem), problem::TooMany))]
pub async fn delete_category(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(id): PathId<CategoryId>,
    Query(param): Query<VersionParam>,
) -> Result<StatusCode, ApiError> {
    let menu = state.repos.menus.menu(&slug).await?.value;
    if menu.items().iter().any(|item| item.details().category == id) {
        return Err(ApiError::conflict(ErrorCode::CategoryNotEmpty, "move or delete the category's items first"));
    }
    state.repos.menus.delete_category(&slug, &id, param.version).await.map_err(missing("category"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// The item's id; made from its name when left out.
    pub id: Option<ItemId>,
    pub item: ItemDetails,
}

/// Items one menu may hold: more than any real menu, few enough that the whole menu stays one
/// read and one published document.
pub const MAX_MENU_ITEMS: usize = 500;

/// Checks what the item refers to (its category exists, its prices are in the house currency, a
/// newly attached picture was uploaded by this restaurant and is what it claims to be) and returns
/// it as it is to be stored: a newly attached picture copied from its upload to its place.
async fn check_item(
    state: &AppState,
    slug: &Slug,
    mut details: ItemDetails,
    previous: Option<&ItemDetails>,
) -> Result<ItemDetails, ApiError> {
    // A picture or smaller copy attached before is kept where it is; a new one is checked and copied.
    let attached_before = |key: &ImageKey| {
        previous.is_some_and(|p| p.image_key.as_ref() == Some(key) || p.image_variants.iter().any(|v| &v.key == key))
    };
    let keys = details.image_key.iter_mut().chain(details.image_variants.iter_mut().map(|v| &mut v.key));
    for key in keys {
        if !attached_before(key) {
            let media = state
                .media
                .as_ref()
                .ok_or_else(|| ApiError::unprocessable(ErrorCode::NoMediaStore, "this deployment takes no pictures"))?;
            *key = crate::images::attach(media.as_ref(), slug, key).await?;
        }
    }
    // A dish's copy of a saved group is the saved group as it is now.
    if details.option_groups.iter().any(|g| g.is_saved()) {
        let saved: Vec<_> = state.repos.menus.saved_groups(slug).await?.into_iter().map(|g| g.value).collect();
        details =
            details.with_saved_groups(&saved).map_err(|e| ApiError::unprocessable(ErrorCode::UnknownSavedGroup, e))?;
    }
    let currency = restaurant(state, slug).await?.value.currency;
    if details.price.currency != currency {
        return Err(ApiError::unprocessable(ErrorCode::WrongCurrency, format!("prices here are in {currency}")));
    }
    match state.repos.menus.category(slug, &details.category).await {
        Ok(_) => Ok(details),
        Err(bistro_store::RepoError::NotFound) => Err(ApiError::unprocessable(
            ErrorCode::UnknownCategory,
            format!("there is no category '{}'", details.category),
        )),
        Err(other) => Err(other.into()),
    }
}

fn id_from_name(name: &Name) -> ItemId {
    let mut id: String =
        name.as_str().to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    id = id.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-");
    id.truncate(48);
    let random = bistro_domain::ids::Token::generate();
    let suffix = &random.as_str()[..6];
    let candidate =
        if id.is_empty() { format!("item-{suffix}") } else { format!("{}-{suffix}", id.trim_end_matches('-')) };
    ItemId::parse(&candidate).unwrap_or_else(|_| {
        ItemId::parse(&format!("item-{suffix}")).unwrap_or_else(|_| unreachable!("hex is a valid id"))
    })
}

fn invalid_item(error: bistro_domain::menu::MenuError) -> ApiError {
    ApiError::unprocessable(ErrorCode::InvalidItem, error)
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/menu/items", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path)), request_body = NewItem,
    security(("bearer" = ["owner", "manager"])),
    responses((status = 201, body = bistro_domain::menu::MenuItem), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound, problem::Conflict, problem::TooLarge,
              problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn create_item(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    Json(body): Json<NewItem>,
) -> Result<impl IntoResponse, ApiError> {
    if state.repos.menus.menu(&slug).await?.value.items().len() >= MAX_MENU_ITEMS {
        return Err(ApiError::unprocessable(
            ErrorCode::MenuFull,
            format!("a menu holds at most {MAX_MENU_ITEMS} items; remove one before adding another"),
        ));
    }
    let id = body.id.unwrap_or_else(|| id_from_name(&body.item.name));
    // The item's own rules first: a refused item must not have copied its pictures.
    let checked = MenuItem::new(id, body.item, 1).map_err(invalid_item)?;
    let details = check_item(&state, &slug, checked.details().clone(), None).await?;
    let item = MenuItem::new(checked.id().clone(), details, 1).map_err(invalid_item)?;
    state.repos.menus.create_item(&slug, &item).await.map_err(|e| match e {
        bistro_store::RepoError::AlreadyExists => {
            ApiError::conflict(ErrorCode::ItemExists, "an item with this id exists")
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    pub item: ItemDetails,
    /// The version this edit was made from; a stale one is refused with 409.
    pub version: u64,
}

async fn current_item(state: &AppState, slug: &Slug, id: &ItemId, version: u64) -> Result<MenuItem, ApiError> {
    let current = state.repos.menus.item(slug, id).await.map_err(missing("menu item"))?;
    if current.version() != version {
        return Err(ApiError::conflict(
            ErrorCode::StaleVersion,
            "someone changed this dish meanwhile: reload the page to see their change, then make yours again",
        ));
    }
    Ok(current)
}

fn stored_or_conflict(error: bistro_store::RepoError) -> ApiError {
    missing("menu item")(error)
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/menu/items/{item}", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("item" = bistro_domain::ids::ItemId, Path)),
    request_body = ItemUpdate, security(("bearer" = ["owner", "manager"])),
    responses((status = 200, body = bistro_domain::menu::MenuItem), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound, (status = 409, description = "Stale version", body = Problem),
              problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn update_item(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(item): PathId<ItemId>,
    Json(body): Json<ItemUpdate>,
) -> Result<Json<MenuItem>, ApiError> {
    let current = current_item(&state, &slug, &item, body.version).await?;
    // The item's own rules first: a refused item must not have copied its pictures.
    let checked = current.revised(body.item).map_err(invalid_item)?;
    let details = check_item(&state, &slug, checked.details().clone(), Some(current.details())).await?;
    let revised = current.revised(details).map_err(invalid_item)?;
    state.repos.menus.update_item(&slug, &revised).await.map_err(stored_or_conflict)?;
    remove_unshown_pictures(&state, &slug, current.details()).await;
    Ok(Json(revised))
}

/// Removes the picture files `before` showed that no item of the menu shows now that a change
/// was stored (a replaced or deleted dish's): a guest's data is not at stake, but a restaurant's
/// pictures should not stay public after it took them down. The bucket keeps a removed file's
/// version until its lifecycle rule expires it. A file that cannot be removed now is logged and
/// left; the change stands.
async fn remove_unshown_pictures(state: &AppState, slug: &Slug, before: &bistro_domain::menu::ItemDetails) {
    let Some(media) = &state.media else { return };
    if before.pictures().next().is_none() {
        return;
    }
    let menu = match state.repos.menus.menu(slug).await {
        Ok(menu) => menu.value,
        Err(error) => return tracing::warn!(%error, "cannot tell which pictures are still shown"),
    };
    let shown: std::collections::BTreeSet<&str> =
        menu.items().into_iter().flat_map(|item| item.details().pictures()).map(ImageKey::as_str).collect();
    for key in before.pictures().filter(|key| !shown.contains(key.as_str())) {
        if let Err(error) = media.delete(key.as_str()).await {
            tracing::warn!(%error, key = key.as_str(), "cannot remove a picture no dish shows");
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SoldOut {
    pub sold_out: bool,
    pub version: u64,
}

#[utoipa::path(put, path = "/v1/restaurants/{slug}/menu/items/{item}/sold-out", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("item" = bistro_domain::ids::ItemId, Path)),
    request_body = SoldOut, security(("bearer" = ["owner", "manager", "staff"])),
    responses((status = 200, body = bistro_domain::menu::MenuItem), problem::BadRequest, problem::Unauthenticated,
              problem::Forbidden, problem::NotFound, (status = 409, description = "Stale version", body = Problem),
              problem::TooLarge, problem::NotJson, problem::Unprocessable, problem::TooMany))]
pub async fn set_sold_out(
    State(state): State<AppState>,
    // Floor staff may mark a dish sold out: they are the first to know.
    FloorStaff { slug, .. }: FloorStaff,
    PathId(item): PathId<ItemId>,
    Json(body): Json<SoldOut>,
) -> Result<Json<MenuItem>, ApiError> {
    let current = current_item(&state, &slug, &item, body.version).await?;
    let revised = current.with_sold_out(body.sold_out);
    state.repos.menus.update_item(&slug, &revised).await.map_err(stored_or_conflict)?;
    Ok(Json(revised))
}

#[utoipa::path(delete, path = "/v1/restaurants/{slug}/menu/items/{item}", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path), ("item" = bistro_domain::ids::ItemId, Path), VersionParam),
    security(("bearer" = ["owner", "manager"])),
    responses((status = 204, description = "Deleted"), problem::BadRequest, problem::Unauthenticated, problem::Forbidden,
              problem::NotFound, (status = 409, description = "Stale version", body = Problem), problem::TooMany))]
pub async fn delete_item(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    PathId(id): PathId<ItemId>,
    Query(param): Query<VersionParam>,
) -> Result<StatusCode, ApiError> {
    let before = state.repos.menus.item(&slug, &id).await.map_err(missing("menu item"))?;
    state.repos.menus.delete_item(&slug, &id, param.version).await.map_err(stored_or_conflict)?;
    remove_unshown_pictures(&state, &slug, before.details()).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    #[schema(schema_with = image_type)]
    pub content_type: String,
    /// The file's exact size in bytes, at most 5 MB.
    #[schema(minimum = 1, maximum = 5242880)]
    pub size: u64,
}

/// The picture formats an upload may be: those `images` can check by their first bytes.
fn image_type() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(crate::images::IMAGE_TYPES.map(|(content_type, _)| content_type)))
        .description(Some("The picture's type: image/jpeg, image/png or image/webp."))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadGrant {
    /// The key to put in the item's `image_key` once the upload is done.
    pub image_key: String,
    /// Send the file's bytes with this method to this URL, with exactly these headers.
    pub method: String,
    pub url: String,
    pub headers: Vec<UploadHeader>,
    /// Seconds the URL stays valid.
    pub expires_in: u64,
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/menu/images", tag = "menu", params(("slug" = bistro_domain::ids::Slug, Path)), request_body = UploadRequest,
    security(("bearer" = ["owner", "manager"])),
    responses((status = 201, description = "Upload the picture to the URL, then attach its key to an item", body = UploadGrant),
              problem::BadRequest, problem::Unauthenticated, problem::Forbidden, problem::NotFound,
              problem::TooLarge, problem::NotJson,
              (status = 422, description = "Not JPEG/PNG/WebP, or over 5 MB", body = Problem), problem::TooMany))]
pub async fn request_upload(
    State(state): State<AppState>,
    Manager { slug, .. }: Manager,
    Json(body): Json<UploadRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let extension = crate::images::extension_for(&body.content_type)?;
    crate::images::check_size(body.size)?;
    let media = state
        .media
        .as_ref()
        .ok_or_else(|| ApiError::unprocessable(ErrorCode::NoMediaStore, "this deployment takes no pictures"))?;
    let today = restaurant(&state, &slug).await?.value.time_zone.today(Timestamp::now());
    if !state.repos.menus.count_upload(&slug, today, crate::images::MAX_UPLOADS_PER_DAY).await? {
        return Err(ApiError::Quota {
            code: ErrorCode::TooManyUploads,
            detail: format!(
                "a restaurant may upload {} pictures a day; try again tomorrow",
                crate::images::MAX_UPLOADS_PER_DAY
            ),
            retry_after_secs: 3600,
        });
    }
    let key = format!(
        "{}{}.{extension}",
        crate::images::upload_prefix(&slug),
        &bistro_domain::ids::Token::generate().as_str()[..24]
    );
    let upload = media
        .presign_upload(&key, &body.content_type, body.size, crate::images::UPLOAD_WINDOW)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(UploadGrant {
            image_key: key,
            method: upload.method,
            url: upload.url,
            headers: upload.headers.into_iter().map(|(name, value)| UploadHeader { name, value }).collect(),
            expires_in: crate::images::UPLOAD_WINDOW.as_secs(),
        }),
    ))
}
