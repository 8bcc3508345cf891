//! A restaurant moved between engines with `bistro-local export` and `import`: from a laptop's
//! SQLite into DynamoDB and S3 (moto), and back. Each time the new store serves the same menu
//! and pictures, signs the same staff in with their passwords, lists the same orders under the
//! same numbers, holds the bookings made before the move against overbooking, and goes on
//! numbering orders and events with no gap or repeat.

use std::path::Path;
use std::sync::Arc;

use bistro_local::StoreChoice;
use bistro_store::blob::BlobStore;
use bistro_store::blob::s3::S3Blobs;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::{Repos, Store};
use bistro_testkit::moto;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, assert_problem, json_of, spawn_app, spawn_app_with};
use crate::media::{attach, uploaded};

const SLUG: &str = "moved";
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x02, 0x03];

/// Runs `bistro-local ARGS` as the operator would, in this process.
async fn bistro_local(args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let done = bistro_local::admin::run(&args).await.expect("an operator's command");
    done.map_err(|e| e.to_string())
}

/// What a move must keep, read through the API.
#[derive(Debug, PartialEq)]
struct Seen {
    menu: Value,
    /// Every order of the day: id and number, by number.
    orders: Vec<(String, u64)>,
}

async fn seen(app: &TestApp, owner: &str, day: &str) -> Seen {
    let menu = json_of(app.get(&format!("/v1/restaurants/{SLUG}/menu"), None).await).await;
    let (mut orders, mut cursor) = (Vec::new(), String::new());
    loop {
        let path = format!("/v1/restaurants/{SLUG}/orders?date={day}&limit=200{cursor}");
        let page = json_of(app.get(&path, Some(owner)).await).await;
        for order in page["orders"].as_array().unwrap() {
            orders.push((order["id"].as_str().unwrap().to_owned(), order["number"].as_u64().unwrap()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    orders.sort_by_key(|(_, number)| *number);
    Seen { menu, orders }
}

async fn last_event(store: Arc<dyn Store>) -> u64 {
    Repos::new(store).events.last_seq(&bistro_domain::ids::Slug::parse(SLUG).unwrap()).await.unwrap()
}

/// Books `party` at `starts_at`; returns the response.
async fn book(app: &TestApp, starts_at: &str, party: u32, key: &str) -> reqwest::Response {
    let booking = json!({"starts_at": starts_at, "party": party, "contact": {"name": "Noor", "phone": "+49 30 1234"}});
    app.post_keyed(&format!("/v1/restaurants/{SLUG}/reservations"), key, &booking).await
}

/// A restaurant with a pictured pizza, a waiter, 200 orders today, and tomorrow's 19:00 slot
/// booked to its 20 covers. Returns the owner's token, the day of the orders and the slot.
async fn busy_restaurant(app: &TestApp) -> (String, String, String) {
    let owner = app.restaurant_with_pizza(SLUG).await;
    let upload = uploaded(app, SLUG, &owner, JPEG).await;
    assert_eq!(attach(app, SLUG, &owner, &upload).await.status(), StatusCode::OK);
    let waiter =
        json!({"email": "waiter@moved.test", "name": "Wai", "password": "a long staff password", "role": "staff"});
    let hired = app.send(Method::POST, &format!("/v1/restaurants/{SLUG}/staff"), Some(&owner), &waiter).await;
    assert_eq!(hired.status(), StatusCode::CREATED);
    let mut day = String::new();
    for n in 0..200 {
        let placed = json_of(app.place(SLUG, &app.cart_with_pizza(SLUG, 1).await, &format!("order-{n}")).await).await;
        day = placed["order"]["business_date"].as_str().unwrap().to_owned();
    }
    let tomorrow = bistro_domain::jiff::civil::Date::strptime("%Y-%m-%d", &day).unwrap().tomorrow().unwrap();
    let slots =
        json_of(app.get(&format!("/v1/restaurants/{SLUG}/reservations/slots?date={tomorrow}&party=8"), None).await)
            .await;
    let slot = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|slot| slot["local"].as_str().unwrap().contains("T19:00"))
        .map(|slot| slot["starts_at"].as_str().unwrap().to_owned())
        .expect("tomorrow 19:00 is bookable");
    for (n, party) in [8, 8, 4].into_iter().enumerate() {
        assert_eq!(book(app, &slot, party, &format!("booking-{n}")).await.status(), StatusCode::CREATED);
    }
    (owner, day, slot)
}

/// What a store moved into must do: serve `before`, sign the owner and the waiter in, refuse
/// to overbook `slot`, and number the next order `before`'s last plus one, one event later.
async fn holds_up(app: &TestApp, store: Arc<dyn Store>, before: &Seen, events_before: u64, day: &str, slot: &str) {
    let owner = app.login(SLUG, "owner@moved.test", "correct horse battery").await;
    app.login(SLUG, "waiter@moved.test", "a long staff password").await;
    assert_eq!(&seen(app, &owner, day).await, before, "the same menu, and the same orders under the same numbers");
    assert_eq!(last_event(Arc::clone(&store)).await, events_before, "the event count came along");
    let slug = bistro_domain::ids::Slug::parse(SLUG).unwrap();
    let pushed = Repos::new(Arc::clone(&store)).events.after(&slug, 0, 10).await.unwrap();
    assert!(pushed.is_empty(), "an import writes no event, so no live screen hears of it: {pushed:?}");
    assert_problem(book(app, slot, 2, "one-too-many").await, StatusCode::CONFLICT, "slot_full").await;

    let key = format!("after-move-{}", before.orders.len());
    let next = json_of(app.place(SLUG, &app.cart_with_pizza(SLUG, 1).await, &key).await).await;

    let last = before.orders.last().unwrap().1;
    assert_eq!(next["order"]["number"].as_u64(), Some(last + 1), "order numbers go on without a gap");
    assert_eq!(last_event(store).await, events_before + 1, "event numbers go on without a gap or repeat");
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restaurant_moved_from_sqlite_to_dynamodb_and_back_keeps_everything_and_numbers_on() {
    let laptop = spawn_app().await;
    let (owner, day, slot) = busy_restaurant(&laptop).await;
    let before = seen(&laptop, &owner, &day).await;
    assert_eq!(before.orders.len(), 200);
    let laptop_store: Arc<dyn Store> = Arc::new(SqliteStore::open(&laptop.data_dir().join("bistro.db")).unwrap());
    let events_before = last_event(laptop_store).await;
    let folder = tempfile::tempdir().unwrap();
    let to_aws = folder.path().join("to-aws.tar.gz");
    let (table, media, site) = (moto::unique_name("moved"), moto::unique_name("media"), moto::unique_name("site"));
    let endpoint = moto::server().endpoint.clone();
    let dynamo = DynamoStore::new(DynamoStore::emulator_client(&endpoint).await, &table);
    dynamo.create_table_if_missing().await.unwrap();
    let s3 = S3Blobs::emulator_client(&endpoint).await;
    for bucket in [&media, &site] {
        S3Blobs::new(s3.clone(), bucket.as_str()).create_bucket_if_missing().await.unwrap();
    }
    let aws = [
        "--dynamodb-table",
        &table,
        "--dynamodb-endpoint",
        &endpoint,
        "--media-bucket",
        &media,
        "--site-bucket",
        &site,
        "--s3-endpoint",
        &endpoint,
    ];

    bistro_local(&["export", "--restaurant", SLUG, "--to", path(&to_aws), "--data", path(laptop.data_dir())])
        .await
        .unwrap();
    bistro_local(&[&["import", "--from", path(&to_aws)][..], &aws].concat()).await.unwrap();

    let on_aws = spawn_app_with(|config| {
        config.store = StoreChoice::DynamoDb { endpoint: Some(endpoint.clone()), table: table.clone() };
    })
    .await;
    holds_up(&on_aws, Arc::new(dynamo.clone()), &before, events_before, &day, &slot).await;
    let picture = before.menu["items"][0]["image_key"].as_str().unwrap();
    let in_s3 = S3Blobs::new(s3.clone(), media.as_str()).get(picture).await.unwrap().expect("the picture in S3");
    assert_eq!(in_s3.bytes, JPEG);
    assert!(S3Blobs::new(s3, site.as_str()).get("menus/moved.json").await.unwrap().is_some(), "its menu published");

    // And back: everything the restaurant did on AWS comes along too.
    let on_aws_owner = on_aws.login(SLUG, "owner@moved.test", "correct horse battery").await;
    let after_aws = seen(&on_aws, &on_aws_owner, &day).await;
    let back = folder.path().join("back.tar.gz");
    let laptop_again = folder.path().join("laptop-again");
    bistro_local(&[&["export", "--restaurant", SLUG, "--to", path(&back)][..], &aws].concat()).await.unwrap();
    bistro_local(&["import", "--from", path(&back), "--data", path(&laptop_again)]).await.unwrap();

    let home = spawn_app_with(|config| config.data_dir = laptop_again.clone()).await;
    let home_store: Arc<dyn Store> = Arc::new(SqliteStore::open(&laptop_again.join("bistro.db")).unwrap());
    assert_eq!(after_aws.orders.len(), 201);
    holds_up(&home, home_store, &after_aws, events_before + 1, &day, &slot).await;
    let served = home.get(&format!("/media/{picture}"), None).await;
    assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG, "the picture came home");
}
