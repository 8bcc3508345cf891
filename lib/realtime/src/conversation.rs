//! The socket conversation and the change dispatch, once for every host. A host (the `ws` and
//! `notifier` functions, the local server's hub) only moves bytes: it hands each client message
//! to [`answer`] and sends back what it says, and hands each committed store change to
//! [`StoreChange::of`] and [`dispatch`].

use std::collections::BTreeSet;

use bistro_domain::ids::Slug;
use bistro_store::repo::{Events, OrderEvent};
use bistro_store::seam::Item;
use bistro_store::{RepoError, Repos, keys};

use crate::connect::{missed, still_signed_in};
use crate::fanout::{Sender, close_ended, close_ended_logins, fan_out};
use crate::protocol::{ClientMessage, ServerMessage};

/// What a host does after a client's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Send these frames in order; the last one ends the answer (a replay's `resumed`).
    Send(Vec<ServerMessage>),
    /// The connection's staff login has ended: it has been told, closed and forgotten.
    Ended,
    /// No connection of that id is recorded (it expired or was never made).
    Unknown,
}

/// Answers one text frame from connection `id`. Only a resume reads the connection's record, so
/// a ping costs no read.
pub async fn answer(repos: &Repos, sender: &dyn Sender, id: &str, text: &str) -> Reply {
    let Ok(message) = serde_json::from_str::<ClientMessage>(text) else {
        return Reply::Send(vec![ServerMessage::invalid_message()]);
    };
    let ClientMessage::Resume { last_seq } = message else { return Reply::Send(vec![ServerMessage::Pong]) };
    let connection = match repos.connections.get(id).await {
        Ok(connection) => connection,
        Err(RepoError::NotFound) => return Reply::Unknown,
        Err(error) => {
            tracing::error!(%error, "cannot read a connection");
            return Reply::Send(vec![ServerMessage::unavailable()]);
        }
    };
    // A resume reads up to the restaurant's last thousand events: a few are plenty for any screen.
    let connection =
        match repos.connections.count_resume(&connection, bistro_domain::jiff::Timestamp::now().as_millisecond()).await
        {
            Ok(Some(counted)) => counted,
            Ok(None) => return Reply::Send(vec![ServerMessage::too_many_resumes()]),
            Err(error) => {
                tracing::error!(%error, "cannot count a connection's resume");
                return Reply::Send(vec![ServerMessage::unavailable()]);
            }
        };
    match still_signed_in(repos, &connection.restaurant, connection.signed_in.as_ref()).await {
        Ok(true) => {}
        Ok(false) => {
            if let Err(error) = close_ended(repos, sender, id).await {
                tracing::error!(%error, "cannot forget a connection whose login ended");
            }
            return Reply::Ended;
        }
        Err(error) => {
            tracing::error!(%error, "cannot check a connection's login");
            return Reply::Send(vec![ServerMessage::unavailable()]);
        }
    }
    match missed(repos, &connection.restaurant, &connection.subscription, last_seq).await {
        Ok(messages) => {
            // What it missed comes now: it need not be told to reload any more.
            if connection.missed {
                if let Err(error) = repos.connections.set_missed(&connection, false).await {
                    tracing::warn!(%error, "cannot clear a connection's missed mark");
                }
            }
            Reply::Send(messages)
        }
        Err(error) => {
            tracing::error!(%error, "cannot read missed events");
            Reply::Send(vec![ServerMessage::unavailable()])
        }
    }
}

/// A committed change of a store item, as live screens care about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChange {
    /// An account's session moved on or the account was removed: its sockets close.
    LoginsChanged(Slug),
    /// A new order event: it goes to every screen that may see it.
    Event(OrderEvent),
}

impl StoreChange {
    /// What the change of the item under partition `pk` means, if anything: `inserted` when the
    /// item is new, `new` its image after the change. An event item that cannot be read is an
    /// error, for the host to log and retry.
    pub fn of(pk: &str, inserted: bool, new: Option<&Item>) -> Option<Result<Self, RepoError>> {
        if let Some(slug) = keys::restaurant_of_session(pk) {
            // A session created with its account changes nothing a socket was opened under.
            return (!inserted).then_some(Ok(Self::LoginsChanged(slug)));
        }
        if !inserted {
            return None;
        }
        Events::from_item(new?).map(|decoded| decoded.map(Self::Event))
    }

    /// The restaurant whose screens it concerns.
    pub fn restaurant(&self) -> &Slug {
        match self {
            Self::LoginsChanged(slug) => slug,
            Self::Event(event) => &event.restaurant,
        }
    }
}

/// Carries one change to the screens: closes the sockets of ended logins, or fans an event out.
pub async fn dispatch(repos: &Repos, sender: &dyn Sender, change: &StoreChange) -> Result<(), RepoError> {
    match change {
        StoreChange::LoginsChanged(slug) => close_ended_logins(repos, sender, slug).await.map(|_| ()),
        StoreChange::Event(event) => fan_out(repos, sender, event).await.map(|_| ()),
    }
}

/// The order events one socket has been sent, for a host that registers a socket for live
/// events before replaying what it missed (so nothing falls between the two): an event is sent
/// once, whichever way it came first.
#[derive(Debug, Default)]
pub struct Delivered(BTreeSet<u64>);

impl Delivered {
    /// Whether `message` is still to be sent (and now counts as sent). Only order events repeat.
    pub fn fresh(&mut self, message: &ServerMessage) -> bool {
        match message {
            ServerMessage::Order { seq, .. } => self.0.insert(*seq),
            _ => true,
        }
    }

    /// What of a reply this socket has not been sent yet, its `resumed` counting only those.
    pub fn unsent(&mut self, messages: Vec<ServerMessage>) -> Vec<ServerMessage> {
        let mut kept: Vec<ServerMessage> = messages.into_iter().filter(|m| self.fresh(m)).collect();
        let orders = kept.iter().filter(|m| matches!(m, ServerMessage::Order { .. })).count();
        for message in &mut kept {
            if let ServerMessage::Resumed { sent, .. } = message {
                *sent = orders;
            }
        }
        kept
    }
}
