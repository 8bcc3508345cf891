//! The table restored to a point in time with `bistro-local restore-table`, as the README's
//! "Backups and restore" runs it: moto copies the table's current items (it keeps no history, so
//! a true earlier moment is untested here), and the new table gets its stream, expiry, backups
//! and deletion protection back and serves the API.

use bistro_local::StoreChoice;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::dynamodb_restore;
use bistro_testkit::moto;
use reqwest::StatusCode;

use crate::harness::{json_of, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_table_has_its_stream_expiry_and_backups_on_and_serves_the_restaurant() {
    let endpoint = moto::server().endpoint.clone();
    let (table, restored) = (moto::unique_name("live"), moto::unique_name("restored"));
    let live = spawn_app_with(|config| {
        config.store = StoreChoice::DynamoDb { endpoint: Some(endpoint.clone()), table: table.clone() };
    })
    .await;
    live.restaurant_with_pizza("kept").await;
    let placed = json_of(live.place("kept", &live.cart_with_pizza("kept", 2).await, "before").await).await;
    let client = DynamoStore::emulator_client(&endpoint).await;
    dynamodb_restore::keep_point_in_time(&client, &table).await.unwrap();

    let args = ["restore-table", "--dynamodb-table", &table, "--to", &restored, "--dynamodb-endpoint", &endpoint];
    let said = bistro_local::admin::run(&args.map(str::to_owned)).await.unwrap().unwrap();

    let settings = dynamodb_restore::settings(&client, &restored).await.unwrap();
    assert_eq!(settings.status, "ACTIVE");
    assert!(settings.stream.is_some() && settings.expiry_on && settings.point_in_time_recovery, "{settings:?}");
    assert!(settings.deletion_protection, "{settings:?}");
    let setting = format!(r#""table": {{ "name": "{restored}", "streamArn": "{}" }}"#, settings.stream.unwrap());
    assert!(said.contains(&setting), "{said}");
    let back = spawn_app_with(|config| {
        config.store = StoreChoice::DynamoDb { endpoint: Some(endpoint.clone()), table: restored.clone() };
    })
    .await;
    let owner = back.login("kept", "owner@kept.test", "correct horse battery").await;
    let order = back
        .get(&format!("/v1/restaurants/kept/orders/{}", placed["order"]["id"].as_str().unwrap()), Some(&owner))
        .await;
    assert_eq!(order.status(), StatusCode::OK);
    assert_eq!(json_of(order).await["lines"][0]["quantity"], 2);
}
