//! One restaurant's data as an archive of domain-level records, the same from every engine and
//! into every engine: what moves a restaurant from a laptop to AWS and back, and what an owner
//! takes away.
//!
//! The archive is a gzipped tar (`.tar.gz`) of
//!
//! | member | what |
//! |---|---|
//! | `manifest.json` | format, restaurant, when, whether secrets are in it, each member's size and SHA-256 |
//! | `restaurant.json` | the settings (with their version) and the directory's listing |
//! | `staff.jsonl` | one staff account a line (password hashes only in the operator's archive) |
//! | `menu.json` | categories, dishes and saved groups of choices, each at its version |
//! | `orders.jsonl` | one order a line, with its history, number, day and version |
//! | `bookings.jsonl` | one booking a line, with the grid slots it holds |
//! | `counters.jsonl` | order numbers per day, later-order slots, booked covers per slot, guests' bookings per day, the event and menu-change counts |
//! | `pictures/…` | every picture the menu shows, under its key |
//! | `published-menu.json` | the menu guests read, as published |
//!
//! No storage key is in it: an import builds every key anew through `crate::keys`, so an archive
//! outlives a change of key design. Short-lived items (carts, idempotency claims, rate budgets,
//! login attempts, live connections, the live event log) are left out: they expire within days,
//! and live screens on the new store start at the copied event count.

mod pack;
mod records;
mod transfer;
mod walk;

pub use pack::{read, write};
pub use records::{Contents, Counter, Picture, Stored};
pub use transfer::{Blobs, Imported, Reading, Step, export, import, remove};

use bistro_domain::ids::Slug;
use bistro_domain::jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What this build writes. An archive of a newer format is refused: it may hold records this
/// build would silently drop.
pub const FORMAT: u32 = 1;

/// The manifest's `kind`: tells a Bistro archive from any other tarball.
pub const KIND: &str = "bistro-restaurant";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub kind: String,
    pub restaurant: Slug,
    pub exported_at: Timestamp,
    /// Whether staff password hashes and guests' order and booking tokens are in it: the
    /// operator's archive, for a move. An owner's own copy has neither (hashes are empty, tokens
    /// are new ones nobody holds), so its staff set passwords again after an import.
    pub secrets: bool,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// A picture's media type, as it is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// A whole archive in memory: its manifest and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Archive {
    pub manifest: Manifest,
    pub contents: Contents,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("this is not a Bistro restaurant archive: {0}")]
    NotAnArchive(String),
    #[error("this archive is of format {0}, newer than this build reads ({FORMAT}): use a newer Bistro to import it")]
    Newer(u32),
    #[error("the archive is damaged: {0}; nothing was written")]
    Damaged(String),
    #[error("restaurant '{0}' already exists here: nothing was written (import with --replace to remove it first)")]
    Exists(Slug),
    #[error("there is no restaurant '{0}' here")]
    NoRestaurant(Slug),
    #[error(transparent)]
    Repo(#[from] crate::RepoError),
    #[error(transparent)]
    Store(#[from] crate::seam::SeamError),
    #[error("pictures: {0}")]
    Blob(#[from] crate::blob::BlobError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Hex SHA-256, as the manifest writes it.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
