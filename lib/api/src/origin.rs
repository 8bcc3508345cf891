//! Only requests that came through the site's CloudFront reach the API on AWS: CloudFront's
//! viewer-request function adds a secret header (the secret lives only in CloudFront's key value
//! store), and each function compares its SHA-256 digest with the digests in the table
//! (`KEYS / ORIGIN`, written by `bistro-keys origin-secret`). A request straight to the
//! `execute-api` endpoint has no secret and is refused, so nobody can go around CloudFront's
//! viewer header, caching or limits. The local server has no such endpoint and no such check.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bistro_store::RepoError;
use bistro_store::repo::SigningKeys;
use sha2::{Digest, Sha256};

/// The header CloudFront's function writes the secret into (cdk/lib/site-stack.ts).
pub const ORIGIN_HEADER: &str = "x-bistro-origin";

/// How often an unknown secret may make an instance read the digests again: a rotation is seen
/// within this, and a flood of wrong secrets costs at most one read per instance per period.
const REREAD_UNKNOWN: Duration = Duration::from_secs(30);
/// How long an instance trusts the digests it read: a retired or revoked secret stops working
/// within it (one read of a small item per instance per period, while it serves).
pub const TRUST_FOR: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct OriginCheck {
    keys: SigningKeys,
    read: Mutex<Option<(Instant, Vec<String>)>>,
}

impl OriginCheck {
    pub fn new(keys: SigningKeys) -> Self {
        Self { keys, read: Mutex::new(None) }
    }

    /// Whether `secret` (the header's value, if any) is one the site's CloudFront sends.
    pub async fn admits(&self, secret: Option<&str>) -> Result<bool, RepoError> {
        let Some(secret) = secret.filter(|s| !s.is_empty()) else { return Ok(false) };
        // Digests, not secrets, are compared: the table holds no secret, and the time a
        // comparison takes says nothing about one.
        let digest = digest_of(secret);
        let (known, fresh_enough) = {
            let read = self.read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match read.as_ref() {
                Some((at, digests)) if at.elapsed() < TRUST_FOR => {
                    (digests.contains(&digest), at.elapsed() < REREAD_UNKNOWN)
                }
                _ => (false, false),
            }
        };
        if known {
            return Ok(true);
        }
        if fresh_enough {
            return Ok(false);
        }
        let digests = self.keys.origin_digests().await?;
        let admitted = digests.contains(&digest);
        *self.read.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), digests));
        Ok(admitted)
    }
}

/// The digest `bistro-keys origin-secret` stores for `secret`.
pub fn digest_of(secret: &str) -> String {
    bistro_domain::ids::hex(&Sha256::digest(secret.as_bytes()))
}
