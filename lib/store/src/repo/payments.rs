//! Paying online: guests' checkouts waiting for their payment, the payment provider's events
//! already handled, and which restaurant a connected payment account belongs to.
//!
//! A checkout keeps the order it will place in the order ticket's compact form, under the order's
//! own id (made from the guest's idempotency key, so a retried checkout finds the first). Opening
//! one uses up the cart and holds its later slot in one transaction; it takes no order number and
//! writes no event, so nothing reaches the board until the payment is confirmed
//! (`Orders::place_paid`). Closing one unpaid (lapsed, or paid but no longer servable) gives the
//! slot back in the same transaction as its new state.

use std::sync::Arc;

use bistro_domain::ids::{OrderId, Slug};
use bistro_domain::jiff::Timestamp;
use bistro_domain::money::Money;
use bistro_domain::payment::{Checkout, CheckoutState, ProviderId};
use bistro_domain::reconcile::PaymentProblem;
use serde::{Deserialize, Serialize};

use super::once::{Part, Refused, Transaction};
use super::orders::{CartAtVersion, slot_write};
use super::stored_order::{self, Progress, Ticket};
use super::{IdempotencyKey, Idempotent, RepoError, Versioned, decode, encode, read_all};
use crate::keys;
use crate::seam::{Condition, Item, Query, SeamError, Store, Write};

/// A handled event is remembered for a week: the provider retries a failed delivery for 3 days.
const EVENT_MEMORY_SECS: i64 = 7 * 24 * 3600;
/// A problem found by the reconciliation is shown to the owner for 90 days.
const PROBLEM_MEMORY_SECS: i64 = 90 * 24 * 3600;
/// A closed checkout is kept a day past its lapse, for the guest's page that follows it.
const CHECKOUT_AFTERLIFE_SECS: i64 = 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
struct StoredCheckout {
    #[serde(rename = "o")]
    ticket: Ticket,
    #[serde(rename = "s")]
    session: ProviderId,
    #[serde(rename = "u")]
    pay_url: String,
    #[serde(rename = "f")]
    fee: i64,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    tip: Option<i64>,
    #[serde(rename = "x")]
    expires_at: Timestamp,
    #[serde(rename = "st")]
    state: CheckoutState,
}

fn item(checkout: &Checkout, request: Option<&str>, version: u64) -> Result<Item, RepoError> {
    let order = &checkout.order;
    let stored = StoredCheckout {
        ticket: stored_order::ticket(order, request),
        session: checkout.session.clone(),
        pay_url: checkout.pay_url.clone(),
        fee: checkout.fee.minor,
        tip: checkout.tip.map(|tip| tip.minor),
        expires_at: checkout.expires_at,
        state: checkout.state,
    };
    let gone = checkout.expires_at.as_second() + CHECKOUT_AFTERLIFE_SECS;
    Ok(Item::new(keys::checkout(&order.restaurant, &order.id), version, encode(&stored)?).expiring_at(gone))
}

fn read(item: &Item) -> Result<(Versioned<Checkout>, Option<String>), RepoError> {
    let (slug, id) = keys::checkout_of(&item.key.pk).ok_or_else(|| RepoError::Corrupt("a checkout's key".into()))?;
    let stored: StoredCheckout = decode(item)?;
    let request = stored.ticket.request.clone();
    let order = stored_order::assemble(slug, id, stored.ticket, Progress::placed(), 1);
    let currency = order.totals.total.currency;
    let checkout = Checkout {
        order,
        session: stored.session,
        pay_url: stored.pay_url,
        fee: Money::new(stored.fee, currency),
        tip: stored.tip.map(|tip| Money::new(tip, currency)),
        expires_at: stored.expires_at,
        state: stored.state,
    };
    Ok((Versioned { value: checkout, version: item.version }, request))
}

#[derive(Debug, Clone)]
pub struct Payments {
    store: Arc<dyn Store>,
}

impl Payments {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The checkout as it is now, if there is one: what a change to it starts from.
    pub async fn checkout(&self, slug: &Slug, id: &OrderId) -> Result<Option<Versioned<Checkout>>, RepoError> {
        let found = self.store.get(&keys::checkout(slug, id)).await?;
        found.map(|item| Ok(read(&item)?.0)).transpose()
    }

    /// The checkout as of a moment ago (half the cost): for the guest's page, which asks every
    /// few seconds while Stripe confirms the payment. One opened a moment ago may not be visible
    /// yet, so a miss asks again for the latest.
    pub async fn checkout_recent(&self, slug: &Slug, id: &OrderId) -> Result<Versioned<Checkout>, RepoError> {
        match self.store.get_recent(&keys::checkout(slug, id)).await? {
            Some(item) => Ok(read(&item)?.0),
            None => self.checkout(slug, id).await?.ok_or(RepoError::NotFound),
        }
    }

