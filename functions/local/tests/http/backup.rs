//! A local data directory backed up while orders are placed, and restored: the restored server
//! serves the same restaurant, logs its owner in and lists its orders numbered without a gap; a
//! damaged backup or a running server's directory is refused and nothing is written.

use reqwest::StatusCode;

use crate::harness::{TestApp, json_of, spawn_app, spawn_app_with};
use bistro_local::backup::{self, BackupError};

/// The numbers of the day's orders, in order.
async fn numbers(app: &TestApp, owner: &str) -> Vec<u64> {
    let listed = json_of(app.get("/v1/restaurants/kept/orders", Some(owner)).await).await;
    let mut numbers: Vec<u64> =
        listed["orders"].as_array().unwrap().iter().map(|o| o["number"].as_u64().unwrap()).collect();
    numbers.sort_unstable();
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_orders_are_placed_restores_a_store_that_serves_them_numbered_without_a_gap() {
    let app = spawn_app().await;
    let owner = app.restaurant_with_pizza("kept").await;
    for n in 0..5 {
        assert_eq!(
            app.place("kept", &app.cart_with_pizza("kept", 1).await, &format!("before-{n}")).await.status(),
            StatusCode::CREATED
        );
    }
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("backup");

    // Orders keep coming while the copy is taken.
    let placing = async {
        for n in 0..10 {
            app.place("kept", &app.cart_with_pizza("kept", 1).await, &format!("during-{n}")).await;
        }
    };
    let data = app.data_dir().to_owned();
    let (taken, ()) = tokio::join!(
        tokio::task::spawn_blocking({
            let copy = copy.clone();
            move || backup::backup(&data, &copy, |_| {})
        }),
        placing
    );
    let summary = taken.unwrap().unwrap();
    let restored_dir = folder.path().join("restored");
    backup::restore(&copy, &restored_dir, |_| {}).unwrap();
    let restored = spawn_app_with(|config| config.data_dir = restored_dir.clone()).await;

    assert!(summary.files >= 2 && summary.bytes > 0, "{summary}");
    let menu = json_of(restored.get("/v1/restaurants/kept/menu", None).await).await;
    assert_eq!(menu["items"][0]["id"], "pizza");
    let token = restored.login("kept", "owner@kept.test", "correct horse battery").await;
    let kept = numbers(&restored, &token).await;
    assert!(kept.len() >= 5, "the orders placed before the backup are all there: {kept:?}");
    assert_eq!(kept, (1..=kept.len() as u64).collect::<Vec<_>>(), "numbered without a gap");
    let next = restored.place("kept", &restored.cart_with_pizza("kept", 1).await, "after").await;
    assert_eq!(json_of(next).await["order"]["number"].as_u64(), Some(kept.len() as u64 + 1), "numbering goes on");
    let _ = owner;
}

#[tokio::test]
async fn a_damaged_backup_is_refused_naming_the_file_and_nothing_is_restored() {
    let app = spawn_app().await;
    app.restaurant_with_pizza("kept").await;
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("backup");
    backup::backup(app.data_dir(), &copy, |_| {}).unwrap();
    let database = copy.join("bistro.db");
    let mut bytes = std::fs::read(&database).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&database, bytes).unwrap();
    let target = folder.path().join("restored");

    let refused = backup::restore(&copy, &target, |_| {});

    assert!(matches!(&refused, Err(BackupError::Damaged(file)) if file == "bistro.db"), "{refused:?}");
    assert!(!target.exists(), "nothing written");
}

#[test]
fn a_restore_into_a_directory_a_server_holds_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let running = folder.path().join("running");
    std::fs::create_dir_all(&running).unwrap();
    let _server = backup::hold(&running).unwrap();
    let copy = folder.path().join("backup");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::write(copy.join("bistro.db"), b"x").unwrap();
    let digest = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    std::fs::write(
        copy.join("manifest.json"),
        format!(r#"{{"format":1,"files":[{{"path":"bistro.db","bytes":1,"sha256":"{digest}"}}]}}"#),
    )
    .unwrap();

    let refused = backup::restore(&copy, &running, |_| {});

    assert!(matches!(refused, Err(BackupError::InUse(_))), "{refused:?}");
    assert!(!running.join("bistro.db").exists());
}

#[tokio::test]
async fn a_backup_and_its_restore_are_readable_by_their_owner_only_as_the_data_directory_is() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    app.restaurant_with_pizza("kept").await;
    let folder = tempfile::tempdir().unwrap();
    let (copy, restored) = (folder.path().join("backup"), folder.path().join("restored"));
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

    backup::backup(app.data_dir(), &copy, |_| {}).unwrap();
    backup::restore(&copy, &restored, |_| {}).unwrap();

    assert_eq!((mode(&copy), mode(&copy.join("bistro.db"))), (0o700, 0o600));
    assert_eq!((mode(&restored), mode(&restored.join("bistro.db"))), (0o700, 0o600));
}

#[test]
fn a_backup_of_a_newer_format_is_refused_with_what_to_do() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("manifest.json"), r#"{"format":99,"files":[]}"#).unwrap();

    let refused = backup::restore(folder.path(), &folder.path().join("restored"), |_| {});

    assert!(matches!(refused, Err(BackupError::Newer(99))), "{refused:?}");
    assert!(refused.unwrap_err().to_string().contains("use a newer bistro-local"));
}

#[tokio::test]
async fn the_server_backs_itself_up_on_schedule_keeping_the_newest_and_each_restores() {
    let folder = tempfile::tempdir().unwrap();
    let to = folder.path().join("backups");
    let schedule = backup::Schedule::parse("1s", to.clone(), "2").unwrap();
    let app = spawn_app_with(|config| config.backups = Some(schedule)).await;
    app.restaurant_with_pizza("kept").await;

    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;

    // One may be under way as the test looks: count the finished ones (a manifest is written last).
    let finished = |path: &std::path::PathBuf| path.join("manifest.json").exists();
    let mut taken: Vec<_> = std::fs::read_dir(&to).unwrap().map(|e| e.unwrap().path()).filter(finished).collect();
    taken.sort();
    assert_eq!(taken.len(), 2, "the newest two kept: {taken:?}");
    let restored_dir = folder.path().join("restored");
    backup::restore(taken.last().unwrap(), &restored_dir, |_| {}).unwrap();
    let restored = spawn_app_with(|config| config.data_dir = restored_dir.clone()).await;
    restored.login("kept", "owner@kept.test", "correct horse battery").await;
}

#[test]
fn a_backup_schedule_inside_the_data_directory_or_without_a_period_is_refused() {
    let config = |args: &[&str]| bistro_local::LocalConfig::from_args(args.iter().map(|a| (*a).to_owned()), |_| None);

    let inside = config(&["--data", "/srv/bistro", "--backup-every", "6h", "--backup-to", "/srv/bistro/backups"]);
    let no_unit = config(&["--backup-every", "6", "--backup-to", "/backups"]);
    let alone = config(&["--backup-to", "/backups"]);

    assert!(inside.unwrap_err().contains("outside the data directory"));
    assert!(no_unit.unwrap_err().contains("a period like 30m, 6h or 1d"));
    assert!(alone.unwrap_err().contains("go together"));
    let fine = config(&["--backup-every", "6h", "--backup-to", "/backups"]).unwrap().backups.unwrap();
    assert_eq!((fine.every.as_secs(), fine.kept), (6 * 3600, 7));
}
