//! The embedded engine: one SQLite file (or memory), the same semantics as DynamoDB.
//!
//! Writes are serialized through one connection, each in an immediate transaction, so conditions
//! are checked and applied atomically. After a write commits, the change goes out on a broadcast
//! channel, the local stand-in for DynamoDB Streams.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use tokio::sync::broadcast;

use super::condition_holds;
use crate::seam::{
    Condition, Counting, Counts, Cursor, Item, Key, Page, Position, Query, SeamError, SortKey, Store, Tallied, Tier,
    Write, check_transaction, now_unix,
};

/// One committed change to one item, with its images before and after (like a stream record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: Key,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

impl Change {
    /// The change that made `item` where none was.
    fn created(item: &Item) -> Self {
        Self { key: item.key.clone(), old: None, new: Some(item.clone()) }
    }
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    changes: broadcast::Sender<Change>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    gsi3pk TEXT, gsi3sk TEXT,
    expires_at INTEGER,
    version INTEGER NOT NULL,
    counter INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS gsi3 ON items (gsi3pk, gsi3sk, pk, sk) WHERE gsi3pk IS NOT NULL;
-- Expired items are invisible to every read already; only the hourly sweep looks for them, and
-- scanning the table then is cheaper than keeping an index of expiries on every write (a claim,
-- a cart, an event each added an entry: 29 k instructions of a placement's 413 k). Deleting the
-- expired twentieth of 500,000 items by scanning took 0.4 s (263 MB file, this schema, WAL),
-- once an hour. A file made before that loses its index here.
DROP INDEX IF EXISTS expiry;
";

/// The columns in `read_item`'s order; a macro so statements are literals, prepared once.
macro_rules! columns {
    () => {
        "pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, expires_at, version, counter, body"
    };
}
const COLUMNS: &str = columns!();

fn unavailable(error: impl std::fmt::Display) -> SeamError {
    SeamError::Unavailable(error.to_string())
}

fn read_item(row: &Row<'_>) -> rusqlite::Result<Item> {
    let index_key = |i: usize| -> rusqlite::Result<Option<Key>> {
        let pk: Option<String> = row.get(2 + 2 * i)?;
        let sk: Option<String> = row.get(3 + 2 * i)?;
        Ok(pk.zip(sk).map(|(pk, sk)| Key { pk, sk }))
    };
    Ok(Item {
        key: Key { pk: row.get(0)?, sk: row.get(1)? },
        index_keys: [index_key(0)?, index_key(1)?, index_key(2)?],
        expires_at: row.get(8)?,
        version: u64::try_from(row.get::<_, i64>(9)?).unwrap_or(0),
        counter: row.get(10)?,
        body: row.get(11)?,
    })
}

fn load(connection: &Connection, key: &Key, now: i64) -> rusqlite::Result<Option<Item>> {
    connection
        .prepare_cached(concat!(
            "SELECT ",
            columns!(),
            " FROM items WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)"
        ))?
        .query_row(params![key.pk, key.sk, now], read_item)
        .optional()
}

/// Writes `item` as a row with `statement`, an INSERT of the columns in `read_item`'s order.
fn write_row(connection: &Connection, statement: &str, item: &Item) -> rusqlite::Result<usize> {
    let index = |i: usize| item.index_keys[i].as_ref();
    connection.prepare_cached(statement)?.execute(params![
        item.key.pk,
        item.key.sk,
        index(0).map(|k| &k.pk),
        index(0).map(|k| &k.sk),
        index(1).map(|k| &k.pk),
        index(1).map(|k| &k.sk),
        index(2).map(|k| &k.pk),
        index(2).map(|k| &k.sk),
        item.expires_at,
        i64::try_from(item.version).unwrap_or(i64::MAX),
        item.counter,
        item.body,
    ])
}

fn store_item(connection: &Connection, item: &Item) -> rusqlite::Result<()> {
    const REPLACE: &str = concat!(
        "INSERT OR REPLACE INTO items (",
        columns!(),
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    );
    write_row(connection, REPLACE, item).map(drop)
}

fn remove(connection: &Connection, key: &Key) -> rusqlite::Result<()> {
    connection.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")?.execute(params![key.pk, key.sk])?;
    Ok(())
}

/// Whether `write` creates an item that must not exist yet: most creating writes (a claim, an
/// order, an event). Such a write is tried as a plain INSERT without reading the key first, and
/// the key's uniqueness judges it; a conflict is then looked at (the item there may have expired).
fn creates(write: &Write) -> bool {
    matches!(write, Write::Put { condition: Condition::Absent, .. })
}

/// Inserts `item` where no row has its key: `false`, writing nothing, when one has.
fn insert_new(connection: &Connection, item: &Item) -> rusqlite::Result<bool> {
    const INSERT: &str =
        concat!("INSERT INTO items (", columns!(), ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    match write_row(connection, INSERT, item) {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(error, _)) if error.extended_code == SQLITE_CONSTRAINT_PRIMARYKEY => {
            Ok(false)
        }
        Err(other) => Err(other),
    }
}

/// Applies one write inside an open transaction: `Ok(None)` when its condition failed.
fn apply(connection: &Connection, write: &Write, now: i64) -> rusqlite::Result<Option<(Change, Option<i64>)>> {
    if let Write::Put { item, .. } = write {
        if creates(write) && insert_new(connection, item)? {
            return Ok(Some((Change::created(item), None)));
        }
    }
    let current = load(connection, write.key(), now)?;
    if !condition_holds(write.condition(), current.as_ref()) {
        return Ok(None);
    }
    apply_over(connection, write, current).map(Some)
}

/// Judges every write's condition against the items as they are before the transaction (as
/// DynamoDB does), then applies them all: the changes, or which writes' conditions failed.
///
/// Unless `read_all`, creating writes are not read first; if one then finds its key taken (or
/// another write's condition fails), everything is undone and judged again reading every item,
/// so the answer is the one reading first gives, and a placement reads three items fewer.
fn judge_and_apply(
    connection: &Connection,
    writes: &[Write],
    now: i64,
    read_all: bool,
) -> rusqlite::Result<Result<Vec<Change>, Vec<usize>>> {
    let unread = |write: &Write| !read_all && creates(write);
    let mut currents = Vec::with_capacity(writes.len());
    let mut failed = Vec::new();
    for (i, write) in writes.iter().enumerate() {
        let current = if unread(write) { None } else { load(connection, write.key(), now)? };
        if !condition_holds(write.condition(), current.as_ref()) {
            failed.push(i);
        }
        currents.push(current);
    }
    if !failed.is_empty() {
        return if read_all { Ok(Err(failed)) } else { judge_and_apply(connection, writes, now, true) };
    }
    let mut changes = Vec::with_capacity(writes.len());
    for (write, current) in writes.iter().zip(currents) {
        let change = match write {
            Write::Put { item, .. } if unread(write) => {
                if !insert_new(connection, item)? {
                    connection.prepare_cached("ROLLBACK")?.execute([])?;
                    connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
                    return judge_and_apply(connection, writes, now, true);
                }
                Change::created(item)
            }
            _ => apply_over(connection, write, current)?.0,
        };
        if !matches!(write, Write::Check { .. }) {
            changes.push(change);
        }
    }
    Ok(Ok(changes))
}

/// Applies one write whose condition holds over `current`, the item as it is now.
fn apply_over(
    connection: &Connection,
    write: &Write,
    current: Option<Item>,
) -> rusqlite::Result<(Change, Option<i64>)> {
    let (new, counter) = match write {
        Write::Put { item, .. } => {
            store_item(connection, item)?;
            (Some(item.clone()), None)
        }
        Write::Delete { key, .. } => {
            remove(connection, key)?;
            (None, None)
        }
        Write::Add { key, by, expires_at, .. } => {
            let exists = current.is_some();
            let mut item = current.clone().unwrap_or_else(|| Item::new(key.clone(), 0, String::new()));
            item.counter = item.counter.saturating_add(*by);
            if expires_at.is_some() {
                item.expires_at = *expires_at;
            }
            if exists {
                // A counter that exists changes in place, its body and index keys as they are,
                // rather than being deleted and inserted whole.
                connection
                    .prepare_cached("UPDATE items SET counter = ?3, expires_at = ?4 WHERE pk = ?1 AND sk = ?2")?
                    .execute(params![item.key.pk, item.key.sk, item.counter, item.expires_at])?;
            } else {
                store_item(connection, &item)?;
            }
            let counter = item.counter;
            (Some(item), Some(counter))
        }
        Write::Check { .. } => (current.clone(), None),
    };
    Ok((Change { key: write.key().clone(), old: current, new }, counter))
}

/// Runs `work` in an immediate transaction, committed if it returns `Ok`. BEGIN and COMMIT are
/// cached statements: rusqlite's `Transaction` parses them again on every call.
fn immediate<T>(connection: &Connection, work: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    connection.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let outcome = work(connection).and_then(|value| {
        connection.prepare_cached("COMMIT")?.execute([])?;
        Ok(value)
    });
    if outcome.is_err() && !connection.is_autocommit() {
        connection.prepare_cached("ROLLBACK")?.execute([])?;
    }
    outcome
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, SeamError> {
        Self::with_connection(Connection::open(path).map_err(unavailable)?)
    }

    /// A private database that lives as long as the store: for tests.
    pub fn in_memory() -> Result<Self, SeamError> {
        Self::with_connection(Connection::open_in_memory().map_err(unavailable)?)
    }

    fn with_connection(connection: Connection) -> Result<Self, SeamError> {
        // WAL lets readers of the file (a backup, sqlite3) work while the server writes;
        // NORMAL sync is durable across process crashes, which is what a laptop server needs.
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .map_err(unavailable)?;
        connection.execute_batch(SCHEMA).map_err(unavailable)?;
        let (changes, _) = broadcast::channel(4096);
        Ok(Self { connection: Arc::new(Mutex::new(connection)), changes })
    }

    /// Every change committed from now on, in commit order.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Deletes expired items for good (readers already cannot see them); returns how many.
    /// A sweep may delete thousands of rows, so unlike a request's statements it runs on a
    /// blocking thread.
    pub async fn sweep_expired(&self) -> Result<usize, SeamError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let connection = connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            connection
                .execute("DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at <= ?1", params![now_unix()])
                .map_err(unavailable)
        })
        .await
        .map_err(unavailable)?
    }

    /// Runs `work` on the calling thread. A statement here takes microseconds (WAL, no fsync
    /// per commit), less than handing it to a blocking thread and back, and one connection
    /// serialises the work anyway (the bench's load section shows the difference).
    async fn run<T>(&self, work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, SeamError> {
        let mut guard = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&mut guard).map_err(unavailable)
    }
}

