//! Money in integer minor units with its currency, and tax.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("'{0}' is not an ISO 4217 currency with minor units")]
    UnknownCurrency(String),
    #[error("cannot combine amounts in {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is too large")]
    Overflow,
    #[error("a price must not be negative")]
    Negative,
    #[error("a tax rate must be between 0 and 100 % in hundredths of a percent (0..=10000), got {0}")]
    TaxRateOutOfRange(u32),
}

/// An ISO 4217 currency that has minor units (EUR, USD, JPY, KWD…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Currency(iso_currency::Currency);

/// Written as its code, borrowed: every amount in every answer carries one, so an owned copy
/// each time would be paid many times per answer.
impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        iso_currency::Currency::from_code(&code.to_ascii_uppercase())
            .filter(|currency| currency.exponent().is_some())
            .map(Self)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD.
    pub fn minor_digits(self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(code: String) -> Result<Self, MoneyError> {
        Self::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Currency {
    /// Every code `parse` takes, found by asking it: all three-letter codes, once per document.
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let letters = || b'A'..=b'Z';
        let codes = letters()
            .flat_map(|a| letters().flat_map(move |b| letters().map(move |c| [a, b, c])))
            .filter_map(|code| std::str::from_utf8(&code).ok().and_then(|code| Self::parse(code).ok()))
            .map(|currency| currency.code().to_owned());
        crate::schema::one_of(codes, "An ISO 4217 currency code that has minor units.")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Currency {}

/// An amount in the currency's minor units (cents). Signed, so an option may lower a price;
/// prices themselves are checked to be non-negative where they are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// A price as a manager sets it: never negative.
    pub fn price(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor < 0 { Err(MoneyError::Negative) } else { Ok(Self { minor, currency }) }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency: self.currency })
    }

    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(i64::from(factor)).ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency: self.currency })
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }
}

impl fmt::Display for Money {
    /// `12.50 EUR`: unambiguous for logs and errors; the site formats for the customer's locale.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if digits == 0 {
            return write!(f, "{sign}{abs} {}", self.currency);
        }
        let scale = 10u64.pow(digits);
        write!(f, "{sign}{}.{:0width$} {}", abs / scale, abs % scale, self.currency, width = digits as usize)
    }
}

/// Whether menu prices already contain the tax (usual in the EU) or it is added at checkout (US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    Inclusive,
    Exclusive,
}

/// A tax rate in hundredths of a percent (basis points): 1900 is 19 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TaxRate(u32);

