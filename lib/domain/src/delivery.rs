//! What a restaurant asks of a delivery: a fee, a minimum of food, and the postcodes it drives to.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::delivery_area::DeliveryArea;

use crate::money::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a postcode is 2 to 10 letters, digits, spaces or hyphens, starting and ending with a letter or digit")]
pub struct PostcodeError;

/// A postcode as guests and restaurants write it ("10115", "SW1A 1AA"), kept in capitals with
/// single spaces so that "sw1a  1aa" and "SW1A 1AA" are the same place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    const MIN: usize = 2;
    const MAX: usize = 10;
    /// What `parse` takes, as the OpenAPI document states it.
    #[cfg(feature = "openapi")]
    pub(crate) const PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9 -]{0,8}[A-Za-z0-9]$";

    pub fn parse(raw: &str) -> Result<Self, PostcodeError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == '-';
        let edges_ok =
            raw.starts_with(|c: char| c.is_ascii_alphanumeric()) && raw.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !(Self::MIN..=Self::MAX).contains(&raw.len()) || !raw.chars().all(allowed) || !edges_ok {
            return Err(PostcodeError);
        }
        Ok(Self(raw.split(' ').filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ").to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Postcode {
    type Error = PostcodeError;
    fn try_from(raw: String) -> Result<Self, PostcodeError> {
        Self::parse(&raw)
    }
}

impl From<Postcode> for String {
    fn from(postcode: Postcode) -> String {
        postcode.0
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Postcode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string(
            Self::PATTERN.to_owned(),
            "A postcode: 2 to 10 letters, digits, spaces or hyphens, starting and ending with a letter or digit (compared in capitals).",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Postcode {}

/// Why a delivery cannot be ordered as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeliveryError {
    #[error("the restaurant delivers only to some postcodes: give the postcode of the address")]
    PostcodeRequired,
    #[error("the restaurant does not deliver to {0}")]
    NotDelivered(Postcode),
    #[error("a delivery needs at least {minimum} of food; add {short} more")]
    BelowMinimum { minimum: Money, short: Money },
}

/// The restaurant's terms for delivering: all optional, so a restaurant that set none delivers
/// anywhere, free, whatever the order's size. Amounts are in the restaurant's minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TermsRepr", into = "TermsRepr")]
pub struct DeliveryTerms {
    fee: u32,
    minimum: u32,
    postcodes: BTreeSet<DeliveryArea>,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct TermsRepr {
    /// Added to every delivery as its own line, in the currency's minor units (0 for none).
    #[serde(default, deserialize_with = "bounded_amount")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    fee: u32,
    /// The least food (before the fee) a delivery is taken for, in minor units (0 for none).
    #[serde(default, deserialize_with = "bounded_amount")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000_000))]
    minimum: u32,
    /// Where the restaurant delivers: postcodes, UK outward codes ("E1") and prefixes ("101*");
    /// empty for anywhere. One listed twice counts once (people paste lists with repeats).
    #[serde(default, deserialize_with = "bounded_postcodes")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<DeliveryArea>, max_items = 500))]
    postcodes: BTreeSet<DeliveryArea>,
}

// Each bound is checked while its own field is read, so a refusal names that field
// (`restaurant.delivery.fee`) and the settings page can show it beside that input.
fn bounded_amount<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    DeliveryTerms::amount_in_bounds(u32::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

/// The list as sent is bounded (repeats included), as its schema says; then repeats merge.
fn bounded_postcodes<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeSet<DeliveryArea>, D::Error> {
    let listed = Vec::<DeliveryArea>::deserialize(deserializer)?;
    if listed.len() > DeliveryTerms::MAX_POSTCODES {
        return Err(serde::de::Error::custom(TermsError("a restaurant lists at most 500 postcodes")));
    }
    Ok(listed.into_iter().collect())
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(DeliveryTerms, TermsRepr, "DeliveryTerms");

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct TermsError(&'static str);

impl TryFrom<TermsRepr> for DeliveryTerms {
    type Error = TermsError;
    fn try_from(repr: TermsRepr) -> Result<Self, TermsError> {
        Self::new(repr.fee, repr.minimum, repr.postcodes)
    }
}

impl From<DeliveryTerms> for TermsRepr {
    fn from(terms: DeliveryTerms) -> Self {
        Self { fee: terms.fee, minimum: terms.minimum, postcodes: terms.postcodes }
    }
}

impl DeliveryTerms {
    pub const MAX_AMOUNT: u32 = 100_000_000;
    pub const MAX_POSTCODES: usize = 500;

    pub fn new(fee: u32, minimum: u32, postcodes: BTreeSet<DeliveryArea>) -> Result<Self, TermsError> {
        Ok(Self {
            fee: Self::amount_in_bounds(fee)?,
            minimum: Self::amount_in_bounds(minimum)?,
            postcodes: Self::postcodes_in_bounds(postcodes)?,
        })
    }

    fn amount_in_bounds(amount: u32) -> Result<u32, TermsError> {
        if amount > Self::MAX_AMOUNT {
            return Err(TermsError("a delivery fee or minimum is at most 100000000 minor units"));
        }
        Ok(amount)
    }

    fn postcodes_in_bounds(postcodes: BTreeSet<DeliveryArea>) -> Result<BTreeSet<DeliveryArea>, TermsError> {
        if postcodes.len() > Self::MAX_POSTCODES {
            return Err(TermsError("a restaurant lists at most 500 postcodes"));
        }
        Ok(postcodes)
    }

    /// Whether a delivery pays a fee or has a minimum (amounts that belong to one currency).
    pub fn charges_anything(&self) -> bool {
        self.fee > 0 || self.minimum > 0
    }

    /// Whether a delivery to `postcode` of `food` (the lines' sum) is taken, and if so its fee
    /// (`None` when the restaurant charges none).
    pub fn charge(&self, postcode: Option<&Postcode>, food: Money) -> Result<Option<Money>, DeliveryError> {
        if !self.postcodes.is_empty() {
            let postcode = postcode.ok_or(DeliveryError::PostcodeRequired)?;
            if !self.postcodes.iter().any(|area| area.covers(postcode)) {
                return Err(DeliveryError::NotDelivered(postcode.clone()));
            }
        }
        let minimum = amount(self.minimum, food.currency);
        if food.minor < minimum.minor {
            let short = Money::new(minimum.minor - food.minor, food.currency);
            return Err(DeliveryError::BelowMinimum { minimum, short });
        }
        Ok((self.fee > 0).then(|| amount(self.fee, food.currency)))
    }
}

fn amount(minor: u32, currency: Currency) -> Money {
    Money::new(i64::from(minor), currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").expect("EUR"))
    }

    fn code(raw: &str) -> Postcode {
        Postcode::parse(raw).expect("a postcode")
    }

    fn terms(fee: u32, minimum: u32, postcodes: &[&str]) -> DeliveryTerms {
        let areas = postcodes.iter().map(|p| DeliveryArea::parse(p).expect("an area")).collect();
        DeliveryTerms::new(fee, minimum, areas).expect("terms in bounds")
    }

    #[test]
    fn a_postcode_is_kept_in_capitals_with_single_spaces() {
        assert_eq!(code("sw1a  1aa").as_str(), "SW1A 1AA");
    }

    #[test]
    fn a_postcode_with_other_characters_or_blank_edges_is_refused() {
        for raw in ["1", "10115/2", " 10115", "10115 ", "-10115", "12345678901", "1011é"] {
            assert_eq!(Postcode::parse(raw), Err(PostcodeError), "{raw:?}");
        }
    }

    #[test]
    fn a_restaurant_without_terms_delivers_anywhere_for_free() {
        assert_eq!(DeliveryTerms::default().charge(None, eur(1)), Ok(None));
    }

    #[test]
    fn the_fee_is_charged_in_the_orders_currency() {
        assert_eq!(terms(250, 0, &[]).charge(None, eur(1000)), Ok(Some(eur(250))));
    }

    #[test]
    fn food_below_the_minimum_is_refused_with_what_is_missing() {
        assert_eq!(
            terms(0, 1500, &[]).charge(None, eur(1150)),
            Err(DeliveryError::BelowMinimum { minimum: eur(1500), short: eur(350) })
        );
    }

    #[test]
    fn food_at_the_minimum_is_taken() {
        assert_eq!(terms(0, 1500, &[]).charge(None, eur(1500)), Ok(None));
    }

    #[test]
    fn a_postcode_outside_the_list_is_refused() {
        let refused = terms(0, 0, &["10115"]).charge(Some(&code("20095")), eur(1000));
        assert_eq!(refused, Err(DeliveryError::NotDelivered(code("20095"))));
    }

    #[test]
    fn a_listed_postcode_matches_however_it_is_written() {
        assert_eq!(terms(0, 0, &["SW1A 1AA"]).charge(Some(&code("sw1a 1aa")), eur(1000)), Ok(None));
    }

    #[test]
    fn a_postcode_listed_twice_counts_once_but_the_list_as_sent_is_bounded() {
        let twice: DeliveryTerms = serde_json::from_str(r#"{"postcodes": ["10115", "10115"]}"#).expect("terms");
        assert_eq!(twice.postcodes.len(), 1);
        let many = format!(r#"{{"postcodes": [{}]}}"#, vec![r#""10115""#; 501].join(","));
        assert!(serde_json::from_str::<DeliveryTerms>(&many).is_err());
    }

    #[test]
    fn a_restaurant_with_postcodes_needs_the_guests() {
        assert_eq!(terms(0, 0, &["10115"]).charge(None, eur(1000)), Err(DeliveryError::PostcodeRequired));
    }

    #[test]
    fn a_fee_beyond_its_bound_is_refused() {
        assert!(DeliveryTerms::new(DeliveryTerms::MAX_AMOUNT + 1, 0, BTreeSet::new()).is_err());
    }

    #[test]
    fn terms_are_read_with_every_field_optional() {
        let terms: DeliveryTerms = serde_json::from_str(r#"{"postcodes": ["10115"]}"#).expect("terms");
        assert_eq!(terms, super::DeliveryTerms::new(0, 0, [DeliveryArea::Code(code("10115"))].into()).expect("terms"));
    }
}
