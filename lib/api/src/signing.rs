//! The keys staff tokens are signed with: Ed25519, each with a `kid`, rotated without logging
//! anyone out.
//!
//! A [`KeyRing`] is the private half: the current signing key and the public halves of the keys it
//! replaced, kept while tokens they signed may still be alive. Only the host that issues tokens
//! holds one (the `accounts` function on AWS, from an SSM SecureString parameter; the local server,
//! from a 0600 file). Every other host gets [`PublicKeys`], a JWK set with no secret in it.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, OctetKeyPairParameters,
    OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};

use crate::auth::TOKEN_LIFETIME;

/// How long an issuing instance may go on signing with a key after it was rotated away: it
/// re-reads its key ring this often (a revoked key must stop signing as soon as verifiers stop
/// accepting it).
pub const SIGNER_REFRESH: Duration = Duration::from_secs(30);

/// How often a verifying instance reads the public keys again while it serves: a key revoked
/// with `bistro-keys rotate --revoke-previous` is refused everywhere within this.
pub const VERIFIER_REFRESH: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing keys are malformed: {0}")]
    Malformed(String),
    #[error("the signing keys cannot be read now: {0}")]
    Unavailable(String),
}

/// The private key ring, as its parameter or file holds it (JSON).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRing {
    current: PrivateKey,
    /// Keys rotated away, newest first, with when: their tokens stay valid until they expire.
    #[serde(default)]
    previous: Vec<RetiredKey>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivateKey {
    kid: String,
    /// The PKCS#8 document, base64url.
    pkcs8: String,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetiredKey {
    kid: String,
    /// The public key, base64url (a JWK's `x`).
    x: String,
    /// Unix seconds.
    retired_at: u64,
}

/// Never prints key material, whatever logs it.
impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current.kid)
            .field("previous", &self.previous.iter().map(|key| &key.kid).collect::<Vec<_>>())
            .finish()
    }
}

fn malformed(error: impl ToString) -> KeyError {
    KeyError::Malformed(error.to_string())
}

/// A key id: random, so that it says nothing and two rotations never collide.
fn new_kid() -> Result<String, KeyError> {
    let mut bytes = [0u8; 9];
    getrandom::fill(&mut bytes).map_err(malformed)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl KeyRing {
    /// A ring with one fresh key.
    pub fn generate() -> Result<Self, KeyError> {
        let document = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).map_err(malformed)?;
        Ok(Self {
            current: PrivateKey { kid: new_kid()?, pkcs8: URL_SAFE_NO_PAD.encode(document.as_ref()) },
            previous: Vec::new(),
        })
    }

    pub fn parse(json: &str) -> Result<Self, KeyError> {
        let ring: Self = serde_json::from_str(json).map_err(malformed)?;
        ring.current.public_x()?;
        Ok(ring)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| unreachable!("a key ring is plain strings and numbers"))
    }

    /// The id tokens are signed with now.
    pub fn current_kid(&self) -> &str {
        &self.current.kid
    }

    /// The ids every verifier accepts, current first.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.current.kid.as_str()).chain(self.previous.iter().map(|key| key.kid.as_str()))
    }

    /// A fresh current key at `now` (unix seconds). The key it replaces stays verifiable for as
    /// long as a token it signed can live: the token lifetime, plus the time an issuing instance
    /// may go on using it before it re-reads the ring. Keys retired longer ago than that go.
    pub fn rotated(&self, now: u64) -> Result<Self, KeyError> {
        let keep_for = (TOKEN_LIFETIME + SIGNER_REFRESH).as_secs() + 60;
        let retiring = RetiredKey { kid: self.current.kid.clone(), x: self.current.public_x()?, retired_at: now };
        let kept = self.previous.iter().filter(|key| key.retired_at + keep_for > now).cloned();
        let fresh = Self::generate()?;
        Ok(Self { current: fresh.current, previous: std::iter::once(retiring).chain(kept).collect() })
    }

    /// A fresh current key with every key before it revoked (a key that leaked): tokens those
    /// signed are refused once verifiers re-read the keys, within [`VERIFIER_REFRESH`].
    pub fn rotated_revoking(&self) -> Result<Self, KeyError> {
        Self::generate()
    }

    /// What verifiers need: the public half of every key the ring still accepts.
    pub fn public_keys(&self) -> Result<PublicKeys, KeyError> {
        let current = (self.current.kid.clone(), self.current.public_x()?);
        let previous = self.previous.iter().map(|key| (key.kid.clone(), key.x.clone()));
        Ok(PublicKeys(JwkSet { keys: std::iter::once(current).chain(previous).map(|(kid, x)| jwk(kid, x)).collect() }))
    }

    pub(crate) fn signer(&self) -> Result<Signer, KeyError> {
        let der = URL_SAFE_NO_PAD.decode(&self.current.pkcs8).map_err(malformed)?;
        Ok(Signer { kid: self.current.kid.clone(), key: EncodingKey::from_ed_der(&der) })
    }
}

