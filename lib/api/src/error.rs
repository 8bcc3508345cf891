//! The API's one error type and its one mapping to HTTP: RFC 9457 problem+json with a stable code.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bistro_domain::payment::PaymentError;
use serde::Serialize;
use thiserror::Error;
use utoipa::ToSchema;

use bistro_domain::cart::CartError;
use bistro_domain::delivery::DeliveryError;
use bistro_domain::order::OrderError;
use bistro_domain::reservation::ReservationError;
use bistro_domain::restaurant::OrderingError;
use bistro_domain::staff::StaffError;
use bistro_store::RepoError;

pub use crate::code::ErrorCode;

#[derive(Debug, Error)]
pub enum ApiError {
    /// The request itself is malformed: bad JSON syntax, a bad query string, a bad header.
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// Forbidden for a reason the client can act on, named by its own code.
    #[error("{detail}")]
    Refused { code: ErrorCode, detail: &'static str },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this route does not take that method")]
    MethodNotAllowed,
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    #[error("the request body is larger than {} bytes", crate::MAX_BODY_BYTES)]
    PayloadTooLarge,
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// Well-formed but refused: a validation or business rule.
    #[error("{detail}")]
    Unprocessable { code: ErrorCode, detail: String },
    /// A body that does not fit its schema, naming where (`restaurant.reservations`), so a page
    /// can show the error next to what caused it.
    #[error("{detail}")]
    InvalidBody { field: Option<String>, detail: String },
    #[error("too many requests; slow down")]
    RateLimited { retry_after_secs: u64 },
    /// An allowance is used up (429, its own code, `Retry-After` when it may be tried again).
    #[error("{detail}")]
    Quota { code: ErrorCode, detail: String, retry_after_secs: u64 },
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
    /// The payment provider failed or refused a call (its cause is logged, never sent).
    #[error("the payment service did not answer as expected; nothing changed, try again in a moment")]
    PaymentProvider(String),
}

impl ApiError {
    pub fn unprocessable(code: ErrorCode, detail: impl ToString) -> Self {
        Self::Unprocessable { code, detail: detail.to_string() }
    }

    pub fn bad_request(code: ErrorCode, detail: impl ToString) -> Self {
        Self::BadRequest { code, detail: detail.to_string() }
    }

    pub fn conflict(code: ErrorCode, detail: impl ToString) -> Self {
        Self::Conflict { code, detail: detail.to_string() }
    }

    /// Status, stable code and title: the one place errors meet HTTP.
    fn parts(&self) -> (StatusCode, ErrorCode, &'static str) {
        match self {
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, *code, "Bad request"),
            Self::Unauthenticated(_) => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, "Authentication required")
            }
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, "Forbidden"),
            Self::Refused { code, .. } => (StatusCode::FORBIDDEN, *code, "Forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, "Not found"),
            Self::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed, "Method not allowed")
            }
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, *code, "Conflict"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "Payload too large"),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::UnsupportedMediaType, "Unsupported media type")
            }
            Self::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code, "Unprocessable request"),
            Self::InvalidBody { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody, "Unprocessable request")
            }
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "Too many requests"),
            Self::Quota { code, .. } => (StatusCode::TOO_MANY_REQUESTS, *code, "Quota reached"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "Service unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "Internal error"),
            Self::PaymentProvider(_) => (StatusCode::BAD_GATEWAY, ErrorCode::PaymentProviderFailed, "Bad gateway"),
        }
    }
}

