//! Ids in the request path, each read by its parameter's name and parsed once, before the
//! handler runs: a handler takes `PathId<OrderId>` and never sees the raw segment. An id that
//! cannot exist names nothing (404), as an unknown one does.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use bistro_domain::ids::{CategoryId, ItemId, OptionGroupId, OrderId, ReservationId, Token, UserId};

use crate::error::ApiError;

/// An id that a route names in its path.
pub trait FromPath: Sized {
    /// The path parameter it is read from (`{order}`).
    const PARAMETER: &'static str;
    /// What a 404 says is missing.
    const WHAT: &'static str;
    fn parse_segment(raw: &str) -> Option<Self>;
}

/// The id named `T::PARAMETER` in the path, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: FromPath> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound(T::WHAT))?;
        params
            .iter()
            .find_map(|(name, value)| (name == T::PARAMETER).then(|| T::parse_segment(value)))
            .flatten()
            .map(Self)
            .ok_or(ApiError::NotFound(T::WHAT))
    }
}

/// A line's place in a cart, counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineIndex(pub usize);

macro_rules! from_path {
    ($($id:ty => $parameter:literal, $what:literal, $parse:expr;)*) => {
        $(impl FromPath for $id {
            const PARAMETER: &'static str = $parameter;
            const WHAT: &'static str = $what;
            fn parse_segment(raw: &str) -> Option<Self> {
                $parse(raw).ok()
            }
        })*
    };
}

from_path! {
    Token => "token", "cart", Token::parse;
    LineIndex => "index", "cart line", |raw: &str| raw.parse().map(LineIndex);
    ItemId => "item", "menu item", ItemId::parse;
    CategoryId => "category", "category", CategoryId::parse;
    OptionGroupId => "group", "saved group", OptionGroupId::parse;
    OrderId => "order", "order", OrderId::parse;
    ReservationId => "reservation", "reservation", ReservationId::parse;
    UserId => "user", "account", UserId::parse;
}
