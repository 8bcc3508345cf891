//! The fan-out's `Sender` on AWS: API Gateway's PostToConnection.

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::error::DisplayErrorContext;
use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use bistro_realtime::fanout::{SendError, Sender};

#[derive(Debug, Clone)]
pub struct ApiGatewaySender {
    client: Client,
}

impl ApiGatewaySender {
    /// `endpoint` is the WebSocket API's management URL: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`.
    pub fn new(config: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(config).endpoint_url(endpoint).build();
        Self { client: Client::from_conf(config) }
    }
}

#[async_trait]
impl Sender for ApiGatewaySender {
    async fn send(&self, connection_id: &str, text: &str) -> Result<(), SendError> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(text.as_bytes()))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // A bare 410 is as final as a modelled GoneException.
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 410) => Err(SendError::Gone),
            Err(error) => match error.into_service_error() {
                PostToConnectionError::GoneException(_) => Err(SendError::Gone),
                other => Err(SendError::Failed(DisplayErrorContext(other).to_string())),
            },
        }
    }

    async fn close(&self, connection_id: &str) -> Result<(), SendError> {
        match self.client.delete_connection().connection_id(connection_id).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 410) => Err(SendError::Gone),
            Err(error) => match error.into_service_error() {
                DeleteConnectionError::GoneException(_) => Err(SendError::Gone),
                other => Err(SendError::Failed(DisplayErrorContext(other).to_string())),
            },
        }
    }
}