/// The body of every error response (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:bistro:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// A stable, machine-readable code.
    pub code: ErrorCode,
    /// Where in the request body the problem is, as a path (`restaurant.reservations`), when it
    /// is in one place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title) = self.parts();
        // Server faults are logged with their cause; the client learns only that it happened.
        let detail = match &self {
            Self::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                "something went wrong on our side; it has been logged".to_owned()
            }
            Self::Unavailable(cause) => {
                tracing::error!(%cause, "store unavailable");
                self.to_string()
            }
            Self::PaymentProvider(cause) => {
                tracing::error!(%cause, "payment provider failed");
                self.to_string()
            }
            _ => {
                tracing::debug!(code = code.as_str(), detail = %self, "request refused");
                self.to_string()
            }
        };
        let problem = Problem {
            kind: format!("urn:bistro:problem:{}", code.as_str()),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code,
            field: match &self {
                Self::InvalidBody { field, .. } => field.clone(),
                _ => None,
            },
        };
        // axum's own `Json`: an answer that cannot be written falls back to this one, which
        // holds only strings and numbers and cannot fail.
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        let retry_after = match self {
            Self::RateLimited { retry_after_secs } => Some(retry_after_secs),
            Self::Quota { retry_after_secs, .. } => Some(retry_after_secs),
            _ => None,
        };
        if let Some(retry_after_secs) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<RepoError> for ApiError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => Self::NotFound("resource"),
            RepoError::AlreadyExists => Self::conflict(ErrorCode::AlreadyExists, "it already exists"),
            RepoError::StaleVersion => Self::conflict(ErrorCode::StaleVersion, error.to_string()),
            RepoError::IdempotencyMismatch => Self::unprocessable(ErrorCode::IdempotencyKeyReused, error.to_string()),
            RepoError::SlotFull => Self::conflict(ErrorCode::SlotFull, error.to_string()),
            RepoError::Booking(booking) => booking.into(),
            RepoError::Busy => Self::Unavailable("too much contention".into()),
            RepoError::Store(bistro_store::seam::SeamError::InvalidCursor) => {
                Self::bad_request(ErrorCode::InvalidCursor, "the cursor is not valid here")
            }
            RepoError::Store(e) => Self::Unavailable(e.to_string()),
            RepoError::Corrupt(cause) => Self::Internal(cause),
        }
    }
}

impl From<CartError> for ApiError {
    fn from(error: CartError) -> Self {
        let code = match &error {
            CartError::UnknownItem(_) => ErrorCode::UnknownItem,
            CartError::SoldOut(_) => ErrorCode::ItemSoldOut,
            CartError::Unavailable(_) => ErrorCode::ItemUnavailable,
            CartError::UnknownOption { .. } => ErrorCode::UnknownOption,
            CartError::DuplicateOption { .. } => ErrorCode::DuplicateOption,
            CartError::TooFewChoices { .. } => ErrorCode::TooFewChoices,
            CartError::TooManyChoices { .. } => ErrorCode::TooManyChoices,
            CartError::TooManyLines => ErrorCode::CartFull,
            CartError::NoSuchLine(_) => return Self::NotFound("cart line"),
            CartError::Empty => ErrorCode::CartEmpty,
            CartError::Quantity(_) => ErrorCode::TooManyOfOne,
            CartError::Money(_) => ErrorCode::InvalidAmount,
        };
        Self::unprocessable(code, error)
    }
}

impl From<OrderingError> for ApiError {
    fn from(error: OrderingError) -> Self {
        let code = match &error {
            OrderingError::Held(_) => ErrorCode::FeatureHeld,
            OrderingError::OrderingOff => ErrorCode::OrderingOff,
            OrderingError::AheadOff => ErrorCode::OrderingAheadOff,
            OrderingError::BookingOff => ErrorCode::BookingOff,
            OrderingError::Closed => ErrorCode::RestaurantClosed,
            OrderingError::Paused { .. } => ErrorCode::OrderingPaused,
            OrderingError::KindNotOffered(_) => ErrorCode::OrderTypeNotOffered,
            OrderingError::UnknownTable(_) => ErrorCode::UnknownTable,
            OrderingError::AddressRequired => ErrorCode::AddressRequired,
            OrderingError::PhoneRequired => ErrorCode::PhoneRequired,
            OrderingError::LaterAtTable => ErrorCode::LaterAtTable,
            OrderingError::SlotUnavailable => ErrorCode::SlotUnavailable,
            OrderingError::Delivery(DeliveryError::PostcodeRequired) => ErrorCode::PostcodeRequired,
            OrderingError::Delivery(DeliveryError::NotDelivered(_)) => ErrorCode::PostcodeNotDelivered,
            OrderingError::Delivery(DeliveryError::BelowMinimum { .. }) => ErrorCode::BelowDeliveryMinimum,
            OrderingError::TooLarge => ErrorCode::AmountTooLarge,
            OrderingError::Payment(PaymentError::OnlineNotOffered) => ErrorCode::OnlinePaymentUnavailable,
            OrderingError::Payment(PaymentError::OnlineOnly) => ErrorCode::OnlinePaymentRequired,
            OrderingError::Payment(PaymentError::InvalidId(_) | PaymentError::InvalidFee(_)) => {
                return Self::Internal(error.to_string());
            }
        };
        Self::unprocessable(code, error)
    }
}

