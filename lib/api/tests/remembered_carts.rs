//! Two instances of the API over one store, as two Lambda instances over one table: what one of
//! them remembers of a cart never makes it order a cart the guest has changed or ordered since.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use bistro_api::auth::Auth;
use bistro_api::signing::KeyRing;
use bistro_api::{AppState, api};
use bistro_domain::restaurant::Role;
use bistro_store::Repos;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::seam::{Item, Key, Page, Query, SeamError, Store, Write};
use bistro_testkit::fixtures;

/// A store that counts the reads of carts, as an instance of the orders function makes them.
#[derive(Debug)]
struct CountingCartReads {
    inner: SqliteStore,
    cart_reads: AtomicUsize,
}

#[async_trait::async_trait]
impl Store for CountingCartReads {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        if key.pk.contains("#CART#") {
            self.cart_reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.get(key).await
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

async fn two_instances() -> (Router, Router) {
    two_instances_over(Arc::new(SqliteStore::in_memory().unwrap())).await
}

async fn two_instances_over(store: Arc<dyn Store>) -> (Router, Router) {
    let repos = Repos::new(Arc::clone(&store));
    let restaurant = fixtures::restaurant("roma");
    repos.restaurants.create(&restaurant, &fixtures::account("roma", "chef@example.com", Role::Owner)).await.unwrap();
    repos.menus.put_category(&restaurant.slug, &fixtures::category("mains", 10), None).await.unwrap();
    for (dish, price) in [("pizza", 900), ("salad", 650)] {
        repos.menus.create_item(&restaurant.slug, &fixtures::menu_item(dish, price)).await.unwrap();
    }
    let instance = || {
        let auth = Auth::with_key_ring(&KeyRing::generate().unwrap()).unwrap();
        api(AppState::new(Arc::clone(&store), auth))
    };
    (instance(), instance())
}

async fn call(app: &Router, path: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut request = Request::post(format!("/v1/restaurants/roma{path}")).header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = app.clone().oneshot(request.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn cart_with_pizza(app: &Router) -> String {
    let (_, cart) = call(app, "/carts", None, json!({})).await;
    let token = cart["token"].as_str().unwrap().to_owned();
    let (status, _) = call(app, &format!("/carts/{token}/lines"), None, json!({"item": "pizza", "quantity": 1})).await;
    assert_eq!(status, StatusCode::OK);
    token
}

fn pickup(cart: &str) -> Value {
    json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}})
}

fn dishes(placed: &Value) -> Vec<&str> {
    placed["order"]["lines"].as_array().unwrap().iter().map(|line| line["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn an_order_holds_what_the_guest_added_through_another_instance() {
    // Arrange: instance A saw the cart with a pizza; the salad was added through B.
    let (a, b) = two_instances().await;
    let cart = cart_with_pizza(&a).await;
    let (status, _) = call(&b, &format!("/carts/{cart}/lines"), None, json!({"item": "salad", "quantity": 1})).await;
    assert_eq!(status, StatusCode::OK);

    // Act
    let (status, placed) = call(&a, "/orders", Some("order-1"), pickup(&cart)).await;

    // Assert
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(dishes(&placed), ["pizza", "salad"]);
    assert_eq!(placed["order"]["totals"]["total"]["minor"], 1550);
}

#[tokio::test]
async fn a_retry_through_an_instance_that_remembers_the_cart_gets_the_order_placed_through_another() {
    // Arrange: the order was placed through B; A still remembers the cart it held.
    let (a, b) = two_instances().await;
    let cart = cart_with_pizza(&a).await;
    let (status, first) = call(&b, "/orders", Some("order-1"), pickup(&cart)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    // Act
    let (status, again) = call(&a, "/orders", Some("order-1"), pickup(&cart)).await;

    // Assert
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["order"]["id"], first["order"]["id"]);
}

#[tokio::test]
async fn a_cart_ordered_through_another_instance_is_not_ordered_again_under_another_key() {
    // Arrange
    let (a, b) = two_instances().await;
    let cart = cart_with_pizza(&a).await;
    let (status, first) = call(&b, "/orders", Some("order-1"), pickup(&cart)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    // Act
    let (status, refused) = call(&a, "/orders", Some("order-2"), pickup(&cart)).await;

    // Assert: the cart is gone, so nothing is ordered twice.
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
}

#[tokio::test]
async fn a_cart_remembered_empty_is_ordered_with_what_was_added_through_another_instance() {
    // Arrange: A opened the cart and remembers it empty; the pizza was added through B.
    let (a, b) = two_instances().await;
    let (_, opened) = call(&a, "/carts", None, json!({})).await;
    let cart = opened["token"].as_str().unwrap().to_owned();
    let (status, _) = call(&b, &format!("/carts/{cart}/lines"), None, json!({"item": "pizza", "quantity": 1})).await;
    assert_eq!(status, StatusCode::OK);

    // Act
    let (status, placed) = call(&a, "/orders", Some("order-1"), pickup(&cart)).await;

    // Assert: the refusal the remembered copy would earn ("the cart is empty") is not given.
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(dishes(&placed), ["pizza"]);
}

#[tokio::test]
async fn an_instance_that_never_saw_the_cart_reads_it_once_even_for_a_refused_order() {
    // Arrange: the cart was filled through A; B, which never saw it, places it, then is asked
    // to place another cart under the same key (a refusal: the key is taken).
    let store =
        Arc::new(CountingCartReads { inner: SqliteStore::in_memory().unwrap(), cart_reads: AtomicUsize::new(0) });
    let (a, b) = two_instances_over(store.clone()).await;
    let (first, second) = (cart_with_pizza(&a).await, cart_with_pizza(&a).await);
    let (status, placed) = call(&b, "/orders", Some("order-1"), pickup(&first)).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let before = store.cart_reads.load(Ordering::SeqCst);

    // Act
    let (status, refused) = call(&b, "/orders", Some("order-1"), pickup(&second)).await;

    // Assert
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(store.cart_reads.load(Ordering::SeqCst) - before, 1, "the refused placement read its cart once");
}
