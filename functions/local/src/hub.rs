//! The local server's WebSocket side: an in-process hub of sockets that implements the same
//! `Sender` the notifier uses, fed by the SQLite engine's change feed, and the `/ws` session.

use bistro_api::error::ErrorCode;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc};

use bistro_api::extract::Query;
use bistro_api::{ApiError, AppState};
use bistro_realtime::connect::{Admitted, ConnectError, authorize, connection, missed, session_ended, still_signed_in};
use bistro_realtime::fanout::{SendError, Sender, close_ended_logins, fan_out};
use bistro_realtime::protocol::{ClientMessage, ServerMessage};
use bistro_store::Repos;
use bistro_store::engine::sqlite::Change;
use bistro_store::repo::Events;

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
            let key = change.new.as_ref().or(change.old.as_ref()).map(|item| item.key.pk.as_str());
            if let (Some(slug), Some(_)) = (key.and_then(bistro_store::keys::restaurant_of_session), &change.old) {
                // An account's session moved on (or it was removed): its sockets close now.
                if let Err(error) = close_ended_logins(&repos, hub.as_ref(), &slug).await {
                    tracing::error!(%error, "cannot close the sockets of ended logins");
                }
                continue;
            }
            let (None, Some(new)) = (&change.old, &change.new) else { continue };
            let Some(event) = Events::from_item(new) else { continue };
            match event {
                Ok(event) => {
                    if let Err(error) = fan_out(&repos, hub.as_ref(), &event).await {
                        tracing::error!(%error, seq = event.seq, "fan-out failed");
                    }
                }
                Err(error) => tracing::error!(%error, "unreadable event item"),
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
    match authorize(&params, async |token: &str| state.auth.verify(token).await.ok(), &state.repos).await {
        Ok(admitted) => upgrade.on_upgrade(move |socket| session(socket, state.repos, hub, admitted)),
        Err(ConnectError::Unauthenticated(why)) => ApiError::Unauthenticated(why).into_response(),
        Err(ConnectError::Forbidden(why)) => ApiError::Forbidden(why).into_response(),
        Err(ConnectError::Store(error)) => ApiError::from(error).into_response(),
    }
}

async fn session(socket: WebSocket, repos: Repos, hub: Arc<Hub>, admitted: Admitted) {
    let id = bistro_domain::ids::Token::generate().to_string();
    let (restaurant, subscription, signed_in) =
        (admitted.restaurant.clone(), admitted.subscription.clone(), admitted.signed_in.clone());
    // Registered before anything is read, so no event falls between the replay and live.
    let mut live = hub.register(&id);
    if let Err(error) = repos.connections.put(&connection(&id, admitted)).await {
        tracing::error!(%error, "cannot record a connection");
        hub.unregister(&id);
        return;
    }
    let (mut outgoing, mut incoming) = socket.split();
    // Sequence numbers this socket has been sent: a replayed event never goes out twice.
    let mut sent: BTreeSet<u64> = BTreeSet::new();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        let frames: Vec<String> = tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text) {
                    Ok(ClientMessage::Ping) => vec![ServerMessage::Pong.to_text()],
                    Ok(ClientMessage::Resume { last_seq }) => match still_signed_in(&repos, &restaurant, signed_in.as_ref()).await {
                        Ok(false) => {
                            let _ = outgoing.send(Message::Text(session_ended().to_text().into())).await;
                            break;
                        }
                        Ok(true) => match missed(&repos, &restaurant, &subscription, last_seq).await {
                            Ok(messages) => unsent(messages, &mut sent).iter().map(ServerMessage::to_text).collect(),
                            Err(error) => {
                                tracing::error!(%error, "cannot read missed events");
                                vec![unavailable()]
                            }
                        },
                        Err(error) => {
                            tracing::error!(%error, "cannot check a connection's login");
                            vec![unavailable()]
                        }
                    },
                    Err(_) => vec![ServerMessage::Error { code: "invalid_message".into(), detail: "send {\"type\":\"resume\",\"last_seq\":N} or {\"type\":\"ping\"}".into() }.to_text()],
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => Vec::new(),
            },
            text = live.recv() => match text {
                Some(text) => {
                    let message: Option<ServerMessage> = serde_json::from_str(&text).ok();
                    if message.as_ref().is_some_and(|m| fresh(m, &mut sent)) { vec![text] } else { Vec::new() }
                }
                // The hub let go of this socket: its login ended (the fan-out said so first).
                None => break,
            },
            _ = heartbeat.tick() => {
                if outgoing.send(Message::Ping(Vec::new().into())).await.is_err() { break }
                Vec::new()
            },
        };
        let mut closed = false;
        for frame in frames {
            if outgoing.send(Message::Text(frame.into())).await.is_err() {
                closed = true;
                break;
            }
        }
        if closed {
            break;
        }
    }
    hub.unregister(&id);
    let _ = outgoing.send(Message::Close(None)).await;
    if let Err(error) = repos.connections.delete(&id).await {
        tracing::warn!(%error, "cannot forget a closed connection");
    }
}

fn unavailable() -> String {
    ServerMessage::Error { code: "unavailable".into(), detail: "try again".into() }.to_text()
}

/// What of a replay this socket has not been sent yet, its `resumed` counting only those.
fn unsent(messages: Vec<ServerMessage>, sent: &mut BTreeSet<u64>) -> Vec<ServerMessage> {
    let mut fresh_orders = 0;
    let mut kept: Vec<ServerMessage> = messages.into_iter().filter(|m| fresh(m, sent)).collect();
    for message in &mut kept {
        match message {
            ServerMessage::Order { .. } => fresh_orders += 1,
            ServerMessage::Resumed { sent, .. } => *sent = fresh_orders,
            _ => {}
        }
    }
    kept
}

/// Order events are sent once per socket; everything else always.
fn fresh(message: &ServerMessage, sent: &mut BTreeSet<u64>) -> bool {
    match message {
        ServerMessage::Order { seq, .. } => sent.insert(*seq),
        _ => true,
    }
}