impl PrivateKey {
    fn public_x(&self) -> Result<String, KeyError> {
        let der = URL_SAFE_NO_PAD.decode(&self.pkcs8).map_err(malformed)?;
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(malformed)?;
        Ok(URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()))
    }
}

fn jwk(kid: String, x: String) -> Jwk {
    Jwk {
        common: CommonParameters {
            public_key_use: Some(PublicKeyUse::Signature),
            key_algorithm: Some(KeyAlgorithm::EdDSA),
            key_id: Some(kid),
            ..CommonParameters::default()
        },
        algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x,
        }),
    }
}

/// The public keys tokens are checked against: a JWK set (RFC 7517), so any tool can read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeys(JwkSet);

impl PublicKeys {
    /// Refuses a set with any key that is not an Ed25519 signing key with an id: a verifier
    /// never accepts a token under some other algorithm because a set listed one.
    pub fn parse(json: &str) -> Result<Self, KeyError> {
        let set: JwkSet = serde_json::from_str(json).map_err(malformed)?;
        for key in &set.keys {
            let ed25519 = matches!(&key.algorithm,
                AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519);
            if !ed25519 || key.common.key_id.is_none() {
                return Err(KeyError::Malformed("only Ed25519 keys with a kid are accepted".into()));
            }
        }
        Ok(Self(set))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| unreachable!("a JWK set is plain strings"))
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.0.keys.iter().filter_map(|key| key.common.key_id.as_deref())
    }

    /// These keys, and those of `other` that `keep` says to keep and these lack.
    pub fn with_kept(mut self, other: &PublicKeys, keep: impl Fn(&str) -> bool) -> Self {
        let known: Vec<String> = self.kids().map(str::to_owned).collect();
        let extra =
            other.0.keys.iter().filter(|key| {
                key.common.key_id.as_deref().is_some_and(|kid| keep(kid) && !known.iter().any(|k| k == kid))
            });
        self.0.keys.extend(extra.cloned().collect::<Vec<_>>());
        self
    }

    pub(crate) fn verifiers(&self) -> Result<Verifiers, KeyError> {
        let keys = self.0.keys.iter().map(|key| {
            let kid = key.common.key_id.clone().unwrap_or_default();
            DecodingKey::from_jwk(key).map(|decoding| (kid, decoding)).map_err(malformed)
        });
        Ok(Verifiers { keys: keys.collect::<Result<_, _>>()? })
    }
}

/// The key this host signs with now.
pub(crate) struct Signer {
    pub kid: String,
    pub key: EncodingKey,
}

/// The keys this host accepts, by id.
#[derive(Default)]
pub(crate) struct Verifiers {
    keys: Vec<(String, DecodingKey)>,
}

impl Verifiers {
    pub fn find(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|(id, _)| id == kid).map(|(_, key)| key)
    }
}

