//! Table reservations and the slots a restaurant can offer.
//!
//! Slots are laid on a grid of real elapsed time from each opening, so across a daylight-saving
//! change a slot is never offered at a wall-clock time that does not exist, and a night that is an
//! hour longer offers an hour more. A booking occupies every grid slot its seating overlaps, and
//! each slot holds at most `covers_per_slot` guests at once.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::hours::{DayStart, OpeningHours, Zone};
use crate::ids::Email;
use crate::ids::{ReservationId, Slug, Token};
use crate::text::{Name, Note, Phone};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReservationError {
    #[error("invalid reservation settings: {0}")]
    Settings(&'static str),
    /// A seating so long for its slots that booking it would touch more slot counters than one
    /// store transaction may (every booking would fail).
    #[error(
        "a {seating}-minute seating in {slot}-minute slots holds {slots} slots per booking; at most {MAX_SLOTS_PER_BOOKING} fit: choose longer slots or a shorter seating"
    )]
    SeatingTooLong { seating: u16, slot: u16, slots: u16 },
    #[error("a party must be between {min} and {max} guests")]
    PartySize { min: u16, max: u16 },
    #[error("that time is not a bookable slot")]
    NotASlot,
    #[error("bookings must be made at least {0} minutes ahead")]
    TooSoon(u32),
    #[error("bookings can be made at most {0} days ahead")]
    TooFarAhead(u16),
    #[error("the slot is full")]
    SlotFull,
    #[error("a guest may hold at most {0} bookings on one day; this phone number has that many already")]
    TooManyBookings(u16),
    #[error("a reservation cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition { from: ReservationStatus, to: ReservationStatus },
    #[error("a guest can be marked as a no-show only once the booking has started")]
    NotStartedYet,
    #[error("the booking is still to come; its guest's details are erased once it is over")]
    NotFinished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SettingsRepr", into = "SettingsRepr")]
pub struct ReservationSettings {
    slot: SignedDuration,
    seating: SignedDuration,
    covers_per_slot: u16,
    party_min: u16,
    party_max: u16,
    lead: SignedDuration,
    horizon_days: u16,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct SettingsRepr {
    /// Minutes between bookable starts.
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 240))]
    slot_minutes: u16,
    /// How long a table is held: at least one slot.
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 720))]
    seating_minutes: u16,
    /// Guests seated at once.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5000))]
    covers_per_slot: u16,
    /// At most `party_max`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5000))]
    party_min: u16,
    /// At most `covers_per_slot`.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5000))]
    party_max: u16,
    /// How far ahead a booking must be made.
    #[cfg_attr(feature = "openapi", schema(maximum = 43200))]
    lead_minutes: u32,
    /// How many days ahead bookings open.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 366))]
    horizon_days: u16,
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(ReservationSettings, SettingsRepr, "ReservationSettings");

/// The most grid slots one booking may hold: a booking is one transaction of its slot counters,
/// the booking, its idempotency record and the guest's count of bookings that day, and a store
/// transaction holds at most 100 writes. Kept below that with room to spare.
pub const MAX_SLOTS_PER_BOOKING: u16 = 96;

/// The most guests seated at once, and so the largest party any restaurant can take.
pub const MAX_COVERS_PER_SLOT: u16 = 5000;

/// Open bookings one guest contact may hold on one day: enough for any family, too few to fill a
/// grid anonymously.
pub const MAX_BOOKINGS_PER_GUEST_AND_DAY: u16 = 5;

impl ReservationSettings {
    pub fn new(
        slot_minutes: u16,
        seating_minutes: u16,
        covers_per_slot: u16,
        party_min: u16,
        party_max: u16,
        lead_minutes: u32,
        horizon_days: u16,
    ) -> Result<Self, ReservationError> {
        let fail = |why| Err(ReservationError::Settings(why));
        if !(5..=240).contains(&slot_minutes) {
            return fail("slot_minutes must be 5 to 240");
        }
        if seating_minutes < slot_minutes || seating_minutes > 12 * 60 {
            return fail("seating_minutes must be at least one slot and at most 720");
        }
        let slots = seating_minutes.div_ceil(slot_minutes);
        if slots > MAX_SLOTS_PER_BOOKING {
            return Err(ReservationError::SeatingTooLong { seating: seating_minutes, slot: slot_minutes, slots });
        }
        if covers_per_slot == 0 || covers_per_slot > MAX_COVERS_PER_SLOT {
            return fail("covers_per_slot must be 1 to 5000");
        }
        if party_min == 0 || party_min > party_max || party_max > covers_per_slot {
            return fail("need 1 <= party_min <= party_max <= covers_per_slot");
        }
        if lead_minutes > 60 * 24 * 30 {
            return fail("lead_minutes must be at most 30 days");
        }
        if horizon_days == 0 || horizon_days > 366 {
            return fail("horizon_days must be 1 to 366");
        }
        Ok(Self {
            slot: SignedDuration::from_mins(i64::from(slot_minutes)),
            seating: SignedDuration::from_mins(i64::from(seating_minutes)),
            covers_per_slot,
            party_min,
            party_max,
            lead: SignedDuration::from_mins(i64::from(lead_minutes)),
            horizon_days,
        })
    }

