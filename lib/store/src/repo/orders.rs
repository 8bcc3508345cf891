//! Orders: placed exactly once per idempotency key, numbered per local day, listed by day and
//! state, and moved along under optimistic concurrency.

use std::sync::Arc;

use bistro_domain::ids::{OrderId, Slug, Token, UserId};
use bistro_domain::jiff::civil::Date;
use bistro_domain::order::{NewOrder, Order, OrderState};

use super::events::{Sequencer, event_writes};
use super::{
    ATTEMPTS, IDEMPOTENCY_WINDOW, IdempotencyKey, IdempotencyRecord, Idempotent, RepoError, back_off, decode, encode,
    stale_or_missing,
};
use crate::keys;
use crate::seam::{Condition, Cursor, Index, Item, Key, Query, SeamError, Store, Write, now_unix};

#[derive(Debug, Clone)]
pub struct Orders {
    store: Arc<dyn Store>,
    sequencer: Arc<Sequencer>,
}

fn stored(order: &Order) -> Result<Item, RepoError> {
    let slug = &order.restaurant;
    let mut item = Item::new(keys::order(slug, &order.id), order.version, encode(order)?)
        .with_index(Index::Gsi1, keys::order_in_day(slug, order.business_date, order.number))
        .with_index(Index::Gsi2, keys::order_in_state(slug, order.business_date, order.state, order.number));
    if let Some(driver) = &order.driver {
        item = item.with_index(Index::Gsi3, keys::delivery(slug, driver, order.business_date, order.number));
    }
    Ok(item)
}

pub(crate) fn idempotency_expiry() -> i64 {
    now_unix() + i64::try_from(IDEMPOTENCY_WINDOW.as_secs()).unwrap_or(i64::MAX)
}

/// The record an idempotency key leaves behind, if any; a different request under it is an error.
pub(crate) async fn earlier_target(
    store: &dyn Store,
    key: &Key,
    idempotency: &IdempotencyKey,
) -> Result<Option<String>, RepoError> {
    let Some(item) = store.get(key).await? else {
        return Ok(None);
    };
    let record: IdempotencyRecord = decode(&item)?;
    if record.fingerprint != idempotency.fingerprint {
        return Err(RepoError::IdempotencyMismatch);
    }
    Ok(Some(record.target))
}

