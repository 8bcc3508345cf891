//! Live WebSocket connections and what each one is subscribed to.

use std::sync::Arc;

use bistro_domain::ids::{OrderId, Slug, UserId};
use serde::{Deserialize, Serialize};

use super::{RepoError, decode, encode, read_all};
use crate::keys;
use crate::seam::{Condition, Index, Item, Query, Store, Write};

/// What a connection receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subscription {
    /// Every order of the restaurant: the staff board.
    Board,
    /// The deliveries assigned to one driver.
    Driver { user: UserId },
    /// One order, followed by its customer.
    Customer { order: OrderId },
}

/// Which account's login a staff connection rides on, at which session number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: UserId,
    pub session: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub restaurant: Slug,
    pub subscription: Subscription,
    /// The staff login it was opened with; `None` for a customer's. A connection whose account's
    /// session number moved on (removed, disabled, new role or password) is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in: Option<SignedIn>,
    /// Unix seconds; API Gateway closes a socket after two hours at most.
    pub expires_at: i64,
    /// An update posted to it did not arrive: it is told to resync instead of its next update.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missed: bool,
}

#[derive(Debug, Clone)]
pub struct Connections {
    store: Arc<dyn Store>,
}

impl Connections {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    pub async fn put(&self, connection: &Connection) -> Result<(), RepoError> {
        self.store.write(Write::Put { item: Self::item(connection)?, condition: Condition::Always }).await?;
        Ok(())
    }

    fn item(connection: &Connection) -> Result<Item, RepoError> {
        Ok(Item::new(keys::connection(&connection.id), 1, encode(connection)?)
            .with_index(Index::Gsi1, keys::connection_in_restaurant(&connection.restaurant, &connection.id))
            .expiring_at(connection.expires_at))
    }

    /// Records whether the connection missed an update; nothing if it is gone meanwhile.
    pub async fn set_missed(&self, connection: &Connection, missed: bool) -> Result<(), RepoError> {
        let marked = Connection { missed, ..connection.clone() };
        let put = Write::Put { item: Self::item(&marked)?, condition: Condition::Present };
        match self.store.write(put).await {
            Ok(_) | Err(crate::seam::SeamError::ConditionFailed) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Connection, RepoError> {
        let item = self.store.get(&keys::connection(id)).await?.ok_or(RepoError::NotFound)?;
        decode(&item)
    }

    pub async fn delete(&self, id: &str) -> Result<(), RepoError> {
        self.store.write(Write::Delete { key: keys::connection(id), condition: Condition::Always }).await?;
        Ok(())
    }

    /// The restaurant's connections. One that cannot be read (written by a newer version
    /// during a deploy, say) is left out and logged: it must not cost the others their updates.
    pub async fn of_restaurant(&self, slug: &Slug) -> Result<Vec<Connection>, RepoError> {
        let query = Query::partition(keys::connections_of(slug)).on(Index::Gsi1);
        let items = read_all(self.store.as_ref(), query).await?;
        Ok(items
            .iter()
            .filter_map(|item| match decode(item) {
                Ok(connection) => Some(connection),
                Err(error) => {
                    tracing::error!(%error, key = ?item.key, "skipping a connection that cannot be read");
                    None
                }
            })
            .collect())
    }
}
