//! The signatures this crate makes are the ones Stripe's own library accepts, and it accepts
//! the ones that library makes: checked against PyPI `stripe` in the test command's `.venv`, so
//! the fake Stripe cannot drift from Stripe's code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::python;

use std::process::Command;

use bistro_payments::webhook::{SignatureError, sign, verify};

/// Runs `code` with Stripe's library; returns what it printed.
fn stripe(code: &str, args: &[&str]) -> String {
    let output = Command::new(python()).args(["-c", code]).args(args).output().expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

const SECRET: &str = "whsec_bistro_test";
const BODY: &str = r#"{"id":"evt_1","object":"event","type":"checkout.session.completed","data":{"object":{}}}"#;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn stripes_own_verifier_accepts_the_signature_this_crate_makes() {
    let header = sign(SECRET, now(), BODY.as_bytes());

    let said = stripe(
        "import sys, stripe; e = stripe.Webhook.construct_event(sys.argv[1], sys.argv[2], sys.argv[3]); print(e['id'])",
        &[BODY, &header, SECRET],
    );

    assert_eq!(said, "evt_1");
}

#[test]
fn stripes_own_verifier_refuses_what_this_crate_refuses() {
    let stale = sign(SECRET, now() - 600, BODY.as_bytes());
    let said = stripe(
        "import sys, stripe\ntry:\n  stripe.Webhook.construct_event(sys.argv[1], sys.argv[2], sys.argv[3])\n  print('accepted')\nexcept stripe.SignatureVerificationError:\n  print('refused')",
        &[BODY, &stale, SECRET],
    );
    assert_eq!(said, "refused");
    assert!(matches!(verify(&stale, BODY.as_bytes(), SECRET, now()), Err(SignatureError::Stale(_))));
}

#[test]
fn this_crate_accepts_the_signature_stripes_library_makes() {
    let t = now();
    let signature = stripe(
        "import sys, stripe; print(stripe.WebhookSignature._compute_signature(sys.argv[1], sys.argv[2]))",
        &[&format!("{t}.{BODY}"), SECRET],
    );

    assert_eq!(verify(&format!("t={t},v1={signature}"), BODY.as_bytes(), SECRET, now()), Ok(()));
}
