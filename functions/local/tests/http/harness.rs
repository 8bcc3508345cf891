//! `spawn_app`: the local server on a free loopback port with a private data directory.

use std::net::SocketAddr;
use std::path::PathBuf;

use bistro_local::{LocalConfig, StoreChoice, app};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// The server's state, for running its hourly chores at once.
    pub state: Option<bistro_api::state::AppState>,
    /// The server's data, removed with the test app.
    _data: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// What the tests' servers run with: loopback, SQLite in `data`, no demo, no limits.
pub fn test_config(data: &std::path::Path) -> LocalConfig {
    LocalConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.to_owned(),
        store: StoreChoice::Sqlite,
        rate_limit: 0,
        client_budget: bistro_api::limits::CLIENT_BUDGET,
        static_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static-site"),
        sign_up_code: None,
        seed_demo: false,
        rotate_signing_key: false,
        expose: false,
        held: bistro_domain::offer::Held::NONE,
        backups: None,
        payments: bistro_local::PaymentsChoice::Off,
    }
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut LocalConfig)) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    adjust(&mut config);
    let router = app(&config).await.expect("the app starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(
        async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await },
    );
    TestApp { base: format!("http://{address}"), client: Client::new(), state: None, _data: data }
}

/// The local server taking payments through a fake Stripe (platform fee: 30 cents and 1.5 % on
/// euros), whose webhooks reach the server.
pub async fn spawn_paying_app() -> (TestApp, bistro_payments::fake::FakeStripe) {
    let data = tempfile::tempdir().unwrap();
    let mut config = test_config(data.path());
    let fees = bistro_domain::payment::PlatformFees::parse("EUR:30+1.5%").unwrap();
    config.payments = bistro_local::PaymentsChoice::Fake { fees };
    let served = bistro_local::app_with_payments(&config).await.expect("the app starts");
    let (router, fake, state) = (served.router, served.fake.expect("a fake Stripe"), served.state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(
        async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await },
    );
    fake.send_webhooks_to(&format!("http://{address}/v1/payments/stripe/events"));
    (TestApp { base: format!("http://{address}"), client: Client::new(), state: Some(state), _data: data }, fake)
}

/// A restaurant open around the clock in Berlin, with tables 1–5 and all order kinds.
pub fn restaurant_json(slug: &str) -> Value {
    let day = json!([{"opens": "00:00", "closes": "00:00"}]);
    json!({
        "slug": slug,
        "name": format!("Restaurant {slug}"),
        "currency": "EUR",
        "time_zone": "Europe/Berlin",
        "hours": {"weekly": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day}},
        "order_kinds": {"dine_in": true, "pickup": true, "delivery": true},
        "tables": ["1", "2", "3", "4", "5"],
        "tax": {"rate": 1900, "mode": "inclusive"},
        "reservations": {"slot_minutes": 30, "seating_minutes": 90, "covers_per_slot": 20, "party_min": 1, "party_max": 8, "lead_minutes": 0, "horizon_days": 60}
    })
}

pub fn pizza_json() -> Value {
    json!({
        "id": "pizza",
        "item": {
            "category": "mains",
            "name": "Pizza",
            "description": "Tomato, mozzarella",
            "price": {"minor": 900, "currency": "EUR"},
            "allergens": ["gluten", "milk"],
            "dietary": ["vegetarian"],
            "option_groups": [{"id": "size", "name": "Size", "min_choices": 1, "max_choices": 1,
                "options": [{"id": "regular", "name": "Regular", "price_delta": {"minor": 0, "currency": "EUR"}},
                            {"id": "large", "name": "Large", "price_delta": {"minor": 300, "currency": "EUR"}}]}]
        }
    })
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    /// Where this server keeps its data (unless the test named its own directory).
    pub fn data_dir(&self) -> &std::path::Path {
        self._data.path()
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(method, path, token).json(body).send().await.unwrap()
    }

    /// Creates a restaurant with an owner; returns the owner's token.
    pub async fn sign_up(&self, slug: &str) -> String {
        let body = json!({"restaurant": restaurant_json(slug), "owner": {"email": format!("owner@{slug}.test"), "name": "Owner", "password": "correct horse battery"}});
        let response = self.send(Method::POST, "/v1/restaurants", None, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        json_of(response).await["session"]["token"].as_str().unwrap().to_owned()
    }

    /// The owner hires someone with `role`; returns their token after they log in.
    pub async fn hire(&self, slug: &str, owner: &str, role: &str) -> (String, String) {
        let email = format!("{role}-{}@{slug}.test", &bistro_domain::ids::Token::generate().as_str()[..6]);
        let body = json!({"email": email, "name": role, "password": "a long staff password", "role": role});
        let response = self.send(Method::POST, &format!("/v1/restaurants/{slug}/staff"), Some(owner), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        let id = json_of(response).await["id"].as_str().unwrap().to_owned();
        (self.login(slug, &email, "a long staff password").await, id)
    }

    /// What a login with `password` is answered, success or not.
    pub async fn login_status(&self, slug: &str, email: &str, password: &str) -> StatusCode {
        let body = json!({"email": email, "password": password});
        self.send(Method::POST, &format!("/v1/restaurants/{slug}/login"), None, &body).await.status()
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) -> String {
        let response = self
            .send(
                Method::POST,
                &format!("/v1/restaurants/{slug}/login"),
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        json_of(response).await["token"].as_str().unwrap().to_owned()
    }

    /// A restaurant with a "mains" category and a pizza; returns the owner's token.
    pub async fn restaurant_with_pizza(&self, slug: &str) -> String {
        let owner = self.sign_up(slug).await;
        let category = json!({"id": "mains", "name": "Mains", "position": 1});
        let response =
            self.send(Method::POST, &format!("/v1/restaurants/{slug}/menu/categories"), Some(&owner), &category).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        let response =
            self.send(Method::POST, &format!("/v1/restaurants/{slug}/menu/items"), Some(&owner), &pizza_json()).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
        owner
    }

    /// A cart holding `quantity` regular pizzas; returns its token.
    pub async fn cart_with_pizza(&self, slug: &str, quantity: u32) -> String {
        let cart =
            json_of(self.request(Method::POST, &format!("/v1/restaurants/{slug}/carts"), None).send().await.unwrap())
                .await;
        let token = cart["token"].as_str().unwrap().to_owned();
        let line = json!({"item": "pizza", "choices": [{"group": "size", "option": "regular"}], "quantity": quantity});
        let response =
            self.send(Method::POST, &format!("/v1/restaurants/{slug}/carts/{token}/lines"), None, &line).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        token
    }

    /// POSTs `body` to `path` with an idempotency key, as a guest's page does for orders and bookings.
    pub async fn post_keyed(&self, path: &str, key: &str, body: &Value) -> Response {
        self.request(Method::POST, path, None).header("Idempotency-Key", key).json(body).send().await.unwrap()
    }

    /// Places a pickup order from `cart` with `key`; returns the response.
    pub async fn place(&self, slug: &str, cart: &str, key: &str) -> Response {
        let body = json!({"cart": cart, "kind": {"type": "pickup"}, "customer": {"name": "Ada"}});
        self.request(Method::POST, &format!("/v1/restaurants/{slug}/orders"), None)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn json_of(response: Response) -> Value {
    response.json().await.unwrap()
}

/// Asserts the response is problem+json with `status` and `code`.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body = json_of(response).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}
