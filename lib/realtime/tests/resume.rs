//! What a resume reads: a guest's reads the one order it follows, never the restaurant's log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use bistro_domain::jiff::civil::date;
use bistro_realtime::connect::missed;
use bistro_realtime::protocol::ServerMessage;
use bistro_store::Repos;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::{IdempotencyKey, Subscription};
use bistro_store::seam::{Item, Key, Page, Query, SeamError, Store, Write};
use bistro_testkit::fixtures;

/// SQLite, counting every item it hands to a reader.
#[derive(Debug)]
struct Counting {
    inner: SqliteStore,
    items_read: AtomicUsize,
}

#[async_trait]
impl Store for Counting {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        let item = self.inner.get(key).await?;
        self.items_read.fetch_add(usize::from(item.is_some()), Ordering::SeqCst);
        Ok(item)
    }
    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        self.inner.write(write).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        self.inner.transact(writes).await
    }
    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        let page = self.inner.query(query).await?;
        self.items_read.fetch_add(page.items.len(), Ordering::SeqCst);
        Ok(page)
    }
    async fn ping(&self) -> Result<(), SeamError> {
        self.inner.ping().await
    }
}

/// A restaurant with 30 orders placed today; returns the store and the first order's id.
async fn busy_evening() -> (Arc<Counting>, Repos, bistro_domain::ids::OrderId) {
    let store = Arc::new(Counting { inner: SqliteStore::in_memory().unwrap(), items_read: AtomicUsize::new(0) });
    let repos = Repos::new(store.clone());
    let mut first = None;
    for n in 0..30 {
        let key = IdempotencyKey { key: format!("k{n}"), fingerprint: "f".into() };
        let placed =
            fixtures::place(&repos.orders, &key, fixtures::new_order("roma", date(2026, 12, 4))).await.unwrap();
        first.get_or_insert(placed.value.id);
    }
    store.items_read.store(0, Ordering::SeqCst);
    (store, repos, first.unwrap())
}

#[tokio::test]
async fn a_guests_resume_reads_its_order_and_the_last_number_and_nothing_of_the_restaurants_log() {
    let (store, repos, order) = busy_evening().await;
    let subscription = Subscription::Customer { order: order.clone() };

    let messages = missed(&repos, &fixtures::slug("roma"), &subscription, Some(0)).await.unwrap();

    assert_eq!(store.items_read.load(Ordering::SeqCst), 3, "the event counter and the order's ticket and progress");
    assert!(matches!(
        &messages[..],
        [ServerMessage::Order { seq: 30, .. }, ServerMessage::Resumed { last_seq: 30, sent: 1, .. }]
    ));
    let ServerMessage::Order { order: view, .. } = &messages[0] else { unreachable!() };
    assert_eq!(view.id, order);
}

#[tokio::test]
async fn a_boards_resume_replays_every_event_it_missed_in_order() {
    let (_, repos, _) = busy_evening().await;

    let messages = missed(&repos, &fixtures::slug("roma"), &Subscription::Board, Some(10)).await.unwrap();

    let seqs: Vec<u64> = messages
        .iter()
        .filter_map(|m| if let ServerMessage::Order { seq, .. } = m { Some(*seq) } else { None })
        .collect();
    assert_eq!(seqs, (11..=30).collect::<Vec<u64>>());
    assert!(matches!(messages.last(), Some(ServerMessage::Resumed { sent: 20, .. })));
}

#[tokio::test]
async fn a_boards_resume_sends_each_changed_order_once_as_it_is_now_under_its_last_number() {
    let (store, repos, first) = busy_evening().await;
    let roma = fixtures::slug("roma");
    let mut accepted = repos.orders.get(&roma, &first).await.unwrap();
    let owner = bistro_domain::order::Actor::Staff {
        user: bistro_domain::ids::UserId::generate(),
        role: bistro_domain::restaurant::Role::Owner,
    };
    accepted
        .transition(bistro_domain::order::OrderState::Accepted, owner, bistro_domain::jiff::Timestamp::now())
        .unwrap();
    repos.orders.save(&accepted).await.unwrap();
    store.items_read.store(0, Ordering::SeqCst);

    let messages = missed(&repos, &roma, &Subscription::Board, Some(0)).await.unwrap();

    let sent: Vec<(u64, bool)> = messages
        .iter()
        .filter_map(|m| {
            if let ServerMessage::Order { seq, order, .. } = m { Some((*seq, order.id == first)) } else { None }
        })
        .collect();
    let mut expected: Vec<(u64, bool)> = (2..=30).map(|seq| (seq, false)).collect();
    expected.push((31, true));
    assert_eq!(sent, expected, "order 1 once, under event 31 (its acceptance), not also under event 1");
    let ServerMessage::Order { order, .. } = &messages[29] else { unreachable!() };
    assert_eq!(order.state, bistro_domain::order::OrderState::Accepted);
    assert!(matches!(messages.last(), Some(ServerMessage::Resumed { sent: 30, last_seq: 31, .. })));
    assert_eq!(
        store.items_read.load(Ordering::SeqCst),
        1 + 31 + 2 * 30,
        "the counter, 31 events, 30 orders of two items"
    );
}

/// A sender every post reaches.
#[derive(Debug)]
struct Delivered;

#[async_trait]
impl bistro_realtime::fanout::Sender for Delivered {
    async fn send(&self, _: &str, _: &str) -> Result<(), bistro_realtime::fanout::SendError> {
        Ok(())
    }
    async fn close(&self, _: &str) -> Result<(), bistro_realtime::fanout::SendError> {
        Ok(())
    }
}

fn guest(id: &str, order: &bistro_domain::ids::OrderId) -> bistro_store::repo::Connection {
    bistro_realtime::connect::connection(
        id,
        bistro_realtime::connect::Admitted {
            restaurant: fixtures::slug("roma"),
            subscription: Subscription::Customer { order: order.clone() },
            signed_in: None,
        },
    )
}

/// Items read to fan one event of `order` out, with `others` guests following another order.
async fn reads_of_one_event(others: usize) -> usize {
    let (store, repos, first) = busy_evening().await;
    let other = bistro_domain::ids::OrderId::generate();
    for n in 0..others {
        repos.connections.put(&guest(&format!("other-{n}"), &other)).await.unwrap();
    }
    repos.connections.put(&guest("mine", &first)).await.unwrap();
    let order = repos.orders.get(&fixtures::slug("roma"), &first).await.unwrap();
    store.items_read.store(0, Ordering::SeqCst);
    let event = bistro_store::repo::OrderEvent::of(&order, 99);
    let delivery = bistro_realtime::fanout::fan_out(&repos, &Delivered, &event).await.unwrap();
    assert_eq!(delivery.sent, 1, "the order's own guest");
    store.items_read.load(Ordering::SeqCst)
}

#[tokio::test]
async fn the_reads_of_an_event_do_not_grow_with_guests_following_other_orders() {
    assert_eq!(reads_of_one_event(40).await, reads_of_one_event(0).await);
}
