//! When an order will be ready: the kitchen's preparation time per kind of order, and the later
//! times ("slots") a guest may order pickup and delivery for, each taking a limited number of
//! orders so the kitchen is not flooded.
//!
//! Slots are laid on a grid counted from each opening's start in the restaurant's own zone, so a
//! restaurant opening at 17:45 with 15-minute slots offers 18:05, 18:20… once the preparation
//! time has passed, and an opening past midnight keeps its grid across midnight and DST changes.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::hours::{OpeningHours, Zone};
use crate::order::OrderKind;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct TimingError(&'static str);

/// Minutes the kitchen needs per kind of order, the slot grid, and how many later orders one
/// slot takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TimingRepr", into = "TimingRepr")]
pub struct Timing {
    dine_in: SignedDuration,
    pickup: SignedDuration,
    delivery: SignedDuration,
    slot: SignedDuration,
    orders_per_slot: u16,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct TimingRepr {
    /// Minutes from order to table.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 240))]
    dine_in_minutes: u16,
    /// Minutes from order to ready for pickup.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 240))]
    pickup_minutes: u16,
    /// Minutes from order to the guest's door.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 240))]
    delivery_minutes: u16,
    /// Minutes between the later times guests may order pickup and delivery for.
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 120))]
    slot_minutes: u16,
    /// Later orders one slot takes.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    orders_per_slot: u16,
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(Timing, TimingRepr, "Timing");

impl Timing {
    pub const MAX_PREPARATION_MINUTES: u16 = 240;

    pub fn new(
        dine_in_minutes: u16,
        pickup_minutes: u16,
        delivery_minutes: u16,
        slot_minutes: u16,
        orders_per_slot: u16,
    ) -> Result<Self, TimingError> {
        let preparation = 1..=Self::MAX_PREPARATION_MINUTES;
        if ![dine_in_minutes, pickup_minutes, delivery_minutes].iter().all(|m| preparation.contains(m)) {
            return Err(TimingError("preparation takes 1 to 240 minutes"));
        }
        if !(5..=120).contains(&slot_minutes) {
            return Err(TimingError("slots are 5 to 120 minutes apart"));
        }
        if !(1..=1000).contains(&orders_per_slot) {
            return Err(TimingError("a slot takes 1 to 1000 orders"));
        }
        let mins = |m: u16| SignedDuration::from_mins(i64::from(m));
        Ok(Self {
            dine_in: mins(dine_in_minutes),
            pickup: mins(pickup_minutes),
            delivery: mins(delivery_minutes),
            slot: mins(slot_minutes),
            orders_per_slot,
        })
    }

    /// How long an order of this kind takes from now.
    pub fn ready_in(&self, kind: &OrderKind) -> SignedDuration {
        match kind {
            OrderKind::DineIn { .. } => self.dine_in,
            OrderKind::Pickup => self.pickup,
            OrderKind::Delivery { .. } => self.delivery,
        }
    }

    pub fn orders_per_slot(&self) -> u16 {
        self.orders_per_slot
    }

    /// The later times an order of `kind` may be placed for, seen at `now`: on the first day
    /// (from yesterday, whose opening may run past midnight, to a week ahead) whose openings
    /// still have a slot the kitchen can make, the preparation time after `now` or after the
    /// opening, whichever is later. Each slot lies inside an opening.
    pub fn later_slots(&self, kind: &OrderKind, hours: &OpeningHours, zone: &Zone, now: Timestamp) -> Option<Slots> {
        let ready_in = self.ready_in(kind);
        let today = zone.today(now);
        let days = (-1..=7).filter_map(|offset| today.checked_add(jiff::Span::new().days(offset)).ok());
        days.map(|date| Slots { date, times: self.grid_on(date, hours, zone, now, ready_in) })
            .find(|slots| !slots.times.is_empty())
    }

