//! The `ws` function: API Gateway WebSocket routes `$connect`, `$disconnect` and `$default`.

use std::collections::HashMap;

use bistro_api::auth::Auth;
use bistro_realtime::connect::{ConnectError, authorize, connection, missed};
use bistro_realtime::fanout::Sender;
use bistro_realtime::protocol::{ClientMessage, ServerMessage};
use bistro_store::Repos;
use serde::{Deserialize, Serialize};

/// The parts of an API Gateway WebSocket event the handler reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebSocketEvent {
    pub request_context: RequestContext,
    #[serde(default)]
    pub query_string_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    pub route_key: String,
    pub connection_id: String,
}

/// What API Gateway expects back: a status (and for `$connect`, whether to accept).
#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebSocketResponse {
    pub status_code: u16,
    pub body: String,
}

fn respond(status_code: u16, body: &str) -> WebSocketResponse {
    WebSocketResponse { status_code, body: body.to_owned() }
}

#[derive(Debug)]
pub struct Handler<'a> {
    pub repos: &'a Repos,
    pub auth: &'a Auth,
    pub sender: &'a dyn Sender,
}

impl Handler<'_> {
    pub async fn handle(&self, event: WebSocketEvent) -> WebSocketResponse {
        let id = event.request_context.connection_id.as_str();
        match event.request_context.route_key.as_str() {
            "$connect" => self.connect(id, &event.query_string_parameters.unwrap_or_default()).await,
            "$disconnect" => match self.repos.connections.delete(id).await {
                Ok(()) => respond(200, "bye"),
                Err(error) => {
                    tracing::error!(%error, "cannot forget a connection");
                    respond(500, "internal error")
                }
            },
            _ => self.message(id, event.body.as_deref().unwrap_or_default()).await,
        }
    }

    async fn connect(&self, id: &str, params: &HashMap<String, String>) -> WebSocketResponse {
        match authorize(params, |token| self.auth.verify(token).ok(), self.repos).await {
            Ok((restaurant, subscription)) => {
                match self.repos.connections.put(&connection(id, restaurant, subscription)).await {
                    Ok(()) => respond(200, "connected"),
                    Err(error) => {
                        tracing::error!(%error, "cannot record a connection");
                        respond(500, "internal error")
                    }
                }
            }
            Err(ConnectError::Unauthenticated(why)) => respond(401, why),
            Err(ConnectError::Forbidden(why)) => respond(403, why),
            Err(ConnectError::Store(error)) => {
                tracing::error!(%error, "cannot check a connection's credentials");
                respond(500, "internal error")
            }
        }
    }

    async fn message(&self, id: &str, body: &str) -> WebSocketResponse {
        let replies = match serde_json::from_str::<ClientMessage>(body) {
            Ok(ClientMessage::Ping) => vec![ServerMessage::Pong],
            Ok(ClientMessage::Resume { last_seq }) => {
                let connection = match self.repos.connections.get(id).await {
                    Ok(connection) => connection,
                    Err(error) => {
                        tracing::warn!(%error, "a message from an unknown connection");
                        return respond(410, "unknown connection");
                    }
                };
                match missed(self.repos, &connection.restaurant, &connection.subscription, last_seq).await {
                    Ok(messages) => messages,
                    Err(error) => {
                        tracing::error!(%error, "cannot read missed events");
                        vec![ServerMessage::Error { code: "unavailable".into(), detail: "try again".into() }]
                    }
                }
            }
            Err(_) => vec![ServerMessage::Error {
                code: "invalid_message".into(),
                detail: "send {\"type\":\"resume\",\"last_seq\":N} or {\"type\":\"ping\"}".into(),
            }],
        };
        // In order, one after the other: a resuming screen must get its events in sequence.
        for reply in replies {
            if let Err(error) = self.sender.send(id, &reply.to_text()).await {
                tracing::warn!(%error, "cannot answer a connection");
                return respond(410, "gone");
            }
        }
        respond(200, "ok")
    }
}
