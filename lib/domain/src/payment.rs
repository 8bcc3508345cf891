//! Paying online: how a restaurant asks to be paid, whether its payment account can take money,
//! the platform's fee, and what becomes of a guest's money as the order moves.
//!
//! The money is the restaurant's: each restaurant connects its own payment account, a guest's
//! payment is authorized when the guest pays and captured only when the kitchen accepts the
//! order; a rejected or cancelled order has its authorization released (nothing is ever taken
//! for an order that is not served). No name of a payment provider appears here: the provider's
//! ids are opaque strings of a checked shape.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::{Currency, Money};
use crate::order::Order;
use crate::restaurant::Agreed;
use crate::timing::Wanted;

/// How a restaurant asks its guests to pay for pickup and delivery (an order at a table is paid
/// at the table, to the waiter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentChoice {
    /// At the counter or to the driver: nothing is paid online.
    #[default]
    AtRestaurant,
    /// Online before the order reaches the kitchen.
    Online,
    /// The guest chooses.
    Either,
}

/// How a restaurant asks to be paid, for each way of ordering (at the restaurant unless set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentChoices {
    #[serde(default)]
    pub dine_in: PaymentChoice,
    #[serde(default)]
    pub pickup: PaymentChoice,
    #[serde(default)]
    pub delivery: PaymentChoice,
}

impl PaymentChoices {
    pub fn of(&self, kind: &crate::order::OrderKind) -> PaymentChoice {
        match kind {
            crate::order::OrderKind::DineIn { .. } => self.dine_in,
            crate::order::OrderKind::Pickup => self.pickup,
            crate::order::OrderKind::Delivery { .. } => self.delivery,
        }
    }
}

/// The ways of paying a guest is offered for each way of ordering (the published menu's `pay`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayWaysByKind {
    pub dine_in: PayWays,
    pub pickup: PayWays,
    pub delivery: PayWays,
}

/// How one guest pays for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PayBy {
    Online,
    AtRestaurant,
}

/// The ways of paying a guest is offered now (at least one is always offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayWays {
    pub online: bool,
    pub at_restaurant: bool,
}

impl PayWays {
    /// `choice` as it can be honoured: online only where the restaurant's account can take money;
    /// a restaurant that asks for online payment but cannot take it is paid at the restaurant.
    pub fn of(choice: PaymentChoice, account_ready: bool) -> Self {
        match (choice, account_ready) {
            (PaymentChoice::Online, true) => Self { online: true, at_restaurant: false },
            (PaymentChoice::Either, true) => Self { online: true, at_restaurant: true },
            _ => Self { online: false, at_restaurant: true },
        }
    }

