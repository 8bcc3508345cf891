//! The storage contract: every test here runs unchanged against every engine — SQLite in memory,
//! and DynamoDB through moto server — so local behaviour is production behaviour.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use bistro_domain::jiff::civil::date;
use bistro_domain::order::{Actor, OrderState};
use bistro_domain::reservation::{ReservationError, ReservationStatus};
use bistro_domain::restaurant::Role;
use bistro_domain::staff::{StaffChange, decide};
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::{CartAtVersion, IdempotencyKey, Placement};
use bistro_store::seam::{Condition, Index, Item, Key, Query, SeamError, SortKey, Write, now_unix};
use bistro_store::{Cursor, RepoError, Repos, Store};
use bistro_testkit::fixtures::{
    self, account, booking, booking_by, dish_with_saved_spice, guest, menu_item, new_order, restaurant, slug,
    spice_group, tomorrow_evening,
};
use bistro_testkit::moto;
use futures::future::join_all;

async fn sqlite() -> Arc<dyn Store> {
    Arc::new(SqliteStore::in_memory().expect("an in-memory database"))
}

/// A database file in WAL mode, as the local server runs it, in `folder` (gone after the test).
async fn sqlite_file(folder: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(&folder.path().join("bistro.db")).expect("a database file"))
}

async fn dynamodb() -> Arc<dyn Store> {
    let client = DynamoStore::emulator_client(&moto::server().endpoint).await;
    let store = DynamoStore::new(client, moto::unique_name("bistro"));
    store.create_table_if_missing().await.expect("a table in moto");
    Arc::new(store)
}

/// Runs each named contract test once per engine: `sqlite::name` (in memory), `sqlite_file::name`
/// (a file in WAL mode, as the local server runs it) and `dynamodb::name`.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::sqlite().await).await }) *
        }
        mod sqlite_file {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let folder = tempfile::tempdir().expect("a temporary folder");
                super::$name(super::sqlite_file(&folder).await).await
            }) *
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::dynamodb().await).await }) *
        }
    };
}

contract!(
    a_tally_counts_until_a_tier_is_full_and_starts_a_moved_window_again,
    a_tally_of_known_items_counts_nothing_where_no_tally_was_started,
    fifty_concurrent_tallies_count_exactly_up_to_the_limit,
    recent_reads_see_what_was_written_and_nothing_else,
    a_put_on_an_absent_condition_fails_when_the_item_exists,
    a_put_at_a_stale_version_fails_and_changes_nothing,
    an_expired_item_is_invisible_to_every_reader,
    a_transaction_with_one_failing_condition_writes_nothing_and_names_it,
    a_counter_stops_at_its_ceiling,
    a_query_returns_a_partition_in_sort_key_order_page_by_page,
    a_descending_query_returns_the_partition_in_reverse,
    a_cursor_from_another_partition_is_refused,
    fifty_concurrent_placements_with_one_idempotency_key_store_exactly_one_order,
    the_same_idempotency_key_with_a_different_request_is_refused,
    an_order_is_its_own_claim_on_its_key_so_a_placement_writes_no_idempotency_record,
    a_hundred_concurrent_bookings_never_put_more_than_twenty_covers_in_a_slot,
    cancelling_a_booking_gives_its_covers_back,
    two_concurrent_edits_of_one_item_at_the_same_version_let_exactly_one_win,
    a_saved_group_and_every_dish_s_copy_change_together_or_not_at_all,
    a_menu_one_instance_has_read_shows_another_instances_change_at_once,
    settings_one_instance_has_read_show_another_instances_change_at_once,
    a_cart_change_started_from_a_copy_another_instance_outdated_is_refused_then_made_on_the_stored_cart,
    a_forgotten_cart_is_changed_from_the_stored_one,
    paging_through_250_orders_returns_each_exactly_once_in_order,
    orders_are_listed_by_the_state_they_are_in,
    no_query_for_one_restaurant_returns_another_restaurants_data,
    a_restaurant_slug_can_be_taken_only_once,
    every_restaurant_is_listed_once_from_the_day_it_signs_up,
    an_erased_order_saved_over_a_newer_version_is_refused,
    a_staff_email_is_unique_within_its_restaurant,
    of_two_owners_demoting_each_other_at_once_only_one_wins,
    a_removed_account_takes_its_login_and_session_with_it,
    a_staff_decision_that_changes_nothing_writes_nothing,
    fifty_login_attempts_at_once_from_one_client_are_let_through_at_most_ten_times,
    past_the_free_failures_each_attempt_at_an_email_takes_a_turn_and_a_success_starts_again,
    a_saved_cart_keeps_its_lines_and_refuses_a_stale_save,
    every_order_change_is_logged_as_the_next_event,
    concurrent_placements_get_gapless_event_numbers_each_once,
    placements_from_two_instances_at_once_number_the_day_without_gaps_or_repeats,
    a_placement_refused_for_its_key_takes_no_order_number,
    a_later_slot_takes_no_more_orders_than_its_cap_under_concurrency,
    a_cancelled_later_order_gives_its_place_in_the_slot_back,
    an_index_of_keys_answers_with_keys_and_an_index_of_items_with_items,
    a_finished_order_is_listed_by_its_final_state_and_no_longer_among_the_open,
    a_drivers_deliveries_are_the_orders_assigned_to_them,
    a_scan_returns_every_live_item_under_a_prefix_once_and_nothing_else,
    a_bulk_write_puts_and_deletes_every_item_it_names,
);

fn item(pk: &str, sk: &str, version: u64) -> Item {
    Item::new(Key::new(pk, sk), version, format!("{{\"sk\":\"{sk}\"}}"))
}

fn idempotency(key: &str, fingerprint: &str) -> IdempotencyKey {
    IdempotencyKey { key: key.into(), fingerprint: fingerprint.into() }
}

async fn recent_reads_see_what_was_written_and_nothing_else(store: Arc<dyn Store>) {
    store.write(Write::Put { item: item("p", "a", 4), condition: Condition::Absent }).await.unwrap();

    let found = store.get_recent(&Key::new("p", "a")).await.unwrap();
    let missing = store.get_recent(&Key::new("p", "b")).await.unwrap();

    assert_eq!(found.map(|i| i.version), Some(4));
    assert_eq!(missing, None);
}

async fn a_put_on_an_absent_condition_fails_when_the_item_exists(store: Arc<dyn Store>) {
    store.write(Write::Put { item: item("p", "a", 1), condition: Condition::Absent }).await.unwrap();

    let second = store.write(Write::Put { item: item("p", "a", 7), condition: Condition::Absent }).await;

    assert_eq!(second, Err(SeamError::ConditionFailed));
    assert_eq!(store.get(&Key::new("p", "a")).await.unwrap().map(|i| i.version), Some(1));
}

