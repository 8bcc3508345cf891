//! The AWS engine: one DynamoDB table, keys and indexes as `crate::keys` lays them out.
//!
//! Conditions become condition expressions; expiry is enforced on read as well as by DynamoDB's
//! TTL sweeper, since the sweeper may lag by days and readers must never see an expired item.

use std::collections::HashMap;

use async_trait::async_trait;
pub use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, PutRequest, ReturnValue, ScalarAttributeType,
    StreamSpecification, StreamViewType, TransactWriteItem, Update, WriteRequest,
};

use crate::seam::{
    Condition, Counting, Cursor, Index, Item, Key, Page, Position, Query, SeamError, SortKey, Store, Tallied, Tier,
    Write, check_transaction, now_unix,
};

const EXPIRES_AT: &str = "expires_at";

#[derive(Debug, Clone)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
}

pub(super) fn unavailable<E: std::error::Error + 'static>(error: E) -> SeamError {
    SeamError::Unavailable(DisplayErrorContext(error).to_string())
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// As `cdk/lib/data-stack.ts` defines the indexes.
fn projection(index: Index) -> ProjectionType {
    if index.holds_whole_items() { ProjectionType::All } else { ProjectionType::KeysOnly }
}

fn index_attributes(index: Index) -> (String, String) {
    (format!("{}pk", index.name()), format!("{}sk", index.name()))
}

pub(super) fn key_attributes(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([("pk".to_owned(), s(&key.pk)), ("sk".to_owned(), s(&key.sk))])
}

fn to_attributes(item: &Item) -> HashMap<String, AttributeValue> {
    let mut attributes = key_attributes(&item.key);
    for index in Index::ALL {
        if let Some(key) = &item.index_keys[index.position()] {
            let (pk, sk) = index_attributes(index);
            attributes.insert(pk, s(&key.pk));
            attributes.insert(sk, s(&key.sk));
        }
    }
    if let Some(expires_at) = item.expires_at {
        attributes.insert(EXPIRES_AT.to_owned(), n(expires_at));
    }
    attributes.insert("v".to_owned(), n(item.version));
    attributes.insert("n".to_owned(), n(item.counter));
    if !item.body.is_empty() {
        attributes.insert("body".to_owned(), s(&item.body));
    }
    attributes
}

fn string_of(attributes: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    attributes.get(name).and_then(|value| value.as_s().ok()).cloned()
}

fn number_of<T: std::str::FromStr>(attributes: &HashMap<String, AttributeValue>, name: &str) -> Option<T> {
    attributes.get(name).and_then(|value| value.as_n().ok()).and_then(|raw| raw.parse().ok())
}

fn from_attributes(attributes: &HashMap<String, AttributeValue>) -> Result<Item, SeamError> {
    let corrupt = || SeamError::Unavailable("an item without its keys came back from DynamoDB".into());
    let index_key = |index: Index| {
        let (pk, sk) = index_attributes(index);
        string_of(attributes, &pk).zip(string_of(attributes, &sk)).map(|(pk, sk)| Key { pk, sk })
    };
    Ok(Item {
        key: Key {
            pk: string_of(attributes, "pk").ok_or_else(corrupt)?,
            sk: string_of(attributes, "sk").ok_or_else(corrupt)?,
        },
        index_keys: [index_key(Index::Gsi1), index_key(Index::Gsi2), index_key(Index::Gsi3)],
        expires_at: number_of(attributes, EXPIRES_AT),
        version: number_of(attributes, "v").unwrap_or(0),
        counter: number_of(attributes, "n").unwrap_or(0),
        body: string_of(attributes, "body").unwrap_or_default(),
    })
}

fn is_live(item: &Item, now: i64) -> bool {
    item.expires_at.is_none_or(|at| at > now)
}

