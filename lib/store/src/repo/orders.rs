//! Orders: placed exactly once per idempotency key, numbered per local day, listed by day and
//! state, and moved along under optimistic concurrency.

use std::collections::BTreeMap;
use std::sync::Arc;

use bistro_domain::ids::{OrderId, Slug, Token, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::order::{Order, OrderState};
use bistro_domain::report::BookedRefund;
use bistro_domain::timing::Promise;

use futures_util::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};

use super::events::{Sequencer, event_writes};
use super::once::{Part, Refused, Transaction};
use super::stored_order;
use super::{ATTEMPTS, IdempotencyKey, Idempotent, RepoError, back_off, read_all, stale_or_missing};
use crate::keys;
use crate::seam::{Condition, Cursor, Index, Item, Query, SeamError, SortKey, Store, Write};

/// A slot's counter is kept this long after its time, then expires.
const SLOT_COUNTER_AFTERLIFE_SECS: i64 = 2 * 24 * 3600;

/// The write that counts an order into its later slot (`by` 1, only while the slot has room) or
/// out of it (`by` -1).
pub(crate) fn slot_write(order: &Order, promise: Promise, by: i64, orders_per_slot: u16) -> Write {
    Write::Add {
        key: keys::order_slot(&order.restaurant, order.business_date, promise.at),
        by,
        expires_at: Some(promise.at.as_second() + SLOT_COUNTER_AFTERLIFE_SECS),
        condition: if by > 0 { Condition::CounterAtMost(i64::from(orders_per_slot) - by) } else { Condition::Always },
    }
}

/// An order's id: made from the restaurant and the guest's idempotency key, so the order's ticket,
/// written only where none is, is itself the claim on the key: of two placements under one key
/// exactly one writes it, and a retry reads the order there. 128 bits of SHA-256, as random ids.
pub fn order_id(slug: &Slug, idempotency: &IdempotencyKey) -> OrderId {
    let digest = Sha256::new()
        .chain_update(b"order\0")
        .chain_update(slug.as_str())
        .chain_update(b"\0")
        .chain_update(&idempotency.key)
        .finalize();
    let mut id = [0; 16];
    id.copy_from_slice(&digest[..16]);
    OrderId::from_bytes(id)
}

/// What an order is placed under: the guest's key, the restaurant's day of service, the cart it
/// consumes (at the version priced), and how many orders its later slot takes.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub idempotency: &'a IdempotencyKey,
    pub slug: &'a Slug,
    pub business_date: Date,
    pub cart: Option<CartAtVersion<'a>>,
    pub orders_per_slot: u16,
}

/// A cart as it was priced for an order: removed with the order only at that version.
#[derive(Debug, Clone, Copy)]
pub struct CartAtVersion<'a> {
    pub token: &'a Token,
    pub version: u64,
}

impl Placement<'_> {
    /// The one transaction that places `order`: its two items, its day's number (the counter
    /// still at `last_number`), the cart, its later slot, and its event (numbered after `last`).
    fn writes(&self, order: &Order, last_number: u64, last: u64) -> Result<Transaction, RepoError> {
        let [ticket, progress] = stored_order::items(order, Some(&self.idempotency.fingerprint))?;
        let day_number = day_number(self.slug, self.business_date, last_number);
        let mut writes = Transaction::new()
            .with(Part::Ticket, Write::Put { item: ticket, condition: Condition::Absent })
            .with(Part::Progress, Write::Put { item: progress, condition: Condition::Absent })
            .with(Part::DayNumber, day_number);
        if let Some(cart) = self.cart {
            let key = keys::cart(self.slug, cart.token);
            writes = writes.with(Part::Cart, Write::Delete { key, condition: Condition::Version(cart.version) });
        }
        if let Some(promise) = order.promise.filter(|p| p.scheduled) {
            writes = writes.with(Part::Slot, slot_write(order, promise, 1, self.orders_per_slot));
        }
        let [event_counter, event] = event_writes(order, last)?;
        Ok(writes.with(Part::EventNumber, event_counter).with(Part::Event, event))
    }
}

