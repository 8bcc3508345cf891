//! Reconciliation: what the payment provider says of each recent checkout, set against what
//! Bistro recorded, decides what is mended (a lost confirmation placed late, a lost lapse closed,
//! money held for nothing let go) and what is reported to the owner (money taken for no order,
//! an order recorded as paid that the provider says is not).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::payment::{CheckoutState, PaymentState, ProviderId};

/// Where the provider says a checkout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSaid {
    /// The guest has not paid yet.
    Open,
    /// The guest paid: the money is `money`.
    Complete(MoneySaid),
    /// Lapsed unpaid.
    Expired,
}

/// Where the provider says a payment's money stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneySaid {
    /// Held for the restaurant, not yet taken.
    Held,
    Taken,
    LetGo,
    /// On its way (a bank still deciding): judged on a later run.
    Pending,
}

/// What Bistro recorded of the same checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Nothing,
    /// A checkout not (or no longer) placed; `same_session` when it stands on this session.
    Checkout {
        state: CheckoutState,
        same_session: bool,
    },
    /// The order placed from it, with its payment where Bistro has it.
    Order(PaymentState),
}

/// What to do about one checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Fine,
    /// The confirmation was lost: handle it as the webhook would (place, or let the money go).
    Confirm,
    /// The lapse was lost: close the checkout and give its slot back.
    Lapse,
    /// Money held for an order that was not served: let it go.
    Release,
    Report(ProblemKind),
}

/// Something the owner should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A guest's money taken (or held) with no order recorded for it.
    PaidWithoutOrder,
    /// An order recorded as paid whose payment the provider says was let go or never taken.
    OrderNotPaid,
}

/// Decides what one checkout needs.
pub fn judge(said: SessionSaid, recorded: Recorded) -> Finding {
    use Finding::*;
    use MoneySaid::*;
    match (said, recorded) {
        (SessionSaid::Expired, Recorded::Checkout { state: CheckoutState::Open, same_session: true }) => Lapse,
        (SessionSaid::Open | SessionSaid::Expired, _) | (SessionSaid::Complete(Pending), _) => Fine,
        (SessionSaid::Complete(Held), Recorded::Nothing) => Report(ProblemKind::PaidWithoutOrder),
        (SessionSaid::Complete(Taken), Recorded::Nothing) => Report(ProblemKind::PaidWithoutOrder),
        (SessionSaid::Complete(LetGo), Recorded::Nothing) => Fine,
        (SessionSaid::Complete(money), Recorded::Checkout { state, .. }) => match (state, money) {
            (CheckoutState::Open, _) | (_, Held) => Confirm,
            (_, Taken) => Report(ProblemKind::PaidWithoutOrder),
            _ => Fine,
        },
        (SessionSaid::Complete(money), Recorded::Order(ours)) => match (ours, money) {
            (PaymentState::Authorized, Held | Taken) | (PaymentState::Captured, Taken) => Fine,
            (PaymentState::Released, LetGo) => Fine,
            (PaymentState::Released, Held) => Release,
            (PaymentState::Released, Taken) => Report(ProblemKind::PaidWithoutOrder),
            _ => Report(ProblemKind::OrderNotPaid),
        },
    }
}

/// A problem as the owner is shown it: kept once, from the run that first found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentProblem {
    pub kind: ProblemKind,
    /// The provider's checkout it is about (`cs_…`): what to look for on the provider's pages.
    pub session: ProviderId,
    /// What the guest paid, where the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// The order's number and business day, where there is an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::LocalDate>))]
    pub business_day: Option<Date>,
    /// Whether the money, held for nothing, was let go (the guest is not charged).
    pub released: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Instant))]
    pub found_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_HERE: Recorded = Recorded::Checkout { state: CheckoutState::Open, same_session: true };

    #[test]
    fn a_paid_checkout_still_open_here_lost_its_confirmation_and_is_confirmed() {
        assert_eq!(judge(SessionSaid::Complete(MoneySaid::Held), OPEN_HERE), Finding::Confirm);
    }

    #[test]
    fn a_lapsed_checkout_still_open_here_lost_its_lapse_and_is_closed() {
        assert_eq!(judge(SessionSaid::Expired, OPEN_HERE), Finding::Lapse);
        let elsewhere = Recorded::Checkout { state: CheckoutState::Open, same_session: false };
        assert_eq!(
            judge(SessionSaid::Expired, elsewhere),
            Finding::Fine,
            "a retried opening stands on a newer session"
        );
    }

    #[test]
    fn money_with_no_checkout_or_order_here_is_reported() {
        for money in [MoneySaid::Held, MoneySaid::Taken] {
            assert_eq!(
                judge(SessionSaid::Complete(money), Recorded::Nothing),
                Finding::Report(ProblemKind::PaidWithoutOrder)
            );
        }
        assert_eq!(judge(SessionSaid::Complete(MoneySaid::LetGo), Recorded::Nothing), Finding::Fine);
    }

    #[test]
    fn an_order_recorded_as_taken_whose_money_was_let_go_is_reported() {
        for ours in [PaymentState::Captured, PaymentState::Authorized] {
            assert_eq!(
                judge(SessionSaid::Complete(MoneySaid::LetGo), Recorded::Order(ours)),
                Finding::Report(ProblemKind::OrderNotPaid)
            );
        }
        assert_eq!(
            judge(SessionSaid::Complete(MoneySaid::Held), Recorded::Order(PaymentState::Captured)),
            Finding::Report(ProblemKind::OrderNotPaid)
        );
    }

    #[test]
    fn money_still_held_for_an_order_not_served_is_let_go() {
        assert_eq!(
            judge(SessionSaid::Complete(MoneySaid::Held), Recorded::Order(PaymentState::Released)),
            Finding::Release
        );
    }

    #[test]
    fn what_agrees_or_is_still_on_its_way_is_left_alone() {
        assert_eq!(
            judge(SessionSaid::Complete(MoneySaid::Taken), Recorded::Order(PaymentState::Captured)),
            Finding::Fine
        );
        assert_eq!(judge(SessionSaid::Complete(MoneySaid::Pending), Recorded::Nothing), Finding::Fine);
        assert_eq!(judge(SessionSaid::Open, OPEN_HERE), Finding::Fine);
    }
}
