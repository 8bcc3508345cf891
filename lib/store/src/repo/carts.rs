//! Guests' carts: found by an unguessable token, gone after 24 hours without a change.

use std::sync::Arc;
use std::time::Duration;

use bistro_domain::cart::Cart;
use bistro_domain::ids::{Slug, Token};

use super::{RepoError, Versioned, decode, encode, stale_or_missing};
use crate::keys;
use crate::seam::{Condition, Item, SeamError, Store, Write, now_unix};

/// A cart nobody touched for this long is gone.
pub const CART_LIFETIME: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone)]
pub struct Carts {
    store: Arc<dyn Store>,
}

fn expiry() -> i64 {
    now_unix() + i64::try_from(CART_LIFETIME.as_secs()).unwrap_or(i64::MAX)
}

impl Carts {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Opens an empty cart and returns its token.
    pub async fn open(&self, slug: &Slug) -> Result<Token, RepoError> {
        let token = Token::generate();
        let item = Item::new(keys::cart(slug, &token), 1, encode(&Cart::default())?).expiring_at(expiry());
        self.store.write(Write::Put { item, condition: Condition::Absent }).await?;
        Ok(token)
    }

    pub async fn get(&self, slug: &Slug, token: &Token) -> Result<Versioned<Cart>, RepoError> {
        let item = self.store.get(&keys::cart(slug, token)).await?.ok_or(RepoError::NotFound)?;
        Ok(Versioned { value: decode(&item)?, version: item.version })
    }

    /// Saves the cart if unchanged since `expected_version`, and keeps it 24 more hours.
    pub async fn save(&self, slug: &Slug, token: &Token, cart: &Cart, expected_version: u64) -> Result<u64, RepoError> {
        let key = keys::cart(slug, token);
        let item = Item::new(key.clone(), expected_version + 1, encode(cart)?).expiring_at(expiry());
        match self.store.write(Write::Put { item, condition: Condition::Version(expected_version) }).await {
            Ok(_) => Ok(expected_version + 1),
            Err(SeamError::ConditionFailed) => Err(stale_or_missing(self.store.as_ref(), &key).await),
            Err(e) => Err(e.into()),
        }
    }
}
