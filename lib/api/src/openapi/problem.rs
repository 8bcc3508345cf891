//! The error responses the routes share, each a problem+json body (RFC 9457) under its status:
//! a route lists `problem::NotFound` rather than spelling the response out again. A route whose
//! refusal needs its own words keeps its own `(status = …, description = …)`.

use utoipa::IntoResponses;

use crate::error::Problem;

macro_rules! problems {
    ($($(#[doc = $doc:literal])* $name:ident = $status:literal;)*) => {
        $($(#[doc = $doc])*
        #[derive(Debug, IntoResponses)]
        #[response(status = $status)]
        pub struct $name(pub Problem);)*
    };
}

problems! {
    /// The request is malformed: bad JSON, a bad query string or header.
    BadRequest = 400;
    /// No valid staff login was sent.
    Unauthenticated = 401;
    /// The login is of another restaurant, or of a role the route does not let in.
    Forbidden = 403;
    /// Nothing of that name here (an id that cannot exist included).
    NotFound = 404;
    /// Someone changed it first: read it again and make the change again.
    Conflict = 409;
    /// The body is larger than the API takes.
    TooLarge = 413;
    /// The body is not JSON.
    NotJson = 415;
    /// Well-formed but refused by a rule; `field` names where when it is one place.
    Unprocessable = 422;
    /// Too many requests from this client, or a daily allowance used up (`Retry-After` says when).
    TooMany = 429;
}