fn publish(sender: &broadcast::Sender<Change>, changes: Vec<Change>) {
    for change in changes {
        // No subscriber is fine: nobody is listening yet.
        let _ = sender.send(change);
    }
}

fn sort_key_clause(column: &str, sk: &SortKey, args: &mut Vec<String>) -> String {
    let mut arg = |value: &str| {
        args.push(value.to_owned());
        format!("?{}", args.len())
    };
    match sk {
        SortKey::Any => String::new(),
        SortKey::Equals(v) => format!(" AND {column} = {}", arg(v)),
        // A range rather than LIKE: exact byte order, as DynamoDB compares, and it uses the index.
        SortKey::BeginsWith(prefix) => {
            let from = arg(prefix);
            let to = arg(&format!("{prefix}\u{10FFFF}"));
            format!(" AND {column} >= {from} AND {column} < {to}")
        }
        SortKey::Between(low, high) => {
            format!(" AND {column} BETWEEN {} AND {}", arg(low), arg(high))
        }
    }
}

fn run_query(connection: &Connection, query: &Query, now: i64) -> Result<Page, SeamError> {
    let position = query.cursor.as_ref().map(|cursor| cursor.position_for(query)).transpose()?;
    let (pk_column, sk_column) = match query.index {
        None => ("pk".to_owned(), "sk".to_owned()),
        Some(index) => (format!("{}pk", index.name()), format!("{}sk", index.name())),
    };
    let mut args = vec![query.pk.clone(), now.to_string()];
    let mut sql = format!(
        "SELECT {COLUMNS} FROM items WHERE {pk_column} = ?1 AND (expires_at IS NULL OR expires_at > CAST(?2 AS INTEGER))"
    );
    sql += &sort_key_clause(&sk_column, &query.sk, &mut args);
    let (order, after) = if query.ascending { ("ASC", ">") } else { ("DESC", "<") };
    if let Some(position) = &position {
        match (&query.index, &position.index_key) {
            (None, _) => {
                args.push(position.sk.clone());
                sql += &format!(" AND sk {after} ?{}", args.len());
            }
            (Some(_), Some(index_key)) => {
                args.extend([index_key.sk.clone(), position.pk.clone(), position.sk.clone()]);
                let n = args.len();
                sql += &format!(" AND ({sk_column}, pk, sk) {after} (?{}, ?{}, ?{n})", n - 2, n - 1);
            }
            (Some(_), None) => return Err(SeamError::InvalidCursor),
        }
    }
    let limit = query.limit.clamp(1, 1000);
    sql += &match query.index {
        None => format!(" ORDER BY sk {order} LIMIT {}", limit + 1),
        Some(_) => format!(" ORDER BY {sk_column} {order}, pk {order}, sk {order} LIMIT {}", limit + 1),
    };
    let mut statement = connection.prepare_cached(&sql).map_err(unavailable)?;
    let mut items = statement
        .query_map(params_from_iter(args.iter()), read_item)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Item>>>())
        .map_err(unavailable)?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    if let Some(index) = query.index.filter(|index| !index.holds_whole_items()) {
        // What DynamoDB's KEYS_ONLY projection returns: the table's and this index's keys.
        for item in &mut items {
            let mut keys = Item { key: item.key.clone(), ..Item::default() };
            keys.index_keys[index.position()] = item.index_keys[index.position()].take();
            *item = keys;
        }
    }
    let next = match items.last() {
        Some(last) if more => Some(Cursor::from_position(&Position {
            pk: last.key.pk.clone(),
            sk: last.key.sk.clone(),
            index_key: query.index.and_then(|index| last.index_keys[index.position()].clone()),
        })),
        _ => None,
    };
    Ok(Page { items, next })
}

