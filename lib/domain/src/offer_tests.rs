use super::*;
use crate::pace::{Pace, Pause};
use crate::test_support::restaurant;

fn at(rfc3339: &str) -> Timestamp {
    rfc3339.parse().expect("timestamp")
}

fn noon() -> Timestamp {
    at("2026-11-23T12:00:00Z")
}

fn delivery_to_somewhere() -> OrderKind {
    OrderKind::Delivery { address: Some(crate::text::Address::parse("Hauptstr. 1").expect("address")), postcode: None }
}

fn later() -> Wanted {
    Wanted::At(at("2026-11-23T17:45:00Z"))
}

#[test]
fn a_dine_in_order_needs_a_table_the_restaurant_has() {
    let table = TableId::parse("99").expect("id");
    assert_eq!(
        restaurant().terms(Held::NONE).take_order(
            &OrderKind::DineIn { table: table.clone() },
            Wanted::Soon,
            at("2026-11-23T12:00:00Z")
        ),
        Err(OrderingError::UnknownTable(table))
    );
}

#[test]
fn no_order_is_taken_while_closed() {
    assert_eq!(
        restaurant().terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::Soon, at("2026-11-23T04:00:00Z")),
        Err(OrderingError::Closed)
    );
}

#[test]
fn a_kind_the_restaurant_does_not_offer_is_refused() {
    let mut r = restaurant();
    r.order_kinds.delivery = false;
    let kind = OrderKind::Delivery {
        address: Some(crate::text::Address::parse("Hauptstr. 1").expect("address")),
        postcode: None,
    };
    assert_eq!(
        r.terms(Held::NONE).take_order(&kind, Wanted::Soon, at("2026-11-23T12:00:00Z")),
        Err(OrderingError::KindNotOffered("delivery"))
    );
}

#[test]
fn a_delivery_without_an_address_is_refused() {
    assert_eq!(
        restaurant().terms(Held::NONE).take_order(
            &OrderKind::Delivery { address: None, postcode: None },
            Wanted::Soon,
            at("2026-11-23T12:00:00Z")
        ),
        Err(OrderingError::AddressRequired)
    );
}

#[test]
fn a_closed_restaurant_takes_no_delivery_for_now_and_a_kind_it_does_not_take_has_no_later_slots() {
    let delivery = OrderKind::Delivery { address: None, postcode: None };
    let mut r = restaurant();
    assert!(!r.terms(Held::NONE).takes_now(&delivery, at("2026-11-23T04:00:00Z")), "closed at 05:00 Berlin");
    assert!(r.terms(Held::NONE).takes_now(&delivery, at("2026-11-23T12:00:00Z")));
    r.order_kinds.delivery = false;
    assert!(!r.terms(Held::NONE).takes_now(&delivery, at("2026-11-23T12:00:00Z")));
    assert_eq!(r.terms(Held::NONE).later_slots(&delivery, at("2026-11-23T12:00:00Z")), None);
}

#[test]
fn an_order_taken_while_open_is_promised_its_preparation_time_from_now() {
    let agreed =
        restaurant().terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::Soon, at("2026-11-23T12:00:00Z"));
    assert_eq!(
        agreed.map(|a| a.promise),
        Ok(Promise { at: at("2026-11-23T12:20:00Z"), scheduled: false, start_by: Some(at("2026-11-23T12:00:00Z")) })
    );
}

#[test]
fn a_busy_kitchen_promises_new_orders_later_and_a_later_slot_as_chosen() {
    let mut busy = restaurant();
    busy.pace = crate::pace::Pace::new(None, 25).expect("pace");
    let now = at("2026-11-23T12:00:00Z");
    let soon = busy.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::Soon, now).map(|a| a.promise.at);
    let later = busy
        .terms(Held::NONE)
        .take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T17:45:00Z")), now)
        .map(|a| a.promise.at);
    assert_eq!(soon, Ok(at("2026-11-23T12:45:00Z")), "20 minutes' preparation and 25 busy");
    assert_eq!(later, Ok(at("2026-11-23T17:45:00Z")));
}

#[test]
fn a_pause_refuses_new_orders_now_and_for_later_until_its_time() {
    let mut paused = restaurant();
    let until = at("2026-11-23T12:30:00Z");
    paused.pace = crate::pace::Pace::new(Some(crate::pace::Pause { until: Some(until) }), 0).expect("pace");
    let now = at("2026-11-23T12:00:00Z");
    assert_eq!(
        paused.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::Soon, now),
        Err(OrderingError::Paused { until: Some(until) })
    );
    assert_eq!(
        paused.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T17:45:00Z")), now),
        Err(OrderingError::Paused { until: Some(until) })
    );
    assert!(
        paused.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::Soon, until).is_ok(),
        "taken again at its time"
    );
}

