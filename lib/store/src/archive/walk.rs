//! Reading one restaurant partition by partition and day by day, through the same queries its
//! routes make: what a function may do under a policy that names its partitions (no scan, which
//! would read every restaurant's). The owner's own export reads this way.

use bistro_domain::ids::Slug;
use bistro_domain::jiff::ToSpan;
use bistro_domain::jiff::civil::Date;
use futures_util::{StreamExt, TryStreamExt, stream};

use super::records::Sorted;
use crate::keys;
use crate::repo::{RepoError, read_all};
use crate::seam::{Index, Item, Query, Store};

/// Days read at once: a year is 365 days of three queries each.
const DAYS_IN_FLIGHT: usize = 8;

/// Every item of `slug` an export keeps, for the business days `since..=through`.
pub(crate) async fn walk(
    store: &dyn Store,
    slug: &Slug,
    since: Date,
    through: Date,
    sorted: &mut Sorted,
) -> Result<usize, RepoError> {
    let mut items = Vec::new();
    for partition in [
        keys::restaurant(slug).pk,
        keys::staff_partition(slug),
        keys::menu_partition(slug),
        keys::slots_partition(slug),
        keys::event_counter(slug).pk,
    ] {
        items.extend(read_all(store, Query::partition(partition)).await?);
    }
    let days = since.until(through).map(|span| span.get_days()).unwrap_or(0).max(0);
    let dates: Vec<Date> = (0..=days).filter_map(|n| since.checked_add(n.days()).ok()).collect();
    let per_day: Vec<Vec<Item>> = stream::iter(dates.into_iter().map(|date| day(store, slug, date)))
        .buffered(DAYS_IN_FLIGHT)
        .try_collect()
        .await?;
    items.extend(per_day.into_iter().flatten());
    let count = items.len();
    for item in items {
        sorted.take(slug, item)?;
    }
    Ok(count)
}

/// One business day's counters, bookings and orders (each order's two items).
async fn day(store: &dyn Store, slug: &Slug, date: Date) -> Result<Vec<Item>, RepoError> {
    let mut items = read_all(store, Query::partition(keys::day_partition(slug, date))).await?;
    // The day's index of bookings holds whole items, under their own keys.
    items.extend(read_all(store, Query::partition(keys::bookings_of_day(slug, date)).on(Index::Gsi1)).await?);
    let listed = read_all(store, Query::partition(keys::orders_of_day(slug, date)).on(Index::Gsi2)).await?;
    for entry in listed {
        items.extend(read_all(store, Query::partition(entry.key.pk)).await?);
    }
    Ok(items)
}
