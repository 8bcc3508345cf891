//! A small client of the Stripe calls Bistro makes, over HTTPS that trusts Stripe's own root
//! certificate authorities only (`certs/stripe-roots.pem`; the AWS clients trust Amazon's, so
//! neither store need hold the other's). Every create carries an idempotency key, so a retried
//! request is answered with the first one's result; calls for a restaurant carry its connected
//! account (`Stripe-Account`): the charge is the restaurant's own. The base address is a setting
//! so that tests and the demo talk to the fake Stripe on loopback.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Stripe's root certificate authorities, as Stripe's own library ships them.
pub const STRIPE_ROOTS: &str = include_str!("../certs/stripe-roots.pem");

/// Where Stripe's API is.
pub const STRIPE_API: &str = "https://api.stripe.com";

/// A Stripe secret API key: never printed.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_owned())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    /// Stripe answered with an error (its type and message).
    #[error("Stripe refused the call ({status}): {kind}: {message}")]
    Refused { status: u16, kind: String, message: String },
    #[error("Stripe's answer could not be read: {0}")]
    Unreadable(String),
    #[error("the trust store could not be built: {0}")]
    Tls(String),
}

/// A connected account as Stripe reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub charges_enabled: bool,
    #[serde(default)]
    pub details_submitted: bool,
}

/// A hosted Checkout Session: where the guest pays.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    pub url: Option<String>,
    pub status: Option<String>,
    pub payment_intent: Option<String>,
}

/// A payment (PaymentIntent) as Stripe reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Intent {
    pub id: String,
    /// `requires_capture` (authorized), `succeeded` (taken), `canceled` (let go), or on the way.
    pub status: String,
    pub amount: i64,
    #[serde(default)]
    pub metadata: std::collections::BTreeMap<String, String>,
    /// The charge, whole when asked for (`expand`), else its id.
    #[serde(default)]
    latest_charge: Option<serde_json::Value>,
}

/// A Checkout Session as Stripe lists it, with its payment read along (`expand`).
#[derive(Debug, Clone, Deserialize)]
pub struct ListedSession {
    pub id: String,
    /// `open`, `complete` (paid, or authorized) or `expired`.
    pub status: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub metadata: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub payment_intent: Option<Intent>,
    pub created: i64,
}

#[derive(Debug, Deserialize)]
struct Listed<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

/// The most sessions one reconciliation reads of an account (100 a page).
const MOST_LISTED: usize = 5_000;

/// How a guest paid, as Stripe names it: the method's type, and a card's brand and last digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub kind: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
}

impl Intent {
    /// How the guest paid, where the charge was read with it.
    pub fn method(&self) -> Option<Method> {
        let details = self.latest_charge.as_ref()?.get("payment_method_details")?;
        let kind = details.get("type")?.as_str()?.to_owned();
        let card = details.get(&kind);
        let text = |field: &str| card.and_then(|c| c.get(field)).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Method { brand: text("brand"), last4: text("last4"), kind })
    }
}

/// One line of a hosted checkout: what the guest sees they pay for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    /// In the currency's smallest unit, as Stripe counts it.
    pub unit_amount: i64,
    pub quantity: u32,
}

/// What a hosted checkout is opened with.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Lowercase ISO code, as Stripe writes currencies.
    pub currency: &'a str,
    pub lines: &'a [Line],
    pub application_fee: i64,
    pub expires_at: i64,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// Stripe keeps these on the session and sends them back in its events.
    pub metadata: &'a [(&'a str, &'a str)],
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    message: String,
}

/// The client: built once per process (building the trust store is its only cost).
#[derive(Debug, Clone)]
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    key: ApiKey,
}

