//! The `notifier` function: DynamoDB Stream records of order events → fan-out to live sockets.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bistro_domain::ids::Slug;
use bistro_realtime::conversation::{StoreChange, dispatch};
use bistro_realtime::fanout::{SendError, Sender};
use bistro_store::engine::stream::item_from_image;
use bistro_store::{Repos, keys};

/// A batch of stream records as Lambda delivers them.
pub use aws_lambda_events::event::dynamodb::Event as StreamEvent;
/// Partial batch response: the records to try again; every other record counts as done.
pub use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse as BatchResponse};

/// Time kept back from the invocation's deadline: enough to answer with what is left.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(2);

/// Fans out every new order event in the batch, and closes the sockets of logins that ended
/// when an account's session changed. One logical change can arrive as more than one record;
/// each event (restaurant, sequence number) goes out once per batch, and each restaurant's
/// sockets are checked once.
///
/// Each restaurant's events stay in order: once one of its records fails, its later records in
/// the batch are not sent but reported with it, and Lambda's retry starts from the first of them.
/// Other restaurants go on. A record not begun `ANSWER_MARGIN` before `deadline` is reported
/// too, so the invocation always answers in time with what it could not finish.
pub async fn handle(repos: &Repos, sender: &dyn Sender, event: StreamEvent) -> BatchResponse {
    handle_until(repos, sender, event, None).await
}

pub async fn handle_until(
    repos: &Repos,
    sender: &dyn Sender,
    event: StreamEvent,
    deadline: Option<Instant>,
) -> BatchResponse {
    let sender = SkipFailing::new(sender);
    let mut seen = BTreeSet::new();
    let mut checked = BTreeSet::new();
    let mut held: BTreeSet<Slug> = BTreeSet::new();
    let mut out_of_time = false;
    let mut response = BatchResponse { batch_item_failures: Vec::new() };
    for record in event.records {
        let mut fail = |record: &aws_lambda_events::event::dynamodb::EventRecord| {
            if let Some(sequence_number) = record.change.sequence_number.clone() {
                response.batch_item_failures.push(DynamoDbBatchItemFailure { item_identifier: Some(sequence_number) });
            }
        };
        out_of_time = out_of_time || deadline.is_some_and(|d| Instant::now() + ANSWER_MARGIN >= d);
        if out_of_time {
            fail(&record);
            continue;
        }
        let keys_image = serde_json::to_value(&record.change.keys).unwrap_or_default();
        let Some(pk) = keys_image.get("pk").and_then(|pk| pk.get("S")).and_then(serde_json::Value::as_str) else {
            continue;
        };
        // The image in DynamoDB's JSON form ({"S": …}), the form the store reads stream items in.
        let image = serde_json::to_value(&record.change.new_image).unwrap_or_default();
        let item = item_from_image(&image);
        let change = match StoreChange::of(pk, record.event_name == "INSERT", item.as_ref()) {
            None => continue,
            Some(Ok(change)) => change,
            Some(Err(error)) => {
                tracing::error!(%error, pk, "an unreadable event; the restaurant's later records wait for it");
                held.extend(keys::restaurant_of_events(pk));
                fail(&record);
                continue;
            }
        };
        let restaurant = change.restaurant().clone();
        let first_time = match &change {
            // Read after the whole batch was written: one check per restaurant sees every change.
            StoreChange::LoginsChanged(_) => checked.insert(restaurant.clone()),
            StoreChange::Event(event) => {
                if held.contains(&restaurant) {
                    fail(&record);
                    continue;
                }
                seen.insert((restaurant.clone(), event.seq))
            }
        };
        if !first_time {
            continue;
        }
        if let Err(error) = dispatch(repos, &sender, &change).await {
            tracing::error!(%error, %restaurant, "a stream record failed; the restaurant's later records wait for it");
            if matches!(change, StoreChange::Event(_)) {
                held.insert(restaurant);
            }
            fail(&record);
        }
    }
    response
}

/// A sender that stops posting to a connection once a post to it failed in this invocation
/// (after the SDK's own retries): one throttled screen costs one record's wait, not the batch's.
/// A board that missed an event that way sees the gap at its next event and resumes.
#[derive(Debug)]
struct SkipFailing<'a> {
    inner: &'a dyn Sender,
    failing: Mutex<HashSet<String>>,
}

impl<'a> SkipFailing<'a> {
    fn new(inner: &'a dyn Sender) -> Self {
        Self { inner, failing: Mutex::default() }
    }

    fn failing(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.failing.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl Sender for SkipFailing<'_> {
    async fn send(&self, connection_id: &str, text: &str) -> Result<(), SendError> {
        if self.failing().contains(connection_id) {
            return Err(SendError::Failed("skipped: an earlier post to it failed in this batch".into()));
        }
        let outcome = self.inner.send(connection_id, text).await;
        if let Err(SendError::Failed(_)) = &outcome {
            self.failing().insert(connection_id.to_owned());
        }
        outcome
    }

    async fn close(&self, connection_id: &str) -> Result<(), SendError> {
        self.inner.close(connection_id).await
    }
}
