//! The `notifier` function: DynamoDB Stream records of order events → fan-out to live sockets.

use std::collections::BTreeSet;

use bistro_realtime::fanout::{Sender, close_ended_logins, fan_out};
use bistro_store::engine::stream::item_from_image;
use bistro_store::repo::Events;
use bistro_store::{Repos, keys};

/// A batch of stream records as Lambda delivers them.
pub use aws_lambda_events::event::dynamodb::Event as StreamEvent;
/// Partial batch response: the records to try again; every other record counts as done.
pub use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse as BatchResponse};

/// Fans out every new order event in the batch, and closes the sockets of logins that ended
/// when an account's session changed. One logical change can arrive as more than one record;
/// each event (restaurant, sequence number) goes out once per batch, and each restaurant's
/// sockets are checked once. A record that fails is reported alone, so a poison record never
/// holds up the others.
pub async fn handle(repos: &Repos, sender: &dyn Sender, event: StreamEvent) -> BatchResponse {
    let mut seen = BTreeSet::new();
    let mut checked = BTreeSet::new();
    let mut response = BatchResponse { batch_item_failures: Vec::new() };
    for record in event.records {
        let keys_image = serde_json::to_value(&record.change.keys).unwrap_or_default();
        let pk = keys_image.get("pk").and_then(|pk| pk.get("S")).and_then(serde_json::Value::as_str);
        if let Some(slug) = pk.and_then(keys::restaurant_of_session) {
            // Read after the whole batch was written: one check per restaurant sees every change.
            if record.event_name != "INSERT" && checked.insert(slug.clone()) {
                if let Err(error) = close_ended_logins(repos, sender, &slug).await {
                    tracing::error!(%error, restaurant = %slug, "cannot close the sockets of ended logins");
                    if let Some(sequence_number) = record.change.sequence_number.clone() {
                        response
                            .batch_item_failures
                            .push(DynamoDbBatchItemFailure { item_identifier: Some(sequence_number) });
                    }
                }
            }
            continue;
        }
        if record.event_name != "INSERT" {
            continue;
        }
        // The image in DynamoDB's JSON form ({"S": …}), the form the store reads stream items in.
        let image = serde_json::to_value(&record.change.new_image).unwrap_or_default();
        let Some(item) = item_from_image(&image) else { continue };
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
            if let Some(sequence_number) = record.change.sequence_number {
                response.batch_item_failures.push(DynamoDbBatchItemFailure { item_identifier: Some(sequence_number) });
            }
        }
    }
    response
}