/// Where a host's keys come from when they are not fixed at start: read on first use and again
/// as [`crate::auth::Auth`] decides (a rotation elsewhere is noticed without a restart).
#[async_trait::async_trait]
pub trait KeySource: Send + Sync + std::fmt::Debug {
    /// The private ring, or `None` where none has been made yet.
    async fn key_ring(&self) -> Result<Option<KeyRing>, KeyError>;
}

#[async_trait::async_trait]
pub trait PublicKeySource: Send + Sync + std::fmt::Debug {
    /// The public set, or `None` where none has been published yet.
    async fn public_keys(&self) -> Result<Option<PublicKeys>, KeyError>;
}

/// The set a rotation published to the table: what every function that only verifies reads.
#[async_trait::async_trait]
impl PublicKeySource for bistro_store::repo::SigningKeys {
    async fn public_keys(&self) -> Result<Option<PublicKeys>, KeyError> {
        let json = self.public().await.map_err(|e| KeyError::Unavailable(e.to_string()))?;
        json.as_deref().map(PublicKeys::parse).transpose()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_set_keeps_the_other_sets_keys_it_is_told_to_keep_and_lacks() {
        let (ours, theirs) = (KeyRing::generate().unwrap(), KeyRing::generate().unwrap().rotated(1).unwrap());
        let retired = theirs.kids().nth(1).unwrap().to_owned();
        let merged = ours.public_keys().unwrap().with_kept(&theirs.public_keys().unwrap(), |kid| kid != retired);
        let kids: Vec<&str> = merged.kids().collect();
        assert_eq!(kids, [ours.current_kid(), theirs.current_kid()]);
        let again = merged.clone().with_kept(&merged, |_| true);
        assert_eq!(again.kids().count(), 2, "a key both hold is listed once");
    }

    #[test]
    fn a_key_ring_survives_its_own_json() {
        let ring = KeyRing::generate().unwrap();
        let back = KeyRing::parse(&ring.to_json()).unwrap();
        assert_eq!(back.public_keys().unwrap(), ring.public_keys().unwrap());
    }

    #[test]
    fn a_rotation_keeps_the_replaced_key_verifiable() {
        let ring = KeyRing::generate().unwrap();
        let rotated = ring.rotated(1_000_000).unwrap();
        assert_ne!(rotated.current_kid(), ring.current_kid());
        assert_eq!(rotated.kids().collect::<Vec<_>>(), [rotated.current_kid(), ring.current_kid()]);
    }

    #[test]
    fn a_key_retired_longer_ago_than_a_token_lives_is_dropped() {
        let first = KeyRing::generate().unwrap();
        let second = first.rotated(1_000_000).unwrap();
        let later = 1_000_000 + TOKEN_LIFETIME.as_secs() + SIGNER_REFRESH.as_secs() + 61;
        let third = second.rotated(later).unwrap();
        assert_eq!(third.kids().collect::<Vec<_>>(), [third.current_kid(), second.current_kid()]);
    }

    #[test]
    fn the_public_set_holds_no_private_key() {
        let ring = KeyRing::generate().unwrap();
        let public = ring.public_keys().unwrap().to_json();
        assert!(!public.contains(&ring.current.pkcs8));
        assert!(!public.contains("pkcs8") && !public.contains("\"d\""), "{public}");
    }

    #[test]
    fn a_key_ring_prints_its_ids_and_nothing_secret() {
        let ring = KeyRing::generate().unwrap();
        let printed = format!("{ring:?}");
        assert!(printed.contains(ring.current_kid()) && !printed.contains(&ring.current.pkcs8), "{printed}");
    }

    #[test]
    fn a_public_set_with_a_shared_secret_key_is_refused() {
        let set = r#"{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}]}"#;
        assert!(matches!(PublicKeys::parse(set), Err(KeyError::Malformed(_))));
    }
}