async fn a_put_at_a_stale_version_fails_and_changes_nothing(store: Arc<dyn Store>) {
    store.write(Write::Put { item: item("p", "a", 2), condition: Condition::Always }).await.unwrap();

    let stale = store.write(Write::Put { item: item("p", "a", 9), condition: Condition::Version(1) }).await;
    let fresh = store.write(Write::Put { item: item("p", "a", 3), condition: Condition::Version(2) }).await;

    assert_eq!(stale, Err(SeamError::ConditionFailed));
    assert_eq!(fresh, Ok(None));
    assert_eq!(store.get(&Key::new("p", "a")).await.unwrap().map(|i| i.version), Some(3));
}

async fn an_expired_item_is_invisible_to_every_reader(store: Arc<dyn Store>) {
    let expired = item("p", "old", 1).expiring_at(now_unix() - 10);
    let live = item("p", "new", 1).expiring_at(now_unix() + 3600);
    store
        .transact(vec![
            Write::Put { item: expired, condition: Condition::Always },
            Write::Put { item: live, condition: Condition::Always },
        ])
        .await
        .unwrap();

    let got = store.get(&Key::new("p", "old")).await.unwrap();
    let page = store.query(&Query::partition("p")).await.unwrap();
    let recreate = store.write(Write::Put { item: item("p", "old", 1), condition: Condition::Absent }).await;

    assert_eq!(got, None);
    assert_eq!(page.items.iter().map(|i| i.key.sk.as_str()).collect::<Vec<_>>(), ["new"]);
    assert_eq!(recreate, Ok(None), "an expired item counts as absent");
}

async fn a_transaction_with_one_failing_condition_writes_nothing_and_names_it(store: Arc<dyn Store>) {
    store.write(Write::Put { item: item("p", "taken", 1), condition: Condition::Always }).await.unwrap();

    let result = store
        .transact(vec![
            Write::Put { item: item("p", "fresh", 1), condition: Condition::Absent },
            Write::Add { key: Key::new("p", "counter"), by: 1, expires_at: None, condition: Condition::Always },
            Write::Put { item: item("p", "taken", 2), condition: Condition::Absent },
        ])
        .await;

    assert_eq!(result, Err(SeamError::TransactionCancelled { failed: vec![2] }));
    assert_eq!(store.get(&Key::new("p", "fresh")).await.unwrap(), None);
    assert_eq!(store.get(&Key::new("p", "counter")).await.unwrap(), None);
}

async fn a_counter_stops_at_its_ceiling(store: Arc<dyn Store>) {
    let add =
        |by| Write::Add { key: Key::new("p", "c"), by, expires_at: None, condition: Condition::CounterAtMost(10 - by) };

    let first = store.write(add(6)).await;
    let second = store.write(add(4)).await;
    let third = store.write(add(1)).await;

    assert_eq!((first, second, third), (Ok(Some(6)), Ok(Some(10)), Err(SeamError::ConditionFailed)));
}

async fn put_numbered(store: &dyn Store, pk: &str, count: usize) {
    for chunk in (0..count).collect::<Vec<_>>().chunks(25) {
        let writes = chunk
            .iter()
            .map(|n| Write::Put { item: item(pk, &format!("{n:04}"), 1), condition: Condition::Always })
            .collect();
        store.transact(writes).await.unwrap();
    }
}

async fn read_pages(store: &dyn Store, mut query: Query) -> (Vec<String>, usize) {
    let (mut keys, mut pages) = (Vec::new(), 0);
    loop {
        let page = store.query(&query).await.unwrap();
        pages += 1;
        keys.extend(page.items.into_iter().map(|i| i.key.sk));
        match page.next {
            Some(cursor) => query.cursor = Some(Cursor::parse(cursor.as_str()).unwrap()),
            None => return (keys, pages),
        }
    }
}

async fn a_query_returns_a_partition_in_sort_key_order_page_by_page(store: Arc<dyn Store>) {
    put_numbered(store.as_ref(), "p", 30).await;
    put_numbered(store.as_ref(), "other", 5).await;

    let (keys, pages) =
        read_pages(store.as_ref(), Query::partition("p").sort_key(SortKey::BeginsWith("00".into())).limit(7)).await;

    let expected: Vec<String> = (0..30).map(|n| format!("{n:04}")).collect();
    assert_eq!(keys, expected);
    assert!(pages >= 5, "30 items in pages of 7 take at least 5 pages, took {pages}");
}

async fn a_scan_returns_every_live_item_under_a_prefix_once_and_nothing_else(store: Arc<dyn Store>) {
    let numbered = |pk: &'static str| (0..700).map(move |n| item(pk, &format!("{n:04}"), 1));
    let items = ["R#roma#A", "R#roma#B", "R#romana#A", "R#other#A"].into_iter().flat_map(numbered);
    store.put_all(items.map(|item| (item.key.clone(), Some(item))).collect()).await.unwrap();
    let gone = item("R#roma#C", "gone", 1).expiring_at(now_unix() - 10);
    store.write(Write::Put { item: gone, condition: Condition::Always }).await.unwrap();

    let (mut found, mut after) = (Vec::new(), None);
    loop {
        let page = store.scan("R#roma#", after).await.unwrap();
        found.extend(page.items.into_iter().map(|i| (i.key.pk, i.key.sk)));
        match page.next {
            Some(next) => after = Some(Cursor::parse(next.as_str()).unwrap()),
            None => break,
        }
    }

    let unique: BTreeSet<_> = found.iter().cloned().collect();
    assert_eq!(found.len(), 1400, "700 items in each of the two partitions, each once");
    assert_eq!(unique.len(), 1400);
    assert!(unique.iter().all(|(pk, _)| pk == "R#roma#A" || pk == "R#roma#B"), "nothing of `romana` or expired");
}

async fn a_bulk_write_puts_and_deletes_every_item_it_names(store: Arc<dyn Store>) {
    let items: Vec<Item> = (0..60).map(|n| item("bulk", &format!("{n:04}"), 3)).collect();
    store.put_all(items.iter().map(|item| (item.key.clone(), Some(item.clone()))).collect()).await.unwrap();
    let odd = items.iter().skip(1).step_by(2).map(|item| (item.key.clone(), None)).collect();

    store.put_all(odd).await.unwrap();

    let (keys, _) = read_pages(store.as_ref(), Query::partition("bulk")).await;
    assert_eq!(keys, (0..60).step_by(2).map(|n| format!("{n:04}")).collect::<Vec<_>>());
    assert_eq!(store.get(&items[0].key).await.unwrap(), Some(items[0].clone()), "written as given");
}

