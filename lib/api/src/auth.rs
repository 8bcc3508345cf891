//! Staff authentication: argon2 password hashes and Ed25519-signed JWTs scoped to one restaurant.

use crate::error::ErrorCode;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use bistro_domain::ids::{Slug, UserId};
pub use bistro_domain::restaurant::StaffIdentity;
use bistro_domain::restaurant::{Account, Role};

use crate::error::ApiError;
use crate::signing::{
    KeyError, KeyRing, KeySource, PublicKeySource, PublicKeys, SIGNER_REFRESH, Signer, VERIFIER_REFRESH, Verifiers,
};
use crate::verified::Verified;

/// How long a login lasts: one working day and then some.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// A token naming a key this host does not know makes it re-read the public keys (a rotation
/// elsewhere), at most this often, so that made-up key ids cannot make it read on every request.
const UNKNOWN_KEY_RELOAD: Duration = Duration::from_secs(30);

/// What tells an instance the time for its key refreshes: the monotonic clock, or a test's.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// How far past its expiry a token is still accepted: clocks differ a little.
const LEEWAY_SECS: u64 = 30;

/// How often a host that has no signing key yet looks again (the deployment's first rotation
/// may come after its first start).
const MISSING_KEY_RELOAD: Duration = Duration::from_secs(10);

/// Issues staff tokens (where this host holds the signing key) and verifies them.
pub struct Auth {
    signing: Refreshing<Signer>,
    verifying: Refreshing<Verifiers>,
    /// When a token with a key id this host did not know last made it read the keys again.
    unknown_key_reread: std::sync::Mutex<Option<Instant>>,
    /// Verified when an e-mail is unknown, so a login takes as long either way. Made on first
    /// use: hashing is deliberately slow, and most functions never see a login.
    dummy_hash: std::sync::OnceLock<String>,
    verified: Verified,
    clock: Clock,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth { … }")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    /// The restaurant the token is valid for, and no other.
    rst: Slug,
    role: Role,
    /// The account's session number at issue: a higher one stored means "log in again".
    ses: u64,
    iat: u64,
    exp: u64,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

const INVALID: ApiError = ApiError::Unauthenticated("the token is invalid or expired; log in again");

impl Auth {
    /// Signs and verifies with one ring held for good: the local server, and tests.
    pub fn with_key_ring(ring: &KeyRing) -> Result<Self, KeyError> {
        Ok(Self {
            signing: Refreshing::fixed(Some(ring.signer()?)),
            verifying: Refreshing::fixed(Some(ring.public_keys()?.verifiers()?)),
            unknown_key_reread: std::sync::Mutex::default(),
            dummy_hash: std::sync::OnceLock::new(),
            verified: Verified::default(),
            clock: Arc::new(Instant::now),
        })
    }

    /// Verifies only, with keys held for good.
    pub fn verifying_with(keys: &PublicKeys) -> Result<Self, KeyError> {
        Ok(Self {
            signing: Refreshing::fixed(None),
            verifying: Refreshing::fixed(Some(keys.verifiers()?)),
            unknown_key_reread: std::sync::Mutex::default(),
            dummy_hash: std::sync::OnceLock::new(),
            verified: Verified::default(),
            clock: Arc::new(Instant::now),
        })
    }

    /// Neither signs nor verifies: a host that never sees a staff token refuses every one.
    pub fn without_keys() -> Self {
        Self {
            signing: Refreshing::fixed(None),
            verifying: Refreshing::fixed(None),
            unknown_key_reread: std::sync::Mutex::default(),
            dummy_hash: std::sync::OnceLock::new(),
            verified: Verified::default(),
            clock: Arc::new(Instant::now),
        }
    }

    /// Reads its keys when first needed and again after a rotation: a Lambda function. Only the
    /// function that issues tokens is given a `signing` source.
    pub fn from_sources(signing: Option<Arc<dyn KeySource>>, verifying: Arc<dyn PublicKeySource>) -> Self {
        let signing = match signing {
            Some(source) => Refreshing::loading(Box::new(move || {
                let source = Arc::clone(&source);
                Box::pin(async move { source.key_ring().await?.map(|ring| ring.signer()).transpose() })
            })),
            None => Refreshing::fixed(None),
        };
        let verifying = Refreshing::loading(Box::new(move || {
            let source = Arc::clone(&verifying);
            Box::pin(async move { source.public_keys().await?.map(|keys| keys.verifiers()).transpose() })
        }));
        Self {
            signing,
            verifying,
            unknown_key_reread: std::sync::Mutex::default(),
            dummy_hash: std::sync::OnceLock::new(),
            verified: Verified::default(),
            clock: Arc::new(Instant::now),
        }
    }

