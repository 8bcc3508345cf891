//! What one client address created at one restaurant (carts, orders, bookings, logins), counted
//! by minute, hour and day in one item per client, restaurant and day, so that no client can take
//! a restaurant's table, grid or kitchen for itself, and each creation costs one write.

use std::sync::Arc;

use bistro_domain::ids::Slug;
use sha2::{Digest, Sha256};

use super::RepoError;
use crate::keys;
use crate::seam::{Store, Tier};

/// What one client may create at one restaurant in a minute, an hour and a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_day: u32,
}

/// Which of a budget's tiers is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Minute,
    Hour,
    Day,
}

impl Spent {
    /// Seconds until the tier's window ends at `now` (Unix seconds).
    pub fn retry_after(self, now: i64) -> u64 {
        let length = match self {
            Self::Minute => 60,
            Self::Hour => 3600,
            Self::Day => 86_400,
        };
        u64::try_from(length - now.rem_euclid(length)).unwrap_or(1)
    }
}

#[derive(Debug, Clone)]
pub struct Clients {
    store: Arc<dyn Store>,
}

impl Clients {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Counts one more creation of `client` at `now` (Unix seconds) unless a tier of `budget` is
    /// used up. The address is kept only as a hash, for the UTC day and an hour after.
    pub async fn count(
        &self,
        slug: &Slug,
        client: &str,
        now: i64,
        budget: Budget,
    ) -> Result<Result<(), Spent>, RepoError> {
        let who = bistro_domain::ids::hex(&Sha256::digest(client.as_bytes())[..16]);
        let day = now.div_euclid(86_400);
        let tiers = [
            Tier { window: now.div_euclid(60), limit: budget.per_minute },
            Tier { window: now.div_euclid(3600), limit: budget.per_hour },
            Tier { window: day, limit: budget.per_day },
        ];
        let tallied =
            self.store.tally(&keys::client_budget(slug, day, &who), &tiers, (day + 1) * 86_400 + 3600).await?;
        Ok(tallied.map_err(|full| [Spent::Minute, Spent::Hour, Spent::Day][full.min(2)]))
    }
}
