//! Paying online: a restaurant's owner connects its own Stripe account; a guest's order paid
//! online waits, unnumbered and off the board, as a checkout until Stripe's webhook confirms the
//! payment (never the guest's return from Stripe's page); one endpoint takes Stripe's events.
//!
//! Stripe may deliver an event late, twice, or before an older one: every event is handled by
//! moving a checkout or an account only from the state it was read in (a second delivery finds
//! the work done), and an event's id is remembered once handled, so a repeat costs one read.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use bistro_domain::ids::{OrderId, Slug};
use bistro_domain::jiff::Timestamp;
use bistro_domain::payment::{
    AccountState, Checkout, CheckoutState, Confirmed, ConnectedAccount, NotServed, PaidWith, ProviderId,
};
use bistro_payments::event::{Event, Happened};
use bistro_store::RepoError;
use bistro_store::repo::Versioned;

use super::{Attempt, missing, retry_stale};
use crate::access::Owner;
use crate::error::{ApiError, ErrorCode};
use crate::extract::Json;
use crate::openapi::problem;
use crate::payments::PaymentSettings;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payments/stripe/events", post(stripe_events))
        .route("/v1/restaurants/{slug}/payments", get(payment_account))
        .route(
            "/v1/restaurants/{slug}/payments/connect",
            post(connect).route_layer(from_fn(crate::publish::after_change)),
        )
        .route(
            "/v1/restaurants/{slug}/payments/refresh",
            post(refresh).route_layer(from_fn(crate::publish::after_change)),
        )
}

pub(crate) fn settings(state: &AppState) -> Result<&PaymentSettings, ApiError> {
    state.payments.as_deref().ok_or(ApiError::Refused {
        code: ErrorCode::PaymentsNotAvailable,
        detail: "this deployment takes no payments online",
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    /// Whether this delivery did anything: `false` for an event handled before, or one Bistro
    /// has no use for.
    pub handled: bool,
}

#[utoipa::path(post, path = "/v1/payments/stripe/events", tag = "payments",
    request_body(content = String, description = "A Stripe event as Stripe sends it, signed in the Stripe-Signature header", content_type = "application/json"),
    params(("Stripe-Signature" = String, Header, description = "t={unix seconds},v1={hex HMAC-SHA256 of t.body}")),
    responses((status = 200, description = "Received (handled now, before, or of no use here)", body = Received),
              (status = 400, description = "No valid signature (invalid_signature): nothing changed", body = crate::error::Problem),
              (status = 403, description = "This deployment takes no payments online", body = crate::error::Problem),
              problem::TooLarge, (status = 502, description = "Stripe failed a call made on the event: Stripe delivers it again", body = crate::error::Problem)))]
/// Stripe's events for the platform's connected accounts. Exempt from the limits per address
/// meant for guests (Stripe sends from few addresses); the signature is its authentication.
pub async fn stripe_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let settings = settings(&state)?;
    let event = settings.verified(&headers, &body).await?;
    if state.repos.payments.seen(&event.id).await? {
        return Ok(Json(Received { handled: false }));
    }
    let handled = handle(&state, settings, &event).await?;
    state.repos.payments.handled(&event.id, Timestamp::now()).await?;
    Ok(Json(Received { handled }))
}

async fn handle(state: &AppState, settings: &PaymentSettings, event: &Event) -> Result<bool, ApiError> {
    let ids = |checkout: &str, restaurant: &str| Some((Slug::parse(restaurant).ok()?, OrderId::parse(checkout).ok()?));
    match event.happened() {
        Happened::CheckoutCompleted { checkout, restaurant, session, intent } => {
            let Some((slug, id)) = ids(&checkout, &restaurant) else { return Ok(false) };
            let (Ok(intent), Some(Ok(account))) =
                (ProviderId::parse(&intent, "pi_"), event.account.as_deref().map(|a| ProviderId::parse(a, "acct_")))
            else {
                return Ok(false);
            };
            confirm(state, settings, &slug, &id, &session, &Paid { intent, account }).await
        }
        Happened::CheckoutExpired { checkout, restaurant, session } => {
            let Some((slug, id)) = ids(&checkout, &restaurant) else { return Ok(false) };
            lapse(state, &slug, &id, &session).await
        }
        Happened::AccountUpdated { account, ready } => {
            let Ok(account) = ProviderId::parse(&account, "acct_") else { return Ok(false) };
            let as_of = Timestamp::from_second(event.created).map_err(|e| ApiError::Internal(e.to_string()))?;
            let word = if ready { AccountState::Ready } else { AccountState::Pending };
            learn(state, &account, word, as_of).await
        }
        Happened::Other => Ok(false),
    }
}