impl From<bistro_domain::payment::RefundError> for ApiError {
    fn from(error: bistro_domain::payment::RefundError) -> Self {
        use bistro_domain::payment::RefundError;
        match &error {
            RefundError::NotTaken => Self::conflict(ErrorCode::NotRefundable, error),
            RefundError::Amount { .. } => Self::unprocessable(ErrorCode::InvalidRefundAmount, error),
            RefundError::ReasonRequired => Self::unprocessable(ErrorCode::RefundReasonRequired, error),
        }
    }
}

impl From<bistro_domain::tip::TipError> for ApiError {
    fn from(error: bistro_domain::tip::TipError) -> Self {
        Self::unprocessable(ErrorCode::InvalidTip, error)
    }
}

impl From<bistro_domain::restaurant::SettingsError> for ApiError {
    fn from(error: bistro_domain::restaurant::SettingsError) -> Self {
        match &error {
            bistro_domain::restaurant::SettingsError::CurrencyLocked(_)
            | bistro_domain::restaurant::SettingsError::DeliveryInOldCurrency(_) => {
                Self::conflict(ErrorCode::CurrencyLocked, error)
            }
            bistro_domain::restaurant::SettingsError::RetentionOwnerOnly => {
                Self::Forbidden("only the restaurant's owner may change how long guests' personal data is kept")
            }
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(error: OrderError) -> Self {
        match &error {
            OrderError::IllegalTransition { .. } => Self::conflict(ErrorCode::IllegalTransition, error),
            OrderError::NotPermitted { .. } | OrderError::NotAssigned => {
                Self::Forbidden("this account may not make that change")
            }
            OrderError::NotADelivery | OrderError::NotADriver | OrderError::Finished => {
                Self::unprocessable(ErrorCode::InvalidAssignment, error)
            }
            OrderError::AlreadyTaken => Self::conflict(ErrorCode::DeliveryTaken, error),
            OrderError::AlreadyOut => Self::conflict(ErrorCode::DeliveryOut, error),
            OrderError::NotFinished => Self::conflict(ErrorCode::NotFinished, error),
            OrderError::ReasonOnlyForRejection => Self::unprocessable(ErrorCode::ReasonNotExpected, error),
        }
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        match &error {
            StaffError::UnknownAccount => Self::NotFound("account"),
            StaffError::LastOwner => Self::conflict(ErrorCode::LastOwner, error),
            StaffError::HandOverToSelf => Self::unprocessable(ErrorCode::InvalidHandover, error),
            StaffError::DisabledOwner => Self::unprocessable(ErrorCode::AccountDisabled, error),
        }
    }
}

impl From<ReservationError> for ApiError {
    fn from(error: ReservationError) -> Self {
        let code = match &error {
            ReservationError::Settings(_) | ReservationError::SeatingTooLong { .. } => ErrorCode::InvalidSettings,
            ReservationError::PartySize { .. } => ErrorCode::InvalidPartySize,
            ReservationError::NotASlot => ErrorCode::NotASlot,
            ReservationError::TooSoon(_) => ErrorCode::TooSoon,
            ReservationError::TooFarAhead(_) => ErrorCode::TooFarAhead,
            ReservationError::SlotFull => return Self::conflict(ErrorCode::SlotFull, error),
            ReservationError::IllegalTransition { .. } => return Self::conflict(ErrorCode::IllegalTransition, error),
            ReservationError::NotStartedYet => ErrorCode::NotStartedYet,
            ReservationError::TooManyBookings(_) => ErrorCode::TooManyBookings,
            ReservationError::NotFinished => return Self::conflict(ErrorCode::NotFinished, error),
        };
        Self::unprocessable(code, error)
    }
}
