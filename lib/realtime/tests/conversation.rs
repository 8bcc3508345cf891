//! The socket conversation and the change dispatch, as every host runs them: the `ws` and
//! `notifier` functions and the local server's hub only move bytes to and from these.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Mutex;

use async_trait::async_trait;
use bistro_domain::ids::UserId;
use bistro_domain::jiff::civil::date;
use bistro_realtime::conversation::{Delivered, Reply, StoreChange, answer, dispatch};
use bistro_realtime::fanout::{SendError, Sender};
use bistro_realtime::protocol::ServerMessage;
use bistro_store::Repos;
use bistro_store::repo::{Connection, IdempotencyKey, OrderEvent, SignedIn, Subscription};
use bistro_testkit::fixtures;

/// A host's sockets, remembering every frame and every close.
#[derive(Debug, Default)]
struct Recorded {
    frames: Mutex<Vec<(String, String)>>,
    closed: Mutex<Vec<String>>,
}

#[async_trait]
impl Sender for Recorded {
    async fn send(&self, connection_id: &str, text: &str) -> Result<(), SendError> {
        self.frames.lock().unwrap().push((connection_id.to_owned(), text.to_owned()));
        Ok(())
    }
    async fn close(&self, connection_id: &str) -> Result<(), SendError> {
        self.closed.lock().unwrap().push(connection_id.to_owned());
        Ok(())
    }
}

fn repos() -> Repos {
    Repos::new(std::sync::Arc::new(bistro_store::engine::sqlite::SqliteStore::in_memory().unwrap()))
}

fn board(id: &str, signed_in: Option<SignedIn>) -> Connection {
    Connection {
        id: id.into(),
        restaurant: fixtures::slug("roma"),
        subscription: Subscription::Board,
        signed_in,
        expires_at: bistro_domain::jiff::Timestamp::now().as_second() + 3600,
        missed: false,
        resumes: Vec::new(),
    }
}

#[tokio::test]
async fn a_ping_is_answered_with_a_pong_without_reading_the_connection() {
    let reply = answer(&repos(), &Recorded::default(), "never-recorded", r#"{"type":"ping"}"#).await;
    assert_eq!(reply, Reply::Send(vec![ServerMessage::Pong]));
}

#[tokio::test]
async fn a_frame_that_is_no_client_message_is_answered_with_how_to_write_one() {
    let reply = answer(&repos(), &Recorded::default(), "c1", "hello").await;
    let Reply::Send(messages) = reply else { panic!("{reply:?}") };
    assert!(matches!(&messages[..], [ServerMessage::Error { code, .. }] if code == "invalid_message"));
}

#[tokio::test]
async fn a_resume_from_a_connection_nobody_recorded_is_unknown() {
    let reply = answer(&repos(), &Recorded::default(), "c1", r#"{"type":"resume"}"#).await;
    assert_eq!(reply, Reply::Unknown);
}

#[tokio::test]
async fn a_new_board_resumes_from_the_restaurants_last_number() {
    let repos = repos();
    repos.connections.put(&board("c1", None)).await.unwrap();
    let reply = answer(&repos, &Recorded::default(), "c1", r#"{"type":"resume","last_seq":null}"#).await;
    let Reply::Send(messages) = reply else { panic!("{reply:?}") };
    assert!(matches!(&messages[..], [ServerMessage::Resumed { sent: 0, .. }]), "{messages:?}");
}

#[tokio::test]
async fn a_resume_that_clears_a_missed_mark_still_counts_toward_the_resume_limit() {
    let repos = repos();
    repos.connections.put(&board("c1", None)).await.unwrap();
    let sender = Recorded::default();
    let resume = || answer(&repos, &sender, "c1", r#"{"type":"resume","last_seq":null}"#);
    for _ in 0..bistro_store::repo::RESUMES_PER_WINDOW {
        // Each time, an update went past the board and it resumes to catch up.
        let connection = repos.connections.get("c1").await.unwrap();
        repos.connections.set_missed(&connection, true).await.unwrap();
        let Reply::Send(messages) = resume().await else { panic!("the resume is answered") };
        assert!(matches!(&messages[..], [ServerMessage::Resumed { .. }]), "{messages:?}");
    }

    let Reply::Send(messages) = resume().await else { panic!("the resume is answered") };

    assert!(matches!(&messages[..], [ServerMessage::Error { code, .. }] if code == "too_many_resumes"), "{messages:?}");
}

#[tokio::test]
async fn a_resume_under_an_ended_login_tells_the_socket_closes_it_and_forgets_it() {
    let repos = repos();
    let sender = Recorded::default();
    repos.connections.put(&board("c1", Some(SignedIn { user: UserId::generate(), session: 1 }))).await.unwrap();
    let reply = answer(&repos, &sender, "c1", r#"{"type":"resume","last_seq":3}"#).await;
    assert_eq!(reply, Reply::Ended);
    assert!(sender.frames.lock().unwrap()[0].1.contains("session_ended"));
    assert_eq!(*sender.closed.lock().unwrap(), vec!["c1".to_owned()]);
    assert!(repos.connections.get("c1").await.is_err());
}

#[tokio::test]
async fn a_new_order_event_reaches_the_restaurants_board() {
    let repos = repos();
    let sender = Recorded::default();
    repos.connections.put(&board("c1", None)).await.unwrap();
    let key = IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
    let order = fixtures::place(&repos.orders, &key, fixtures::new_order("roma", date(2026, 12, 4))).await.unwrap();
    dispatch(&repos, &sender, &StoreChange::Event(OrderEvent::of(&order.value, 1))).await.unwrap();
    let frames = sender.frames.lock().unwrap();
    assert_eq!(frames.len(), 1);
    assert!(frames[0].1.contains(r#""type":"order""#), "{frames:?}");
}

#[test]
fn a_new_session_item_changes_nothing_and_a_changed_one_closes_ended_logins() {
    let pk = bistro_store::keys::session(&fixtures::slug("roma"), &UserId::generate()).pk;
    assert!(StoreChange::of(&pk, true, None).is_none());
    let changed = StoreChange::of(&pk, false, None).unwrap().unwrap();
    assert_eq!(changed, StoreChange::LoginsChanged(fixtures::slug("roma")));
}

#[test]
fn a_changed_item_of_any_other_kind_means_nothing_to_live_screens() {
    assert!(StoreChange::of("R#roma#ORDERS", true, None).is_none());
    assert!(StoreChange::of("R#roma#EVENTS", false, None).is_none());
}

#[test]
fn an_order_event_that_came_live_is_not_sent_again_by_a_replay_and_the_replay_counts_only_the_rest() {
    let mut delivered = Delivered::default();
    let event = |seq: u64| {
        let placed = bistro_domain::order::Order::place(
            bistro_domain::ids::OrderId::generate(),
            fixtures::new_order("roma", date(2026, 12, 4)),
            1,
        );
        ServerMessage::order(seq, placed, &Subscription::Board)
    };
    assert!(delivered.fresh(&event(5)));
    let resumed = ServerMessage::Resumed {
        restaurant: fixtures::slug("roma"),
        subscription: Subscription::Board,
        after: 3,
        last_seq: 6,
        sent: 2,
    };
    let kept = delivered.unsent(vec![event(5), event(6), resumed]);
    assert_eq!(kept.len(), 2);
    assert!(matches!(kept[1], ServerMessage::Resumed { sent: 1, .. }));
}