/// A confirmed payment: its intent, on the restaurant's account.
pub(crate) struct Paid {
    pub intent: ProviderId,
    pub account: ProviderId,
}

/// Places the order of a checkout whose payment Stripe confirmed, numbered now; or, if it can no
/// longer be served (sold out, paused, no longer taken), lets the payment go and says why.
pub(crate) async fn confirm(
    state: &AppState,
    settings: &PaymentSettings,
    slug: &Slug,
    id: &OrderId,
    session: &str,
    paid: &Paid,
) -> Result<bool, ApiError> {
    let Some(checkout) = state.repos.payments.checkout(slug, id).await? else { return Ok(false) };
    // Paid on a session the checkout no longer stands on (a retried opening made a new one), or
    // after it was closed: nothing will be served for it, so nothing is taken.
    if checkout.value.session.as_str() != session || checkout.value.state != CheckoutState::Open {
        if checkout.value.state != CheckoutState::Paid || checkout.value.session.as_str() != session {
            release(settings, paid, id).await?;
        }
        return Ok(false);
    }
    let now = Timestamp::now();
    let latest = state.repos.restaurants.latest(slug).await.map_err(missing("restaurant"))?;
    let agreed =
        latest.settings.value.terms(state.held).take_order(&checkout.value.order.kind, checkout.value.wanted(), now);
    let menu = state.repos.menus.menu_as_of(slug, latest.changes).await?;
    let servable = agreed.map_err(|refusal| NotServed::because(&refusal)).and_then(|agreed| {
        checkout.value.still_served(&menu.value)?;
        Ok(agreed)
    });
    let agreed = match servable {
        Ok(agreed) => agreed,
        Err(reason) => {
            release(settings, paid, id).await?;
            return close(state, &checkout, CheckoutState::NotServed(reason)).await;
        }
    };
    let confirmed = Confirmed {
        intent: paid.intent.clone(),
        account: paid.account.clone(),
        method: method_of(settings, paid).await,
    };
    let item = state.repos.payments.paid_item(&checkout)?;
    let placed = state.repos.orders.place_paid(slug, agreed.business_date, item, |_, number| {
        checkout.value.placed(confirmed.clone(), agreed, now, number)
    });
    match placed.await {
        Ok(_) => Ok(true),
        // Another delivery of the event got there first.
        Err(RepoError::StaleVersion) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// How the guest paid, for the receipt: asked of Stripe with the payment. The order is placed
/// without it when Stripe does not say (the money is what matters; the receipt then says "online").
async fn method_of(settings: &PaymentSettings, paid: &Paid) -> Option<PaidWith> {
    let stripe = settings.stripe().await.ok()?;
    match stripe.payment_intent(paid.account.as_str(), paid.intent.as_str()).await {
        Ok(intent) => intent.method().and_then(|m| PaidWith::parse(&m.kind, m.brand.as_deref(), m.last4.as_deref())),
        Err(error) => {
            tracing::warn!(%error, "how a payment was made could not be read");
            None
        }
    }
}

pub(crate) async fn release(settings: &PaymentSettings, paid: &Paid, id: &OrderId) -> Result<(), ApiError> {
    let stripe = settings.stripe().await?;
    let key = format!("release-{id}-{}", paid.intent.as_str());
    match stripe.cancel(paid.account.as_str(), paid.intent.as_str(), &key).await {
        Ok(()) => Ok(()),
        // Already let go (or taken) by an earlier delivery: nothing more to do.
        Err(bistro_payments::StripeError::Refused { status: 400, .. }) => Ok(()),
        Err(other) => Err(ApiError::PaymentProvider(other.to_string())),
    }
}

/// Closes a still-open checkout as `closed`, giving its later slot back.
async fn close(state: &AppState, checkout: &Versioned<Checkout>, closed: CheckoutState) -> Result<bool, ApiError> {
    match state.repos.payments.close(checkout, closed).await {
        Ok(()) => Ok(true),
        Err(RepoError::StaleVersion) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// An unpaid checkout lapsed: it gives its slot back; no number was ever taken.
pub(crate) async fn lapse(state: &AppState, slug: &Slug, id: &OrderId, session: &str) -> Result<bool, ApiError> {
    let Some(checkout) = state.repos.payments.checkout(slug, id).await? else { return Ok(false) };
    if checkout.value.session.as_str() != session || checkout.value.state != CheckoutState::Open {
        return Ok(false);
    }
    close(state, &checkout, CheckoutState::Expired).await
}

/// Stripe's word about a connected account, taken unless an newer word is already known.
async fn learn(state: &AppState, account: &ProviderId, word: AccountState, as_of: Timestamp) -> Result<bool, ApiError> {
    let Some(slug) = state.repos.payments.account_owner(account).await? else { return Ok(false) };
    let changed = update_account(state, &slug, |known| match known {
        Some(known) if known.id == *account => known.learn(word, as_of),
        _ => false,
    })
    .await?;
    if changed {
        crate::publish::republish(state, &slug).await;
    }
    Ok(changed)
}

/// Changes only the restaurant's payment account (`change` says whether it did), over the latest
/// settings: what a manager saved meanwhile is read again, never undone.
async fn update_account(
    state: &AppState,
    slug: &Slug,
    change: impl Fn(&mut Option<ConnectedAccount>) -> bool,
) -> Result<bool, ApiError> {
    let busy = || ApiError::conflict(ErrorCode::StaleVersion, "the restaurant's settings are being changed; try again");
    let change = &change;
    retry_stale((), busy, |(), _| async move {
        let current = state.repos.restaurants.get(slug).await.map_err(missing("restaurant"))?;
        let mut next = current.value;
        if !change(&mut next.payment_account) {
            return Ok(Attempt::Done(false));
        }
        match state.repos.restaurants.update(&next, current.version).await {
            Ok(_) => Ok(Attempt::Done(true)),
            Err(RepoError::StaleVersion) => Ok(Attempt::Stale(())),
            Err(other) => Err(missing("restaurant")(other)),
        }
    })
    .await
}

/// A restaurant's payment account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentAccountView {
    /// Whether this deployment takes money online at all.
    pub available: bool,
    /// `not_connected`, `pending` (Stripe needs more details) or `ready`.
    pub state: AccountStatus,
    /// Where the owner continues on Stripe's pages (after `connect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_url: Option<String>,
    /// What the hourly reconciliation found that needs the owner's look, newest first.
    pub problems: Vec<bistro_domain::reconcile::PaymentProblem>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    NotConnected,
    Pending,
    Ready,
}

async fn view(
    state: &AppState,
    slug: &Slug,
    account: Option<&ConnectedAccount>,
    continue_url: Option<String>,
) -> Result<PaymentAccountView, ApiError> {
    let problems = state.repos.payments.problems(slug).await?;
    let status = match account.map(|a| a.state) {
        None => AccountStatus::NotConnected,
        Some(AccountState::Pending) => AccountStatus::Pending,
        Some(AccountState::Ready) => AccountStatus::Ready,
    };
    Ok(PaymentAccountView { available: state.takes_payments(), state: status, continue_url, problems })
}

#[utoipa::path(get, path = "/v1/restaurants/{slug}/payments", tag = "payments", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, body = PaymentAccountView), problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::TooMany))]
pub async fn payment_account(
    State(state): State<AppState>,
    owner: Owner,
) -> Result<Json<PaymentAccountView>, ApiError> {
    let restaurant = state.repos.restaurants.get(&owner.slug).await.map_err(missing("restaurant"))?;
    Ok(Json(view(&state, &owner.slug, restaurant.value.payment_account.as_ref(), None).await?))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/payments/connect", tag = "payments", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The account, and where the owner continues on Stripe's pages", body = PaymentAccountView),
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::Conflict, problem::TooMany,
              (status = 502, description = "Stripe did not answer: nothing changed", body = crate::error::Problem)))]
