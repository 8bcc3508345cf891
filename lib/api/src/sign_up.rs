//! Who may create a restaurant: anyone on a laptop; on AWS only someone who has the deployment's
//! sign-up code, or nobody when no code is set.

use crate::error::ErrorCode;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The rule in force when someone signs up.
#[derive(Clone, PartialEq, Eq)]
pub enum SignUpRule {
    Open,
    /// Only with this code (compared in constant time).
    Code(String),
    Closed,
}

impl std::fmt::Debug for SignUpRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "Open",
            Self::Code(_) => "Code(…)",
            Self::Closed => "Closed",
        })
    }
}

/// Where the rule comes from: fixed at start (the local server), or read from the deployment's
/// parameter on each sign-up (Lambda), so that setting or removing the code takes effect at once.
#[async_trait::async_trait]
pub trait SignUpPolicy: Send + Sync + std::fmt::Debug {
    async fn rule(&self) -> Result<SignUpRule, ApiError>;
}

#[async_trait::async_trait]
impl SignUpPolicy for SignUpRule {
    async fn rule(&self) -> Result<SignUpRule, ApiError> {
        Ok(self.clone())
    }
}

/// No code is longer (the OpenAPI document says so too).
pub const MAX_CODE_CHARS: usize = 200;

/// Refuses a sign-up the rule does not allow; `offered` is the code the request carried.
pub async fn check(policy: &dyn SignUpPolicy, offered: Option<&str>) -> Result<(), ApiError> {
    if offered.is_some_and(|code| code.chars().count() > MAX_CODE_CHARS) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidSignUpCode,
            format!("a sign-up code has at most {MAX_CODE_CHARS} characters"),
        ));
    }
    match policy.rule().await? {
        SignUpRule::Open => Ok(()),
        SignUpRule::Closed => Err(ApiError::Refused {
            code: ErrorCode::SignUpClosed,
            detail: "this service is not taking new restaurants; ask whoever runs it",
        }),
        // Digests of equal length compared with `==`: how long the comparison takes says
        // nothing about how much of the code was right.
        SignUpRule::Code(code) if offered.is_some_and(|offered| digest(offered) == digest(&code)) => Ok(()),
        SignUpRule::Code(_) => Err(ApiError::Refused {
            code: ErrorCode::SignUpCodeInvalid,
            detail: "creating a restaurant here needs the sign-up code from whoever runs this service",
        }),
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.trim().as_bytes()).into()
}