/// The write that takes a day's next order number, only while the counter is at `last_number`.
fn day_number(slug: &Slug, business_date: Date, last_number: u64) -> Write {
    Write::Add {
        key: keys::order_counter(slug, business_date),
        by: 1,
        expires_at: None,
        condition: Condition::CounterIs(i64::try_from(last_number).unwrap_or(i64::MAX)),
    }
}

/// What a placement that wrote nothing does next.
enum Retry {
    /// The key's order was placed first: answer with it.
    PlacedFirst,
    /// Refused for a reason of its own (the cart changed, the slot is full); the numbers held.
    Refused(RepoError),
    /// Another change took the day's or the event's number: take the next ones.
    NextNumbers,
    /// The store failed: the numbers are read again next time.
    Failed(RepoError),
}

fn placement_refused(refused: Refused) -> Retry {
    match refused {
        Refused::Conditions(failed) if failed.contains(&Part::Ticket) => Retry::PlacedFirst,
        Refused::Conditions(failed) if failed.contains(&Part::Cart) => Retry::Refused(RepoError::StaleVersion),
        Refused::Conditions(failed) if failed.contains(&Part::Checkout) => Retry::Refused(RepoError::StaleVersion),
        Refused::Conditions(failed) if failed.contains(&Part::Slot) => Retry::Refused(RepoError::SlotFull),
        Refused::Conditions(failed)
            if failed.iter().all(|part| [Part::EventNumber, Part::Event, Part::DayNumber].contains(part)) =>
        {
            Retry::NextNumbers
        }
        Refused::Store(SeamError::TransactionConflict) => Retry::NextNumbers,
        other => Retry::Failed(other.into()),
    }
}

#[derive(Debug, Clone)]
pub struct Orders {
    store: Arc<dyn Store>,
    sequencer: Arc<Sequencer>,
}

/// How many orders a listing reads at once.
const READS_IN_FLIGHT: usize = 8;

