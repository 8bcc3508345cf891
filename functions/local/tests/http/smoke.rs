//! `scripts/smoke`, the pipeline's check after each deploy, against the local server: it passes
//! on a running Bistro and names the check that failed on one that is not right.

use std::process::Command;

use crate::harness::spawn_app_with;

fn smoke(base: &str, slug: &str) -> std::process::Output {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smoke");
    Command::new("python3").arg(script).args([base, slug]).output().expect("python3 runs scripts/smoke")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smoke_check_passes_against_the_local_server_and_names_what_fails() {
    let app = spawn_app_with(|config| config.seed_demo = true).await;
    let base = app.base.clone();

    let passed = tokio::task::spawn_blocking({
        let base = base.clone();
        move || smoke(&base, bistro_local::demo::SLUG)
    })
    .await
    .unwrap();
    let failed = tokio::task::spawn_blocking(move || smoke(&base, "no-such-place")).await.unwrap();

    let said = String::from_utf8_lossy(&passed.stdout);
    assert!(passed.status.success(), "{said}{}", String::from_utf8_lossy(&passed.stderr));
    assert_eq!(said.lines().filter(|line| line.ends_with(": ok")).count(), 3, "{said}");
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("the menu through the API failed"));
}