/// The live items of the partitions beginning with `prefix`, in key order, after `after`.
fn run_scan(connection: &Connection, prefix: &str, after: Option<&Cursor>, now: i64) -> Result<Page, SeamError> {
    const PAGE: usize = 1000;
    let start = after.map(Cursor::position).transpose()?.map(|p| (p.pk, p.sk));
    let (after_pk, after_sk) = start.unwrap_or_else(|| (prefix.to_owned(), String::new()));
    let mut statement = connection
        .prepare_cached(concat!(
            "SELECT ",
            columns!(),
            " FROM items WHERE pk >= ?1 AND pk < ?2 AND (pk, sk) > (?3, ?4)",
            " AND (expires_at IS NULL OR expires_at > ?5) ORDER BY pk, sk LIMIT 1001"
        ))
        .map_err(unavailable)?;
    let end = format!("{prefix}\u{10FFFF}");
    let mut items = statement
        .query_map(params![prefix, end, after_pk, after_sk, now], read_item)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Item>>>())
        .map_err(unavailable)?;
    let more = items.len() > PAGE;
    items.truncate(PAGE);
    let next = items.last().filter(|_| more).map(|last| {
        Cursor::from_position(&Position { pk: last.key.pk.clone(), sk: last.key.sk.clone(), index_key: None })
    });
    Ok(Page { items, next })
}

