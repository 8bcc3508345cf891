//! Repositories: the domain's aggregates stored through the seam, written once for every engine.

mod accounts;
mod carts;
mod clients;
mod connections;
mod directory;
mod events;
mod logins;
mod menu;
mod once;
mod orders;
mod payments;
mod reservations;
mod signing_keys;
mod stored_order;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use bistro_domain::reservation::ReservationError;

pub(crate) use accounts::account_items;
pub use accounts::{Current, Restaurants};
pub use carts::Carts;
pub use clients::{Budget, Clients, Spent};
pub use connections::{
    CAPS, Capped, Caps, Connection, Connections, RESUME_WINDOW_MS, RESUMES_PER_WINDOW, SignedIn, Subscription,
};
pub use directory::{Directory, Listing};
pub use events::{EVENT_RETENTION, Events, OrderEvent};
pub use logins::{
    ATTEMPTS_PER_CLIENT, ATTEMPTS_PER_EMAIL_AND_CLIENT, FREE_FAILURES_PER_EMAIL, MAX_DELAY_SECS, delay_after,
};
pub use logins::{Attempt, Logins};
pub use menu::Menus;
pub use orders::{CartAtVersion, Orders, Placement, order_id};
pub use payments::Payments;
pub use reservations::Reservations;
pub(crate) use reservations::stored as booking_item;
pub use signing_keys::SigningKeys;
pub(crate) use stored_order::{items as order_ticket_and_progress, placed};

use crate::seam::{Item, Key, Query, SeamError, Store};

#[derive(Debug, Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    #[error("it already exists")]
    AlreadyExists,
    /// Somebody else changed it since it was read.
    #[error("it was changed by someone else; reload and try again")]
    StaleVersion,
    #[error("this idempotency key was already used for a different request")]
    IdempotencyMismatch,
    /// The later slot an order was for took its last order meanwhile.
    #[error("that time has just been taken; choose another")]
    SlotFull,
    #[error(transparent)]
    Booking(#[from] ReservationError),
    #[error("the store is too busy to complete this now")]
    Busy,
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] SeamError),
}

/// A value with the version of the stored item it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

/// What a create under an idempotency key returns: the thing, and whether an earlier request
/// with the same key and body created it (a retry), rather than this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotent<T> {
    pub value: T,
    pub replayed: bool,
}

/// A client's idempotency key and a fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub fingerprint: String,
}

/// How long a client may retry with the same idempotency key and get the first answer.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct IdempotencyRecord {
    fingerprint: String,
    target: String,
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String, RepoError> {
    serde_json::to_string(value).map_err(|e| RepoError::Corrupt(e.to_string()))
}

pub(crate) fn decode<T: DeserializeOwned>(item: &Item) -> Result<T, RepoError> {
    serde_json::from_str(&item.body).map_err(|e| RepoError::Corrupt(format!("{} {}: {e}", item.key.pk, item.key.sk)))
}

/// A counter item's value; an absent counter is at 0.
pub(crate) fn counter_value(counter: Option<&Item>) -> u64 {
    counter.map_or(0, |item| u64::try_from(item.counter).unwrap_or(0))
}

/// After a failed version check: was the item changed, or is it gone?
pub(crate) async fn stale_or_missing(store: &dyn Store, key: &Key) -> RepoError {
    match store.get(key).await {
        Ok(Some(_)) => RepoError::StaleVersion,
        Ok(None) => RepoError::NotFound,
        Err(e) => e.into(),
    }
}

/// An order's two items, as a placement writes them (without the placing request's fingerprint).
pub(crate) fn order_items(order: &bistro_domain::order::Order) -> Result<[Item; 2], RepoError> {
    order_ticket_and_progress(order, None)
}

/// Reads every page of a query.
pub(crate) async fn read_all(store: &dyn Store, mut query: Query) -> Result<Vec<Item>, RepoError> {
    query.limit = 1000;
    let mut items = Vec::new();
    loop {
        let page = store.query(&query).await?;
        items.extend(page.items);
        match page.next {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(items),
        }
    }
}

/// Applies `write` and counts one more change of the restaurant's published menu, atomically.
/// Fails like `write` alone would (`ConditionFailed`) when its condition does not hold.
pub(crate) async fn write_counting_menu_change(
    store: &dyn Store,
    slug: &bistro_domain::ids::Slug,
    write: crate::seam::Write,
) -> Result<Option<i64>, SeamError> {
    let bump = crate::seam::Write::Add {
        key: crate::keys::menu_version(slug),
        by: 1,
        expires_at: None,
        condition: crate::seam::Condition::Always,
    };
    match store.transact(vec![write, bump]).await {
        Ok(()) => Ok(None),
        Err(SeamError::TransactionCancelled { .. }) => Err(SeamError::ConditionFailed),
        Err(other) => Err(other),
    }
}

/// How often a write that lost a race is tried again before the caller is told to come back.
const ATTEMPTS: u32 = 50;

/// Waits a little longer after each lost race, with jitter so racers spread out; the first
/// retry only yields, since most races are lost to a write that has just finished.
async fn back_off(attempt: u32) {
    if attempt == 0 {
        tokio::task::yield_now().await;
        return;
    }
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded randomly per instance: a dependency-free source of jitter.
    let jitter = std::collections::hash_map::RandomState::new().build_hasher().finish() % 5;
    tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(10)) * 2 + jitter)).await;
}

/// Every repository over one store.
#[derive(Debug, Clone)]
pub struct Repos {
    pub restaurants: Restaurants,
    pub menus: Menus,
    pub carts: Carts,
    pub orders: Orders,
    pub reservations: Reservations,
    pub connections: Connections,
    pub events: Events,
    pub signing_keys: SigningKeys,
    pub directory: Directory,
    pub clients: Clients,
    pub logins: Logins,
    pub payments: Payments,
    store: Arc<dyn Store>,
}

impl Repos {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            restaurants: Restaurants::new(Arc::clone(&store)),
            menus: Menus::new(Arc::clone(&store)),
            carts: Carts::new(Arc::clone(&store)),
            orders: Orders::new(Arc::clone(&store)),
            reservations: Reservations::new(Arc::clone(&store)),
            connections: Connections::new(Arc::clone(&store)),
            events: Events::new(Arc::clone(&store)),
            signing_keys: SigningKeys::new(Arc::clone(&store)),
            directory: Directory::new(Arc::clone(&store)),
            clients: Clients::new(Arc::clone(&store)),
            logins: Logins::new(Arc::clone(&store)),
            payments: Payments::new(Arc::clone(&store)),
            store,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
