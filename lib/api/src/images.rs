//! Menu pictures: who may upload what, and the check before a picture is attached to an item.

use crate::error::ErrorCode;
use std::time::Duration;

use bistro_domain::ids::Slug;
use bistro_domain::menu::ImageKey;
use bistro_store::blob::BlobStore;

use crate::error::ApiError;

/// 5 MiB: the OpenAPI document states it as 5242880 (`an_upload_is_bounded_as_the_document_says`).
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;

/// How long an upload link works: enough for 5 MB over a slow phone connection. What a
/// picture shows is fixed when it is attached (a copy), so a late replacement changes nothing.
pub const UPLOAD_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Uploads not attached within this many days are deleted: the media bucket's lifecycle rule on
/// `uploads/` (cdk/lib/data-stack.ts), and locally the server's sweep.
pub const UPLOAD_EXPIRY_DAYS: u64 = 1;

/// Upload links one restaurant may be granted a day: a whole menu's pictures (each with its two
/// smaller copies), twice over.
pub const MAX_UPLOADS_PER_DAY: u32 = 600;

/// The picture types a menu takes, with their file endings.
pub const IMAGE_TYPES: [(&str, &str); 3] = [("image/jpeg", "jpg"), ("image/png", "png"), ("image/webp", "webp")];

/// A picture type as people name it: JPEG, PNG, WebP.
fn kind_of(content_type: &str) -> &str {
    match content_type {
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        "image/webp" => "WebP",
        other => other,
    }
}

pub fn extension_for(content_type: &str) -> Result<&'static str, ApiError> {
    IMAGE_TYPES
        .iter()
        .find(|(known, _)| *known == content_type)
        .map(|(_, extension)| *extension)
        .ok_or_else(|| ApiError::unprocessable(ErrorCode::UnsupportedImageType, "pictures must be JPEG, PNG or WebP"))
}

pub fn check_size(size: u64) -> Result<(), ApiError> {
    if size == 0 || size > MAX_IMAGE_BYTES {
        return Err(ApiError::unprocessable(ErrorCode::ImageTooLarge, "a picture must be between 1 byte and 5 MB"));
    }
    Ok(())
}

/// What the first bytes say the file is, whatever its name or declared type claim.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Where a restaurant's uploads land, each under a fresh key: only until attached (or a day).
pub fn upload_prefix(slug: &Slug) -> String {
    format!("uploads/{slug}/")
}

/// Where a restaurant's attached pictures live (and are served from): under its own prefix, so
/// one restaurant can never attach another's picture.
pub fn prefix(slug: &Slug) -> String {
    format!("r/{slug}/items/")
}

/// Attaches a picture: an upload is checked (it exists, is small enough, and its bytes are the
/// image type it claims) and copied to its place under `prefix`, whose key is returned; a picture
/// attached before is checked again and kept where it is.
pub async fn attach(media: &dyn BlobStore, slug: &Slug, key: &ImageKey) -> Result<ImageKey, ApiError> {
    let unavailable = |e: bistro_store::blob::BlobError| ApiError::Unavailable(e.to_string());
    if let Some(name) = key.as_str().strip_prefix(&upload_prefix(slug)) {
        let blob = checked(media, key).await?;
        let attached =
            ImageKey::parse(&format!("{}{name}", prefix(slug))).map_err(|e| ApiError::Internal(e.to_string()))?;
        let copy =
            bistro_store::blob::NewBlob { bytes: blob.bytes, content_type: &blob.content_type, cache_control: None };
        media.put(attached.as_str(), copy, bistro_store::blob::Precondition::None).await.map_err(unavailable)?;
        return Ok(attached);
    }
    if !key.as_str().starts_with(&prefix(slug)) {
        return Err(ApiError::unprocessable(
            ErrorCode::ForeignImage,
            "that picture does not belong to this restaurant",
        ));
    }
    checked(media, key).await?;
    Ok(key.clone())
}

async fn checked(media: &dyn BlobStore, key: &ImageKey) -> Result<bistro_store::blob::Blob, ApiError> {
    let blob = media.get(key.as_str()).await.map_err(|e| ApiError::Unavailable(e.to_string()))?.ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ImageNotUploaded, "upload the picture before attaching it")
    })?;
    check_size(u64::try_from(blob.bytes.len()).unwrap_or(u64::MAX))?;
    extension_for(&blob.content_type)?;
    if sniff(&blob.bytes) != Some(blob.content_type.as_str()) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidImage,
            format!("the file is not the {} picture it was sent as", kind_of(&blob.content_type)),
        ));
    }
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<svg></svg>"), None);
    }

    #[test]
    fn only_jpeg_png_and_webp_are_taken() {
        assert!(extension_for("image/gif").is_err());
        assert_eq!(extension_for("image/webp").ok(), Some("webp"));
    }

    #[test]
    fn pictures_over_5_mb_are_refused() {
        assert!(check_size(MAX_IMAGE_BYTES).is_ok());
        assert!(check_size(MAX_IMAGE_BYTES + 1).is_err());
    }

    #[test]
    fn an_upload_is_bounded_as_the_document_says() {
        assert_eq!(MAX_IMAGE_BYTES, 5_242_880);
        assert!(check_size(0).is_err());
    }
}
