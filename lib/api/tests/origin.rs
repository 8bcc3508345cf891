//! The origin check: only a secret whose digest the table names passes, and a new one passes
//! once the table names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use bistro_api::origin::{OriginCheck, digest_of};
use bistro_store::Repos;
use bistro_store::engine::sqlite::SqliteStore;

const FIRST: &str = "the first origin secret, at least 32 characters";
const SECOND: &str = "the second origin secret, at least 32 characters";

async fn repos_accepting(secrets: &[&str]) -> Repos {
    let repos = Repos::new(Arc::new(SqliteStore::in_memory().unwrap()));
    for secret in secrets {
        repos.signing_keys.accept_origin_digest(&digest_of(secret)).await.unwrap();
    }
    repos
}

#[tokio::test]
async fn before_any_secret_is_set_nothing_is_admitted() {
    let check = OriginCheck::new(repos_accepting(&[]).await.signing_keys);
    assert!(!check.admits(Some(FIRST)).await.unwrap());
    assert!(!check.admits(None).await.unwrap());
}

#[tokio::test]
async fn the_secret_the_table_names_is_admitted_and_no_other_and_no_empty_one() {
    let check = OriginCheck::new(repos_accepting(&[FIRST]).await.signing_keys);
    assert!(check.admits(Some(FIRST)).await.unwrap());
    assert!(!check.admits(Some(SECOND)).await.unwrap());
    assert!(!check.admits(Some("")).await.unwrap());
}

#[tokio::test]
async fn a_new_secret_leaves_the_one_before_it_admitted_and_retires_the_one_before_that() {
    let repos = repos_accepting(&[FIRST, SECOND]).await;
    let third = "the third origin secret, at least 32 characters";
    assert!(OriginCheck::new(repos.signing_keys.clone()).admits(Some(FIRST)).await.unwrap());

    repos.signing_keys.accept_origin_digest(&digest_of(third)).await.unwrap();

    let check = OriginCheck::new(repos.signing_keys.clone());
    assert!(check.admits(Some(third)).await.unwrap());
    assert!(check.admits(Some(SECOND)).await.unwrap());
    assert!(!check.admits(Some(FIRST)).await.unwrap());
}
