//! Time zones, weekly opening hours and dated closures, all in the restaurant's own local time.
//!
//! Local times become instants only through the time zone database (jiff), so a restaurant that
//! opens at 18:00 opens at 18:00 local on both sides of a daylight-saving change.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HoursError {
    #[error("'{0}' is not an IANA time zone name")]
    UnknownTimeZone(String),
    /// Written for the person editing the hours, who sees it next to the week as it stands.
    #[error("Two openings overlap on {}: an opening past midnight runs into the next day's.", capitalized(.0))]
    Overlap(String),
    #[error("a day has at most {max} opening intervals", max = OpeningHours::MAX_INTERVALS_PER_DAY)]
    TooManyIntervals,
    #[error("at most {max} closure dates", max = OpeningHours::MAX_CLOSURES)]
    TooManyClosures,
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A restaurant's IANA time zone ("Europe/Berlin").
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    pub fn parse(name: &str) -> Result<Self, HoursError> {
        // Offsets and abbreviations ("+02:00", "CET") are not zones: they do not follow DST rules.
        if !name.contains('/') && name != "UTC" {
            return Err(HoursError::UnknownTimeZone(name.to_owned()));
        }
        TimeZone::get(name)
            .map(|tz| Self { name: name.to_owned(), tz })
            .map_err(|_| HoursError::UnknownTimeZone(name.to_owned()))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    pub fn at(&self, instant: Timestamp) -> Zoned {
        instant.to_zoned(self.tz.clone())
    }

    /// The instant a local wall-clock time denotes. In a gap (spring forward) that is the instant
    /// after the gap; in a fold (fall back), the first occurrence: the RFC 5545 "compatible" rule.
    pub fn instant_of(&self, local: DateTime) -> Timestamp {
        self.tz
            .to_ambiguous_timestamp(local)
            .compatible()
            .unwrap_or_else(|_| local.to_zoned(TimeZone::UTC).map_or(Timestamp::MAX, |z| z.timestamp()))
    }

    pub fn today(&self, now: Timestamp) -> Date {
        self.at(now).date()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl TryFrom<String> for Zone {
    type Error = HoursError;
    fn try_from(name: String) -> Result<Self, HoursError> {
        Self::parse(&name)
    }
}

impl From<Zone> for String {
    fn from(zone: Zone) -> String {
        zone.name
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Zone {
    /// The zones of the bundled database that `parse` takes (the same database it reads).
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let names =
            jiff::tz::db().available().map(|name| name.as_str().to_owned()).filter(|name| Zone::parse(name).is_ok());
        crate::schema::one_of(names, "An IANA time zone name (\"Europe/Berlin\").")
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Zone {}

/// Local wall-clock times on the wire: `HH:MM` or `HH:MM:SS`, 24-hour. jiff alone would also read
/// "12", "T1200" or "12:00+01:00" as noon; a restaurant's hours are written one way, and one strict
/// form is what the OpenAPI document can state. Written as jiff writes them ("12:00:00").
pub mod clock {
    use jiff::civil::Time;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub const PATTERN: &str = "^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$";

    pub fn parse(raw: &str) -> Option<Time> {
        let bytes = raw.as_bytes();
        let pair = |at: usize| -> Option<i8> {
            let (tens, ones) = (*bytes.get(at)?, *bytes.get(at + 1)?);
            (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| ((tens - b'0') * 10 + (ones - b'0')) as i8)
        };
        let (hour, minute) = (pair(0)?, pair(3)?);
        let second = match bytes.len() {
            5 => 0,
            8 if bytes[5] == b':' => pair(6)?,
            _ => return None,
        };
        if bytes[2] != b':' || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Time::new(hour, minute, second, 0).ok()
    }

    pub fn serialize<S: Serializer>(time: &Time, serializer: S) -> Result<S::Ok, S::Error> {
        time.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        let raw = String::deserialize(deserializer)?;
        parse(&raw).ok_or_else(|| serde::de::Error::custom(format!("'{raw}' is not a time of day (HH:MM)")))
    }
}

/// When the restaurant's day changes (05:00 unless it says otherwise): an order or booking before
/// it belongs to the day before, so a service running past midnight is one day, numbered and
/// listed together. Counted in local wall-clock time, so a DST change moves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStart(#[serde(with = "clock")] Time);

impl DayStart {
    pub fn new(time: Time) -> Self {
        Self(time)
    }

    pub fn time(self) -> Time {
        self.0
    }

    /// The business day `instant` belongs to in `zone`.
    pub fn day_of(self, instant: Timestamp, zone: &Zone) -> Date {
        let local = zone.at(instant).datetime();
        let since_midnight = SignedDuration::from_secs(
            i64::from(self.0.hour()) * 3600 + i64::from(self.0.minute()) * 60 + i64::from(self.0.second()),
        );
        local.checked_sub(since_midnight).map_or(local.date(), |shifted| shifted.date())
    }
}

impl Default for DayStart {
    fn default() -> Self {
        Self(Time::constant(5, 0, 0, 0))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DayStart {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <crate::schema::LocalTime as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DayStart {}

/// One opening on a day, local times. `closes` at or before `opens` runs past midnight into the
/// next day (a bar open 18:00–02:00); `opens == closes` is open around the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Interval {
    #[serde(with = "clock")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalTime))]
    pub opens: Time,
    /// At or before `opens`: the interval runs past midnight.
    #[serde(with = "clock")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::LocalTime))]
    pub closes: Time,
}

impl Interval {
    pub fn new(opens: Time, closes: Time) -> Self {
        Self { opens, closes }
    }

    fn minutes(self) -> (i32, i32) {
        let start = i32::from(self.opens.hour()) * 60 + i32::from(self.opens.minute());
        let end = i32::from(self.closes.hour()) * 60 + i32::from(self.closes.minute());
        (start, if end <= start { end + 24 * 60 } else { end })
    }

    /// Local start and end when the interval opens on `date`.
    pub fn on(self, date: Date) -> (DateTime, DateTime) {
        let start = date.to_datetime(self.opens);
        let (from, to) = self.minutes();
        let end = start.checked_add(SignedDuration::from_mins(i64::from(to - from))).unwrap_or(start);
        (start, end)
    }
}

/// The intervals of each weekday, Monday first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OpeningHoursRepr", into = "OpeningHoursRepr")]
pub struct OpeningHours {
    weekly: [Vec<Interval>; 7],
    closures: BTreeSet<Date>,
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

impl OpeningHours {
    pub const MAX_INTERVALS_PER_DAY: usize = 6;
    pub const MAX_CLOSURES: usize = 366;

    pub fn new(weekly: [Vec<Interval>; 7], closures: BTreeSet<Date>) -> Result<Self, HoursError> {
        if weekly.iter().any(|day| day.len() > Self::MAX_INTERVALS_PER_DAY) {
            return Err(HoursError::TooManyIntervals);
        }
        if closures.len() > Self::MAX_CLOSURES {
            return Err(HoursError::TooManyClosures);
        }
        // Lay the week out on one circular minute line: any overlap, including an overnight interval
        // running into the next morning's, is a contradiction.
        const WEEK: i32 = 7 * 24 * 60;
        let mut spans: Vec<(i32, i32, usize)> = Vec::new();
        for (day, intervals) in weekly.iter().enumerate() {
            for interval in intervals {
                let (from, to) = interval.minutes();
                let offset = i32::try_from(day).unwrap_or(0) * 24 * 60;
                spans.push((offset + from, offset + to, day));
            }
        }
        spans.sort_unstable();
        let first_next_week = spans.first().map(|&(start, end, day)| (start + WEEK, end + WEEK, day));
        for (current, next) in spans.iter().zip(spans.iter().skip(1).chain(first_next_week.iter())) {
            if current.1 > next.0 {
                return Err(HoursError::Overlap(WEEKDAYS[current.2].1.to_owned()));
            }
        }
        Ok(Self { weekly, closures })
    }

    pub fn intervals(&self, weekday: Weekday) -> &[Interval] {
        &self.weekly[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }

    pub fn closures(&self) -> &BTreeSet<Date> {
        &self.closures
    }

    /// Local start and end of each opening that begins on `date`, none on a closure date.
    pub fn sessions_on(&self, date: Date) -> Vec<(DateTime, DateTime)> {
        if self.closures.contains(&date) {
            return Vec::new();
        }
        self.intervals(date.weekday()).iter().map(|interval| interval.on(date)).collect()
    }

    /// The real instants of the sessions that begin on `date`.
    pub fn instants_on(&self, date: Date, zone: &Zone) -> Vec<(Timestamp, Timestamp)> {
        self.sessions_on(date).into_iter().map(|(start, end)| (zone.instant_of(start), zone.instant_of(end))).collect()
    }

    /// Whether the restaurant is open at `instant`. Yesterday's sessions count too: they may run
    /// past midnight.
    pub fn is_open_at(&self, instant: Timestamp, zone: &Zone) -> bool {
        let today = zone.today(instant);
        [today.yesterday().ok(), Some(today)]
            .into_iter()
            .flatten()
            .flat_map(|date| self.instants_on(date, zone))
            .any(|(start, end)| start <= instant && instant < end)
    }
}

/// The JSON shape: `{"weekly": {"monday": [{"opens": "12:00", "closes": "15:00"}], …}, "closures": […]}`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct OpeningHoursRepr {
    weekly: Week,
    /// Local dates closed all day (holidays).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 366, value_type = Vec<crate::schema::LocalDate>))]
    closures: BTreeSet<Date>,
}

/// Each weekday's openings; a day left out is closed. At most six openings a day, and no two may
/// overlap (an opening past midnight counts into the next day).
#[derive(Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
struct Week {
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    monday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    tuesday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    wednesday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    thursday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    friday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    saturday: Vec<Interval>,
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    sunday: Vec<Interval>,
}

#[cfg(feature = "openapi")]
crate::schema::shaped_as!(OpeningHours, OpeningHoursRepr, "OpeningHours");

impl TryFrom<OpeningHoursRepr> for OpeningHours {
    type Error = String;
    fn try_from(repr: OpeningHoursRepr) -> Result<Self, String> {
        let Week { monday, tuesday, wednesday, thursday, friday, saturday, sunday } = repr.weekly;
        let weekly = [monday, tuesday, wednesday, thursday, friday, saturday, sunday];
        OpeningHours::new(weekly, repr.closures).map_err(|e| e.to_string())
    }
}

impl From<OpeningHours> for OpeningHoursRepr {
    fn from(hours: OpeningHours) -> Self {
        let [monday, tuesday, wednesday, thursday, friday, saturday, sunday] = hours.weekly;
        Self {
            weekly: Week { monday, tuesday, wednesday, thursday, friday, saturday, sunday },
            closures: hours.closures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").expect("a zone")
    }

    fn every_day(intervals: Vec<Interval>) -> OpeningHours {
        OpeningHours::new(std::array::from_fn(|_| intervals.clone()), BTreeSet::new()).expect("valid hours")
    }

    fn instant(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("a timestamp")
    }

    #[test]
    fn an_abbreviation_is_not_a_time_zone() {
        assert!(Zone::parse("CET").is_err());
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn an_evening_opening_follows_local_time_across_the_spring_change() {
        let hours = every_day(vec![Interval::new(time(18, 0, 0, 0), time(22, 0, 0, 0))]);
        // Saturday 2026-03-28 is still CET (UTC+1); Sunday 2026-03-29 is CEST (UTC+2).
        assert!(hours.is_open_at(instant("2026-03-28T20:30:00Z"), &berlin()), "21:30 CET");
        assert!(!hours.is_open_at(instant("2026-03-29T20:30:00Z"), &berlin()), "22:30 CEST");
        assert!(hours.is_open_at(instant("2026-03-29T16:00:00Z"), &berlin()), "18:00 CEST");
        assert!(!hours.is_open_at(instant("2026-03-28T16:30:00Z"), &berlin()), "17:30 CET");
    }

    #[test]
    fn an_evening_opening_follows_local_time_across_the_autumn_change() {
        let hours = every_day(vec![Interval::new(time(18, 0, 0, 0), time(22, 0, 0, 0))]);
        // 2026-10-25 falls back to CET (UTC+1).
        assert!(hours.is_open_at(instant("2026-10-24T16:00:00Z"), &berlin()), "18:00 CEST");
        assert!(!hours.is_open_at(instant("2026-10-25T16:30:00Z"), &berlin()), "17:30 CET");
        assert!(hours.is_open_at(instant("2026-10-25T17:00:00Z"), &berlin()), "18:00 CET");
    }

    #[test]
    fn a_night_through_the_autumn_change_is_one_hour_longer() {
        let hours = every_day(vec![Interval::new(time(22, 0, 0, 0), time(4, 0, 0, 0))]);
        let sessions = hours.instants_on(date(2026, 10, 24), &berlin());
        assert_eq!(sessions.len(), 1);
        let (start, end) = sessions[0];
        assert_eq!(end.duration_since(start), SignedDuration::from_hours(7));
        assert!(hours.is_open_at(instant("2026-10-25T02:30:00Z"), &berlin()), "03:30 CET, after midnight");
    }

    #[test]
    fn a_night_through_the_spring_change_is_one_hour_shorter() {
        let hours = every_day(vec![Interval::new(time(22, 0, 0, 0), time(4, 0, 0, 0))]);
        let (start, end) = hours.instants_on(date(2026, 3, 28), &berlin())[0];
        assert_eq!(end.duration_since(start), SignedDuration::from_hours(5));
    }

    #[test]
    fn a_closure_date_closes_the_whole_day() {
        let mut hours = every_day(vec![Interval::new(time(12, 0, 0, 0), time(22, 0, 0, 0))]);
        hours.closures.insert(date(2026, 12, 25));
        assert!(!hours.is_open_at(instant("2026-12-25T13:00:00Z"), &berlin()));
        assert!(hours.is_open_at(instant("2026-12-26T13:00:00Z"), &berlin()));
    }

    #[test]
    fn overlapping_intervals_are_refused() {
        let mut weekly: [Vec<Interval>; 7] = Default::default();
        weekly[0] = vec![
            Interval::new(time(12, 0, 0, 0), time(15, 0, 0, 0)),
            Interval::new(time(14, 0, 0, 0), time(18, 0, 0, 0)),
        ];
        assert_eq!(OpeningHours::new(weekly, BTreeSet::new()), Err(HoursError::Overlap("monday".into())));
    }

    #[test]
    fn an_overnight_interval_may_not_run_into_the_next_morning() {
        let mut weekly: [Vec<Interval>; 7] = Default::default();
        weekly[6] = vec![Interval::new(time(20, 0, 0, 0), time(3, 0, 0, 0))];
        weekly[0] = vec![Interval::new(time(2, 0, 0, 0), time(5, 0, 0, 0))];
        assert!(OpeningHours::new(weekly, BTreeSet::new()).is_err());
    }

    #[test]
    fn opening_hours_round_trip_through_json() {
        let hours = every_day(vec![Interval::new(time(11, 30, 0, 0), time(14, 30, 0, 0))]);
        let json = serde_json::to_string(&hours).expect("serializes");
        assert!(json.contains("\"monday\":[{\"opens\":\"11:30:00\",\"closes\":\"14:30:00\"}]"), "{json}");
        assert_eq!(serde_json::from_str::<OpeningHours>(&json).expect("parses"), hours);
    }

    #[test]
    fn a_misspelt_weekday_is_refused() {
        let json = r#"{"weekly": {"mondey": []}}"#;
        assert!(serde_json::from_str::<OpeningHours>(json).is_err());
    }
}
