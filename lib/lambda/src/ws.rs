//! The `ws` function: API Gateway WebSocket routes `$connect`, `$disconnect` and `$default`.

use std::collections::HashMap;

use bistro_api::auth::Auth;
use bistro_realtime::connect::capped_reason;
use bistro_realtime::connect::{ConnectError, authorize, connection};
use bistro_realtime::conversation::{Reply, answer};
use bistro_realtime::fanout::{SendError, Sender};
use bistro_realtime::protocol::ServerMessage;
use bistro_store::Repos;
use bistro_store::repo::CAPS;
use futures_util::StreamExt as _;

/// What API Gateway expects back: a status, and for `$connect` whether it accepts.
pub use aws_lambda_events::event::apigw::ApiGatewayProxyResponse as WebSocketResponse;
/// An API Gateway WebSocket route event (`$connect`, `$disconnect`, `$default`).
pub use aws_lambda_events::event::apigw::ApiGatewayWebsocketProxyRequest as WebSocketEvent;

/// Replayed frames posted at once: enough to finish a long replay within the function's time,
/// few enough not to be throttled by the connection's own limits.
const REPLAY_IN_FLIGHT: usize = 4;

fn respond(status_code: u16, body: &str) -> WebSocketResponse {
    WebSocketResponse {
        status_code: i64::from(status_code),
        body: Some(aws_lambda_events::encodings::Body::Text(body.to_owned())),
        ..WebSocketResponse::default()
    }
}

/// The query of a `$connect`, first value of each name (a repeated name cannot pick another).
fn first_values(query: &aws_lambda_events::query_map::QueryMap) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (name, value) in query.iter() {
        params.entry(name.to_owned()).or_insert_with(|| value.to_owned());
    }
    params
}

/// A `$connect` that did not come through the site's CloudFront (no origin secret, or a wrong
/// one) is refused (403), so the WebSocket API's own address answers nobody, as the HTTP API's
/// does not ([`crate::http_app`]); later frames ride on a connection admitted this way.
pub async fn refused_unless_through_site(
    origin: &bistro_api::origin::OriginCheck,
    event: &WebSocketEvent,
) -> Option<WebSocketResponse> {
    if event.request_context.route_key.as_deref() != Some("$connect") {
        return None;
    }
    let secret = event.headers.get(bistro_api::origin::ORIGIN_HEADER).and_then(|value| value.to_str().ok());
    match origin.admits(secret).await {
        Ok(true) => None,
        Ok(false) => Some(respond(403, "connect through the site's own address")),
        Err(error) => {
            tracing::error!(%error, "cannot check a connection's origin");
            Some(respond(503, "try again"))
        }
    }
}

#[derive(Debug)]
pub struct Handler<'a> {
    pub repos: &'a Repos,
    pub auth: &'a Auth,
    pub sender: &'a dyn Sender,
}

impl Handler<'_> {
    pub async fn handle(&self, event: WebSocketEvent) -> WebSocketResponse {
        // API Gateway names the connection and the route on every event; without them there is
        // nothing to record, forget or answer.
        let (Some(id), Some(route)) =
            (event.request_context.connection_id.as_deref(), event.request_context.route_key.as_deref())
        else {
            return respond(400, "not a WebSocket route event");
        };
        match route {
            "$connect" => self.connect(id, &first_values(&event.query_string_parameters)).await,
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
        match authorize(params, async |token: &str| self.auth.verify(token).await.ok(), self.repos).await {
            Ok(admitted) => match self.repos.connections.open(&connection(id, admitted), &CAPS).await {
                Ok(Ok(())) => respond(200, "connected"),
                Ok(Err(capped)) => respond(429, capped_reason(capped)),
                Err(error) => {
                    tracing::error!(%error, "cannot record a connection");
                    respond(500, "internal error")
                }
            },
            Err(ConnectError::Unauthenticated(why)) => respond(401, why),
            Err(ConnectError::Forbidden(why)) => respond(403, why),
            Err(ConnectError::Store(error)) => {
                tracing::error!(%error, "cannot check a connection's credentials");
                respond(500, "internal error")
            }
        }
    }

    async fn message(&self, id: &str, body: &str) -> WebSocketResponse {
        let mut replies = match answer(self.repos, self.sender, id, body).await {
            Reply::Send(replies) => replies,
            Reply::Ended => return respond(401, "this login has ended"),
            Reply::Unknown => return respond(410, "unknown connection"),
        };
        // The replayed events a few at a time (a client applies them in number order, whatever
        // order they arrive in), and whatever ends the answer (`resumed`) only after all of them.
        let last = replies.pop();
        let texts: Vec<String> = replies.iter().map(ServerMessage::to_text).collect();
        let posted: Vec<Result<(), SendError>> = futures_util::stream::iter(texts.iter())
            .map(|text| self.sender.send(id, text))
            .buffered(REPLAY_IN_FLIGHT)
            .collect()
            .await;
        let mut outcome = posted.into_iter().find(Result::is_err).unwrap_or(Ok(()));
        if let (Ok(()), Some(last)) = (&outcome, last) {
            outcome = self.sender.send(id, &last.to_text()).await;
        }
        if let Err(error) = outcome {
            tracing::warn!(%error, "cannot answer a connection");
            return respond(410, "gone");
        }
        respond(200, "ok")
    }
}