async fn a_descending_query_returns_the_partition_in_reverse(store: Arc<dyn Store>) {
    put_numbered(store.as_ref(), "p", 12).await;

    let (keys, _) = read_pages(
        store.as_ref(),
        Query::partition("p").sort_key(SortKey::Between("0003".into(), "0008".into())).descending().limit(4),
    )
    .await;

    assert_eq!(keys, ["0008", "0007", "0006", "0005", "0004", "0003"]);
}

async fn a_cursor_from_another_partition_is_refused(store: Arc<dyn Store>) {
    put_numbered(store.as_ref(), "mine", 5).await;
    put_numbered(store.as_ref(), "theirs", 5).await;
    let theirs = store.query(&Query::partition("theirs").limit(2)).await.unwrap().next.expect("more pages");

    let result = store.query(&Query::partition("mine").limit(2).after(Some(theirs))).await;

    assert_eq!(result, Err(SeamError::InvalidCursor));
}

async fn fifty_concurrent_placements_with_one_idempotency_key_store_exactly_one_order(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);
    let key = idempotency("retry-me", "same-body");

    let placed = join_all((0..50).map(|_| {
        let (repos, key) = (repos.clone(), key.clone());
        tokio::spawn(async move { fixtures::place(&repos.orders, &key, new_order("roma", day)).await })
    }))
    .await;

    let ids: BTreeSet<String> =
        placed.into_iter().map(|r| r.unwrap().expect("every caller gets the order").value.id.to_string()).collect();
    assert_eq!(ids.len(), 1, "every caller got the same order");
    let (stored, _) = repos.orders.of_day(&slug("roma"), day, None, 100, None).await.unwrap();
    assert_eq!(stored.len(), 1, "exactly one order is stored");
}

async fn an_order_is_its_own_claim_on_its_key_so_a_placement_writes_no_idempotency_record(store: Arc<dyn Store>) {
    let repos = Repos::new(Arc::clone(&store));
    let day = date(2026, 11, 23);
    let key = idempotency("k", "body");

    let first = fixtures::place(&repos.orders, &key, new_order("roma", day)).await.unwrap();
    let retry = fixtures::place(&repos.orders, &key, new_order("roma", day)).await.unwrap();

    assert_eq!((first.replayed, retry.replayed), (false, true));
    assert_eq!(retry.value, first.value);
    assert_eq!(store.get(&bistro_store::keys::idempotency(&slug("roma"), "order", "k")).await.unwrap(), None);
}

async fn the_same_idempotency_key_with_a_different_request_is_refused(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);
    fixtures::place(&repos.orders, &idempotency("k", "body-1"), new_order("roma", day)).await.unwrap();

    let second = fixtures::place(&repos.orders, &idempotency("k", "body-2"), new_order("roma", day)).await;

    assert!(matches!(second, Err(RepoError::IdempotencyMismatch)), "{second:?}");
    assert_eq!(repos.orders.of_day(&slug("roma"), day, None, 100, None).await.unwrap().0.len(), 1);
}

async fn a_hundred_concurrent_bookings_never_put_more_than_twenty_covers_in_a_slot(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let roma = restaurant("roma");
    let start = tomorrow_evening();

    let results = join_all((0..100).map(|n| {
        let (repos, roma) = (repos.clone(), roma.clone());
        tokio::spawn(async move {
            let party = if n % 2 == 0 { 1 } else { 2 };
            let reservation = booking_by(&roma, start, party, guest(n));
            repos
                .reservations
                .book(&idempotency(&format!("guest-{n}"), "b"), &reservation, 20)
                .await
                .map(|b| b.value.party)
        })
    }))
    .await;

    let mut booked = 0u32;
    for result in results {
        match result.unwrap() {
            Ok(party) => booked += u32::from(party),
            Err(RepoError::Booking(ReservationError::SlotFull)) => {}
            Err(other) => panic!("a refusal must say the slot is full, got {other:?}"),
        }
    }
    assert!(booked <= 20, "{booked} covers booked into a slot for 20");
    assert!(booked >= 19, "the slot should be (nearly) filled, only {booked} covers booked");
    let covers = repos.reservations.booked_covers(&roma.slug, start, start).await.unwrap();
    assert_eq!(covers.get(&start).copied(), Some(booked), "the slot counter agrees with the bookings");
}

async fn cancelling_a_booking_gives_its_covers_back(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let roma = restaurant("roma");
    let start = tomorrow_evening();
    let mut reservation =
        repos.reservations.book(&idempotency("g", "b"), &booking(&roma, start, 4), 20).await.unwrap().value;

    reservation.change_status(ReservationStatus::Cancelled, start).unwrap();
    repos.reservations.save_status(&reservation, true).await.unwrap();

    let covers = repos.reservations.booked_covers(&roma.slug, start, start).await.unwrap();
    assert_eq!(covers.get(&start).copied(), Some(0));
    let stored = repos.reservations.get(&roma.slug, &reservation.id).await.unwrap();
    assert_eq!(stored.status, ReservationStatus::Cancelled);
}

async fn two_concurrent_edits_of_one_item_at_the_same_version_let_exactly_one_win(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let roma = slug("roma");
    let pizza = menu_item("pizza", 900);
    repos.menus.create_item(&roma, &pizza).await.unwrap();
    let edit = |price: i64| {
        let mut details = pizza.details().clone();
        details.price.minor = price;
        pizza.revised(details).unwrap()
    };

    let spawn_edit = |price| {
        let (repos, roma, edited) = (repos.clone(), roma.clone(), edit(price));
        tokio::spawn(async move { repos.menus.update_item(&roma, &edited).await })
    };
    let (a, b) = tokio::join!(spawn_edit(1000), spawn_edit(1100));
    let (a, b) = (a.unwrap(), b.unwrap());

    let outcomes = [&a, &b];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1, "{a:?} {b:?}");
    assert!(outcomes.iter().any(|r| matches!(r, Err(RepoError::StaleVersion))), "{a:?} {b:?}");
    let stored = repos.menus.item(&roma, pizza.id()).await.unwrap();
    let winner = if a.is_ok() { 1000 } else { 1100 };
    assert_eq!((stored.price().minor, stored.version()), (winner, 2));
}

