//! Domain values for tests: a Berlin trattoria open around the clock, and its orders and bookings.

use std::collections::BTreeSet;

use bistro_domain::cart::{PricedCart, PricedLine, Quantity};
use bistro_domain::hours::{Interval, OpeningHours, Zone};
use bistro_domain::ids::{CategoryId, Email, ItemId, Slug, TableId, UserId};
use bistro_domain::jiff::civil::{Date, time};
use bistro_domain::jiff::{Timestamp, Zoned};
use bistro_domain::menu::{Category, ItemDetails, MenuItem};
use bistro_domain::money::{Currency, Money, TaxMode, TaxRate, Totals};
use bistro_domain::order::{Customer, NewOrder, Order, OrderKind};
use bistro_domain::reservation::{Contact, Reservation, ReservationSettings};
use bistro_domain::restaurant::{Account, OrderKinds, Restaurant, Role, Tax};
use bistro_domain::text::{Name, Phone};
use bistro_domain::timing::Promise;
use bistro_store::RepoError;
use bistro_store::repo::{IdempotencyKey, Idempotent, Orders, Placement};

/// The origin secret the API Gateway events in `tests/events` carry, as the site's CloudFront
/// would; a table the functions answer them from accepts it ([`accept_events_origin`]).
pub const EVENTS_ORIGIN_SECRET: &str = "lambda-events-origin-secret-0123456789abcdef";

/// Makes the functions on `repos`' table accept the events' origin secret.
pub async fn accept_events_origin(repos: &bistro_store::Repos) {
    let digest = bistro_domain::ids::hex(&<sha2::Sha256 as sha2::Digest>::digest(EVENTS_ORIGIN_SECRET.as_bytes()));
    repos.signing_keys.accept_origin_digest(&digest).await.unwrap();
}

pub fn slug(raw: &str) -> Slug {
    Slug::parse(raw).unwrap()
}

pub fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

pub fn berlin() -> Zone {
    Zone::parse("Europe/Berlin").unwrap()
}

/// Open 00:00–24:00 every day, so tests do not depend on the clock; 30-minute slots, 90-minute
/// seatings, 20 covers at once.
pub fn restaurant(raw_slug: &str) -> Restaurant {
    let around_the_clock = Interval::new(time(0, 0, 0, 0), time(0, 0, 0, 0));
    Restaurant {
        slug: slug(raw_slug),
        name: Name::parse("Trattoria Test").unwrap(),
        address: None,
        currency: eur(),
        time_zone: berlin(),
        hours: OpeningHours::new(std::array::from_fn(|_| vec![around_the_clock]), BTreeSet::new()).unwrap(),
        order_kinds: OrderKinds { dine_in: true, pickup: true, delivery: true },
        switches: Default::default(),
        tables: (1..=5).map(|n| TableId::parse(&n.to_string()).unwrap()).collect(),
        tax: Tax { rate: TaxRate::from_basis_points(1900).unwrap(), mode: TaxMode::Inclusive },
        reservations: ReservationSettings::new(30, 90, 20, 1, 8, 0, 60).unwrap(),
        personal_data_days: Default::default(),
        language: bistro_domain::restaurant::Language::default(),
        timing: Default::default(),
        pace: Default::default(),
        day_starts: Default::default(),
        delivery: Default::default(),
        ticket_alerts: Default::default(),
        payment: Default::default(),
        payment_account: None,
        tips: Default::default(),
    }
}

pub fn account(raw_slug: &str, email: &str, role: Role) -> Account {
    Account {
        id: UserId::generate(),
        restaurant: slug(raw_slug),
        email: Email::parse(email).unwrap(),
        name: Name::parse("Test Person").unwrap(),
        role,
        password_hash: "not-a-real-hash".into(),
        disabled: false,
        sessions: 0,
    }
}

pub fn category(id: &str, position: u32) -> Category {
    Category {
        id: CategoryId::parse(id).unwrap(),
        name: Name::parse(id).unwrap(),
        description: Default::default(),
        position,
    }
}

pub fn menu_item(id: &str, price: i64) -> MenuItem {
    let details = ItemDetails {
        category: CategoryId::parse("mains").unwrap(),
        name: Name::parse(id).unwrap(),
        description: Default::default(),
        price: Money::new(price, eur()),
        image_key: None,
        image_variants: Vec::new(),
        position: 0,
        allergens: BTreeSet::new(),
        dietary: BTreeSet::new(),
        sold_out: false,
        availability: Vec::new(),
        option_groups: Vec::new(),
    };
    MenuItem::new(ItemId::parse(id).unwrap(), details, 1).unwrap()
}

/// "Spice level": mild, or hot for `hot_costs` more (in euro cents).
pub fn spice_group(hot_costs: i64) -> bistro_domain::menu::OptionGroup {
    let option = |id: &str, minor| bistro_domain::menu::MenuOption {
        id: bistro_domain::ids::OptionId::parse(id).unwrap(),
        name: Name::parse(id).unwrap(),
        price_delta: Money::new(minor, eur()),
    };
    bistro_domain::menu::OptionGroup::new(
        bistro_domain::ids::OptionGroupId::parse("spice").unwrap(),
        Name::parse("Spice level").unwrap(),
        1,
        1,
        vec![option("mild", 0), option("hot", hot_costs)],
    )
    .unwrap()
}

