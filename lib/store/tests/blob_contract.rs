//! The blob contract: every test runs against the local folder engine and against S3 in moto.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use bistro_store::blob::folder::FolderBlobs;
use bistro_store::blob::s3::S3Blobs;
use bistro_store::blob::{BlobError, BlobStore, NewBlob, Precondition};
use bistro_testkit::moto;

/// The folder engine in `root` (gone after the test).
async fn folder(root: &tempfile::TempDir) -> Arc<dyn BlobStore> {
    Arc::new(FolderBlobs::new(root.path().join("blobs"), "http://127.0.0.1:9/uploads", b"a test secret"))
}

async fn s3() -> Arc<dyn BlobStore> {
    let client = S3Blobs::emulator_client(&moto::server().endpoint).await;
    let blobs = S3Blobs::new(client, moto::unique_name("bucket"));
    blobs.create_bucket_if_missing().await.unwrap();
    Arc::new(blobs)
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod folder {
            $(#[tokio::test]
            async fn $name() {
                let root = tempfile::tempdir().unwrap();
                super::$name(super::folder(&root).await).await
            }) *
        }
        mod s3 {
            $(#[tokio::test]
            async fn $name() { super::$name(super::s3().await).await }) *
        }
    };
}

contract!(
    an_object_reads_back_with_its_type_and_cache_control,
    a_write_if_absent_fails_when_the_object_exists,
    a_write_from_a_stale_etag_fails_and_changes_nothing,
    a_write_from_the_current_etag_replaces_the_object,
    head_reports_size_and_type_and_nothing_for_a_missing_key,
    a_deleted_object_is_gone,
    a_key_that_climbs_out_of_its_folder_is_refused,
    a_presigned_upload_is_a_put_that_names_the_content_type,
);

fn json(text: &str) -> NewBlob<'static> {
    NewBlob {
        bytes: text.as_bytes().to_vec(),
        content_type: "application/json",
        cache_control: Some("public, max-age=30"),
    }
}

async fn an_object_reads_back_with_its_type_and_cache_control(blobs: Arc<dyn BlobStore>) {
    let etag = blobs.put("menus/roma.json", json("{\"v\":1}"), Precondition::None).await.unwrap();

    let blob = blobs.get("menus/roma.json").await.unwrap().expect("stored");

    assert_eq!(blob.bytes, b"{\"v\":1}");
    assert_eq!(blob.content_type, "application/json");
    assert_eq!(blob.cache_control.as_deref(), Some("public, max-age=30"));
    assert_eq!(blob.etag, etag);
}

async fn a_write_if_absent_fails_when_the_object_exists(blobs: Arc<dyn BlobStore>) {
    blobs.put("a.json", json("1"), Precondition::Absent).await.unwrap();

    let second = blobs.put("a.json", json("2"), Precondition::Absent).await;

    assert_eq!(second, Err(BlobError::PreconditionFailed));
    assert_eq!(blobs.get("a.json").await.unwrap().unwrap().bytes, b"1");
}

async fn a_write_from_a_stale_etag_fails_and_changes_nothing(blobs: Arc<dyn BlobStore>) {
    let first = blobs.put("a.json", json("1"), Precondition::None).await.unwrap();
    blobs.put("a.json", json("2"), Precondition::Matches(first.clone())).await.unwrap();

    let stale = blobs.put("a.json", json("3"), Precondition::Matches(first)).await;

    assert_eq!(stale, Err(BlobError::PreconditionFailed));
    assert_eq!(blobs.get("a.json").await.unwrap().unwrap().bytes, b"2");
}

async fn a_write_from_the_current_etag_replaces_the_object(blobs: Arc<dyn BlobStore>) {
    let first = blobs.put("a.json", json("1"), Precondition::None).await.unwrap();

    let second = blobs.put("a.json", json("22"), Precondition::Matches(first.clone())).await.unwrap();

    assert_ne!(first, second);
    assert_eq!(blobs.get("a.json").await.unwrap().unwrap().etag, second);
}

async fn head_reports_size_and_type_and_nothing_for_a_missing_key(blobs: Arc<dyn BlobStore>) {
    let image =
        NewBlob { bytes: vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3], content_type: "image/jpeg", cache_control: None };
    blobs.put("r/roma/items/x.jpg", image, Precondition::None).await.unwrap();

    let info = blobs.head("r/roma/items/x.jpg").await.unwrap().expect("stored");

    assert_eq!((info.size, info.content_type.as_str()), (7, "image/jpeg"));
    assert_eq!(blobs.head("r/roma/items/none.jpg").await.unwrap(), None);
}

async fn a_deleted_object_is_gone(blobs: Arc<dyn BlobStore>) {
    blobs.put("a.json", json("1"), Precondition::None).await.unwrap();

    blobs.delete("a.json").await.unwrap();

    assert_eq!(blobs.get("a.json").await.unwrap(), None);
}

async fn a_key_that_climbs_out_of_its_folder_is_refused(blobs: Arc<dyn BlobStore>) {
    assert_eq!(blobs.put("../etc/passwd", json("x"), Precondition::None).await, Err(BlobError::InvalidKey));
    assert_eq!(blobs.get("/abs").await, Err(BlobError::InvalidKey));
}

async fn a_presigned_upload_is_a_put_that_names_the_content_type(blobs: Arc<dyn BlobStore>) {
    let upload =
        blobs.presign_upload("r/roma/items/new.webp", "image/webp", 1234, Duration::from_secs(300)).await.unwrap();

    assert_eq!(upload.method, "PUT");
    assert!(upload.url.contains("r/roma/items/new.webp"), "{}", upload.url);
    assert!(
        upload.headers.iter().any(|(name, value)| name.eq_ignore_ascii_case("content-type") && value == "image/webp"),
        "{:?}",
        upload.headers
    );
}
