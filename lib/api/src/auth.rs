//! Staff authentication: argon2 password hashes and HS256 JWTs scoped to one restaurant.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use bistro_domain::ids::{Slug, UserId};
pub use bistro_domain::restaurant::StaffIdentity;
use bistro_domain::restaurant::{Account, Role};

use crate::error::ApiError;

/// How long a login lasts: one working day and then some.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Verified when an e-mail is unknown, so a login takes as long either way. Made on first
    /// use: hashing is deliberately slow, and most functions never see a login.
    dummy_hash: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth { … }")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the JWT secret must be at least 32 bytes")]
pub struct WeakSecret;

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

impl Auth {
    pub fn new(secret: &[u8]) -> Result<Self, WeakSecret> {
        if secret.len() < 32 {
            return Err(WeakSecret);
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            dummy_hash: std::sync::OnceLock::new(),
        })
    }

    pub fn issue(&self, account: &Account) -> Result<String, ApiError> {
        let iat = unix_now();
        let claims = Claims {
            sub: account.id.clone(),
            rst: account.restaurant.clone(),
            role: account.role,
            ses: account.sessions,
            iat,
            exp: iat + TOKEN_LIFETIME.as_secs(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    pub fn verify(&self, token: &str) -> Result<StaffIdentity, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| ApiError::Unauthenticated("the token is invalid or expired; log in again"))?;
        let Claims { sub, rst, role, ses, .. } = data.claims;
        Ok(StaffIdentity { user: sub, restaurant: rst, role, session: ses })
    }

    /// Checks a password against a stored hash, or against a dummy when there is no account.
    pub fn password_matches(&self, password: &str, hash: Option<&str>) -> bool {
        let dummy = || self.dummy_hash.get_or_init(|| hash_password("a password nobody has").unwrap_or_default());
        let matches = verify_password(password, hash.unwrap_or_else(|| dummy()));
        matches && hash.is_some()
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
            "weak_password",
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