impl Stripe {
    /// A client of the API at `base` (`STRIPE_API`, or a fake's loopback address).
    pub fn new(base: &str, key: ApiKey) -> Result<Self, StripeError> {
        let roots = reqwest::Certificate::from_pem_bundle(STRIPE_ROOTS.as_bytes())
            .map_err(|e| StripeError::Tls(e.to_string()))?;
        let mut http = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .https_only(!is_loopback(base))
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(20));
        for root in roots {
            http = http.add_root_certificate(root);
        }
        let http = http.build().map_err(|e| StripeError::Tls(e.to_string()))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned(), key })
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
        account: Option<&str>,
        idempotency: Option<&str>,
    ) -> Result<T, StripeError> {
        let mut request = request.bearer_auth(&self.key.0).header("Stripe-Version", API_VERSION);
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        if let Some(key) = idempotency {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| StripeError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            let detail = serde_json::from_slice::<ErrorBody>(&body).map(|b| b.error).unwrap_or(ErrorDetail {
                kind: "unknown".into(),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
            });
            return Err(StripeError::Refused { status: status.as_u16(), kind: detail.kind, message: detail.message });
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Unreadable(e.to_string()))
    }

    fn post(&self, path: &str, form: &[(String, String)]) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base)).form(form)
    }

    /// A new Standard account for a restaurant (`idempotency`: one per restaurant).
    pub async fn create_account(&self, idempotency: &str) -> Result<Account, StripeError> {
        let form = pairs(&[("type", "standard")]);
        self.call(self.post("/v1/accounts", &form), None, Some(idempotency)).await
    }

    pub async fn account(&self, id: &str) -> Result<Account, StripeError> {
        self.call(self.http.get(format!("{}/v1/accounts/{id}", self.base)), None, None).await
    }

    /// Where the restaurant's owner finishes connecting the account on Stripe's own pages
    /// (`idempotency`: one link per owner's press, so a retried press gets the same link).
    pub async fn account_link(
        &self,
        account: &str,
        refresh_url: &str,
        return_url: &str,
        idempotency: &str,
    ) -> Result<String, StripeError> {
        #[derive(Deserialize)]
        struct Link {
            url: String,
        }
        let form = pairs(&[
            ("account", account),
            ("refresh_url", refresh_url),
            ("return_url", return_url),
            ("type", "account_onboarding"),
        ]);
        let link: Link = self.call(self.post("/v1/account_links", &form), None, Some(idempotency)).await?;
        Ok(link.url)
    }

    /// Opens a hosted checkout on `account`, authorizing only (captured when the kitchen accepts).
    pub async fn create_session(
        &self,
        account: &str,
        new: &NewSession<'_>,
        idempotency: &str,
    ) -> Result<Session, StripeError> {
        let form = session_form(new);
        self.call(self.post("/v1/checkout/sessions", &form), Some(account), Some(idempotency)).await
    }

    /// Ends an unpaid checkout now (the guest can no longer pay on it).
    pub async fn expire_session(&self, account: &str, session: &str) -> Result<Session, StripeError> {
        let path = format!("/v1/checkout/sessions/{session}/expire");
        self.call(self.post(&path, &[]), Some(account), None).await
    }

    /// A payment on `account`, with its charge (how the guest paid).
    pub async fn payment_intent(&self, account: &str, intent: &str) -> Result<Intent, StripeError> {
        let url = format!("{}/v1/payment_intents/{intent}", self.base);
        self.call(self.http.get(url).query(&[("expand[]", "latest_charge")]), Some(account), None).await
    }

    /// The Checkout Sessions opened on `account` since `since` (Unix seconds), newest first, each
    /// with its payment.
    pub async fn recent_sessions(&self, account: &str, since: i64) -> Result<Vec<ListedSession>, StripeError> {
        let mut sessions: Vec<ListedSession> = Vec::new();
        loop {
            let mut query = vec![
                ("created[gte]", since.to_string()),
                ("limit", "100".to_owned()),
                ("expand[]", "data.payment_intent".to_owned()),
            ];
            if let Some(last) = sessions.last() {
                query.push(("starting_after", last.id.clone()));
            }
            let url = format!("{}/v1/checkout/sessions", self.base);
            let page: Listed<ListedSession> = self.call(self.http.get(url).query(&query), Some(account), None).await?;
            let empty = page.data.is_empty();
            sessions.extend(page.data);
            if !page.has_more || empty || sessions.len() >= MOST_LISTED {
                return Ok(sessions);
            }
        }
    }

    /// Takes the authorized money.
    pub async fn capture(&self, account: &str, intent: &str, idempotency: &str) -> Result<(), StripeError> {
        let path = format!("/v1/payment_intents/{intent}/capture");
        self.call::<serde_json::Value>(self.post(&path, &[]), Some(account), Some(idempotency)).await.map(drop)
    }

    /// Gives `amount` of a taken payment back, with the platform's fee refunded in proportion;
    /// returns the refund's id.
    pub async fn refund(
        &self,
        account: &str,
        intent: &str,
        amount: i64,
        idempotency: &str,
    ) -> Result<String, StripeError> {
        #[derive(Deserialize)]
        struct Refunded {
            id: String,
        }
        let mut form = pairs(&[
            ("payment_intent", intent),
            ("refund_application_fee", "true"),
            ("reason", "requested_by_customer"),
        ]);
        form.push(("amount".into(), amount.to_string()));
        let refunded: Refunded = self.call(self.post("/v1/refunds", &form), Some(account), Some(idempotency)).await?;
        Ok(refunded.id)
    }

    /// Lets the authorized money go (nothing is taken).
    pub async fn cancel(&self, account: &str, intent: &str, idempotency: &str) -> Result<(), StripeError> {
        let path = format!("/v1/payment_intents/{intent}/cancel");
        self.call::<serde_json::Value>(self.post(&path, &[]), Some(account), Some(idempotency)).await.map(drop)
    }
}