/// Connects the restaurant's own Stripe account (made once; a second call continues with the
/// same one) and answers with the link where the owner gives Stripe the account's details.
pub async fn connect(
    State(state): State<AppState>,
    owner: Owner,
    headers: HeaderMap,
) -> Result<Json<PaymentAccountView>, ApiError> {
    let settings = settings(&state)?;
    let stripe = settings.stripe().await?;
    let slug = &owner.slug;
    let current = state.repos.restaurants.get(slug).await.map_err(missing("restaurant"))?;
    let account = match current.value.payment_account {
        Some(account) => account,
        None => {
            let made = stripe
                .create_account(&format!("account-{slug}"))
                .await
                .map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
            let id = ProviderId::parse(&made.id, "acct_").map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
            state.repos.payments.link_account(&id, slug).await?;
            // No word from Stripe yet: any word of Stripe's about the account is newer.
            let account = ConnectedAccount { id, state: AccountState::Pending, as_of: Timestamp::UNIX_EPOCH };
            let made = account.clone();
            update_account(&state, slug, move |known| {
                if known.is_some() {
                    return false;
                }
                *known = Some(made.clone());
                true
            })
            .await?;
            account
        }
    };
    let site = settings.site_for(&headers)?;
    let back = format!("{site}/r/{slug}/manage/settings?payments=back");
    // A link lives a few minutes and opens once: a press within the same minute (a retry) gets the same.
    let key = format!("link-{}-{}", account.id.as_str(), Timestamp::now().as_second() / 60);
    let link = stripe.account_link(account.id.as_str(), &back, &back, &key).await;
    let link = link.map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
    Ok(Json(view(&state, slug, Some(&account), Some(link)).await?))
}

