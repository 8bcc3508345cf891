//! The storage seam: a narrow, DynamoDB-shaped interface that every engine implements.
//!
//! An item has a partition key and a sort key, up to three secondary index keys, an optional
//! expiry, a version, a counter and an opaque JSON body. Everything above this module speaks only
//! these operations, so the SQLite and DynamoDB engines are interchangeable and the contract tests
//! hold both to the same behaviour.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use crate::tally::{Counting, Counts, Tallied, Tier};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }
}

/// The secondary indexes, each over its own pair of key attributes. GSI1 holds whole items
/// (a day's bookings, a restaurant's connections, a driver's deliveries: read whole, rarely
/// rewritten); GSI2 and GSI3 hold only keys (orders, which change often: a change that keeps
/// an order's index keys then costs the index nothing, and a reader fetches the items it finds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Gsi1,
    Gsi2,
    Gsi3,
}

impl Index {
    pub const ALL: [Index; 3] = [Index::Gsi1, Index::Gsi2, Index::Gsi3];

    pub fn position(self) -> usize {
        match self {
            Self::Gsi1 => 0,
            Self::Gsi2 => 1,
            Self::Gsi3 => 2,
        }
    }

    /// Whether a query on this index returns whole items; otherwise it returns items with only
    /// their keys (no body, no version, no expiry), and the items it holds never expire.
    pub fn holds_whole_items(self) -> bool {
        matches!(self, Self::Gsi1)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1",
            Self::Gsi2 => "gsi2",
            Self::Gsi3 => "gsi3",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    /// This item's keys in GSI1..GSI3; `None` keeps it out of that index.
    pub index_keys: [Option<Key>; 3],
    /// Unix seconds after which the item is gone for every reader.
    pub expires_at: Option<i64>,
    pub version: u64,
    /// Changed only by [`Write::Add`]; a put writes it as given.
    pub counter: i64,
    pub body: String,
}

impl Default for Key {
    fn default() -> Self {
        Self::new("", "")
    }
}

impl Item {
    pub fn new(key: Key, version: u64, body: String) -> Self {
        Self { key, version, body, ..Self::default() }
    }

    pub fn with_index(mut self, index: Index, key: Key) -> Self {
        self.index_keys[index.position()] = Some(key);
        self
    }

    pub fn expiring_at(mut self, unix_seconds: i64) -> Self {
        self.expires_at = Some(unix_seconds);
        self
    }
}

/// What must hold of the stored item for a write to happen. An expired item counts as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    Absent,
    Present,
    /// Present with exactly this version: optimistic concurrency.
    Version(u64),
    /// The counter (0 when absent) is at most this.
    CounterAtMost(i64),
    /// The counter (0 when absent) is exactly this.
    CounterIs(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        key: Key,
        condition: Condition,
    },
    /// Adds `by` to the counter, creating the item when absent, and sets its expiry if given.
    Add {
        key: Key,
        by: i64,
        expires_at: Option<i64>,
        condition: Condition,
    },
    /// Writes nothing; cancels the transaction unless the condition holds.
    Check {
        key: Key,
        condition: Condition,
    },
}

impl Write {
    pub fn key(&self) -> &Key {
        match self {
            Self::Put { item, .. } => &item.key,
            Self::Delete { key, .. } | Self::Add { key, .. } | Self::Check { key, .. } => key,
        }
    }