#[test]
fn a_pause_comes_after_what_the_restaurant_does_not_offer_at_all() {
    let mut paused = restaurant();
    paused.pace = crate::pace::Pace::new(Some(crate::pace::Pause { until: None }), 0).expect("pace");
    paused.order_kinds.delivery = false;
    let delivery = OrderKind::Delivery { address: None, postcode: None };
    assert_eq!(
        paused.terms(Held::NONE).take_order(&delivery, Wanted::Soon, at("2026-11-23T12:00:00Z")),
        Err(OrderingError::KindNotOffered("delivery"))
    );
}

#[test]
fn a_pickup_for_a_later_slot_is_promised_that_slot() {
    let agreed = restaurant().terms(Held::NONE).take_order(
        &OrderKind::Pickup,
        Wanted::At(at("2026-11-23T17:45:00Z")),
        at("2026-11-23T12:00:00Z"),
    );
    assert_eq!(
        agreed.map(|a| a.promise),
        Ok(Promise { at: at("2026-11-23T17:45:00Z"), scheduled: true, start_by: Some(at("2026-11-23T17:25:00Z")) })
    );
}

#[test]
fn a_closed_restaurant_takes_a_pickup_for_its_next_opening_dated_that_day() {
    // 04:00 UTC is 05:00 in Berlin: closed until 11:00.
    let agreed = restaurant()
        .terms(Held::NONE)
        .take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T10:30:00Z")), at("2026-11-23T04:00:00Z"))
        .expect("taken");
    assert_eq!(agreed.business_date, jiff::civil::date(2026, 11, 23));
}

#[test]
fn a_time_off_the_slot_grid_or_too_soon_is_refused() {
    let r = restaurant();
    let now = at("2026-11-23T12:00:00Z");
    assert_eq!(
        r.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T17:47:00Z")), now),
        Err(OrderingError::SlotUnavailable)
    );
    assert_eq!(
        r.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T12:15:00Z")), now),
        Err(OrderingError::SlotUnavailable)
    );
}

#[test]
fn a_table_cannot_order_for_later() {
    let table = OrderKind::DineIn { table: TableId::parse("4").expect("id") };
    assert_eq!(
        restaurant().terms(Held::NONE).take_order(
            &table,
            Wanted::At(at("2026-11-23T17:45:00Z")),
            at("2026-11-23T12:00:00Z")
        ),
        Err(OrderingError::LaterAtTable)
    );
}

#[test]
fn a_held_feature_is_refused_before_the_restaurant_switch_that_would_also_refuse_it() {
    let mut r = restaurant();
    r.order_kinds.delivery = false;
    let held = Held::NONE.with(Feature::Delivery);
    assert_eq!(
        r.terms(held).take_order(&delivery_to_somewhere(), Wanted::Soon, noon()),
        Err(OrderingError::Held(Feature::Delivery))
    );
}

#[test]
fn a_held_feature_stays_off_where_the_restaurant_switched_it_on() {
    let r = restaurant();
    let terms = r.terms(Held::parse("delivery, booking").expect("held"));
    assert!(r.order_kinds.delivery && r.switches.booking);
    assert_eq!(
        terms.take_order(&delivery_to_somewhere(), Wanted::Soon, noon()),
        Err(OrderingError::Held(Feature::Delivery))
    );
    assert_eq!(terms.take_booking(), Err(OrderingError::Held(Feature::Booking)));
    let offered = terms.offered();
    assert!(!offered.delivery && !offered.booking && offered.pickup && offered.ordering);
}

#[test]
fn switching_ordering_off_refuses_every_way_of_ordering_and_every_cart_before_the_way_itself() {
    let mut r = restaurant();
    r.switches.ordering = false;
    r.order_kinds.pickup = false;
    let terms = r.terms(Held::NONE);
    assert_eq!(terms.take_order(&OrderKind::Pickup, Wanted::Soon, noon()), Err(OrderingError::OrderingOff));
    assert_eq!(terms.take_cart(), Err(OrderingError::OrderingOff));
    let offered = terms.offered();
    assert!(!offered.ordering && !offered.dine_in && !offered.pickup && !offered.delivery && !offered.ahead);
    assert!(offered.booking, "a menu-only restaurant may still take bookings");
}

#[test]
fn ordering_ahead_switched_off_refuses_a_later_slot_and_lists_none_but_takes_orders_for_now() {
    let mut r = restaurant();
    r.switches.ahead = false;
    let terms = r.terms(Held::NONE);
    assert_eq!(terms.take_order(&OrderKind::Pickup, later(), noon()), Err(OrderingError::AheadOff));
    assert_eq!(terms.later_slots(&OrderKind::Pickup, noon()), None);
    assert!(terms.take_order(&OrderKind::Pickup, Wanted::Soon, noon()).is_ok());
}

