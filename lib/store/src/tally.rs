//! Counting one client's creations in nested windows (a minute, an hour, a day) in one item, so
//! that each creation costs one write: the rule every engine applies, whatever it stores.

use serde::{Deserialize, Serialize};

/// One window of a tally: which one it is now (`now / length`), and how many it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub window: i64,
    pub limit: u32,
}

/// What a tally did: counted one more, or refused because the tier of this index is full.
pub type Tallied = Result<(), usize>;

/// Whether a tally may start a new item, or counts only under one already started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    AnyItem,
    KnownItem,
}

/// What a tally item holds: each tier's window and its count in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    #[serde(rename = "w")]
    pub windows: [i64; 3],
    #[serde(rename = "c")]
    pub counts: [u32; 3],
}

impl Counts {
    /// The counts after one more creation, or the index of the first tier that is full. A tier
    /// whose window moved on starts again from 0.
    pub fn counted(previous: Option<&Self>, tiers: &[Tier; 3]) -> Result<Self, usize> {
        let mut next = Self::default();
        for (i, tier) in tiers.iter().enumerate() {
            let so_far = previous.filter(|p| p.windows[i] == tier.window).map_or(0, |p| p.counts[i]);
            if so_far >= tier.limit {
                return Err(i);
            }
            next.windows[i] = tier.window;
            next.counts[i] = so_far + 1;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIERS: [Tier; 3] =
        [Tier { window: 10, limit: 2 }, Tier { window: 1, limit: 3 }, Tier { window: 0, limit: 4 }];

    #[test]
    fn a_first_creation_counts_one_in_every_tier() {
        assert_eq!(Counts::counted(None, &TIERS), Ok(Counts { windows: [10, 1, 0], counts: [1, 1, 1] }));
    }

    #[test]
    fn a_full_tier_refuses_and_a_moved_window_starts_again() {
        let full_minute = Counts { windows: [10, 1, 0], counts: [2, 2, 2] };
        assert_eq!(Counts::counted(Some(&full_minute), &TIERS), Err(0));
        let next_minute = [Tier { window: 11, limit: 2 }, TIERS[1], TIERS[2]];
        assert_eq!(
            Counts::counted(Some(&full_minute), &next_minute),
            Ok(Counts { windows: [11, 1, 0], counts: [1, 3, 3] })
        );
    }

    #[test]
    fn the_day_tier_refuses_once_its_limit_is_reached_whatever_the_minute() {
        let day_full = Counts { windows: [9, 0, 0], counts: [1, 1, 4] };
        assert_eq!(
            Counts::counted(Some(&day_full), &[Tier { window: 30, limit: 2 }, Tier { window: 3, limit: 3 }, TIERS[2]]),
            Err(2)
        );
    }
}