    /// The guest's way of paying: what they asked for if offered; without a wish, online where
    /// offered (the restaurant asked for it).
    pub fn take(self, wish: Option<PayBy>) -> Result<PayBy, PaymentError> {
        match wish {
            None if self.online => Ok(PayBy::Online),
            None => Ok(PayBy::AtRestaurant),
            Some(PayBy::Online) if self.online => Ok(PayBy::Online),
            Some(PayBy::AtRestaurant) if self.at_restaurant => Ok(PayBy::AtRestaurant),
            Some(PayBy::Online) => Err(PaymentError::OnlineNotOffered),
            Some(PayBy::AtRestaurant) => Err(PaymentError::OnlineOnly),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentError {
    #[error("the restaurant does not take payment online just now; pay at the restaurant")]
    OnlineNotOffered,
    #[error("the restaurant asks for payment online when ordering")]
    OnlineOnly,
    #[error("'{0}' is not a payment provider's id of the expected kind")]
    InvalidId(String),
    #[error("the platform fee '{0}' is not understood; write e.g. EUR:30+1.5%,USD:30+2.9%")]
    InvalidFee(String),
}

/// An id a payment provider gave (`acct_…`, `pi_…`, `cs_…`): its prefix, then letters, digits
/// and underscores, at most 255 characters in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct ProviderId(String);

impl ProviderId {
    /// `raw` if it starts with `prefix` (`acct_`) and is otherwise made of `[A-Za-z0-9_]`.
    pub fn parse(raw: &str, prefix: &str) -> Result<Self, PaymentError> {
        let rest = raw.strip_prefix(prefix).unwrap_or_default();
        let fits = !rest.is_empty() && raw.len() <= 255 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if fits { Ok(Self(raw.to_owned())) } else { Err(PaymentError::InvalidId(raw.chars().take(40).collect())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProviderId {
    type Error = PaymentError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        let prefix = raw.split_once('_').map(|(p, _)| p.len() + 1).unwrap_or_default();
        Self::parse(&raw, &raw[..prefix])
    }
}

impl From<ProviderId> for String {
    fn from(id: ProviderId) -> Self {
        id.0
    }
}

/// Whether a connected payment account can take money yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Connected, but the provider still needs details before it lets the account charge.
    Pending,
    /// Able to take payments.
    Ready,
}

/// The restaurant's own payment account, as the provider last said it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectedAccount {
    pub id: ProviderId,
    pub state: AccountState,
    /// When the provider said so: an older word arriving late changes nothing.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub as_of: Timestamp,
}

impl ConnectedAccount {
    /// Takes the provider's word of `as_of` if it is not older than what is known; says whether
    /// anything changed.
    pub fn learn(&mut self, state: AccountState, as_of: Timestamp) -> bool {
        if as_of < self.as_of || (self.state == state && as_of == self.as_of) {
            return false;
        }
        let changed = self.state != state;
        self.state = state;
        self.as_of = as_of;
        changed
    }
}

/// The platform's fee on one currency's payments: a fixed amount and a share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fee {
    /// In the currency's minor units.
    pub fixed: i64,
    /// Hundredths of a percent (150 = 1.5 %).
    pub basis_points: u32,
}

/// The platform's fee per currency (a deployment setting): a currency not named pays none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformFees(BTreeMap<&'static str, Fee>);

impl PlatformFees {
    /// `EUR:30+1.5%,USD:30+2.9%,JPY:50`: per currency a fixed amount in minor units, a share, or
    /// both; an empty setting takes no fee.
    pub fn parse(raw: &str) -> Result<Self, PaymentError> {
        let invalid = || PaymentError::InvalidFee(raw.chars().take(80).collect());
        let mut fees = BTreeMap::new();
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (code, terms) = entry.split_once(':').ok_or_else(invalid)?;
            let currency = Currency::parse(code.trim()).map_err(|_| invalid())?;
            let mut fee = Fee::default();
            for part in terms.split('+').map(str::trim) {
                match part.strip_suffix('%') {
                    Some(share) => fee.basis_points = basis_points(share).ok_or_else(invalid)?,
                    None => fee.fixed = part.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(invalid)?,
                }
            }
            if fee.basis_points > 10_000 || fees.insert(currency.code(), fee).is_some() {
                return Err(invalid());
            }
        }
        Ok(Self(fees))
    }

    /// The fee on a payment of `total`: the fixed amount and the share (rounded half up), never
    /// more than the payment itself.
    pub fn on(&self, total: Money) -> Money {
        let fee = self.0.get(total.currency.code()).copied().unwrap_or_default();
        let share = (i128::from(total.minor) * i128::from(fee.basis_points) + 5_000) / 10_000;
        let minor = i128::from(fee.fixed) + share;
        Money::new(i64::try_from(minor.min(i128::from(total.minor))).unwrap_or(total.minor).max(0), total.currency)
    }
}

/// `1.5` as 150 basis points (at most two decimals).
fn basis_points(share: &str) -> Option<u32> {
    let (whole, fraction) = share.split_once('.').unwrap_or((share, ""));
    if fraction.len() > 2 || whole.is_empty() || !(whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    let fraction = format!("{fraction:0<2}");
    whole.parse::<u32>().ok()?.checked_mul(100)?.checked_add(fraction.parse().ok()?)
}

/// Where a guest's online payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// The guest's bank holds the money for the restaurant; nothing is taken yet.
    Authorized,
    /// Taken: the kitchen accepted the order.
    Captured,
    /// Let go: the order was not served, and the guest's bank frees the money.
    Released,
}

/// Money given back to the guest after it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refund {
    /// The provider's id of the refund (`re_…`).
    pub id: ProviderId,
    pub amount: Money,
    /// Why, in the words the guest is shown.
    pub reason: crate::text::Note,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefundError {
    #[error("only an order paid online, and taken (accepted by the kitchen), can be refunded")]
    NotTaken,
    #[error("a refund is more than nothing and at most what is left to refund ({left})")]
    Amount { left: Money },
    #[error("say why the order is refunded: the guest is shown it")]
    ReasonRequired,
}

/// An order's online payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    /// The provider's id of the payment (`pi_…`).
    pub intent: ProviderId,
    /// The restaurant's account it was made on (`acct_…`): the money is taken or let go there.
    pub account: ProviderId,
    pub amount: Money,
    /// The platform's fee on it.
    pub fee: Money,
    pub state: PaymentState,
    /// What was given back since, oldest first.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// The guest's tip, part of `amount` (the platform's fee is not taken on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<Money>,
    /// How the guest paid, as the provider said when the payment was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaidWith>,
}

/// How a guest paid online: the kind of method (`card`, `sepa_debit`, `paypal`…) and, for a card,
/// its brand and last four digits; the receipt shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawPaidWith")]
pub struct PaidWith {
    /// The provider's name of the kind of method: lowercase letters and underscores.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
}

#[derive(Deserialize)]
struct RawPaidWith {
    kind: String,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    last4: Option<String>,
}

impl TryFrom<RawPaidWith> for PaidWith {
    type Error = PaymentError;
    fn try_from(raw: RawPaidWith) -> Result<Self, PaymentError> {
        Self::parse(&raw.kind, raw.brand.as_deref(), raw.last4.as_deref())
            .ok_or_else(|| PaymentError::InvalidId(raw.kind.chars().take(40).collect()))
    }
}

impl PaidWith {
    /// The method as the provider names it, if every part has the expected shape (a brand or
    /// digits of another shape are left out rather than shown).
    pub fn parse(kind: &str, brand: Option<&str>, last4: Option<&str>) -> Option<Self> {
        let word = |w: &str| (1..=32).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !word(kind) {
            return None;
        }
        Some(Self {
            kind: kind.to_owned(),
            brand: brand.filter(|b| word(b)).map(str::to_owned),
            last4: last4.filter(|d| d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned),
        })
    }
}

impl Payment {
    /// The platform's fee given back with a refund of `amount`: in proportion to what was taken,
    /// rounded half up (as the provider refunds it).
    pub fn fee_returned(&self, amount: Money) -> Money {
        let (fee, taken) = (i128::from(self.fee.minor), i128::from(self.amount.minor.max(1)));
        let back = (fee * i128::from(amount.minor) * 2 + taken) / (2 * taken);
        Money::new(i64::try_from(back).unwrap_or_default(), self.fee.currency)
    }

