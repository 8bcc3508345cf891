//! Bistro's storage: the seam every engine implements, the single-table key design, the
//! repositories the API uses, and the SQLite and DynamoDB engines.

#![warn(clippy::too_many_lines)] // at 60 lines (clippy.toml); an exception is an `#[expect]` with its reason

pub mod archive;
#[cfg(feature = "aws")]
pub mod aws;
pub mod blob;
pub mod cache;
pub mod engine;
pub mod keys;
pub mod metered;
pub mod repo;
pub mod seam;
pub mod tally;

pub use repo::{RepoError, Repos};
pub use seam::{Cursor, Store};
