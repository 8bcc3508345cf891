//! The `notifier` function: DynamoDB Stream records of order events → fan-out to live sockets.

use std::collections::BTreeSet;

use bistro_realtime::fanout::{Sender, fan_out};
use bistro_store::Repos;
use bistro_store::engine::stream::item_from_image;
use bistro_store::repo::Events;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A batch of stream records as Lambda delivers them.
#[derive(Debug, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, Deserialize)]
pub struct StreamRecord {
    #[serde(rename = "eventName", default)]
    pub event_name: String,
    pub dynamodb: StreamChange,
}

#[derive(Debug, Deserialize)]
pub struct StreamChange {
    #[serde(rename = "NewImage", default)]
    pub new_image: Option<Value>,
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: Option<String>,
}

/// Partial batch response: the records to try again; every other record counts as done.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// Fans out every new order event in the batch. One logical change can arrive as more than one
/// record; each event (restaurant, sequence number) goes out once per batch. A record that fails
/// is reported alone, so a poison record never holds up the others.
pub async fn handle(repos: &Repos, sender: &dyn Sender, event: StreamEvent) -> BatchResponse {
    let mut seen = BTreeSet::new();
    let mut response = BatchResponse::default();
    for record in event.records {
        if record.event_name != "INSERT" {
            continue;
        }
        let Some(item) = record.dynamodb.new_image.as_ref().and_then(item_from_image) else { continue };
        let Some(decoded) = Events::from_item(&item) else { continue };
        if !seen.insert(item.key.clone()) {
            continue;
        }
        let outcome = match decoded {
            Ok(order_event) => fan_out(repos, sender, &order_event).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = outcome {
            tracing::error!(%error, key = ?item.key, "a stream record failed");
            if let Some(sequence_number) = record.dynamodb.sequence_number {
                response.batch_item_failures.push(BatchItemFailure { item_identifier: sequence_number });
            }
        }
    }
    response
}
