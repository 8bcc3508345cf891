//! Delivers one order event to every live connection of its restaurant that may see it, all at
//! once, and forgets connections that are gone.

use async_trait::async_trait;
use futures_util::stream::{self, StreamExt};

use bistro_store::repo::{OrderEvent, Subscription};
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
    // Each kind of viewer is offered its own next moves, so the text is written once per
    // subscription (the board's, each driver's, the customer's), not once per connection.
    let mut texts: Vec<(Subscription, String)> = Vec::new();
    let mut posts = Vec::new();
    for connection in connections.into_iter().filter(|c| may_see(&c.subscription, &event.order)) {
        let index = match texts.iter().position(|(s, _)| *s == connection.subscription) {
            Some(index) => index,
            None => {
                let text = ServerMessage::order(event, &connection.subscription).to_text();
                texts.push((connection.subscription.clone(), text));
                texts.len() - 1
            }
        };
        posts.push((connection.id, index));
    }
    let texts = &texts;
    let outcomes: Vec<(String, Result<(), SendError>)> = stream::iter(posts)
        .map(|(id, index)| async move {
            let outcome = sender.send(&id, &texts[index].1).await;
            (id, outcome)
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