/// A dish at 12.00 with a copy of the saved spice group at `hot_costs`.
pub fn dish_with_saved_spice(id: &str, hot_costs: i64) -> MenuItem {
    let mut details = menu_item(id, 1200).details().clone();
    details.option_groups = vec![spice_group(hot_costs).as_saved()];
    MenuItem::new(ItemId::parse(id).unwrap(), details, 1).unwrap()
}

/// A pickup order of one 9.00 pizza, placed on `date`.
pub fn new_order(raw_slug: &str, date: Date) -> NewOrder {
    let price = Money::new(900, eur());
    let line = PricedLine {
        item: ItemId::parse("pizza").unwrap(),
        name: Name::parse("Pizza").unwrap(),
        choices: Vec::new(),
        quantity: Quantity::new(1).unwrap(),
        note: None,
        unit_price: price,
        line_total: price,
    };
    let totals = Totals::compute(price, TaxRate::from_basis_points(1900).unwrap(), TaxMode::Inclusive).unwrap();
    let now = Timestamp::now();
    NewOrder {
        restaurant: slug(raw_slug),
        kind: OrderKind::Pickup,
        customer: Customer { name: Name::parse("Ada").unwrap(), phone: None },
        priced: PricedCart { lines: vec![line], delivery_fee: None, totals },
        placed_at: now,
        business_date: date,
        promise: Promise { at: now, scheduled: false, start_by: Some(now) },
    }
}

/// Places `new` once under `key` without a cart, numbered by the store as the API does it.
pub async fn place(orders: &Orders, key: &IdempotencyKey, new: NewOrder) -> Result<Idempotent<Order>, RepoError> {
    let slug = new.restaurant.clone();
    let placement =
        Placement { idempotency: key, slug: &slug, business_date: new.business_date, cart: None, orders_per_slot: 10 };
    orders.place(placement, |id, number| Order::place(id, new.clone(), number)).await
}

pub fn contact() -> Contact {
    Contact { name: Name::parse("Grace").unwrap(), phone: Phone::parse("+49 30 123456").unwrap(), email: None }
}

/// A booking for `party` at `start`, holding the slots `settings` say it occupies.
pub fn booking(r: &Restaurant, start: Timestamp, party: u16) -> Reservation {
    booking_by(r, start, party, contact())
}

/// A booking made by `guest` (one guest holds only a few bookings a day).
pub fn booking_by(r: &Restaurant, start: Timestamp, party: u16, guest: Contact) -> Reservation {
    let slots = r.reservations.occupied_slots(start);
    Reservation::new(r.slug.clone(), r.business_day(start), start, party, guest, None, slots, Timestamp::now())
}

/// The `n`th of many different guests.
pub fn guest(n: u32) -> Contact {
    Contact {
        name: Name::parse("Guest").unwrap(),
        phone: Phone::parse(&format!("+49 30 {:06}", 100_000 + n)).unwrap(),
        email: None,
    }
}

/// Tomorrow at 19:00 in Berlin: a slot of [`restaurant`].
pub fn tomorrow_evening() -> Timestamp {
    let today: Zoned = Timestamp::now().to_zoned(berlin().tz().clone());
    let tomorrow = today.date().tomorrow().unwrap();
    berlin().instant_of(tomorrow.to_datetime(time(19, 0, 0, 0)))
}

pub fn now_millis() -> i64 {
    Timestamp::now().as_millisecond()
}

/// A busy evening on the restaurant's event log: `orders` placed on 2026-12-04 (events 1 to
/// `orders`), then changes of each in turn up to event `events`, logged as the orders function
/// logs them and counted on the log's counter. Returns the orders.
pub async fn busy_evening(
    store: &dyn bistro_store::Store,
    repos: &bistro_store::Repos,
    raw_slug: &str,
    orders: usize,
    events: u64,
) -> Result<Vec<Order>, String> {
    use bistro_store::seam::{Condition, Item, Write};
    let slug = slug(raw_slug);
    let day = bistro_domain::jiff::civil::date(2026, 12, 4);
    let mut placed = Vec::new();
    for n in 0..orders {
        let key = IdempotencyKey { key: format!("k{n}"), fingerprint: "f".into() };
        placed.push(place(&repos.orders, &key, new_order(raw_slug, day)).await.map_err(|e| e.to_string())?.value);
    }
    let count = orders as u64;
    for chunk in (count + 1..=events).collect::<Vec<_>>().chunks(100) {
        let mut writes = Vec::new();
        for &seq in chunk {
            let event = bistro_store::repo::OrderEvent::of(&placed[(seq % count) as usize], seq);
            let body = serde_json::to_string(&event).map_err(|e| e.to_string())?;
            writes.push(Write::Put {
                item: Item::new(bistro_store::keys::event(&slug, seq), 1, body),
                condition: Condition::Absent,
            });
        }
        store.transact(writes).await.map_err(|e| e.to_string())?;
    }
    let counter = Write::Add {
        key: bistro_store::keys::event_counter(&slug),
        by: i64::try_from(events - count).map_err(|e| e.to_string())?,
        expires_at: None,
        condition: Condition::CounterIs(i64::try_from(count).map_err(|e| e.to_string())?),
    };
    store.write(counter).await.map_err(|e| e.to_string())?;
    Ok(placed)
}