async fn a_saved_group_and_every_dish_s_copy_change_together_or_not_at_all(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let roma = slug("roma");
    let (curry, dal) = (dish_with_saved_spice("curry", 0), dish_with_saved_spice("dal", 0));
    repos.menus.create_item(&roma, &curry).await.unwrap();
    repos.menus.create_item(&roma, &dal).await.unwrap();
    assert_eq!(repos.menus.save_group(&roma, &spice_group(0), None, &[]).await.unwrap(), 1);
    let hotter = spice_group(150);
    let changed = |dish: &bistro_domain::menu::MenuItem| dish.with_saved_group(&hotter).unwrap().unwrap();

    // The dal changed meanwhile: nothing is written, not even the curry's copy or the group.
    let mut renamed = dal.details().clone();
    renamed.description = bistro_domain::text::Description::parse("with lentils").unwrap();
    repos.menus.update_item(&roma, &dal.revised(renamed).unwrap()).await.unwrap();
    let refused = repos.menus.save_group(&roma, &hotter, Some(1), &[changed(&curry), changed(&dal)]).await;
    let group_after_refusal = repos.menus.saved_group(&roma, hotter.id()).await.unwrap();
    let curry_after_refusal = repos.menus.item(&roma, curry.id()).await.unwrap();
    let dal_now = repos.menus.item(&roma, dal.id()).await.unwrap();
    let saved = repos.menus.save_group(&roma, &hotter, Some(1), &[changed(&curry), changed(&dal_now)]).await;

    assert!(matches!(refused, Err(RepoError::StaleVersion)), "{refused:?}");
    assert_eq!((group_after_refusal.version, curry_after_refusal.version()), (1, 1));
    assert_eq!(saved.unwrap(), 2);
    let menu = repos.menus.menu(&roma).await.unwrap().value;
    let hot = bistro_domain::ids::OptionId::parse("hot").unwrap();
    for id in [curry.id(), dal.id()] {
        let group = &menu.item(id).unwrap().details().option_groups[0];
        assert_eq!(group.option(&hot).unwrap().price_delta.minor, 150, "{id}");
    }
    assert_eq!(repos.menus.saved_groups(&roma).await.unwrap().len(), 1);
}

async fn a_menu_one_instance_has_read_shows_another_instances_change_at_once(store: Arc<dyn Store>) {
    let (reader, writer) = (Repos::new(Arc::clone(&store)), Repos::new(store));
    let roma = slug("roma");
    let pizza = menu_item("pizza", 900);
    writer.menus.create_item(&roma, &pizza).await.unwrap();
    let before = reader.menus.menu(&roma).await.unwrap();
    let mut details = pizza.details().clone();
    details.price.minor = 1000;

    writer.menus.update_item(&roma, &pizza.revised(details).unwrap()).await.unwrap();
    let after = reader.menus.menu(&roma).await.unwrap();

    assert_eq!(before.value.item(pizza.id()).map(|i| i.price().minor), Some(900));
    assert_eq!(after.value.item(pizza.id()).map(|i| i.price().minor), Some(1000));
    assert!(after.version > before.version, "{} then {}", before.version, after.version);
}

async fn paging_through_250_orders_returns_each_exactly_once_in_order(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (roma, day) = (slug("roma"), date(2026, 11, 23));
    for n in 0..250 {
        fixtures::place(&repos.orders, &idempotency(&format!("o{n}"), "b"), new_order("roma", day)).await.unwrap();
    }

    let (mut numbers, mut cursor) = (Vec::new(), None);
    loop {
        let (orders, next) = repos.orders.of_day(&roma, day, None, 40, cursor).await.unwrap();
        numbers.extend(orders.iter().map(|o| o.number));
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    assert_eq!(numbers, (1..=250).collect::<Vec<u32>>());
}

async fn an_index_of_keys_answers_with_keys_and_an_index_of_items_with_items(store: Arc<dyn Store>) {
    let both = |sk: &str| {
        item("p-index", sk, 3)
            .with_index(Index::Gsi1, Key::new("whole", sk))
            .with_index(Index::Gsi2, Key::new("keys", sk))
    };
    store.write(Write::Put { item: both("a"), condition: Condition::Always }).await.unwrap();

    let whole = store.query(&Query::partition("whole").on(Index::Gsi1)).await.unwrap();
    let keys = store.query(&Query::partition("keys").on(Index::Gsi2)).await.unwrap();

    assert_eq!(whole.items, [both("a")]);
    assert_eq!(keys.items.len(), 1);
    let found = &keys.items[0];
    assert_eq!(
        (&found.key, found.index_keys[Index::Gsi2.position()].as_ref()),
        (&Key::new("p-index", "a"), Some(&Key::new("keys", "a")))
    );
    assert_eq!((found.body.as_str(), found.version, found.index_keys[Index::Gsi1.position()].as_ref()), ("", 0, None));
}

async fn a_finished_order_is_listed_by_its_final_state_and_no_longer_among_the_open(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (roma, day) = (slug("roma"), date(2026, 11, 23));
    let placed = fixtures::place(&repos.orders, &idempotency("a", "b"), new_order("roma", day)).await.unwrap().value;
    let mut rejected = placed.clone();
    let staff = Actor::Staff { user: bistro_domain::ids::UserId::generate(), role: Role::Staff };
    rejected.transition(OrderState::Rejected, staff, placed.placed_at).unwrap();

    repos.orders.save(&rejected).await.unwrap();

    let listed = |state| repos.orders.of_day(&roma, day, Some(state), 10, None);
    assert!(listed(OrderState::Placed).await.unwrap().0.is_empty());
    assert_eq!(listed(OrderState::Rejected).await.unwrap().0, [rejected.clone()]);
    assert_eq!(repos.orders.of_day(&roma, day, None, 10, None).await.unwrap().0, [rejected]);
}

async fn a_drivers_deliveries_are_the_orders_assigned_to_them(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (roma, day) = (slug("roma"), date(2026, 11, 23));
    let (driver, other) = (bistro_domain::ids::UserId::generate(), bistro_domain::ids::UserId::generate());
    let mut assigned = Vec::new();
    for (n, who) in [&driver, &other, &driver].into_iter().enumerate() {
        let mut delivery = new_order("roma", day);
        let address = bistro_domain::text::Address::parse("Via Roma 1").unwrap();
        delivery.kind = bistro_domain::order::OrderKind::Delivery { address: Some(address), postcode: None };
        let mut order =
            fixtures::place(&repos.orders, &idempotency(&format!("k{n}"), "f"), delivery).await.unwrap().value;
        order.assign_driver(who.clone(), Role::Driver, Role::Manager).unwrap();
        repos.orders.save(&order).await.unwrap();
        assigned.push(order);
    }

    let (deliveries, _) = repos.orders.of_driver(&roma, &driver, 10, None).await.unwrap();

    assert_eq!(deliveries, [assigned[0].clone(), assigned[2].clone()]);
}

async fn orders_are_listed_by_the_state_they_are_in(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (roma, day) = (slug("roma"), date(2026, 11, 23));
    let first = fixtures::place(&repos.orders, &idempotency("a", "b"), new_order("roma", day)).await.unwrap().value;
    fixtures::place(&repos.orders, &idempotency("b", "b"), new_order("roma", day)).await.unwrap();
    let mut accepted = first.clone();
    let staff = Actor::Staff { user: bistro_domain::ids::UserId::generate(), role: Role::Staff };
    accepted.transition(OrderState::Accepted, staff, first.placed_at).unwrap();

    repos.orders.save(&accepted).await.unwrap();
    let stale = repos.orders.save(&accepted).await;

    let (placed, _) = repos.orders.of_day(&roma, day, Some(OrderState::Placed), 10, None).await.unwrap();
    let (in_accepted, _) = repos.orders.of_day(&roma, day, Some(OrderState::Accepted), 10, None).await.unwrap();
    assert_eq!(placed.iter().map(|o| o.number).collect::<Vec<_>>(), [2]);
    assert_eq!(in_accepted.iter().map(|o| o.id.clone()).collect::<Vec<_>>(), [first.id]);
    assert!(matches!(stale, Err(RepoError::StaleVersion)), "{stale:?}");
}

async fn no_query_for_one_restaurant_returns_another_restaurants_data(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);
    let start = tomorrow_evening();
    for name in ["alpha", "alpha-2"] {
        let r = restaurant(name);
        repos.restaurants.create(&r, &account(name, "owner@example.com", Role::Owner)).await.unwrap();
        repos.menus.create_item(&r.slug, &menu_item(&format!("{name}-dish"), 500)).await.unwrap();
        repos.menus.put_category(&r.slug, &fixtures::category(&format!("{name}-cat"), 1), None).await.unwrap();
        fixtures::place(&repos.orders, &idempotency("same-key", "b"), new_order(name, day)).await.unwrap();
        repos.reservations.book(&idempotency("same-key", "b"), &booking(&r, start, 2), 20).await.unwrap();
    }

    let alpha = slug("alpha");
    let menu = repos.menus.menu(&alpha).await.unwrap().value;
    let (orders, _) = repos.orders.of_day(&alpha, day, None, 100, None).await.unwrap();
    let (bookings, _) =
        repos.reservations.of_day(&alpha, fixtures::berlin().at(start).date(), 100, None).await.unwrap();
    let accounts = repos.restaurants.accounts(&alpha).await.unwrap();
    let covers = repos.reservations.booked_covers(&alpha, start, start).await.unwrap();

    assert_eq!(menu.items().iter().map(|i| i.id().to_string()).collect::<Vec<_>>(), ["alpha-dish"]);
    assert_eq!(menu.categories().iter().map(|c| c.id.to_string()).collect::<Vec<_>>(), ["alpha-cat"]);
    assert!(orders.len() == 1 && orders.iter().all(|o| o.restaurant == alpha), "{orders:?}");
    assert!(bookings.len() == 1 && bookings.iter().all(|b| b.restaurant == alpha), "{bookings:?}");
    assert!(accounts.len() == 1 && accounts.iter().all(|a| a.restaurant == alpha));
    assert_eq!(covers.get(&start).copied(), Some(2));
}

