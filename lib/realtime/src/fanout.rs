//! Delivers one order event to every live connection of its restaurant that may see it, all at
//! once, and forgets connections that are gone.

use async_trait::async_trait;
use futures_util::stream::{self, StreamExt};

use bistro_store::repo::OrderEvent;
use bistro_store::{RepoError, Repos};

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
}

/// What a fan-out did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
}

/// How many posts are in flight at once.
const CONCURRENCY: usize = 32;

pub async fn fan_out(repos: &Repos, sender: &dyn Sender, event: &OrderEvent) -> Result<Delivery, RepoError> {
    let connections = repos.connections.of_restaurant(&event.order.restaurant).await?;
    let text = ServerMessage::order(event).to_text();
    let outcomes: Vec<(String, Result<(), SendError>)> =
        stream::iter(connections.into_iter().filter(|c| may_see(&c.subscription, &event.order)))
            .map(|connection| {
                let text = &text;
                async move {
                    let outcome = sender.send(&connection.id, text).await;
                    (connection.id, outcome)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut delivery = Delivery::default();
    for (id, outcome) in outcomes {
        match outcome {
            Ok(()) => delivery.sent += 1,
            Err(SendError::Gone) => {
                delivery.gone += 1;
                repos.connections.delete(&id).await?;
            }
            Err(SendError::Failed(error)) => {
                delivery.failed += 1;
                tracing::warn!(connection = %id, %error, "could not deliver an order event");
            }
        }
    }
    Ok(delivery)
}
