//! What a restaurant takes, and when: the one rule every order, cart, booking and published
//! menu follows, so no page shows a button the API would refuse.
//!
//! A request is judged against every reason in this order; the first that applies is the
//! answer, with its stable code (`OrderingError`, mapped once in the API):
//!
//! | # | reason                                                     | code                       |
//! |---|------------------------------------------------------------|----------------------------|
//! | 1 | payment online asked for but not offered (the account cannot take money), or paying at the restaurant where only online is | `online_payment_unavailable`, `online_payment_required` |
//! | 2 | the deployment holds the capability back (`Held`)          | `feature_held`             |
//! | 3 | the restaurant switched ordering off: a menu to read only  | `ordering_off`             |
//! | 4 | the way of ordering (dine-in, pickup, delivery) is off     | `order_type_not_offered`   |
//! | 5 | ordering ahead (a later slot) is off                       | `ordering_ahead_off`       |
//! | 6 | the order's own details: its table, its address            | `unknown_table`, `address_required` |
//! | 7 | the board paused new orders, now and for later             | `ordering_paused`          |
//! | 8 | the hours: closed now, no such slot, a table for later     | `restaurant_closed`, `slot_unavailable`, `later_at_table` |
//!
//! A booking is judged by 2 and its own switch (`booking_off`); a pause is the kitchen's and
//! leaves bookings alone, and so does switching ordering off.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::delivery::DeliveryError;
use crate::ids::TableId;
use crate::order::OrderKind;
use crate::payment::{AccountState, PayBy, PayWays, PayWaysByKind};
use crate::restaurant::{Agreed, Restaurant};
use crate::timing::{Promise, Slots, Wanted};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderingError {
    #[error("{} is not available yet", .0.describe())]
    Held(Feature),
    #[error("the restaurant shows its menu only and takes no orders online")]
    OrderingOff,
    #[error("the restaurant takes orders for as soon as possible only, not for later")]
    AheadOff,
    #[error("the restaurant does not take table bookings online")]
    BookingOff,
    #[error("the restaurant is closed now")]
    Closed,
    /// The kitchen paused new orders from the board; `until` says when they are taken again.
    #[error("the kitchen is not taking new orders just now")]
    Paused { until: Option<Timestamp> },
    #[error("the restaurant does not take {0} orders")]
    KindNotOffered(&'static str),
    #[error("table '{0}' does not exist here")]
    UnknownTable(TableId),
    #[error("a delivery needs the address to deliver to")]
    AddressRequired,
    #[error("a delivery needs a phone number the driver can call")]
    PhoneRequired,
    #[error("an order at a table is made now; only pickup and delivery can be ordered for later")]
    LaterAtTable,
    #[error("the restaurant does not take orders for that time")]
    SlotUnavailable,
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    #[error("the order's total is too large")]
    TooLarge,
    #[error(transparent)]
    Payment(#[from] crate::payment::PaymentError),
}

/// A capability a restaurant may offer, switch off, or find held back by the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Taking orders online at all (off: a menu to read only).
    Ordering,
    DineIn,
    Pickup,
    Delivery,
    /// Orders for a later slot (pickup and delivery).
    Ahead,
    /// Table bookings.
    Booking,
}

impl Feature {
    pub const ALL: [Feature; 6] =
        [Self::Ordering, Self::DineIn, Self::Pickup, Self::Delivery, Self::Ahead, Self::Booking];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordering => "ordering",
            Self::DineIn => "dine_in",
            Self::Pickup => "pickup",
            Self::Delivery => "delivery",
            Self::Ahead => "ahead",
            Self::Booking => "booking",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Ordering => "ordering online",
            Self::DineIn => "ordering at a table",
            Self::Pickup => "pickup",
            Self::Delivery => "delivery",
            Self::Ahead => "ordering ahead",
            Self::Booking => "table booking",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{0}' is not a feature; these are: ordering, dine_in, pickup, delivery, ahead, booking")]
pub struct UnknownFeature(pub String);

/// The capabilities a deployment holds back for every restaurant, so they ship dark: a held
/// feature is off even where a restaurant switched it on (`BISTRO_HELD_FEATURES`, comma-separated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held(u8);

impl Held {
    pub const NONE: Held = Held(0);

    /// `delivery,booking`; blanks and empty items are ignored, so an empty setting holds nothing.
    pub fn parse(list: &str) -> Result<Self, UnknownFeature> {
        list.split(',').map(str::trim).filter(|name| !name.is_empty()).try_fold(Self::NONE, |held, name| {
            let feature =
                Feature::ALL.into_iter().find(|f| f.as_str() == name).ok_or_else(|| UnknownFeature(name.to_owned()))?;
            Ok(held.with(feature))
        })
    }

    pub fn with(self, feature: Feature) -> Self {
        Self(self.0 | feature.bit())
    }

    pub fn holds(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    pub fn features(self) -> Vec<Feature> {
        Feature::ALL.into_iter().filter(|f| self.holds(*f)).collect()
    }
}

fn on() -> bool {
    true
}

/// A restaurant's own switches beyond the ways of ordering (`OrderKinds`): all on unless a
/// manager switches one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Switches {
    /// Guests may order online (off: the menu is to read only).
    #[serde(default = "on")]
    pub ordering: bool,
    /// Pickup and delivery may be ordered for a later slot.
    #[serde(default = "on")]
    pub ahead: bool,
    /// Guests may book a table online.
    #[serde(default = "on")]
    pub booking: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Self { ordering: true, ahead: true, booking: true }
    }
}

/// What guests are offered: each capability the restaurant switched on and the deployment does
/// not hold back (a way of ordering also needs ordering as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offered {
    pub ordering: bool,
    pub dine_in: bool,
    pub pickup: bool,
    pub delivery: bool,
    pub ahead: bool,
    pub booking: bool,
}