/// The API version the calls are written against (Stripe answers each in the version asked for).
pub const API_VERSION: &str = "2024-06-20";

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A Checkout Session's form, in Stripe's bracketed form encoding.
fn session_form(new: &NewSession<'_>) -> Vec<(String, String)> {
    let mut form = pairs(&[
        ("mode", "payment"),
        ("payment_intent_data[capture_method]", "manual"),
        ("success_url", new.success_url),
        ("cancel_url", new.cancel_url),
    ]);
    form.push(("payment_intent_data[application_fee_amount]".into(), new.application_fee.to_string()));
    form.push(("expires_at".into(), new.expires_at.to_string()));
    for (i, line) in new.lines.iter().enumerate() {
        let at = |field: &str| format!("line_items[{i}]{field}");
        form.push((at("[price_data][currency]"), new.currency.to_owned()));
        form.push((at("[price_data][unit_amount]"), line.unit_amount.to_string()));
        form.push((at("[price_data][product_data][name]"), line.name.clone()));
        form.push((at("[quantity]"), line.quantity.to_string()));
    }
    for (key, value) in new.metadata {
        form.push((format!("metadata[{key}]"), (*value).to_owned()));
        form.push((format!("payment_intent_data[metadata][{key}]"), (*value).to_owned()));
    }
    form
}

/// Plain HTTP is allowed to loopback only (the fake Stripe); everything else must be HTTPS.
fn is_loopback(base: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"].iter().any(|p| base.starts_with(p))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_trust_store_holds_stripes_twelve_roots() {
        assert_eq!(STRIPE_ROOTS.matches("-----BEGIN CERTIFICATE-----").count(), 12);
        assert!(reqwest::Certificate::from_pem_bundle(STRIPE_ROOTS.as_bytes()).is_ok_and(|roots| roots.len() == 12));
    }

    #[test]
    fn a_client_of_stripe_itself_builds_with_its_roots_only() {
        assert!(Stripe::new(STRIPE_API, ApiKey::new("sk_test_x")).is_ok());
    }

    #[test]
    fn only_loopback_may_be_plain_http() {
        assert!(is_loopback("http://127.0.0.1:4242"));
        assert!(!is_loopback("http://stripe.example"));
    }

    #[test]
    fn the_api_key_is_never_printed() {
        assert_eq!(format!("{:?}", ApiKey::new("sk_live_secret")), "ApiKey(…)");
    }

    #[test]
    fn a_session_authorizes_only_and_carries_the_platform_fee() {
        let lines = [Line { name: "Pizza".into(), unit_amount: 950, quantity: 2 }];
        let form = session_form(&NewSession {
            currency: "eur",
            lines: &lines,
            application_fee: 49,
            expires_at: 1_800_000_000,
            success_url: "https://s/ok",
            cancel_url: "https://s/back",
            metadata: &[("checkout", "abc")],
        });
        let has = |k: &str, v: &str| form.iter().any(|(a, b)| a == k && b == v);
        assert!(has("payment_intent_data[capture_method]", "manual"));
        assert!(has("payment_intent_data[application_fee_amount]", "49"));
        assert!(has("line_items[0][price_data][unit_amount]", "950"));
        assert!(has("line_items[0][quantity]", "2"));
        assert!(has("metadata[checkout]", "abc"));
    }
}
