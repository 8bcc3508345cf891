//! Table bookings: each one holds covers in every grid slot its seating overlaps, and a slot's
//! counter never passes the restaurant's capacity because the booking and every counter are
//! written in one conditional transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use bistro_domain::ids::{ReservationId, Slug};
use bistro_domain::jiff::Timestamp;
use bistro_domain::jiff::civil::Date;
use bistro_domain::reservation::{MAX_BOOKINGS_PER_GUEST_AND_DAY, Reservation, ReservationError};
use sha2::{Digest, Sha256};

use super::once::{Once, Part, Refused, Transaction};
use super::{ATTEMPTS, IdempotencyKey, Idempotent, RepoError, back_off, decode, encode, read_all, stale_or_missing};
use crate::keys;
use crate::seam::{Condition, Cursor, Index, Item, Query, SeamError, SortKey, Store, Write};

/// Slot counters outlive their slot by this long, then expire.
const SLOT_COUNTER_AFTERLIFE_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone)]
pub struct Reservations {
    store: Arc<dyn Store>,
}

pub(crate) fn stored(reservation: &Reservation) -> Result<Item, RepoError> {
    let slug = &reservation.restaurant;
    Ok(Item::new(keys::reservation(slug, &reservation.id), reservation.version, encode(reservation)?)
        .with_index(Index::Gsi1, keys::booking_in_day(slug, reservation.date, reservation.starts_at, &reservation.id)))
}

fn slot_writes(reservation: &Reservation, by: i64, capacity: Option<u16>) -> Vec<Write> {
    reservation
        .slots
        .iter()
        .map(|slot| Write::Add {
            key: keys::slot(&reservation.restaurant, *slot),
            by,
            expires_at: Some(slot.as_second() + SLOT_COUNTER_AFTERLIFE_SECS),
            condition: capacity.map_or(Condition::Always, |cap| Condition::CounterAtMost(i64::from(cap) - by)),
        })
        .collect()
}

/// The count of the guest's open bookings that day, moved by `by`; a booking (`by` 1) only while
/// they hold fewer than the limit. Keyed by a hash of the contact, so no phone number is a key.
/// `None` once the contact was erased: its count is gone two days after the booking anyway.
fn guest_write(reservation: &Reservation, by: i64) -> Option<Write> {
    let contact = reservation.contact.as_ref()?;
    let who = bistro_domain::ids::hex(&Sha256::digest(contact.identity().as_bytes())[..16]);
    let limit = i64::from(MAX_BOOKINGS_PER_GUEST_AND_DAY);
    Some(Write::Add {
        key: keys::guest_bookings(&reservation.restaurant, reservation.date, &who),
        by,
        // Kept until the day is well over, then forgotten.
        expires_at: Some(reservation.starts_at.as_second() + 2 * 24 * 3600),
        condition: if by > 0 { Condition::CounterAtMost(limit - by) } else { Condition::Always },
    })
}

impl Reservations {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    async fn replay(
        &self,
        slug: &Slug,
        once: &Once,
        idempotency: &IdempotencyKey,
    ) -> Result<Option<Idempotent<Reservation>>, RepoError> {
        let Some(target) = once.earlier(self.store.as_ref(), idempotency).await? else {
            return Ok(None);
        };
        let id = ReservationId::parse(&target).map_err(|e| RepoError::Corrupt(e.to_string()))?;
        Ok(Some(Idempotent { value: self.get(slug, &id).await?, replayed: true }))
    }

