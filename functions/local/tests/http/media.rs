//! Pictures and the published menu on the local server (folder engine).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, pizza_json, spawn_app, spawn_app_with};

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x02, 0x03];

async fn grant(app: &TestApp, slug: &str, owner: &str, content_type: &str, size: usize) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/v1/restaurants/{slug}/menu/images"),
        Some(owner),
        &json!({"content_type": content_type, "size": size}),
    )
    .await
}

/// Uploads `bytes` as the grant says; returns the upload's status.
async fn upload(app: &TestApp, grant: &Value, bytes: &[u8]) -> StatusCode {
    let mut request = app.client.put(format!("{}{}", app.base, grant["url"].as_str().unwrap())).body(bytes.to_vec());
    for header in grant["headers"].as_array().unwrap() {
        request = request.header(header["name"].as_str().unwrap(), header["value"].as_str().unwrap());
    }
    request.send().await.unwrap().status()
}

pub(crate) async fn attach(app: &TestApp, slug: &str, owner: &str, image_key: &str) -> reqwest::Response {
    let current = json_of(app.get(&format!("/v1/restaurants/{slug}/menu/items/pizza"), None).await).await;
    let mut item = pizza_json()["item"].clone();
    item["image_key"] = json!(image_key);
    app.send(
        Method::PUT,
        &format!("/v1/restaurants/{slug}/menu/items/pizza"),
        Some(owner),
        &json!({"item": item, "version": current["version"]}),
    )
    .await
}

#[tokio::test]
async fn an_uploaded_picture_is_attached_and_shows_at_its_media_url() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pics").await;
    let granted = json_of(grant(&app, "pics", &owner, "image/jpeg", JPEG.len()).await).await;

    assert_eq!(upload(&app, &granted, JPEG).await, StatusCode::OK);
    let key = granted["image_key"].as_str().unwrap();
    assert!(key.starts_with("uploads/pics/"), "{key}");
    let attached = attach(&app, "pics", &owner, key).await;

    assert_eq!(attached.status(), StatusCode::OK);
    let attached = json_of(attached).await["image_key"].as_str().unwrap().to_owned();
    assert!(attached.starts_with("r/pics/items/"), "attached pictures live apart from uploads: {attached}");
    let served = app.get(&format!("/media/{attached}"), None).await;
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG);
}

#[tokio::test]
async fn a_replaced_picture_and_a_deleted_dishs_picture_are_no_longer_served() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("gone").await;
    let first = uploaded(&app, "gone", &owner, JPEG).await;
    let first = json_of(attach(&app, "gone", &owner, &first).await).await["image_key"].as_str().unwrap().to_owned();
    let second = uploaded(&app, "gone", &owner, JPEG).await;

    let replaced = json_of(attach(&app, "gone", &owner, &second).await).await;
    let second = replaced["image_key"].as_str().unwrap().to_owned();
    let first_after_replacing = app.get(&format!("/media/{first}"), None).await.status();
    let path = format!("/v1/restaurants/gone/menu/items/pizza?version={}", replaced["version"]);
    let deleted = app.request(Method::DELETE, &path, Some(&owner)).send().await.unwrap();
    let second_after_deleting = app.get(&format!("/media/{second}"), None).await.status();

    assert_eq!(first_after_replacing, StatusCode::NOT_FOUND, "the replaced picture");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(second_after_deleting, StatusCode::NOT_FOUND, "the deleted dish's picture");
}

#[tokio::test]
async fn a_picture_another_dish_still_shows_stays_when_one_dish_lets_it_go() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("shared").await;
    let key = uploaded(&app, "shared", &owner, JPEG).await;
    let attached = json_of(attach(&app, "shared", &owner, &key).await).await;
    let key = attached["image_key"].as_str().unwrap().to_owned();
    let mut twin = pizza_json();
    twin["id"] = json!("twin");
    twin["item"]["name"] = json!("Twin");
    twin["item"]["image_key"] = json!(key);
    let created = app.send(Method::POST, "/v1/restaurants/shared/menu/items", Some(&owner), &twin).await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let path = format!("/v1/restaurants/shared/menu/items/pizza?version={}", attached["version"]);
    let deleted = app.request(Method::DELETE, &path, Some(&owner)).send().await.unwrap();

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/media/{key}"), None).await.status(), StatusCode::OK, "the twin still shows it");
}