/// The expressions of one request with the names and values they use.
#[derive(Default)]
struct Expression {
    condition: Option<String>,
    update: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    /// DynamoDB refuses empty maps: send none instead.
    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn expression(condition: Condition, now: i64) -> Expression {
    const LIVE: &str = "(attribute_not_exists(#exp) OR #exp > :now)";
    const GONE: &str = "(attribute_not_exists(pk) OR #exp <= :now)";
    let (text, value) = match condition {
        Condition::Always => return Expression::default(),
        Condition::Absent => (GONE.to_owned(), None),
        Condition::Present => (format!("attribute_exists(pk) AND {LIVE}"), None),
        Condition::Version(v) => (format!("#v = :c AND {LIVE}"), Some(n(v))),
        // An absent or expired counter counts as 0, so it passes exactly when 0 would.
        Condition::CounterAtMost(c) if c >= 0 => {
            (format!("attribute_not_exists(#n) OR #n <= :c OR {GONE}"), Some(n(c)))
        }
        Condition::CounterAtMost(c) => (format!("#n <= :c AND {LIVE}"), Some(n(c))),
        Condition::CounterIs(0) => (format!("attribute_not_exists(#n) OR #n = :c OR {GONE}"), Some(n(0))),
        Condition::CounterIs(c) => (format!("#n = :c AND {LIVE}"), Some(n(c))),
    };
    let mut names = HashMap::from([("#exp".to_owned(), EXPIRES_AT.to_owned())]);
    for (placeholder, name) in [("#v", "v"), ("#n", "n")] {
        if text.contains(placeholder) {
            names.insert(placeholder.to_owned(), name.to_owned());
        }
    }
    let mut values = HashMap::from([(":now".to_owned(), n(now))]);
    if let Some(value) = value {
        values.insert(":c".to_owned(), value);
    }
    Expression { condition: Some(text), update: None, names, values }
}

/// `ADD n :by` (creating the item when absent), and the expiry when given, under the condition.
fn add_expression(by: i64, expires_at: Option<i64>, condition: Condition, now: i64) -> Expression {
    let mut expr = expression(condition, now);
    expr.names.insert("#n".to_owned(), "n".to_owned());
    expr.values.insert(":by".to_owned(), n(by));
    let mut update = "ADD #n :by".to_owned();
    if let Some(at) = expires_at {
        expr.names.insert("#exp".to_owned(), EXPIRES_AT.to_owned());
        expr.values.insert(":expires".to_owned(), n(at));
        update += " SET #exp = :expires";
    }
    expr.update = Some(update);
    expr
}

/// The AWS configuration: `lambda_aws_config` from the environment alone (what a Lambda function
/// uses), `load_aws_config` as the AWS CLI finds it (a developer's tools). Load it once, at start.
pub use crate::aws::{lambda_config as lambda_aws_config, load_config as load_aws_config};

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// A client for an emulator such as moto server: fixed region and dummy credentials.
    pub async fn emulator_client(endpoint: &str) -> Client {
        Client::new(&crate::aws::emulator_config(endpoint).await)
    }

