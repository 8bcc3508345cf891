//! What one client created at one restaurant (carts, orders, bookings, logins), counted by minute,
//! hour and day in one item, so that no client can take a restaurant's table, grid or kitchen for
//! itself, and each creation costs one write. A client is an address, or a guest's device holding
//! a token the restaurant issued it: guests behind one address (a restaurant's Wi-Fi) each count
//! on their own device, so a flood from that address does not spend their budget.

use std::sync::Arc;

use bistro_domain::ids::{Slug, Token};
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
        let day = now.div_euclid(86_400);
        let key = keys::client_budget(slug, day, &hashed(client));
        let tallied = self.store.tally(&key, &budget.tiers(now), (day + 1) * 86_400 + 3600).await?;
        Ok(tallied.map_err(Spent::of))
    }

    /// Issues a guest's device a token of its own at the restaurant: its creations count against
    /// the token's `budget` from then on (this issue is the first), not its address's. The token
    /// lapses 30 days after its last creation.
    pub async fn issue_device(&self, slug: &Slug, now: i64, budget: Budget) -> Result<Token, RepoError> {
        let token = Token::generate();
        let key = keys::device_budget(slug, &hashed(token.as_str()));
        // A new random key: its first count cannot find a full tier.
        let _fresh = self.store.tally(&key, &budget.tiers(now), now + DEVICE_LIFETIME_SECS).await?;
        Ok(token)
    }

    /// Counts one more creation of the device holding `token`, unless a tier of `budget` is used
    /// up; `None` (counting nothing) when the restaurant never issued the token, or it lapsed.
    pub async fn count_device(
        &self,
        slug: &Slug,
        token: &Token,
        now: i64,
        budget: Budget,
    ) -> Result<Option<Result<(), Spent>>, RepoError> {
        let key = keys::device_budget(slug, &hashed(token.as_str()));
        let tallied = self.store.tally_known(&key, &budget.tiers(now), now + DEVICE_LIFETIME_SECS).await?;
        Ok(tallied.map(|tallied| tallied.map_err(Spent::of)))
    }
}

/// How long an issued device token lasts after its last creation.
pub const DEVICE_LIFETIME_SECS: i64 = 30 * 86_400;

/// What the store keeps of an address or a token: never itself.
pub(crate) fn hashed(raw: &str) -> String {
    bistro_domain::ids::hex(&Sha256::digest(raw.as_bytes())[..16])
}

impl Budget {
    pub(crate) fn tiers(self, now: i64) -> [Tier; 3] {
        [
            Tier { window: now.div_euclid(60), limit: self.per_minute },
            Tier { window: now.div_euclid(3600), limit: self.per_hour },
            Tier { window: now.div_euclid(86_400), limit: self.per_day },
        ]
    }
}

impl Spent {
    pub(crate) fn of(full_tier: usize) -> Self {
        [Self::Minute, Self::Hour, Self::Day][full_tier.min(2)]
    }
}
