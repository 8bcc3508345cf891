//! Delivers one order event to every live connection of its restaurant that may see it, all at
//! once, forgets connections that are gone, and closes those whose staff login has ended.

use std::collections::HashMap;

use async_trait::async_trait;
use futures_util::stream::{self, StreamExt};

use bistro_domain::ids::{Slug, UserId};
use bistro_domain::order::Order;
use bistro_store::repo::{Connection, OrderEvent, Subscription};
use bistro_store::{RepoError, Repos};

use crate::connect::session_ended;
use crate::protocol::{ServerMessage, may_see};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The client is gone for good (API Gateway answers 410): forget the connection.
    #[error("the connection is gone")]
    Gone,
    #[error("sending failed: {0}")]
    Failed(String),
}

/// Posts a text frame to one connection: API Gateway's PostToConnection, or an in-process socket.
#[async_trait]
pub trait Sender: Send + Sync + std::fmt::Debug {
    async fn send(&self, connection_id: &str, text: &str) -> Result<(), SendError>;

    /// Closes the connection from the server's side (API Gateway's DeleteConnection).
    async fn close(&self, connection_id: &str) -> Result<(), SendError>;
}

/// What a fan-out did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
    /// Closed because the account they were opened with was removed, disabled or changed.
    pub ended: usize,
}

/// How many posts are in flight at once.
const CONCURRENCY: usize = 32;

/// Sends event `event.seq` to the restaurant's screens that may see it, with the order read once
/// (as it is now: at least as new as the change) for all of them.
pub async fn fan_out(repos: &Repos, sender: &dyn Sender, event: &OrderEvent) -> Result<Delivery, RepoError> {
    let plan = Plan::of(repos, event).await?;
    let mut delivery = Delivery { ended: plan.ended.len(), ..Delivery::default() };
    let outcomes = plan.post(sender, event.seq).await;
    for id in &plan.ended {
        close_ended(repos, sender, id).await?;
    }
    for (connection, outcome) in outcomes {
        record(repos, &mut delivery, connection, outcome).await?;
    }
    Ok(delivery)
}

/// Who gets what of one event.
#[derive(Default)]
struct Plan {
    /// Each kind of viewer is offered its own next moves, so the text is written once per
    /// subscription (the board's, each driver's, the customer's), not once per connection.
    texts: Vec<(Subscription, String)>,
    /// Each connection with the index of its text, or none for a resync.
    posts: Vec<(Connection, Option<usize>)>,
    /// Connections whose staff login has ended.
    ended: Vec<String>,
}

impl Plan {
    async fn of(repos: &Repos, event: &OrderEvent) -> Result<Self, RepoError> {
        let restaurant = &event.restaurant;
        let mut plan = Plan::default();
        let mut order: Option<Order> = None;
        let mut logins = Logins::new(repos, restaurant);
        let mut resyncs = Vec::new();
        // The staff's screens, and the guests' following this order: never other guests'.
        let mut connections = repos.connections.of_restaurant(restaurant).await?;
        connections.extend(repos.connections.watching(restaurant, &event.order).await?);
        for connection in connections {
            // A login that ended gets nothing more, even where the stream missed its change.
            if !logins.hold(&connection).await? {
                plan.ended.push(connection.id);
                continue;
            }
            if !may_see(&connection.subscription, event) {
                continue;
            }
            // It missed an update: this one alone would leave it behind, so it reloads instead.
            if connection.missed {
                resyncs.push((connection, None));
                continue;
            }
            let index = match plan.texts.iter().position(|(s, _)| *s == connection.subscription) {
                Some(index) => index,
                None => {
                    let current = match &order {
                        Some(order) => order.clone(),
                        None => order.insert(repos.orders.get(restaurant, &event.order).await?).clone(),
                    };
                    let text = ServerMessage::order(event.seq, current, &connection.subscription).to_text();
                    plan.texts.push((connection.subscription.clone(), text));
                    plan.texts.len() - 1
                }
            };
            plan.posts.push((connection, Some(index)));
        }
        plan.posts.extend(resyncs);
        Ok(plan)
    }

    /// Posts every text at once (up to `CONCURRENCY` in flight).
    async fn post(&self, sender: &dyn Sender, seq: u64) -> Vec<(Connection, Result<(), SendError>)> {
        let resync = ServerMessage::Resync { oldest_available: seq }.to_text();
        let (texts, resync) = (&self.texts, &resync);
        stream::iter(self.posts.iter().cloned())
            .map(|(connection, index)| async move {
                let text = index.map_or(resync, |index| &texts[index].1);
                let outcome = sender.send(&connection.id, text).await;
                (connection, outcome)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await
    }
}

/// What one post did to its connection: a delivered one is no longer behind, a gone one is
/// forgotten, a failed one is marked to resync at its next event.
async fn record(
    repos: &Repos,
    delivery: &mut Delivery,
    connection: Connection,
    outcome: Result<(), SendError>,
) -> Result<(), RepoError> {
    match outcome {
        Ok(()) => {
            delivery.sent += 1;
            if connection.missed {
                repos.connections.set_missed(&connection, false).await?;
            }
        }
        Err(SendError::Gone) => {
            delivery.gone += 1;
            repos.connections.delete(&connection.id).await?;
        }
        Err(SendError::Failed(error)) => {
            delivery.failed += 1;
            tracing::warn!(connection = %connection.id, %error, "could not deliver an order event");
            if !connection.missed {
                repos.connections.set_missed(&connection, true).await?;
            }
        }
    }
    Ok(())
}

/// Session numbers of the accounts connections were opened with, each read once.
struct Logins<'a> {
    repos: &'a Repos,
    restaurant: &'a Slug,
    read: HashMap<UserId, Option<u64>>,
}

impl<'a> Logins<'a> {
    fn new(repos: &'a Repos, restaurant: &'a Slug) -> Self {
        Self { repos, restaurant, read: HashMap::new() }
    }

    /// Whether the login `connection` was opened with still holds (a customer's always does).
    async fn hold(&mut self, connection: &Connection) -> Result<bool, RepoError> {
        let Some(signed_in) = &connection.signed_in else { return Ok(true) };
        let current = match self.read.get(&signed_in.user) {
            Some(current) => *current,
            None => {
                let current = self.repos.restaurants.session(self.restaurant, &signed_in.user).await?;
                *self.read.entry(signed_in.user.clone()).or_insert(current)
            }
        };
        Ok(current == Some(signed_in.session))
    }
}

/// Closes every connection of `restaurant` whose staff login has ended: what an account's
/// session changing (removed, disabled, new role or password) sets off. Returns how many.
pub async fn close_ended_logins(repos: &Repos, sender: &dyn Sender, restaurant: &Slug) -> Result<usize, RepoError> {
    let mut logins = Logins::new(repos, restaurant);
    let mut ended = 0;
    for connection in repos.connections.of_restaurant(restaurant).await? {
        if !logins.hold(&connection).await? {
            close_ended(repos, sender, &connection.id).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Tells a connection its login ended, closes it and forgets it. A socket that is already gone
/// is forgotten all the same.
pub async fn close_ended(repos: &Repos, sender: &dyn Sender, id: &str) -> Result<(), RepoError> {
    if let Err(SendError::Failed(error)) = sender.send(id, &session_ended().to_text()).await {
        tracing::warn!(connection = %id, %error, "could not tell a connection its login ended");
    }
    if let Err(SendError::Failed(error)) = sender.close(id).await {
        tracing::warn!(connection = %id, %error, "could not close a connection whose login ended");
    }
    repos.connections.delete(id).await
}
