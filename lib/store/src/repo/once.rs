//! Two primitives the creating writes share: transactions whose writes have names, and the claim
//! that makes a create happen once per client key.

use std::collections::BTreeSet;

use bistro_domain::ids::Slug;

use super::{IDEMPOTENCY_WINDOW, IdempotencyKey, IdempotencyRecord, RepoError, decode, encode};
use crate::keys;
use crate::seam::{Condition, Item, Key, SeamError, Store, Write, now_unix};

/// What a write of a transaction is for: a cancellation is read by what failed (the claim, the
/// cart) and not by position, which moves whenever a write is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    /// The claim on a client's idempotency key: failing, the key was taken first.
    Claim,
    /// An order's ticket, written only where none is: failing, the key's order was placed first.
    Ticket,
    Progress,
    /// A day's order counter: failing, another order took the number.
    DayNumber,
    /// The cart an order consumes: failing, it changed since it was priced.
    Cart,
    /// A later slot's order counter: failing, the slot is full.
    Slot,
    /// The restaurant's event counter: failing, another change took the number.
    EventNumber,
    Event,
    /// An order written over the version it was read at.
    Order,
    Booking,
    /// The grid slots' covers a booking holds: failing, one is full.
    SlotCovers,
    /// A guest's count of open bookings that day: failing, they hold as many as one may.
    GuestBookings,
    /// The restaurant an account joins: failing, it does not exist.
    Restaurant,
    Account,
    Login,
    Session,
    /// The owner's account, unchanged since read.
    OwnerKept,
    /// A live connection's record.
    Connection,
    /// A checkout awaiting payment, written over the version it was read at.
    Checkout,
    /// A refund's entry in the books of the day it was made.
    Books,
    /// One of the counters a connection counts against (by its place in the list).
    ConnectionCount(usize),
    #[cfg(test)]
    Fresh,
    #[cfg(test)]
    Taken,
}

/// The writes of one transaction, each with what it is for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Transaction {
    writes: Vec<(Part, Write)>,
}

/// Why a transaction wrote nothing.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The conditions of these named writes did not hold.
    Conditions(BTreeSet<Part>),
    /// The store refused or failed otherwise (a concurrent transaction, an outage).
    Store(SeamError),
}

impl Transaction {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn with(mut self, name: Part, write: Write) -> Self {
        self.writes.push((name, write));
        self
    }

    /// Several writes under one name (the slot counters of a booking).
    pub(crate) fn with_all(mut self, name: Part, writes: impl IntoIterator<Item = Write>) -> Self {
        self.writes.extend(writes.into_iter().map(|write| (name, write)));
        self
    }

    pub(crate) async fn commit(self, store: &dyn Store) -> Result<(), Refused> {
        let (names, writes): (Vec<Part>, Vec<Write>) = self.writes.into_iter().unzip();
        match store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(SeamError::TransactionCancelled { failed }) => {
                Err(Refused::Conditions(failed.iter().filter_map(|&i| names.get(i).copied()).collect()))
            }
            Err(other) => Err(Refused::Store(other)),
        }
    }
}

impl From<Refused> for RepoError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Conditions(failed) => {
                RepoError::Store(SeamError::Invalid(format!("unexpected conditions {failed:?}")))
            }
            Refused::Store(error) => error.into(),
        }
    }
}

/// Creating something once under a client's idempotency key. The claim on the key is written in
/// the creating transaction itself, so of two requests with one key exactly one creates; the
/// other, and every retry within the window, is answered with what the first created.
#[derive(Debug, Clone)]
pub(crate) struct Once {
    key: Key,
}

impl Once {
    /// `what` keeps the keys of different kinds of creates apart ("order", "booking").
    pub(crate) fn new(slug: &Slug, what: &str, idempotency: &IdempotencyKey) -> Self {
        Self { key: keys::idempotency(slug, what, &idempotency.key) }
    }

    /// The write that claims the key for `target` (the id of what is created), if nobody has.
    pub(crate) fn claim(&self, idempotency: &IdempotencyKey, target: &str) -> Result<Write, RepoError> {
        let record = IdempotencyRecord { fingerprint: idempotency.fingerprint.clone(), target: target.to_owned() };
        let expires_at = now_unix() + i64::try_from(IDEMPOTENCY_WINDOW.as_secs()).unwrap_or(i64::MAX);
        Ok(Write::Put {
            item: Item::new(self.key.clone(), 1, encode(&record)?).expiring_at(expires_at),
            condition: Condition::Absent,
        })
    }

    /// The id an earlier request under the key created, if any; the same key with a different
    /// request is an error rather than a silent second answer.
    pub(crate) async fn earlier(
        &self,
        store: &dyn Store,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<String>, RepoError> {
        let Some(item) = store.get(&self.key).await? else {
            return Ok(None);
        };
        let record: IdempotencyRecord = decode(&item)?;
        if record.fingerprint != idempotency.fingerprint {
            return Err(RepoError::IdempotencyMismatch);
        }
        Ok(Some(record.target))
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::engine::sqlite::SqliteStore;

    fn put(pk: &str, condition: Condition) -> Write {
        Write::Put { item: Item::new(Key::new(pk, "x"), 1, "{}".to_owned()), condition }
    }

    #[tokio::test]
    async fn a_cancelled_transaction_names_the_writes_whose_conditions_failed() {
        let store = SqliteStore::in_memory().expect("store");
        store.transact(vec![put("taken", Condition::Always)]).await.expect("seeded");
        let refused = Transaction::new()
            .with(Part::Fresh, put("fresh", Condition::Absent))
            .with(Part::Taken, put("taken", Condition::Absent))
            .commit(&store)
            .await;
        let Err(Refused::Conditions(failed)) = refused else { panic!("expected failed conditions, got {refused:?}") };
        assert_eq!(failed.into_iter().collect::<Vec<_>>(), [Part::Taken]);
    }

    #[tokio::test]
    async fn a_second_claim_on_a_key_fails_and_finds_the_first() {
        let store = SqliteStore::in_memory().expect("store");
        let key = IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
        let once = Once::new(&Slug::parse("roma").expect("slug"), "order", &key);
        let claim =
            |target| Transaction::new().with(Part::Claim, once.claim(&key, target).expect("claim")).commit(&store);
        claim("first").await.expect("the first claim holds");
        assert!(matches!(claim("second").await, Err(Refused::Conditions(failed)) if failed.contains(&Part::Claim)));
        assert_eq!(once.earlier(&store, &key).await.expect("read").as_deref(), Some("first"));
    }
}