    /// What is left to give back: what was taken less the refunds.
    pub fn refundable(&self) -> Money {
        if self.state != PaymentState::Captured {
            return Money::zero(self.amount.currency);
        }
        let refunded: i64 = self.refunds.iter().map(|r| r.amount.minor).sum();
        Money::new(self.amount.minor - refunded, self.amount.currency)
    }

    /// Whether `amount` may be given back now, for `reason`.
    pub fn may_refund(&self, amount: Money, reason: &crate::text::Note) -> Result<(), RefundError> {
        if self.state != PaymentState::Captured {
            return Err(RefundError::NotTaken);
        }
        let left = self.refundable();
        if amount.currency != left.currency || amount.minor <= 0 || amount.minor > left.minor {
            return Err(RefundError::Amount { left });
        }
        if reason.as_str().trim().is_empty() {
            return Err(RefundError::ReasonRequired);
        }
        Ok(())
    }
}

/// What must happen to an order's money before it moves: said by the domain, done by whoever
/// talks to the provider, then recorded with the move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyStep {
    Capture,
    Release,
}

/// A guest's order waiting for its payment: not on the board, without a number; placed, numbered,
/// only when the provider confirms the payment. Its later slot is held meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The order as it will be placed (its number is 0 until then).
    pub order: Order,
    /// The provider's hosted checkout (`cs_…`) and where the guest pays on it.
    pub session: ProviderId,
    pub pay_url: String,
    /// The platform's fee on the payment.
    pub fee: Money,
    /// The guest's tip, on top of the order's total.
    pub tip: Option<Money>,
    /// When an unpaid checkout lapses and gives its slot back.
    pub expires_at: Timestamp,
    pub state: CheckoutState,
}

/// Where a checkout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum CheckoutState {
    /// Waiting for the guest to pay.
    Open,
    /// Paid: the order is on the board.
    Paid,
    /// Not paid in time: nothing was taken, and the slot is free again.
    Expired,
    /// Paid, but it could no longer be served: the payment was released.
    NotServed(NotServed),
}

