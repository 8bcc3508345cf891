//! What the local server lets other machines see: its data files are its owner's only, and it
//! will not serve another machine while anyone there could walk in.

use std::os::unix::fs::PermissionsExt;

use bistro_local::server::app;

use crate::harness::{spawn_app, test_config};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_directory_is_its_owners_alone_and_so_are_the_database_and_the_key() {
    let app = spawn_app().await;
    let data = app.data_dir();

    assert_eq!(mode(data), 0o700);
    assert_eq!(mode(&data.join("bistro.db")), 0o600);
    assert_eq!(mode(&data.join("signing-key.json")), 0o600);
}

#[tokio::test]
async fn another_machines_address_is_refused_while_sign_up_needs_no_code() {
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.addr = "0.0.0.0:0".parse().unwrap();

    let refused = app(&config).await.expect_err("refused").to_string();

    assert!(refused.contains("--sign-up-code"), "{refused}");
}

#[tokio::test]
async fn another_machines_address_is_refused_while_the_demos_published_passwords_work() {
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.addr = "0.0.0.0:0".parse().unwrap();
    config.sign_up_code = Some("a code only the team knows".into());
    config.seed_demo = true;

    let refused = app(&config).await.expect_err("refused").to_string();
    config.expose = true;
    let told_to = app(&config).await;

    assert!(refused.contains("demo"), "{refused}");
    assert!(told_to.is_ok(), "--expose serves anyway");
}

#[tokio::test]
async fn another_machines_address_is_served_with_a_sign_up_code_and_no_demo() {
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    config.addr = "0.0.0.0:0".parse().unwrap();
    config.sign_up_code = Some("a code only the team knows".into());

    assert!(app(&config).await.is_ok());
}

#[tokio::test]
async fn pages_and_api_answers_carry_the_content_security_policy_and_the_other_security_headers() {
    let app = spawn_app().await;

    for path in ["/", "/r/somewhere/", "/js/app.js", "/health", "/v1/restaurants/nowhere/menu"] {
        let response = app.get(path, None).await;
        let headers = response.headers();
        let csp = headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        for directive in ["default-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"] {
            assert!(csp.split("; ").any(|d| d == directive), "{path}: {directive} in {csp:?}");
        }
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
    }
}