    /// Times its key refreshes by `clock` instead of the monotonic clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub async fn issue(&self, account: &Account) -> Result<String, ApiError> {
        let held = self.signing.held();
        let max_age = if held.is_some() { SIGNER_REFRESH } else { MISSING_KEY_RELOAD };
        let signer = self
            .signing
            .fresh(max_age, (self.clock)())
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))?
            .ok_or_else(|| ApiError::Unavailable("no signing key is set up yet (run bistro-keys rotate)".into()))?;
        let iat = unix_now();
        let claims = Claims {
            sub: account.id.clone(),
            rst: account.restaurant.clone(),
            role: account.role,
            ses: account.sessions,
            iat,
            exp: iat + TOKEN_LIFETIME.as_secs(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(signer.kid.clone());
        jsonwebtoken::encode(&header, &claims, &signer.key).map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// Who a token says the caller is, if one of the keys this host accepts signed it, with
    /// EdDSA and no other algorithm, and it has not expired.
    pub async fn verify(&self, token: &str) -> Result<StaffIdentity, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| INVALID)?;
        let kid = header.kid.ok_or(INVALID)?;
        let unavailable = |e: KeyError| ApiError::Unavailable(e.to_string());
        let now = (self.clock)();
        // Read again every so often, not only for a key id it does not know: a revoked key must
        // stop working here although this instance knows its id.
        let mut keys = self.verifying.fresh(VERIFIER_REFRESH, now).await.map_err(unavailable)?;
        if keys.as_ref().and_then(|keys| keys.find(&kid)).is_none() && self.may_reread_for_unknown_key(now) {
            keys = self.verifying.fresh(Duration::ZERO, now).await.map_err(unavailable)?;
        }
        let key = keys.as_ref().and_then(|keys| keys.find(&kid)).ok_or(INVALID)?;
        let now = unix_now();
        let accepted = |kid: &str| keys.as_ref().is_some_and(|keys| keys.find(kid).is_some());
        if let Some(identity) = self.verified.get(token, now, accepted) {
            return Ok(identity);
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|_| INVALID)?;
        let Claims { sub, rst, role, ses, exp, .. } = data.claims;
        let identity = StaffIdentity { user: sub, restaurant: rst, role, session: ses };
        self.verified.keep(token, &identity, &kid, exp + LEEWAY_SECS, now);
        Ok(identity)
    }

    fn may_reread_for_unknown_key(&self, now: Instant) -> bool {
        let mut last = self.unknown_key_reread.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_some_and(|at| now.saturating_duration_since(at) < UNKNOWN_KEY_RELOAD) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// Checks a password against a stored hash, or against a dummy when there is no account.
    pub fn password_matches(&self, password: &str, hash: Option<&str>) -> bool {
        let dummy = || self.dummy_hash.get_or_init(|| hash_password("a password nobody has").unwrap_or_default());
        let matches = verify_password(password, hash.unwrap_or_else(|| dummy()));
        matches && hash.is_some()
    }
}

type Load<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Option<T>, KeyError>> + Send>> + Send + Sync>;

/// A value read from a source when first needed and again once it is older than the caller
/// allows; one read at a time, and a failed read keeps what was held.
struct Refreshing<T> {
    load: Option<Load<T>>,
    held: std::sync::RwLock<Held<T>>,
    one_read_at_a_time: tokio::sync::Mutex<()>,
}

struct Held<T> {
    value: Option<Arc<T>>,
    read_at: Option<Instant>,
}

impl<T> Refreshing<T> {
    fn fixed(value: Option<T>) -> Self {
        let held = Held { value: value.map(Arc::new), read_at: Some(Instant::now()) };
        Self { load: None, held: std::sync::RwLock::new(held), one_read_at_a_time: tokio::sync::Mutex::new(()) }
    }

    fn loading(load: Load<T>) -> Self {
        let held = Held { value: None, read_at: None };
        Self { load: Some(load), held: std::sync::RwLock::new(held), one_read_at_a_time: tokio::sync::Mutex::new(()) }
    }

    fn held(&self) -> Option<Arc<T>> {
        self.held.read().map_or(None, |held| held.value.clone())
    }

    fn is_older_than(&self, max_age: Duration, now: Instant) -> bool {
        self.held.read().map_or(true, |held| held.read_at.is_none_or(|at| now.saturating_duration_since(at) >= max_age))
    }

    /// What is held, read again first if at `now` it is older than `max_age` (or was never read).
    async fn fresh(&self, max_age: Duration, now: Instant) -> Result<Option<Arc<T>>, KeyError> {
        let Some(load) = &self.load else { return Ok(self.held()) };
        if !self.is_older_than(max_age, now) {
            return Ok(self.held());
        }
        let _reading = self.one_read_at_a_time.lock().await;
        if !self.is_older_than(max_age, now) {
            return Ok(self.held());
        }
        let read = load().await;
        let mut held = self.held.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        match read {
            Ok(value) => held.value = value.map(Arc::new),
            // Keys that worked a moment ago still do: a brief outage of the source must not log
            // everyone out. With nothing held, the caller learns why (503), and the next one reads
            // again rather than being refused as if its token were bad.
            Err(error) if held.value.is_some() => {
                tracing::warn!(%error, "re-reading keys failed; keeping the held ones")
            }
            Err(error) => return Err(error),
        }
        held.read_at = Some(now);
        Ok(held.value.clone())
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

pub fn check_password_rules(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            ErrorCode::WeakPassword,
            format!("a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ))
    }
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}