#[async_trait]
impl Store for SqliteStore {
    /// One SQLite transaction for the lot, published to subscribers as any change is.
    async fn put_all(&self, changes: Vec<(Key, Option<Item>)>) -> Result<(), SeamError> {
        let now = now_unix();
        self.run(|connection| {
            let published = immediate(connection, |connection| {
                let mut published = Vec::with_capacity(changes.len());
                for (key, item) in &changes {
                    let old = load(connection, key, now)?;
                    match item {
                        Some(item) => store_item(connection, item)?,
                        None => remove(connection, key)?,
                    }
                    published.push(Change { key: key.clone(), old, new: item.clone() });
                }
                Ok(published)
            })?;
            publish(&self.changes, published);
            Ok(())
        })
        .await
    }

    async fn scan(&self, pk_prefix: &str, after: Option<Cursor>) -> Result<Page, SeamError> {
        let guard = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        run_scan(&guard, pk_prefix, after.as_ref(), now_unix())
    }

    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.run(|connection| load(connection, key, now_unix())).await
    }

    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        let outcome = self
            .run(|connection| {
                let applied = immediate(connection, |connection| apply(connection, &write, now_unix()))?;
                // Published under the lock, so subscribers see changes in commit order.
                if let Some((change, _)) = &applied {
                    if change.old != change.new {
                        publish(&self.changes, vec![change.clone()]);
                    }
                }
                Ok(applied)
            })
            .await?;
        let (_, counter) = outcome.ok_or(SeamError::ConditionFailed)?;
        Ok(counter)
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        check_transaction(&writes)?;
        let outcome = self
            .run(|connection| {
                let outcome =
                    immediate(connection, |connection| judge_and_apply(connection, &writes, now_unix(), false))?;
                Ok(outcome.map(|changes| publish(&self.changes, changes)))
            })
            .await?;
        outcome.map_err(|failed| SeamError::TransactionCancelled { failed })
    }

    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        let guard = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        run_query(&guard, query, now_unix())
    }

    /// Read and written under the one connection's lock: no other creation comes between.
    /// Live screens care nothing for a client's count, so nothing is published.
    async fn tally_as(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<Option<Tallied>, SeamError> {
        self.run(|connection| {
            immediate(connection, |connection| {
                let current = load(connection, key, now_unix())?;
                if current.is_none() && counting == Counting::KnownItem {
                    return Ok(None);
                }
                let previous = current.as_ref().and_then(|item| serde_json::from_str::<Counts>(&item.body).ok());
                let next = match Counts::counted(previous.as_ref(), tiers) {
                    Ok(next) => next,
                    Err(full) => return Ok(Some(Err(full))),
                };
                let version = current.map_or(1, |item| item.version + 1);
                let mut item = Item::new(key.clone(), version, serde_json::to_string(&next).unwrap_or_default());
                item.expires_at = Some(expires_at);
                store_item(connection, &item)?;
                Ok(Some(Ok(())))
            })
        })
        .await
    }

    async fn ping(&self) -> Result<(), SeamError> {
        self.run(|connection| connection.query_row("SELECT 1", [], |_| Ok(()))).await
    }
}