/// Grants and uploads `bytes` as a JPEG; returns its upload key.
pub(crate) async fn uploaded(app: &TestApp, slug: &str, owner: &str, bytes: &[u8]) -> String {
    let granted = json_of(grant(app, slug, owner, "image/jpeg", bytes.len()).await).await;
    assert_eq!(upload(app, &granted, bytes).await, StatusCode::OK);
    granted["image_key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_pictures_smaller_copies_are_attached_with_it_and_published_with_their_widths() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("sizes").await;
    let original = uploaded(&app, "sizes", &owner, JPEG).await;
    let small = uploaded(&app, "sizes", &owner, &[JPEG, b"320"].concat()).await;
    let current = json_of(app.get("/v1/restaurants/sizes/menu/items/pizza", None).await).await;
    let mut item = pizza_json()["item"].clone();
    item["image_key"] = json!(original);
    item["image_variants"] = json!([{"key": small, "width": 320}]);

    let response = app
        .send(
            Method::PUT,
            "/v1/restaurants/sizes/menu/items/pizza",
            Some(&owner),
            &json!({"item": item, "version": current["version"]}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let menu = published(&app, "sizes").await;
    let variant = &menu["items"][0]["image_variants"][0];
    assert_eq!(variant["width"], 320);
    let key = variant["key"].as_str().unwrap();
    assert!(key.starts_with("r/sizes/items/"), "{key}");
    let served = app.get(&format!("/media/{key}"), None).await;
    assert_eq!(served.bytes().await.unwrap().as_ref(), [JPEG, b"320"].concat());
}

#[tokio::test]
async fn smaller_copies_without_the_picture_are_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("orphans").await;
    let small = uploaded(&app, "orphans", &owner, JPEG).await;
    let current = json_of(app.get("/v1/restaurants/orphans/menu/items/pizza", None).await).await;
    let mut item = pizza_json()["item"].clone();
    item["image_variants"] = json!([{"key": small, "width": 320}]);

    let response = app
        .send(
            Method::PUT,
            "/v1/restaurants/orphans/menu/items/pizza",
            Some(&owner),
            &json!({"item": item, "version": current["version"]}),
        )
        .await;

    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_item").await;
    let name = small.strip_prefix("uploads/orphans/").unwrap();
    let copied = app.get(&format!("/media/r/orphans/items/{name}"), None).await;
    assert_eq!(copied.status(), StatusCode::NOT_FOUND, "a refused item copies no picture");
}

#[tokio::test]
async fn an_upload_replaced_after_it_was_attached_changes_nothing_the_menu_shows() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("swap").await;
    let granted = json_of(grant(&app, "swap", &owner, "image/jpeg", JPEG.len()).await).await;
    upload(&app, &granted, JPEG).await;
    let attached = json_of(attach(&app, "swap", &owner, granted["image_key"].as_str().unwrap()).await).await;

    let mut other = JPEG.to_vec();
    other[JPEG.len() - 1] = b'!';
    assert_eq!(upload(&app, &granted, &other).await, StatusCode::OK, "the link still works for a while");

    let served = app.get(&format!("/media/{}", attached["image_key"].as_str().unwrap()), None).await;
    assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG, "what was checked is what is shown");
}

#[tokio::test]
async fn an_upload_never_attached_is_gone_a_day_later() {
    let data = tempfile::tempdir().unwrap();
    let old = data.path().join("media/uploads/late/forgotten.jpg");
    let fresh = data.path().join("media/uploads/late/just-now.jpg");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    for file in [&old, &fresh] {
        std::fs::write(file, JPEG).unwrap();
    }
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_days_ago).unwrap();

    let _app = crate::harness::spawn_app_with(|config| config.data_dir = data.path().to_owned()).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while old.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!old.exists(), "the server sweeps uploads older than a day");
    assert!(fresh.exists(), "and keeps the rest");
}

#[tokio::test]
async fn a_picture_that_is_not_jpeg_png_or_webp_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("gif").await;
    assert_problem(
        grant(&app, "gif", &owner, "image/gif", 100).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unsupported_image_type",
    )
    .await;
}

