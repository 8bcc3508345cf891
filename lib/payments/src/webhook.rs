//! The `Stripe-Signature` header: `t={unix seconds},v1={hex HMAC-SHA256},v1=…` over
//! `{t}.{raw body}` with the endpoint's secret (`whsec_…`). A delivery is genuine when any `v1`
//! matches (Stripe signs with both secrets while one is rolled) and `t` lies within the tolerance
//! of now (a replayed old delivery is refused). Only `v1` counts; other schemes are ignored, as
//! Stripe's libraries ignore them.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `t` may lie from now, either way: Stripe's libraries default to five minutes.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header has no timestamp")]
    NoTimestamp,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error("the signature was made {0} s from now, more than the {TOLERANCE_SECS} s allowed")]
    Stale(i64),
    #[error("no signature matches the body: not from Stripe, or signed with another secret")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header Stripe would send with `payload` at `timestamp` (what the fake Stripe signs with).
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let digest = mac(secret, timestamp, payload).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Whether `header` is Stripe's signature of `payload` (the raw body, as it arrived) with
/// `secret`, made within the tolerance of `now` (unix seconds).
pub fn verify(header: &str, payload: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for (key, value) in header.split(',').filter_map(|part| part.trim().split_once('=')) {
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::NoTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let skew = now - timestamp;
    if skew.abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale(skew));
    }
    // `verify_slice` compares in constant time: a guesser learns nothing from how long it took.
    let matches = signatures
        .iter()
        .filter_map(|signature| unhex(signature))
        .any(|bytes| mac(secret, timestamp, payload).verify_slice(&bytes).is_ok());
    if matches { Ok(()) } else { Err(SignatureError::Mismatch) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: i64 = 1_796_000_000;

    #[test]
    fn a_body_signed_with_the_secret_a_moment_ago_is_genuine() {
        assert_eq!(verify(&sign(SECRET, NOW - 10, BODY), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn any_v1_signature_may_match_while_a_secret_is_rolled() {
        let old = sign("whsec_old", NOW, BODY);
        let new = sign(SECRET, NOW, BODY);
        let both = format!("{old},v1={},v0=ignored", new.split("v1=").nth(1).unwrap());
        assert_eq!(verify(&both, BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn an_altered_body_another_secret_or_a_garbled_signature_is_refused() {
        let header = sign(SECRET, NOW, BODY);
        assert_eq!(verify(&header, b"{\"id\":\"evt_2\"}", SECRET, NOW), Err(SignatureError::Mismatch));
        assert_eq!(verify(&header, BODY, "whsec_other", NOW), Err(SignatureError::Mismatch));
        assert_eq!(verify(&format!("t={NOW},v1=zz"), BODY, SECRET, NOW), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_signature_older_or_newer_than_five_minutes_is_refused_as_a_replay() {
        assert_eq!(verify(&sign(SECRET, NOW - 301, BODY), BODY, SECRET, NOW), Err(SignatureError::Stale(301)));
        assert_eq!(verify(&sign(SECRET, NOW + 301, BODY), BODY, SECRET, NOW), Err(SignatureError::Stale(-301)));
        assert_eq!(verify(&sign(SECRET, NOW - 300, BODY), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn a_header_without_a_timestamp_or_a_v1_signature_is_refused() {
        assert_eq!(verify("v1=abcd", BODY, SECRET, NOW), Err(SignatureError::NoTimestamp));
        assert_eq!(verify(&format!("t={NOW},v0=abcd"), BODY, SECRET, NOW), Err(SignatureError::NoSignature));
        assert_eq!(verify("", BODY, SECRET, NOW), Err(SignatureError::NoTimestamp));
    }
}