    /// How many days ahead guests may book.
    pub fn horizon_days(&self) -> u16 {
        self.horizon_days
    }

    pub fn covers_per_slot(&self) -> u16 {
        self.covers_per_slot
    }

    pub fn seating(&self) -> SignedDuration {
        self.seating
    }

    pub fn check_party(&self, party: u16) -> Result<(), ReservationError> {
        if (self.party_min..=self.party_max).contains(&party) {
            Ok(())
        } else {
            Err(ReservationError::PartySize { min: self.party_min, max: self.party_max })
        }
    }

    /// Every bookable start of the sessions that open on `date`: one slot apart, the last one a
    /// whole seating before closing.
    pub fn slot_starts(&self, date: Date, hours: &OpeningHours, zone: &Zone) -> Vec<Timestamp> {
        let mut starts = Vec::new();
        for (open, close) in hours.instants_on(date, zone) {
            let mut start = open;
            while let (Ok(end), true) = (start.checked_add(self.seating), start < close) {
                if end > close {
                    break;
                }
                starts.push(start);
                match start.checked_add(self.slot) {
                    Ok(next) => start = next,
                    Err(_) => break,
                }
            }
        }
        starts
    }

    /// The grid slots a booking starting at `start` keeps busy.
    pub fn occupied_slots(&self, start: Timestamp) -> Vec<Timestamp> {
        let (seating, slot) = (self.seating.as_secs(), self.slot.as_secs());
        let count = (seating + slot - 1) / slot;
        (0..count).filter_map(|k| start.checked_add(self.slot * i32::try_from(k).unwrap_or(i32::MAX)).ok()).collect()
    }

    /// Checks everything about a booking the store does not have to know: the slot, the party,
    /// the lead time and horizon. Returns the slots it occupies.
    pub fn check_booking(
        &self,
        start: Timestamp,
        party: u16,
        hours: &OpeningHours,
        zone: &Zone,
        now: Timestamp,
    ) -> Result<Vec<Timestamp>, ReservationError> {
        self.check_party(party)?;
        let local_date = zone.at(start).date();
        // A slot after midnight belongs to the session that opened the day before.
        let is_slot = [local_date.yesterday().ok(), Some(local_date)]
            .into_iter()
            .flatten()
            .any(|date| self.slot_starts(date, hours, zone).contains(&start));
        if !is_slot {
            return Err(ReservationError::NotASlot);
        }
        if start < now.checked_add(self.lead).unwrap_or(Timestamp::MAX) {
            return Err(ReservationError::TooSoon(u32::try_from(self.lead.as_mins()).unwrap_or(u32::MAX)));
        }
        let last_day = zone.today(now).checked_add(i32::from(self.horizon_days).days()).unwrap_or(Date::MAX);
        if local_date > last_day {
            return Err(ReservationError::TooFarAhead(self.horizon_days));
        }
        Ok(self.occupied_slots(start))
    }

    /// The slots of business day `date` a party can still book, given the covers already booked
    /// per grid slot. `date` is the restaurant's day of service, as everywhere in the API: a start
    /// before `day_starts` belongs to the day before, wherever its opening began.
    #[expect(clippy::too_many_arguments, reason = "each is one of the facts a free slot depends on")]
    pub fn available_slots(
        &self,
        date: Date,
        party: u16,
        hours: &OpeningHours,
        zone: &Zone,
        day_starts: DayStart,
        now: Timestamp,
        booked: &BTreeMap<Timestamp, u32>,
    ) -> Result<Vec<Timestamp>, ReservationError> {
        self.check_party(party)?;
        let capacity = u32::from(self.covers_per_slot);
        // An opening of the calendar day before can reach past the next `day_starts`, and the
        // small hours of the calendar day after belong to this one.
        let calendar = [date.yesterday().ok(), Some(date), date.tomorrow().ok()];
        let mut starts: Vec<Timestamp> =
            calendar.into_iter().flatten().flat_map(|day| self.slot_starts(day, hours, zone)).collect();
        starts.sort_unstable();
        starts.dedup();
        Ok(starts
            .into_iter()
            .filter(|start| day_starts.day_of(*start, zone) == date)
            .filter(|start| self.check_booking(*start, party, hours, zone, now).is_ok())
            .filter(|start| {
                self.occupied_slots(*start)
                    .iter()
                    .all(|slot| booked.get(slot).copied().unwrap_or(0) + u32::from(party) <= capacity)
            })
            .collect())
    }
}

