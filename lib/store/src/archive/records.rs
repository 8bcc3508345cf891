//! Records ⇄ items: what an export makes of a restaurant's items, and the items an import
//! writes for its records (through the same builders the repositories write with).

use std::collections::BTreeMap;

use bistro_domain::ids::Slug;
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::menu::{Category, MenuItem, OptionGroup};
use bistro_domain::order::Order;
use bistro_domain::reservation::Reservation;
use bistro_domain::restaurant::{Account, Restaurant};
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::repo::{Listing, RepoError, decode, encode};
use crate::seam::Item;

/// A record with the version of the item it came from, so optimistic edits carry on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored<T> {
    pub version: u64,
    pub value: T,
}

/// A count the store keeps beside the records, so that what was promised before a move still
/// holds after it: the next order number, a later slot's orders, a booking slot's covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Counter {
    /// Changes to the published menu: what caches compare.
    MenuChanges { count: i64 },
    /// The restaurant's last event number: live screens go on from it.
    Events { count: i64 },
    /// A business day's last order number.
    OrderNumbers { day: Date, count: i64 },
    /// Later orders promised for one slot of a day.
    LaterOrders { day: Date, at: Timestamp, count: i64, expires_at: Option<i64> },
    /// Covers booked in one grid slot.
    BookedCovers { at: Timestamp, count: i64, expires_at: Option<i64> },
    /// One guest's open bookings on a day (`guest` is a hash of their contact, never the contact).
    GuestBookings { day: Date, guest: String, count: i64, expires_at: Option<i64> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub key: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Everything an archive holds of one restaurant.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    pub settings: Stored<Restaurant>,
    /// The directory's entry; absent for a restaurant older than the directory.
    pub listing: Option<Listing>,
    pub staff: Vec<Stored<Account>>,
    pub categories: Vec<Stored<Category>>,
    pub dishes: Vec<MenuItem>,
    pub saved_groups: Vec<Stored<OptionGroup>>,
    pub orders: Vec<Order>,
    pub bookings: Vec<Reservation>,
    pub counters: Vec<Counter>,
    pub pictures: Vec<Picture>,
    pub published_menu: Option<Vec<u8>>,
}

/// What a restaurant's items became while an export read them.
#[derive(Debug, Default)]
pub(crate) struct Sorted {
    pub settings: Option<Stored<Restaurant>>,
    pub staff: Vec<Stored<Account>>,
    pub categories: Vec<Stored<Category>>,
    pub dishes: Vec<MenuItem>,
    pub saved_groups: Vec<Stored<OptionGroup>>,
    /// An order's two items, gathered by partition.
    pub order_items: BTreeMap<String, Vec<Item>>,
    pub bookings: Vec<Reservation>,
    pub counters: Vec<Counter>,
    /// Items left out as short-lived, by kind.
    pub left_out: BTreeMap<String, usize>,
}

fn at(raw: &str) -> Result<Timestamp, RepoError> {
    keys::parse_instant(raw).ok_or_else(|| RepoError::Corrupt(format!("'{raw}' is not an instant")))
}

fn day(raw: &str) -> Result<Date, RepoError> {
    raw.parse().map_err(|_| RepoError::Corrupt(format!("'{raw}' is not a date")))
}