#[tokio::test]
async fn a_picture_over_5_mb_is_refused() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("huge").await;
    assert_problem(
        grant(&app, "huge", &owner, "image/png", 5 * 1024 * 1024 + 1).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "image_too_large",
    )
    .await;
}

#[tokio::test]
async fn an_upload_other_than_the_one_granted_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("bait").await;
    let granted = json_of(grant(&app, "bait", &owner, "image/jpeg", JPEG.len()).await).await;
    let mut forged = granted.clone();
    forged["url"] = json!(granted["url"].as_str().unwrap().replace("signature=", "signature=0"));

    let longer = upload(&app, &granted, &[JPEG, b"extra"].concat()).await;
    let tampered = upload(&app, &forged, JPEG).await;

    assert_eq!((longer, tampered), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::FORBIDDEN));
    let stored = app.data_dir().join("media").join(granted["image_key"].as_str().unwrap());
    assert!(!stored.exists(), "nothing was stored");
}

#[tokio::test]
async fn an_upload_is_not_served_before_it_is_attached() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("unseen").await;
    let granted = json_of(grant(&app, "unseen", &owner, "image/jpeg", JPEG.len()).await).await;
    assert_eq!(upload(&app, &granted, JPEG).await, StatusCode::OK);

    let served = app.get(&format!("/media/{}", granted["image_key"].as_str().unwrap()), None).await;

    assert_eq!(served.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_file_that_is_not_the_picture_it_claims_is_not_attached() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("svg").await;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>";
    let granted = json_of(grant(&app, "svg", &owner, "image/png", svg.len()).await).await;
    upload(&app, &granted, svg).await;

    let attached = attach(&app, "svg", &owner, granted["image_key"].as_str().unwrap()).await;

    assert_problem(attached, StatusCode::UNPROCESSABLE_ENTITY, "invalid_image").await;
    let pizza = json_of(app.get("/v1/restaurants/svg/menu/items/pizza", None).await).await;
    assert_eq!(pizza["image_key"], Value::Null);
}

#[tokio::test]
async fn a_picture_of_another_restaurant_or_never_uploaded_is_not_attached() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("mine").await;

    let foreign = attach(&app, "mine", &owner, "r/theirs/items/abc.jpg").await;
    let missing = attach(&app, "mine", &owner, "r/mine/items/never.jpg").await;

    assert_problem(foreign, StatusCode::UNPROCESSABLE_ENTITY, "foreign_image").await;
    assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "image_not_uploaded").await;
}

async fn published(app: &TestApp, slug: &str) -> Value {
    let response = app.get(&format!("/menus/{slug}.json"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_of(response).await
}

/// The API's public menu, every page, as the published document lists it.
async fn api_menu(app: &TestApp, slug: &str) -> (Value, Value) {
    let page = json_of(app.get(&format!("/v1/restaurants/{slug}/menu?limit=200"), None).await).await;
    (page["categories"].clone(), page["items"].clone())
}

#[tokio::test]
async fn a_price_edit_republishes_the_menu_within_the_same_request() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("pub").await;
    let before = published(&app, "pub").await;
    let mut item = pizza_json()["item"].clone();
    item["price"]["minor"] = json!(1234);

    app.send(Method::PUT, "/v1/restaurants/pub/menu/items/pizza", Some(&owner), &json!({"item": item, "version": 1}))
        .await;

    let after = published(&app, "pub").await;
    assert!(after["version"].as_u64() > before["version"].as_u64());
    assert_eq!(after["items"][0]["price"]["minor"], 1234);
    let (categories, items) = api_menu(&app, "pub").await;
    assert_eq!(
        (after["categories"].clone(), after["items"].clone()),
        (categories, items),
        "the document equals the API's menu"
    );
}

#[tokio::test]
async fn marking_an_item_sold_out_republishes_the_menu() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("gone").await;

    app.send(
        Method::PUT,
        "/v1/restaurants/gone/menu/items/pizza/sold-out",
        Some(&owner),
        &json!({"sold_out": true, "version": 1}),
    )
    .await;

    assert_eq!(published(&app, "gone").await["items"][0]["sold_out"], true);
}

