//! Reads that may be a moment old (`get_recent`) never make the API refuse what the latest data
//! allows: a store that serves an older copy of one item for such reads stands in for a lagging
//! DynamoDB replica.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use bistro_api::auth::Auth;
use bistro_api::signing::KeyRing;
use bistro_api::{AppState, api};
use bistro_domain::jiff::Timestamp;
use bistro_domain::order::{Actor, OrderState};
use bistro_domain::restaurant::Role;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::IdempotencyKey;
use bistro_store::seam::{Item, Key, Page, Query, SeamError, Store, Write};
use bistro_store::{Repos, keys};
use bistro_testkit::fixtures;

/// SQLite, except that moment-old reads of a frozen key return the copy taken when it froze.
#[derive(Debug)]
struct LaggingStore {
    inner: SqliteStore,
    frozen: Mutex<HashMap<Key, Option<Item>>>,
}

impl LaggingStore {
    async fn freeze(&self, key: &Key) {
        let copy = self.inner.get(key).await.unwrap();
        self.frozen.lock().unwrap().insert(key.clone(), copy);
    }
}

#[async_trait]
impl Store for LaggingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.inner.get(key).await
    }
    async fn get_recent(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        let frozen = self.frozen.lock().unwrap().get(key).cloned();
        match frozen {
            Some(copy) => Ok(copy),
            None => self.inner.get(key).await,
        }
    }
    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        self.inner.write(write).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        self.inner.transact(writes).await
    }
    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        self.inner.query(query).await
    }
    async fn ping(&self) -> Result<(), SeamError> {
        self.inner.ping().await
    }
}

#[tokio::test]
async fn a_transition_judged_on_a_moment_old_order_is_judged_again_on_the_latest() {
    // Arrange: an order accepted a moment ago, still "placed" in the lagging copy.
    let store = Arc::new(LaggingStore { inner: SqliteStore::in_memory().unwrap(), frozen: Mutex::default() });
    let repos = Repos::new(store.clone());
    let restaurant = fixtures::restaurant("roma");
    let chef = fixtures::account("roma", "chef@example.com", Role::Owner);
    repos.restaurants.create(&restaurant, &chef).await.unwrap();
    let today = restaurant.time_zone.today(Timestamp::now());
    let key = IdempotencyKey { key: "k".into(), fingerprint: "f".into() };
    let mut order = fixtures::place(&repos.orders, &key, fixtures::new_order("roma", today)).await.unwrap().value;
    store.freeze(&keys::order(&restaurant.slug, &order.id)).await;
    let staff = Actor::Staff { user: chef.id.clone(), role: chef.role };
    order.transition(OrderState::Accepted, staff, Timestamp::now()).unwrap();
    repos.orders.save(&order).await.unwrap();
    let auth = Auth::with_key_ring(&KeyRing::generate().unwrap()).unwrap();
    let token = auth.issue(&chef).await.unwrap();
    let app = api(AppState::new(store, auth));

    // Act: accepted → preparing, which the lagging "placed" copy alone would refuse.
    let request = Request::post(format!("/v1/restaurants/roma/orders/{}/transitions", order.id))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"to":"preparing"}"#))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();

    // Assert
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let latest = repos.orders.get(&restaurant.slug, &order.id).await.unwrap();
    assert_eq!(latest.state, OrderState::Preparing);
}
