//! On Lambda each instance keeps an account's session number for a short window: a revoked
//! token goes on working there for at most that window, and not a moment longer.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use bistro_api::auth::Auth;
use bistro_api::signing::KeyRing;
use bistro_api::{AppState, api};
use bistro_domain::restaurant::Role;
use bistro_domain::staff::{StaffChange, decide};
use bistro_store::Repos;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_testkit::fixtures;

const WINDOW: Duration = Duration::from_millis(600);

async fn staff_list(app: &Router, token: &str) -> StatusCode {
    let request = Request::get("/v1/restaurants/roma/staff")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn a_removed_accounts_token_is_refused_once_the_instances_window_has_passed() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let repos = Repos::new(store.clone());
    let owner = fixtures::account("roma", "owner@roma.test", Role::Owner);
    let manager = fixtures::account("roma", "manager@roma.test", Role::Manager);
    repos.restaurants.create(&fixtures::restaurant("roma"), &owner).await.unwrap();
    repos.restaurants.add_account(&manager).await.unwrap();
    let auth = Auth::with_key_ring(&KeyRing::generate().unwrap()).unwrap();
    let token = auth.issue(&manager).await.unwrap();
    let app = api(AppState::new(store, auth).with_session_cache(WINDOW));
    assert_eq!(staff_list(&app, &token).await, StatusCode::OK, "read and kept by this instance");

    let roster = repos.restaurants.roster(&manager.restaurant).await.unwrap();
    let accounts: Vec<_> = roster.iter().map(|a| a.value.clone()).collect();
    let removal = decide(&accounts, vec![(manager.id.clone(), StaffChange::Remove)]).unwrap();
    repos.restaurants.apply(&roster, &removal).await.unwrap();

    assert_eq!(staff_list(&app, &token).await, StatusCode::OK, "within the window this instance has not read again");
    tokio::time::sleep(WINDOW).await;
    assert_eq!(staff_list(&app, &token).await, StatusCode::UNAUTHORIZED);
}