    /// Books the table if every slot it occupies has room for the party under `capacity` covers.
    /// A full slot is `RepoError::Booking(ReservationError::SlotFull)`.
    pub async fn book(
        &self,
        idempotency: &IdempotencyKey,
        reservation: &Reservation,
        capacity: u16,
    ) -> Result<Idempotent<Reservation>, RepoError> {
        let slug = &reservation.restaurant;
        let once = Once::new(slug, "booking", idempotency);
        if let Some(booked) = self.replay(slug, &once, idempotency).await? {
            return Ok(booked);
        }
        let writes = Transaction::new()
            .with(Part::Claim, once.claim(idempotency, reservation.id.as_str())?)
            .with(Part::Booking, Write::Put { item: stored(reservation)?, condition: Condition::Absent })
            .with_all(Part::GuestBookings, guest_write(reservation, 1))
            .with_all(Part::SlotCovers, slot_writes(reservation, i64::from(reservation.party), Some(capacity)));
        for attempt in 0..ATTEMPTS {
            match writes.clone().commit(self.store.as_ref()).await {
                Ok(()) => {
                    return Ok(Idempotent { value: reservation.clone(), replayed: false });
                }
                Err(Refused::Conditions(failed)) if failed.contains(&Part::Claim) => {
                    return self.replay(slug, &once, idempotency).await?.ok_or(RepoError::Busy);
                }
                Err(Refused::Conditions(failed)) if failed.contains(&Part::GuestBookings) => {
                    return Err(ReservationError::TooManyBookings(MAX_BOOKINGS_PER_GUEST_AND_DAY).into());
                }
                Err(Refused::Conditions(failed)) if failed.contains(&Part::SlotCovers) => {
                    return Err(ReservationError::SlotFull.into());
                }
                Err(Refused::Store(SeamError::TransactionConflict)) => back_off(attempt).await,
                Err(other) => return Err(other.into()),
            }
        }
        Err(RepoError::Busy)
    }

    pub async fn get(&self, slug: &Slug, id: &ReservationId) -> Result<Reservation, RepoError> {
        let item = self.store.get(&keys::reservation(slug, id)).await?.ok_or(RepoError::NotFound)?;
        decode(&item)
    }

    /// Stores a status change (version already raised by the domain); a booking that stops
    /// holding its covers gives them back in the same transaction.
    pub async fn save_status(&self, reservation: &Reservation, released_covers: bool) -> Result<(), RepoError> {
        let mut writes = vec![Write::Put {
            item: stored(reservation)?,
            condition: Condition::Version(reservation.version.saturating_sub(1)),
        }];
        if released_covers {
            writes.extend(slot_writes(reservation, -i64::from(reservation.party), None));
            writes.extend(guest_write(reservation, -1));
        }
        for attempt in 0..ATTEMPTS {
            match self.store.transact(writes.clone()).await {
                Ok(()) => return Ok(()),
                Err(SeamError::TransactionCancelled { .. }) => {
                    return Err(stale_or_missing(
                        self.store.as_ref(),
                        &keys::reservation(&reservation.restaurant, &reservation.id),
                    )
                    .await);
                }
                Err(SeamError::TransactionConflict) => back_off(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RepoError::Busy)
    }

    /// Stores a booking whose guest's personal data was just erased (version raised by the
    /// domain) if nobody changed it since; its covers and counts stay as they are.
    pub async fn save_erased(&self, reservation: &Reservation) -> Result<(), RepoError> {
        let put = Write::Put {
            item: stored(reservation)?,
            condition: Condition::Version(reservation.version.saturating_sub(1)),
        };
        match self.store.write(put).await {
            Ok(_) => Ok(()),
            Err(SeamError::ConditionFailed) => {
                Err(stale_or_missing(self.store.as_ref(), &keys::reservation(&reservation.restaurant, &reservation.id))
                    .await)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One page of a local day's bookings by start time.
    pub async fn of_day(
        &self,
        slug: &Slug,
        date: Date,
        limit: u32,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Reservation>, Option<Cursor>), RepoError> {
        let query = Query::partition(keys::bookings_of_day(slug, date)).on(Index::Gsi1).limit(limit).after(cursor);
        let page = self.store.query(&query).await?;
        Ok((page.items.iter().map(decode).collect::<Result<_, _>>()?, page.next))
    }

    /// Covers held per grid slot starting in `from..=to`.
    pub async fn booked_covers(
        &self,
        slug: &Slug,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<BTreeMap<Timestamp, u32>, RepoError> {
        let query = Query::partition(keys::slots_partition(slug))
            .sort_key(SortKey::Between(keys::instant(from), keys::instant(to)));
        let mut covers = BTreeMap::new();
        for item in read_all(self.store.as_ref(), query).await? {
            let slot = keys::parse_instant(&item.key.sk)
                .ok_or_else(|| RepoError::Corrupt(format!("slot key {}", item.key.sk)))?;
            covers.insert(slot, u32::try_from(item.counter).unwrap_or(0));
        }
        Ok(covers)
    }
}
