//! Guests' carts: found by an unguessable token, gone after 24 hours without a change.

use std::sync::Arc;
use std::time::Duration;

use bistro_domain::cart::Cart;
use bistro_domain::ids::{Slug, Token};

use super::{RepoError, Versioned, decode, encode, stale_or_missing};
use crate::cache::VersionedCache;
use crate::keys;
use crate::seam::{Condition, Item, Key, SeamError, Store, Write, now_unix};

/// A cart nobody touched for this long is gone.
pub const CART_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Carts one instance remembers: a guest fills a cart in a burst of changes, mostly served by
/// the same warm instance. A few hundred bytes each, so this bounds the memory to about 1 MB.
const REMEMBERED_CARTS: usize = 2048;

#[derive(Debug, Clone)]
pub struct Carts {
    store: Arc<dyn Store>,
    /// Each cart as this instance last read or wrote it. A change starts from it without
    /// reading the cart first (a strongly consistent read, the most expensive part of a cart
    /// update): the change is saved only over that version, so another instance's change since
    /// costs a retry from the stored cart, never a lost change.
    remembered: Arc<VersionedCache<Cart, Key>>,
}

fn expiry() -> i64 {
    now_unix() + i64::try_from(CART_LIFETIME.as_secs()).unwrap_or(i64::MAX)
}

impl Carts {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store, remembered: Arc::new(VersionedCache::bounded(REMEMBERED_CARTS)) }
    }

    /// Opens an empty cart and returns its token.
    pub async fn open(&self, slug: &Slug) -> Result<Token, RepoError> {
        let token = Token::generate();
        let key = keys::cart(slug, &token);
        let item = Item::new(key.clone(), 1, encode(&Cart::default())?).expiring_at(expiry());
        self.store.write(Write::Put { item, condition: Condition::Absent }).await?;
        self.remembered.keep(&key, Versioned { value: Cart::default(), version: 1 });
        Ok(token)
    }

    /// The cart as stored now.
    pub async fn get(&self, slug: &Slug, token: &Token) -> Result<Versioned<Cart>, RepoError> {
        let key = keys::cart(slug, token);
        let item = self.store.get(&key).await?.ok_or(RepoError::NotFound)?;
        let cart = Versioned { value: decode::<Cart>(&item)?, version: item.version };
        self.remembered.keep(&key, cart.clone());
        Ok(cart)
    }

    /// The cart to change: as this instance last saw it, else as stored. It may be out of date;
    /// [`Carts::save`] refuses it then, and the next call reads the stored cart.
    pub async fn to_change(&self, slug: &Slug, token: &Token) -> Result<Versioned<Cart>, RepoError> {
        match self.remembered(slug, token) {
            Some(cart) => Ok(cart),
            None => self.get(slug, token).await,
        }
    }

    /// The cart as this instance last saw it, if it did (no read): possibly out of date.
    pub fn remembered(&self, slug: &Slug, token: &Token) -> Option<Versioned<Cart>> {
        self.remembered.at_least(&keys::cart(slug, token), 0)
    }

    /// Forgets this instance's copy of a cart that is gone (an order consumed it), so the
    /// memory holds carts still being filled.
    pub fn forget(&self, slug: &Slug, token: &Token) {
        self.remembered.forget(&keys::cart(slug, token));
    }

    /// Saves the cart if unchanged since `expected_version`, and keeps it 24 more hours.
    pub async fn save(&self, slug: &Slug, token: &Token, cart: &Cart, expected_version: u64) -> Result<u64, RepoError> {
        let key = keys::cart(slug, token);
        let item = Item::new(key.clone(), expected_version + 1, encode(cart)?).expiring_at(expiry());
        match self.store.write(Write::Put { item, condition: Condition::Version(expected_version) }).await {
            Ok(_) => {
                self.remembered.keep(&key, Versioned { value: cart.clone(), version: expected_version + 1 });
                Ok(expected_version + 1)
            }
            Err(SeamError::ConditionFailed) => {
                self.remembered.forget(&key);
                Err(stale_or_missing(self.store.as_ref(), &key).await)
            }
            Err(e) => Err(e.into()),
        }
    }
}
