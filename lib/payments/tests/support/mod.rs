//! What the tests that run Stripe's own library share: the test command's Python.

use std::path::PathBuf;

/// The `.venv` Python that `scripts/test` installs `tests/requirements.txt` into (Stripe's library).
pub fn python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test, which installs tests/requirements.txt",
        python.display()
    );
    python
}