#[tokio::test]
async fn the_published_menu_has_cache_headers_and_answers_304_when_unchanged() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("cache").await;

    let first = app.get("/menus/cache.json", None).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again =
        app.request(Method::GET, "/menus/cache.json", None).header("if-none-match", &etag).send().await.unwrap();

    assert_eq!(first.headers()["cache-control"], "public, max-age=30, stale-while-revalidate=60");
    assert_eq!(first.headers()["content-type"], "application/json");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn concurrent_edits_leave_the_newest_version_published() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("race").await;
    for n in 0..8 {
        let dish = json!({"id": format!("dish-{n}"), "item": {"category": "mains", "name": format!("Dish {n}"), "price": {"minor": 500, "currency": "EUR"}}});
        app.send(Method::POST, "/v1/restaurants/race/menu/items", Some(&owner), &dish).await;
    }

    let edits = (0..8).map(|n| {
        let (app, owner) = (&app, &owner);
        async move {
            let edit = json!({"sold_out": true, "version": 1});
            app.send(Method::PUT, &format!("/v1/restaurants/race/menu/items/dish-{n}/sold-out"), Some(owner), &edit)
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(edits).await;

    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    let document = published(&app, "race").await;
    let (_, items) = api_menu(&app, "race").await;
    assert_eq!(document["items"], items, "the newest menu is what is published");
    assert!(document["items"].as_array().unwrap().iter().filter(|i| i["id"] != "pizza").all(|i| i["sold_out"] == true));
}

#[tokio::test]
async fn every_kind_of_menu_change_republishes_the_menu() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("every").await;
    let names = |document: &Value, list: &str| -> Vec<String> {
        document[list].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_owned()).collect()
    };
    let send = |method, path: String, body: Value| {
        let (app, owner) = (&app, owner.clone());
        async move {
            let status = app.send(method, &path, Some(&owner), &body).await.status();
            assert!(status.is_success(), "{path}: {status}");
        }
    };

    send(
        Method::POST,
        "/v1/restaurants/every/menu/categories".into(),
        json!({"id": "drinks", "name": "Drinks", "position": 2}),
    )
    .await;
    assert!(names(&published(&app, "every").await, "categories").contains(&"Drinks".to_owned()), "a new category");

    let rename = json!({"name": "Cold drinks", "position": 2, "version": 1});
    send(Method::PUT, "/v1/restaurants/every/menu/categories/drinks".into(), rename).await;
    assert!(
        names(&published(&app, "every").await, "categories").contains(&"Cold drinks".to_owned()),
        "a renamed category"
    );

    let water = json!({"id": "water", "item": {"category": "drinks", "name": "Water", "price": {"minor": 250, "currency": "EUR"}}});
    send(Method::POST, "/v1/restaurants/every/menu/items".into(), water).await;
    assert!(names(&published(&app, "every").await, "items").contains(&"Water".to_owned()), "a new item");

    send(Method::DELETE, "/v1/restaurants/every/menu/items/water?version=1".into(), Value::Null).await;
    assert!(!names(&published(&app, "every").await, "items").contains(&"Water".to_owned()), "a deleted item");

    send(Method::DELETE, "/v1/restaurants/every/menu/categories/drinks?version=2".into(), Value::Null).await;
    assert!(
        !names(&published(&app, "every").await, "categories").contains(&"Cold drinks".to_owned()),
        "a deleted category"
    );
}

#[tokio::test]
async fn every_picture_on_the_demo_menu_is_served() {
    let app = spawn_app_with(|config| config.seed_demo = true).await;
    let menu = json_of(app.get("/menus/trattoria-demo.json", None).await).await;
    let keys: Vec<&str> =
        menu["items"].as_array().unwrap().iter().filter_map(|item| item["image_key"].as_str()).collect();
    assert!(!keys.is_empty(), "the demo shows pictures");

    for key in keys {
        let picture = app.get(&format!("/media/{key}"), None).await;
        assert_eq!(picture.status(), StatusCode::OK, "{key}");
        assert_eq!(picture.headers()["content-type"], "image/svg+xml", "{key}");
    }
}
