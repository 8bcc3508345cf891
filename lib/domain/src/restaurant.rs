//! A restaurant (the tenant) and its staff roles.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cart::{PricedCart, PricingRules};
use crate::delivery::DeliveryTerms;
use crate::hours::{DayStart, OpeningHours, Zone};
use crate::ids::{Email, Slug, TableId, UserId};
use crate::money::{Currency, TaxMode, TaxRate};
use crate::order::OrderKind;
use crate::reservation::ReservationSettings;
use crate::text::{Address, Name};
use crate::timing::{Promise, TicketAlerts, Timing};

pub use crate::offer::OrderingError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("the menu has prices in {0}: change or remove its dishes first, then the currency")]
    CurrencyLocked(Currency),
    #[error("the delivery fee and minimum are in {0}: set them to 0, change the currency, then set them again")]
    DeliveryInOldCurrency(Currency),
    /// Shortening it erases every past guest's data sooner, which only the owner may decide (as
    /// erasing one order is the owner's).
    #[error("only the restaurant's owner may change how long guests' personal data is kept")]
    RetentionOwnerOnly,
}

/// Which kinds of order a restaurant takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderKinds {
    pub dine_in: bool,
    pub pickup: bool,
    pub delivery: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tax {
    pub rate: TaxRate,
    pub mode: TaxMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Restaurant {
    pub slug: Slug,
    pub name: Name,
    /// Where the restaurant is: on guests' receipts (and where pickups are collected).
    #[serde(default)]
    pub address: Option<Address>,
    pub currency: Currency,
    pub time_zone: Zone,
    pub hours: OpeningHours,
    pub order_kinds: OrderKinds,
    /// Ordering as a whole, ordering ahead and table booking, each on unless switched off.
    #[serde(default)]
    pub switches: crate::offer::Switches,
    /// Written in the order people count them (1, 2, 10, terrace-2, terrace-10).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TableId>))]
    #[serde(serialize_with = "tables_as_counted")]
    pub tables: BTreeSet<TableId>,
    pub tax: Tax,
    pub reservations: ReservationSettings,
    /// How long guests' names, phones and addresses are kept after their order's or booking's day.
    #[serde(default)]
    pub personal_data_days: RetentionDays,
    /// What the guest's pages speak to a guest whose browser asks for none of the pages' languages.
    #[serde(default)]
    pub language: Language,
    /// Preparation time per kind of order, and the later slots pickup and delivery may be ordered for.
    #[serde(default)]
    pub timing: Timing,
    /// The pace the board set: a pause of new orders, a busy delay (`PUT …/pace`, floor staff).
    #[serde(default)]
    pub pace: crate::pace::Pace,
    /// When the restaurant's day changes (`HH:MM`, 05:00 if not given): before it, orders and
    /// bookings belong to the day before.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalTime, required = false))]
    pub day_starts: DayStart,
    /// A delivery's fee, the least food it is taken for, and the postcodes it goes to.
    #[serde(default)]
    pub delivery: DeliveryTerms,
    /// When the board's tickets turn amber and red.
    #[serde(default)]
    pub ticket_alerts: TicketAlerts,
    /// How guests pay, for each way of ordering.
    #[serde(default)]
    pub payment: crate::payment::PaymentChoices,
    /// Tips offered to guests who pay online, per way of ordering.
    #[serde(default)]
    pub tips: crate::tip::Tips,
    /// The restaurant's own payment account, as the provider last said it was: set by connecting
    /// it and by the provider's word only, never by a change of the settings.
    #[serde(default)]
    pub payment_account: Option<crate::payment::ConnectedAccount>,
}

/// What the restaurant agrees to when it takes an order: the time promised, and the day of
/// service the order belongs to (the day it is numbered in and listed under).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    pub promise: Promise,
    pub business_date: jiff::civil::Date,
}

/// A language the guest's pages are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

/// Days a guest's personal data is kept after the day of their order or booking: 1 to 3650,
/// 90 unless the restaurant says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct RetentionDays(u16);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("personal data is kept between 1 and {max} days, not {0}", max = RetentionDays::MAX)]
pub struct RetentionDaysError(pub u16);

