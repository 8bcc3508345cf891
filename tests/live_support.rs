//! What the live-update tests share: the table's stream read back from moto as the event Lambda
//! hands the notifier, and a stand-in for API Gateway's Management API. Included by the test
//! files that need it (`#[path]`), so not every item is used by each.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use bistro_store::engine::dynamodb::DynamoStore;
use serde_json::{Value, json};

pub fn to_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({"S": s}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null(_) => json!({"NULL": true}),
        AttributeValue::M(map) => {
            json!({"M": map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<serde_json::Map<_, _>>()})
        }
        AttributeValue::L(list) => json!({"L": list.iter().map(to_json).collect::<Vec<_>>()}),
        other => panic!("unexpected attribute {other:?}"),
    }
}

/// Every record on `table`'s stream so far, as the Lambda event the notifier receives.
pub async fn stream_event(aws: &aws_config::SdkConfig, table: &str) -> Value {
    let dynamodb = DynamoStore::emulator_client(&aws.endpoint_url().map(str::to_owned).unwrap_or_default()).await;
    let table = dynamodb.describe_table().table_name(table).send().await.unwrap();
    let arn = table.table().and_then(|t| t.latest_stream_arn()).unwrap().to_owned();
    let streams = aws_sdk_dynamodbstreams::Client::new(aws);
    let description = streams.describe_stream().stream_arn(&arn).send().await.unwrap();
    let mut records = Vec::new();
    for shard in description.stream_description().map(|d| d.shards()).unwrap_or_default() {
        let iterator = streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard.shard_id().unwrap())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap();
        let page = streams.get_records().shard_iterator(iterator.shard_iterator().unwrap()).send().await.unwrap();
        for record in page.records() {
            let change = record.dynamodb().unwrap();
            let image: serde_json::Map<String, Value> = change
                .new_image()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
                .unwrap_or_default();
            let keys: serde_json::Map<String, Value> =
                change.keys().map(|m| m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()).unwrap_or_default();
            // As Lambda hands a stream record to its function: the stream's record plus its source.
            records.push(json!({
                "eventID": record.event_id(),
                "eventName": record.event_name().map(|n| n.as_str()).unwrap_or_default(),
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": arn,
                "dynamodb": {"Keys": keys, "NewImage": image, "SequenceNumber": change.sequence_number(),
                             "SizeBytes": change.size_bytes().unwrap_or_default(), "StreamViewType": "NEW_AND_OLD_IMAGES"}
            }));
        }
    }
    json!({"Records": records})
}

/// A stand-in for the API Gateway Management API that records posts and answers 410 Gone for
/// connections whose id starts with "gone", and 429 (throttled) for those starting with "slow".
#[derive(Clone, Default)]
pub struct Stub {
    pub posts: Arc<Mutex<Vec<(String, Value)>>>,
    /// Every post to a throttled connection, retries included.
    pub throttled: Arc<Mutex<Vec<String>>>,
    /// Once set, the "slow" connections answer again.
    pub recovered: Arc<std::sync::atomic::AtomicBool>,
    /// Connections closed from the server's side (DeleteConnection).
    pub closed: Arc<Mutex<Vec<String>>>,
}

async fn stub_delete(State(stub): State<Stub>, Path(id): Path<String>) -> StatusCode {
    stub.closed.lock().unwrap().push(id);
    StatusCode::NO_CONTENT
}

async fn stub_post(State(stub): State<Stub>, Path(id): Path<String>, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    if id.starts_with("gone") {
        // What API Gateway answers for a connection that has closed.
        return (StatusCode::GONE, [("x-amzn-errortype", "GoneException")], "{\"message\":null}").into_response();
    }
    if id.starts_with("slow") && !stub.recovered.load(std::sync::atomic::Ordering::SeqCst) {
        stub.throttled.lock().unwrap().push(id);
        let body = "{\"message\":\"Rate exceeded\"}";
        return (StatusCode::TOO_MANY_REQUESTS, [("x-amzn-errortype", "LimitExceededException")], body).into_response();
    }
    stub.posts.lock().unwrap().push((id, serde_json::from_str(&body).unwrap_or(Value::Null)));
    StatusCode::OK.into_response()
}

pub async fn stub_server() -> (Stub, String) {
    let stub = Stub::default();
    let app = Router::new().route("/@connections/{id}", post(stub_post).delete(stub_delete)).with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (stub, format!("http://{address}"))
}