async fn every_restaurant_is_listed_once_from_the_day_it_signs_up(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    for name in ["roma", "napoli"] {
        repos.restaurants.create(&restaurant(name), &account(name, "a@example.com", Role::Owner)).await.unwrap();
    }
    let _ = repos.restaurants.create(&restaurant("roma"), &account("roma", "b@example.com", Role::Owner)).await;

    let listed = repos.directory.all().await.unwrap();

    let slugs: Vec<String> = listed.iter().map(|l| l.value.slug.to_string()).collect();
    assert_eq!(slugs, ["napoli", "roma"]);
    let today = restaurant("roma").business_day(bistro_domain::jiff::Timestamp::now());
    assert!(listed.iter().all(|l| l.value.since == today && l.value.erased_through.is_none()));
    repos.directory.erased_through(&listed[0], today).await.unwrap();
    let stale = repos.directory.erased_through(&listed[0], today).await;
    assert!(matches!(stale, Err(RepoError::StaleVersion)), "{stale:?}");
}

async fn an_erased_order_saved_over_a_newer_version_is_refused(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);
    let placed = fixtures::place(&repos.orders, &idempotency("k", "b"), new_order("roma", day)).await.unwrap().value;
    let (mut erased, mut moved) = (placed.clone(), placed);
    moved.transition(OrderState::Cancelled, Actor::Customer, bistro_domain::jiff::Timestamp::now()).unwrap();
    repos.orders.save(&moved).await.unwrap();
    erased.erase_after_retention(bistro_domain::jiff::Timestamp::now());

    let refused = repos.orders.save_erased(&erased).await;

    assert!(matches!(refused, Err(RepoError::StaleVersion)), "{refused:?}");
    let stored = repos.orders.get(&slug("roma"), &moved.id).await.unwrap();
    assert!(stored.customer.is_some() && stored.state == OrderState::Cancelled);
}

async fn a_restaurant_slug_can_be_taken_only_once(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    repos.restaurants.create(&restaurant("roma"), &account("roma", "a@example.com", Role::Owner)).await.unwrap();

    let again = repos.restaurants.create(&restaurant("roma"), &account("roma", "b@example.com", Role::Owner)).await;

    assert!(matches!(again, Err(RepoError::AlreadyExists)), "{again:?}");
    assert!(matches!(
        repos
            .restaurants
            .account_by_email(&slug("roma"), &bistro_domain::ids::Email::parse("b@example.com").unwrap())
            .await,
        Err(RepoError::NotFound)
    ));
}

async fn a_staff_email_is_unique_within_its_restaurant(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    repos.restaurants.create(&restaurant("roma"), &account("roma", "owner@example.com", Role::Owner)).await.unwrap();
    repos
        .restaurants
        .create(&restaurant("milano"), &account("milano", "owner@example.com", Role::Owner))
        .await
        .unwrap();
    let cook = account("roma", "cook@example.com", Role::Staff);
    repos.restaurants.add_account(&cook).await.unwrap();

    let twin = repos.restaurants.add_account(&account("roma", "cook@example.com", Role::Manager)).await;

    assert!(matches!(twin, Err(RepoError::AlreadyExists)), "{twin:?}");
    let found = repos.restaurants.account_by_email(&slug("roma"), &cook.email).await.unwrap();
    assert_eq!(found, cook);
}

/// roma with two owners, Olga and Otto.
async fn two_owners(repos: &Repos) -> (bistro_domain::restaurant::Account, bistro_domain::restaurant::Account) {
    let (olga, otto) =
        (account("roma", "olga@example.com", Role::Owner), account("roma", "otto@example.com", Role::Owner));
    repos.restaurants.create(&restaurant("roma"), &olga).await.unwrap();
    repos.restaurants.add_account(&otto).await.unwrap();
    (olga, otto)
}