impl TaxRate {
    pub fn from_basis_points(bps: u32) -> Result<Self, MoneyError> {
        if bps <= 10_000 { Ok(Self(bps)) } else { Err(MoneyError::TaxRateOutOfRange(bps)) }
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for TaxRate {
    type Error = MoneyError;
    fn try_from(bps: u32) -> Result<Self, MoneyError> {
        Self::from_basis_points(bps)
    }
}

impl From<TaxRate> for u32 {
    fn from(rate: TaxRate) -> u32 {
        rate.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TaxRate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::integer(0, 10_000, "A tax rate in hundredths of a percent: 1900 is 19 %.")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TaxRate {}

/// Divides rounding half away from zero, the rule receipts use.
fn div_round_half_away(numerator: i128, denominator: i128) -> i128 {
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    if remainder.abs() * 2 >= denominator.abs() {
        quotient + numerator.signum() * denominator.signum()
    } else {
        quotient
    }
}

/// Subtotal, tax and total of a set of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// The sum of the lines as priced on the menu, and of a delivery's fee.
    pub subtotal: Money,
    /// The tax contained in (inclusive) or added to (exclusive) the subtotal.
    pub tax: Money,
    /// What the customer pays.
    pub total: Money,
    pub tax_rate: TaxRate,
    pub tax_mode: TaxMode,
}

impl Totals {
    /// Tax is computed once on the subtotal, not per line, so rounding never adds up across lines.
    pub fn compute(subtotal: Money, rate: TaxRate, mode: TaxMode) -> Result<Totals, MoneyError> {
        let amount = i128::from(subtotal.minor);
        let bps = i128::from(rate.0);
        let tax = match mode {
            TaxMode::Inclusive => div_round_half_away(amount * bps, 10_000 + bps),
            TaxMode::Exclusive => div_round_half_away(amount * bps, 10_000),
        };
        let tax = Money::new(i64::try_from(tax).map_err(|_| MoneyError::Overflow)?, subtotal.currency);
        let total = match mode {
            TaxMode::Inclusive => subtotal,
            TaxMode::Exclusive => subtotal.checked_add(tax)?,
        };
        Ok(Totals { subtotal, tax, total, tax_rate: rate, tax_mode: mode })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR is ISO 4217")
    }

    #[test]
    fn currencies_know_their_minor_digits() {
        assert_eq!(Currency::parse("eur").map(Currency::minor_digits), Ok(2));
        assert_eq!(Currency::parse("JPY").map(Currency::minor_digits), Ok(0));
        assert_eq!(Currency::parse("KWD").map(Currency::minor_digits), Ok(3));
    }

    #[test]
    fn an_unknown_or_unit_less_currency_is_refused() {
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("XAU").is_err());
    }

    #[test]
    fn money_prints_in_major_units() {
        assert_eq!(Money::new(1250, eur()).to_string(), "12.50 EUR");
        assert_eq!(Money::new(-5, eur()).to_string(), "-0.05 EUR");
        assert_eq!(Money::new(900, Currency::parse("JPY").expect("JPY")).to_string(), "900 JPY");
    }

    #[test]
    fn amounts_in_different_currencies_do_not_add() {
        let usd = Currency::parse("USD").expect("USD");
        assert_eq!(Money::new(1, eur()).checked_add(Money::new(1, usd)), Err(MoneyError::CurrencyMismatch(eur(), usd)));
    }

    #[test]
    fn a_negative_price_is_refused() {
        assert_eq!(Money::price(-1, eur()), Err(MoneyError::Negative));
    }

    #[test]
    fn inclusive_tax_is_contained_in_the_total() {
        let rate = TaxRate::from_basis_points(1900).expect("19 %");
        let totals = Totals::compute(Money::new(1190, eur()), rate, TaxMode::Inclusive).expect("fits");
        assert_eq!((totals.tax.minor, totals.total.minor), (190, 1190));
    }

    #[test]
    fn exclusive_tax_is_added_to_the_total() {
        let rate = TaxRate::from_basis_points(825).expect("8.25 %");
        let totals = Totals::compute(Money::new(1000, eur()), rate, TaxMode::Exclusive).expect("fits");
        // 82.5 cents rounds half away from zero to 83.
        assert_eq!((totals.tax.minor, totals.total.minor), (83, 1083));
    }

    #[test]
    fn a_tax_rate_above_one_hundred_percent_is_refused() {
        assert_eq!(TaxRate::from_basis_points(10_001), Err(MoneyError::TaxRateOutOfRange(10_001)));
    }

    proptest! {
        #[test]
        fn addition_is_commutative_and_never_wraps(a in any::<i64>(), b in any::<i64>()) {
            let (x, y) = (Money::new(a, eur()), Money::new(b, eur()));
            prop_assert_eq!(x.checked_add(y), y.checked_add(x));
            match a.checked_add(b) {
                Some(sum) => prop_assert_eq!(x.checked_add(y).map(|m| m.minor), Ok(sum)),
                None => prop_assert_eq!(x.checked_add(y), Err(MoneyError::Overflow)),
            }
        }

        #[test]
        fn multiplying_by_a_quantity_equals_repeated_addition(minor in -100_000i64..100_000, qty in 0u32..100) {
            let price = Money::new(minor, eur());
            let repeated = (0..qty).try_fold(Money::zero(eur()), |acc, _| acc.checked_add(price));
            prop_assert_eq!(price.checked_mul(qty), repeated);
        }

        #[test]
        fn inclusive_net_plus_tax_equals_the_total(minor in 0i64..10_000_000_000, bps in 0u32..=10_000) {
            let rate = TaxRate::from_basis_points(bps).expect("in range");
            let totals = Totals::compute(Money::new(minor, eur()), rate, TaxMode::Inclusive).expect("fits");
            prop_assert_eq!(totals.total.minor, minor);
            prop_assert!(totals.tax.minor >= 0 && totals.tax.minor <= minor / 2 + 1);
        }

        #[test]
        fn exclusive_tax_is_within_half_a_minor_unit_of_exact(minor in 0i64..10_000_000_000, bps in 0u32..=10_000) {
            let rate = TaxRate::from_basis_points(bps).expect("in range");
            let totals = Totals::compute(Money::new(minor, eur()), rate, TaxMode::Exclusive).expect("fits");
            let exact_times_10k = i128::from(minor) * i128::from(bps);
            let error = (i128::from(totals.tax.minor) * 10_000 - exact_times_10k).abs();
            prop_assert!(error <= 5_000);
            prop_assert_eq!(totals.total.minor, minor + totals.tax.minor);
        }

        #[test]
        fn a_currency_code_round_trips_through_json(code in prop::sample::select(vec!["EUR", "USD", "GBP", "JPY", "CHF", "KWD"])) {
            let currency = Currency::parse(code).expect("listed");
            let json = serde_json::to_string(&currency).expect("serializes");
            prop_assert_eq!(serde_json::from_str::<Currency>(&json).expect("parses"), currency);
        }
    }
}
