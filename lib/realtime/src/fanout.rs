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
    let restaurant = &event.restaurant;
    let connections = repos.connections.of_restaurant(restaurant).await?;
    let mut order: Option<Order> = None;
    let mut logins = Logins::new(repos, restaurant);
    let mut ended = Vec::new();
    // Each kind of viewer is offered its own next moves, so the text is written once per
    // subscription (the board's, each driver's, the customer's), not once per connection.
    let mut texts: Vec<(Subscription, String)> = Vec::new();
    let mut posts = Vec::new();
    let mut resyncs = Vec::new();
    for connection in connections {
        // A login that ended gets nothing more, even where the stream missed its change.
        if !logins.hold(&connection).await? {
            ended.push(connection.id);
            continue;
        }
        if !may_see(&connection.subscription, event) {
            continue;
        }
        // It missed an update: this one alone would leave it behind, so it reloads instead.
        if connection.missed {
            resyncs.push(connection);
            continue;
        }
        let index = match texts.iter().position(|(s, _)| *s == connection.subscription) {
            Some(index) => index,
            None => {
                let current = match &order {
                    Some(order) => order.clone(),
                    None => order.insert(repos.orders.get(restaurant, &event.order).await?).clone(),
                };
                let text = ServerMessage::order(event.seq, current, &connection.subscription).to_text();
                texts.push((connection.subscription.clone(), text));
                texts.len() - 1
            }
        };
        posts.push((connection, Some(index)));
    }
    posts.extend(resyncs.into_iter().map(|connection| (connection, None)));
    let texts = &texts;
    let resync = ServerMessage::Resync { oldest_available: event.seq }.to_text();
    let resync = &resync;
    let outcomes: Vec<(Connection, Result<(), SendError>)> = stream::iter(posts)
        .map(|(connection, index)| async move {
            let text = index.map_or(resync, |index| &texts[index].1);
            let outcome = sender.send(&connection.id, text).await;
            (connection, outcome)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut delivery = Delivery { ended: ended.len(), ..Delivery::default() };
    for id in ended {
        close_ended(repos, sender, &id).await?;
    }
    for (connection, outcome) in outcomes {
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
    }
    Ok(delivery)
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
