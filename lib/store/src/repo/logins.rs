//! Who may try a password now: the gate every login and every password change passes before the
//! password is checked, so that guessing is slow and cannot be turned against the account's owner.
//!
//! Three counts, each under its own key prefix in the restaurant's staff partition (an e-mail
//! cannot take a client's key, nor the other way round):
//! - per e-mail and client (`LOGINTRY#P#`): attempts, one conditional write before the check, so
//!   fifty guesses at once are checked at most as often as the budget allows; a success starts it
//!   again. One address can never lock an e-mail for anyone else.
//! - per client (`LOGINTRY#C#`): attempts from one address on any e-mail (a common password
//!   tried on many accounts).
//! - per e-mail (`LOGINTRY#E#`): failures from every client. Past what one client may try in a
//!   day, each next attempt waits a growing delay (capped at five minutes), claimed by one
//!   conditional write: many addresses together slow to one guess per delay, and the owner waits
//!   at most the cap, never a lock.

use std::sync::Arc;

use bistro_domain::ids::{Email, Slug};
use serde::{Deserialize, Serialize};

use super::clients::hashed;
use super::{Budget, RepoError, Spent};
use crate::keys;
use crate::seam::{Condition, Item, Key, SeamError, Store, Write};

/// Attempts one client may make at one e-mail: a person who forgot a password tries a few.
pub const ATTEMPTS_PER_EMAIL_AND_CLIENT: Budget = Budget { per_minute: 10, per_hour: 10, per_day: 30 };
/// Attempts from one client at any e-mails: a kitchen's staff sharing one address at shift start.
pub const ATTEMPTS_PER_CLIENT: Budget = Budget { per_minute: 30, per_hour: 100, per_day: 300 };
/// Failures of one e-mail, from all clients, before each attempt waits: more than one client's
/// day, so one address alone never delays the owner.
pub const FREE_FAILURES_PER_EMAIL: u64 = 40;
/// The longest an attempt waits, however many failures came before.
pub const MAX_DELAY_SECS: i64 = 300;
/// How long an e-mail's failures are kept after the last one.
const FAILURES_KEPT_SECS: i64 = 24 * 3600;

/// The wait before the attempt after `failures` failures: none up to the free ones, then 1 s
/// doubling with each, up to [`MAX_DELAY_SECS`].
pub fn delay_after(failures: u64) -> i64 {
    match failures.checked_sub(FREE_FAILURES_PER_EMAIL) {
        None | Some(0) => 0,
        Some(over) => {
            1_i64.checked_shl(u32::try_from(over - 1).unwrap_or(u32::MAX)).unwrap_or(MAX_DELAY_SECS).min(MAX_DELAY_SECS)
        }
    }
}

/// An attempt the gate let through: what its outcome must be told to.
#[derive(Debug)]
pub struct Attempt {
    slug: Slug,
    email: String,
    pair: Key,
}

/// An e-mail's failures from every client, and when the next attempt may come.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Failures {
    #[serde(rename = "n")]
    count: u64,
    /// Unix seconds.
    #[serde(rename = "t")]
    next_at: i64,
}

#[derive(Debug, Clone)]
pub struct Logins {
    store: Arc<dyn Store>,
}

impl Logins {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Lets one attempt at `email`'s password from `client` through at `now` (Unix seconds), or
    /// says how many seconds to wait. Counts it before any password is checked.
    pub async fn begin(
        &self,
        slug: &Slug,
        email: &Email,
        client: Option<&str>,
        now: i64,
    ) -> Result<Result<Attempt, u64>, RepoError> {
        let email = email.as_str().to_owned();
        if let Err(wait) = self.claim_turn(slug, &email, now).await? {
            return Ok(Err(wait));
        }
        let who = client.unwrap_or("unknown");
        let pair = keys::login_attempts(slug, "P", &hashed(&format!("{email}\n{who}")));
        if let Err(spent) = self.tally(&pair, ATTEMPTS_PER_EMAIL_AND_CLIENT, now).await? {
            return Ok(Err(spent.retry_after(now)));
        }
        if let Some(client) = client {
            let key = keys::login_attempts(slug, "C", &hashed(client));
            if let Err(spent) = self.tally(&key, ATTEMPTS_PER_CLIENT, now).await? {
                return Ok(Err(spent.retry_after(now)));
            }
        }
        Ok(Ok(Attempt { slug: slug.clone(), email, pair }))
    }

