//! The operator's archive commands refuse what they must, writing nothing: an import over an
//! existing restaurant (unless `--replace`), a truncated, altered or newer archive; and the
//! directory commands: `create-restaurant`, `reset-owner-password`, `list-restaurants`.

use std::path::{Path, PathBuf};

use crate::harness::{TestApp, json_of, spawn_app, spawn_app_with};
use bistro_store::Store;
use bistro_store::engine::sqlite::SqliteStore;

async fn bistro_local(args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    bistro_local::admin::run(&args).await.expect("an operator's command").map_err(|e| e.to_string())
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `kept` with a pizza and three orders, exported; returns the archive's path.
async fn exported(app: &TestApp, folder: &Path) -> PathBuf {
    app.restaurant_with_pizza("kept").await;
    for n in 0..3 {
        app.place("kept", &app.cart_with_pizza("kept", 1).await, &format!("order-{n}")).await;
    }
    let archive = folder.join("kept.tar.gz");
    bistro_local(&["export", "--restaurant", "kept", "--to", path(&archive), "--data", path(app.data_dir())])
        .await
        .unwrap();
    archive
}

/// How many items the data directory `data` holds.
async fn items_in(data: &Path) -> usize {
    let store = SqliteStore::open(&data.join("bistro.db")).unwrap();
    let mut count = 0;
    let mut after = None;
    loop {
        let page = store.scan("", after).await.unwrap();
        count += page.items.len();
        match page.next {
            Some(next) => after = Some(next),
            None => return count,
        }
    }
}

#[tokio::test]
async fn an_import_over_an_existing_restaurant_is_refused_and_with_replace_takes_its_place() {
    let source = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    let archive = exported(&source, folder.path()).await;
    let target = folder.path().join("target");
    let other = spawn_app_with(|config| config.data_dir = target.clone()).await;
    other.restaurant_with_pizza("kept").await;
    other.place("kept", &other.cart_with_pizza("kept", 5).await, "theirs").await;
    drop(other);
    let before = items_in(&target).await;

    let refused = bistro_local(&["import", "--from", path(&archive), "--data", path(&target)]).await;

    let refused = refused.unwrap_err();
    assert!(refused.contains("already exists") && refused.contains("--replace"), "{refused}");
    assert_eq!(items_in(&target).await, before, "nothing written");
    bistro_local(&["import", "--from", path(&archive), "--data", path(&target), "--replace"]).await.unwrap();
    let replaced = spawn_app_with(|config| config.data_dir = target.clone()).await;
    let owner = replaced.login("kept", "owner@kept.test", "correct horse battery").await;
    let orders = json_of(replaced.get("/v1/restaurants/kept/orders", Some(&owner)).await).await;
    let quantities: Vec<u64> =
        orders["orders"].as_array().unwrap().iter().map(|o| o["lines"][0]["quantity"].as_u64().unwrap()).collect();
    assert_eq!(quantities, [1, 1, 1], "the archive's three orders, none of the replaced restaurant's");
}

/// The archive's members, each name with its bytes, as a tarball holds them.
fn members_of(archive: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap()));
    let entries = tar.entries().unwrap().map(|entry| {
        let mut entry = entry.unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        (entry.path().unwrap().to_string_lossy().into_owned(), bytes)
    });
    entries.collect()
}