    /// Creates the table with its indexes and stream, as the CDK stack does, unless it exists.
    pub async fn create_table_if_missing(&self) -> Result<(), SeamError> {
        if self.client.describe_table().table_name(&self.table).send().await.is_ok() {
            return Ok(());
        }
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let schema = |pk: &str, sk: &str| -> Result<Vec<KeySchemaElement>, SeamError> {
            Ok(vec![
                KeySchemaElement::builder().attribute_name(pk).key_type(KeyType::Hash).build().map_err(unavailable)?,
                KeySchemaElement::builder().attribute_name(sk).key_type(KeyType::Range).build().map_err(unavailable)?,
            ])
        };
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(schema("pk", "sk")?))
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build()
                    .map_err(unavailable)?,
            );
        for index in Index::ALL {
            let (pk, sk) = index_attributes(index);
            request = request
                .attribute_definitions(attribute(&pk)?)
                .attribute_definitions(attribute(&sk)?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name())
                        .set_key_schema(Some(schema(&pk, &sk)?))
                        .projection(Projection::builder().projection_type(projection(index)).build())
                        .build()
                        .map_err(unavailable)?,
                );
        }
        request.send().await.map_err(unavailable)?;
        Ok(())
    }

    fn transact_item(&self, write: &Write, now: i64) -> Result<TransactWriteItem, SeamError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| SeamError::Invalid(e.to_string());
        let item = match write {
            Write::Put { item, condition } => {
                let expr = expression(*condition, now);
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(item)))
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_condition_expression(expr.condition)
                    .build()
                    .map_err(built)?;
                TransactWriteItem::builder().put(put).build()
            }
            Write::Delete { key, condition } => {
                let expr = expression(*condition, now);
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_condition_expression(expr.condition)
                    .build()
                    .map_err(built)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            Write::Add { key, by, expires_at, condition } => {
                let expr = add_expression(*by, *expires_at, *condition, now);
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_update_expression(expr.update)
                    .set_condition_expression(expr.condition)
                    .build()
                    .map_err(built)?;
                TransactWriteItem::builder().update(update).build()
            }
            Write::Check { key, condition } => {
                let expr = expression(*condition, now);
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_condition_expression(expr.condition)
                    .build()
                    .map_err(built)?;
                TransactWriteItem::builder().condition_check(check).build()
            }
        };
        Ok(item)
    }
}

/// A single write's outcome: its condition failing is `ConditionFailed`, anything else unavailable.
fn single_write<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<T, SeamError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match result {
        Ok(output) => Ok(output),
        Err(e) if e.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException") => {
            Err(SeamError::ConditionFailed)
        }
        Err(e) => Err(unavailable(e)),
    }
}

impl DynamoStore {
    async fn get_item(&self, key: &Key, consistent: bool) -> Result<Option<Item>, SeamError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(unavailable)?;
        let now = now_unix();
        Ok(output.item.as_ref().map(from_attributes).transpose()?.filter(|item| is_live(item, now)))
    }
}

/// A query's key condition, the expiry filter, and the names and values they use.
struct QueryExpression {
    key_condition: String,
    /// Whether expired items are filtered out (only whole items carry their expiry).
    filter: bool,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl QueryExpression {
    fn of(query: &Query, pk_name: &str, sk_name: &str, now: i64) -> Self {
        let mut names = HashMap::from([("#pk".to_owned(), pk_name.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), s(&query.pk))]);
        let mut key_condition = "#pk = :pk".to_owned();
        // Only whole items carry their expiry; a keys-only index holds items that never expire.
        let filter = query.index.is_none_or(Index::holds_whole_items);
        if filter {
            names.insert("#exp".to_owned(), EXPIRES_AT.to_owned());
            values.insert(":now".to_owned(), n(now));
        }
        if !matches!(query.sk, SortKey::Any) {
            names.insert("#sk".to_owned(), sk_name.to_owned());
        }
        match &query.sk {
            SortKey::Any => {}
            SortKey::Equals(v) => {
                key_condition += " AND #sk = :a";
                values.insert(":a".to_owned(), s(v));
            }
            SortKey::BeginsWith(prefix) => {
                key_condition += " AND begins_with(#sk, :a)";
                values.insert(":a".to_owned(), s(prefix));
            }
            SortKey::Between(low, high) => {
                key_condition += " AND #sk BETWEEN :a AND :b";
                values.insert(":a".to_owned(), s(low));
                values.insert(":b".to_owned(), s(high));
            }
        }
        Self { key_condition, filter, names, values }
    }
}

