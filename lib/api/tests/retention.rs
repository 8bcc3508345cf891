//! The retention sweep: guests' personal data goes once the restaurant's period after its day
//! has passed, and nothing the books need goes with it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use bistro_api::retention::sweep;
use bistro_domain::jiff::civil::Date;
use bistro_domain::jiff::{Timestamp, ToSpan};
use bistro_domain::order::OrderKind;
use bistro_domain::restaurant::{RetentionDays, Role};
use bistro_domain::text::Address;
use bistro_store::Repos;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::IdempotencyKey;
use bistro_testkit::fixtures::{self, account, booking, restaurant, slug, tomorrow_evening};

/// A restaurant keeping personal data for one day after each day, with one delivery placed
/// today and one booking for tomorrow evening.
async fn restaurant_with_a_day_of_guests() -> (Repos, Date) {
    let repos = Repos::new(Arc::new(SqliteStore::in_memory().unwrap()));
    let mut roma = restaurant("roma");
    roma.personal_data_days = RetentionDays::new(1).unwrap();
    repos.restaurants.create(&roma, &account("roma", "owner@example.com", Role::Owner)).await.unwrap();
    let today = roma.time_zone.today(Timestamp::now());
    let mut delivery = fixtures::new_order("roma", today);
    delivery.kind = OrderKind::Delivery { address: Some(Address::parse("Via Roma 1").unwrap()), postcode: None };
    let key = IdempotencyKey { key: "o".into(), fingerprint: "o".into() };
    fixtures::place(&repos.orders, &key, delivery).await.unwrap();
    let key = IdempotencyKey { key: "b".into(), fingerprint: "b".into() };
    repos.reservations.book(&key, &booking(&roma, tomorrow_evening(), 2), 20).await.unwrap();
    (repos, today)
}

fn days_later(days: i64) -> Timestamp {
    Timestamp::now().checked_add((days * 24).hours()).unwrap()
}

#[tokio::test]
async fn past_its_period_an_order_loses_its_guests_name_and_address_and_keeps_its_lines_and_totals() {
    let (repos, today) = restaurant_with_a_day_of_guests().await;
    let before = repos.orders.of_day(&slug("roma"), today, None, 10, None).await.unwrap().0.remove(0);

    let swept = sweep(&repos, days_later(2)).await.unwrap();

    let after = repos.orders.get(&slug("roma"), &before.id).await.unwrap();
    assert_eq!(swept.orders, 1);
    assert_eq!(after.customer, None);
    assert_eq!(after.kind, OrderKind::Delivery { address: None, postcode: None });
    assert_eq!((after.lines, after.totals), (before.lines, before.totals));
}

#[tokio::test]
async fn past_its_period_a_booking_loses_its_guests_contact_and_keeps_its_party_and_time() {
    let (repos, today) = restaurant_with_a_day_of_guests().await;
    let tomorrow = today.tomorrow().unwrap();
    let before = repos.reservations.of_day(&slug("roma"), tomorrow, 10, None).await.unwrap().0.remove(0);

    let swept = sweep(&repos, days_later(3)).await.unwrap();

    let after = repos.reservations.get(&slug("roma"), &before.id).await.unwrap();
    assert_eq!(swept.bookings, 1);
    assert_eq!(after.contact, None);
    assert_eq!((after.party, after.starts_at), (before.party, before.starts_at));
}

#[tokio::test]
async fn within_its_period_a_guests_personal_data_stays() {
    let (repos, today) = restaurant_with_a_day_of_guests().await;

    let swept = sweep(&repos, days_later(1)).await.unwrap();

    let order = repos.orders.of_day(&slug("roma"), today, None, 10, None).await.unwrap().0.remove(0);
    assert_eq!((swept.orders, swept.bookings), (0, 0));
    assert!(order.customer.is_some(), "a day kept for one day after it ends is not erased the next day");
}

#[tokio::test]
async fn an_order_placed_after_midnight_on_the_restaurants_first_day_is_erased_with_the_day_before() {
    let repos = Repos::new(Arc::new(SqliteStore::in_memory().unwrap()));
    let mut roma = restaurant("roma");
    roma.personal_data_days = RetentionDays::new(1).unwrap();
    repos.restaurants.create(&roma, &account("roma", "owner@example.com", Role::Owner)).await.unwrap();
    // Before the restaurant's day changes (05:00), a quarter past midnight is still yesterday's.
    let yesterday = roma.time_zone.today(Timestamp::now()).yesterday().unwrap();
    let key = IdempotencyKey { key: "night".into(), fingerprint: "night".into() };
    fixtures::place(&repos.orders, &key, fixtures::new_order("roma", yesterday)).await.unwrap();

    let swept = sweep(&repos, days_later(2)).await.unwrap();

    let order = repos.orders.of_day(&slug("roma"), yesterday, None, 10, None).await.unwrap().0.remove(0);
    assert_eq!(swept.orders, 1);
    assert_eq!(order.customer, None);
}

#[tokio::test]
async fn a_later_sweep_starts_after_the_last_day_erased_and_erases_nothing_twice() {
    let (repos, _) = restaurant_with_a_day_of_guests().await;
    sweep(&repos, days_later(2)).await.unwrap();

    let again = sweep(&repos, days_later(3)).await.unwrap();

    assert_eq!((again.orders, again.bookings), (0, 1), "only tomorrow's booking was still due");
    let listed = repos.directory.all().await.unwrap().remove(0).value;
    let today = restaurant("roma").time_zone.today(Timestamp::now());
    assert_eq!(listed.erased_through, Some(today.tomorrow().unwrap()));
}

#[tokio::test]
async fn a_day_that_cannot_be_erased_keeps_the_days_before_it_erased_and_saved() {
    let store: Arc<dyn bistro_store::seam::Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let repos = Repos::new(Arc::clone(&store));
    let mut roma = restaurant("roma");
    roma.personal_data_days = RetentionDays::new(1).unwrap();
    repos.restaurants.create(&roma, &account("roma", "owner@example.com", Role::Owner)).await.unwrap();
    let today = roma.time_zone.today(Timestamp::now());
    let key = IdempotencyKey { key: "b".into(), fingerprint: "b".into() };
    let booked = repos.reservations.book(&key, &booking(&roma, tomorrow_evening(), 2), 20).await.unwrap();
    // Tomorrow's booking cannot be read: erasing that day fails.
    let booking_key = bistro_store::keys::reservation(&slug("roma"), &booked.value.id);
    let mut broken = store.get(&booking_key).await.unwrap().unwrap();
    broken.body = "{}".into();
    let write = bistro_store::seam::Write::Put { item: broken, condition: bistro_store::seam::Condition::Always };
    store.write(write).await.unwrap();

    let swept = sweep(&repos, days_later(5)).await.unwrap();

    assert_eq!(swept.failed, 1);
    let listing = repos.directory.all().await.unwrap().remove(0).value;
    assert_eq!(listing.erased_through, Some(today), "yesterday and today were erased and saved before tomorrow failed");
}