impl TryFrom<SettingsRepr> for ReservationSettings {
    type Error = ReservationError;
    fn try_from(r: SettingsRepr) -> Result<Self, ReservationError> {
        Self::new(
            r.slot_minutes,
            r.seating_minutes,
            r.covers_per_slot,
            r.party_min,
            r.party_max,
            r.lead_minutes,
            r.horizon_days,
        )
    }
}

impl From<ReservationSettings> for SettingsRepr {
    fn from(s: ReservationSettings) -> Self {
        let mins = |d: SignedDuration| d.as_mins();
        Self {
            slot_minutes: u16::try_from(mins(s.slot)).unwrap_or(u16::MAX),
            seating_minutes: u16::try_from(mins(s.seating)).unwrap_or(u16::MAX),
            covers_per_slot: s.covers_per_slot,
            party_min: s.party_min,
            party_max: s.party_max,
            lead_minutes: u32::try_from(mins(s.lead)).unwrap_or(u32::MAX),
            horizon_days: s.horizon_days,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReservationStatus {
    Confirmed,
    Cancelled,
    Seated,
    NoShow,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Seated => "seated",
            Self::NoShow => "no_show",
        }
    }

    /// Whether the booking still holds its covers.
    pub fn holds_covers(self) -> bool {
        matches!(self, Self::Confirmed | Self::Seated)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: Name,
    pub phone: Phone,
    #[serde(default)]
    pub email: Option<Email>,
}

impl Contact {
    /// Who the guest is when their bookings are counted: the phone's digits, so spacing and
    /// punctuation make no other guest ("+49 30 1234" and "+49-30-1234" are one).
    pub fn identity(&self) -> String {
        let digits: String = self.phone.as_str().chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() { self.phone.as_str().to_lowercase() } else { digits }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub id: ReservationId,
    pub restaurant: Slug,
    pub starts_at: Timestamp,
    /// The restaurant's business day of the start (a 00:30 booking belongs to the evening before):
    /// the day the booking is listed under.
    pub date: Date,
    pub party: u16,
    /// Who booked; `None` once their personal data was erased.
    pub contact: Option<Contact>,
    pub note: Option<Note>,
    pub status: ReservationStatus,
    /// When the guest's name, phone, e-mail and note were erased (the party and time stay).
    #[serde(default)]
    pub erased_at: Option<Timestamp>,
    /// The grid slots whose covers this booking holds: released on cancel or no-show.
    pub slots: Vec<Timestamp>,
    pub token: Token,
    pub created_at: Timestamp,
    pub version: u64,
}

impl Reservation {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        restaurant: Slug,
        date: Date,
        starts_at: Timestamp,
        party: u16,
        contact: Contact,
        note: Option<Note>,
        slots: Vec<Timestamp>,
        created_at: Timestamp,
    ) -> Self {
        Self {
            id: ReservationId::generate(),
            restaurant,
            date,
            starts_at,
            party,
            contact: Some(contact),
            note,
            status: ReservationStatus::Confirmed,
            erased_at: None,
            slots,
            token: Token::generate(),
            created_at,
            version: 1,
        }
    }

    /// Confirmed → cancelled | seated | no-show; nothing else. A no-show only after the start.
    pub fn change_status(&mut self, to: ReservationStatus, now: Timestamp) -> Result<(), ReservationError> {
        use ReservationStatus::*;
        if !matches!((self.status, to), (Confirmed, Cancelled | Seated | NoShow)) {
            return Err(ReservationError::IllegalTransition { from: self.status, to });
        }
        if to == NoShow && now < self.starts_at {
            return Err(ReservationError::NotStartedYet);
        }
        self.status = to;
        self.version += 1;
        Ok(())
    }

    /// Forgets who booked (name, phone, e-mail) and their note; only once the booking is
    /// finished (cancelled, seated, a no-show, or its time has come), as the restaurant still
    /// needs to reach a guest who is yet to come.
    pub fn erase_personal_data(&mut self, now: Timestamp) -> Result<(), ReservationError> {
        if self.status == ReservationStatus::Confirmed && now < self.starts_at {
            return Err(ReservationError::NotFinished);
        }
        if self.erased_at.is_none() {
            self.contact = None;
            self.note = None;
            self.erased_at = Some(now);
            self.version += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::Interval;
    use jiff::civil::{date, time};
    use std::collections::BTreeSet;

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").expect("zone")
    }

    fn hours(opens: (i8, i8), closes: (i8, i8)) -> OpeningHours {
        let interval = Interval::new(time(opens.0, opens.1, 0, 0), time(closes.0, closes.1, 0, 0));
        OpeningHours::new(std::array::from_fn(|_| vec![interval]), BTreeSet::new()).expect("valid")
    }

    /// 30-minute slots, 90-minute seatings, 20 covers at once.
    fn settings() -> ReservationSettings {
        ReservationSettings::new(30, 90, 20, 1, 8, 60, 30).expect("valid")
    }

    fn local(ts: Timestamp) -> String {
        berlin().at(ts).strftime("%H:%M%:z").to_string()
    }

    fn early(ts: &str) -> Timestamp {
        ts.parse().expect("timestamp")
    }

    #[test]
    fn settings_whose_booking_would_hold_more_slots_than_a_transaction_fits_are_refused() {
        let refused = ReservationSettings::new(5, 720, 20, 1, 8, 0, 60);
        assert_eq!(refused, Err(ReservationError::SeatingTooLong { seating: 720, slot: 5, slots: 144 }));
        assert!(ReservationSettings::new(5, 480, 20, 1, 8, 0, 60).is_ok(), "96 slots fit");
        assert!(ReservationSettings::new(5, 485, 20, 1, 8, 0, 60).is_err(), "97 do not");
    }

    #[test]
    fn slots_run_from_opening_to_one_seating_before_closing() {
        let slots = settings().slot_starts(date(2026, 11, 23), &hours((18, 0), (21, 0)), &berlin());
        let shown: Vec<String> = slots.into_iter().map(local).collect();
        assert_eq!(shown, ["18:00+01:00", "18:30+01:00", "19:00+01:00", "19:30+01:00"]);
    }

    #[test]
    fn no_slot_falls_in_the_hour_that_spring_skips() {
        // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST.
        let slots = settings().slot_starts(date(2026, 3, 29), &hours((1, 0), (5, 0)), &berlin());
        let shown: Vec<String> = slots.into_iter().map(local).collect();
        assert_eq!(shown, ["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"]);
    }

    #[test]
    fn the_hour_autumn_repeats_is_offered_twice() {
        // 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET.
        let slots = settings().slot_starts(date(2026, 10, 25), &hours((1, 0), (5, 0)), &berlin());
        let shown: Vec<String> = slots.into_iter().map(local).collect();
        assert_eq!(
            shown,
            [
                "01:00+02:00",
                "01:30+02:00",
                "02:00+02:00",
                "02:30+02:00",
                "02:00+01:00",
                "02:30+01:00",
                "03:00+01:00",
                "03:30+01:00"
            ]
        );
    }

    #[test]
    fn an_evening_slot_keeps_its_local_time_across_the_change() {
        let before = settings().slot_starts(date(2026, 3, 28), &hours((18, 0), (21, 0)), &berlin());
        let after = settings().slot_starts(date(2026, 3, 29), &hours((18, 0), (21, 0)), &berlin());
        assert_eq!(local(before[0]), "18:00+01:00");
        assert_eq!(local(after[0]), "18:00+02:00");
        assert_eq!(after[0].duration_since(before[0]), SignedDuration::from_hours(23));
    }

    #[test]
    fn a_booking_occupies_every_slot_its_seating_overlaps() {
        let start = early("2026-11-23T17:00:00Z");
        let occupied = settings().occupied_slots(start);
        assert_eq!(occupied, [start, early("2026-11-23T17:30:00Z"), early("2026-11-23T18:00:00Z")]);
    }

    #[test]
    fn a_slot_is_offered_only_while_every_slot_it_overlaps_has_room() {
        let (s, h, now) = (settings(), hours((18, 0), (21, 0)), early("2026-11-20T12:00:00Z"));
        // 19:00 local (18:00Z) is nearly full: a party of 4 starting 18:00, 18:30 or 19:00 would overlap it.
        let booked = BTreeMap::from([(early("2026-11-23T18:00:00Z"), 18)]);
        let slots = s
            .available_slots(date(2026, 11, 23), 4, &h, &berlin(), DayStart::default(), now, &booked)
            .expect("valid party");
        assert_eq!(slots.into_iter().map(local).collect::<Vec<_>>(), ["19:30+01:00"]);
    }

    #[test]
    fn the_slots_of_a_day_are_those_of_its_day_of_service_from_day_starts_to_the_next() {
        let (s, all_day, now) = (settings(), hours((0, 0), (0, 0)), early("2026-11-20T12:00:00Z"));
        let slots = s
            .available_slots(date(2026, 11, 23), 2, &all_day, &berlin(), DayStart::default(), now, &BTreeMap::new())
            .expect("valid party");
        let days: Vec<String> = slots.iter().map(|t| berlin().at(*t).strftime("%d %H:%M").to_string()).collect();
        assert_eq!(days.first().map(String::as_str), Some("23 05:00"));
        assert_eq!(days.last().map(String::as_str), Some("24 04:30"));
        // Every half hour but 23:00 and 23:30, whose seatings would outlast the calendar day's opening.
        assert_eq!(days.len(), 46);
    }

    #[test]
    fn a_booking_off_the_grid_is_refused() {
        let (s, h, now) = (settings(), hours((18, 0), (21, 0)), early("2026-11-20T12:00:00Z"));
        assert_eq!(
            s.check_booking(early("2026-11-23T17:10:00Z"), 2, &h, &berlin(), now),
            Err(ReservationError::NotASlot)
        );
    }

    #[test]
    fn a_booking_inside_the_lead_time_is_refused() {
        let (s, h) = (settings(), hours((18, 0), (21, 0)));
        let now = early("2026-11-23T16:30:00Z");
        assert_eq!(
            s.check_booking(early("2026-11-23T17:00:00Z"), 2, &h, &berlin(), now),
            Err(ReservationError::TooSoon(60))
        );
    }

    #[test]
    fn a_booking_past_the_horizon_is_refused() {
        let (s, h) = (settings(), hours((18, 0), (21, 0)));
        let now = early("2026-11-01T12:00:00Z");
        assert_eq!(
            s.check_booking(early("2026-12-23T17:00:00Z"), 2, &h, &berlin(), now),
            Err(ReservationError::TooFarAhead(30))
        );
    }

    #[test]
    fn a_party_outside_the_limits_is_refused() {
        assert_eq!(settings().check_party(9), Err(ReservationError::PartySize { min: 1, max: 8 }));
        assert_eq!(settings().check_party(0), Err(ReservationError::PartySize { min: 1, max: 8 }));
    }

    #[test]
    fn settings_with_a_party_larger_than_the_room_are_refused() {
        assert!(ReservationSettings::new(30, 90, 4, 1, 8, 60, 30).is_err());
    }

    fn booking_at(start: Timestamp) -> Reservation {
        let contact =
            Contact { name: Name::parse("Ada").expect("n"), phone: Phone::parse("+49 30 1").expect("p"), email: None };
        let note = Some(Note::parse("window seat, it is my birthday").expect("note"));
        Reservation::new(
            Slug::parse("roma").expect("s"),
            berlin().at(start).date(),
            start,
            2,
            contact,
            note,
            vec![start],
            start,
        )
    }

    #[test]
    fn a_booking_still_to_come_keeps_its_guests_details() {
        let mut booking = booking_at(early("2026-11-23T17:00:00Z"));
        assert_eq!(booking.erase_personal_data(early("2026-11-23T16:00:00Z")), Err(ReservationError::NotFinished));
        assert!(booking.contact.is_some());
    }

    #[test]
    fn a_cancelled_booking_forgets_its_guest_and_note_and_keeps_its_party_and_time() {
        let start = early("2026-11-23T17:00:00Z");
        let mut booking = booking_at(start);
        booking.change_status(ReservationStatus::Cancelled, early("2026-11-23T10:00:00Z")).expect("cancel");
        booking.erase_personal_data(early("2026-11-23T11:00:00Z")).expect("erased");
        assert_eq!((booking.contact.as_ref(), booking.note.as_ref()), (None, None));
        assert_eq!((booking.party, booking.starts_at, booking.version), (2, start, 3));
        assert_eq!(booking.erased_at, Some(early("2026-11-23T11:00:00Z")));
    }

    #[test]
    fn only_a_confirmed_booking_changes_status() {
        let start = early("2026-11-23T17:00:00Z");
        let mut booking = booking_at(start);
        assert_eq!(
            booking.change_status(ReservationStatus::NoShow, early("2026-11-23T16:00:00Z")),
            Err(ReservationError::NotStartedYet)
        );
        booking.change_status(ReservationStatus::Cancelled, start).expect("confirmed → cancelled");
        assert!(matches!(
            booking.change_status(ReservationStatus::Seated, start),
            Err(ReservationError::IllegalTransition { .. })
        ));
    }
}