/// Why a paid checkout could not become an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotServed {
    /// A dish sold out (or left the menu) while the guest paid.
    SoldOut,
    /// The kitchen paused new orders.
    Paused,
    /// The restaurant closed, or stopped taking this kind of order or this time.
    NoLongerTaken,
}

impl NotServed {
    /// Why an order refused by the rule at confirmation is not served.
    pub fn because(refusal: &crate::offer::OrderingError) -> Self {
        match refusal {
            crate::offer::OrderingError::Paused { .. } => Self::Paused,
            _ => Self::NoLongerTaken,
        }
    }
}

/// A payment the provider confirmed: its id, the restaurant's account it is on, and how the
/// guest paid (when the provider said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub intent: ProviderId,
    pub account: ProviderId,
    pub method: Option<PaidWith>,
}

impl Checkout {
    /// What the guest authorizes: the order's total and the tip.
    pub fn amount(&self) -> Money {
        let total = self.order.totals.total;
        self.tip.and_then(|tip| total.checked_add(tip).ok()).unwrap_or(total)
    }

    /// When the guest wanted the order: its later slot, or as soon as possible.
    pub fn wanted(&self) -> Wanted {
        match self.order.promise {
            Some(promise) if promise.scheduled => Wanted::At(promise.at),
            _ => Wanted::Soon,
        }
    }

    /// The order placed from this checkout once its payment (`intent`) is confirmed at `now`: the
    /// promise `agreed` now, the `number` the day gives it, the money authorized.
    pub fn placed(&self, confirmed: Confirmed, agreed: Agreed, now: Timestamp, number: u32) -> Order {
        let mut order = self.order.clone();
        order.number = number;
        order.placed_at = now;
        order.business_date = agreed.business_date;
        order.promise = Some(agreed.promise);
        order.version = 1;
        let payment = Payment {
            intent: confirmed.intent,
            account: confirmed.account,
            amount: self.amount(),
            fee: self.fee,
            state: PaymentState::Authorized,
            refunds: Vec::new(),
            tip: self.tip,
            method: confirmed.method,
        };
        order.payment = Some(payment);
        order
    }

