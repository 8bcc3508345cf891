//! Pictures and the published menu with S3 (moto) as the blob engine, as on AWS.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use bistro_api::auth::Auth;
use bistro_api::publish::menu_key;
use bistro_api::{AppState, api};
use bistro_domain::ids::Slug;
use bistro_store::blob::BlobStore;
use bistro_store::blob::s3::S3Blobs;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_testkit::moto;
use serde_json::{Value, json};

struct App {
    base: String,
    client: reqwest::Client,
    site: Arc<S3Blobs>,
    media: Arc<S3Blobs>,
}

async fn bucket(prefix: &str) -> Arc<S3Blobs> {
    let blobs = S3Blobs::new(S3Blobs::emulator_client(&moto::server().endpoint).await, moto::unique_name(prefix));
    blobs.create_bucket_if_missing().await.unwrap();
    Arc::new(blobs)
}

async fn spawn() -> App {
    let (media, site) = (bucket("media").await, bucket("site").await);
    let state = AppState::new(
        Arc::new(SqliteStore::in_memory().unwrap()),
        Auth::with_key_ring(&bistro_api::signing::KeyRing::generate().unwrap()).unwrap(),
    )
    .with_blobs(media.clone(), site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api(state)).await });
    App { base, client: reqwest::Client::new(), site, media }
}