    /// The checkout an earlier request under the key opened, if any (else `IdempotencyMismatch`
    /// when the key was used for another request).
    pub async fn earlier(
        &self,
        slug: &Slug,
        id: &OrderId,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<Checkout>, RepoError> {
        let Some(item) = self.store.get(&keys::checkout(slug, id)).await? else { return Ok(None) };
        let (checkout, request) = read(&item)?;
        if request.as_deref() != Some(idempotency.fingerprint.as_str()) {
            return Err(RepoError::IdempotencyMismatch);
        }
        Ok(Some(checkout.value))
    }

    /// Opens the checkout once: uses up the cart (at the version priced) and holds the order's
    /// later slot (only while it has room: else `SlotFull`) in the same transaction. A retry under
    /// the same key answers with the first checkout.
    pub async fn open(
        &self,
        checkout: &Checkout,
        idempotency: &IdempotencyKey,
        cart: CartAtVersion<'_>,
        orders_per_slot: u16,
    ) -> Result<Idempotent<Checkout>, RepoError> {
        let order = &checkout.order;
        let slug = &order.restaurant;
        let put = Write::Put { item: item(checkout, Some(&idempotency.fingerprint), 1)?, condition: Condition::Absent };
        let mut writes = Transaction::new().with(Part::Checkout, put).with(
            Part::Cart,
            Write::Delete { key: keys::cart(slug, cart.token), condition: Condition::Version(cart.version) },
        );
        if let Some(promise) = order.promise.filter(|p| p.scheduled) {
            writes = writes.with(Part::Slot, slot_write(order, promise, 1, orders_per_slot));
        }
        match writes.commit(self.store.as_ref()).await {
            Ok(()) => Ok(Idempotent { value: checkout.clone(), replayed: false }),
            Err(Refused::Conditions(failed)) if failed.contains(&Part::Checkout) => {
                let earlier = self.earlier(slug, &order.id, idempotency).await?;
                earlier.map(|value| Idempotent { value, replayed: true }).ok_or(RepoError::Busy)
            }
            Err(Refused::Conditions(failed)) if failed.contains(&Part::Cart) => Err(RepoError::StaleVersion),
            Err(Refused::Conditions(failed)) if failed.contains(&Part::Slot) => Err(RepoError::SlotFull),
            Err(other) => Err(other.into()),
        }
    }

    /// The checkout's item as it is to be written when it is paid: for `Orders::place_paid`.
    pub fn paid_item(&self, checkout: &Versioned<Checkout>) -> Result<(Item, u64), RepoError> {
        let paid = Checkout { state: CheckoutState::Paid, ..checkout.value.clone() };
        Ok((item(&paid, None, checkout.version + 1)?, checkout.version))
    }

    /// Closes an open checkout as `state` (lapsed, or not served) over the version read, giving
    /// its later slot back in the same write. `StaleVersion` when it changed meanwhile.
    pub async fn close(&self, checkout: &Versioned<Checkout>, state: CheckoutState) -> Result<(), RepoError> {
        let closed = Checkout { state, ..checkout.value.clone() };
        let put = Write::Put {
            item: item(&closed, None, checkout.version + 1)?,
            condition: Condition::Version(checkout.version),
        };
        let mut writes = Transaction::new().with(Part::Checkout, put);
        let order = &closed.order;
        if let Some(promise) = order.promise.filter(|p| p.scheduled) {
            writes = writes.with(Part::Slot, slot_write(order, promise, -1, 0));
        }
        match writes.commit(self.store.as_ref()).await {
            Ok(()) => Ok(()),
            Err(Refused::Conditions(_)) => Err(RepoError::StaleVersion),
            Err(other) => Err(other.into()),
        }
    }

    /// Whether the provider's event `id` was handled already.
    pub async fn seen(&self, id: &str) -> Result<bool, RepoError> {
        Ok(self.store.get(&keys::provider_event(id)).await?.is_some())
    }

    /// Remembers that the provider's event `id` was handled.
    pub async fn handled(&self, id: &str, now: Timestamp) -> Result<(), RepoError> {
        let item =
            Item::new(keys::provider_event(id), 1, String::new()).expiring_at(now.as_second() + EVENT_MEMORY_SECS);
        self.store.write(Write::Put { item, condition: Condition::Always }).await?;
        Ok(())
    }

    /// Notes that the payment account `account` is `slug`'s, so the provider's word about it
    /// finds its restaurant.
    pub async fn link_account(&self, account: &ProviderId, slug: &Slug) -> Result<(), RepoError> {
        let item = Item::new(keys::payment_account(account.as_str()), 1, encode(slug)?);
        self.store.write(Write::Put { item, condition: Condition::Always }).await?;
        Ok(())
    }

    /// Every connected payment account of the deployment, with its restaurant.
    pub async fn accounts(&self) -> Result<Vec<(ProviderId, Slug)>, RepoError> {
        let items = read_all(self.store.as_ref(), Query::partition(keys::PAYMENT_ACCOUNTS.to_owned())).await?;
        items
            .iter()
            .map(|item| {
                let id = ProviderId::parse(&item.key.sk, "acct_").map_err(|e| RepoError::Corrupt(e.to_string()))?;
                Ok((id, decode(item)?))
            })
            .collect()
    }

    /// Keeps a problem for the owner to look at; one already kept for the same checkout stays as
    /// first found (says whether this one was new).
    pub async fn report(&self, slug: &Slug, problem: &PaymentProblem) -> Result<bool, RepoError> {
        let key = keys::payment_problem(slug, problem.session.as_str());
        let gone = problem.found_at.as_second() + PROBLEM_MEMORY_SECS;
        let item = Item::new(key, 1, encode(problem)?).expiring_at(gone);
        match self.store.write(Write::Put { item, condition: Condition::Absent }).await {
            Ok(_) => Ok(true),
            Err(SeamError::ConditionFailed) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }

    /// The problems kept for a restaurant, newest first.
    pub async fn problems(&self, slug: &Slug) -> Result<Vec<PaymentProblem>, RepoError> {
        let items = read_all(self.store.as_ref(), Query::partition(keys::payment_problems(slug))).await?;
        let mut problems: Vec<PaymentProblem> = items.iter().map(decode).collect::<Result<_, _>>()?;
        problems.sort_by_key(|p| std::cmp::Reverse(p.found_at));
        Ok(problems)
    }

    /// The restaurant a payment account belongs to, if it is one of this deployment's.
    pub async fn account_owner(&self, account: &ProviderId) -> Result<Option<Slug>, RepoError> {
        let found = self.store.get(&keys::payment_account(account.as_str())).await?;
        found.map(|item| decode(&item)).transpose()
    }
}
