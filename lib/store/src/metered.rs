//! A store that counts what each operation would cost on DynamoDB, in request units, computed
//! from the items actually read and written: 1 write unit per KB (rounded up, on the larger of
//! the old and new item), 1 read unit per 4 KB strongly consistent and half that for a recent
//! read or from an index, transactions twice. Wraps any engine; the bench drives the API through it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::seam::{Counting, Index, Item, Key, Page, Query, SeamError, Store, Tallied, Tier, Write};

/// Request units, in halves so that eventually consistent reads stay whole numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Units {
    pub read_halves: u64,
    pub write: u64,
    /// Writes the global secondary indexes take on top (an index whose key changes is a delete
    /// and an insert there).
    pub index_write: u64,
    /// The largest item written, in bytes.
    pub largest_item: u64,
    /// Round trips to the store (each is one DynamoDB API call).
    pub calls: u64,
}

impl Units {
    pub fn read(&self) -> f64 {
        self.read_halves as f64 / 2.0
    }

    fn add(&mut self, other: Units) {
        self.read_halves += other.read_halves;
        self.write += other.write;
        self.index_write += other.index_write;
        self.largest_item = self.largest_item.max(other.largest_item);
        self.calls += other.calls;
    }
}

/// DynamoDB's size of an item as this engine lays it out: attribute names plus values.
pub fn item_size(item: &Item) -> u64 {
    let string = |name: &str, value: &str| (name.len() + value.len()) as u64;
    let number =
        |name: &str, value: i64| name.len() as u64 + (value.unsigned_abs().to_string().len() as u64).div_ceil(2) + 1;
    let mut size = string("pk", &item.key.pk) + string("sk", &item.key.sk);
    for index in Index::ALL {
        if let Some(key) = &item.index_keys[index.position()] {
            size += string("gsi1pk", &key.pk) + string("gsi1sk", &key.sk);
        }
    }
    if let Some(at) = item.expires_at {
        size += number("expires_at", at);
    }
    size += number("v", i64::try_from(item.version).unwrap_or(i64::MAX)) + number("n", item.counter);
    if !item.body.is_empty() {
        size += string("body", &item.body);
    }
    size
}

fn write_units(old: Option<&Item>, new: Option<&Item>) -> Units {
    let larger = old.map_or(0, item_size).max(new.map_or(0, item_size));
    // An index entry is the item (whole-item indexes) or only its keys; an entry whose keys and
    // projected attributes stay as they were is not written at all.
    let index_write = Index::ALL
        .iter()
        .map(|&index| {
            let before = old.and_then(|i| i.index_keys[index.position()].as_ref());
            let after = new.and_then(|i| i.index_keys[index.position()].as_ref());
            let entry = if index.holds_whole_items() {
                larger.div_ceil(1024).max(1)
            } else {
                // The table's keys and this index's, with their attribute names ("pk", "sk":
                // 4 bytes; "gsiNpk", "gsiNsk": 12).
                let keys = |item: Option<&Item>, key: Option<&Key>| {
                    item.map_or(0, |i| (i.key.pk.len() + i.key.sk.len() + 4) as u64)
                        + key.map_or(0, |k| (k.pk.len() + k.sk.len() + 12) as u64)
                };
                keys(old, before).max(keys(new, after)).div_ceil(1024).max(1)
            };
            match (before, after) {
                (None, None) => 0,
                (Some(a), Some(b)) if a == b && !index.holds_whole_items() => 0,
                (Some(a), Some(b)) if a == b => entry,
                (Some(_), Some(_)) => 2 * entry,
                _ => entry,
            }
        })
        .sum();
    Units {
        write: larger.div_ceil(1024).max(1),
        index_write,
        largest_item: new.map_or(0, item_size),
        ..Units::default()
    }
}

fn read_units(bytes: u64, consistent: bool) -> Units {
    let units = bytes.div_ceil(4096).max(1);
    Units { read_halves: if consistent { 2 * units } else { units }, ..Units::default() }
}

#[derive(Debug)]
pub struct Metered {
    inner: Arc<dyn Store>,
    operation: Mutex<String>,
    usage: Mutex<BTreeMap<String, Units>>,
}

