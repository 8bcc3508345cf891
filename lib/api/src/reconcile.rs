//! The reconciliation, run every hour (a scheduled function on AWS, a task of the local server):
//! it asks Stripe for the checkouts of the last three hours on each connected account and sets each
//! against what Bistro recorded. A confirmation or a lapse Stripe could not deliver is handled
//! as the webhook would have; money held for nothing is let go; what cannot be mended (money
//! taken for no order, an order recorded as paid that Stripe says is not) is kept for the owner,
//! who sees it on the payments settings.
//!
//! Only checkouts Bistro opened are judged (their metadata names the restaurant and checkout): a
//! restaurant's own Stripe account may take other payments that are none of Bistro's business.

use bistro_domain::ids::{OrderId, Slug};
use bistro_domain::jiff::{SignedDuration, Timestamp};
use bistro_domain::money::{Currency, Money};
use bistro_domain::payment::{CheckoutState, ProviderId};
use bistro_domain::reconcile::{Finding, MoneySaid, PaymentProblem, ProblemKind, Recorded, SessionSaid, judge};
use bistro_payments::client::ListedSession;
use bistro_store::RepoError;
use serde::Serialize;

use crate::error::ApiError;
use crate::payments::PaymentSettings;
use crate::routes::payments::{Paid, confirm, lapse, release, settings};
use crate::state::AppState;

/// How far back each run looks. A checkout is paid or lapses within 31 minutes of being opened,
/// so each is judged by two or three runs once it is done: one run may fail or be missed without
/// losing it, and each checkout costs three judgements rather than a day's worth (Stripe itself
/// retries a failed webhook for three days besides).
pub const LOOK_BACK: SignedDuration = SignedDuration::from_hours(3);

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub accounts: u32,
    pub sessions: u32,
    /// Confirmations and lapses handled late, and money held for nothing let go.
    pub mended: u32,
    /// Problems found for the first time and kept for their owners.
    pub reported: u32,
    /// Accounts or checkouts that could not be judged (Stripe or the store failed): the next
    /// run tries again.
    pub failed: u32,
}

enum Outcome {
    Fine,
    Mended,
    Reported,
}

/// One run over every connected account, as of `now`.
pub async fn reconcile(state: &AppState, now: Timestamp) -> Result<Reconciled, ApiError> {
    let settings = settings(state)?;
    let stripe = settings.stripe().await?;
    let since = now.checked_sub(LOOK_BACK).map_err(|e| ApiError::Internal(e.to_string()))?.as_second();
    let mut done = Reconciled::default();
    for (account, slug) in state.repos.payments.accounts().await? {
        done.accounts += 1;
        let sessions = match stripe.recent_sessions(account.as_str(), since).await {
            Ok(sessions) => sessions,
            Err(error) => {
                tracing::warn!(%error, %slug, "the reconciliation could not list an account's checkouts");
                done.failed += 1;
                continue;
            }
        };
        for session in &sessions {
            done.sessions += 1;
            match judged(state, settings, &account, &slug, session, now).await {
                Ok(Outcome::Fine) => {}
                Ok(Outcome::Mended) => done.mended += 1,
                Ok(Outcome::Reported) => done.reported += 1,
                Err(error) => {
                    tracing::warn!(%error, %slug, session = %session.id, "the reconciliation could not judge a checkout");
                    done.failed += 1;
                }
            }
        }
    }
    Ok(done)
}