    fn grid_on(
        &self,
        date: Date,
        hours: &OpeningHours,
        zone: &Zone,
        now: Timestamp,
        ready_in: SignedDuration,
    ) -> Vec<Timestamp> {
        let mut times = Vec::new();
        for (start, end) in hours.instants_on(date, zone) {
            let Ok(earliest) = start.max(now).checked_add(ready_in) else { continue };
            let mut at = start;
            while at < end {
                if at >= earliest {
                    times.push(at);
                }
                match at.checked_add(self.slot) {
                    Ok(next) => at = next,
                    Err(_) => break,
                }
            }
        }
        times
    }
}

impl Default for Timing {
    fn default() -> Self {
        // 15 / 20 / 40 minutes, slots every 15 minutes, 10 orders each: always valid.
        let mins = |m| SignedDuration::from_mins(m);
        Self { dine_in: mins(15), pickup: mins(20), delivery: mins(40), slot: mins(15), orders_per_slot: 10 }
    }
}

impl TryFrom<TimingRepr> for Timing {
    type Error = TimingError;
    fn try_from(r: TimingRepr) -> Result<Self, TimingError> {
        Self::new(r.dine_in_minutes, r.pickup_minutes, r.delivery_minutes, r.slot_minutes, r.orders_per_slot)
    }
}

impl From<Timing> for TimingRepr {
    fn from(t: Timing) -> Self {
        let mins = |d: SignedDuration| u16::try_from(d.as_mins()).unwrap_or(u16::MAX);
        Self {
            dine_in_minutes: mins(t.dine_in),
            pickup_minutes: mins(t.pickup),
            delivery_minutes: mins(t.delivery),
            slot_minutes: mins(t.slot),
            orders_per_slot: t.orders_per_slot,
        }
    }
}

/// The later times offered on one day of service (the local date its openings begin on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots {
    pub date: Date,
    pub times: Vec<Timestamp>,
}

/// When the guest wants the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// As soon as the kitchen can make it: only while open.
    Soon,
    /// At one of the restaurant's later slots (pickup and delivery only).
    At(Timestamp),
}

/// The time an order is promised for, on the order, the guest's page and the kitchen ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promise {
    /// When the order is to be ready (dine-in, pickup) or at the door (delivery).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub at: Timestamp,
    /// The guest chose this time (a later slot) rather than "as soon as possible".
    pub scheduled: bool,
    /// When the kitchen should start on it: when it was placed, or for a later slot the
    /// preparation time before it. Absent on orders placed before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Instant>))]
    pub start_by: Option<Timestamp>,
}

/// When a ticket on the kitchen's board turns amber and then red: minutes after the kitchen
/// should have started it (when it was placed, or for a later slot, its preparation time before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AlertsRepr", into = "AlertsRepr")]
pub struct TicketAlerts {
    amber_minutes: u16,
    red_minutes: u16,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct AlertsRepr {
    /// Minutes after which a ticket turns amber.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 239))]
    amber_minutes: u16,
    /// Minutes after which it turns red; more than `amber_minutes`.
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 240))]
    red_minutes: u16,
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(TicketAlerts, AlertsRepr, "TicketAlerts");

impl TicketAlerts {
    pub fn new(amber_minutes: u16, red_minutes: u16) -> Result<Self, TimingError> {
        if !(1..=239).contains(&amber_minutes) || !(2..=240).contains(&red_minutes) {
            return Err(TimingError("a ticket turns amber after 1 to 239 minutes and red after 2 to 240"));
        }
        if red_minutes <= amber_minutes {
            return Err(TimingError("a ticket turns red later than it turns amber"));
        }
        Ok(Self { amber_minutes, red_minutes })
    }
}

impl Default for TicketAlerts {
    fn default() -> Self {
        Self { amber_minutes: 10, red_minutes: 20 }
    }
}

impl TryFrom<AlertsRepr> for TicketAlerts {
    type Error = TimingError;
    fn try_from(r: AlertsRepr) -> Result<Self, TimingError> {
        Self::new(r.amber_minutes, r.red_minutes)
    }
}

impl From<TicketAlerts> for AlertsRepr {
    fn from(a: TicketAlerts) -> Self {
        Self { amber_minutes: a.amber_minutes, red_minutes: a.red_minutes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::Interval;
    use jiff::civil::time;
    use std::collections::BTreeSet;

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").expect("zone")
    }

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("timestamp")
    }

