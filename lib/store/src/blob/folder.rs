//! The local engine: objects as files under one folder, a sidecar for their metadata, writes
//! through a temporary file and a rename so readers never see half an object.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::{Blob, BlobError, BlobInfo, BlobStore, NewBlob, Precondition, PresignedUpload, check_key};
use crate::seam::now_unix;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Meta {
    content_type: String,
    cache_control: Option<String>,
    etag: String,
}

/// Objects in a folder. Uploads go to `{upload_base}/{key}` with a signed query string the local
/// server checks (`verify_upload`), the folder's equivalent of an S3 presigned URL.
pub struct FolderBlobs {
    root: PathBuf,
    upload_base: String,
    secret: Vec<u8>,
    // Conditional writes compare and swap under this lock: the folder's atomicity.
    writes: Mutex<()>,
}

impl std::fmt::Debug for FolderBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderBlobs")
            .field("root", &self.root)
            .field("upload_base", &self.upload_base)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: impl std::fmt::Display) -> BlobError {
    BlobError::Unavailable(error.to_string())
}

/// The terms of an upload, as they travel in the upload URL's query string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct UploadTerms {
    pub expires: i64,
    pub content_type: String,
    pub length: u64,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefused {
    #[error("the upload link is invalid")]
    BadSignature,
    #[error("the upload link has expired")]
    Expired,
    #[error("the upload must be {0}")]
    WrongType(String),
    #[error("the upload must be exactly {0} bytes")]
    WrongLength(u64),
}

impl FolderBlobs {
    pub fn new(root: impl Into<PathBuf>, upload_base: impl Into<String>, secret: &[u8]) -> Self {
        Self { root: root.into(), upload_base: upload_base.into(), secret: secret.to_vec(), writes: Mutex::new(()) }
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    fn meta_path(path: &Path) -> PathBuf {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".meta.json");
        path.with_file_name(name)
    }

    fn signature(&self, key: &str, expires: i64, content_type: &str, length: u64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any size"));
        mac.update(format!("{key}\n{expires}\n{content_type}\n{length}").as_bytes());
        bistro_domain::ids::hex(&mac.finalize().into_bytes())
    }

    /// Whether an upload of `content_type` with `length` bytes to `key` is what the link allows.
    pub fn verify_upload(
        &self,
        key: &str,
        terms: &UploadTerms,
        content_type: &str,
        length: u64,
    ) -> Result<(), UploadRefused> {
        let expected = self.signature(key, terms.expires, &terms.content_type, terms.length);
        let same = expected.len() == terms.signature.len()
            && expected.bytes().zip(terms.signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if !same {
            return Err(UploadRefused::BadSignature);
        }
        if now_unix() > terms.expires {
            return Err(UploadRefused::Expired);
        }
        if content_type != terms.content_type {
            return Err(UploadRefused::WrongType(terms.content_type.clone()));
        }
        if length != terms.length {
            return Err(UploadRefused::WrongLength(terms.length));
        }
        Ok(())
    }

    /// Deletes every object under `prefix` last written longer than `age` ago: what an S3
    /// lifecycle expiration rule does, for the folder engine. Returns how many went.
    pub async fn expire(&self, prefix: &str, age: std::time::Duration) -> Result<usize, BlobError> {
        let root = self.root.clone();
        let prefix = prefix.trim_end_matches('/').to_owned();
        let _guard = self.writes.lock().await;
        tokio::task::spawn_blocking(move || {
            let cutoff = std::time::SystemTime::now().checked_sub(age).unwrap_or(std::time::UNIX_EPOCH);
            let mut gone = 0;
            let mut pending = vec![root.join(&prefix)];
            while let Some(dir) = pending.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else { continue };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Ok(meta) = entry.metadata() else { continue };
                    if meta.is_dir() {
                        pending.push(path);
                    } else if path.to_string_lossy().ends_with(".meta.json") {
                        continue;
                    } else if meta.modified().is_ok_and(|written| written < cutoff) {
                        std::fs::remove_file(&path).map_err(unavailable)?;
                        let _ = std::fs::remove_file(Self::meta_path(&path));
                        gone += 1;
                    }
                }
            }
            Ok(gone)
        })
        .await
        .map_err(unavailable)?
    }

    async fn read_meta(path: &Path) -> Result<Option<Meta>, BlobError> {
        match tokio::fs::read(Self::meta_path(path)).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(unavailable),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BlobError> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(unavailable)?;
        }
        let temporary = path.with_extension(format!("tmp-{}", bistro_domain::ids::Token::generate().as_str()));
        tokio::fs::write(&temporary, bytes).await.map_err(unavailable)?;
        tokio::fs::rename(&temporary, path).await.map_err(unavailable)
    }
}

#[async_trait]
impl BlobStore for FolderBlobs {
    async fn put(&self, key: &str, blob: NewBlob<'_>, precondition: Precondition) -> Result<String, BlobError> {
        let path = self.path(key)?;
        let _guard = self.writes.lock().await;
        let current = Self::read_meta(&path).await?;
        let allowed = match (&precondition, &current) {
            (Precondition::None, _) | (Precondition::Absent, None) => true,
            (Precondition::Matches(etag), Some(meta)) => &meta.etag == etag,
            _ => false,
        };
        if !allowed {
            return Err(BlobError::PreconditionFailed);
        }
        let etag = format!("\"{}\"", bistro_domain::ids::hex(&Sha256::digest(&blob.bytes)[..16]));
        let meta = Meta {
            content_type: blob.content_type.to_owned(),
            cache_control: blob.cache_control.map(str::to_owned),
            etag: etag.clone(),
        };
        // The body first, then the metadata that makes it visible with its new ETag.
        Self::write_atomically(&path, &blob.bytes).await?;
        Self::write_atomically(&Self::meta_path(&path), &serde_json::to_vec(&meta).map_err(unavailable)?).await?;
        Ok(etag)
    }

    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError> {
        let path = self.path(key)?;
        let Some(meta) = Self::read_meta(&path).await? else { return Ok(None) };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(Blob {
                bytes,
                content_type: meta.content_type,
                cache_control: meta.cache_control,
                etag: meta.etag,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError> {
        let path = self.path(key)?;
        let Some(meta) = Self::read_meta(&path).await? else { return Ok(None) };
        match tokio::fs::metadata(&path).await {
            Ok(file) => Ok(Some(BlobInfo { size: file.len(), content_type: meta.content_type, etag: meta.etag })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        let _guard = self.writes.lock().await;
        for file in [Self::meta_path(&path), path] {
            match tokio::fs::remove_file(&file).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }

    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, BlobError> {
        check_key(key)?;
        let expires = now_unix() + i64::try_from(valid_for.as_secs()).unwrap_or(i64::MAX / 2);
        let signature = self.signature(key, expires, content_type, content_length);
        let encoded_type = content_type.replace('/', "%2F").replace('+', "%2B");
        Ok(PresignedUpload {
            method: "PUT".into(),
            url: format!(
                "{}/{key}?expires={expires}&content_type={encoded_type}&length={content_length}&signature={signature}",
                self.upload_base
            ),
            headers: vec![("content-type".into(), content_type.to_owned())],
        })
    }
}