impl Orders {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store, sequencer: Arc::default() }
    }

    /// The order an earlier request under the key placed, if any: the order at the key's id, if
    /// the same request placed it (else `IdempotencyMismatch`).
    pub async fn earlier(
        &self,
        slug: &Slug,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<Idempotent<Order>>, RepoError> {
        let page =
            self.store.query(&Query::partition(keys::order_partition(slug, &order_id(slug, idempotency)))).await?;
        let Some((order, request)) = stored_order::placed(&page.items)? else { return Ok(None) };
        if request.as_deref() != Some(idempotency.fingerprint.as_str()) {
            return Err(RepoError::IdempotencyMismatch);
        }
        Ok(Some(Idempotent { value: order, replayed: true }))
    }

    /// Places the order once: a retry with the same key and request returns the first order.
    /// With a cart, the cart is consumed in the same transaction, and only if it is still at the
    /// version that was priced (else `StaleVersion`): one cart makes at most one order.
    ///
    /// The day's number is taken in the order's own transaction, from a counter that must still
    /// hold the value read, and `numbered` makes the order with it: the domain builds the order,
    /// the store only numbers and writes it. A refused placement (a reused key, a changed cart)
    /// takes no number, so the day's numbers have no gaps; a placement that loses the number to
    /// another is made again with the next one.
    ///
    /// Without a cart, an earlier order under the key is looked up first, so a retry takes no
    /// number. With one, the caller looks only when the cart is gone: a retry finds it consumed.
    ///
    /// An order for a later slot is counted into the slot in the same transaction, only while
    /// the slot holds fewer than `orders_per_slot` (else `SlotFull`).
    pub async fn place(
        &self,
        placement: Placement<'_>,
        numbered: impl Fn(OrderId, u32) -> Order,
    ) -> Result<Idempotent<Order>, RepoError> {
        let Placement { idempotency, slug, business_date, .. } = placement;
        let id = order_id(slug, idempotency);
        if placement.cart.is_none() {
            if let Some(placed) = self.earlier(slug, idempotency).await? {
                return Ok(placed);
            }
        }
        let writes = |order: &Order, last_number, last| placement.writes(order, last_number, last);
        match self.numbered(slug, business_date, id, numbered, writes, false).await {
            // The key's order was placed first: answer with it.
            Err(RepoError::IdempotencyMismatch) => self.earlier(slug, idempotency).await?.ok_or(RepoError::Busy),
            other => other,
        }
    }

    /// Places the order a paid checkout (`paid`, the checkout's item as it is to be written over
    /// `checkout_version`) becomes: numbered like any order, with the checkout marked paid in the
    /// same transaction, so a confirmation that comes twice places one order. Its later slot was
    /// counted when the checkout was opened. A checkout changed meanwhile, or placed already, is
    /// `StaleVersion`.
    pub async fn place_paid(
        &self,
        slug: &Slug,
        business_date: Date,
        paid: (Item, u64),
        numbered: impl Fn(OrderId, u32) -> Order,
    ) -> Result<Order, RepoError> {
        let id =
            keys::checkout_of(&paid.0.key.pk).map(|(_, id)| id).ok_or(RepoError::Corrupt("a checkout's key".into()))?;
        let checkout = Write::Put { item: paid.0, condition: Condition::Version(paid.1) };
        let writes = |order: &Order, last_number, last| {
            let [ticket, progress] = stored_order::items(order, None)?;
            let [event_counter, event] = event_writes(order, last)?;
            Ok(Transaction::new()
                .with(Part::Ticket, Write::Put { item: ticket, condition: Condition::Absent })
                .with(Part::Progress, Write::Put { item: progress, condition: Condition::Absent })
                .with(Part::DayNumber, day_number(slug, business_date, last_number))
                .with(Part::Checkout, checkout.clone())
                .with(Part::EventNumber, event_counter)
                .with(Part::Event, event))
        };
        // Confirmations come to an instance that seldom numbers orders: what it remembers of the
        // counters is most likely stale, and a transaction refused on a stale number is billed in full.
        match self.numbered(slug, business_date, id, numbered, writes, true).await {
            Ok(placed) => Ok(placed.value),
            // The ticket was there: an earlier confirmation placed the checkout's order.
            Err(RepoError::IdempotencyMismatch) => Err(RepoError::StaleVersion),
            Err(other) => Err(other),
        }
    }

    /// Numbers and writes an order: `writes` makes its transaction from the day's last number and
    /// the last event's (read afresh if `fresh`, else as this instance remembers them); a lost race
    /// for either is made again with the next ones.
    async fn numbered(
        &self,
        slug: &Slug,
        business_date: Date,
        id: OrderId,
        numbered: impl Fn(OrderId, u32) -> Order,
        writes: impl Fn(&Order, u64, u64) -> Result<Transaction, RepoError>,
        fresh: bool,
    ) -> Result<Idempotent<Order>, RepoError> {
        let mut lane = self.sequencer.lane(slug).await;
        if fresh {
            lane.forget();
        }
        for attempt in 0..ATTEMPTS {
            let last = lane.get(self.store.as_ref(), slug).await?;
            let last_number = lane.last_number(self.store.as_ref(), slug, business_date).await?;
            let number =
                u32::try_from(last_number + 1).map_err(|_| RepoError::Corrupt("order counter overflow".into()))?;
            let order = numbered(id.clone(), number);
            match writes(&order, last_number, last)?.commit(self.store.as_ref()).await {
                Ok(()) => {
                    lane.taken(last + 1);
                    lane.numbered(business_date, u64::from(number));
                    return Ok(Idempotent { value: order, replayed: false });
                }
                Err(refused) => match placement_refused(refused) {
                    Retry::PlacedFirst => return Err(RepoError::IdempotencyMismatch),
                    Retry::Refused(error) => return Err(error),
                    Retry::NextNumbers => {
                        lane.forget();
                        back_off(attempt).await;
                    }
                    Retry::Failed(error) => {
                        lane.forget();
                        return Err(error);
                    }
                },
            }
        }
        Err(RepoError::Busy)
    }

    /// The order as of a moment ago (half the cost of `get`), for status reads; a change made
    /// from it is written only over the version it saw. An order placed a moment ago may not be
    /// visible yet, so a miss asks again for the latest.
    pub async fn get_recent(&self, slug: &Slug, id: &OrderId) -> Result<Order, RepoError> {
        let page = self.store.query(&Query::partition(keys::order_partition(slug, id)).recent()).await?;
        match stored_order::order(&page.items)? {
            Some(order) => Ok(order),
            None => self.get(slug, id).await,
        }
    }

    /// The order: its ticket and its progress, read together.
    pub async fn get(&self, slug: &Slug, id: &OrderId) -> Result<Order, RepoError> {
        let page = self.store.query(&Query::partition(keys::order_partition(slug, id))).await?;
        stored_order::order(&page.items)?.ok_or(RepoError::NotFound)
    }

    /// Stores a change of the order's progress (its state, history and driver; its version
    /// already raised by the domain) if the stored one is still the version it was read at. What
    /// was ordered is fixed at placement and not written again. An order for a later slot that
    /// was just cancelled or rejected gives its place in the slot back, in the same transaction.
    pub async fn save(&self, order: &Order) -> Result<(), RepoError> {
        self.save_with(order, None).await
    }

    /// Stores an order just refunded (as `save`) with the refund's entry in the books of the
    /// business day it was made on, together.
    pub async fn save_refunded(&self, order: &Order, refund: &BookedRefund) -> Result<(), RepoError> {
        let key = keys::booked_refund(&order.restaurant, refund.made_on, refund.at, refund.refund.as_str());
        let entry = Write::Put { item: Item::new(key, 1, super::encode(refund)?), condition: Condition::Always };
        self.save_with(order, Some(entry)).await
    }

    /// The refunds made on a business day, oldest first.
    pub async fn refunds_made(&self, slug: &Slug, date: Date) -> Result<Vec<BookedRefund>, RepoError> {
        let query = Query::partition(keys::day_partition(slug, date))
            .sort_key(SortKey::BeginsWith(keys::REFUND_PREFIX.to_owned()));
        read_all(self.store.as_ref(), query).await?.iter().map(super::decode).collect()
    }

    async fn save_with(&self, order: &Order, books: Option<Write>) -> Result<(), RepoError> {
        let progress = stored_order::progress_item(order)?;
        let put = Write::Put { item: progress, condition: Condition::Version(order.version.saturating_sub(1)) };
        let release = order.slot_given_back().map(|promise| slot_write(order, promise, -1, 0));
        let mut last_seq = self.sequencer.lane(&order.restaurant).await;
        for attempt in 0..ATTEMPTS {
            let last = last_seq.get(self.store.as_ref(), &order.restaurant).await?;
            let [counter, event] = event_writes(order, last)?;
            let mut writes = Transaction::new().with(Part::Order, put.clone());
            if let Some(release) = &release {
                writes = writes.with(Part::Slot, release.clone());
            }
            if let Some(books) = &books {
                writes = writes.with(Part::Books, books.clone());
            }
            let outcome =
                writes.with(Part::EventNumber, counter).with(Part::Event, event).commit(self.store.as_ref()).await;
            match &outcome {
                Ok(()) => last_seq.taken(last + 1),
                Err(_) => last_seq.forget(),
            }
            match outcome {
                Ok(()) => return Ok(()),
                Err(Refused::Conditions(failed)) if failed.contains(&Part::Order) => {
                    return Err(self.stale_or_missing(order).await);
                }
                // Another change took the event number (or the event's slot): take the next one.
                Err(Refused::Conditions(_)) | Err(Refused::Store(SeamError::TransactionConflict)) => {
                    back_off(attempt).await
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(RepoError::Busy)
    }

    async fn stale_or_missing(&self, order: &Order) -> RepoError {
        stale_or_missing(self.store.as_ref(), &keys::order_progress(&order.restaurant, &order.id)).await
    }

    /// Stores an order whose guest's personal data was just erased (version raised by the
    /// domain) if nobody changed it since: the ticket without them, and the progress under the
    /// new version, together. No event: nobody follows an order that is over.
    pub async fn save_erased(&self, order: &Order) -> Result<(), RepoError> {
        let [ticket, progress] = stored_order::items(order, None)?;
        let outcome = Transaction::new()
            .with(Part::Ticket, Write::Put { item: ticket, condition: Condition::Present })
            .with(
                Part::Order,
                Write::Put { item: progress, condition: Condition::Version(order.version.saturating_sub(1)) },
            )
            .commit(self.store.as_ref())
            .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(Refused::Conditions(_)) => Err(self.stale_or_missing(order).await),
            Err(other) => Err(other.into()),
        }
    }

    /// Every open order of a day of service, whole: few at any time (the index holds only those
    /// not yet finished).
    pub async fn open_of_day(&self, slug: &Slug, date: Date) -> Result<Vec<Order>, RepoError> {
        let items =
            read_all(self.store.as_ref(), Query::partition(keys::open_orders(slug, date)).on(Index::Gsi3)).await?;
        self.read_listed(&items).await
    }

    /// The orders an index page points at, read a few at a time, in the page's order.
    async fn read_listed(&self, page: &[Item]) -> Result<Vec<Order>, RepoError> {
        let ids = page
            .iter()
            .map(|item| keys::order_of(&item.key.pk).ok_or_else(|| RepoError::Corrupt("an order index entry".into())))
            .collect::<Result<Vec<_>, _>>()?;
        stream::iter(ids.into_iter().map(|(slug, id)| async move { self.get_recent(&slug, &id).await }))
            .buffered(READS_IN_FLIGHT)
            .try_collect()
            .await
    }

    /// One page of a local day's orders by number, optionally only those in `state` (a page
    /// may then hold fewer than `limit`; `None` for the cursor says there are no more).
    pub async fn of_day(
        &self,
        slug: &Slug,
        date: Date,
        state: Option<OrderState>,
        limit: u32,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Order>, Option<Cursor>), RepoError> {
        // An open state is looked for among the day's open orders (few at any time), a final
        // one among all of the day's.
        let query = match state {
            Some(state) if !state.is_final() => Query::partition(keys::open_orders(slug, date)).on(Index::Gsi3),
            _ => Query::partition(keys::orders_of_day(slug, date)).on(Index::Gsi2),
        };
        let page = self.store.query(&query.limit(limit).after(cursor)).await?;
        let mut orders = self.read_listed(&page.items).await?;
        orders.retain(|order| state.is_none_or(|state| order.state == state));
        Ok((orders, page.next))
    }

    /// How many later orders each slot of a day of service holds (slots none took are absent).
    pub async fn slot_counts(&self, slug: &Slug, date: Date) -> Result<BTreeMap<Timestamp, u32>, RepoError> {
        let query = Query::partition(keys::day_partition(slug, date))
            .sort_key(SortKey::BeginsWith(keys::ORDER_SLOT_PREFIX.to_owned()));
        let mut counts = BTreeMap::new();
        for item in read_all(self.store.as_ref(), query).await? {
            let at = item.key.sk.strip_prefix(keys::ORDER_SLOT_PREFIX).and_then(keys::parse_instant);
            let at = at.ok_or_else(|| RepoError::Corrupt(format!("slot key {}", item.key.sk)))?;
            counts.insert(at, u32::try_from(item.counter).unwrap_or(0));
        }
        Ok(counts)
    }

    /// One page of the deliveries assigned to a driver, oldest first.
    pub async fn of_driver(
        &self,
        slug: &Slug,
        driver: &UserId,
        limit: u32,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Order>, Option<Cursor>), RepoError> {
        let query = Query::partition(keys::deliveries_of(slug, driver)).on(Index::Gsi1).limit(limit).after(cursor);
        let page = self.store.query(&query).await?;
        let mut orders = self.read_listed(&page.items).await?;
        // The index may lag a reassignment by a moment; the order itself says whose it is.
        orders.retain(|order| order.driver.as_ref() == Some(driver));
        Ok((orders, page.next))
    }
}