fn packed(members: &[(String, Vec<u8>)], to: &Path) {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::fast(),
    ));
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        tar.append_data(&mut header, name, bytes.as_slice()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

/// Imports `archive` into a new data directory: the refusal, and whether anything was written.
async fn import_fresh(archive: &Path, folder: &Path) -> (String, bool) {
    let target = folder.join("fresh");
    let refused = bistro_local(&["import", "--from", path(archive), "--data", path(&target)]).await.unwrap_err();
    (refused, target.join("bistro.db").exists() && items_in(&target).await > 0)
}

#[tokio::test]
async fn a_truncated_archive_is_refused_and_writes_nothing() {
    let source = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    let archive = exported(&source, folder.path()).await;
    let bytes = std::fs::read(&archive).unwrap();
    std::fs::write(&archive, &bytes[..bytes.len() * 2 / 3]).unwrap();

    let (refused, wrote) = import_fresh(&archive, folder.path()).await;

    assert!(refused.contains("damaged") && refused.contains("nothing was written"), "{refused}");
    assert!(!wrote);
}

#[tokio::test]
async fn an_altered_order_is_refused_naming_its_file_and_writes_nothing() {
    let source = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    let archive = exported(&source, folder.path()).await;
    let mut members = members_of(&archive);
    let orders = members.iter_mut().find(|(name, _)| name == "orders.jsonl").unwrap();
    orders.1 = String::from_utf8(orders.1.clone()).unwrap().replacen("\"minor\":900", "\"minor\":1", 1).into_bytes();
    packed(&members, &archive);

    let (refused, wrote) = import_fresh(&archive, folder.path()).await;

    assert!(refused.contains("orders.jsonl differs from what manifest.json says"), "{refused}");
    assert!(!wrote);
}

#[tokio::test]
async fn an_archive_of_a_newer_format_is_refused_with_what_to_do() {
    let folder = tempfile::tempdir().unwrap();
    let archive = folder.path().join("newer.tar.gz");
    let manifest = br#"{"format": 2, "kind": "bistro-restaurant", "restaurant": "kept"}"#;
    packed(&[("manifest.json".to_owned(), manifest.to_vec())], &archive);

    let (refused, wrote) = import_fresh(&archive, folder.path()).await;

    assert!(refused.contains("format 2, newer than this build reads (1): use a newer Bistro"), "{refused}");
    assert!(!wrote);
}

#[tokio::test]
async fn a_tarball_that_is_no_bistro_archive_is_refused_as_such() {
    let folder = tempfile::tempdir().unwrap();
    let archive = folder.path().join("photos.tar.gz");
    packed(&[("holiday.jpg".to_owned(), vec![0xFF, 0xD8])], &archive);

    let (refused, wrote) = import_fresh(&archive, folder.path()).await;

    assert!(refused.contains("not a Bistro restaurant archive: it has no manifest.json"), "{refused}");
    assert!(!wrote);
}

#[tokio::test]
async fn a_restaurant_created_by_the_operator_signs_its_owner_in_with_the_password_shown_once() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    let created = bistro_local(&[
        "create-restaurant",
        "--restaurant",
        "fresh",
        "--name",
        "Fresh Kitchen",
        "--currency",
        "JPY",
        "--time-zone",
        "Asia/Tokyo",
        "--owner-email",
        "Chef@Fresh.test",
        "--owner-name",
        "Chef",
        "--data",
        path(&data),
    ])
    .await
    .unwrap();
    let password = created.split("the password ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    let app = spawn_app_with(|config| config.data_dir = data.clone()).await;

    app.login("fresh", "chef@fresh.test", &password).await;
    let listed = bistro_local(&["list-restaurants", "--data", path(&data)]).await.unwrap();
    assert!(listed.starts_with("1 restaurants, 0 of them added"), "{listed}");
    let again = bistro_local(&[
        "create-restaurant",
        "--restaurant",
        "fresh",
        "--name",
        "Fresh",
        "--currency",
        "EUR",
        "--time-zone",
        "Europe/Berlin",
        "--owner-email",
        "x@fresh.test",
        "--owner-name",
        "X",
        "--data",
        path(&data),
    ])
    .await;
    assert!(again.unwrap_err().contains("exists already"));
}

#[tokio::test]
async fn a_reset_owner_password_signs_the_owner_in_with_the_new_one_only_and_ends_their_logins() {
    let app = spawn_app().await;
    let old_token = app.restaurant_with_pizza("kept").await;

    let reset =
        bistro_local(&["reset-owner-password", "--restaurant", "kept", "--data", path(app.data_dir())]).await.unwrap();

    let password = reset.split("is now ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    app.login("kept", "owner@kept.test", &password).await;
    let old = app.get("/v1/restaurants/kept/staff", Some(&old_token)).await;
    assert_eq!(old.status(), reqwest::StatusCode::UNAUTHORIZED, "the old login ended");
    let with_old_password = app.login_status("kept", "owner@kept.test", "correct horse battery").await;
    assert_eq!(with_old_password, reqwest::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_restaurant_the_directory_misses_is_listed_from_its_first_order_day() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("older").await;
    app.place("older", &app.cart_with_pizza("older", 1).await, "first").await;
    let store = SqliteStore::open(&app.data_dir().join("bistro.db")).unwrap();
    let listing = bistro_store::keys::listing(&bistro_domain::ids::Slug::parse("older").unwrap());
    store
        .write(bistro_store::seam::Write::Delete { key: listing, condition: bistro_store::seam::Condition::Always })
        .await
        .unwrap();

    let listed = bistro_local(&["list-restaurants", "--data", path(app.data_dir())]).await.unwrap();

    assert!(listed.starts_with("1 restaurants, 1 of them added to the directory now"), "{listed}");
    let repos = bistro_store::Repos::new(std::sync::Arc::new(store));
    let all = repos.directory.all().await.unwrap();
    assert_eq!(all.len(), 1);
    let today =
        bistro_domain::hours::Zone::parse("Europe/Berlin").unwrap().today(bistro_domain::jiff::Timestamp::now());
    assert!(all[0].value.since <= today && all[0].value.since >= today.yesterday().unwrap());
}

#[tokio::test]
async fn an_owner_downloads_their_restaurant_without_any_secret_and_it_imports_elsewhere() {
    let app = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    exported(&app, folder.path()).await;
    let owner = app.login("kept", "owner@kept.test", "correct horse battery").await;
    let (manager, _) = app.hire("kept", &owner, "manager").await;

    let download = app.get("/v1/restaurants/kept/export", Some(&owner)).await;

    assert_eq!(download.status(), reqwest::StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/gzip");
    assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"kept-"));
    let bytes = download.bytes().await.unwrap();
    let archive = bistro_store::archive::read(bytes.as_ref()).unwrap();
    assert!(!archive.manifest.secrets);
    assert_eq!(archive.contents.orders.len(), 3);
    assert!(archive.contents.staff.iter().all(|a| a.value.password_hash.is_empty()), "no password hash leaves");
    let refused = app.get("/v1/restaurants/kept/export", Some(&manager)).await;
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN, "the owner's alone");
    // Imported elsewhere, it serves the menu; its staff set passwords again before they sign in.
    let saved = folder.path().join("mine.tar.gz");
    std::fs::write(&saved, &bytes).unwrap();
    let elsewhere = folder.path().join("elsewhere");
    bistro_local(&["import", "--from", path(&saved), "--data", path(&elsewhere)]).await.unwrap();
    let other = spawn_app_with(|config| config.data_dir = elsewhere.clone()).await;
    let menu = json_of(other.get("/v1/restaurants/kept/menu", None).await).await;
    assert_eq!(menu["items"][0]["id"], "pizza");
    let no_password = other.login_status("kept", "owner@kept.test", "correct horse battery").await;
    assert_eq!(no_password, reqwest::StatusCode::UNAUTHORIZED, "its staff set passwords again first");
}

#[tokio::test]
async fn an_owner_downloads_the_orders_whose_guests_details_are_kept_as_a_spreadsheet() {
    let app = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    exported(&app, folder.path()).await;
    let owner = app.login("kept", "owner@kept.test", "correct horse battery").await;

    let download = app.get("/v1/restaurants/kept/export/orders.csv", Some(&owner)).await;

    assert_eq!(download.status(), reqwest::StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = download.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("business_day,number,"), "{csv}");
    assert_eq!(rows.len(), 4, "a header and the three orders: {csv}");
    assert!(rows[1..].iter().all(|row| row.contains(",Ada,")), "with the guest's name: {csv}");
}
