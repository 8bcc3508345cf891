//! The order event log: one item per order change, numbered per restaurant without gaps and in
//! commit order, so a screen that reconnects asks for everything after the last number it saw.
//!
//! The number is taken inside the change's own transaction (the counter must still be at the
//! value read), so a number is never used twice, never skipped, and never committed out of order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bistro_domain::ids::{OrderId, Slug, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::order::{Order, OrderState};
use serde::{Deserialize, Serialize};

use super::{RepoError, counter_value, decode, encode};
use crate::keys;
use crate::seam::{Condition, Item, Query, SortKey, Store, Write, now_unix};

/// How long events stay for resuming; a screen away longer reloads the day's orders instead.
pub const EVENT_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// One change of an order, as a screen learns of it: which order, and where it stands now. A
/// summary, not a copy: whoever sends it to a screen reads the order itself (once per event, not
/// per screen), so an event costs one write unit however long the order is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub seq: u64,
    pub at: Timestamp,
    pub restaurant: Slug,
    pub order: OrderId,
    pub number: u32,
    pub state: OrderState,
    /// The order's version right after the change: the order read to send it is at least this.
    pub version: u64,
    /// The driver the order was assigned to, if any: who else may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<UserId>,
}

impl OrderEvent {
    /// The summary of `order`'s latest change, numbered `seq`.
    pub fn of(order: &Order, seq: u64) -> Self {
        Self {
            seq,
            at: order.updated_at(),
            restaurant: order.restaurant.clone(),
            order: order.id.clone(),
            number: order.number,
            state: order.state,
            version: order.version,
            driver: order.driver.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Events {
    store: Arc<dyn Store>,
}

/// The counter's current value: the last sequence number handed out.
pub(crate) async fn current_seq(store: &dyn Store, slug: &Slug) -> Result<u64, RepoError> {
    Ok(counter_value(store.get(&keys::event_counter(slug)).await?.as_ref()))
}

/// Takes event numbers for this instance's changes, one change of a restaurant at a time, each
/// starting from the number the previous one took. Changes here then queue instead of racing for
/// the same number and retrying, and need not read the counter first; a change made meanwhile by
/// another instance fails the counter's condition, and only then is the counter read.
#[derive(Debug, Default)]
pub(crate) struct Sequencer {
    lanes: Mutex<HashMap<Slug, Arc<tokio::sync::Mutex<LastSeq>>>>,
}

/// The last event number a change here took, and the last order number it gave out on a day,
/// if this instance still knows them.
#[derive(Debug, Default)]
pub(crate) struct LastSeq(Option<u64>, Option<(Date, u64)>);

impl Sequencer {
    /// Waits for the restaurant's lane; the guard is held until the change is written.
    pub(crate) async fn lane(&self, slug: &Slug) -> tokio::sync::OwnedMutexGuard<LastSeq> {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(lanes.entry(slug.clone()).or_default())
        };
        lane.lock_owned().await
    }
}

impl LastSeq {
    /// The number the next change follows: the one remembered, or else the counter's.
    pub(crate) async fn get(&mut self, store: &dyn Store, slug: &Slug) -> Result<u64, RepoError> {
        match self.0 {
            Some(last) => Ok(last),
            None => current_seq(store, slug).await,
        }
    }

    pub(crate) fn taken(&mut self, seq: u64) {
        self.0 = Some(seq);
    }

    /// Another instance may have taken numbers: read the counters next time.
    pub(crate) fn forget(&mut self) {
        self.0 = None;
        self.1 = None;
    }

    /// The last order number given out on `day`: the one remembered, or else the day's counter.
    pub(crate) async fn last_number(&mut self, store: &dyn Store, slug: &Slug, day: Date) -> Result<u64, RepoError> {
        match self.1 {
            Some((known, last)) if known == day => Ok(last),
            _ => Ok(counter_value(store.get(&keys::order_counter(slug, day)).await?.as_ref())),
        }
    }

    pub(crate) fn numbered(&mut self, day: Date, number: u64) {
        self.1 = Some((day, number));
    }
}

/// The two writes that log `order`'s change as event `last + 1`; they fail together if another
/// change took that number first.
pub(crate) fn event_writes(order: &Order, last: u64) -> Result<[Write; 2], RepoError> {
    let slug = &order.restaurant;
    let seq = last + 1;
    let expires_at = now_unix() + i64::try_from(EVENT_RETENTION.as_secs()).unwrap_or(i64::MAX);
    Ok([
        Write::Add {
            key: keys::event_counter(slug),
            by: 1,
            expires_at: None,
            condition: Condition::CounterIs(i64::try_from(last).unwrap_or(i64::MAX)),
        },
        Write::Put {
            item: Item::new(keys::event(slug, seq), 1, encode(&OrderEvent::of(order, seq))?).expiring_at(expires_at),
            condition: Condition::Absent,
        },
    ])
}

impl Events {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Up to `limit` events after `after`, oldest first.
    pub async fn after(&self, slug: &Slug, after: u64, limit: u32) -> Result<Vec<OrderEvent>, RepoError> {
        let query = Query::partition(keys::events_partition(slug))
            .sort_key(SortKey::Between(keys::event_sort_key(after.saturating_add(1)), keys::event_sort_key(u64::MAX)))
            .limit(limit);
        self.store.query(&query).await?.items.iter().map(decode).collect()
    }

    /// The last sequence number handed out.
    pub async fn last_seq(&self, slug: &Slug) -> Result<u64, RepoError> {
        current_seq(self.store.as_ref(), slug).await
    }

    /// Reads an event from a stored item (a stream record's new image, say); `None` for any
    /// other kind of item.
    pub fn from_item(item: &Item) -> Option<Result<OrderEvent, RepoError>> {
        let is_event = item.key.pk.starts_with("R#")
            && item.key.pk.ends_with("#EVENTS")
            && item.key.sk.bytes().all(|b| b.is_ascii_digit());
        is_event.then(|| decode(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bistro_testkit::fixtures;

    #[test]
    fn an_event_is_a_summary_of_the_change_under_its_number() -> Result<(), RepoError> {
        let day = fixtures::berlin().at(fixtures::tomorrow_evening()).date();
        let order = Order::place(OrderId::generate(), fixtures::new_order("roma", day), 7);

        let [_, event] = event_writes(&order, 41)?;

        let Write::Put { item, .. } = event else { panic!("the event is a put") };
        let event: OrderEvent = decode(&item)?;
        assert_eq!((event.seq, &event.order, event.number, event.version), (42, &order.id, 7, order.version));
        assert!(item.body.len() < 300, "a summary, not a copy of the order: {} bytes", item.body.len());
        Ok(())
    }
}