/// A restaurant's settings under a deployment's held features: the rule itself.
#[derive(Debug, Clone, Copy)]
pub struct Terms<'a> {
    restaurant: &'a Restaurant,
    held: Held,
}

impl Restaurant {
    /// The rule this restaurant takes orders and bookings by, with `held` held back.
    pub fn terms(&self, held: Held) -> Terms<'_> {
        Terms { restaurant: self, held }
    }
}

fn kind_feature(kind: &OrderKind) -> Feature {
    match kind {
        OrderKind::DineIn { .. } => Feature::DineIn,
        OrderKind::Pickup => Feature::Pickup,
        OrderKind::Delivery { .. } => Feature::Delivery,
    }
}

impl Terms<'_> {
    fn switched_on(&self, feature: Feature) -> bool {
        let r = self.restaurant;
        match feature {
            Feature::Ordering => r.switches.ordering,
            Feature::DineIn => r.order_kinds.dine_in,
            Feature::Pickup => r.order_kinds.pickup,
            Feature::Delivery => r.order_kinds.delivery,
            Feature::Ahead => r.switches.ahead,
            Feature::Booking => r.switches.booking,
        }
    }

    /// Reasons 2 to 5 for one feature: held, then switched off.
    fn available(&self, feature: Feature) -> Result<(), OrderingError> {
        if self.held.holds(feature) {
            return Err(OrderingError::Held(feature));
        }
        if self.switched_on(feature) {
            return Ok(());
        }
        Err(match feature {
            Feature::Ordering => OrderingError::OrderingOff,
            Feature::Ahead => OrderingError::AheadOff,
            Feature::Booking => OrderingError::BookingOff,
            Feature::DineIn => OrderingError::KindNotOffered("dine-in"),
            Feature::Pickup => OrderingError::KindNotOffered("pickup"),
            Feature::Delivery => OrderingError::KindNotOffered("delivery"),
        })
    }

    /// What the published menu and the pages show as offered.
    pub fn offered(&self) -> Offered {
        let on = |feature| self.available(feature).is_ok();
        let ordering = on(Feature::Ordering);
        Offered {
            ordering,
            dine_in: ordering && on(Feature::DineIn),
            pickup: ordering && on(Feature::Pickup),
            delivery: ordering && on(Feature::Delivery),
            ahead: ordering && on(Feature::Ahead),
            booking: on(Feature::Booking),
        }
    }

    /// Whether a guest may start a cart: only where ordering is offered at all.
    pub fn take_cart(&self) -> Result<(), OrderingError> {
        self.available(Feature::Ordering)
    }

    /// Whether a guest may book a table online (its time and party are judged by the booking rules).
    pub fn take_booking(&self) -> Result<(), OrderingError> {
        self.available(Feature::Booking)
    }

    /// Reasons 2 to 5 for an order of `kind` wanted `wanted`.
    fn offers(&self, kind: &OrderKind, wanted: Wanted) -> Result<(), OrderingError> {
        self.available(Feature::Ordering)?;
        self.available(kind_feature(kind))?;
        if matches!(wanted, Wanted::At(_)) && !matches!(kind, OrderKind::DineIn { .. }) {
            self.available(Feature::Ahead)?;
        }
        Ok(())
    }

    /// Whether an order of this kind may be placed at `now` for when the guest wants it, and if
    /// so, the time it is promised for: as soon as possible while open, or a later slot of pickup
    /// and delivery (also while closed, for the next opening).
    pub fn take_order(&self, kind: &OrderKind, wanted: Wanted, now: Timestamp) -> Result<Agreed, OrderingError> {
        let r = self.restaurant;
        self.offers(kind, wanted)?;
        match kind {
            OrderKind::DineIn { table } if !r.tables.contains(table) => {
                return Err(OrderingError::UnknownTable(table.clone()));
            }
            OrderKind::Delivery { address: None, .. } => return Err(OrderingError::AddressRequired),
            _ => {}
        }
        // A pause from the board holds every new order, for now and for later.
        if let Some(pause) = r.pace.paused_at(now) {
            return Err(OrderingError::Paused { until: pause.until });
        }
        match wanted {
            Wanted::Soon => {
                if !r.is_open_at(now) {
                    return Err(OrderingError::Closed);
                }
                let at = now.checked_add(self.ready_in(kind)).map_err(|_| OrderingError::SlotUnavailable)?;
                let promise = Promise { at, scheduled: false, start_by: Some(now) };
                Ok(Agreed { promise, business_date: r.business_day(now) })
            }
            Wanted::At(_) if matches!(kind, OrderKind::DineIn { .. }) => Err(OrderingError::LaterAtTable),
            Wanted::At(at) => {
                let slots = self.later_slots(kind, now).ok_or(OrderingError::SlotUnavailable)?;
                if !slots.times.contains(&at) {
                    return Err(OrderingError::SlotUnavailable);
                }
                let start_by = at.checked_sub(r.timing.ready_in(kind)).ok();
                // The business day of the time promised, as an order placed then would have: the
                // board of that day shows it (an opening past midnight may start before the day's
                // change and go on after it).
                Ok(Agreed { promise: Promise { at, scheduled: true, start_by }, business_date: r.business_day(at) })
            }
        }
    }

    /// How a guest may pay for an order of `kind`: as the restaurant asks for that way of
    /// ordering, online only while its account can take money on a deployment that takes
    /// payments (`takes_payments`).
    pub fn pay_ways(&self, kind: &OrderKind, takes_payments: bool) -> PayWays {
        let r = self.restaurant;
        let ready =
            takes_payments && r.payment_account.as_ref().is_some_and(|account| account.state == AccountState::Ready);
        PayWays::of(r.payment.of(kind), ready)
    }

    /// How each way of ordering may be paid now: what the published menu says.
    pub fn pay_ways_by_kind(&self, takes_payments: bool) -> PayWaysByKind {
        let (delivery, table) = (OrderKind::Delivery { address: None, postcode: None }, OrderKind::any_table());
        PayWaysByKind {
            dine_in: self.pay_ways(&table, takes_payments),
            pickup: self.pay_ways(&OrderKind::Pickup, takes_payments),
            delivery: self.pay_ways(&delivery, takes_payments),
        }
    }

    /// Reason 1: how this guest pays, from their wish and what is offered.
    pub fn take_payment(
        &self,
        kind: &OrderKind,
        wish: Option<PayBy>,
        takes_payments: bool,
    ) -> Result<PayBy, OrderingError> {
        Ok(self.pay_ways(kind, takes_payments).take(wish)?)
    }

    /// How long an order of `kind` placed now for as soon as possible takes: its preparation, and
    /// a busy kitchen's delay (orders placed earlier keep their promises).
    pub fn ready_in(&self, kind: &OrderKind) -> jiff::SignedDuration {
        let r = self.restaurant;
        r.timing.ready_in(kind).checked_add(r.pace.delay()).unwrap_or(r.timing.ready_in(kind))
    }

    /// Whether an order of this kind can be placed for as soon as possible at `now`: offered,
    /// not paused, and open (the guest's own details are judged at placement).
    pub fn takes_now(&self, kind: &OrderKind, now: Timestamp) -> bool {
        self.offers(kind, Wanted::Soon).is_ok()
            && self.restaurant.pace.paused_at(now).is_none()
            && self.restaurant.is_open_at(now)
    }

    /// The later times an order of `kind` may be placed for now (none for a table, or for what
    /// is not offered).
    pub fn later_slots(&self, kind: &OrderKind, now: Timestamp) -> Option<Slots> {
        if matches!(kind, OrderKind::DineIn { .. }) || self.offers(kind, Wanted::At(now)).is_err() {
            return None;
        }
        let r = self.restaurant;
        r.timing.later_slots(kind, &r.hours, &r.time_zone, now)
    }
}

#[cfg(test)]
#[path = "offer_tests.rs"]
mod tests;
