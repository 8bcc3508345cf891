//! The live-update protocol, the same over API Gateway WebSockets and the local server's `/ws`.
//! Documented for client authors in `lib/realtime/REALTIME.md`.

use bistro_domain::ids::{OrderId, Slug, TableId, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::money::Money;
use bistro_domain::order::{Order, OrderKind, OrderState};
use bistro_store::repo::{OrderEvent, Subscription};
use serde::{Deserialize, Serialize};

/// API Gateway refuses WebSocket frames over 32 KB; every message stays under it.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// An order changed (or was placed).
    Order {
        seq: u64,
        restaurant: Slug,
        order: OrderSummary,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    pub name: String,
    pub quantity: u32,
    /// The chosen options, by name ("Large", "Extra burrata").
    pub choices: Vec<String>,
    pub note: Option<String>,
}

/// What a screen needs of an order: enough for a kitchen ticket and a customer's tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: OrderId,
    pub number: u32,
    /// dine_in, pickup or delivery.
    pub kind: String,
    pub table: Option<TableId>,
    pub customer: String,
    pub lines: Vec<SummaryLine>,
    pub state: OrderState,
    pub placed_at: Timestamp,
    pub updated_at: Timestamp,
    pub total: Money,
    pub driver: Option<UserId>,
    pub version: u64,
    /// The states the floor (owner, manager, staff) may move the order to now: the board's
    /// buttons. The same message goes to drivers and guests, so it says whose moves these are.
    pub next_for_floor: Vec<OrderState>,
    /// True when lines were left out to keep the message under 32 KB (fetch the order for all).
    pub truncated: bool,
}

impl OrderSummary {
    pub fn of(order: &Order) -> Self {
        let (kind, table) = match &order.kind {
            OrderKind::DineIn { table } => ("dine_in", Some(table.clone())),
            OrderKind::Pickup => ("pickup", None),
            OrderKind::Delivery { .. } => ("delivery", None),
        };
        Self {
            id: order.id.clone(),
            number: order.number,
            kind: kind.to_owned(),
            table,
            customer: order.customer.name.to_string(),
            lines: order
                .lines
                .iter()
                .map(|line| SummaryLine {
                    name: line.name.to_string(),
                    quantity: line.quantity.get(),
                    choices: line.choices.iter().map(|c| c.name.to_string()).collect(),
                    note: line.note.as_ref().map(ToString::to_string),
                })
                .collect(),
            state: order.state,
            placed_at: order.placed_at,
            updated_at: order.updated_at(),
            total: order.totals.total,
            driver: order.driver.clone(),
            version: order.version,
            next_for_floor: order.next_for_floor(),
            truncated: false,
        }
    }
}

impl ServerMessage {
    pub fn order(event: &OrderEvent) -> Self {
        Self::Order {
            seq: event.seq,
            restaurant: event.order.restaurant.clone(),
            order: OrderSummary::of(&event.order),
        }
    }

    /// The JSON text of the message, cut down to fit a WebSocket frame if it must be.
    pub fn to_text(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        if text.len() <= MAX_MESSAGE_BYTES {
            return text;
        }
        let Self::Order { seq, restaurant, order } = self else { return text };
        let mut order = order.clone();
        order.truncated = true;
        while !order.lines.is_empty() {
            order.lines.pop();
            let shorter =
                serde_json::to_string(&Self::Order { seq: *seq, restaurant: restaurant.clone(), order: order.clone() })
                    .unwrap_or_default();
            if shorter.len() <= MAX_MESSAGE_BYTES {
                return shorter;
            }
        }
        serde_json::to_string(&Self::Order { seq: *seq, restaurant: restaurant.clone(), order }).unwrap_or_default()
    }
}

/// Whether a connection with `subscription` may see this order.
pub fn may_see(subscription: &Subscription, order: &Order) -> bool {
    match subscription {
        Subscription::Board => true,
        Subscription::Driver { user } => order.driver.as_ref() == Some(user),
        Subscription::Customer { order: id } => &order.id == id,
    }
}