/// Judges one of Stripe's checkouts and does what the finding asks.
async fn judged(
    state: &AppState,
    settings: &PaymentSettings,
    account: &ProviderId,
    slug: &Slug,
    session: &ListedSession,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    let meta = |key: &str| session.metadata.get(key).map(String::as_str);
    let ours = meta("restaurant") == Some(slug.as_str());
    let Some(id) = meta("checkout").filter(|_| ours).and_then(|id| OrderId::parse(id).ok()) else {
        return Ok(Outcome::Fine);
    };
    let intent = session.payment_intent.as_ref();
    let paid = intent
        .and_then(|i| ProviderId::parse(&i.id, "pi_").ok())
        .map(|intent| Paid { intent, account: account.clone() });
    let (recorded, order) = recorded(state, slug, &id, session).await?;
    match judge(said(session), recorded) {
        Finding::Fine => Ok(Outcome::Fine),
        Finding::Lapse => Ok(if lapse(state, slug, &id, &session.id).await? { Outcome::Mended } else { Outcome::Fine }),
        Finding::Confirm => {
            let Some(paid) = paid else { return Ok(Outcome::Fine) };
            confirm(state, settings, slug, &id, &session.id, &paid).await?;
            Ok(Outcome::Mended)
        }
        Finding::Release => {
            let Some(paid) = paid else { return Ok(Outcome::Fine) };
            release(settings, &paid, &id).await?;
            Ok(Outcome::Mended)
        }
        Finding::Report(kind) => {
            let held = intent.is_some_and(|i| i.status == "requires_capture");
            let released = match (&paid, kind == ProblemKind::PaidWithoutOrder && held) {
                (Some(paid), true) => release(settings, paid, &id).await.is_ok(),
                _ => false,
            };
            let problem = PaymentProblem {
                kind,
                session: ProviderId::parse(&session.id, "cs_").map_err(|e| ApiError::PaymentProvider(e.to_string()))?,
                amount: amount(session),
                number: order.map(|(number, _)| number),
                business_day: order.map(|(_, day)| day),
                released,
                found_at: now,
            };
            let new = state.repos.payments.report(slug, &problem).await?;
            if new {
                tracing::warn!(%slug, session = %session.id, ?kind, released, "a payment needs its owner's look");
            }
            Ok(if new { Outcome::Reported } else { Outcome::Fine })
        }
    }
}

/// What Bistro recorded of the checkout `id` that Stripe's `session` is for, and the order's
/// number and business day where one was placed from it.
async fn recorded(
    state: &AppState,
    slug: &Slug,
    id: &OrderId,
    session: &ListedSession,
) -> Result<(Recorded, Option<(u32, bistro_domain::jiff::civil::Date)>), ApiError> {
    let checkout = state.repos.payments.checkout(slug, id).await?;
    if let Some(checkout) = &checkout
        && checkout.value.state != CheckoutState::Paid
    {
        let same_session = checkout.value.session.as_str() == session.id;
        return Ok((Recorded::Checkout { state: checkout.value.state, same_session }, None));
    }
    // Placed (or its checkout since forgotten): the order says what it recorded.
    let order = match state.repos.orders.get(slug, id).await {
        Ok(order) => order,
        Err(RepoError::NotFound) => return Ok((Recorded::Nothing, None)),
        Err(other) => return Err(other.into()),
    };
    let placed = Some((order.number, order.business_date));
    let intent = session.payment_intent.as_ref().map(|i| i.id.as_str());
    match order.payment {
        Some(payment) if Some(payment.intent.as_str()) == intent => Ok((Recorded::Order(payment.state), placed)),
        // Paid on a session the order was not placed from (a retried opening): money for nothing.
        _ => Ok((Recorded::Checkout { state: CheckoutState::Paid, same_session: false }, placed)),
    }
}

fn said(session: &ListedSession) -> SessionSaid {
    match session.status.as_deref() {
        Some("complete") => SessionSaid::Complete(match session.payment_intent.as_ref().map(|i| i.status.as_str()) {
            Some("requires_capture") => MoneySaid::Held,
            Some("succeeded") => MoneySaid::Taken,
            Some("canceled") => MoneySaid::LetGo,
            _ => MoneySaid::Pending,
        }),
        Some("expired") => SessionSaid::Expired,
        _ => SessionSaid::Open,
    }
}

fn amount(session: &ListedSession) -> Option<Money> {
    let currency = Currency::parse(&session.currency.as_deref()?.to_uppercase()).ok()?;
    Some(Money::new(session.amount_total?, currency))
}