impl Metered {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self { inner, operation: Mutex::new("unnamed".into()), usage: Mutex::new(BTreeMap::new()) }
    }

    /// Charges what follows to `operation` (e.g. "place order").
    pub fn charge_to(&self, operation: &str) {
        *self.operation.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = operation.to_owned();
    }

    /// What each operation used so far, and forget it.
    pub fn take(&self) -> BTreeMap<String, Units> {
        std::mem::take(&mut *self.usage.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn charge(&self, mut units: Units) {
        units.calls = 1;
        let operation = self.operation.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        self.usage.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(operation).or_default().add(units);
    }

    async fn units_of(&self, write: &Write) -> Result<Units, SeamError> {
        let old = self.inner.get(write.key()).await?;
        Ok(match write {
            Write::Put { item, .. } => write_units(old.as_ref(), Some(item)),
            Write::Delete { .. } => write_units(old.as_ref(), None),
            Write::Add { key, by, .. } => {
                let mut new = old.clone().unwrap_or_else(|| Item::new(key.clone(), 0, String::new()));
                new.counter += by;
                write_units(old.as_ref(), Some(&new))
            }
            Write::Check { .. } => {
                Units { write: old.as_ref().map_or(0, item_size).div_ceil(1024).max(1), ..Units::default() }
            }
        })
    }
}

#[async_trait]
impl Store for Metered {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        let item = self.inner.get(key).await?;
        self.charge(read_units(item.as_ref().map_or(0, item_size), true));
        Ok(item)
    }

    async fn get_recent(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        let item = self.inner.get_recent(key).await?;
        self.charge(read_units(item.as_ref().map_or(0, item_size), false));
        Ok(item)
    }

    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        let units = self.units_of(&write).await?;
        let result = self.inner.write(write).await;
        // A write refused by its condition still consumes its units on DynamoDB.
        self.charge(units);
        result
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        let mut units = Units::default();
        for write in &writes {
            units.add(self.units_of(write).await?);
        }
        units.write *= 2;
        units.index_write *= 2;
        let result = self.inner.transact(writes).await;
        self.charge(units);
        result
    }

    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        let page = self.inner.query(query).await?;
        let bytes = page.items.iter().map(item_size).sum();
        self.charge(read_units(bytes, query.index.is_none() && query.consistent));
        Ok(page)
    }

    async fn ping(&self) -> Result<(), SeamError> {
        self.inner.ping().await
    }

    async fn put_all(&self, changes: Vec<(Key, Option<Item>)>) -> Result<(), SeamError> {
        let mut units = Units::default();
        for (key, item) in &changes {
            let old = self.inner.get(key).await?;
            units.add(write_units(old.as_ref(), item.as_ref()));
        }
        let result = self.inner.put_all(changes).await;
        self.charge(units);
        result
    }

    async fn scan(&self, pk_prefix: &str, after: Option<crate::seam::Cursor>) -> Result<Page, SeamError> {
        let page = self.inner.scan(pk_prefix, after).await?;
        self.charge(read_units(page.items.iter().map(item_size).sum(), true));
        Ok(page)
    }

    /// Charged as the DynamoDB engine spends it in the usual case, whatever the engine beneath
    /// does: one conditional UpdateItem, billed on the item's size whether it counted or not, and
    /// no read (a read comes only when a window moved on, once a minute).
    async fn tally_as(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<Option<Tallied>, SeamError> {
        let result = self.inner.tally_as(key, tiers, expires_at, counting).await;
        let size = self.inner.get(key).await?.as_ref().map_or(0, item_size);
        self.charge(Units { write: size.div_ceil(1024).max(1), largest_item: size, ..Units::default() });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_write_costs_one_unit_and_a_3_kb_write_three() {
        let small = Item::new(Key::new("p", "s"), 1, "{}".into());
        let large = Item::new(Key::new("p", "s"), 1, "x".repeat(3000));
        assert_eq!(write_units(None, Some(&small)).write, 1);
        assert_eq!(write_units(Some(&small), Some(&large)).write, 3);
        assert_eq!(write_units(Some(&large), Some(&small)).write, 3, "sized on the larger of old and new");
    }

    #[test]
    fn an_index_key_that_changes_costs_two_index_writes() {
        let before = Item::new(Key::new("p", "s"), 1, "{}".into()).with_index(Index::Gsi2, Key::new("a", "1"));
        let after = Item::new(Key::new("p", "s"), 2, "{}".into()).with_index(Index::Gsi2, Key::new("b", "1"));
        assert_eq!(write_units(Some(&before), Some(&after)).index_write, 2);
    }

    #[test]
    fn an_unchanged_entry_of_a_keys_only_index_costs_nothing_and_a_whole_item_index_rewrites_it() {
        let before = Item::new(Key::new("p", "s"), 1, "{}".into())
            .with_index(Index::Gsi1, Key::new("a", "1"))
            .with_index(Index::Gsi3, Key::new("b", "1"));
        let after = Item { version: 2, body: "{\"changed\":1}".into(), ..before.clone() };
        assert_eq!(write_units(Some(&before), Some(&after)).index_write, 1, "GSI1 rewrites the item, GSI3 nothing");
    }

    #[test]
    fn reads_cost_a_unit_per_4_kb_and_half_from_an_index() {
        assert_eq!(read_units(5000, true).read(), 2.0);
        assert_eq!(read_units(5000, false).read(), 1.0);
        assert_eq!(read_units(0, true).read(), 1.0, "even a miss costs a unit");
    }
}
