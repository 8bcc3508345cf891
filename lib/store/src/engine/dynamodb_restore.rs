//! Restoring the table to a point in time, the operator's way back from a bad write: DynamoDB
//! restores into a new table and copies only the items and indexes, so the stream (the live
//! side's feed), the expiry of short-lived items, point-in-time recovery itself and deletion
//! protection are turned on again here, as `cdk/lib/data-stack.ts` sets them on the table it makes.

use aws_sdk_dynamodb::primitives::DateTime;
use aws_sdk_dynamodb::types::{
    BillingMode, PointInTimeRecoverySpecification, StreamSpecification, StreamViewType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use bistro_domain::jiff::Timestamp;

use super::dynamodb::{Client, unavailable};
use crate::seam::SeamError;

/// What a table has turned on of what the deployment needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSettings {
    pub status: String,
    /// The stream's ARN, with new and old images, when it is on.
    pub stream: Option<String>,
    pub expiry_on: bool,
    pub point_in_time_recovery: bool,
    pub deletion_protection: bool,
}

/// Reads what `table` has turned on.
pub async fn settings(client: &Client, table: &str) -> Result<TableSettings, SeamError> {
    let described = client.describe_table().table_name(table).send().await.map_err(unavailable)?;
    let description = described.table.ok_or_else(|| SeamError::Unavailable(format!("no table {table}")))?;
    let stream_on = description
        .stream_specification
        .as_ref()
        .is_some_and(|s| s.stream_enabled && s.stream_view_type.as_ref() == Some(&StreamViewType::NewAndOldImages));
    let ttl = client.describe_time_to_live().table_name(table).send().await.map_err(unavailable)?;
    let ttl = ttl.time_to_live_description;
    let backups = client.describe_continuous_backups().table_name(table).send().await.map_err(unavailable)?;
    let recovery = backups
        .continuous_backups_description
        .and_then(|d| d.point_in_time_recovery_description)
        .and_then(|d| d.point_in_time_recovery_status)
        .is_some_and(|status| status.as_str() == "ENABLED");
    Ok(TableSettings {
        status: description.table_status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        stream: description.latest_stream_arn.filter(|_| stream_on),
        expiry_on: ttl.as_ref().is_some_and(|t| {
            t.time_to_live_status == Some(TimeToLiveStatus::Enabled)
                && t.attribute_name.as_deref() == Some("expires_at")
        }),
        point_in_time_recovery: recovery,
        deletion_protection: description.deletion_protection_enabled.unwrap_or(false),
    })
}

/// Turns on point-in-time recovery of `table` (the deployment's table has it from the start).
pub async fn keep_point_in_time(client: &Client, table: &str) -> Result<(), SeamError> {
    let on = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(true)
        .build()
        .map_err(unavailable)?;
    client
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(on)
        .send()
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Restores `from` as it was at `at` (the latest restorable moment when `None`) into the new table
/// `to`, waits until it is active, and turns on what the restore leaves off. Returns its settings.
pub async fn restore(
    client: &Client,
    from: &str,
    to: &str,
    at: Option<Timestamp>,
    progress: impl Fn(&str),
) -> Result<TableSettings, SeamError> {
    progress("restoring");
    client
        .restore_table_to_point_in_time()
        .source_table_name(from)
        .target_table_name(to)
        .set_restore_date_time(at.map(|at| DateTime::from_secs(at.as_second())))
        .use_latest_restorable_time(at.is_none())
        .billing_mode_override(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(unavailable)?;
    // A restore takes minutes on AWS (moto: at once); the table takes no change before it is active.
    for _ in 0..720 {
        let described = client.describe_table().table_name(to).send().await.map_err(unavailable)?;
        if described.table.and_then(|t| t.table_status) == Some(TableStatus::Active) {
            break;
        }
        progress("waiting for the restored table");
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
    progress("turning the stream on");
    let stream = StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::NewAndOldImages)
        .build()
        .map_err(unavailable)?;
    client.update_table().table_name(to).stream_specification(stream).send().await.map_err(unavailable)?;
    progress("turning expiry on");
    let expiry =
        TimeToLiveSpecification::builder().enabled(true).attribute_name("expires_at").build().map_err(unavailable)?;
    client.update_time_to_live().table_name(to).time_to_live_specification(expiry).send().await.map_err(unavailable)?;
    progress("turning point-in-time recovery on");
    keep_point_in_time(client, to).await?;
    progress("protecting it from deletion");
    client.update_table().table_name(to).deletion_protection_enabled(true).send().await.map_err(unavailable)?;
    settings(client, to).await
}
