//! The error responses the routes share, each a problem+json body (RFC 9457) under its status:
//! a route lists `problem::NotFound` rather than spelling the response out again. A route whose
//! refusal needs its own words keeps its own `(status = …, description = …)`.

use utoipa::IntoResponses;

use crate::error::Problem;

/// The request is malformed: bad JSON, a bad query string or header.
#[derive(Debug, IntoResponses)]
#[response(status = 400)]
pub struct BadRequest(pub Problem);

/// No valid staff login was sent.
#[derive(Debug, IntoResponses)]
#[response(status = 401)]
pub struct Unauthenticated(pub Problem);

/// The login is of another restaurant, or of a role the route does not let in.
#[derive(Debug, IntoResponses)]
#[response(status = 403)]
pub struct Forbidden(pub Problem);

/// Nothing of that name here (an id that cannot exist included).
#[derive(Debug, IntoResponses)]
#[response(status = 404)]
pub struct NotFound(pub Problem);

/// Someone changed it first: read it again and make the change again.
#[derive(Debug, IntoResponses)]
#[response(status = 409)]
pub struct Conflict(pub Problem);

/// The body is larger than the API takes.
#[derive(Debug, IntoResponses)]
#[response(status = 413)]
pub struct TooLarge(pub Problem);

/// The body is not JSON.
#[derive(Debug, IntoResponses)]
#[response(status = 415)]
pub struct NotJson(pub Problem);

/// Well-formed but refused by a rule; `field` names where when it is one place.
#[derive(Debug, IntoResponses)]
#[response(status = 422)]
pub struct Unprocessable(pub Problem);

/// Too many requests from this client, or a daily allowance used up (`Retry-After` says when).
#[derive(Debug, IntoResponses)]
#[response(status = 429)]
pub struct TooMany(pub Problem);
