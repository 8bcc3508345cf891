//! Identifiers: restaurant slugs, handles chosen by managers, random ids and secret tokens.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} {reason}")]
pub struct IdError {
    pub field: &'static str,
    pub reason: &'static str,
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// Declares a string id whose characters are `[a-z0-9_-]` and whose length is bounded.
macro_rules! handle {
    ($(#[$meta:meta])* $name:ident, field = $field:literal, min = $min:literal, max = $max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                let len = raw.len();
                if !($min..=$max).contains(&len) {
                    return Err(IdError { field: $field, reason: concat!("must be ", $min, " to ", $max, " characters long") });
                }
                if !raw.chars().all(is_handle_char) {
                    return Err(IdError { field: $field, reason: "may contain only a-z, 0-9, '-' and '_'" });
                }
                if raw.starts_with(['-', '_']) || raw.ends_with(['-', '_']) {
                    return Err(IdError { field: $field, reason: "must start and end with a letter or digit" });
                }
                Ok(Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(raw: String) -> Result<Self, IdError> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::schema::string(
                    crate::schema::handle_pattern($min, $max),
                    concat!("A ", $field, ": ", $min, " to ", $max, " of a-z, 0-9, '-' and '_', starting and ending with a letter or digit."),
                )
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

handle!(
    /// A restaurant's URL name (`/r/trattoria-roma`): the tenant key of everything it owns.
    Slug, field = "slug", min = 2, max = 40
);
handle!(
    /// A menu category's id, chosen by the manager or generated.
    CategoryId, field = "category id", min = 1, max = 64
);
handle!(
    /// A menu item's id, chosen by the manager or generated.
    ItemId, field = "item id", min = 1, max = 64
);
handle!(
    /// An option group's id within an item ("size", "extras").
    OptionGroupId, field = "option group id", min = 1, max = 64
);
handle!(
    /// An option's id within its group ("large", "extra-cheese").
    OptionId, field = "option id", min = 1, max = 64
);
handle!(
    /// A table's label, printed on its QR code ("12", "terrace-3").
    TableId, field = "table", min = 1, max = 32
);

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing means the machine cannot issue secrets at all; there is no
    // sensible way to go on.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

/// Lowercase hex, two digits a byte (without `format!`, which costs ten times as much here).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]]).map(char::from).collect()
}

/// Declares a random identifier of `$bytes` bytes written as lowercase hex.
macro_rules! random_id {
    ($(#[$meta:meta])* $name:ident, field = $field:literal, bytes = $bytes:literal, hex = $hex:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self::from_bytes(random_bytes::<$bytes>())
            }

            /// The id written from `bytes` drawn elsewhere (a digest, for an id that must come
            /// out the same for the same thing).
            pub fn from_bytes(bytes: [u8; $bytes]) -> Self {
                Self(hex(&bytes))
            }

            pub fn parse(raw: &str) -> Result<Self, IdError> {
                if raw.len() == $hex && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(IdError { field: $field, reason: concat!("must be ", $hex, " lowercase hex digits") })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(raw: String) -> Result<Self, IdError> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::schema::string(
                    concat!("^[0-9a-f]{", $hex, "}$").to_owned(),
                    concat!("A ", $field, ": ", $hex, " lowercase hex digits."),
                )
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

random_id!(
    /// An order's id.
    #[derive(Debug)]
    OrderId, field = "order id", bytes = 16, hex = 32
);
random_id!(
    /// A reservation's id.
    #[derive(Debug)]
    ReservationId, field = "reservation id", bytes = 16, hex = 32
);
random_id!(
    /// A staff account's id.
    #[derive(Debug)]
    UserId, field = "user id", bytes = 16, hex = 32
);
random_id!(
    /// A bearer secret (a guest's cart, an order or a booking): 256 random bits. Its `Debug` never
    /// prints the secret, so it cannot leak into logs.
    Token, field = "token", bytes = 32, hex = 64
);

impl Token {
    /// Compares in time independent of where the first difference is, so a guesser learns nothing.
    pub fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// An e-mail address, lowercased: enough structure to route mail, no more (full RFC 5322 is not
/// what sign-up forms need).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Counted as sent, surrounding spaces included: one bound a schema can state exactly.
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let invalid = IdError { field: "email", reason: "must look like name@example.com" };
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(invalid);
        }
        let email = raw.trim().to_lowercase();
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid);
        }
        match email.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.') =>
            {
                Ok(Self(email))
            }
            _ => Err(invalid),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = IdError;
    fn try_from(raw: String) -> Result<Self, IdError> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Email {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::email()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Email {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_writes_two_lowercase_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn a_slug_with_uppercase_letters_is_refused() {
        assert!(Slug::parse("Trattoria").is_err());
    }

    #[test]
    fn a_slug_may_not_start_with_a_hyphen() {
        assert!(Slug::parse("-roma").is_err());
    }

    #[test]
    fn generated_tokens_differ_and_parse_back() {
        let (a, b) = (Token::generate(), Token::generate());
        assert_ne!(a, b);
        assert_eq!(Token::parse(a.as_str()), Ok(a));
    }

    #[test]
    fn a_token_matches_only_itself() {
        let token = Token::generate();
        assert!(token.matches(token.as_str()));
        assert!(!token.matches(Token::generate().as_str()));
        assert!(!token.matches(""));
    }

    #[test]
    fn a_token_never_prints_its_secret() {
        let token = Token::generate();
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn an_email_is_lowercased() {
        assert_eq!(Email::parse(" Ada@Example.COM ").map(String::from), Ok("ada@example.com".into()));
    }

    #[test]
    fn an_email_without_a_domain_is_refused() {
        assert!(Email::parse("ada@").is_err());
        assert!(Email::parse("ada@localhost").is_err());
    }

    proptest! {
        #[test]
        fn every_accepted_slug_is_made_of_handle_characters(raw in "\\PC{0,50}") {
            if let Ok(slug) = Slug::parse(&raw) {
                prop_assert!(slug.as_str().chars().all(is_handle_char));
                prop_assert!((2..=40).contains(&slug.as_str().len()));
            }
        }

        #[test]
        fn a_valid_slug_survives_a_round_trip(raw in "[a-z0-9][a-z0-9-]{0,38}[a-z0-9]") {
            let slug = Slug::parse(&raw).expect("valid by construction");
            prop_assert_eq!(Slug::parse(slug.as_str()), Ok(slug.clone()));
        }
    }
}