impl Sorted {
    /// Files one item of restaurant `slug` under what it is.
    pub fn take(&mut self, slug: &Slug, item: Item) -> Result<(), RepoError> {
        let own = format!("R#{slug}#");
        let Some(kind) = item.key.pk.strip_prefix(&own) else { return Ok(()) };
        let (sk, count, expires_at) = (item.key.sk.as_str(), item.counter, item.expires_at);
        match kind.split_once('#').unwrap_or((kind, "")) {
            ("PROFILE", _) => self.settings = Some(Stored { version: item.version, value: decode(&item)? }),
            ("STAFF", _) if sk.starts_with(keys::ACCOUNT_PREFIX) => {
                self.staff.push(Stored { version: item.version, value: decode(&item)? });
            }
            ("MENU", _) if sk.starts_with(keys::CATEGORY_PREFIX) => {
                self.categories.push(Stored { version: item.version, value: decode(&item)? });
            }
            ("MENU", _) if sk.starts_with(keys::ITEM_PREFIX) => self.dishes.push(decode(&item)?),
            ("MENU", _) if sk.starts_with(keys::SAVED_GROUP_PREFIX) => {
                self.saved_groups.push(Stored { version: item.version, value: decode(&item)? });
            }
            ("MENU", _) if sk == "VERSION" => self.counters.push(Counter::MenuChanges { count }),
            ("EVENTSEQ", _) => self.counters.push(Counter::Events { count }),
            ("ORDER", _) => self.order_items.entry(item.key.pk.clone()).or_default().push(item),
            ("BOOKING", _) => self.bookings.push(decode(&item)?),
            ("DAY", date) if sk == "COUNTER" => self.counters.push(Counter::OrderNumbers { day: day(date)?, count }),
            ("DAY", date) if sk.starts_with(keys::ORDER_SLOT_PREFIX) => {
                let at = at(&sk[keys::ORDER_SLOT_PREFIX.len()..])?;
                self.counters.push(Counter::LaterOrders { day: day(date)?, at, count, expires_at });
            }
            ("SLOTS", _) => self.counters.push(Counter::BookedCovers { at: at(sk)?, count, expires_at }),
            ("GUESTBOOKINGS", rest) => {
                let (date, guest) = rest.split_once('#').ok_or_else(|| RepoError::Corrupt(item.key.pk.clone()))?;
                self.counters.push(Counter::GuestBookings {
                    day: day(date)?,
                    guest: guest.to_owned(),
                    count,
                    expires_at,
                });
            }
            // Login pointers and sessions are rebuilt from the accounts; the rest is short-lived.
            (other, _) => *self.left_out.entry(other.to_owned()).or_default() += 1,
        }
        Ok(())
    }
}

fn counter_item(key: crate::seam::Key, count: i64, expires_at: Option<i64>) -> Item {
    Item { key, counter: count, expires_at, ..Item::default() }
}

impl Counter {
    pub(crate) fn item(&self, slug: &Slug) -> Item {
        match self {
            Self::MenuChanges { count } => counter_item(keys::menu_version(slug), *count, None),
            Self::Events { count } => counter_item(keys::event_counter(slug), *count, None),
            Self::OrderNumbers { day, count } => counter_item(keys::order_counter(slug, *day), *count, None),
            Self::LaterOrders { day, at, count, expires_at } => {
                counter_item(keys::order_slot(slug, *day, *at), *count, *expires_at)
            }
            Self::BookedCovers { at, count, expires_at } => counter_item(keys::slot(slug, *at), *count, *expires_at),
            Self::GuestBookings { day, guest, count, expires_at } => {
                counter_item(keys::guest_bookings(slug, *day, guest), *count, *expires_at)
            }
        }
    }
}

impl Contents {
    /// Every item an import writes but the settings and the listing, which it writes last.
    pub(crate) fn items(&self) -> Result<Vec<Item>, RepoError> {
        let slug = &self.settings.value.slug;
        let mut items = Vec::new();
        for account in &self.staff {
            items.extend(crate::repo::account_items(&account.value, account.version)?);
        }
        for category in &self.categories {
            let key = keys::category(slug, &category.value.id);
            items.push(Item::new(key, category.version, encode(&category.value)?));
        }
        for dish in &self.dishes {
            items.push(Item::new(keys::menu_item(slug, dish.id()), dish.version(), encode(dish)?));
        }
        for group in &self.saved_groups {
            let key = keys::saved_group(slug, group.value.id());
            items.push(Item::new(key, group.version, encode(&group.value)?));
        }
        for order in &self.orders {
            items.extend(crate::repo::order_items(order)?);
        }
        for booking in &self.bookings {
            items.push(crate::repo::booking_item(booking)?);
        }
        items.extend(self.counters.iter().map(|counter| counter.item(slug)));
        Ok(items)
    }

    /// The settings' item and the listing's, the import's last write.
    pub(crate) fn profile_items(&self) -> Result<[Item; 2], RepoError> {
        let settings = &self.settings;
        let slug = &settings.value.slug;
        let listing = self.listing.clone().unwrap_or_else(|| Listing {
            slug: slug.clone(),
            since: self.first_day().unwrap_or_else(|| settings.value.business_day(Timestamp::now())),
            erased_through: None,
        });
        Ok([
            Item::new(keys::restaurant(slug), settings.version, encode(&settings.value)?),
            Item::new(keys::listing(slug), 1, encode(&listing)?),
        ])
    }

    /// The first business day anything of the restaurant is of.
    fn first_day(&self) -> Option<Date> {
        let orders = self.orders.iter().map(|order| order.business_date);
        orders.chain(self.bookings.iter().map(|booking| booking.date)).min()
    }
}
