//! What one client address created at one restaurant in one minute (carts, orders, bookings,
//! logins), so that no client can take a restaurant's table, grid or kitchen for itself.

use std::sync::Arc;

use bistro_domain::ids::Slug;
use sha2::{Digest, Sha256};

use super::RepoError;
use crate::keys;
use crate::seam::{Condition, SeamError, Store, Write};

#[derive(Debug, Clone)]
pub struct Clients {
    store: Arc<dyn Store>,
}

impl Clients {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Counts one more request of `client` in the Unix minute `minute` if fewer than `limit`
    /// were; `false` if not. The address is kept only as a hash, for two minutes.
    pub async fn count(&self, slug: &Slug, client: &str, minute: i64, limit: u32) -> Result<bool, RepoError> {
        let who = bistro_domain::ids::hex(&Sha256::digest(client.as_bytes())[..16]);
        let key = keys::client_minute(slug, minute, &who);
        let expires_at = Some((minute + 2) * 60);
        let condition = Condition::CounterAtMost(i64::from(limit) - 1);
        match self.store.write(Write::Add { key, by: 1, expires_at, condition }).await {
            Ok(_) => Ok(true),
            Err(SeamError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
