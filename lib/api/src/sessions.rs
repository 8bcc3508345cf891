//! Whether a staff token's session is still the account's: a removed or disabled account, a
//! role change and a new password all end every session. Each check reads the account's session
//! number; a Lambda instance may keep what it read for a short window (at most a minute), so a
//! revocation reaches every instance within that window while a busy board does not read the
//! number on every request. The local server keeps nothing: revocation there is immediate.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bistro_domain::ids::{Slug, UserId};
use bistro_domain::restaurant::StaffIdentity;
use bistro_store::{RepoError, Repos};

/// The longest a revoked session may go on being accepted anywhere.
pub const MAX_WINDOW: Duration = Duration::from_secs(60);

/// How many accounts' numbers one instance keeps before it forgets the stale ones.
const KEPT: usize = 10_000;

/// One account of one restaurant.
type AccountKey = (Slug, UserId);

/// When the session number was read, and what it was (`None`: the account is gone).
type Seen = (Instant, Option<u64>);

#[derive(Debug, Default)]
pub struct Sessions {
    window: Duration,
    seen: Mutex<HashMap<AccountKey, Seen>>,
}

impl Sessions {
    /// Keeps each account's number for `window` (capped at [`MAX_WINDOW`]); zero reads every time.
    pub fn cached_for(window: Duration) -> Self {
        Self { window: window.min(MAX_WINDOW), seen: Mutex::default() }
    }

    pub async fn is_current(&self, repos: &Repos, staff: &StaffIdentity) -> Result<bool, RepoError> {
        let key = (staff.restaurant.clone(), staff.user.clone());
        if let Some(kept) = self.kept(&key) {
            return Ok(kept == Some(staff.session));
        }
        let stored = repos.restaurants.session(&staff.restaurant, &staff.user).await?;
        if !self.window.is_zero() {
            let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if seen.len() >= KEPT {
                let window = self.window;
                seen.retain(|_, (at, _)| at.elapsed() < window);
            }
            seen.insert(key, (Instant::now(), stored));
        }
        Ok(stored == Some(staff.session))
    }

    fn kept(&self, key: &AccountKey) -> Option<Option<u64>> {
        if self.window.is_zero() {
            return None;
        }
        let seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.get(key).filter(|(at, _)| at.elapsed() < self.window).map(|(_, stored)| *stored)
    }
}
