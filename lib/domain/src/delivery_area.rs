//! The places a restaurant delivers to, as restaurants write them: a postcode ("10115",
//! "E1 6QF"), a UK outward code covering every full postcode in it ("E1" covers "E1 6QF" but
//! neither "E14 5AB" nor "E1W 1AA"), or a prefix written with a star ("101*" covers "10115").

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::delivery::Postcode;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "a delivery area is a postcode (2 to 10 letters, digits, spaces or hyphens, starting and ending with a letter or digit), or the start of one followed by *"
)]
pub struct AreaError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DeliveryArea {
    /// A postcode, or a UK outward code on its own.
    Code(Postcode),
    /// Every postcode that starts with these letters and digits (spaces aside), as "101*" says.
    Prefix(String),
}

impl DeliveryArea {
    /// What `parse` takes, as the OpenAPI document states it.
    #[cfg(feature = "openapi")]
    pub(crate) const PATTERN: &str =
        r"^([A-Za-z0-9][A-Za-z0-9 -]{0,8}[A-Za-z0-9]|[A-Za-z0-9]([A-Za-z0-9 -]{0,7}[A-Za-z0-9])?\*)$";

    pub fn parse(raw: &str) -> Result<Self, AreaError> {
        let Some(start) = raw.strip_suffix('*') else {
            return Postcode::parse(raw).map(Self::Code).map_err(|_| AreaError);
        };
        // The start of a postcode: what a postcode may hold, one character or more, read as a
        // postcode is (capitals, single spaces) with one character put after it and taken away.
        if start.is_empty() || start.len() > 9 || start.ends_with([' ', '-']) {
            return Err(AreaError);
        }
        let read = Postcode::parse(&format!("{start}0")).map_err(|_| AreaError)?;
        let read = read.as_str();
        Ok(Self::Prefix(read[..read.len() - 1].to_owned()))
    }

    /// Whether a delivery to `postcode` is in this area.
    pub fn covers(&self, postcode: &Postcode) -> bool {
        let compact = |raw: &str| raw.replace(' ', "");
        match self {
            Self::Prefix(start) => compact(postcode.as_str()).starts_with(&compact(start)),
            Self::Code(listed) => {
                compact(listed.as_str()) == compact(postcode.as_str())
                    || (is_uk_outward(listed.as_str()) && uk_outward_of(postcode.as_str()) == Some(listed.as_str()))
            }
        }
    }
}

/// A UK outward code on its own: one or two letters, a digit, and maybe a digit or a letter
/// ("E1", "SW1A", "M60", "EC1V").
fn is_uk_outward(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_uppercase).count();
    let district = match &code.as_bytes()[letters..] {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_uppercase()),
        _ => false,
    };
    (1..=2).contains(&letters) && district
}

/// The outward code of a full UK postcode ("E1 6QF" → "E1", "E16QF" → "E1"): the inward code is
/// always its last three characters, a digit and two letters.
fn uk_outward_of(postcode: &str) -> Option<&str> {
    let compact_len = postcode.chars().filter(|c| *c != ' ').count();
    if compact_len < 5 {
        return None;
    }
    let inward = &postcode[postcode.len() - 3..];
    let outward = postcode[..postcode.len() - 3].trim_end();
    let inward_ok = matches!(inward.as_bytes(), [d, a, b] if d.is_ascii_digit() && a.is_ascii_uppercase() && b.is_ascii_uppercase());
    (inward_ok && is_uk_outward(outward)).then_some(outward)
}

impl TryFrom<String> for DeliveryArea {
    type Error = AreaError;
    fn try_from(raw: String) -> Result<Self, AreaError> {
        Self::parse(&raw)
    }
}

impl From<DeliveryArea> for String {
    fn from(area: DeliveryArea) -> String {
        area.to_string()
    }
}

impl fmt::Display for DeliveryArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Prefix(start) => write!(f, "{start}*"),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DeliveryArea {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string(
            Self::PATTERN.to_owned(),
            "Where the restaurant delivers: a postcode (matched exactly, in capitals, spaces aside); a UK outward code such as E1, which covers every full postcode in it (E1 6QF, not E14 5AB nor E1W 1AA); or the start of a postcode followed by * (101* covers 10115).",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DeliveryArea {}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(raw: &str) -> DeliveryArea {
        DeliveryArea::parse(raw).expect("an area")
    }

    fn code(raw: &str) -> Postcode {
        Postcode::parse(raw).expect("a postcode")
    }

    #[test]
    fn a_uk_outward_code_covers_every_full_postcode_in_it_and_no_other_district() {
        let e1 = area("e1");
        assert!(e1.covers(&code("E1 6QF")));
        assert!(e1.covers(&code("e16qf")), "written without the space");
        assert!(e1.covers(&code("E1")), "the outward code itself");
        assert!(!e1.covers(&code("E14 5AB")));
        assert!(!e1.covers(&code("E1W 1AA")));
        assert!(area("SW1A").covers(&code("SW1A 1AA")));
    }

    #[test]
    fn elsewhere_a_listed_code_matches_exactly_and_a_star_makes_a_prefix() {
        assert!(area("10115").covers(&code("10115")));
        assert!(!area("10115").covers(&code("10117")));
        assert!(!area("101").covers(&code("10115")), "no star, no prefix");
        assert!(area("101*").covers(&code("10115")));
        assert!(!area("101*").covers(&code("20095")));
        assert!(area("e1 6*").covers(&code("E1 6QF")));
    }

    #[test]
    fn an_area_is_written_back_as_it_was_meant() {
        assert_eq!(area("101*").to_string(), "101*");
        assert_eq!(area("sw1a  1aa").to_string(), "SW1A 1AA");
        assert_eq!(area("100*").to_string(), "100*");
        for raw in ["*", "1-*", "12345678901*", "a*b", "x"] {
            assert_eq!(DeliveryArea::parse(raw), Err(AreaError), "{raw:?}");
        }
    }
}
