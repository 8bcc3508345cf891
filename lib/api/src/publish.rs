//! The published menu: `menus/{slug}.json` in the site bucket, rewritten after every change to the
//! menu, sold-out state or opening hours, so browsing costs no function call at all.
//!
//! Publication never goes backwards: the document carries the menu's version (a counter every
//! change raises), and it is replaced only by compare-and-swap on its ETag with a higher version.

use std::collections::BTreeSet;

use axum::Extension;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use bistro_domain::hours::{OpeningHours, Zone};
use bistro_domain::ids::{Slug, TableId};
use bistro_domain::menu::{Category, MenuItem};
use bistro_domain::money::Currency;
use bistro_domain::offer::{Held, Offered};
use bistro_domain::payment::{PayWays, PayWaysByKind};
use bistro_domain::restaurant::{Language, Restaurant, Tax};
use bistro_store::blob::{BlobError, BlobStore, NewBlob, Precondition};
use bistro_store::{RepoError, Repos};

use crate::access::Tenant;

/// Short enough that an edit shows within a minute, long enough that CloudFront absorbs a rush.
pub const MENU_CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=60";

pub fn menu_key(slug: &Slug) -> String {
    format!("menus/{slug}.json")
}

/// What a customer's browser needs of the restaurant to show and order from its menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRestaurant {
    pub slug: Slug,
    pub name: bistro_domain::text::Name,
    /// On the guest's receipt.
    #[serde(default)]
    pub address: Option<bistro_domain::text::Address>,
    pub currency: Currency,
    pub time_zone: Zone,
    pub hours: OpeningHours,
    /// What guests may do here: order (and how), order ahead, book; switches and held features applied.
    pub offered: Offered,
    #[serde(serialize_with = "bistro_domain::restaurant::tables_as_counted")]
    pub tables: BTreeSet<TableId>,
    pub tax: Tax,
    /// The guest's pages speak this to a guest whose browser asks for none of their languages.
    pub language: Language,
    /// Preparation minutes per kind of order: "ready in about N min" before ordering.
    #[serde(default)]
    pub timing: bistro_domain::timing::Timing,
    /// The delivery fee, minimum and postcodes, said before the guest orders.
    #[serde(default)]
    pub delivery: bistro_domain::delivery::DeliveryTerms,
    /// A pause of new orders from the board, said before the guest orders.
    #[serde(default)]
    pub pace: bistro_domain::pace::Pace,
    /// How each way of ordering may be paid now.
    #[serde(default = "at_restaurant")]
    pub pay: PayWaysByKind,
    /// The tips offered to a guest paying online, per way of ordering.
    #[serde(default)]
    pub tips: bistro_domain::tip::Tips,
}

/// What menus published before guests could pay online say: paid at the restaurant.
fn at_restaurant() -> PayWaysByKind {
    let there = PayWays::of(bistro_domain::payment::PaymentChoice::AtRestaurant, false);
    PayWaysByKind { dine_in: there, pickup: there, delivery: there }
}

impl PublicRestaurant {
    /// What guests see of `r` while the deployment holds `held` back.
    /// What guests see of `r` while the deployment holds `held` back and (`takes_payments`) takes
    /// money online or not.
    pub fn new(r: Restaurant, held: Held, takes_payments: bool) -> Self {
        let offered = r.terms(held).offered();
        let pay = r.terms(held).pay_ways_by_kind(takes_payments);
        Self {
            slug: r.slug,
            name: r.name,
            address: r.address,
            currency: r.currency,
            time_zone: r.time_zone,
            hours: r.hours,
            offered,
            tables: r.tables,
            tax: r.tax,
            language: r.language,
            timing: r.timing,
            delivery: r.delivery,
            pace: r.pace,
            pay,
            tips: r.tips,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedMenu {
    pub version: u64,
    pub restaurant: PublicRestaurant,
    pub categories: Vec<Category>,
    pub items: Vec<MenuItem>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] RepoError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("the published menu kept changing under us")]
    Contended,
}

/// Builds the document from the store as it is now.
pub async fn current_menu(
    repos: &Repos,
    slug: &Slug,
    held: Held,
    takes_payments: bool,
) -> Result<PublishedMenu, RepoError> {
    // Settings and menu at least as new as the restaurant's change count, read now.
    let latest = repos.restaurants.latest(slug).await?;
    let menu = repos.menus.menu_as_of(slug, latest.changes).await?;
    Ok(PublishedMenu {
        version: menu.version,
        restaurant: PublicRestaurant::new(latest.settings.value, held, takes_payments),
        categories: menu.value.categories().to_vec(),
        items: menu.value.items().into_iter().cloned().collect(),
    })
}

/// Publishes the menu unless a version at least as new is already out; returns the version
/// that is published afterwards.
pub async fn publish_menu(
    repos: &Repos,
    site: &dyn BlobStore,
    slug: &Slug,
    held: Held,
    takes_payments: bool,
) -> Result<u64, PublishError> {
    let key = menu_key(slug);
    for _ in 0..10 {
        let menu = current_menu(repos, slug, held, takes_payments).await?;
        let published = site.get(&key).await?;
        let published_version = published
            .as_ref()
            .and_then(|blob| serde_json::from_slice::<PublishedMenu>(&blob.bytes).ok())
            .map(|m| m.version);
        if published_version.is_some_and(|v| v >= menu.version) {
            return Ok(published_version.unwrap_or(menu.version));
        }
        let precondition = published.map_or(Precondition::Absent, |blob| Precondition::Matches(blob.etag));
        let bytes = serde_json::to_vec(&menu).map_err(|e| RepoError::Corrupt(e.to_string()))?;
        let blob = NewBlob { bytes, content_type: "application/json", cache_control: Some(MENU_CACHE_CONTROL) };
        match site.put(&key, blob, precondition).await {
            Ok(_) => return Ok(menu.version),
            Err(BlobError::PreconditionFailed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(PublishError::Contended)
}

/// Publishes the menu after each successful change a wrapped route makes, so a route that changes
/// what the published menu shows cannot forget to: wrap its method router in
/// `route_layer(axum::middleware::from_fn(publish::after_change))`. The state comes from the
/// extension `with_common_layers` adds; reads are left unwrapped.
pub async fn after_change(
    Extension(state): Extension<std::sync::Arc<crate::AppState>>,
    Tenant(slug): Tenant,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if response.status().is_success() {
        republish(&state, &slug).await;
    }
    response
}

/// After a change: publish, and if that fails, log it; the change itself stands, and the next
/// change (or the next start of the local server) publishes again.
pub async fn republish(state: &crate::AppState, slug: &Slug) {
    if let Some(site) = &state.site {
        if let Err(error) = publish_menu(&state.repos, site.as_ref(), slug, state.held, state.takes_payments()).await {
            tracing::error!(%error, %slug, "publishing the menu failed");
        }
    }
}