/// The single writes, each one request.
impl DynamoStore {
    async fn put_item(&self, item: &Item, condition: Condition, now: i64) -> Result<(), SeamError> {
        let expr = expression(condition, now);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attributes(item)))
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .set_condition_expression(expr.condition)
            .send()
            .await;
        single_write(result).map(|_| ())
    }

    async fn delete_item(&self, key: &Key, condition: Condition, now: i64) -> Result<(), SeamError> {
        let expr = expression(condition, now);
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .set_condition_expression(expr.condition)
            .send()
            .await;
        single_write(result).map(|_| ())
    }

    /// Adds `by` to the counter at `key`: its new value, when the store says it.
    async fn add_to(
        &self,
        key: &Key,
        by: i64,
        expires_at: Option<i64>,
        condition: Condition,
        now: i64,
    ) -> Result<Option<i64>, SeamError> {
        let expr = add_expression(by, expires_at, condition, now);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .set_update_expression(expr.update)
            .set_condition_expression(expr.condition)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        single_write(result).map(|output| output.attributes.as_ref().and_then(|a| number_of(a, "n")))
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.get_item(key, true).await
    }

    async fn get_recent(&self, key: &Key) -> Result<Option<Item>, SeamError> {
        self.get_item(key, false).await
    }

    async fn write(&self, write: Write) -> Result<Option<i64>, SeamError> {
        let now = now_unix();
        match &write {
            Write::Put { item, condition } => self.put_item(item, *condition, now).await.map(|()| None),
            Write::Delete { key, condition } => self.delete_item(key, *condition, now).await.map(|()| None),
            Write::Add { key, by, expires_at, condition } => self.add_to(key, *by, *expires_at, *condition, now).await,
            Write::Check { .. } => match self.transact(vec![write]).await {
                Ok(()) => Ok(None),
                Err(SeamError::TransactionCancelled { .. }) => Err(SeamError::ConditionFailed),
                Err(e) => Err(e),
            },
        }
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), SeamError> {
        check_transaction(&writes)?;
        let now = now_unix();
        let items = writes.iter().map(|w| self.transact_item(w, now)).collect::<Result<Vec<_>, _>>()?;
        let result = self.client.transact_write_items().set_transact_items(Some(items)).send().await;
        let Err(error) = result else { return Ok(()) };
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError as E;
        match error.into_service_error() {
            E::TransactionCanceledException(cancelled) => {
                let reasons = cancelled.cancellation_reasons();
                let failed: Vec<usize> = reasons
                    .iter()
                    .enumerate()
                    .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                    .map(|(i, _)| i)
                    .collect();
                if !failed.is_empty() {
                    Err(SeamError::TransactionCancelled { failed })
                } else if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                    Err(SeamError::TransactionConflict)
                } else {
                    Err(unavailable(cancelled))
                }
            }
            E::TransactionInProgressException(_) => Err(SeamError::TransactionConflict),
            other => Err(unavailable(other)),
        }
    }

    async fn query(&self, query: &Query) -> Result<Page, SeamError> {
        let position = query.cursor.as_ref().map(|cursor| cursor.position_for(query)).transpose()?;
        let (pk_name, sk_name) = match query.index {
            None => ("pk".to_owned(), "sk".to_owned()),
            Some(index) => index_attributes(index),
        };
        let expr = QueryExpression::of(query, &pk_name, &sk_name, now_unix());
        let mut start_key = position.map(|position| {
            let mut key = key_attributes(&Key { pk: position.pk, sk: position.sk });
            if let (Some(index_key), Some(_)) = (position.index_key, query.index) {
                key.insert(pk_name.clone(), s(&index_key.pk));
                key.insert(sk_name.clone(), s(&index_key.sk));
            }
            key
        });
        let limit = query.limit.clamp(1, 1000);
        let mut items = Vec::new();
        // A filtered-out expired item still counts against DynamoDB's limit: read on until the
        // page is full or the partition ends.
        loop {
            let wanted = i32::try_from(limit as usize - items.len()).unwrap_or(i32::MAX);
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.map(|index| index.name().to_owned()))
                .key_condition_expression(&expr.key_condition)
                .set_filter_expression(expr.filter.then(|| "attribute_not_exists(#exp) OR #exp > :now".to_owned()))
                .set_expression_attribute_names(Some(expr.names.clone()))
                .set_expression_attribute_values(Some(expr.values.clone()))
                .scan_index_forward(query.ascending)
                .consistent_read(query.index.is_none() && query.consistent)
                .limit(wanted)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(unavailable)?;
            for attributes in output.items() {
                items.push(from_attributes(attributes)?);
            }
            start_key = output.last_evaluated_key;
            if start_key.is_none() || items.len() >= limit as usize {
                break;
            }
        }
        let next = start_key.map(|key| {
            Cursor::from_position(&Position {
                pk: string_of(&key, "pk").unwrap_or_default(),
                sk: string_of(&key, "sk").unwrap_or_default(),
                index_key: query.index.map(|_| Key {
                    pk: string_of(&key, &pk_name).unwrap_or_default(),
                    sk: string_of(&key, &sk_name).unwrap_or_default(),
                }),
            })
        });
        Ok(Page { items, next })
    }

    async fn tally_as(
        &self,
        key: &Key,
        tiers: &[Tier; 3],
        expires_at: i64,
        counting: Counting,
    ) -> Result<Option<Tallied>, SeamError> {
        self.tally_item(key, tiers, expires_at, counting).await
    }

    async fn put_all(&self, changes: Vec<(Key, Option<Item>)>) -> Result<(), SeamError> {
        for batch in changes.chunks(25) {
            let mut requests = batch
                .iter()
                .map(|(key, item)| {
                    Ok(match item {
                        Some(item) => WriteRequest::builder()
                            .put_request(
                                PutRequest::builder()
                                    .set_item(Some(to_attributes(item)))
                                    .build()
                                    .map_err(unavailable)?,
                            )
                            .build(),
                        None => WriteRequest::builder()
                            .delete_request(
                                DeleteRequest::builder()
                                    .set_key(Some(key_attributes(key)))
                                    .build()
                                    .map_err(unavailable)?,
                            )
                            .build(),
                    })
                })
                .collect::<Result<Vec<_>, SeamError>>()?;
            // DynamoDB may leave some of a batch for later when it is busy: send those again.
            for attempt in 0..8u32 {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(unavailable)?;
                requests = output.unprocessed_items.and_then(|mut left| left.remove(&self.table)).unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            if !requests.is_empty() {
                return Err(SeamError::Unavailable("DynamoDB kept refusing part of a batch write".into()));
            }
        }
        Ok(())
    }

    async fn scan(&self, pk_prefix: &str, after: Option<Cursor>) -> Result<Page, SeamError> {
        let mut start_key = after
            .map(|cursor| cursor.position())
            .transpose()?
            .map(|position| key_attributes(&Key { pk: position.pk, sk: position.sk }));
        let now = now_unix();
        let mut items = Vec::new();
        // A filter runs after the read: read on until a page holds something or the table ends.
        loop {
            let output = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(pk, :prefix) AND (attribute_not_exists(#exp) OR #exp > :now)")
                .expression_attribute_names("#exp", EXPIRES_AT)
                .expression_attribute_values(":prefix", s(pk_prefix))
                .expression_attribute_values(":now", n(now))
                .consistent_read(true)
                .limit(1000)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(unavailable)?;
            for attributes in output.items() {
                items.push(from_attributes(attributes)?);
            }
            start_key = output.last_evaluated_key;
            if start_key.is_none() || !items.is_empty() {
                break;
            }
        }
        let next = start_key.map(|key| {
            Cursor::from_position(&Position {
                pk: string_of(&key, "pk").unwrap_or_default(),
                sk: string_of(&key, "sk").unwrap_or_default(),
                index_key: None,
            })
        });
        Ok(Page { items, next })
    }

    async fn ping(&self) -> Result<(), SeamError> {
        self.client.describe_table().table_name(&self.table).send().await.map(|_| ()).map_err(unavailable)
    }
}