impl RetentionDays {
    pub const MAX: u16 = 3650;

    pub fn new(days: u16) -> Result<Self, RetentionDaysError> {
        if (1..=Self::MAX).contains(&days) { Ok(Self(days)) } else { Err(RetentionDaysError(days)) }
    }

    /// The last local date whose guests' data is erased when it is `today`: a day is kept for
    /// the whole period after it ends.
    pub fn last_erased_day(self, today: jiff::civil::Date) -> jiff::civil::Date {
        today.saturating_sub(jiff::Span::new().days(i64::from(self.0) + 1))
    }
}

impl Default for RetentionDays {
    fn default() -> Self {
        Self(90)
    }
}

impl TryFrom<u16> for RetentionDays {
    type Error = RetentionDaysError;
    fn try_from(days: u16) -> Result<Self, RetentionDaysError> {
        Self::new(days)
    }
}

impl From<RetentionDays> for u16 {
    fn from(days: RetentionDays) -> u16 {
        days.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RetentionDays {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::integer(
            1,
            u32::from(Self::MAX),
            "Days guests' names, phones and addresses are kept after their order's or booking's day (90 if not given).",
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RetentionDays {}

impl Restaurant {
    pub fn pricing_rules(&self) -> PricingRules {
        PricingRules { currency: self.currency, tax_rate: self.tax.rate, tax_mode: self.tax.mode }
    }

    /// Whether the restaurant's settings may become `next`, changed by someone in role `by`, while
    /// its menu holds `dishes` dishes: a menu's prices are in the restaurant's currency, so the
    /// currency changes only on an empty menu (else every price would read in the wrong money and
    /// no cart could be priced); how long guests' data is kept is the owner's to say.
    pub fn may_become(&self, next: &Restaurant, dishes: usize, by: Role) -> Result<(), SettingsError> {
        if next.personal_data_days != self.personal_data_days && by != Role::Owner {
            return Err(SettingsError::RetentionOwnerOnly);
        }
        if next.currency != self.currency && dishes > 0 {
            return Err(SettingsError::CurrencyLocked(self.currency));
        }
        // The fee and minimum are minor units: in another currency they would mean other money.
        if next.currency != self.currency && next.delivery.charges_anything() {
            return Err(SettingsError::DeliveryInOldCurrency(self.currency));
        }
        Ok(())
    }

    /// The restaurant's business day at `instant`: its local date, until the day changes at
    /// `day_starts` (a quarter past midnight still belongs to the evening before).
    pub fn business_day(&self, instant: Timestamp) -> jiff::civil::Date {
        self.day_starts.day_of(instant, &self.time_zone)
    }

    pub fn is_open_at(&self, instant: Timestamp) -> bool {
        self.hours.is_open_at(instant, &self.time_zone)
    }

    /// The order as the guest pays it: a delivery within the restaurant's postcodes and above its
    /// minimum, with its fee as a line of its own; any other order as priced.
    pub fn charge(&self, kind: &OrderKind, priced: PricedCart) -> Result<PricedCart, OrderingError> {
        let OrderKind::Delivery { postcode, .. } = kind else {
            return Ok(priced);
        };
        let food = priced.food().map_err(|_| OrderingError::TooLarge)?;
        match self.delivery.charge(postcode.as_ref(), food)? {
            Some(fee) => priced.with_delivery_fee(fee).map_err(|_| OrderingError::TooLarge),
            None => Ok(priced),
        }
    }

    /// Whether the guest can be reached as the kind of order needs: a driver calls a delivery's guest.
    pub fn check_guest(&self, kind: &OrderKind, customer: &crate::order::Customer) -> Result<(), OrderingError> {
        if matches!(kind, OrderKind::Delivery { .. }) && customer.phone.is_none() {
            return Err(OrderingError::PhoneRequired);
        }
        Ok(())
    }
}

/// What a staff account may do. Ordered by power: an owner may do all a manager may, and so on,
/// except drivers, who only see and move their own deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Staff,
    Driver,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Owner, Self::Manager, Self::Staff, Self::Driver];

    /// The name on the wire ("owner").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Staff => "staff",
            Self::Driver => "driver",
        }
    }

