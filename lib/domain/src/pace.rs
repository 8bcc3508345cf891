//! How fast the kitchen takes new orders now, set from the board in the middle of service: a
//! pause (until a time, or until someone resumes), and a busy delay added to what new orders
//! are promised. Orders already placed keep their promises.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a busy delay is 0 to {max} minutes", max = Pace::MAX_BUSY_MINUTES)]
pub struct PaceError;

/// A pause of new orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// When new orders are taken again; absent: until someone resumes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Instant>))]
    pub until: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, try_from = "PaceRepr")]
pub struct Pace {
    /// New orders, now and for later, are refused while a pause lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Pause>,
    /// Minutes added to the time each new order is promised for (0 to 120).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 120))]
    pub busy_minutes: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaceRepr {
    #[serde(default)]
    pause: Option<Pause>,
    #[serde(default)]
    busy_minutes: u16,
}

impl TryFrom<PaceRepr> for Pace {
    type Error = PaceError;
    fn try_from(repr: PaceRepr) -> Result<Self, PaceError> {
        Self::new(repr.pause, repr.busy_minutes)
    }
}

impl Pace {
    pub const MAX_BUSY_MINUTES: u16 = 120;

    pub fn new(pause: Option<Pause>, busy_minutes: u16) -> Result<Self, PaceError> {
        if busy_minutes > Self::MAX_BUSY_MINUTES {
            return Err(PaceError);
        }
        Ok(Self { pause, busy_minutes })
    }

    /// The pause in force at `now`, if any (one whose time has come is over).
    pub fn paused_at(&self, now: Timestamp) -> Option<Pause> {
        self.pause.filter(|pause| pause.until.is_none_or(|until| now < until))
    }

    /// What a new order made now for as soon as possible is delayed by.
    pub fn delay(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.busy_minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("timestamp")
    }

    #[test]
    fn a_pause_lasts_until_its_time_or_until_resumed() {
        let until = Pace::new(Some(Pause { until: Some(at("2026-12-07T19:30:00Z")) }), 0).expect("pace");
        assert!(until.paused_at(at("2026-12-07T19:29:59Z")).is_some());
        assert!(until.paused_at(at("2026-12-07T19:30:00Z")).is_none(), "over at its time");
        let open_ended = Pace::new(Some(Pause { until: None }), 0).expect("pace");
        assert!(open_ended.paused_at(at("2030-01-01T00:00:00Z")).is_some());
        assert!(Pace::default().paused_at(at("2026-12-07T19:00:00Z")).is_none());
    }

    #[test]
    fn a_busy_delay_is_bounded() {
        assert_eq!(Pace::new(None, 20).map(|p| p.delay()), Ok(SignedDuration::from_mins(20)));
        assert_eq!(Pace::new(None, 121), Err(PaceError));
        assert!(serde_json::from_str::<Pace>(r#"{"busy_minutes": 500}"#).is_err());
    }
}
