//! The single-table key design: every key Bistro writes is made here and nowhere else.
//! `lib/store/KEYS.md` documents the entities, keys, indexes and access patterns.
//!
//! Every partition of a restaurant's data starts with `R#{slug}`; a slug cannot contain `#`, so no
//! key of one restaurant can be built from another's, and no query can reach across restaurants.

use bistro_domain::ids::{CategoryId, Email, ItemId, OptionGroupId, OrderId, ReservationId, Slug, Token, UserId};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;

use crate::seam::Key;

/// The deployment's public signing keys: not a restaurant's, so outside every `R#` partition.
pub fn public_signing_keys() -> Key {
    Key::new("KEYS", "PUBLIC")
}

/// SHA-256 digests of the secrets the site's CloudFront sends with every API request: the API
/// answers only requests that carry one (the secret itself is only in CloudFront's key value store).
pub fn origin_digests() -> Key {
    Key::new("KEYS", "ORIGIN")
}

/// Every restaurant of the deployment, one item each: what the daily erasure of guests'
/// personal data walks (and how far it got). Not a restaurant's partition.
pub const DIRECTORY: &str = "RESTAURANTS";

pub fn listing(slug: &Slug) -> Key {
    Key::new(DIRECTORY, format!("R#{slug}"))
}

/// The restaurant's profile (its settings), which every function reads. A suffix, not a bare
/// `R#{slug}`, so that IAM can tell every kind of partition apart by pattern (`R#*#PROFILE`).
pub fn restaurant(slug: &Slug) -> Key {
    Key::new(format!("R#{slug}#PROFILE"), "PROFILE")
}

/// Staff accounts and their login e-mails, password hashes included: a partition kind of its
/// own, so only the function that signs people in can be allowed to read it.
pub fn staff_partition(slug: &Slug) -> String {
    format!("R#{slug}#STAFF")
}

pub fn account(slug: &Slug, user: &UserId) -> Key {
    Key::new(staff_partition(slug), format!("USER#{user}"))
}

pub const ACCOUNT_PREFIX: &str = "USER#";

/// Points from a login e-mail to the account, so an e-mail is unique per restaurant.
pub fn login(slug: &Slug, email: &Email) -> Key {
    Key::new(staff_partition(slug), format!("LOGIN#{email}"))
}

/// Login attempts of one kind (`P`: an e-mail and a client, hashed; `C`: a client, hashed;
/// `E`: an e-mail's failures from everyone), each kind under a prefix of its own.
pub fn login_attempts(slug: &Slug, kind: &str, who: &str) -> Key {
    Key::new(staff_partition(slug), format!("LOGINTRY#{kind}#{who}"))
}

/// An account's current session number, which every function that checks staff tokens reads:
/// no hash, no e-mail, so it lives apart from the account.
pub fn session(slug: &Slug, user: &UserId) -> Key {
    Key::new(format!("R#{slug}#SESSION"), format!("USER#{user}"))
}

/// The restaurant whose session partition `pk` is, if it is one: the live side closes the sockets
/// of a login that ended when it sees this partition change.
pub fn restaurant_of_session(pk: &str) -> Option<Slug> {
    pk.strip_prefix("R#")?.strip_suffix("#SESSION").and_then(|slug| Slug::parse(slug).ok())
}

/// What one client (a hash of its address) created at the restaurant on one UTC day, counted
/// by minute, hour and day in this one item.
pub fn client_budget(slug: &Slug, day: i64, who: &str) -> Key {
    Key::new(format!("R#{slug}#CLIENTS#{day}"), who)
}

/// What one guest's device (a hash of the token the restaurant issued it) created there, by
/// minute, hour and day; the item is the token's issue too, so a made-up token finds none.
pub fn device_budget(slug: &Slug, who: &str) -> Key {
    Key::new(format!("R#{slug}#DEVICE#{who}"), "BUDGET")
}

/// How many pictures a restaurant was granted uploads for on one local date.
pub fn uploads_of_day(slug: &Slug, date: Date) -> Key {
    Key::new(format!("R#{slug}#UPLOADS#{date}"), "COUNT")
}

pub fn menu_partition(slug: &Slug) -> String {
    format!("R#{slug}#MENU")
}

pub fn category(slug: &Slug, id: &CategoryId) -> Key {
    Key::new(menu_partition(slug), format!("CAT#{id}"))
}

pub fn menu_item(slug: &Slug, id: &ItemId) -> Key {
    Key::new(menu_partition(slug), format!("ITEM#{id}"))
}

/// A group of choices the restaurant saved to give to many dishes.
pub fn saved_group(slug: &Slug, id: &OptionGroupId) -> Key {
    Key::new(menu_partition(slug), format!("{SAVED_GROUP_PREFIX}{id}"))
}