#[test]
fn a_way_switched_off_comes_before_ordering_ahead_switched_off() {
    let mut r = restaurant();
    r.switches.ahead = false;
    r.order_kinds.pickup = false;
    assert_eq!(
        r.terms(Held::NONE).take_order(&OrderKind::Pickup, later(), noon()),
        Err(OrderingError::KindNotOffered("pickup"))
    );
}

#[test]
fn ordering_ahead_switched_off_comes_before_a_pause() {
    let mut r = restaurant();
    r.switches.ahead = false;
    r.pace = Pace::new(Some(Pause { until: None }), 0).expect("pace");
    assert_eq!(r.terms(Held::NONE).take_order(&OrderKind::Pickup, later(), noon()), Err(OrderingError::AheadOff));
}

#[test]
fn the_order_s_own_details_come_before_a_pause_and_a_pause_before_the_hours() {
    let mut r = restaurant();
    r.pace = Pace::new(Some(Pause { until: None }), 0).expect("pace");
    let terms = r.terms(Held::NONE);
    let nowhere = OrderKind::Delivery { address: None, postcode: None };
    assert_eq!(terms.take_order(&nowhere, Wanted::Soon, noon()), Err(OrderingError::AddressRequired));
    assert_eq!(
        terms.take_order(&OrderKind::Pickup, Wanted::Soon, at("2026-11-23T04:00:00Z")),
        Err(OrderingError::Paused { until: None }),
        "closed at 05:00 Berlin, but the pause is said first"
    );
}

#[test]
fn booking_switched_off_refuses_bookings_and_a_pause_or_menu_only_does_not() {
    let mut r = restaurant();
    r.pace = Pace::new(Some(Pause { until: None }), 0).expect("pace");
    r.switches.ordering = false;
    assert_eq!(r.terms(Held::NONE).take_booking(), Ok(()));
    r.switches.booking = false;
    assert_eq!(r.terms(Held::NONE).take_booking(), Err(OrderingError::BookingOff));
}

#[test]
fn a_pause_means_nothing_can_be_ordered_for_now() {
    let mut r = restaurant();
    r.pace = Pace::new(Some(Pause { until: None }), 0).expect("pace");
    assert!(!r.terms(Held::NONE).takes_now(&OrderKind::Pickup, noon()));
}

#[test]
fn held_features_are_read_from_a_comma_separated_setting_and_an_unknown_one_is_refused() {
    assert_eq!(Held::parse(""), Ok(Held::NONE));
    assert_eq!(Held::parse(" delivery ,ahead,").map(Held::features), Ok(vec![Feature::Delivery, Feature::Ahead]));
    assert_eq!(Held::parse("deliveries"), Err(UnknownFeature("deliveries".to_owned())));
}

#[test]
fn a_feature_is_written_as_serde_writes_it() {
    for feature in Feature::ALL {
        assert_eq!(serde_json::to_value(feature).ok(), Some(serde_json::Value::from(feature.as_str())));
    }
}

#[test]
fn a_restaurant_saved_before_the_switches_existed_has_them_all_on() {
    let mut stored = serde_json::to_value(restaurant()).expect("json");
    stored.as_object_mut().expect("object").remove("switches");
    let read: Restaurant = serde_json::from_value(stored).expect("read");
    assert_eq!(read.switches, Switches::default());
}

#[test]
fn a_later_order_belongs_to_the_business_day_of_its_time_when_an_opening_runs_past_the_days_change() {
    // Open 00:00 to 08:00 every day in Berlin; the day changes at 05:00 (the default).
    let mut r = restaurant();
    let night = crate::hours::Interval::new(jiff::civil::time(0, 0, 0, 0), jiff::civil::time(8, 0, 0, 0));
    r.hours = crate::hours::OpeningHours::new(std::array::from_fn(|_| vec![night]), Default::default()).expect("hours");
    // 23:30 UTC on the 22nd is 00:30 on the 23rd in Berlin: still the 22nd's business day.
    let now = at("2026-11-22T23:30:00Z");
    let before_the_change =
        r.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T02:00:00Z")), now);
    let after_the_change =
        r.terms(Held::NONE).take_order(&OrderKind::Pickup, Wanted::At(at("2026-11-23T05:00:00Z")), now);
    assert_eq!(before_the_change.expect("taken").business_date, jiff::civil::date(2026, 11, 22), "03:00 in Berlin");
    assert_eq!(after_the_change.expect("taken").business_date, jiff::civil::date(2026, 11, 23), "06:00 in Berlin");
    assert_eq!(r.business_day(now), jiff::civil::date(2026, 11, 22), "the board's day now shows the first");
}