impl App {
    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// A restaurant with a pizza; the owner's token.
    async fn restaurant(&self, slug: &str) -> String {
        let day = json!([{"opens": "00:00", "closes": "00:00"}]);
        let restaurant = json!({
            "slug": slug, "name": "S3 Test", "currency": "EUR", "time_zone": "Europe/Berlin",
            "hours": {"weekly": {"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day, "saturday": day, "sunday": day}},
            "order_kinds": {"dine_in": true, "pickup": true, "delivery": false}, "tables": ["1"],
            "tax": {"rate": 1900, "mode": "inclusive"},
            "reservations": {"slot_minutes": 30, "seating_minutes": 90, "covers_per_slot": 20, "party_min": 1, "party_max": 8, "lead_minutes": 0, "horizon_days": 60}
        });
        let (status, body) = self.call(reqwest::Method::POST, "/v1/restaurants", None, json!({"restaurant": restaurant, "owner": {"email": "o@s3.test", "name": "O", "password": "a long enough password"}})).await;
        assert_eq!(status, 201, "{body}");
        let token = body["session"]["token"].as_str().unwrap().to_owned();
        self.call(
            reqwest::Method::POST,
            &format!("/v1/restaurants/{slug}/menu/categories"),
            Some(&token),
            json!({"id": "mains", "name": "Mains", "position": 1}),
        )
        .await;
        let pizza = json!({"id": "pizza", "item": {"category": "mains", "name": "Pizza", "price": {"minor": 900, "currency": "EUR"}}});
        self.call(reqwest::Method::POST, &format!("/v1/restaurants/{slug}/menu/items"), Some(&token), pizza).await;
        token
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn a_picture_uploaded_to_a_presigned_s3_url_is_attached() {
    let app = spawn().await;
    let owner = app.restaurant("s3pics").await;
    let (status, grant) = app
        .call(
            reqwest::Method::POST,
            "/v1/restaurants/s3pics/menu/images",
            Some(&owner),
            json!({"content_type": "image/png", "size": PNG.len()}),
        )
        .await;
    assert_eq!(status, 201, "{grant}");
    assert!(grant["url"].as_str().unwrap().starts_with(&moto::server().endpoint), "the browser uploads straight to S3");

    let mut upload = app.client.put(grant["url"].as_str().unwrap()).body(PNG.to_vec());
    for header in grant["headers"].as_array().unwrap() {
        upload = upload.header(header["name"].as_str().unwrap(), header["value"].as_str().unwrap());
    }
    assert!(upload.send().await.unwrap().status().is_success());
    let item = json!({"item": {"category": "mains", "name": "Pizza", "price": {"minor": 900, "currency": "EUR"}, "image_key": grant["image_key"]}, "version": 1});
    let (status, body) =
        app.call(reqwest::Method::PUT, "/v1/restaurants/s3pics/menu/items/pizza", Some(&owner), item).await;

    assert_eq!(status, 200, "{body}");
    let upload_key = grant["image_key"].as_str().unwrap();
    let attached = body["image_key"].as_str().unwrap();
    assert!(
        upload_key.starts_with("uploads/s3pics/") && attached.starts_with("r/s3pics/items/"),
        "{upload_key} → {attached}"
    );
    let copy = app.media.get(attached).await.unwrap().expect("the picture was copied to its place");
    assert_eq!((copy.bytes.as_slice(), copy.content_type.as_str()), (PNG, "image/png"));
}

#[tokio::test]
async fn the_media_buckets_expiry_rule_for_uploads_is_one_s3_takes() {
    // The rule cdk/lib/data-stack.ts puts on the media bucket (its CDK test holds the template to
    // it). Moto checks and stores the rule but never runs it; the local server runs the same rule.
    let media = S3Blobs::emulator_client(&moto::server().endpoint).await;
    let bucket = moto::unique_name("lifecycle");
    media.create_bucket().bucket(&bucket).send().await.unwrap();
    let rule = aws_sdk_s3::types::LifecycleRule::builder()
        .id("ExpireUnattachedUploads")
        .status(aws_sdk_s3::types::ExpirationStatus::Enabled)
        .filter(aws_sdk_s3::types::LifecycleRuleFilter::builder().prefix("uploads/").build())
        .expiration(
            aws_sdk_s3::types::LifecycleExpiration::builder()
                .days(i32::try_from(bistro_api::images::UPLOAD_EXPIRY_DAYS).unwrap())
                .build(),
        )
        .build()
        .unwrap();
    let rules = aws_sdk_s3::types::BucketLifecycleConfiguration::builder().rules(rule).build().unwrap();
    media.put_bucket_lifecycle_configuration().bucket(&bucket).lifecycle_configuration(rules).send().await.unwrap();

    let stored = media.get_bucket_lifecycle_configuration().bucket(&bucket).send().await.unwrap();
    let rule = &stored.rules()[0];
    assert_eq!(rule.expiration().and_then(|e| e.days()), Some(1));
    let slug = Slug::parse("any").unwrap();
    assert!(bistro_api::images::upload_prefix(&slug).starts_with("uploads/"), "every upload falls under the rule");
}

#[tokio::test]
async fn a_picture_not_uploaded_or_not_an_image_is_refused_on_s3() {
    let app = spawn().await;
    let owner = app.restaurant("s3bad").await;
    let (_, grant) = app
        .call(
            reqwest::Method::POST,
            "/v1/restaurants/s3bad/menu/images",
            Some(&owner),
            json!({"content_type": "image/jpeg", "size": 5}),
        )
        .await;
    let item = |key: &Value| json!({"item": {"category": "mains", "name": "Pizza", "price": {"minor": 900, "currency": "EUR"}, "image_key": key}, "version": 1});

    let (missing, body) = app
        .call(reqwest::Method::PUT, "/v1/restaurants/s3bad/menu/items/pizza", Some(&owner), item(&grant["image_key"]))
        .await;
    assert_eq!((missing, body["code"].as_str()), (422, Some("image_not_uploaded")));

    let mut upload = app.client.put(grant["url"].as_str().unwrap()).body(b"hello".to_vec());
    for header in grant["headers"].as_array().unwrap() {
        upload = upload.header(header["name"].as_str().unwrap(), header["value"].as_str().unwrap());
    }
    upload.send().await.unwrap();
    let (wrong, body) = app
        .call(reqwest::Method::PUT, "/v1/restaurants/s3bad/menu/items/pizza", Some(&owner), item(&grant["image_key"]))
        .await;
    assert_eq!((wrong, body["code"].as_str()), (422, Some("invalid_image")));
    let (gif, body) = app
        .call(
            reqwest::Method::POST,
            "/v1/restaurants/s3bad/menu/images",
            Some(&owner),
            json!({"content_type": "image/gif", "size": 5}),
        )
        .await;
    assert_eq!((gif, body["code"].as_str()), (422, Some("unsupported_image_type")));
}

#[tokio::test]
async fn a_menu_edit_publishes_a_document_equal_to_the_apis_menu_to_the_site_bucket() {
    let app = spawn().await;
    let owner = app.restaurant("s3menu").await;

    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            "/v1/restaurants/s3menu/menu/items/pizza/sold-out",
            Some(&owner),
            json!({"sold_out": true, "version": 1}),
        )
        .await;

    assert_eq!(status, 200);
    let blob = app.site.get(&menu_key(&Slug::parse("s3menu").unwrap())).await.unwrap().expect("published");
    let document: Value = serde_json::from_slice(&blob.bytes).unwrap();
    let (_, page) = app.call(reqwest::Method::GET, "/v1/restaurants/s3menu/menu?limit=200", None, Value::Null).await;
    assert_eq!(
        (document["categories"].clone(), document["items"].clone()),
        (page["categories"].clone(), page["items"].clone())
    );
    assert_eq!(document["items"][0]["sold_out"], true);
    assert_eq!(blob.cache_control.as_deref(), Some("public, max-age=30, stale-while-revalidate=60"));
}