impl Orders {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store, sequencer: Arc::default() }
    }

    async fn replay(
        &self,
        slug: &Slug,
        key: &Key,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<Idempotent<Order>>, RepoError> {
        let Some(target) = earlier_target(self.store.as_ref(), key, idempotency).await? else {
            return Ok(None);
        };
        let id = OrderId::parse(&target).map_err(|e| RepoError::Corrupt(e.to_string()))?;
        Ok(Some(Idempotent { value: self.get(slug, &id).await?, replayed: true }))
    }

    /// The order an earlier request with this idempotency key placed, if any.
    pub async fn earlier(
        &self,
        slug: &Slug,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<Idempotent<Order>>, RepoError> {
        self.replay(slug, &keys::idempotency(slug, "order", &idempotency.key), idempotency).await
    }

    /// Places the order once: a retry with the same key and request returns the first order.
    /// With `cart`, the cart is consumed in the same transaction, and only if it is still at the
    /// version that was priced (else `StaleVersion`): one cart makes at most one order.
    ///
    /// The day's number comes from an atomic counter before the order is written, so numbers
    /// never repeat; they may skip one when two requests with the same key race.
    ///
    /// Without `cart`, an earlier order under the key is looked up first, so a retry takes no
    /// number. With it, the caller looks only when the cart is gone: a retry finds it consumed.
    pub async fn place(
        &self,
        idempotency: &IdempotencyKey,
        new: NewOrder,
        cart: Option<(&Token, u64)>,
    ) -> Result<Idempotent<Order>, RepoError> {
        let slug = new.restaurant.clone();
        let idempotency_key = keys::idempotency(&slug, "order", &idempotency.key);
        if cart.is_none() {
            if let Some(placed) = self.replay(&slug, &idempotency_key, idempotency).await? {
                return Ok(placed);
            }
        }
        let counter = Write::Add {
            key: keys::order_counter(&slug, new.business_date),
            by: 1,
            expires_at: None,
            condition: Condition::Always,
        };
        let number = self
            .store
            .write(counter)
            .await?
            .ok_or_else(|| RepoError::Corrupt("the order counter returned nothing".into()))?;
        let order =
            Order::place(new, u32::try_from(number).map_err(|_| RepoError::Corrupt("order counter overflow".into()))?);
        let record = IdempotencyRecord { fingerprint: idempotency.fingerprint.clone(), target: order.id.to_string() };
        let order_item = stored(&order)?;
        let order_body = order_item.body.clone();
        let mut writes = vec![
            Write::Put {
                item: Item::new(idempotency_key.clone(), 1, encode(&record)?).expiring_at(idempotency_expiry()),
                condition: Condition::Absent,
            },
            Write::Put { item: order_item, condition: Condition::Absent },
        ];
        if let Some((token, version)) = cart {
            writes.push(Write::Delete { key: keys::cart(&slug, token), condition: Condition::Version(version) });
        }
        let cart_index = cart.map(|_| 2);
        let counter_index = writes.len();
        let mut last_seq = self.sequencer.lane(&slug).await;
        for attempt in 0..ATTEMPTS {
            let last = last_seq.get(self.store.as_ref(), &slug).await?;
            let mut attempt_writes = writes.clone();
            attempt_writes.extend(event_writes(&order, &order_body, last)?);
            let outcome = self.store.transact(attempt_writes).await;
            match &outcome {
                Ok(()) => last_seq.taken(last + 1),
                Err(_) => last_seq.forget(),
            }
            match outcome {
                Ok(()) => return Ok(Idempotent { value: order, replayed: false }),
                Err(SeamError::TransactionCancelled { failed }) if failed.contains(&0) => {
                    return self.replay(&slug, &idempotency_key, idempotency).await?.ok_or(RepoError::Busy);
                }
                Err(SeamError::TransactionCancelled { failed }) if cart_index.is_some_and(|i| failed.contains(&i)) => {
                    return Err(RepoError::StaleVersion);
                }
                // Another change took the event number: take the next one.
                Err(SeamError::TransactionCancelled { failed }) if failed.iter().all(|&i| i >= counter_index) => {
                    back_off(attempt).await;
                }
                Err(SeamError::TransactionConflict) => back_off(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RepoError::Busy)
    }

    /// The order as of a moment ago (half the cost of `get`), for status reads; a change made
    /// from it is written only over the version it saw. An order placed a moment ago may not be
    /// visible yet, so a miss asks again for the latest.
    pub async fn get_recent(&self, slug: &Slug, id: &OrderId) -> Result<Order, RepoError> {
        match self.store.get_recent(&keys::order(slug, id)).await? {
            Some(item) => decode(&item),
            None => self.get(slug, id).await,
        }
    }

    pub async fn get(&self, slug: &Slug, id: &OrderId) -> Result<Order, RepoError> {
        let item = self.store.get(&keys::order(slug, id)).await?.ok_or(RepoError::NotFound)?;
        decode(&item)
    }

    /// Stores a changed order (its version already raised by the domain) if the stored one is
    /// still the version it was read at.
    pub async fn save(&self, order: &Order) -> Result<(), RepoError> {
        let item = stored(order)?;
        let order_body = item.body.clone();
        let put = Write::Put { item, condition: Condition::Version(order.version.saturating_sub(1)) };
        let mut last_seq = self.sequencer.lane(&order.restaurant).await;
        for attempt in 0..ATTEMPTS {
            let last = last_seq.get(self.store.as_ref(), &order.restaurant).await?;
            let [counter, event] = event_writes(order, &order_body, last)?;
            let outcome = self.store.transact(vec![put.clone(), counter, event]).await;
            match &outcome {
                Ok(()) => last_seq.taken(last + 1),
                Err(_) => last_seq.forget(),
            }
            match outcome {
                Ok(()) => return Ok(()),
                Err(SeamError::TransactionCancelled { failed }) if failed.contains(&0) => {
                    return Err(stale_or_missing(self.store.as_ref(), &keys::order(&order.restaurant, &order.id)).await);
                }
                Err(SeamError::TransactionCancelled { .. }) | Err(SeamError::TransactionConflict) => {
                    back_off(attempt).await
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(RepoError::Busy)
    }

    /// One page of a local day's orders by number, optionally only those in `state`.
    pub async fn of_day(
        &self,
        slug: &Slug,
        date: Date,
        state: Option<OrderState>,
        limit: u32,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Order>, Option<Cursor>), RepoError> {
        let query = match state {
            None => Query::partition(keys::orders_of_day(slug, date)).on(Index::Gsi1),
            Some(state) => Query::partition(keys::orders_in_state(slug, date, state)).on(Index::Gsi2),
        };
        let page = self.store.query(&query.limit(limit).after(cursor)).await?;
        Ok((page.items.iter().map(decode).collect::<Result<_, _>>()?, page.next))
    }

    /// One page of the deliveries assigned to a driver, oldest first.
    pub async fn of_driver(
        &self,
        slug: &Slug,
        driver: &UserId,
        limit: u32,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Order>, Option<Cursor>), RepoError> {
        let query = Query::partition(keys::deliveries_of(slug, driver)).on(Index::Gsi3).limit(limit).after(cursor);
        let page = self.store.query(&query).await?;
        Ok((page.items.iter().map(decode).collect::<Result<_, _>>()?, page.next))
    }
}