async fn of_two_owners_demoting_each_other_at_once_only_one_wins(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (olga, otto) = two_owners(&repos).await;
    let roster = repos.restaurants.roster(&slug("roma")).await.unwrap();
    let accounts: Vec<_> = roster.iter().map(|a| a.value.clone()).collect();
    let demote = |who: &bistro_domain::restaurant::Account| {
        decide(&accounts, vec![(who.id.clone(), StaffChange::Role(Role::Manager))]).unwrap()
    };
    let (olga_demotes_otto, otto_demotes_olga) = (demote(&otto), demote(&olga));

    repos.restaurants.apply(&roster, &olga_demotes_otto).await.unwrap();
    let second = repos.restaurants.apply(&roster, &otto_demotes_olga).await;

    assert!(matches!(second, Err(RepoError::StaleVersion)), "{second:?}");
    let owners = repos.restaurants.accounts(&slug("roma")).await.unwrap().into_iter().filter(|a| a.role == Role::Owner);
    assert_eq!(owners.map(|a| a.id).collect::<Vec<_>>(), vec![olga.id]);
}

async fn a_removed_account_takes_its_login_and_session_with_it(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (_, otto) = two_owners(&repos).await;
    let roma = slug("roma");
    assert_eq!(repos.restaurants.session(&roma, &otto.id).await.unwrap(), Some(0));
    let roster = repos.restaurants.roster(&roma).await.unwrap();
    let accounts: Vec<_> = roster.iter().map(|a| a.value.clone()).collect();

    let removal = decide(&accounts, vec![(otto.id.clone(), StaffChange::Remove)]).unwrap();
    repos.restaurants.apply(&roster, &removal).await.unwrap();

    assert_eq!(repos.restaurants.session(&roma, &otto.id).await.unwrap(), None);
    assert!(matches!(repos.restaurants.account_by_email(&roma, &otto.email).await, Err(RepoError::NotFound)));
    assert_eq!(repos.restaurants.accounts(&roma).await.unwrap().len(), 1);
}

async fn a_staff_decision_that_changes_nothing_writes_nothing(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let olga = account("roma", "olga@example.com", Role::Owner);
    repos.restaurants.create(&restaurant("roma"), &olga).await.unwrap();
    let roster = repos.restaurants.roster(&slug("roma")).await.unwrap();
    let accounts: Vec<_> = roster.iter().map(|a| a.value.clone()).collect();

    // The only owner asked to be owner: nothing to change and no other owner to check.
    let same = decide(&accounts, vec![(olga.id.clone(), StaffChange::Role(Role::Owner))]).unwrap();
    repos.restaurants.apply(&roster, &same).await.unwrap();

    assert_eq!(repos.restaurants.roster(&slug("roma")).await.unwrap(), roster);
}

async fn fifty_login_attempts_at_once_from_one_client_are_let_through_at_most_ten_times(store: Arc<dyn Store>) {
    let repos = Arc::new(Repos::new(store));
    let (roma, olga) = (slug("roma"), bistro_domain::ids::Email::parse("olga@example.com").unwrap());
    let now = now_unix();
    let attempts = join_all((0..50).map(|_| {
        let (repos, roma, olga) = (Arc::clone(&repos), roma.clone(), olga.clone());
        async move { repos.logins.begin(&roma, &olga, Some("203.0.113.9"), now).await }
    }))
    .await;
    let through = attempts.iter().filter(|a| matches!(a, Ok(Ok(_)))).count();
    assert!(through <= 10, "{through} of 50 let through");
    assert!(through >= 1);
    let other_client = repos.logins.begin(&roma, &olga, Some("198.51.100.1"), now).await.unwrap();
    assert!(other_client.is_ok(), "another address has its own attempts at the same e-mail");
}

async fn past_the_free_failures_each_attempt_at_an_email_takes_a_turn_and_a_success_starts_again(
    store: Arc<dyn Store>,
) {
    let repos = Repos::new(store);
    let (roma, olga) = (slug("roma"), bistro_domain::ids::Email::parse("olga@example.com").unwrap());
    let now = now_unix();
    // Many addresses, each within its own attempts, together fail the free number of times.
    for n in 0..bistro_store::repo::FREE_FAILURES_PER_EMAIL + 1 {
        let attempt = repos.logins.begin(&roma, &olga, Some(&format!("10.0.0.{n}")), now).await.unwrap().unwrap();
        repos.logins.failed(attempt, now).await.unwrap();
    }

    let turn = repos.logins.begin(&roma, &olga, Some("10.1.0.1"), now).await.unwrap();
    let at_once = repos.logins.begin(&roma, &olga, Some("10.1.0.2"), now).await.unwrap();
    let a_second_later = repos.logins.begin(&roma, &olga, Some("10.1.0.3"), now + 1).await.unwrap();

    assert!(turn.is_ok(), "the first attempt takes the turn");
    assert_eq!(at_once.err(), Some(1), "the next waits out the delay");
    repos.logins.succeeded(a_second_later.expect("the delay has passed")).await.unwrap();
    assert!(
        repos.logins.begin(&roma, &olga, Some("10.1.0.4"), now + 1).await.unwrap().is_ok(),
        "a success starts again"
    );
}

async fn a_saved_cart_keeps_its_lines_and_refuses_a_stale_save(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let roma = slug("roma");
    let token = repos.carts.open(&roma).await.unwrap();
    let mut cart = repos.carts.get(&roma, &token).await.unwrap();
    cart.value
        .add(bistro_domain::cart::CartLine {
            item: bistro_domain::ids::ItemId::parse("pizza").unwrap(),
            choices: Vec::new(),
            quantity: bistro_domain::cart::Quantity::new(2).unwrap(),
            note: None,
        })
        .unwrap();

    let saved = repos.carts.save(&roma, &token, &cart.value, cart.version).await;
    let stale = repos.carts.save(&roma, &token, &cart.value, cart.version).await;

    assert_eq!(saved.unwrap(), cart.version + 1);
    assert!(matches!(stale, Err(RepoError::StaleVersion)), "{stale:?}");
    assert_eq!(repos.carts.get(&roma, &token).await.unwrap().value, cart.value);
    assert!(
        matches!(repos.carts.get(&slug("milano"), &token).await, Err(RepoError::NotFound)),
        "a cart token opens no other restaurant's cart"
    );
}

