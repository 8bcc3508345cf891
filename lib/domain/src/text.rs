//! Bounded, printable text: names, descriptions, notes and addresses people type in.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("the {field} is missing")]
    Empty { field: &'static str },
    #[error("the {field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the {field} has characters that cannot be shown (such as a tab)")]
    ControlCharacter { field: &'static str },
    #[error(
        "a phone number is 5 to 32 digits, spaces and + ( ) - . /, starting with a digit, + or ( and ending with a digit"
    )]
    NotAPhone { field: &'static str },
}

impl TextError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty { field }
            | Self::TooLong { field, .. }
            | Self::ControlCharacter { field }
            | Self::NotAPhone { field } => field,
        }
    }
}

/// Trims `raw` and checks it against the bounds; newlines are allowed only where `multiline`.
pub fn checked(
    raw: &str,
    field: &'static str,
    max: usize,
    allow_empty: bool,
    multiline: bool,
) -> Result<String, TextError> {
    let text = raw.trim();
    if text.is_empty() && !allow_empty {
        return Err(TextError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    if text.chars().any(|c| c.is_control() && !(multiline && c == '\n')) {
        return Err(TextError::ControlCharacter { field });
    }
    Ok(text.to_owned())
}

/// Declares a text newtype that can only be built through `parse`.
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, field = $field:literal, max = $max:literal, allow_empty = $empty:literal, multiline = $multi:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, $crate::text::TextError> {
                $crate::text::checked(raw, $field, $max, $empty, $multi).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::text::TextError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::schema::string(
                    crate::schema::text_pattern($max, $empty, $multi),
                    &crate::schema::text_description($max, $empty, $multi),
                )
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

bounded_text!(
    /// A person's or a restaurant's display name.
    Name, field = "name", max = 100, allow_empty = false, multiline = false
);
bounded_text!(
    /// A menu item's or category's description; may be empty.
    Description, field = "description", max = 1000, allow_empty = true, multiline = true
);
bounded_text!(
    /// A customer's note on a cart line or a booking ("no onions").
    Note, field = "note", max = 280, allow_empty = true, multiline = false
);
bounded_text!(
    /// A delivery address as the customer writes it.
    Address, field = "address", max = 300, allow_empty = false, multiline = true
);
/// A phone number as the customer writes it ("+49 30 1234567", "(030) 123-4567"): digits and
/// the marks people write between them, so that a driver or the restaurant can dial it; words
/// ("call me maybe") are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub const MAX_CHARS: usize = 32;
    const MIN_CHARS: usize = 5;
    /// What `parse` takes, as the OpenAPI document states it (spaces either side are trimmed).
    #[cfg(feature = "openapi")]
    pub(crate) fn pattern() -> String {
        let space = crate::schema::white_space();
        format!("^[{space}]*[+(0-9][0-9 ()./+-]{{{},{}}}[0-9][{space}]*$", Self::MIN_CHARS - 2, Self::MAX_CHARS - 2)
    }

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let field = "phone";
        let text = checked(raw, field, Self::MAX_CHARS, false, false)?;
        let marks = |c: char| c.is_ascii_digit() || " ()./+-".contains(c);
        let starts = text.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
        let ends = text.ends_with(|c: char| c.is_ascii_digit());
        if text.chars().count() < Self::MIN_CHARS || !text.chars().all(marks) || !starts || !ends {
            return Err(TextError::NotAPhone { field });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = TextError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> String {
        value.0
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Phone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string(
            Self::pattern(),
            "A phone number: 5 to 32 digits, spaces and + ( ) - . /, starting with a digit, + or ( and ending with a digit, once spaces either side are trimmed.",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Phone {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(Name::parse("  Trattoria  ").map(String::from), Ok("Trattoria".into()));
    }

    #[test]
    fn a_blank_name_is_refused() {
        assert_eq!(Name::parse("   "), Err(TextError::Empty { field: "name" }));
    }

    #[test]
    fn a_name_longer_than_its_bound_is_refused() {
        assert_eq!(Name::parse(&"a".repeat(101)), Err(TextError::TooLong { field: "name", max: 100 }));
    }

    #[test]
    fn a_note_with_a_control_character_is_refused() {
        assert_eq!(Note::parse("a\u{7}b"), Err(TextError::ControlCharacter { field: "note" }));
    }

    #[test]
    fn an_address_may_span_lines() {
        assert!(Address::parse("Hauptstr. 1\n10115 Berlin").is_ok());
    }

    #[test]
    fn a_phone_is_digits_and_the_marks_people_write_between_them() {
        for ok in ["+49 30 1234567", "(030) 123-4567", "030/1234.567", "12345"] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        for wrong in ["call me maybe", "1234", "+49 30 12345 ext", "-12345", "12345-", "+49\t30 12345"] {
            assert!(
                matches!(
                    Phone::parse(wrong),
                    Err(TextError::NotAPhone { .. }) | Err(TextError::ControlCharacter { .. })
                ),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_deserialized_name_is_validated() {
        assert!(serde_json::from_str::<Name>("\"\"").is_err());
    }
}