    pub fn condition(&self) -> Condition {
        match self {
            Self::Put { condition, .. }
            | Self::Delete { condition, .. }
            | Self::Add { condition, .. }
            | Self::Check { condition, .. } => *condition,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Any,
    Equals(String),
    BeginsWith(String),
    /// Both ends inclusive.
    Between(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// `None` queries the table's own keys.
    pub index: Option<Index>,
    pub pk: String,
    pub sk: SortKey,
    pub ascending: bool,
    pub limit: u32,
    pub cursor: Option<Cursor>,
    /// Whether a read of the table's own keys must see every write before it (DynamoDB charges
    /// twice that of a read that may lag a moment); index reads always may lag.
    pub consistent: bool,
}

impl Query {
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            index: None,
            pk: pk.into(),
            sk: SortKey::Any,
            ascending: true,
            limit: 100,
            cursor: None,
            consistent: true,
        }
    }

    /// Reads that may lag the latest writes by a moment, as `Store::get_recent` does.
    pub fn recent(mut self) -> Self {
        self.consistent = false;
        self
    }

    pub fn on(mut self, index: Index) -> Self {
        self.index = Some(index);
        self
    }

    pub fn sort_key(mut self, sk: SortKey) -> Self {
        self.sk = sk;
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    pub fn descending(mut self) -> Self {
        self.ascending = false;
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }
}

/// Where the next page starts: opaque to clients, checked against the partition it is used on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

/// The position a cursor encodes: the last item returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub pk: String,
    pub sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<Key>,
}

impl Cursor {
    pub fn parse(raw: &str) -> Result<Self, SeamError> {
        Self(raw.to_owned()).position().map(|_| Self(raw.to_owned()))
    }

    pub fn from_position(position: &Position) -> Self {
        let json = serde_json::to_vec(position).unwrap_or_default();
        Self(URL_SAFE_NO_PAD.encode(json))
    }

    pub fn position(&self) -> Result<Position, SeamError> {
        URL_SAFE_NO_PAD
            .decode(&self.0)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(SeamError::InvalidCursor)
    }