    /// Edits the menu, hours, tables; assigns drivers.
    pub fn can_manage(self) -> bool {
        matches!(self, Self::Owner | Self::Manager)
    }

    /// Sees every order and booking of the restaurant and moves them along.
    pub fn works_the_floor(self) -> bool {
        matches!(self, Self::Owner | Self::Manager | Self::Staff)
    }

    /// Adds and removes staff accounts.
    pub fn can_hire(self) -> bool {
        matches!(self, Self::Owner)
    }
}

/// Who a valid staff token says its bearer is: one account of one restaurant, in one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffIdentity {
    pub user: UserId,
    pub restaurant: Slug,
    pub role: Role,
    /// The account's session number when the token was issued.
    pub session: u64,
}

impl StaffIdentity {
    pub fn actor(&self) -> crate::order::Actor {
        crate::order::Actor::Staff { user: self.user.clone(), role: self.role }
    }
}

/// A staff login of one restaurant. The password hash is opaque here: hashing is the API's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub restaurant: Slug,
    pub email: Email,
    pub name: Name,
    pub role: Role,
    pub password_hash: String,
    /// A disabled account cannot sign in; enabling it again keeps its role.
    #[serde(default)]
    pub disabled: bool,
    /// The account's session number: a token issued under an older one is refused.
    #[serde(default)]
    pub sessions: u64,
}

/// The tables in the order people count them: runs of digits compare as numbers.
pub fn tables_as_counted<S: serde::Serializer>(tables: &BTreeSet<TableId>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut counted: Vec<&TableId> = tables.iter().collect();
    counted.sort_by(|a, b| as_counted(a.as_str(), b.as_str()));
    serializer.collect_seq(counted)
}

