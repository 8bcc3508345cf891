//! Who may open a live connection, to what; and what a resuming client missed.

use std::collections::HashMap;

use bistro_domain::ids::{OrderId, Slug};
use bistro_domain::order::Order;
use bistro_domain::restaurant::{Role, StaffIdentity};
use bistro_store::repo::{Capped, Connection, SignedIn, Subscription};
use bistro_store::{RepoError, Repos};
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::protocol::{ServerMessage, may_see};

/// A connection lives at most two hours on API Gateway; its record expires with it.
pub const CONNECTION_LIFETIME_SECS: i64 = 2 * 3600;

/// How many missed events one resume covers at most; a client further behind reloads.
pub const MAX_REPLAY: usize = 1000;

/// How many orders a resume reads at once.
const READS_IN_FLIGHT: usize = 8;

/// How many bytes of frames one resume replays at most (the `ws` function posts them within its
/// time at 128 MB); a client further behind reloads.
pub const MAX_REPLAY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No valid credentials: 401.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Valid credentials for something else (another restaurant): 403.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Who a connection request was let in as: for what, and under which staff login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub restaurant: Slug,
    pub subscription: Subscription,
    /// `None` for a customer following one order.
    pub signed_in: Option<SignedIn>,
}

/// Works out the subscription from the query string of the connection request:
/// `restaurant` and either `token` (a staff JWT: the board, or a driver's deliveries) or `order`
/// and `order_token` (a customer following one order). `verify` is the host's token authority:
/// who a staff token says its bearer is, or `None` for a token that is invalid or expired.
pub async fn authorize(
    params: &HashMap<String, String>,
    verify: impl AsyncFnOnce(&str) -> Option<StaffIdentity>,
    repos: &Repos,
) -> Result<Admitted, ConnectError> {
    let slug = params
        .get("restaurant")
        .and_then(|raw| Slug::parse(raw).ok())
        .ok_or(ConnectError::Unauthenticated("name the restaurant: ?restaurant=slug"))?;
    if let Some(token) = params.get("token") {
        let staff = verify(token).await.ok_or(ConnectError::Unauthenticated("the token is invalid or expired"))?;
        if staff.restaurant != slug {
            return Err(ConnectError::Forbidden("this token belongs to another restaurant"));
        }
        // Connections are few and long: each one reads the account's session number afresh.
        if repos.restaurants.session(&slug, &staff.user).await? != Some(staff.session) {
            return Err(ConnectError::Unauthenticated("this login has ended; log in again"));
        }
        let subscription = if staff.role == Role::Driver {
            Subscription::Driver { user: staff.user.clone() }
        } else {
            Subscription::Board
        };
        let signed_in = Some(SignedIn { user: staff.user, session: staff.session });
        return Ok(Admitted { restaurant: slug, subscription, signed_in });
    }
    let (Some(order), Some(order_token)) = (params.get("order"), params.get("order_token")) else {
        return Err(ConnectError::Unauthenticated("send a staff token, or an order and its order_token"));
    };
    let id = OrderId::parse(order).map_err(|_| ConnectError::Unauthenticated("unknown order or wrong token"))?;
    match repos.orders.get(&slug, &id).await {
        Ok(found) if found.token.matches(order_token) => {
            Ok(Admitted { restaurant: slug, subscription: Subscription::Customer { order: id }, signed_in: None })
        }
        Ok(_) | Err(RepoError::NotFound) => Err(ConnectError::Unauthenticated("unknown order or wrong token")),
        Err(other) => Err(other.into()),
    }
}

/// Why a connection was refused at a cap, in words for whoever reads the handshake's answer.
pub fn capped_reason(capped: Capped) -> &'static str {
    match capped {
        Capped::Order => "this order is already followed on as many screens as it may be",
        Capped::Login => "this login already has as many live screens as it may have",
        Capped::Restaurant => "this restaurant already has as many live screens as it may have",
    }
}

/// The record of a new connection.
pub fn connection(id: &str, admitted: Admitted) -> Connection {
    Connection {
        id: id.to_owned(),
        restaurant: admitted.restaurant,
        subscription: admitted.subscription,
        signed_in: admitted.signed_in,
        expires_at: bistro_store::seam::now_unix() + CONNECTION_LIFETIME_SECS,
        missed: false,
        resumes: Vec::new(),
    }
}

/// Whether the login a connection was opened with still holds: always for a customer's; for
/// staff, while the account's session number is the one it connected under (removing or
/// disabling the account, a new role or password all move it on).
pub async fn still_signed_in(
    repos: &Repos,
    restaurant: &Slug,
    signed_in: Option<&SignedIn>,
) -> Result<bool, RepoError> {
    let Some(signed_in) = signed_in else { return Ok(true) };
    Ok(repos.restaurants.session(restaurant, &signed_in.user).await? == Some(signed_in.session))
}