    /// The position, if it lies in the partition `query` reads; anything else is a forged cursor.
    pub fn position_for(&self, query: &Query) -> Result<Position, SeamError> {
        let position = self.position()?;
        let partition = match (&query.index, &position.index_key) {
            (None, None) => &position.pk,
            (Some(_), Some(index_key)) => &index_key.pk,
            _ => return Err(SeamError::InvalidCursor),
        };
        if partition == &query.pk { Ok(position) } else { Err(SeamError::InvalidCursor) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SeamError {
    #[error("the condition on the write did not hold")]
    ConditionFailed,
    /// The transaction wrote nothing; `failed` lists the writes whose condition did not hold.
    #[error("the transaction was cancelled by the conditions of writes {failed:?}")]
    TransactionCancelled { failed: Vec<usize> },
    /// Another transaction touched the same items at the same time; retrying may succeed.
    #[error("a concurrent transaction conflicted")]
    TransactionConflict,
    #[error("the page cursor is not valid for this query")]
    InvalidCursor,
    #[error("the request is invalid for the store: {0}")]
    Invalid(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

/// The storage engine. Implementations: SQLite (embedded) and DynamoDB.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A strongly consistent read.
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError>;

    /// A read that may lag the latest writes by a moment, for readers that can live with that:
    /// DynamoDB charges half. Engines that have only one kind of read answer as `get` does.
    async fn get_recent(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.get(key).await
    }

    /// A single write, applied only if its condition holds. For `Add`, returns the new counter.
    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError>;

    /// All the writes or none; at most 100, each on a different item.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError>;

    /// One page of a partition in sort-key order. Index reads may lag writes by a moment on
    /// DynamoDB; reads of the table's own keys are strongly consistent unless `recent`. An index
    /// that does not hold whole items answers with keys only (see `Index::holds_whole_items`).
    async fn query(&self, query: &Query) -> Result<Page, SeamError>;

    /// Whether the engine answers at all: for health checks.
    async fn ping(&self) -> Result<(), SeamError>;

    /// One page (at most 1000) of the live items of every partition whose key begins with
    /// `pk_prefix`, in no promised order; `after` is the previous page's `next`. It reads the whole
    /// table on DynamoDB, so only the operator's commands use it (export, removing a restaurant,
    /// finding restaurants the directory misses); no function's policy allows it.
    async fn scan(&self, pk_prefix: &str, after: Option<Cursor>) -> Result<Page, SeamError> {
        let _ = (pk_prefix, after);
        Err(SeamError::Invalid("this store cannot scan".into()))
    }

    /// Writes (`Some`) or deletes (`None`) many items without conditions, in batches, each item
    /// once; not all-or-nothing. For the operator's bulk work (an import, removing a restaurant):
    /// DynamoDB batches 25 a request, where a transaction costs twice as much.
    async fn put_all(&self, changes: Vec<(Key, Option<Item>)>) -> Result<(), SeamError> {
        for (key, item) in changes {
            let write = match item {
                Some(item) => Write::Put { item, condition: Condition::Always },
                None => Write::Delete { key, condition: Condition::Always },
            };
            self.write(write).await?;
        }
        Ok(())
    }

    /// Counts one more creation under `key` in each tier's window, unless a tier is full (then
    /// nothing is counted and the answer names that tier); one item holds every tier, expiring at
    /// `expires_at`.
    async fn tally(&self, key: &Key, tiers: &[Tier; 3], expires_at: i64) -> Result<Tallied, SeamError> {
        Ok(self.tally_as(key, tiers, expires_at, Counting::AnyItem).await?.unwrap_or(Ok(())))
    }

    /// [`Store::tally`], but only where an item already is: `None`, counting nothing, where no
    /// tally was ever started under `key` (or it expired). What an issued token's budget needs,
    /// so that a made-up token gets none.
    async fn tally_known(&self, key: &Key, tiers: &[Tier; 3], expires_at: i64) -> Result<Option<Tallied>, SeamError> {
        self.tally_as(key, tiers, expires_at, Counting::KnownItem).await
    }

    /// What `tally` and `tally_known` share, and what an engine overrides. This default reads
    /// the item and writes it back over the version read (a read and a write); an engine may do
    /// it in one conditional write.
    async fn tally_as(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<Option<Tallied>, SeamError> {
        for _ in 0..TALLY_ATTEMPTS {
            let current = self.get(key).await?;
            if current.is_none() && counting == Counting::KnownItem {
                return Ok(None);
            }
            let previous = current.as_ref().map(|item| serde_json::from_str::<Counts>(&item.body)).transpose();
            let previous = previous.map_err(|e| SeamError::Invalid(format!("a tally item: {e}")))?;
            let next = match Counts::counted(previous.as_ref(), tiers) {
                Ok(next) => next,
                Err(full) => return Ok(Some(Err(full))),
            };
            let (version, condition) = match &current {
                Some(item) => (item.version + 1, Condition::Version(item.version)),
                None => (1, Condition::Absent),
            };
            let body = serde_json::to_string(&next).map_err(|e| SeamError::Invalid(e.to_string()))?;
            let mut item = Item::new(key.clone(), version, body);
            item.expires_at = Some(expires_at);
            match self.write(Write::Put { item, condition }).await {
                Ok(_) => return Ok(Some(Ok(()))),
                // Another creation counted first: count again over what it wrote.
                Err(SeamError::ConditionFailed) => {}
                Err(other) => return Err(other),
            }
        }
        Err(SeamError::TransactionConflict)
    }
}

/// How often a tally tries again when other creations keep counting first.
const TALLY_ATTEMPTS: usize = 8;

#[cfg(any(feature = "sqlite", feature = "dynamodb"))]
pub(crate) fn check_transaction(writes: &[Write]) -> Result<(), SeamError> {
    if writes.is_empty() || writes.len() > 100 {
        return Err(SeamError::Invalid("a transaction holds 1 to 100 writes".into()));
    }
    let mut keys: Vec<&Key> = writes.iter().map(Write::key).collect();
    keys.sort();
    if keys.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(SeamError::Invalid("a transaction may touch each item once".into()));
    }
    Ok(())
}

/// Seconds since the Unix epoch, the unit of `expires_at`.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