#[utoipa::path(post, path = "/v1/restaurants/{slug}/payments/refresh", tag = "payments", params(("slug" = bistro_domain::ids::Slug, Path)),
    security(("bearer" = ["owner"])),
    responses((status = 200, description = "The account as Stripe says it is now", body = PaymentAccountView),
              problem::Unauthenticated, problem::Forbidden, problem::NotFound, problem::Conflict, problem::TooMany,
              (status = 502, description = "Stripe did not answer: nothing changed", body = crate::error::Problem)))]
/// Asks Stripe how the restaurant's account stands now (the owner is back from Stripe's pages).
pub async fn refresh(State(state): State<AppState>, owner: Owner) -> Result<Json<PaymentAccountView>, ApiError> {
    let settings = settings(&state)?;
    let slug = &owner.slug;
    let current = state.repos.restaurants.get(slug).await.map_err(missing("restaurant"))?;
    let Some(account) = current.value.payment_account else { return Ok(Json(view(&state, slug, None, None).await?)) };
    let asked_at = Timestamp::now();
    let found = settings
        .stripe()
        .await?
        .account(account.id.as_str())
        .await
        .map_err(|e| ApiError::PaymentProvider(e.to_string()))?;
    let word =
        if found.charges_enabled && found.details_submitted { AccountState::Ready } else { AccountState::Pending };
    learn(&state, &account.id, word, asked_at).await?;
    let now = state.repos.restaurants.get(slug).await.map_err(missing("restaurant"))?;
    Ok(Json(view(&state, slug, now.value.payment_account.as_ref(), None).await?))
}
