//! The OpenAPI shapes of the domain's values (feature `openapi`). Each is written beside the rule
//! `parse` enforces and from the same bounds, so the document says exactly what the server takes:
//! a client generating data from it (schemathesis) finds no value the schema allows and `parse`
//! refuses, nor the other way round. Rules that join two fields (a party minimum at most its
//! maximum) have no JSON Schema form; the types say them in their descriptions.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

/// What `char::is_whitespace` (and so `str::trim`) counts as white space: Unicode `White_Space`.
/// Spelled out because `\s` differs between regex dialects (ECMA adds U+FEFF, Python U+001C–U+001F).
const WHITE_SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// The white space `str::trim` removes, as a character class's inside.
pub(crate) fn white_space() -> &'static str {
    WHITE_SPACE
}

/// What `char::is_control` refuses: the Unicode `Cc` category.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// The control characters without the line feed, for text that may span lines.
const CONTROL_BUT_NEWLINE: &str = r"\x00-\x09\x0b-\x1f\x7f-\x9f";

pub(crate) fn string(pattern: String, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).description(Some(description)).into()
}

pub(crate) fn integer(minimum: u32, maximum: u32, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(minimum))
        .maximum(Some(maximum))
        .description(Some(description))
        .into()
}

pub(crate) fn one_of(values: impl IntoIterator<Item = String>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).description(Some(description)).into()
}

/// [`crate::text::checked`] as a pattern: white space either side is trimmed; what is left has
/// at most `max` characters, none of them a control character (bar a line feed if `multiline`),
/// and is not empty unless `allow_empty`.
pub(crate) fn text_pattern(max: usize, allow_empty: bool, multiline: bool) -> String {
    let edge = format!("[^{WHITE_SPACE}{CONTROL}]");
    let inner = format!("[^{}]", if multiline { CONTROL_BUT_NEWLINE } else { CONTROL });
    let core = match max {
        0 => String::new(),
        1 => edge,
        _ => format!("{edge}(?:{inner}{{0,{}}}{edge})?", max - 2),
    };
    let core = if allow_empty { format!("(?:{core})?") } else { core };
    format!("^[{WHITE_SPACE}]*{core}[{WHITE_SPACE}]*$")
}

/// The same rule in a person's words, for the document's readers.
pub(crate) fn text_description(max: usize, allow_empty: bool, multiline: bool) -> String {
    let lines = if multiline { "; may span lines" } else { "; one line" };
    let empty = if allow_empty { "; may be empty" } else { "" };
    format!("Up to {max} characters once spaces either side are trimmed{lines}{empty}; no control characters.")
}

/// [`crate::ids`]' handle rule: `[a-z0-9_-]`, a letter or digit at each end, `min..=max` long.
pub(crate) fn handle_pattern(min: usize, max: usize) -> String {
    let middle = format!("[a-z0-9_-]{{{},{}}}", min.saturating_sub(2), max - 2);
    if min >= 2 { format!("^[a-z0-9]{middle}[a-z0-9]$") } else { format!("^[a-z0-9](?:{middle}[a-z0-9])?$") }
}

/// An e-mail address as [`crate::ids::Email::parse`] takes it: trimmed, then `local@domain`
/// without white space or control characters, the domain dotted and not starting or ending with a dot.
pub(crate) fn email() -> RefOr<Schema> {
    let plain = format!("[^@{WHITE_SPACE}{CONTROL}]");
    let undotted = format!("[^@.{WHITE_SPACE}{CONTROL}]");
    let pattern = format!("^[{WHITE_SPACE}]*{plain}+@{undotted}{plain}*\\.{plain}*{undotted}[{WHITE_SPACE}]*$");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(crate::ids::Email::MAX_CHARS))
        .pattern(Some(pattern))
        .description(Some("An e-mail address (compared in lower case)."))
        .into()
}

/// A comma-separated list of `words` as a query string carries them: each item trimmed, blank
/// items skipped, every other item one of the words (written as serde writes them).
pub fn word_list<T: serde::Serialize>(
    words: impl IntoIterator<Item = T>,
    description: &str,
) -> utoipa::openapi::Object {
    let names: Vec<String> = words
        .into_iter()
        .filter_map(|word| match serde_json::to_value(word) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        })
        .collect();
    let item = format!("[{WHITE_SPACE}]*(?:{})?[{WHITE_SPACE}]*", names.join("|"));
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^{item}(?:,{item})*$")))
        .description(Some(description))
        .build()
}

/// A local wall-clock time as `hours::clock` reads it.
#[derive(Debug)]
pub struct LocalTime;

impl utoipa::PartialSchema for LocalTime {
    fn schema() -> RefOr<Schema> {
        string(
            crate::hours::clock::PATTERN.to_owned(),
            "A local wall-clock time, HH:MM or HH:MM:SS (24-hour), in the restaurant's time zone.",
        )
    }
}

impl utoipa::ToSchema for LocalTime {}

/// A calendar date, YYYY-MM-DD: in the restaurant's own time zone wherever the API uses one.
#[derive(Debug)]
pub struct LocalDate;

impl utoipa::PartialSchema for LocalDate {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("A date, YYYY-MM-DD."))
            .into()
    }
}

impl utoipa::ToSchema for LocalDate {}

/// An instant, RFC 3339 with its offset ("2026-12-04T19:30:00Z").
#[derive(Debug)]
pub struct Instant;

impl utoipa::PartialSchema for Instant {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("An instant, RFC 3339 with its offset (2026-12-04T19:30:00Z)."))
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

/// A price a manager sets: [`crate::money::Money`] that is not negative.
#[derive(Debug, utoipa::ToSchema)]
pub struct Price {
    /// In the currency's minor units (cents for EUR, yen for JPY).
    #[schema(minimum = 0)]
    pub minor: i64,
    pub currency: crate::money::Currency,
}

