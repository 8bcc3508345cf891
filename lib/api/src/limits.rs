//! How much one client may create at one restaurant, and who the client is: its address as the
//! host vouches for it, or (for a guest) a device holding a token the restaurant issued it.
//!
//! Why devices: guests on a restaurant's Wi-Fi share one public address, so a budget per address
//! alone either refuses them at a peak or lets a flood from that address through. A device token
//! is what a flood cannot cheaply multiply: each is issued against the address's budget, and its
//! own budget is one guest's. A flood that keeps its token is refused after a guest's share; one
//! that sends none, or a made-up one, counts against the address; one that asks a new token for
//! every cart spends the address's budget on issues. Guests who hold a token (the menu page asks
//! for one when it opens) are served meanwhile. Naming the restaurant's network was the other
//! way: it needs every restaurant to know and keep up its public address, and does nothing for
//! a café's guests on a shared mall Wi-Fi.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponseParts, ResponseParts};

use bistro_domain::ids::Token;
use bistro_store::repo::{Budget, Spent};

use crate::error::ApiError;

/// Where a request came from, as its host can vouch: the local server's TCP peer; on Lambda the
/// viewer address the site's CloudFront function writes, else API Gateway's source IP. Hosts put
/// it in the request's extensions; handlers read it as `Option<Extension<ClientAddress>>`, since a
/// router driven directly (in tests) has none. Never read from a header a client can set where
/// the host cannot vouch for it.
///
/// An IPv6 client is its /64: one subscriber line or LAN gets a /64 and picks addresses within it
/// freely, so counting each address would give every device, or every request, a budget of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The client that `address` (as its host saw it) belongs to: an IPv4 address, an IPv6
    /// address's /64 (`2001:db8:1:2::/64`), or the text as given when it is not an address.
    pub fn of(address: &str) -> Self {
        match address.trim().parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let prefix = u128::from(v6) & !((1_u128 << 64) - 1);
                Self(format!("{}/64", std::net::Ipv6Addr::from(prefix)))
            }
            Ok(std::net::IpAddr::V6(v6)) => {
                Self(v6.to_ipv4_mapped().map_or_else(|| v6.to_string(), |v4| v4.to_string()))
            }
            Ok(std::net::IpAddr::V4(v4)) => Self(v4.to_string()),
            Err(_) => Self(address.to_owned()),
        }
    }
}

/// What one client may create at one restaurant, across carts, orders, bookings and logins: set
/// for a restaurant's own Wi-Fi at a peak (40 guests behind one address, each opening a cart and
/// ordering within a minute, about 80 creations; an evening's few hundred guests), far below what
/// filling a kitchen or a booking grid takes. A minute's flood is cut by the hour and the day.
pub const CLIENT_BUDGET: Budget = Budget { per_minute: 90, per_hour: 600, per_day: 2000 };

/// A route that creates something for anyone who asks takes this: it counts the request against
/// the client's budget at the path's restaurant, and refuses it (429, `Retry-After` until the
/// used-up tier's window ends) past [`CLIENT_BUDGET`]. A request without a vouched-for address
/// (a router driven directly in tests) is not counted.
#[derive(Debug)]
pub struct ClientBudget;

impl FromRequestParts<crate::AppState> for ClientBudget {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &crate::AppState) -> Result<Self, ApiError> {
        let (Some(ClientAddress(client)), Some(budget)) =
            (parts.extensions.get::<ClientAddress>().cloned(), state.client_budget)
        else {
            return Ok(Self);
        };
        let crate::access::Tenant(slug) = crate::access::Tenant::from_request_parts(parts, state).await?;
        let now = bistro_domain::jiff::Timestamp::now().as_second();
        match state.repos.clients.count(&slug, &client, now, budget).await? {
            Ok(()) => Ok(Self),
            Err(spent) => Err(refused(spent, now)),
        }
    }
}

/// What one guest's device may create at one restaurant: a guest's cart, order, a second round
/// and a booking, many times over; a tenth of an address's.
pub const DEVICE_BUDGET: Budget = Budget { per_minute: 6, per_hour: 20, per_day: 30 };

/// The header a guest's page sends its device token in, and in which an issue answers it.
pub const DEVICE_HEADER: &str = "bistro-device";

/// A route where a guest creates something (a cart, an order, a booking) takes this: the request
/// counts against its device's budget when it carries a token the restaurant issued, otherwise
/// against its address's, as [`ClientBudget`] does.
#[derive(Debug)]
pub struct GuestBudget;

impl FromRequestParts<crate::AppState> for GuestBudget {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &crate::AppState) -> Result<Self, ApiError> {
        if state.client_budget.is_none() {
            return Ok(Self);
        }
        let device = parts.headers.get(DEVICE_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| Token::parse(v).ok());
        if let Some(device) = device {
            let crate::access::Tenant(slug) = crate::access::Tenant::from_request_parts(parts, state).await?;
            let now = bistro_domain::jiff::Timestamp::now().as_second();
            // `None`: never issued here, or lapsed; the request is the address's, as if it had none.
            if let Some(counted) = state.repos.clients.count_device(&slug, &device, now, DEVICE_BUDGET).await? {
                return counted.map(|()| Self).map_err(|spent| refused(spent, now));
            }
        }
        ClientBudget::from_request_parts(parts, state).await.map(|ClientBudget| Self)
    }
}

/// A device token just issued, answered in [`DEVICE_HEADER`].
#[derive(Debug)]
pub struct IssuedDevice(pub Token);

impl IntoResponseParts for IssuedDevice {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        if let Ok(value) = axum::http::HeaderValue::from_str(self.0.as_str()) {
            res.headers_mut().insert(DEVICE_HEADER, value);
        }
        Ok(res)
    }
}

fn refused(spent: Spent, now: i64) -> ApiError {
    ApiError::RateLimited { retry_after_secs: spent.retry_after(now) }
}

#[cfg(test)]
mod tests {
    use super::ClientAddress;

    #[test]
    fn two_addresses_of_one_ipv6_64_are_one_client_and_another_64_is_another() {
        assert_eq!(ClientAddress::of("2001:db8:1:2::1"), ClientAddress::of("2001:db8:1:2:ffff:ee:dd:cc"));
        assert_eq!(ClientAddress::of("2001:db8:1:2::1").0, "2001:db8:1:2::/64");
        assert_ne!(ClientAddress::of("2001:db8:1:2::1"), ClientAddress::of("2001:db8:1:3::1"));
    }

    #[test]
    fn an_ipv4_address_is_its_own_client_however_it_is_written() {
        assert_eq!(ClientAddress::of("10.9.8.7").0, "10.9.8.7");
        assert_eq!(ClientAddress::of("::ffff:10.9.8.7").0, "10.9.8.7");
        assert_ne!(ClientAddress::of("10.9.8.7"), ClientAddress::of("10.9.8.8"));
    }
}