pub const SAVED_GROUP_PREFIX: &str = "GROUP#";

/// Counts every change to what the published menu shows (items, categories, restaurant settings).
pub fn menu_version(slug: &Slug) -> Key {
    Key::new(menu_partition(slug), "VERSION")
}

pub const CATEGORY_PREFIX: &str = "CAT#";
pub const ITEM_PREFIX: &str = "ITEM#";

pub fn cart(slug: &Slug, token: &Token) -> Key {
    Key::new(format!("R#{slug}#CART#{}", token.as_str()), "CART")
}

/// An order's partition: its ticket (what was ordered, fixed at placement) and its progress
/// (state, history, driver, version: what every change rewrites), read together in one query.
pub fn order_partition(slug: &Slug, id: &OrderId) -> String {
    format!("R#{slug}#ORDER#{id}")
}

pub fn order(slug: &Slug, id: &OrderId) -> Key {
    Key::new(order_partition(slug, id), "ORDER")
}

pub fn order_progress(slug: &Slug, id: &OrderId) -> Key {
    Key::new(order_partition(slug, id), "STATE")
}

/// A guest's checkout awaiting payment: the order it will place, under the order's own id.
pub fn checkout(slug: &Slug, id: &OrderId) -> Key {
    Key::new(format!("R#{slug}#CHECKOUT#{id}"), "CHECKOUT")
}

/// The restaurant and order whose checkout's partition `pk` is.
pub fn checkout_of(pk: &str) -> Option<(Slug, OrderId)> {
    let (slug, id) = pk.strip_prefix("R#")?.split_once("#CHECKOUT#")?;
    Some((Slug::parse(slug).ok()?, OrderId::parse(id).ok()?))
}

/// A payment provider's event already handled (its id), kept while the provider may send it again.
pub fn provider_event(id: &str) -> Key {
    Key::new("PAYMENTS#EVENTS", id)
}

/// Which restaurant a connected payment account (its provider's id) belongs to.
pub fn payment_account(id: &str) -> Key {
    Key::new(PAYMENT_ACCOUNTS, id)
}

/// Every connected payment account's key begins with this partition.
pub const PAYMENT_ACCOUNTS: &str = "PAYMENTS#ACCOUNTS";

/// What the reconciliation reported to a restaurant's owner, one item per provider's checkout.
pub fn payment_problem(slug: &Slug, session: &str) -> Key {
    Key::new(payment_problems(slug), session)
}

pub fn payment_problems(slug: &Slug) -> String {
    format!("R#{slug}#PAYPROBLEMS")
}

/// The restaurant and order whose partition `pk` is, if it is an order's.
pub fn order_of(pk: &str) -> Option<(Slug, OrderId)> {
    let (slug, id) = pk.strip_prefix("R#")?.split_once("#ORDER#")?;
    Some((Slug::parse(slug).ok()?, OrderId::parse(id).ok()?))
}

/// Orders are numbered per local day; the number sorts as text because it is zero-padded.
fn order_number(number: u32) -> String {
    format!("{number:07}")
}

/// GSI2 (keys only), on the ticket: a day's orders by number.
pub fn orders_of_day(slug: &Slug, date: Date) -> String {
    format!("R#{slug}#DAY#{date}")
}

pub fn order_in_day(slug: &Slug, date: Date, number: u32) -> Key {
    Key::new(orders_of_day(slug, date), order_number(number))
}

/// GSI3 (keys only), on the progress of an order still open: a day's open orders by number.
/// An order leaves it when it is over, and its changes until then leave the entry as it is.
pub fn open_orders(slug: &Slug, date: Date) -> String {
    format!("R#{slug}#DAY#{date}#OPEN")
}

pub fn open_order(slug: &Slug, date: Date, number: u32) -> Key {
    Key::new(open_orders(slug, date), order_number(number))
}

/// GSI1, on the progress of an assigned delivery: a driver's deliveries, newest day last.
pub fn deliveries_of(slug: &Slug, driver: &UserId) -> String {
    format!("R#{slug}#DRIVER#{driver}")
}

pub fn delivery(slug: &Slug, driver: &UserId, date: Date, number: u32) -> Key {
    Key::new(deliveries_of(slug, driver), format!("{date}#{}", order_number(number)))
}

/// A business day's own partition: its order counter and its later-order slot counters.
pub fn day_partition(slug: &Slug, date: Date) -> String {
    format!("R#{slug}#DAY#{date}")
}

/// The counter that hands out a day's order numbers.
pub fn order_counter(slug: &Slug, date: Date) -> Key {
    Key::new(day_partition(slug, date), "COUNTER")
}