async fn settings_one_instance_has_read_show_another_instances_change_at_once(store: Arc<dyn Store>) {
    let (reader, writer) = (Repos::new(Arc::clone(&store)), Repos::new(store));
    let roma = slug("roma");
    writer.restaurants.create(&restaurant("roma"), &account("roma", "owner@example.com", Role::Owner)).await.unwrap();
    let before = reader.restaurants.latest(&roma).await.unwrap();
    let mut renamed = before.settings.value.clone();
    renamed.name = bistro_domain::text::Name::parse("Roma Due").unwrap();

    writer.restaurants.update(&renamed, before.settings.version).await.unwrap();
    let after = reader.restaurants.latest(&roma).await.unwrap();

    assert_eq!(after.settings.value.name, renamed.name);
    assert!(after.changes > before.changes, "{} then {}", before.changes, after.changes);
}

async fn a_cart_change_started_from_a_copy_another_instance_outdated_is_refused_then_made_on_the_stored_cart(
    store: Arc<dyn Store>,
) {
    let (this, other) = (Repos::new(Arc::clone(&store)), Repos::new(store));
    let roma = slug("roma");
    let token = this.carts.open(&roma).await.unwrap();
    let line = |item: &str| bistro_domain::cart::CartLine {
        item: bistro_domain::ids::ItemId::parse(item).unwrap(),
        choices: Vec::new(),
        quantity: bistro_domain::cart::Quantity::new(1).unwrap(),
        note: None,
    };
    let mut theirs = other.carts.to_change(&roma, &token).await.unwrap();
    theirs.value.add(line("pizza")).unwrap();
    other.carts.save(&roma, &token, &theirs.value, theirs.version).await.unwrap();

    let mut outdated = this.carts.to_change(&roma, &token).await.unwrap();
    outdated.value.add(line("pasta")).unwrap();
    let refused = this.carts.save(&roma, &token, &outdated.value, outdated.version).await;
    let mut stored = this.carts.to_change(&roma, &token).await.unwrap();
    stored.value.add(line("pasta")).unwrap();
    this.carts.save(&roma, &token, &stored.value, stored.version).await.unwrap();

    assert!(matches!(refused, Err(RepoError::StaleVersion)), "{refused:?}");
    let items: Vec<String> =
        this.carts.get(&roma, &token).await.unwrap().value.lines().iter().map(|l| l.item.to_string()).collect();
    assert_eq!(items, ["pizza", "pasta"]);
}

async fn a_forgotten_cart_is_changed_from_the_stored_one(store: Arc<dyn Store>) {
    let (this, other) = (Repos::new(Arc::clone(&store)), Repos::new(store));
    let roma = slug("roma");
    let token = this.carts.open(&roma).await.unwrap();
    let theirs = other.carts.to_change(&roma, &token).await.unwrap();
    other.carts.save(&roma, &token, &theirs.value, theirs.version).await.unwrap();

    this.carts.forget(&roma, &token);
    let to_change = this.carts.to_change(&roma, &token).await.unwrap();

    assert_eq!(to_change.version, theirs.version + 1);
}

async fn every_order_change_is_logged_as_the_next_event(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (roma, day) = (slug("roma"), date(2026, 11, 23));
    let placed = fixtures::place(&repos.orders, &idempotency("a", "b"), new_order("roma", day)).await.unwrap().value;
    let mut accepted = placed.clone();
    let staff = Actor::Staff { user: bistro_domain::ids::UserId::generate(), role: Role::Staff };
    accepted.transition(OrderState::Accepted, staff, placed.placed_at).unwrap();

    repos.orders.save(&accepted).await.unwrap();

    let events = repos.events.after(&roma, 0, 100).await.unwrap();
    let seen: Vec<(u64, OrderState)> = events.iter().map(|e| (e.seq, e.state)).collect();
    assert_eq!(seen, [(1, OrderState::Placed), (2, OrderState::Accepted)]);
    assert_eq!(repos.events.after(&roma, 1, 100).await.unwrap().len(), 1, "resuming after 1 gives only 2");
    assert!(repos.events.after(&slug("milano"), 0, 100).await.unwrap().is_empty());
}

async fn concurrent_placements_get_gapless_event_numbers_each_once(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);

    let placements = (0..20).map(|n| {
        let repos = repos.clone();
        tokio::spawn(async move {
            fixtures::place(&repos.orders, &idempotency(&format!("k{n}"), "b"), new_order("roma", day)).await
        })
    });
    for placed in join_all(placements).await {
        placed.unwrap().unwrap();
    }

    let events = repos.events.after(&slug("roma"), 0, 100).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=20).collect::<Vec<u64>>());
    let orders: BTreeSet<_> = events.iter().map(|e| e.order.clone()).collect();
    assert_eq!(orders.len(), 20, "each order logged once");
}

async fn placements_from_two_instances_at_once_number_the_day_without_gaps_or_repeats(store: Arc<dyn Store>) {
    let instances = [Repos::new(Arc::clone(&store)), Repos::new(store)];
    let day = date(2026, 11, 23);

    let placements = (0..20).map(|n| {
        let repos = instances[n % 2].clone();
        tokio::spawn(async move {
            fixtures::place(&repos.orders, &idempotency(&format!("k{n}"), "b"), new_order("roma", day)).await
        })
    });
    let mut numbers: Vec<u32> =
        join_all(placements).await.into_iter().map(|p| p.unwrap().unwrap().value.number).collect();

    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<u32>>());
}

/// Places `new_order` from a fresh cart under `key`, as the API does: the claim is judged in the
/// order's transaction, not before it.
async fn place_from_a_cart(
    repos: &Repos,
    key: &IdempotencyKey,
    day: bistro_domain::jiff::civil::Date,
) -> Result<bistro_domain::order::Order, RepoError> {
    let roma = slug("roma");
    let cart = repos.carts.open(&roma).await.unwrap();
    let version = repos.carts.get(&roma, &cart).await.unwrap().version;
    let new = new_order("roma", day);
    let placed = repos
        .orders
        .place(placement(key, &roma, day, Some(CartAtVersion { token: &cart, version }), 10), |id, n| {
            bistro_domain::order::Order::place(id, new.clone(), n)
        })
        .await?;
    Ok(placed.value)
}

async fn a_placement_refused_for_its_key_takes_no_order_number(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let day = date(2026, 11, 23);
    place_from_a_cart(&repos, &idempotency("k", "body-1"), day).await.unwrap();
    for _ in 0..3 {
        let refused = place_from_a_cart(&repos, &idempotency("k", "body-2"), day).await;
        assert!(matches!(refused, Err(RepoError::IdempotencyMismatch)), "{refused:?}");
    }

    let next = place_from_a_cart(&repos, &idempotency("j", "body-3"), day).await.unwrap();

    assert_eq!(next.number, 2, "the refusals took no number");
}

/// Tomorrow evening: a slot still to come, since a slot's counter expires two days after it.
fn tomorrows_slot() -> (bistro_domain::jiff::civil::Date, bistro_domain::jiff::Timestamp) {
    let slot = tomorrow_evening();
    (fixtures::berlin().at(slot).date(), slot)
}