/// What a connection whose login has ended is told before it is closed.
pub fn session_ended() -> ServerMessage {
    ServerMessage::Error { code: "session_ended".into(), detail: "this login has ended; log in again".into() }
}

/// What a client that saw everything up to `after` missed, oldest first, ending with
/// `Resumed` — read from the stored events, not from memory, so a restart loses nothing.
pub async fn missed(
    repos: &Repos,
    restaurant: &Slug,
    subscription: &Subscription,
    after: Option<u64>,
) -> Result<Vec<ServerMessage>, RepoError> {
    let last_seq = repos.events.last_seq(restaurant).await?;
    let resumed = |after, last_seq, sent| ServerMessage::Resumed {
        restaurant: restaurant.clone(),
        subscription: subscription.clone(),
        after,
        last_seq,
        sent,
    };
    // A new screen starts from now: it loads the current orders over HTTP.
    let Some(after) = after else { return Ok(vec![resumed(last_seq, last_seq, 0)]) };
    // A guest follows one order and needs only where it is now, not every step it took: one read
    // of the order, read after the restaurant's last number so that it is at least that new, and
    // never the restaurant's whole log.
    if let Subscription::Customer { order } = subscription {
        let order = repos.orders.get(restaurant, order).await?;
        let seq = last_seq.max(after);
        return Ok(vec![ServerMessage::order(seq, order, subscription), resumed(after, seq, 1)]);
    }
    let (changed, until) = match changed_since(repos, restaurant, subscription, after, last_seq).await? {
        Changed::Orders { changed, until } => (changed, until),
        Changed::TooFarBehind { oldest_available } => return Ok(vec![ServerMessage::Resync { oldest_available }]),
    };
    let Some(mut messages) = replay(repos, restaurant, subscription, changed).await? else {
        return Ok(vec![ServerMessage::Resync { oldest_available: after + 1 }]);
    };
    let sent = messages.len();
    messages.push(resumed(after, until.max(after), sent));
    Ok(messages)
}

/// The orders a screen saw change since `after`, as far as the stored events reach.
enum Changed {
    /// Each order changed since, under the number of its last change, oldest first; the events
    /// were read up to `until`.
    Orders { changed: Vec<(u64, OrderId)>, until: u64 },
    /// The events it needs are gone, or more than one resume covers: it reloads over HTTP.
    TooFarBehind { oldest_available: u64 },
}

/// Each order changed since `after`, under the number of its last change: what a screen that
/// keeps the newest version of each order needs, read once per order rather than once per event.
async fn changed_since(
    repos: &Repos,
    restaurant: &Slug,
    subscription: &Subscription,
    after: u64,
    last_seq: u64,
) -> Result<Changed, RepoError> {
    let mut changed: HashMap<OrderId, u64> = HashMap::new();
    let mut visible = 0;
    let mut cursor = after;
    loop {
        let page = repos.events.after(restaurant, cursor, 200).await?;
        if cursor == after && after < last_seq {
            // Events older than the retention window are gone: the client must reload instead.
            if let Some(first) = page.first().filter(|e| e.seq > after + 1) {
                return Ok(Changed::TooFarBehind { oldest_available: first.seq });
            }
        }
        let Some(last) = page.last().map(|e| e.seq) else { break };
        for event in page.iter().filter(|e| may_see(subscription, e)) {
            visible += 1;
            changed.insert(event.order.clone(), event.seq);
        }
        cursor = last;
        if visible > MAX_REPLAY {
            return Ok(Changed::TooFarBehind { oldest_available: after + 1 });
        }
    }
    let mut changed: Vec<(u64, OrderId)> = changed.into_iter().map(|(id, seq)| (seq, id)).collect();
    changed.sort_unstable();
    Ok(Changed::Orders { changed, until: cursor })
}

/// Each changed order as it is now, under its number; `None` when they would not fit one resume.
async fn replay(
    repos: &Repos,
    restaurant: &Slug,
    subscription: &Subscription,
    changed: Vec<(u64, OrderId)>,
) -> Result<Option<Vec<ServerMessage>>, RepoError> {
    let orders: Vec<(u64, Option<Order>)> = stream::iter(changed)
        .map(|(seq, id)| async move {
            match repos.orders.get(restaurant, &id).await {
                Ok(order) => Ok((seq, Some(order))),
                // An order is never deleted; one that cannot be found has nothing to show.
                Err(RepoError::NotFound) => Ok((seq, None)),
                Err(e) => Err(e),
            }
        })
        .buffered(READS_IN_FLIGHT)
        .try_collect()
        .await?;
    let mut messages = Vec::new();
    let mut bytes = 0;
    for (seq, order) in orders {
        let Some(order) = order else { continue };
        let message = ServerMessage::order(seq, order, subscription);
        bytes += message.to_text().len();
        if bytes > MAX_REPLAY_BYTES {
            return Ok(None);
        }
        messages.push(message);
    }
    Ok(Some(messages))
}
