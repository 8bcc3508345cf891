//! The storage engines behind the seam.

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "dynamodb")]
pub mod dynamodb_restore;
#[cfg(feature = "dynamodb")]
mod dynamodb_tally;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod stream;

use crate::seam::{Condition, Item};

/// Whether `condition` holds of `current` (already filtered for expiry) — the rule both engines
/// follow; DynamoDB expresses it as a condition expression, SQLite evaluates it here.
pub fn condition_holds(condition: Condition, current: Option<&Item>) -> bool {
    let counter = current.map_or(0, |item| item.counter);
    match condition {
        Condition::Always => true,
        Condition::Absent => current.is_none(),
        Condition::Present => current.is_some(),
        Condition::Version(version) => current.is_some_and(|item| item.version == version),
        Condition::CounterAtMost(limit) => counter <= limit,
        Condition::CounterIs(expected) => counter == expected,
    }
}