    /// Whether every dish of the order is still on the menu and not sold out.
    pub fn still_served(&self, menu: &crate::menu::Menu) -> Result<(), NotServed> {
        let served = |item| menu.item(item).is_some_and(|found| !found.is_sold_out());
        if self.order.lines.iter().all(|line| served(&line.item)) { Ok(()) } else { Err(NotServed::SoldOut) }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap())
    }

    #[test]
    fn a_restaurant_that_asks_for_online_payment_without_a_ready_account_is_paid_at_the_restaurant() {
        assert_eq!(PayWays::of(PaymentChoice::Online, false), PayWays { online: false, at_restaurant: true });
        assert_eq!(
            PayWays::of(PaymentChoice::Either, false).take(Some(PayBy::Online)),
            Err(PaymentError::OnlineNotOffered)
        );
    }

    #[test]
    fn a_guest_without_a_wish_pays_online_where_the_restaurant_offers_it() {
        assert_eq!(PayWays::of(PaymentChoice::Either, true).take(None), Ok(PayBy::Online));
        assert_eq!(PayWays::of(PaymentChoice::AtRestaurant, true).take(None), Ok(PayBy::AtRestaurant));
    }

    #[test]
    fn a_way_of_ordering_not_named_is_paid_at_the_restaurant() {
        let each: PaymentChoices = serde_json::from_str(r#"{"dine_in": "either", "delivery": "online"}"#).unwrap();
        assert_eq!(
            (each.dine_in, each.pickup, each.delivery),
            (PaymentChoice::Either, PaymentChoice::AtRestaurant, PaymentChoice::Online)
        );
    }

    #[test]
    fn a_restaurant_that_asks_for_online_payment_refuses_paying_at_the_counter() {
        assert_eq!(
            PayWays::of(PaymentChoice::Online, true).take(Some(PayBy::AtRestaurant)),
            Err(PaymentError::OnlineOnly)
        );
    }

    #[test]
    fn the_platform_fee_is_a_fixed_amount_and_a_share_rounded_half_up() {
        let fees = PlatformFees::parse("EUR:30+1.5%, USD:25").unwrap();
        assert_eq!(fees.on(eur(2_150)), eur(30 + 32)); // 32.25 → 32
        assert_eq!(fees.on(eur(2_500)), eur(30 + 38)); // 37.5 → 38
        assert_eq!(fees.on(Money::new(1_000, Currency::parse("JPY").unwrap())).minor, 0);
    }

    #[test]
    fn the_platform_fee_is_never_more_than_the_payment() {
        assert_eq!(PlatformFees::parse("EUR:500").unwrap().on(eur(120)), eur(120));
    }

    #[test]
    fn a_platform_fee_setting_that_cannot_be_read_is_refused() {
        for bad in ["EUR", "EUR:-1", "EUR:1.5", "XXQ:30", "EUR:101%", "EUR:1.555%", "EUR:1,EUR:2"] {
            assert!(PlatformFees::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PlatformFees::parse("").unwrap(), PlatformFees::default());
    }

    #[test]
    fn an_older_word_about_an_account_changes_nothing() {
        let earlier = Timestamp::from_second(1_000).unwrap();
        let later = Timestamp::from_second(2_000).unwrap();
        let id = ProviderId::parse("acct_1Ab", "acct_").unwrap();
        let mut account = ConnectedAccount { id, state: AccountState::Ready, as_of: later };
        assert!(!account.learn(AccountState::Pending, earlier));
        assert_eq!(account.state, AccountState::Ready);
        assert!(account.learn(AccountState::Pending, later.checked_add(jiff::SignedDuration::from_secs(1)).unwrap()));
    }

    fn taken(amount: i64) -> Payment {
        Payment {
            intent: ProviderId::parse("pi_1", "pi_").unwrap(),
            account: ProviderId::parse("acct_1", "acct_").unwrap(),
            amount: eur(amount),
            fee: eur(30),
            state: PaymentState::Captured,
            refunds: Vec::new(),
            tip: None,
            method: None,
        }
    }

    #[test]
    fn the_platform_fee_comes_back_in_proportion_to_a_refund() {
        let payment = taken(900); // fee 30
        assert_eq!(payment.fee_returned(eur(300)), eur(10));
        assert_eq!(payment.fee_returned(eur(450)), eur(15));
        assert_eq!(payment.fee_returned(eur(100)), eur(3)); // 3.33 → 3
        assert_eq!(payment.fee_returned(eur(900)), eur(30));
    }

    #[test]
    fn a_payment_method_of_an_unexpected_shape_keeps_only_what_fits() {
        let card = PaidWith::parse("card", Some("visa"), Some("4242")).unwrap();
        assert_eq!((card.brand.as_deref(), card.last4.as_deref()), (Some("visa"), Some("4242")));
        let odd = PaidWith::parse("card", Some("<b>"), Some("42")).unwrap();
        assert_eq!((odd.brand, odd.last4), (None, None));
        assert!(PaidWith::parse("Card!", None, None).is_none());
    }

    #[test]
    fn an_order_is_refunded_in_parts_up_to_what_was_taken_and_no_more() {
        let reason = crate::text::Note::parse("cold soup").unwrap();
        let mut payment = taken(900);
        assert_eq!(payment.may_refund(eur(300), &reason), Ok(()));
        let at = Timestamp::UNIX_EPOCH;
        payment.refunds.push(Refund {
            id: ProviderId::parse("re_1", "re_").unwrap(),
            amount: eur(300),
            reason: reason.clone(),
            at,
        });
        assert_eq!(payment.refundable(), eur(600));
        assert_eq!(payment.may_refund(eur(601), &reason), Err(RefundError::Amount { left: eur(600) }));
        assert_eq!(payment.may_refund(eur(0), &reason), Err(RefundError::Amount { left: eur(600) }));
        assert_eq!(payment.may_refund(eur(600), &reason), Ok(()));
    }

    #[test]
    fn nothing_is_refunded_before_it_is_taken_or_without_a_reason() {
        let reason = crate::text::Note::parse("late").unwrap();
        let authorized = Payment { state: PaymentState::Authorized, ..taken(900) };
        assert_eq!(authorized.may_refund(eur(100), &reason), Err(RefundError::NotTaken));
        let blank = crate::text::Note::parse(" ").unwrap();
        assert_eq!(taken(900).may_refund(eur(100), &blank), Err(RefundError::ReasonRequired));
    }

    #[test]
    fn a_provider_id_has_its_prefix_and_plain_characters_only() {
        assert!(ProviderId::parse("pi_3Nx_9", "pi_").is_ok());
        for bad in ["pi_", "acct_1", "pi_a b", "pi_é"] {
            assert!(ProviderId::parse(bad, "pi_").is_err(), "{bad}");
        }
    }
}