fn placement<'a>(
    idempotency: &'a IdempotencyKey,
    slug: &'a bistro_domain::ids::Slug,
    business_date: bistro_domain::jiff::civil::Date,
    cart: Option<CartAtVersion<'a>>,
    orders_per_slot: u16,
) -> Placement<'a> {
    Placement { idempotency, slug, business_date, cart, orders_per_slot }
}

/// A pickup promised for the slot at `at` on `day`, as the API makes it for a later time.
fn later_order(
    day: bistro_domain::jiff::civil::Date,
    at: bistro_domain::jiff::Timestamp,
) -> bistro_domain::order::NewOrder {
    let mut new = new_order("roma", day);
    let start_by = at.checked_sub(bistro_domain::jiff::SignedDuration::from_mins(20)).ok();
    new.promise = bistro_domain::timing::Promise { at, scheduled: true, start_by };
    new
}

fn tiers(minute: i64, limits: [u32; 3]) -> [bistro_store::seam::Tier; 3] {
    use bistro_store::seam::Tier;
    [
        Tier { window: minute, limit: limits[0] },
        Tier { window: minute / 60, limit: limits[1] },
        Tier { window: 0, limit: limits[2] },
    ]
}

async fn a_tally_counts_until_a_tier_is_full_and_starts_a_moved_window_again(store: Arc<dyn Store>) {
    let key = Key::new("R#roma#CLIENTS#1", "who");
    let expires = now_unix() + 3600;
    for _ in 0..2 {
        assert_eq!(store.tally(&key, &tiers(600, [2, 3, 4]), expires).await.unwrap(), Ok(()));
    }
    assert_eq!(store.tally(&key, &tiers(600, [2, 3, 4]), expires).await.unwrap(), Err(0), "the minute is full");
    assert_eq!(store.tally(&key, &tiers(601, [2, 3, 4]), expires).await.unwrap(), Ok(()), "a new minute");
    assert_eq!(store.tally(&key, &tiers(602, [2, 3, 4]), expires).await.unwrap(), Err(1), "the hour is full");
    assert_eq!(store.tally(&key, &tiers(660, [2, 3, 4]), expires).await.unwrap(), Ok(()), "a new hour");
    assert_eq!(store.tally(&key, &tiers(720, [2, 3, 4]), expires).await.unwrap(), Err(2), "the day is full");
}

async fn a_tally_of_known_items_counts_nothing_where_no_tally_was_started(store: Arc<dyn Store>) {
    let (never, started) = (Key::new("R#roma#DEVICE#never", "BUDGET"), Key::new("R#roma#DEVICE#issued", "BUDGET"));
    let expires = now_unix() + 3600;
    assert_eq!(store.tally_known(&never, &tiers(600, [2, 3, 4]), expires).await.unwrap(), None);
    assert_eq!(store.get(&never).await.unwrap(), None, "nothing was written for a token never issued");
    assert_eq!(store.tally(&started, &tiers(600, [2, 3, 4]), expires).await.unwrap(), Ok(()));
    assert_eq!(store.tally_known(&started, &tiers(600, [2, 3, 4]), expires).await.unwrap(), Some(Ok(())));
    assert_eq!(store.tally_known(&started, &tiers(600, [2, 3, 4]), expires).await.unwrap(), Some(Err(0)));
    assert_eq!(
        store.tally_known(&started, &tiers(601, [2, 3, 4]), expires).await.unwrap(),
        Some(Ok(())),
        "a new minute"
    );
}

async fn fifty_concurrent_tallies_count_exactly_up_to_the_limit(store: Arc<dyn Store>) {
    let key = Key::new("R#roma#CLIENTS#1", "crowd");
    let expires = now_unix() + 3600;
    let outcomes = join_all((0..50).map(|_| {
        let (store, key) = (Arc::clone(&store), key.clone());
        async move { store.tally(&key, &tiers(600, [20, 1000, 1000]), expires).await }
    }))
    .await;
    let counted = outcomes.iter().filter(|o| matches!(o, Ok(Ok(())))).count();
    let refused = outcomes.iter().filter(|o| matches!(o, Ok(Err(0)))).count();
    // Under heavy contention a tally may give up (Busy) rather than count twice: never more than 20.
    assert!(counted <= 20 && counted + refused + outcomes.iter().filter(|o| o.is_err()).count() == 50, "{outcomes:?}");
    assert_eq!(counted, 20, "{outcomes:?}");
}

async fn a_later_slot_takes_no_more_orders_than_its_cap_under_concurrency(store: Arc<dyn Store>) {
    let repos = Arc::new(Repos::new(store));
    let (day, slot) = tomorrows_slot();
    let attempts = (0..12).map(|n| {
        let repos = repos.clone();
        let new = later_order(day, slot);
        tokio::spawn(async move {
            let key = idempotency(&format!("slot{n}"), "b");
            repos
                .orders
                .place(placement(&key, &slug("roma"), day, None, 5), |id, number| {
                    bistro_domain::order::Order::place(id, new.clone(), number)
                })
                .await
        })
    });
    let outcomes: Vec<_> = join_all(attempts).await.into_iter().map(|joined| joined.unwrap()).collect();

    let placed = outcomes.iter().filter(|o| o.is_ok()).count();
    let full = outcomes.iter().filter(|o| matches!(o, Err(RepoError::SlotFull))).count();
    assert_eq!((placed, full), (5, 7), "{outcomes:?}");
    assert_eq!(repos.orders.slot_counts(&slug("roma"), day).await.unwrap().get(&slot), Some(&5));
}

async fn a_cancelled_later_order_gives_its_place_in_the_slot_back(store: Arc<dyn Store>) {
    let repos = Repos::new(store);
    let (day, slot) = tomorrows_slot();
    let new = later_order(day, slot);
    let place = |key: &'static str| {
        let new = new.clone();
        let repos = &repos;
        async move {
            repos
                .orders
                .place(placement(&idempotency(key, "b"), &slug("roma"), day, None, 1), |id, n| {
                    bistro_domain::order::Order::place(id, new.clone(), n)
                })
                .await
        }
    };
    let mut first = place("first").await.unwrap().value;
    assert!(matches!(place("second").await, Err(RepoError::SlotFull)));

    first.transition(OrderState::Cancelled, Actor::Customer, bistro_domain::jiff::Timestamp::now()).unwrap();
    repos.orders.save(&first).await.unwrap();

    assert_eq!(repos.orders.slot_counts(&slug("roma"), day).await.unwrap().get(&slot), Some(&0));
    assert!(place("third").await.is_ok(), "the slot has room again");
}
