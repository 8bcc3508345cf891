//! The local server's stand-ins for S3 and CloudFront: uploads through signed URLs, pictures at
//! `/media/…`, published menus at `/menus/{slug}.json` with the same cache headers.

use bistro_api::error::ErrorCode;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};

use bistro_api::ApiError;
use bistro_api::extract::Query;
use bistro_store::blob::folder::{FolderBlobs, UploadRefused, UploadTerms};
use bistro_store::blob::{BlobStore, NewBlob, Precondition};

/// Uploaded pictures never change under a key (a new picture gets a new key).
const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

#[derive(Debug, Clone)]
pub struct LocalFiles {
    pub media: Arc<FolderBlobs>,
    pub site: Arc<FolderBlobs>,
}

pub fn router(files: LocalFiles) -> Router {
    Router::new()
        .route(
            "/media-upload/{*key}",
            put(upload).layer(DefaultBodyLimit::max(
                usize::try_from(bistro_api::images::MAX_IMAGE_BYTES).unwrap_or(usize::MAX) + 1,
            )),
        )
        .route("/media/{*key}", get(media))
        .route("/menus/{file}", get(menu))
        .with_state(files)
}

async fn upload(
    State(files): State<LocalFiles>,
    Path(key): Path<String>,
    Query(terms): Query<UploadTerms>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let length = u64::try_from(body.len()).unwrap_or(u64::MAX);
    if let Err(refused) = files.media.verify_upload(&key, &terms, content_type, length) {
        return match refused {
            UploadRefused::BadSignature | UploadRefused::Expired => {
                ApiError::Forbidden("the upload link is invalid or has expired").into_response()
            }
            other => ApiError::unprocessable(ErrorCode::UploadMismatch, other).into_response(),
        };
    }
    let blob = NewBlob { bytes: body.to_vec(), content_type, cache_control: Some(MEDIA_CACHE_CONTROL) };
    match files.media.put(&key, blob, Precondition::None).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(error) => ApiError::Unavailable(error.to_string()).into_response(),
    }
}

async fn serve(blobs: &FolderBlobs, key: &str, request_headers: &HeaderMap) -> Response {
    let blob = match blobs.get(key).await {
        Ok(Some(blob)) => blob,
        Ok(None) | Err(bistro_store::blob::BlobError::InvalidKey) => return ApiError::NotFound("file").into_response(),
        Err(error) => return ApiError::Unavailable(error.to_string()).into_response(),
    };
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (header::CONTENT_TYPE, Some(blob.content_type.as_str())),
        (header::ETAG, Some(blob.etag.as_str())),
        (header::CACHE_CONTROL, blob.cache_control.as_deref()),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, value);
        }
    }
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == blob.etag));
    if unchanged { (StatusCode::NOT_MODIFIED, headers).into_response() } else { (headers, blob.bytes).into_response() }
}

/// Only attached pictures are served: an upload is checked and copied before anyone sees it.
async fn media(State(files): State<LocalFiles>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if !key.starts_with("r/") {
        return ApiError::NotFound("file").into_response();
    }
    serve(&files.media, &key, &headers).await
}

async fn menu(State(files): State<LocalFiles>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    match file.strip_suffix(".json") {
        Some(slug) => serve(&files.site, &format!("menus/{slug}.json"), &headers).await,
        None => ApiError::NotFound("file").into_response(),
    }
}