/// A type whose JSON is that of its private `Repr` (it deserializes through it and checks the
/// whole): its schema is the repr's, under the public type's name.
macro_rules! shaped_as {
    ($public:ty, $repr:ty, $name:literal) => {
        impl utoipa::PartialSchema for $public {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <$repr as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $public {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }

            fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                <$repr as utoipa::ToSchema>::schemas(schemas)
            }
        }
    };
}
pub(crate) use shaped_as;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};

    use proptest::prelude::*;
    use regex::Regex;
    use utoipa::PartialSchema;
    use utoipa::openapi::schema::Schema;

    use crate::ids::{Email, ItemId, Slug};
    use crate::menu::ImageKey;
    use crate::text::{Address, Description, Name, Note, Phone};

    /// Compiled once per type: a bound like `{0,998}` makes a large automaton.
    fn pattern_of<T: PartialSchema>() -> Regex {
        static COMPILED: LazyLock<Mutex<HashMap<&'static str, Regex>>> = LazyLock::new(Default::default);
        let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let pattern = compiled.entry(std::any::type_name::<T>()).or_insert_with(|| {
            let utoipa::openapi::RefOr::T(Schema::Object(object)) = T::schema() else {
                panic!("an inline object schema")
            };
            Regex::new(&object.pattern.unwrap_or_else(|| panic!("a pattern"))).unwrap_or_else(|e| panic!("{e}"))
        });
        pattern.clone()
    }

    fn max_length_of<T: PartialSchema>() -> Option<usize> {
        let utoipa::openapi::RefOr::T(Schema::Object(object)) = T::schema() else { panic!("an inline object schema") };
        object.max_length
    }

    /// Strings made mostly of the characters the rules are about: spaces of every kind, control
    /// characters, line feeds, the handle alphabet, `@`, `.` and `/`, with any character now and then.
    fn tricky(max: usize) -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            ' ', '\t', '\n', '\r', '\u{7}', '\u{1f}', '\u{85}', '\u{a0}', '\u{2003}', '\u{3000}', '\u{feff}', 'a', 'z',
            '0', '9', 'A', 'é', '-', '_', '.', '/', '@',
        ]);
        prop::collection::vec(prop_oneof![4 => special, 1 => any::<char>()], 0..max).prop_map(String::from_iter)
    }

    fn agrees<T: PartialSchema, E>(raw: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<(), TestCaseError> {
        let schema_says =
            pattern_of::<T>().is_match(raw) && max_length_of::<T>().is_none_or(|max| raw.chars().count() <= max);
        prop_assert_eq!(schema_says, parse(raw).is_ok(), "{:?}", raw);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_name_schema_takes_exactly_what_parse_takes(raw in tricky(110)) {
            agrees(&raw, Name::parse)?;
        }

        #[test]
        fn the_note_schema_takes_exactly_what_parse_takes(raw in tricky(300)) {
            agrees(&raw, Note::parse)?;
        }

        #[test]
        fn the_description_schema_takes_exactly_what_parse_takes(raw in tricky(40)) {
            agrees(&raw, Description::parse)?;
        }

        #[test]
        fn the_address_schema_takes_exactly_what_parse_takes(raw in tricky(40)) {
            agrees(&raw, Address::parse)?;
        }

        #[test]
        fn the_phone_schema_takes_exactly_what_parse_takes(raw in tricky(40)) {
            agrees(&raw, Phone::parse)?;
        }

        #[test]
        fn the_phone_schema_takes_exactly_what_parse_takes_of_phone_like_text(raw in "[0-9 ()./+a\t-]{0,36}") {
            agrees(&raw, Phone::parse)?;
        }

        #[test]
        fn the_slug_schema_takes_exactly_what_parse_takes(raw in tricky(45)) {
            agrees(&raw, Slug::parse)?;
        }

        #[test]
        fn the_item_id_schema_takes_exactly_what_parse_takes(raw in tricky(70)) {
            agrees(&raw, ItemId::parse)?;
        }

        #[test]
        fn the_postcode_schema_takes_exactly_what_parse_takes(raw in tricky(14)) {
            agrees(&raw, crate::delivery::Postcode::parse)?;
        }

        #[test]
        fn the_delivery_area_schema_takes_exactly_what_parse_takes(raw in "[a-z0-9 *-]{0,12}") {
            agrees(&raw, crate::delivery_area::DeliveryArea::parse)?;
        }

        #[test]
        fn the_email_schema_takes_exactly_what_parse_takes(raw in tricky(30)) {
            agrees(&raw, Email::parse)?;
        }

        #[test]
        fn the_image_key_schema_takes_exactly_what_parse_takes(raw in tricky(30)) {
            agrees(&raw, ImageKey::parse)?;
        }

        #[test]
        fn the_time_pattern_takes_exactly_what_the_clock_reads(raw in "[0-9:T+.Z ]{0,9}") {
            let pattern = Regex::new(crate::hours::clock::PATTERN).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(pattern.is_match(&raw), crate::hours::clock::parse(&raw).is_some(), "{:?}", raw);
        }
    }

    #[test]
    fn a_long_name_padded_with_spaces_is_still_taken_by_both() {
        let raw = format!("  {}  ", "a".repeat(Name::MAX_CHARS));
        assert!(pattern_of::<Name>().is_match(&raw) && Name::parse(&raw).is_ok());
    }

    #[test]
    fn a_name_one_character_too_long_is_refused_by_both() {
        let raw = "a".repeat(Name::MAX_CHARS + 1);
        assert!(!pattern_of::<Name>().is_match(&raw) && Name::parse(&raw).is_err());
    }
}
