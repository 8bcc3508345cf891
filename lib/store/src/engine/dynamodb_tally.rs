//! The DynamoDB engine's tally: one conditional UpdateItem while the windows stay the same (the
//! usual case: a guest's cart and order within a minute), and only when a window moved on, a
//! read and a write conditional on what was read.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use super::dynamodb::DynamoStore;
use crate::seam::{Key, SeamError};
use crate::tally::{Counting, Counts, Tallied, Tier};

const ATTEMPTS: usize = 8;
const WINDOWS: [&str; 3] = ["w0", "w1", "w2"];
const COUNTS: [&str; 3] = ["c0", "c1", "c2"];

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn counts_of(attributes: &HashMap<String, AttributeValue>) -> Option<Counts> {
    let number = |name: &str| attributes.get(name).and_then(|v| v.as_n().ok()).and_then(|raw| raw.parse::<i64>().ok());
    let mut counts = Counts::default();
    for i in 0..3 {
        counts.windows[i] = number(WINDOWS[i])?;
        counts.counts[i] = u32::try_from(number(COUNTS[i])?).ok()?;
    }
    Some(counts)
}

impl DynamoStore {
    pub(super) async fn tally_item(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<Option<Tallied>, SeamError> {
        if self.count_in_same_windows(key, tiers, expires_at, counting).await? {
            return Ok(Some(Ok(())));
        }
        for _ in 0..ATTEMPTS {
            let previous = self.read_counts(key).await?;
            if previous.is_none() && counting == Counting::KnownItem {
                return Ok(None);
            }
            let next = match Counts::counted(previous.as_ref(), tiers) {
                Ok(next) => next,
                Err(full) => return Ok(Some(Err(full))),
            };
            if self.write_counts(key, previous.as_ref(), &next, expires_at).await? {
                return Ok(Some(Ok(())));
            }
        }
        Err(SeamError::TransactionConflict)
    }

    /// One more in every tier, if the item is new (and may be) or its windows are these and none
    /// is full.
    async fn count_in_same_windows(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<bool, SeamError> {
        let mut values =
            HashMap::from([(":one".to_owned(), n(1)), (":zero".to_owned(), n(0)), (":exp".to_owned(), n(expires_at))]);
        let mut sets = vec!["expires_at = :exp".to_owned()];
        let mut same = Vec::new();
        for (i, tier) in tiers.iter().enumerate() {
            values.insert(format!(":w{i}"), n(tier.window));
            values.insert(format!(":l{i}"), n(tier.limit));
            sets.push(format!("w{i} = :w{i}, c{i} = if_not_exists(c{i}, :zero) + :one"));
            same.push(format!("w{i} = :w{i} AND c{i} < :l{i}"));
        }
        let same = same.join(" AND ");
        let condition = match counting {
            Counting::AnyItem => format!("attribute_not_exists(pk) OR ({same})"),
            Counting::KnownItem => same,
        };
        self.set_if(key, &sets, condition, values).await
    }

    async fn read_counts(&self, key: &Key) -> Result<Option<Counts>, SeamError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(super::dynamodb::key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::dynamodb::unavailable)?;
        Ok(output.item.as_ref().and_then(counts_of))
    }

    /// Writes `next` over exactly `previous` (or where none is); `false` if another got there first.
    async fn write_counts(
        &self,
        key: &Key,
        previous: Option<&Counts>,
        next: &Counts,
        expires_at: i64,
    ) -> Result<bool, SeamError> {
        let mut values = HashMap::from([(":exp".to_owned(), n(expires_at))]);
        let mut sets = vec!["expires_at = :exp".to_owned()];
        let mut unchanged = Vec::new();
        for i in 0..3 {
            values.insert(format!(":w{i}"), n(next.windows[i]));
            values.insert(format!(":c{i}"), n(next.counts[i]));
            sets.push(format!("w{i} = :w{i}, c{i} = :c{i}"));
            if let Some(previous) = previous {
                values.insert(format!(":ow{i}"), n(previous.windows[i]));
                values.insert(format!(":oc{i}"), n(previous.counts[i]));
                unchanged.push(format!("w{i} = :ow{i} AND c{i} = :oc{i}"));
            }
        }
        let condition =
            if unchanged.is_empty() { "attribute_not_exists(pk)".to_owned() } else { unchanged.join(" AND ") };
        self.set_if(key, &sets, condition, values).await
    }

    /// `SET sets` on the item at `key` if `condition` holds; `false` if it did not.
    async fn set_if(
        &self,
        key: &Key,
        sets: &[String],
        condition: String,
        values: HashMap<String, AttributeValue>,
    ) -> Result<bool, SeamError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(super::dynamodb::key_attributes(key)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match error.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(super::dynamodb::unavailable(other)),
            },
        }
    }
}