/// Compares two labels as people count: "2" before "10", "terrace-2" before "terrace-10"; the
/// same labels otherwise as text.
pub fn as_counted(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(label: &str) -> Vec<(bool, &str)> {
        let mut runs = Vec::new();
        let mut rest = label;
        while let Some(first) = rest.chars().next() {
            let digits = first.is_ascii_digit();
            let end = rest.find(|c: char| c.is_ascii_digit() != digits).unwrap_or(rest.len());
            runs.push((digits, &rest[..end]));
            rest = &rest[end..];
        }
        runs
    }
    let number = |run: &str| run.trim_start_matches('0').len();
    for (x, y) in runs(a).into_iter().zip(runs(b)) {
        let order = match (x, y) {
            ((true, x), (true, y)) => {
                number(x).cmp(&number(y)).then_with(|| x.trim_start_matches('0').cmp(y.trim_start_matches('0')))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
    runs(a).len().cmp(&runs(b).len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::restaurant;

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("timestamp")
    }

    #[test]
    fn a_role_is_written_as_serde_writes_it() {
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).ok(), Some(serde_json::Value::from(role.as_str())));
        }
    }

    #[test]
    fn an_order_after_midnight_belongs_to_the_evening_before_until_the_day_changes() {
        // Berlin is UTC+1 in November: 00:30 local on the 24th is 23:30 UTC on the 23rd.
        let r = restaurant();
        assert_eq!(r.business_day(at("2026-11-23T23:30:00Z")), jiff::civil::date(2026, 11, 23));
        assert_eq!(r.business_day(at("2026-11-24T03:59:00Z")), jiff::civil::date(2026, 11, 23));
        assert_eq!(r.business_day(at("2026-11-24T04:00:00Z")), jiff::civil::date(2026, 11, 24), "05:00 local");
    }

    #[test]
    fn the_day_changes_at_local_time_on_both_sides_of_a_dst_change() {
        let r = restaurant();
        // 2026-10-25 Berlin falls back at 03:00 CEST; 04:59 CET is 03:59 UTC.
        assert_eq!(r.business_day(at("2026-10-25T03:59:00Z")), jiff::civil::date(2026, 10, 24));
        assert_eq!(r.business_day(at("2026-10-25T04:00:00Z")), jiff::civil::date(2026, 10, 25));
        // 2026-03-29 springs forward at 02:00 CET; 05:00 CEST is 03:00 UTC.
        assert_eq!(r.business_day(at("2026-03-29T02:59:00Z")), jiff::civil::date(2026, 3, 28));
        assert_eq!(r.business_day(at("2026-03-29T03:00:00Z")), jiff::civil::date(2026, 3, 29));
    }

    #[test]
    fn tables_are_written_in_the_order_people_count_them() {
        let mut r = restaurant();
        r.tables = ["10", "2", "1", "terrace-10", "terrace-2", "bar"]
            .iter()
            .map(|t| TableId::parse(t).expect("table"))
            .collect();
        let written = serde_json::to_value(&r).expect("json");
        assert_eq!(written["tables"], serde_json::json!(["1", "2", "10", "bar", "terrace-2", "terrace-10"]));
    }

    #[test]
    fn only_the_owner_changes_how_long_guests_data_is_kept() {
        let now = restaurant();
        let mut one_day = restaurant();
        one_day.personal_data_days = RetentionDays::new(1).expect("days");
        assert_eq!(now.may_become(&one_day, 3, Role::Manager), Err(SettingsError::RetentionOwnerOnly));
        assert_eq!(now.may_become(&one_day, 3, Role::Owner), Ok(()));
        assert_eq!(now.may_become(&now.clone(), 3, Role::Manager), Ok(()), "a manager changes the other settings");
    }

    #[test]
    fn the_currency_changes_only_while_the_menu_is_empty() {
        let now = restaurant();
        let mut dollars = restaurant();
        dollars.currency = Currency::parse("USD").expect("currency");
        assert_eq!(now.may_become(&dollars, 3, Role::Manager), Err(SettingsError::CurrencyLocked(now.currency)));
        assert_eq!(now.may_become(&dollars, 0, Role::Manager), Ok(()));
        assert_eq!(now.may_become(&now.clone(), 3, Role::Manager), Ok(()), "other settings change with a full menu");
    }

    #[test]
    fn the_currency_does_not_change_under_a_delivery_fee_or_minimum() {
        let now = restaurant();
        let mut dollars = now.clone();
        dollars.currency = Currency::parse("USD").expect("USD");
        dollars.delivery = DeliveryTerms::new(250, 0, BTreeSet::new()).expect("terms");
        assert_eq!(now.may_become(&dollars, 0, Role::Manager), Err(SettingsError::DeliveryInOldCurrency(now.currency)));
        dollars.delivery = DeliveryTerms::default();
        assert_eq!(now.may_become(&dollars, 0, Role::Manager), Ok(()));
    }

    #[test]
    fn a_delivery_needs_a_phone_for_the_driver_and_a_pickup_does_not() {
        let delivery = OrderKind::Delivery {
            address: Some(crate::text::Address::parse("Hauptstr. 1").expect("address")),
            postcode: None,
        };
        let no_phone = crate::order::Customer { name: Name::parse("Ada").expect("name"), phone: None };
        assert_eq!(restaurant().check_guest(&delivery, &no_phone), Err(OrderingError::PhoneRequired));
        assert_eq!(restaurant().check_guest(&OrderKind::Pickup, &no_phone), Ok(()));
    }

    #[test]
    fn personal_data_of_a_day_is_kept_for_the_whole_period_after_it() {
        let ninety = RetentionDays::default();
        let today = jiff::civil::date(2026, 12, 4);
        assert_eq!(ninety.last_erased_day(today), jiff::civil::date(2026, 9, 4));
        assert_eq!(RetentionDays::new(1).expect("valid").last_erased_day(today), jiff::civil::date(2026, 12, 2));
    }

    #[test]
    fn a_retention_period_of_no_days_or_over_ten_years_is_refused() {
        assert_eq!(RetentionDays::new(0), Err(RetentionDaysError(0)));
        assert_eq!(RetentionDays::new(3651), Err(RetentionDaysError(3651)));
    }
}
