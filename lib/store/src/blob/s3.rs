//! The AWS engine: one S3 bucket. Conditional writes use S3's `If-Match` / `If-None-Match`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use super::{Blob, BlobError, BlobInfo, BlobStore, NewBlob, Precondition, PresignedUpload, check_key};

#[derive(Debug, Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

fn unavailable<E: std::error::Error + 'static>(error: E) -> BlobError {
    BlobError::Unavailable(DisplayErrorContext(error).to_string())
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// A client for an emulator such as moto server: path-style addressing, dummy credentials.
    pub async fn emulator_client(endpoint: &str) -> Client {
        let config = crate::aws::emulator_config(endpoint).await;
        Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build())
    }

    /// A client from the environment (Lambda): virtual-host addressing as AWS prefers.
    pub fn from_config(config: &aws_config::SdkConfig) -> Client {
        Client::new(config)
    }

    pub async fn create_bucket_if_missing(&self) -> Result<(), BlobError> {
        if self.client.head_bucket().bucket(&self.bucket).send().await.is_ok() {
            return Ok(());
        }
        self.client.create_bucket().bucket(&self.bucket).send().await.map_err(unavailable)?;
        Ok(())
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, key: &str, blob: NewBlob<'_>, precondition: Precondition) -> Result<String, BlobError> {
        check_key(key)?;
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(blob.content_type)
            .set_cache_control(blob.cache_control.map(str::to_owned))
            .body(ByteStream::from(blob.bytes));
        request = match precondition {
            Precondition::None => request,
            Precondition::Absent => request.if_none_match("*"),
            Precondition::Matches(etag) => request.if_match(etag),
        };
        match request.send().await {
            Ok(output) => Ok(output.e_tag().unwrap_or_default().to_owned()),
            Err(error) if error.raw_response().is_some_and(|r| matches!(r.status().as_u16(), 412 | 409)) => {
                Err(BlobError::PreconditionFailed)
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError> {
        check_key(key)?;
        match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => {
                let (content_type, cache_control, etag) = (
                    output.content_type().unwrap_or("application/octet-stream").to_owned(),
                    output.cache_control().map(str::to_owned),
                    output.e_tag().unwrap_or_default().to_owned(),
                );
                let bytes = output.body.collect().await.map_err(unavailable)?.into_bytes().to_vec();
                Ok(Some(Blob { bytes, content_type, cache_control, etag }))
            }
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError> {
        check_key(key)?;
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => Ok(Some(BlobInfo {
                size: u64::try_from(output.content_length().unwrap_or(0)).unwrap_or(0),
                content_type: output.content_type().unwrap_or("application/octet-stream").to_owned(),
                etag: output.e_tag().unwrap_or_default().to_owned(),
            })),
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        check_key(key)?;
        self.client.delete_object().bucket(&self.bucket).key(key).send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        valid_for: Duration,
    ) -> Result<PresignedUpload, BlobError> {
        check_key(key)?;
        let config = PresigningConfig::expires_in(valid_for).map_err(unavailable)?;
        // Type and length are signed: S3 refuses an upload that differs from what was allowed.
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(i64::try_from(content_length).unwrap_or(i64::MAX))
            .presigned(config)
            .await
            .map_err(unavailable)?;
        Ok(PresignedUpload {
            method: presigned.method().to_owned(),
            url: presigned.uri().to_owned(),
            headers: presigned.headers().map(|(name, value)| (name.to_owned(), value.to_owned())).collect(),
        })
    }
}
