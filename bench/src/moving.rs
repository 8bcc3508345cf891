//! How long moving a busy restaurant takes: `export` of a restaurant with 10,000 orders from
//! SQLite and its `import` into a new SQLite file, as `bistro-local` does them (the archive
//! module), and the import into and export out of DynamoDB in moto server, labelled as moto's:
//! moto is a single-threaded Python emulator, so its figures say nothing of AWS.

use std::sync::Arc;
use std::time::Instant;

use bistro_domain::jiff::ToSpan;
use bistro_store::archive::{self, Reading};
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::IdempotencyKey;
use bistro_store::{Repos, Store};
use bistro_testkit::{fixtures, moto};
use serde::{Deserialize, Serialize};

const ORDERS: usize = 10_000;
const DAYS: usize = 100;

#[derive(Debug, Serialize, Deserialize)]
pub struct Moving {
    pub orders: usize,
    pub archive_bytes: u64,
    /// Reading the restaurant out of SQLite and writing the archive.
    pub sqlite_export_s: f64,
    /// Reading the archive back (every checksum, every record) and writing it into a new SQLite file.
    pub sqlite_import_s: f64,
    pub moto_import_s: f64,
    pub moto_export_s: f64,
}

fn seconds(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 100.0).round() / 100.0
}

/// A restaurant with its menu and 10,000 orders over 100 days, placed as the API places them.
async fn busy_restaurant(store: Arc<dyn Store>) -> Result<(), String> {
    let repos = Repos::new(store);
    let restaurant = fixtures::restaurant("roma");
    let owner = fixtures::account("roma", "owner@roma.test", bistro_domain::restaurant::Role::Owner);
    repos.restaurants.create(&restaurant, &owner).await.map_err(|e| e.to_string())?;
    repos.menus.create_item(&restaurant.slug, &fixtures::menu_item("pizza", 900)).await.map_err(|e| e.to_string())?;
    let first = restaurant.business_day(bistro_domain::jiff::Timestamp::now()).checked_sub((DAYS as i64).days());
    let first = first.map_err(|e| e.to_string())?;
    for n in 0..ORDERS {
        let day = first.checked_add(((n % DAYS) as i64).days()).map_err(|e| e.to_string())?;
        let key = IdempotencyKey { key: format!("order-{n}"), fingerprint: "bench".into() };
        fixtures::place(&repos.orders, &key, fixtures::new_order("roma", day)).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub async fn measure() -> Result<Moving, String> {
    let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
    let source: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&folder.path().join("source.db")).map_err(|e| e.to_string())?);
    busy_restaurant(Arc::clone(&source)).await?;
    let slug = fixtures::slug("roma");
    let quiet = |_| {};

    let started = Instant::now();
    let exported = archive::export(source.as_ref(), None, &slug, (Reading::Scan, true), &quiet)
        .await
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    archive::write(&exported, &mut bytes).map_err(|e| e.to_string())?;
    let sqlite_export_s = seconds(started);
    if exported.contents.orders.len() != ORDERS {
        return Err(format!("exported {} orders, not {ORDERS}", exported.contents.orders.len()));
    }

    let target = SqliteStore::open(&folder.path().join("target.db")).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let read = archive::read(bytes.as_slice()).map_err(|e| e.to_string())?;
    archive::import(&target, None, &read.contents, false, &quiet).await.map_err(|e| e.to_string())?;
    let sqlite_import_s = seconds(started);

    let endpoint = moto::server().endpoint.clone();
    let dynamo = DynamoStore::new(DynamoStore::emulator_client(&endpoint).await, moto::unique_name("moving"));
    dynamo.create_table_if_missing().await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    archive::import(&dynamo, None, &read.contents, false, &quiet).await.map_err(|e| e.to_string())?;
    let moto_import_s = seconds(started);
    let started = Instant::now();
    let back = archive::export(&dynamo, None, &slug, (Reading::Scan, true), &quiet).await.map_err(|e| e.to_string())?;
    let moto_export_s = seconds(started);
    if back.contents.orders != read.contents.orders {
        return Err("the orders read back from moto differ from those imported".into());
    }
    Ok(Moving {
        orders: ORDERS,
        archive_bytes: bytes.len() as u64,
        sqlite_export_s,
        sqlite_import_s,
        moto_import_s,
        moto_export_s,
    })
}

pub fn section(moving: &Moving) -> String {
    format!(
        "## Moving a restaurant\n\n`bench moving`: a restaurant with {} orders over {DAYS} days (and its menu), exported from SQLite into one archive of {:.1} MB and imported into a new SQLite file, as `bistro-local export` and `import` do. Export (read and write the archive): {:.2} s. Import (check every member and record, then write): {:.2} s. Into and out of DynamoDB in moto server (a single-threaded emulator: these say nothing of AWS): import {:.2} s, export {:.2} s.\n\n",
        moving.orders,
        moving.archive_bytes as f64 / 1e6,
        moving.sqlite_export_s,
        moving.sqlite_import_s,
        moving.moto_import_s,
        moving.moto_export_s
    )
}
