//! The public half of the staff-token signing keys, where every function that verifies tokens
//! already reads: the table. The private half never comes here (it lives in SSM, or in a local
//! file), so the store holds nothing that signs.

use std::sync::Arc;

use super::RepoError;
use crate::keys;
use crate::seam::{Condition, Item, Store, Write};

#[derive(Debug, Clone)]
pub struct SigningKeys {
    store: Arc<dyn Store>,
}

impl SigningKeys {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The published public key set (a JWK set's JSON, kept opaque here), if there is one.
    pub async fn public(&self) -> Result<Option<String>, RepoError> {
        Ok(self.store.get(&keys::public_signing_keys()).await?.map(|item| item.body))
    }

    /// The published set with its version, for a change made over it.
    pub async fn public_versioned(&self) -> Result<Option<(String, u64)>, RepoError> {
        Ok(self.store.get(&keys::public_signing_keys()).await?.map(|item| (item.body, item.version)))
    }

    /// Replaces the published set, whatever it holds. A rotation publishes before it signs with
    /// the new key, so a verifier never meets a token whose key it cannot find here.
    pub async fn publish(&self, json: &str) -> Result<(), RepoError> {
        let item = Item::new(keys::public_signing_keys(), 0, json.to_owned());
        self.store.write(Write::Put { item, condition: Condition::Always }).await?;
        Ok(())
    }

    /// The SHA-256 digests (lower-case hex) of the origin secrets the API accepts: the newest
    /// first, and the one it replaced, which CloudFront may still send for a moment.
    pub async fn origin_digests(&self) -> Result<Vec<String>, RepoError> {
        match self.store.get(&keys::origin_digests()).await? {
            Some(item) => super::decode(&item),
            None => Ok(Vec::new()),
        }
    }

    /// Accepts the secret whose digest is `digest` from now on, with the newest one before it;
    /// any older one is dropped. Set before CloudFront sends the new secret, so no request is
    /// refused in between.
    pub async fn accept_origin_digest(&self, digest: &str) -> Result<(), RepoError> {
        self.accept_origin_digests_up_to(digest, 2).await
    }

    /// Accepts only the secret whose digest is `digest`, the one before it revoked (it leaked):
    /// every instance refuses that one within its re-read period. CloudFront must send the new
    /// secret already, or the site's requests are refused meanwhile.
    pub async fn accept_only_origin_digest(&self, digest: &str) -> Result<(), RepoError> {
        self.accept_origin_digests_up_to(digest, 1).await
    }

    async fn accept_origin_digests_up_to(&self, digest: &str, kept: usize) -> Result<(), RepoError> {
        let mut digests = self.origin_digests().await?;
        digests.retain(|known| known != digest);
        digests.insert(0, digest.to_owned());
        digests.truncate(kept);
        let item = Item::new(keys::origin_digests(), 0, super::encode(&digests)?);
        self.store.write(Write::Put { item, condition: Condition::Always }).await?;
        Ok(())
    }

    /// Replaces the set read at `read` (`None`: there was none); `StaleVersion` if another
    /// rotation published meanwhile.
    pub async fn publish_over(&self, json: &str, read: Option<u64>) -> Result<(), RepoError> {
        let (version, condition) = match read {
            Some(version) => (version + 1, Condition::Version(version)),
            None => (1, Condition::Absent),
        };
        let item = Item::new(keys::public_signing_keys(), version, json.to_owned());
        match self.store.write(Write::Put { item, condition }).await {
            Err(crate::seam::SeamError::ConditionFailed) => Err(RepoError::StaleVersion),
            other => Ok(other.map(|_| ())?),
        }
    }
}
