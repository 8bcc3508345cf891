//! The blob seam: objects by key with a content type, read and written whole, with conditional
//! writes (compare-and-swap on the ETag) and presigned uploads. Engines: S3 and a local folder;
//! one contract suite (`tests/blob_contract.rs`) holds both to the same behaviour.

pub mod folder;
#[cfg(feature = "s3")]
pub mod s3;

use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub cache_control: Option<String>,
    /// Quoted, as HTTP shows it.
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub size: u64,
    pub content_type: String,
    pub etag: String,
}

/// What must hold for a write to happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    None,
    /// Only if no object has the key (`If-None-Match: *`).
    Absent,
    /// Only if the object is still the one with this ETag (`If-Match`).
    Matches(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlob<'a> {
    pub bytes: Vec<u8>,
    pub content_type: &'a str,
    pub cache_control: Option<&'a str>,
}

/// A URL a browser uploads one object to, directly, without passing through a function.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PresignedUpload {
    pub method: String,
    pub url: String,
    /// Headers the upload must carry exactly as given (the signature covers them).
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlobError {
    #[error("the object changed since it was read")]
    PreconditionFailed,
    #[error("the key is not a valid object key")]
    InvalidKey,
    #[error("the blob store is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Writes the whole object, atomically for readers; returns its new ETag.
    async fn put(&self, key: &str, blob: NewBlob<'_>, precondition: Precondition) -> Result<String, BlobError>;
    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError>;
    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError>;
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
    /// A URL that accepts one upload to `key` of exactly `content_length` bytes of `content_type`
    /// for `valid_for`.
    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, BlobError>;
}

/// Keys are relative paths of `[a-z0-9._-]` segments: safe as S3 keys and as file paths.
pub fn check_key(key: &str) -> Result<(), BlobError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "/._-".contains(c));
    if ok { Ok(()) } else { Err(BlobError::InvalidKey) }
}