/// Sort keys of a day's later-order slot counters begin with this.
pub const ORDER_SLOT_PREFIX: &str = "SLOT#";

/// The count of later orders (pickup, delivery) promised for one slot of a day of service: in the
/// day's own partition, beside its order counter, so one query reads a day's slots.
pub fn order_slot(slug: &Slug, date: Date, at: Timestamp) -> Key {
    Key::new(day_partition(slug, date), format!("{ORDER_SLOT_PREFIX}{}", instant(at)))
}

/// Sort keys of the refunds made on a business day begin with this: the books read them from the
/// day's partition, whatever day the refunded order was.
pub const REFUND_PREFIX: &str = "REFUND#";

pub fn booked_refund(slug: &Slug, date: Date, at: Timestamp, refund: &str) -> Key {
    Key::new(day_partition(slug, date), format!("{REFUND_PREFIX}{}#{refund}", instant(at)))
}

pub fn reservation(slug: &Slug, id: &ReservationId) -> Key {
    Key::new(format!("R#{slug}#BOOKING#{id}"), "BOOKING")
}

/// GSI1: a local day's bookings by start time.
pub fn bookings_of_day(slug: &Slug, date: Date) -> String {
    format!("R#{slug}#BOOKINGS#{date}")
}

pub fn booking_in_day(slug: &Slug, date: Date, starts_at: Timestamp, id: &ReservationId) -> Key {
    Key::new(bookings_of_day(slug, date), format!("{}#{id}", instant(starts_at)))
}

/// How many open bookings one guest (`who`: a hash of their contact, never the contact itself)
/// holds on one local date.
pub fn guest_bookings(slug: &Slug, date: Date, who: &str) -> Key {
    Key::new(format!("R#{slug}#GUESTBOOKINGS#{date}#{who}"), "COUNT")
}

pub fn slots_partition(slug: &Slug) -> String {
    format!("R#{slug}#SLOTS")
}

/// The counter of covers booked in one grid slot.
pub fn slot(slug: &Slug, start: Timestamp) -> Key {
    Key::new(slots_partition(slug), instant(start))
}

/// A fixed-width UTC form, so instants sort as text.
pub fn instant(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_instant(raw: &str) -> Option<Timestamp> {
    raw.parse().ok()
}

/// A client's idempotency key for one kind of request ("order", "booking").
pub fn idempotency(slug: &Slug, scope: &str, client_key: &str) -> Key {
    Key::new(format!("R#{slug}#IDEMPOTENCY#{scope}#{client_key}"), "IDEMPOTENCY")
}

pub fn connection(id: &str) -> Key {
    Key::new(format!("CONNECTION#{id}"), "CONNECTION")
}

/// GSI1: the live connections of a restaurant.
pub fn connections_of(slug: &Slug) -> String {
    format!("R#{slug}#CONNECTIONS")
}

pub fn connection_in_restaurant(slug: &Slug, id: &str) -> Key {
    Key::new(connections_of(slug), id.to_owned())
}

/// GSI1: the guests' connections following one order, so that an event reads only those of
/// its own order, never every guest's of the restaurant.
pub fn connections_watching(slug: &Slug, order: &bistro_domain::ids::OrderId) -> String {
    format!("R#{slug}#CONNECTIONS#{order}")
}

pub fn connection_watching(slug: &Slug, order: &bistro_domain::ids::OrderId, id: &str) -> Key {
    Key::new(connections_watching(slug, order), id.to_owned())
}

/// How many live connections count against one cap (`ALL`, `ORDER#{id}`, `USER#{id}`).
pub fn connection_count(slug: &Slug, scope: &str) -> Key {
    Key::new(format!("R#{slug}#CONNCOUNT"), scope.to_owned())
}

/// Every change to a restaurant's orders, by sequence number: what live screens resume from.
/// The restaurant whose event log `pk` is (`R#{slug}#EVENTS`), if it is one.
pub fn restaurant_of_events(pk: &str) -> Option<Slug> {
    pk.strip_prefix("R#")?.strip_suffix("#EVENTS").and_then(|slug| Slug::parse(slug).ok())
}

pub fn events_partition(slug: &Slug) -> String {
    format!("R#{slug}#EVENTS")
}

pub fn event(slug: &Slug, seq: u64) -> Key {
    Key::new(events_partition(slug), event_sort_key(seq))
}

pub fn event_sort_key(seq: u64) -> String {
    format!("{seq:020}")
}

/// The counter that hands out a restaurant's event sequence numbers, gapless and in commit order.
pub fn event_counter(slug: &Slug) -> Key {
    Key::new(format!("R#{slug}#EVENTSEQ"), "SEQ")
}
