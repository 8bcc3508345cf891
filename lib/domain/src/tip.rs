//! Tips a restaurant invites when a guest pays online: for which ways of ordering, the shares
//! offered, and whether a guest may write an amount of their own. A tip is added to what is
//! authorized and taken with the order; the platform takes no fee on it (it is the staff's).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::Money;
use crate::order::OrderKind;
use crate::payment::PayBy;

/// A restaurant's tips: offered nowhere unless it says so.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tips {
    #[serde(default)]
    pub dine_in: bool,
    #[serde(default)]
    pub pickup: bool,
    #[serde(default)]
    pub delivery: bool,
    /// The shares offered, in percent of the order's total.
    #[serde(default)]
    pub percents: TipPercents,
    /// Whether a guest may write an amount of their own.
    #[serde(default)]
    pub any_amount: bool,
}

/// At most four shares, each 1 to 50 percent, each once, smallest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = Vec<u8>))]
#[serde(try_from = "Vec<u8>", into = "Vec<u8>")]
pub struct TipPercents(Vec<u8>);

impl Default for TipPercents {
    fn default() -> Self {
        Self(vec![5, 10, 15])
    }
}

impl TryFrom<Vec<u8>> for TipPercents {
    type Error = TipError;
    fn try_from(mut percents: Vec<u8>) -> Result<Self, TipError> {
        percents.sort_unstable();
        let unique = percents.windows(2).all(|pair| pair[0] != pair[1]);
        if percents.len() > 4 || !unique || percents.iter().any(|p| !(1..=50).contains(p)) {
            return Err(TipError::InvalidPercents);
        }
        Ok(Self(percents))
    }
}

impl From<TipPercents> for Vec<u8> {
    fn from(percents: TipPercents) -> Self {
        percents.0
    }
}

/// The tip a guest chooses: one of the shares offered, or an amount of their own (in the minor
/// units of the order's currency) where the restaurant allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TipWish {
    Percent(u8),
    Amount(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TipError {
    #[error("tips are offered as at most four different shares, each from 1 to 50 percent")]
    InvalidPercents,
    #[error("this restaurant takes no tip online for this way of ordering")]
    NotOffered,
    #[error("a tip is added only when paying online")]
    OnlineOnly,
    #[error("a tip is one of the shares offered")]
    NotAnOfferedShare,
    #[error("this restaurant takes a tip as one of the shares it offers, not an amount of the guest's own")]
    NoAmountOfOwn,
    #[error("a tip is more than nothing and at most the order's total ({max})")]
    Amount { max: Money },
}

impl Tips {
    /// Whether a guest ordering this way is invited to tip.
    pub fn offered(&self, kind: &OrderKind) -> bool {
        match kind {
            OrderKind::DineIn { .. } => self.dine_in,
            OrderKind::Pickup => self.pickup,
            OrderKind::Delivery { .. } => self.delivery,
        }
    }

    /// `percent` of `total`, rounded half up to the minor unit.
    pub fn share(total: Money, percent: u8) -> Money {
        Money::new((total.minor * i64::from(percent) + 50) / 100, total.currency)
    }

    /// The tip a guest adds to an order of `kind` totalling `total`, paid `pay`: nothing, one of
    /// the shares offered, or (where allowed) an amount of their own up to the total.
    pub fn take(
        &self,
        kind: &OrderKind,
        pay: PayBy,
        total: Money,
        wish: Option<TipWish>,
    ) -> Result<Option<Money>, TipError> {
        let Some(wish) = wish.filter(|w| !matches!(w, TipWish::Amount(0) | TipWish::Percent(0))) else {
            return Ok(None);
        };
        if pay != PayBy::Online {
            return Err(TipError::OnlineOnly);
        }
        if !self.offered(kind) {
            return Err(TipError::NotOffered);
        }
        let tip = match wish {
            TipWish::Percent(percent) if self.percents.0.contains(&percent) => Self::share(total, percent),
            TipWish::Percent(_) => return Err(TipError::NotAnOfferedShare),
            TipWish::Amount(_) if !self.any_amount => return Err(TipError::NoAmountOfOwn),
            TipWish::Amount(minor) => Money::new(minor, total.currency),
        };
        if tip.minor < 0 || tip.minor > total.minor {
            return Err(TipError::Amount { max: total });
        }
        Ok(Some(tip).filter(|tip| tip.minor > 0))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap())
    }

    fn delivery_tips(any_amount: bool) -> Tips {
        Tips { delivery: true, any_amount, ..Tips::default() }
    }

    fn delivery() -> OrderKind {
        OrderKind::Delivery { address: None, postcode: None }
    }

    #[test]
    fn a_share_is_the_total_times_the_percent_rounded_half_up() {
        assert_eq!(Tips::share(eur(2_150), 5), eur(108));
        assert_eq!(Tips::share(eur(2_150), 15), eur(323));
    }

    #[test]
    fn a_guest_chooses_one_of_the_shares_offered_and_no_other() {
        let tips = delivery_tips(false);
        let take = |wish| tips.take(&delivery(), PayBy::Online, eur(2_150), Some(wish));
        assert_eq!(take(TipWish::Percent(10)), Ok(Some(eur(215))));
        assert_eq!(take(TipWish::Percent(12)), Err(TipError::NotAnOfferedShare));
        assert_eq!(take(TipWish::Amount(200)), Err(TipError::NoAmountOfOwn));
    }

    #[test]
    fn an_amount_of_the_guests_own_is_taken_where_the_restaurant_allows_it() {
        let tips = delivery_tips(true);
        assert_eq!(tips.take(&delivery(), PayBy::Online, eur(2_150), Some(TipWish::Amount(200))), Ok(Some(eur(200))));
    }

    #[test]
    fn no_tip_is_taken_where_it_is_not_offered_or_not_paid_online() {
        let tips = delivery_tips(true);
        let amount = Some(TipWish::Amount(100));
        assert_eq!(tips.take(&OrderKind::Pickup, PayBy::Online, eur(1_000), amount), Err(TipError::NotOffered));
        assert_eq!(tips.take(&delivery(), PayBy::AtRestaurant, eur(1_000), amount), Err(TipError::OnlineOnly));
        assert_eq!(tips.take(&OrderKind::Pickup, PayBy::AtRestaurant, eur(1_000), Some(TipWish::Amount(0))), Ok(None));
    }

    #[test]
    fn a_tip_is_never_negative_nor_more_than_the_order() {
        let tips = delivery_tips(true);
        for bad in [-1, 1_001] {
            assert_eq!(
                tips.take(&delivery(), PayBy::Online, eur(1_000), Some(TipWish::Amount(bad))),
                Err(TipError::Amount { max: eur(1_000) })
            );
        }
    }

    #[test]
    fn shares_are_at_most_four_each_once_between_one_and_fifty_percent() {
        for bad in [vec![0], vec![51], vec![5, 5], vec![1, 2, 3, 4, 5]] {
            assert_eq!(TipPercents::try_from(bad), Err(TipError::InvalidPercents));
        }
        assert_eq!(Vec::from(TipPercents::try_from(vec![15, 5]).unwrap()), vec![5, 15]);
    }
}
