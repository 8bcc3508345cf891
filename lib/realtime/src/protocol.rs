//! The live-update protocol, the same over API Gateway WebSockets and the local server's `/ws`.
//! Documented for client authors in `lib/realtime/REALTIME.md`.

use bistro_domain::ids::Slug;
use bistro_domain::order::{Actor, Order, OrderView};
use bistro_domain::restaurant::Role;
use bistro_store::repo::{OrderEvent, Subscription};
use serde::{Deserialize, Serialize};

/// API Gateway refuses WebSocket frames over 32 KB; every message stays under it.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// An order changed (or was placed): the order as `GET …/orders/{id}` shows it to this
    /// connection, `next` included.
    Order {
        seq: u64,
        restaurant: Slug,
        order: Box<OrderView>,
        /// True when lines were left out to keep the message under 32 KB (fetch the order for all).
        truncated: bool,
    },
    /// The answer to `resume`: every event after `after` up to `last_seq` that this connection
    /// may see has been sent (`sent` of them); live events follow.
    Resumed {
        restaurant: Slug,
        subscription: Subscription,
        after: u64,
        last_seq: u64,
        sent: usize,
    },
    /// The resume point is older than the stored events: reload the orders over HTTP.
    Resync {
        oldest_available: u64,
    },
    Pong,
    Error {
        code: String,
        detail: String,
    },
}

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first message on every connection, and again after a reconnect: send every event
    /// after `last_seq` that this connection may see (none when `last_seq` is absent), then live.
    Resume {
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// Keeps an idle connection open (API Gateway closes one after 10 idle minutes).
    Ping,
}

impl ServerMessage {
    /// The answer to a frame that is not a client message.
    pub fn invalid_message() -> Self {
        Self::Error {
            code: "invalid_message".into(),
            detail: r#"send {"type":"resume","last_seq":N} or {"type":"ping"}"#.into(),
        }
    }

    /// The answer to a resume past the connection's allowance (`RESUMES_PER_WINDOW` in
    /// `RESUME_WINDOW_MS`): it keeps the events it has and may resume again in a few seconds.
    pub fn too_many_resumes() -> Self {
        Self::Error { code: "too_many_resumes".into(), detail: "resume at most 5 times in 5 seconds".into() }
    }

    /// The answer when the store cannot be read just now: the client tries again.
    pub fn unavailable() -> Self {
        Self::Error { code: "unavailable".into(), detail: "try again".into() }
    }

    /// Event `seq` as a connection with `subscription` sees it: the order as it is now, which
    /// is at least as new as the change the event numbers.
    pub fn order(seq: u64, order: Order, subscription: &Subscription) -> Self {
        let restaurant = order.restaurant.clone();
        let view = match subscription {
            Subscription::Board => OrderView::seen_by_floor(order),
            Subscription::Driver { user } => {
                OrderView::seen_by(order, &Actor::Staff { user: user.clone(), role: Role::Driver })
            }
            Subscription::Customer { .. } => OrderView::seen_by(order, &Actor::Customer),
        };
        Self::Order { seq, restaurant, order: Box::new(view), truncated: false }
    }

    /// The JSON text of the message, cut down to fit a WebSocket frame if it must be.
    pub fn to_text(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        if text.len() <= MAX_MESSAGE_BYTES {
            return text;
        }
        let Self::Order { seq, restaurant, order, .. } = self else { return text };
        let mut shorter =
            Self::Order { seq: *seq, restaurant: restaurant.clone(), order: order.clone(), truncated: true };
        loop {
            let text = serde_json::to_string(&shorter).unwrap_or_default();
            let Self::Order { order, .. } = &mut shorter else { return text };
            if text.len() <= MAX_MESSAGE_BYTES || order.lines.is_empty() {
                return text;
            }
            order.lines.pop();
        }
    }
}

