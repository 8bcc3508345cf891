//! The order event log: one item per order change, numbered per restaurant without gaps and in
//! commit order, so a screen that reconnects asks for everything after the last number it saw.
//!
//! The number is taken inside the change's own transaction (the counter must still be at the
//! value read), so a number is never used twice, never skipped, and never committed out of order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bistro_domain::ids::Slug;
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::order::Order;
use serde::{Deserialize, Serialize};

use super::{RepoError, counter_value, decode};
use crate::keys;
use crate::seam::{Condition, Item, Query, SortKey, Store, Write, now_unix};

/// How long events stay for resuming; a screen away longer reloads the day's orders instead.
pub const EVENT_RETENTION: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub seq: u64,
    pub at: Timestamp,
    /// The order as it was right after the change.
    pub order: Order,
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
/// change took that number first. `encoded` is the order's stored JSON, which the event embeds
/// as it is rather than encoding the order a second time.
pub(crate) fn event_writes(order: &Order, encoded: &str, last: u64) -> Result<[Write; 2], RepoError> {
    let slug = &order.restaurant;
    let seq = last + 1;
    let at = serde_json::to_string(&order.updated_at()).map_err(|e| RepoError::Corrupt(e.to_string()))?;
    // The same document `encode(&OrderEvent { seq, at, order })` writes, field for field.
    let body = format!(r#"{{"seq":{seq},"at":{at},"order":{encoded}}}"#);
    let expires_at = now_unix() + i64::try_from(EVENT_RETENTION.as_secs()).unwrap_or(i64::MAX);
    Ok([
        Write::Add {
            key: keys::event_counter(slug),
            by: 1,
            expires_at: None,
            condition: Condition::CounterIs(i64::try_from(last).unwrap_or(i64::MAX)),
        },
        Write::Put {
            item: Item::new(keys::event(slug, seq), 1, body).expiring_at(expires_at),
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
    use crate::repo::encode;
    use bistro_testkit::fixtures;

    #[test]
    fn an_event_embedding_the_stored_order_is_the_document_encoding_the_event_writes() -> Result<(), RepoError> {
        let day = fixtures::berlin().at(fixtures::tomorrow_evening()).date();
        let order = Order::place(fixtures::new_order("roma", day), 7);
        let encoded = encode(&order)?;

        let [_, event] = event_writes(&order, &encoded, 41)?;

        let Write::Put { item, .. } = event else { panic!("the event is a put") };
        let expected = OrderEvent { seq: 42, at: order.updated_at(), order };
        assert_eq!(item.body, encode(&expected)?);
        assert_eq!(decode::<OrderEvent>(&item)?, expected);
        Ok(())
    }
}
