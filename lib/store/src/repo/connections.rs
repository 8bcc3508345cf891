//! Live WebSocket connections and what each one is subscribed to.

use std::sync::Arc;

use bistro_domain::ids::{OrderId, Slug, UserId};
use serde::{Deserialize, Serialize};

use super::once::{Part, Refused, Transaction};
use super::{RepoError, decode, encode, read_all};
use crate::keys;
use crate::seam::{Condition, Index, Item, Query, Store, Write};

/// How many live connections one guest's order, one staff login and one restaurant may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub per_order: u32,
    pub per_login: u32,
    pub per_restaurant: u32,
}

/// The caps every host applies: a guest's phone and a tablet or two per order, a login's board on
/// a few screens, and a restaurant's whole evening of guests following their orders.
pub const CAPS: Caps = Caps { per_order: 3, per_login: 10, per_restaurant: 500 };

/// Which cap refused a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capped {
    Order,
    Login,
    Restaurant,
}

/// How many resumes a connection may send in [`RESUME_WINDOW_MS`]; more are refused.
pub const RESUMES_PER_WINDOW: usize = 5;
pub const RESUME_WINDOW_MS: i64 = 5_000;

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
    /// When (Unix milliseconds) it last resumed, the newest last; at most [`RESUMES_PER_WINDOW`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumes: Vec<i64>,
}

impl Connection {
    /// The counters this connection counts in, each with its cap.
    fn counted_in(&self, caps: &Caps) -> Vec<(crate::seam::Key, u32, Option<Capped>)> {
        let slug = &self.restaurant;
        let mut counted = vec![(keys::connection_count(slug, "ALL"), caps.per_restaurant, Some(Capped::Restaurant))];
        match (&self.subscription, &self.signed_in) {
            (Subscription::Customer { order }, _) => {
                counted.push((
                    keys::connection_count(slug, &format!("ORDER#{order}")),
                    caps.per_order,
                    Some(Capped::Order),
                ));
            }
            (_, Some(signed_in)) => {
                counted.push((
                    keys::connection_count(slug, &format!("USER#{}", signed_in.user)),
                    caps.per_login,
                    Some(Capped::Login),
                ));
            }
            (_, None) => {}
        }
        counted
    }

    /// Whether one more resume at `now_ms` is within [`RESUMES_PER_WINDOW`] in [`RESUME_WINDOW_MS`];
    /// if so, the connection as it is with that resume counted.
    pub fn resumed_at(&self, now_ms: i64) -> Option<Self> {
        let recent: Vec<i64> = self.resumes.iter().copied().filter(|at| now_ms - at < RESUME_WINDOW_MS).collect();
        if recent.len() >= RESUMES_PER_WINDOW {
            return None;
        }
        let mut resumes = recent;
        resumes.push(now_ms);
        Some(Self { resumes, ..self.clone() })
    }
}

#[derive(Debug, Clone)]
pub struct Connections {
    store: Arc<dyn Store>,
}

impl Connections {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records a connection without counting it against any cap (tests that set up screens).
    pub async fn put(&self, connection: &Connection) -> Result<(), RepoError> {
        self.store.write(Write::Put { item: Self::item(connection)?, condition: Condition::Always }).await?;
        Ok(())
    }

    /// Records a new connection, counted against `caps` in the same transaction: refused, and
    /// nothing recorded, when one of them is reached.
    pub async fn open(&self, connection: &Connection, caps: &Caps) -> Result<Result<(), Capped>, RepoError> {
        let counted = connection.counted_in(caps);
        let mut writes = Transaction::new()
            .with(Part::Connection, Write::Put { item: Self::item(connection)?, condition: Condition::Absent });
        for (key, cap, _) in &counted {
            let condition = Condition::CounterAtMost(i64::from(*cap) - 1);
            let part = Part::ConnectionCount(counted.iter().position(|(k, ..)| k == key).unwrap_or(0));
            writes = writes
                .with(part, Write::Add { key: key.clone(), by: 1, expires_at: Some(connection.expires_at), condition });
        }
        match writes.commit(self.store.as_ref()).await {
            Ok(()) => Ok(Ok(())),
            Err(Refused::Conditions(failed)) => {
                let first = failed.iter().find_map(|part| match part {
                    Part::ConnectionCount(i) => counted.get(*i).and_then(|(.., capped)| *capped),
                    _ => None,
                });
                first.map(Err).ok_or(RepoError::AlreadyExists)
            }
            Err(other) => Err(other.into()),
        }
    }

    fn item(connection: &Connection) -> Result<Item, RepoError> {
        let index = match &connection.subscription {
            Subscription::Customer { order } => {
                keys::connection_watching(&connection.restaurant, order, &connection.id)
            }
            _ => keys::connection_in_restaurant(&connection.restaurant, &connection.id),
        };
        Ok(Item::new(keys::connection(&connection.id), 1, encode(connection)?)
            .with_index(Index::Gsi1, index)
            .expiring_at(connection.expires_at))
    }

    /// Counts one more resume of `connection` at `now_ms`, and answers the connection as counted
    /// (what a later write of it must start from, so the count is not lost); `None` (nothing
    /// written) when it resumed [`RESUMES_PER_WINDOW`] times in the last [`RESUME_WINDOW_MS`].
    pub async fn count_resume(&self, connection: &Connection, now_ms: i64) -> Result<Option<Connection>, RepoError> {
        let Some(resumed) = connection.resumed_at(now_ms) else { return Ok(None) };
        let put = Write::Put { item: Self::item(&resumed)?, condition: Condition::Present };
        match self.store.write(put).await {
            Ok(_) | Err(crate::seam::SeamError::ConditionFailed) => Ok(Some(resumed)),
            Err(e) => Err(e.into()),
        }
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

    /// Forgets a connection and gives back what it counted against the caps, once: a second
    /// close of the same connection finds it gone and changes nothing.
    pub async fn delete(&self, id: &str) -> Result<(), RepoError> {
        let connection = match self.get(id).await {
            Ok(connection) => connection,
            Err(RepoError::NotFound) => return Ok(()),
            Err(RepoError::Corrupt(_)) => {
                self.store.write(Write::Delete { key: keys::connection(id), condition: Condition::Always }).await?;
                return Ok(());
            }
            Err(other) => return Err(other),
        };
        let counted = connection.counted_in(&CAPS);
        let mut writes = Transaction::new()
            .with(Part::Connection, Write::Delete { key: keys::connection(id), condition: Condition::Present });
        for (i, (key, ..)) in counted.into_iter().enumerate() {
            writes = writes.with(
                Part::ConnectionCount(i),
                Write::Add { key, by: -1, expires_at: None, condition: Condition::Always },
            );
        }
        match writes.commit(self.store.as_ref()).await {
            Ok(()) | Err(Refused::Conditions(_)) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// The restaurant's staff connections (boards and drivers). One that cannot be read (written
    /// by a newer version during a deploy, say) is left out and logged: it must not cost the
    /// others their updates.
    pub async fn of_restaurant(&self, slug: &Slug) -> Result<Vec<Connection>, RepoError> {
        self.in_partition(keys::connections_of(slug)).await
    }

    /// The guests' connections following `order`.
    pub async fn watching(&self, slug: &Slug, order: &OrderId) -> Result<Vec<Connection>, RepoError> {
        self.in_partition(keys::connections_watching(slug, order)).await
    }

    async fn in_partition(&self, pk: String) -> Result<Vec<Connection>, RepoError> {
        let query = Query::partition(pk).on(Index::Gsi1);
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