/// Whether a connection with `subscription` may see this change: the board every one, a driver
/// those of orders assigned to them, a guest those of their own order.
pub fn may_see(subscription: &Subscription, event: &OrderEvent) -> bool {
    match subscription {
        Subscription::Board => true,
        Subscription::Driver { user } => event.driver.as_ref() == Some(user),
        Subscription::Customer { order } => &event.order == order,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use bistro_domain::ids::{OrderId, UserId};
    use bistro_domain::jiff::civil::date;
    use bistro_domain::order::{Order, OrderState};
    use bistro_domain::text::Note;
    use bistro_testkit::fixtures::new_order;

    use super::*;

    fn placed() -> Order {
        Order::place(OrderId::generate(), new_order("trattoria", date(2026, 12, 3)), 1)
    }

    fn order_of(message: &ServerMessage) -> (&OrderView, bool) {
        let ServerMessage::Order { order, truncated, .. } = message else { panic!("not an order message") };
        (order, *truncated)
    }

    #[test]
    fn the_board_is_offered_the_floors_moves_and_the_customer_only_cancelling() {
        let order = placed();
        let board = ServerMessage::order(7, order.clone(), &Subscription::Board);
        let customer = ServerMessage::order(7, order.clone(), &Subscription::Customer { order: order.id.clone() });
        assert_eq!(order_of(&board).0.next, vec![OrderState::Accepted, OrderState::Rejected]);
        assert_eq!(order_of(&customer).0.next, vec![OrderState::Cancelled]);
    }

    #[test]
    fn a_driver_is_offered_nothing_on_an_order_not_assigned_to_them() {
        let driver = ServerMessage::order(7, placed(), &Subscription::Driver { user: UserId::generate() });
        assert!(order_of(&driver).0.next.is_empty());
    }

    #[test]
    fn an_order_message_never_carries_the_customers_token() {
        let placed = placed();
        let secret = placed.token.as_str().to_owned();
        let text = ServerMessage::order(7, placed, &Subscription::Board).to_text();
        assert!(!text.contains(&secret), "{text}");
    }

    #[test]
    fn an_order_too_big_for_one_frame_is_sent_without_its_last_lines_and_says_so() {
        let mut new = new_order("trattoria", date(2026, 12, 3));
        let line = new.priced.lines[0].clone();
        let note = Note::parse(&"no onions, please ".repeat(15)).unwrap();
        new.priced.lines =
            (0..200).map(|_| bistro_domain::cart::PricedLine { note: Some(note.clone()), ..line.clone() }).collect();
        let message = ServerMessage::order(7, Order::place(OrderId::generate(), new, 1), &Subscription::Board);
        let text = message.to_text();
        assert!(text.len() <= MAX_MESSAGE_BYTES, "{} bytes", text.len());
        let sent: ServerMessage = serde_json::from_str(&text).unwrap();
        let (order, truncated) = order_of(&sent);
        assert!(truncated);
        assert!(!order.lines.is_empty() && order.lines.len() < 200, "{} lines", order.lines.len());
    }

    #[test]
    fn a_small_order_is_sent_whole() {
        let message = ServerMessage::order(7, placed(), &Subscription::Board);
        let sent: ServerMessage = serde_json::from_str(&message.to_text()).unwrap();
        assert_eq!(sent, message);
    }

    #[test]
    fn a_driver_sees_the_changes_of_orders_assigned_to_them_and_a_guest_those_of_their_own() {
        let mut order = placed();
        let driver = UserId::generate();
        order.driver = Some(driver.clone());
        let event = OrderEvent::of(&order, 7);
        assert!(may_see(&Subscription::Driver { user: driver }, &event));
        assert!(!may_see(&Subscription::Driver { user: UserId::generate() }, &event));
        assert!(may_see(&Subscription::Customer { order: order.id.clone() }, &event));
        assert!(!may_see(&Subscription::Customer { order: placed().id }, &event));
    }

    #[test]
    fn the_order_message_in_the_client_guide_is_one_the_server_sends() {
        let guide = include_str!("../REALTIME.md");
        let start = guide.find(r#"{"type": "order""#).unwrap();
        let end = start + guide[start..].find(r#"{"type": "resumed""#).unwrap();
        let example: ServerMessage = serde_json::from_str(&guide[start..end]).unwrap();
        let (order, _) = order_of(&example);
        assert_eq!(order.next, vec![OrderState::Accepted, OrderState::Rejected]);
    }
}