    /// The password was right: this client's attempts and the e-mail's failures start again.
    pub async fn succeeded(&self, attempt: Attempt) -> Result<(), RepoError> {
        let email = keys::login_attempts(&attempt.slug, "E", &attempt.email);
        for key in [attempt.pair, email] {
            self.store.write(Write::Delete { key, condition: Condition::Always }).await?;
        }
        Ok(())
    }

    /// The password was wrong: one more failure of the e-mail, whoever tried.
    pub async fn failed(&self, attempt: Attempt, now: i64) -> Result<(), RepoError> {
        let key = keys::login_attempts(&attempt.slug, "E", &attempt.email);
        for _ in 0..8 {
            let (current, failures) = self.failures(&key).await?;
            let next = Failures { count: failures.count + 1, next_at: failures.next_at };
            match self.put_failures(&key, current.as_ref(), next, now).await {
                Err(SeamError::ConditionFailed) => {}
                other => return other.map_err(RepoError::from),
            }
        }
        Err(RepoError::Store(SeamError::TransactionConflict))
    }

    /// Past the free failures, takes the e-mail's next turn (one conditional write), or says
    /// how long until it comes.
    async fn claim_turn(&self, slug: &Slug, email: &str, now: i64) -> Result<Result<(), u64>, RepoError> {
        let key = keys::login_attempts(slug, "E", email);
        let (current, failures) = self.failures(&key).await?;
        let delay = delay_after(failures.count);
        if delay == 0 {
            return Ok(Ok(()));
        }
        if failures.next_at > now {
            return Ok(Err(u64::try_from(failures.next_at - now).unwrap_or(1)));
        }
        let next = Failures { count: failures.count, next_at: now + delay };
        match self.put_failures(&key, current.as_ref(), next, now).await {
            Ok(()) => Ok(Ok(())),
            // Another attempt took this turn first.
            Err(SeamError::ConditionFailed) => Ok(Err(u64::try_from(delay).unwrap_or(1))),
            Err(other) => Err(other.into()),
        }
    }

    async fn failures(&self, key: &Key) -> Result<(Option<Item>, Failures), RepoError> {
        let current = self.store.get(key).await?;
        let failures = current.as_ref().and_then(|item| serde_json::from_str(&item.body).ok()).unwrap_or_default();
        Ok((current, failures))
    }

    /// Writes `next` over exactly `current` (or where none is).
    async fn put_failures(&self, key: &Key, current: Option<&Item>, next: Failures, now: i64) -> Result<(), SeamError> {
        let (version, condition) = match current {
            Some(item) => (item.version + 1, Condition::Version(item.version)),
            None => (1, Condition::Absent),
        };
        let body = serde_json::to_string(&next).map_err(|e| SeamError::Invalid(e.to_string()))?;
        let item = Item::new(key.clone(), version, body).expiring_at(now + FAILURES_KEPT_SECS);
        self.store.write(Write::Put { item, condition }).await.map(|_| ())
    }

    async fn tally(&self, key: &Key, budget: Budget, now: i64) -> Result<Result<(), Spent>, RepoError> {
        let expires_at = (now.div_euclid(86_400) + 1) * 86_400 + 3600;
        Ok(self.store.tally(key, &budget.tiers(now), expires_at).await?.map_err(Spent::of))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_starts_past_the_free_failures_doubles_and_stops_at_five_minutes() {
        assert_eq!(delay_after(0), 0);
        assert_eq!(delay_after(FREE_FAILURES_PER_EMAIL), 0);
        assert_eq!(delay_after(FREE_FAILURES_PER_EMAIL + 1), 1);
        assert_eq!(delay_after(FREE_FAILURES_PER_EMAIL + 4), 8);
        assert_eq!(delay_after(FREE_FAILURES_PER_EMAIL + 40), MAX_DELAY_SECS);
        assert_eq!(delay_after(u64::MAX), MAX_DELAY_SECS);
    }
}