    fn hours(opens: (i8, i8), closes: (i8, i8)) -> OpeningHours {
        let interval = Interval::new(time(opens.0, opens.1, 0, 0), time(closes.0, closes.1, 0, 0));
        OpeningHours::new(std::array::from_fn(|_| vec![interval]), BTreeSet::new()).expect("hours")
    }

    #[test]
    fn preparation_of_no_minutes_or_over_four_hours_is_refused() {
        assert!(Timing::new(0, 20, 40, 15, 10).is_err());
        assert!(Timing::new(15, 241, 40, 15, 10).is_err());
        assert!(Timing::new(15, 20, 40, 15, 10).is_ok());
    }

    #[test]
    fn a_slot_grid_finer_than_five_minutes_or_a_slot_taking_no_orders_is_refused() {
        assert!(Timing::new(15, 20, 40, 4, 10).is_err());
        assert!(Timing::new(15, 20, 40, 15, 0).is_err());
    }

    #[test]
    fn slots_start_once_the_preparation_time_has_passed_on_the_openings_grid() {
        // Open 11:00–23:00 Berlin (UTC+1 in November); at 12:03 local a pickup takes 20 minutes.
        let slots = Timing::default().later_slots(
            &OrderKind::Pickup,
            &hours((11, 0), (23, 0)),
            &berlin(),
            at("2026-11-23T11:03:00Z"),
        );
        let slots = slots.expect("slots");
        assert_eq!(slots.date, jiff::civil::date(2026, 11, 23));
        assert_eq!(slots.times.first(), Some(&at("2026-11-23T11:30:00Z")));
        assert_eq!(slots.times.last(), Some(&at("2026-11-23T21:45:00Z")));
    }

    #[test]
    fn a_closed_restaurant_offers_the_slots_of_its_next_opening() {
        // At 02:00 local the next opening is 11:00 the same date: the kitchen starts then, so the
        // first pickup is the first slot 20 minutes after it, 11:30.
        let slots = Timing::default().later_slots(
            &OrderKind::Pickup,
            &hours((11, 0), (23, 0)),
            &berlin(),
            at("2026-11-23T01:00:00Z"),
        );
        assert_eq!(slots.expect("slots").times.first(), Some(&at("2026-11-23T10:30:00Z")));
    }

    #[test]
    fn after_the_last_slot_of_the_day_the_next_days_slots_are_offered() {
        let slots = Timing::default()
            .later_slots(
                &OrderKind::Delivery { address: None, postcode: None },
                &hours((11, 0), (23, 0)),
                &berlin(),
                at("2026-11-23T21:30:00Z"),
            )
            .expect("slots");
        assert_eq!(slots.date, jiff::civil::date(2026, 11, 24));
    }

    #[test]
    fn an_opening_past_midnight_keeps_its_day_and_grid_after_midnight() {
        // Open 18:00–02:00; at 00:30 local on the 24th the opening of the 23rd is still serving.
        let slots = Timing::default()
            .later_slots(&OrderKind::Pickup, &hours((18, 0), (2, 0)), &berlin(), at("2026-11-23T23:30:00Z"))
            .expect("slots");
        assert_eq!(slots.date, jiff::civil::date(2026, 11, 23));
        assert_eq!(
            slots.times,
            vec![
                at("2026-11-24T00:00:00Z"),
                at("2026-11-24T00:15:00Z"),
                at("2026-11-24T00:30:00Z"),
                at("2026-11-24T00:45:00Z")
            ]
        );
    }

    #[test]
    fn a_restaurant_with_no_hours_offers_no_slots() {
        let none = OpeningHours::default();
        assert_eq!(
            Timing::default().later_slots(&OrderKind::Pickup, &none, &berlin(), at("2026-11-23T12:00:00Z")),
            None
        );
    }

    #[test]
    fn a_ticket_turns_red_only_after_it_turned_amber() {
        assert!(super::TicketAlerts::new(10, 10).is_err());
        assert!(super::TicketAlerts::new(0, 10).is_err());
        assert!(super::TicketAlerts::new(10, 241).is_err());
        assert!(super::TicketAlerts::new(8, 15).is_ok());
    }
}
