//! Staff tokens this instance has verified, kept until they expire: an Ed25519 check costs
//! more than the rest of most requests, and a kitchen screen sends the same token with every step
//! of every order. A token is found only by its whole text, so a changed byte is verified anew;
//! revocation does not depend on this (every request checks the account's session number).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use bistro_domain::restaurant::StaffIdentity;

/// Enough for every screen and device of the restaurants one instance serves.
const CAPACITY: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct Verified {
    /// Token → who it names, the id of the key that signed it, and the Unix second after which
    /// it is no longer accepted.
    tokens: Mutex<HashMap<String, (StaffIdentity, String, u64)>>,
}

impl Verified {
    /// Who `token` names, if it was verified here, is still valid at `now`, and the key that
    /// signed it is still accepted (`key_accepted`).
    pub(crate) fn get(&self, token: &str, now: u64, key_accepted: impl Fn(&str) -> bool) -> Option<StaffIdentity> {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let (identity, kid, until) = tokens.get(token)?;
        (now <= *until && key_accepted(kid)).then(|| identity.clone())
    }

    pub(crate) fn keep(&self, token: &str, identity: &StaffIdentity, kid: &str, until: u64, now: u64) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if tokens.len() >= CAPACITY {
            tokens.retain(|_, (_, _, until)| *until >= now);
            if tokens.len() >= CAPACITY {
                tokens.clear();
            }
        }
        tokens.insert(token.to_owned(), (identity.clone(), kid.to_owned(), until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bistro_domain::ids::{Slug, UserId};
    use bistro_domain::restaurant::Role;

    fn identity() -> StaffIdentity {
        StaffIdentity {
            user: UserId::generate(),
            restaurant: Slug::parse("roma").expect("a slug"),
            role: Role::Staff,
            session: 1,
        }
    }

    #[test]
    fn a_kept_token_is_found_until_it_expires_and_only_while_its_key_is_accepted() {
        let verified = Verified::default();
        let who = identity();
        verified.keep("a.b.c", &who, "k1", 100, 50);
        assert_eq!(verified.get("a.b.c", 100, |_| true), Some(who));
        assert_eq!(verified.get("a.b.c", 101, |_| true), None, "expired");
        assert_eq!(verified.get("a.b.c", 60, |kid| kid != "k1"), None, "its key was withdrawn");
        assert_eq!(verified.get("a.b.d", 60, |_| true), None, "another token");
    }

    #[test]
    fn a_full_cache_makes_room_without_growing() {
        let verified = Verified::default();
        for n in 0..CAPACITY + 10 {
            verified.keep(&format!("t{n}"), &identity(), "k1", 100, 50);
        }
        assert!(verified.tokens.lock().unwrap_or_else(PoisonError::into_inner).len() <= CAPACITY);
    }
}
