//! Every stable error code the API can send, in one enumeration: the handlers name a variant,
//! the OpenAPI document lists them as the `code` property's enumeration, and the pages' words
//! are held to it (`tests/error_words.rs`: each code has words in every language the pages speak).

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! error_codes {
    ($($variant:ident => $text:literal,)*) => {
        /// A stable, machine-readable error code (`problem.code`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, for the tests that hold the pages and the document to them.
            pub const ALL: &[ErrorCode] = &[$(Self::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    // The request as a whole.
    Unauthenticated => "unauthenticated",
    Forbidden => "forbidden",
    NotFound => "not_found",
    MethodNotAllowed => "method_not_allowed",
    PayloadTooLarge => "payload_too_large",
    UnsupportedMediaType => "unsupported_media_type",
    MalformedJson => "malformed_json",
    UnreadableBody => "unreadable_body",
    InvalidBody => "invalid_body",
    InvalidQuery => "invalid_query",
    InvalidFilter => "invalid_filter",
    InvalidCursor => "invalid_cursor",
    InvalidLimit => "invalid_limit",
    InvalidRange => "invalid_range",
    IdempotencyKeyRequired => "idempotency_key_required",
    InvalidIdempotencyKey => "invalid_idempotency_key",
    IdempotencyKeyReused => "idempotency_key_reused",
    RateLimited => "rate_limited",
    NotThroughSite => "not_through_site",
    WebsocketRequired => "websocket_required",
    TooManyConnections => "too_many_connections",
    Unavailable => "unavailable",
    Internal => "internal",
    // Someone else changed it first.
    AlreadyExists => "already_exists",
    StaleVersion => "stale_version",
    BusyCart => "busy_cart",
    BusyOrder => "busy_order",
    BusyReservation => "busy_reservation",
    StaffChanged => "staff_changed",
    // Restaurants, sign-up and staff.
    SignUpClosed => "sign_up_closed",
    SignUpCodeInvalid => "sign_up_code_invalid",
    InvalidSignUpCode => "invalid_sign_up_code",
    SlugTaken => "slug_taken",
    SlugMismatch => "slug_mismatch",
    CurrencyLocked => "currency_locked",
    WeakPassword => "weak_password",
    WrongPassword => "wrong_password",
    EmailTaken => "email_taken",
    InvalidRole => "invalid_role",
    LastOwner => "last_owner",
    InvalidHandover => "invalid_handover",
    AccountDisabled => "account_disabled",
    // The menu and its pictures.
    MenuFull => "menu_full",
    ItemExists => "item_exists",
    InvalidItem => "invalid_item",
    UnknownCategory => "unknown_category",
    CategoryNotEmpty => "category_not_empty",
    WrongCurrency => "wrong_currency",
    NoMediaStore => "no_media_store",
    UnsupportedImageType => "unsupported_image_type",
    ImageTooLarge => "image_too_large",
    ImageNotUploaded => "image_not_uploaded",
    InvalidImage => "invalid_image",
    ForeignImage => "foreign_image",
    UploadMismatch => "upload_mismatch",
    TooManyUploads => "too_many_uploads",
    // Carts.
    UnknownItem => "unknown_item",
    ItemSoldOut => "item_sold_out",
    ItemUnavailable => "item_unavailable",
    UnknownOption => "unknown_option",
    DuplicateOption => "duplicate_option",
    TooFewChoices => "too_few_choices",
    TooManyChoices => "too_many_choices",
    CartFull => "cart_full",
    CartEmpty => "cart_empty",
    TooManyOfOne => "too_many_of_one",
    InvalidAmount => "invalid_amount",
    CartChanged => "cart_changed",
    // Placing an order.
    FeatureHeld => "feature_held",
    OrderingOff => "ordering_off",
    OrderingAheadOff => "ordering_ahead_off",
    BookingOff => "booking_off",
    RestaurantClosed => "restaurant_closed",
    UnknownSavedGroup => "unknown_saved_group",
    SavedGroupInUse => "saved_group_in_use",
    SavedGroupExists => "saved_group_exists",
    SavedGroupOnTooManyDishes => "saved_group_on_too_many_dishes",
    DeliveryTaken => "delivery_taken",
    DeliveryOut => "delivery_out",
    OrderingPaused => "ordering_paused",
    OrderTypeNotOffered => "order_type_not_offered",
    UnknownTable => "unknown_table",
    AddressRequired => "address_required",
    PhoneRequired => "phone_required",
    PostcodeRequired => "postcode_required",
    PostcodeNotDelivered => "postcode_not_delivered",
    BelowDeliveryMinimum => "below_delivery_minimum",
    LaterAtTable => "later_at_table",
    SlotUnavailable => "slot_unavailable",
    AmountTooLarge => "amount_too_large",
    // Paying online.
    OnlinePaymentUnavailable => "online_payment_unavailable",
    OnlinePaymentRequired => "online_payment_required",
    PaymentsNotAvailable => "payments_not_available",
    PaymentProviderFailed => "payment_provider_failed",
    InvalidSignature => "invalid_signature",
    // Moving an order along.
    IllegalTransition => "illegal_transition",
    InvalidAssignment => "invalid_assignment",
    UnknownDriver => "unknown_driver",
    ReasonNotExpected => "reason_not_expected",
    NotFinished => "not_finished",
    NotRefundable => "not_refundable",
    InvalidRefundAmount => "invalid_refund_amount",
    RefundReasonRequired => "refund_reason_required",
    InvalidTip => "invalid_tip",
    // Bookings.
    InvalidSettings => "invalid_settings",
    InvalidPartySize => "invalid_party_size",
    NotASlot => "not_a_slot",
    TooSoon => "too_soon",
    TooFarAhead => "too_far_ahead",
    SlotFull => "slot_full",
    NotStartedYet => "not_started_yet",
    TooManyBookings => "too_many_bookings",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_written_as_serde_writes_its_variant() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::Value::from(code.as_str())));
        }
    }

    #[test]
    fn no_two_codes_are_the_same_text() {
        let mut texts: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), ErrorCode::ALL.len());
    }
}
