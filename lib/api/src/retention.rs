//! Guests' personal data expires: names, phones, e-mails, addresses and booking notes of every
//! order and booking whose day is more than the restaurant's retention period ago are erased;
//! lines, totals, parties and times stay for the books. Run daily on AWS (a schedule invokes
//! the `retention` function) and hourly by the local server; each run takes every restaurant
//! from the day after the last one it erased, so a missed run is caught up by the next.

use bistro_domain::jiff::civil::Date;
use bistro_domain::jiff::{Timestamp, ToSpan};
use bistro_store::repo::{Listing, Versioned};
use bistro_store::{RepoError, Repos};

/// Days one run erases per restaurant at most, so that a run stays well inside a function's
/// time limit after a long outage; the next run goes on from there.
pub const MAX_DAYS_PER_RUN: usize = 31;

/// Orders or bookings read per page.
const PAGE: u32 = 100;

/// What one run did, for its log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    pub restaurants: usize,
    pub days: usize,
    pub orders: usize,
    pub bookings: usize,
    /// Restaurants that could not be swept (logged one by one); the next run tries again.
    pub failed: usize,
}

/// Erases what every restaurant's retention period says is due at `now`: one day of each
/// restaurant in turn, its progress saved after each day, so that one restaurant's long backlog
/// takes its turns and keeps no other waiting, and a run cut short loses no day it finished.
pub async fn sweep(repos: &Repos, now: Timestamp) -> Result<Swept, RepoError> {
    let mut swept = Swept::default();
    let mut due = Vec::new();
    for listing in repos.directory.all().await? {
        match days_due(repos, &listing, now).await {
            Ok(days) => {
                swept.restaurants += 1;
                due.push((listing, days.into_iter()));
            }
            Err(error) => {
                tracing::error!(%error, restaurant = %listing.value.slug, "cannot erase personal data");
                swept.failed += 1;
            }
        }
    }
    while !due.is_empty() {
        let mut next_round = Vec::with_capacity(due.len());
        for (listing, mut days) in due {
            let Some(day) = days.next() else { continue };
            match erase_day(repos, &listing, day, now).await {
                Ok((saved, orders, bookings)) => {
                    swept.days += 1;
                    swept.orders += orders;
                    swept.bookings += bookings;
                    next_round.push((saved, days));
                }
                Err(error) => {
                    tracing::error!(%error, restaurant = %listing.value.slug, %day, "cannot erase personal data");
                    swept.failed += 1;
                }
            }
        }
        due = next_round;
    }
    Ok(swept)
}

/// The days of one restaurant due for erasure at `now`, oldest first, at most a run's worth.
async fn days_due(repos: &Repos, listing: &Versioned<Listing>, now: Timestamp) -> Result<Vec<Date>, RepoError> {
    let slug = &listing.value.slug;
    let restaurant = match repos.restaurants.get(slug).await {
        Ok(restaurant) => restaurant.value,
        // Listed but never completed (its creation failed after the listing): nothing to erase.
        Err(RepoError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let last = restaurant.personal_data_days.last_erased_day(restaurant.time_zone.today(now));
    let first = match listing.value.erased_through {
        Some(day) => day.checked_add(1.day()).map_err(|e| RepoError::Corrupt(e.to_string()))?,
        // An order placed after midnight on the first day, before the restaurant's day changes,
        // belongs to the calendar's yesterday (whatever `day_starts` is now or becomes).
        None => listing.value.since.yesterday().map_err(|e| RepoError::Corrupt(e.to_string()))?,
    };
    Ok(first.series(1.day()).take_while(|day| *day <= last).take(MAX_DAYS_PER_RUN).collect())
}

/// Erases one day of one restaurant and saves that it did; returns the listing as saved and how
/// many orders and bookings were erased.
async fn erase_day(
    repos: &Repos,
    listing: &Versioned<Listing>,
    day: Date,
    now: Timestamp,
) -> Result<(Versioned<Listing>, usize, usize), RepoError> {
    let slug = &listing.value.slug;
    let orders = erase_orders(repos, slug, day, now).await?;
    let bookings = erase_bookings(repos, slug, day, now).await?;
    let saved = repos.directory.erased_through(listing, day).await?;
    Ok((saved, orders, bookings))
}

async fn erase_orders(
    repos: &Repos,
    slug: &bistro_domain::ids::Slug,
    day: Date,
    now: Timestamp,
) -> Result<usize, RepoError> {
    let (mut erased, mut cursor) = (0, None);
    loop {
        let (page, next) = repos.orders.of_day(slug, day, None, PAGE, cursor).await?;
        for mut order in page.into_iter().filter(|o| o.erased_at.is_none()) {
            order.erase_after_retention(now);
            repos.orders.save_erased(&order).await?;
            erased += 1;
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(erased),
        }
    }
}

async fn erase_bookings(
    repos: &Repos,
    slug: &bistro_domain::ids::Slug,
    day: Date,
    now: Timestamp,
) -> Result<usize, RepoError> {
    let (mut erased, mut cursor) = (0, None);
    loop {
        let (page, next) = repos.reservations.of_day(slug, day, PAGE, cursor).await?;
        for mut booking in page.into_iter().filter(|b| b.erased_at.is_none()) {
            // Its day is a whole retention period past, so it is over: this cannot refuse.
            booking.erase_personal_data(now)?;
            repos.reservations.save_erased(&booking).await?;
            erased += 1;
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(erased),
        }
    }
}
