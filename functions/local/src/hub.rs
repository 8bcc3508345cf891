//! The local server's WebSocket side: an in-process hub of sockets that implements the same
//! `Sender` the notifier uses, fed by the SQLite engine's change feed, and the `/ws` session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc};

use bistro_api::error::ErrorCode;
use bistro_api::extract::Query;
use bistro_api::{ApiError, AppState};
use bistro_realtime::connect::{ConnectError, authorize, capped_reason, connection};
use bistro_realtime::conversation::{Delivered, Reply, StoreChange, answer, dispatch};
use bistro_realtime::fanout::{SendError, Sender};
use bistro_realtime::protocol::ServerMessage;
use bistro_store::Repos;
use bistro_store::engine::sqlite::Change;
use bistro_store::repo::CAPS;

/// How often the server pings an idle socket, so proxies and browsers keep it open.
const HEARTBEAT: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct Hub {
    sockets: Mutex<HashMap<String, mpsc::UnboundedSender<String>>>,
}

impl Hub {
    fn register(&self, id: &str) -> mpsc::UnboundedReceiver<String> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.sockets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_owned(), sender);
        receiver
    }

    fn unregister(&self, id: &str) {
        self.sockets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
    }
}

#[async_trait]
impl Sender for Hub {
    async fn send(&self, connection_id: &str, text: &str) -> Result<(), SendError> {
        let sockets = self.sockets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match sockets.get(connection_id) {
            Some(socket) => socket.send(text.to_owned()).map_err(|_| SendError::Gone),
            None => Err(SendError::Gone),
        }
    }

    /// Dropping the socket's channel ends its session, which closes the socket.
    async fn close(&self, connection_id: &str) -> Result<(), SendError> {
        self.unregister(connection_id);
        Ok(())
    }
}

/// Turns every committed event item into a fan-out, in commit order, and every change to an
/// account's session into closing the sockets it ended: the local DynamoDB Stream.
pub fn spawn_feed(
    mut changes: broadcast::Receiver<Change>,
    repos: Repos,
    hub: Arc<Hub>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let change = match changes.recv().await {
                Ok(change) => change,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Screens catch up by resuming from the stored events.
                    tracing::warn!(missed, "the live feed fell behind");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let Some(pk) = change.new.as_ref().or(change.old.as_ref()).map(|item| item.key.pk.as_str()) else {
                continue;
            };
            match StoreChange::of(pk, change.old.is_none(), change.new.as_ref()) {
                None => {}
                Some(Ok(change)) => {
                    if let Err(error) = dispatch(&repos, hub.as_ref(), &change).await {
                        tracing::error!(%error, restaurant = %change.restaurant(), "cannot carry a change to live screens");
                    }
                }
                Some(Err(error)) => tracing::error!(%error, "unreadable event item"),
            }
        }
    })
}

/// `GET /ws?restaurant=…&token=…` or `…&order=…&order_token=…`.
pub async fn upgrade(
    State((state, hub)): State<(AppState, Arc<Hub>)>,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(upgrade) = upgrade else {
        return ApiError::bad_request(
            ErrorCode::WebsocketRequired,
            "open /ws as a WebSocket (an HTTP Upgrade request)",
        )
        .into_response();
    };
    let admitted = match authorize(&params, async |token: &str| state.auth.verify(token).await.ok(), &state.repos).await
    {
        Ok(admitted) => admitted,
        Err(ConnectError::Unauthenticated(why)) => return ApiError::Unauthenticated(why).into_response(),
        Err(ConnectError::Forbidden(why)) => return ApiError::Forbidden(why).into_response(),
        Err(ConnectError::Store(error)) => return ApiError::from(error).into_response(),
    };
    // Recorded and counted against the caps before the upgrade, so a capped one is refused with
    // an answer the page can read; registered with the hub first, so that no event sent to the
    // recorded connection finds no socket (which would forget it).
    let id = bistro_domain::ids::Token::generate().to_string();
    let live = hub.register(&id);
    match state.repos.connections.open(&connection(&id, admitted), &CAPS).await {
        Ok(Ok(())) => {
            // A handshake that fails after the connection was counted gives its place back at once,
            // rather than holding it until the record expires.
            let (repos, unclaimed, gone) = (state.repos.clone(), Arc::clone(&hub), id.clone());
            upgrade
                .on_failed_upgrade(move |error| {
                    tracing::warn!(%error, "a WebSocket upgrade failed");
                    unclaimed.unregister(&gone);
                    tokio::spawn(async move {
                        if let Err(error) = repos.connections.delete(&gone).await {
                            tracing::warn!(%error, "cannot forget a connection whose upgrade failed");
                        }
                    });
                })
                .on_upgrade(move |socket| session(socket, state.repos, hub, id, live))
        }
        Ok(Err(capped)) => {
            hub.unregister(&id);
            let detail = capped_reason(capped).to_owned();
            ApiError::Quota { code: ErrorCode::TooManyConnections, detail, retry_after_secs: 60 }.into_response()
        }
        Err(error) => {
            hub.unregister(&id);
            ApiError::from(error).into_response()
        }
    }
}

async fn session(
    socket: WebSocket,
    repos: Repos,
    hub: Arc<Hub>,
    id: String,
    mut live: mpsc::UnboundedReceiver<String>,
) {
    let (mut outgoing, mut incoming) = socket.split();
    let mut delivered = Delivered::default();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        let frames: Vec<String> = tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => match answer(&repos, hub.as_ref(), &id, &text).await {
                    Reply::Send(replies) => delivered.unsent(replies).iter().map(ServerMessage::to_text).collect(),
                    // Told through the hub, which then lets go of the socket: `live` ends the loop.
                    Reply::Ended => Vec::new(),
                    Reply::Unknown => break,
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => Vec::new(),
            },
            text = live.recv() => match text {
                Some(text) => {
                    let message: Option<ServerMessage> = serde_json::from_str(&text).ok();
                    if message.as_ref().is_some_and(|m| delivered.fresh(m)) { vec![text] } else { Vec::new() }
                }
                // The hub let go of this socket: its login ended (the fan-out said so first).
                None => break,
            },
            _ = heartbeat.tick() => {
                if outgoing.send(Message::Ping(Vec::new().into())).await.is_err() { break }
                Vec::new()
            },
        };
        if !send_all(&mut outgoing, frames).await {
            break;
        }
    }
    hub.unregister(&id);
    let _ = outgoing.send(Message::Close(None)).await;
    if let Err(error) = repos.connections.delete(&id).await {
        tracing::warn!(%error, "cannot forget a closed connection");
    }
}

/// Writes the frames in order; false once the socket is closed.
async fn send_all(outgoing: &mut SplitSink<WebSocket, Message>, frames: Vec<String>) -> bool {
    for frame in frames {
        if outgoing.send(Message::Text(frame.into())).await.is_err() {
            return false;
        }
    }
    true
}
