//! Paying online through Stripe, as the routes use it: the deployment's settings, its secrets
//! (read on first use, so a function's start stays quick and a function that never takes money
//! never reads them), the webhook's check, and the calls that move a guest's money.
//!
//! A deployment without payment settings takes no money online: every restaurant is offered
//! paying at the restaurant only, and the payment routes answer `payments_not_available`.

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::HeaderMap;
use bistro_domain::jiff::Timestamp;
use bistro_domain::money::{Money, TaxMode};
use bistro_domain::order::Order;
use bistro_domain::payment::{MoneyStep, Payment, PlatformFees};
use bistro_domain::restaurant::Language;
use bistro_payments::client::Line;
use bistro_payments::event::Event;
use bistro_payments::{ApiKey, Stripe};
use tokio::sync::OnceCell;

use crate::error::{ApiError, ErrorCode};

/// Where the deployment's Stripe secrets are kept (SSM on AWS, files locally): read once.
#[async_trait]
pub trait StripeSecrets: Send + Sync + std::fmt::Debug {
    /// The platform's secret API key (`sk_…`).
    async fn api_key(&self) -> Result<String, String>;
    /// The webhook endpoint's signing secret (`whsec_…`): only the function that takes the
    /// webhook reads it.
    async fn webhook_secret(&self) -> Result<String, String>;
}

/// Secrets given as they are (the local server reads them from its files).
#[derive(Clone)]
pub struct GivenSecrets {
    pub api_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for GivenSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GivenSecrets(…)")
    }
}

#[async_trait]
impl StripeSecrets for GivenSecrets {
    async fn api_key(&self) -> Result<String, String> {
        Ok(self.api_key.clone())
    }
    async fn webhook_secret(&self) -> Result<String, String> {
        Ok(self.webhook_secret.clone())
    }
}

/// The deployment's payment settings.
#[derive(Debug)]
pub struct PaymentSettings {
    /// Stripe's API (`https://api.stripe.com`), or a fake's loopback address.
    pub api_base: String,
    /// The platform's fee per currency.
    pub fees: PlatformFees,
    /// The site's address (`https://order.example.com`), where Stripe sends guests and owners
    /// back; without it, the address the request came from (its `Origin`).
    pub site: Option<String>,
    secrets: Arc<dyn StripeSecrets>,
    client: OnceCell<Stripe>,
    webhook_secret: OnceCell<String>,
}

impl PaymentSettings {
    pub fn new(api_base: &str, fees: PlatformFees, site: Option<String>, secrets: Arc<dyn StripeSecrets>) -> Self {
        Self {
            api_base: api_base.to_owned(),
            fees,
            site: site.map(|s| s.trim_end_matches('/').to_owned()),
            secrets,
            client: OnceCell::new(),
            webhook_secret: OnceCell::new(),
        }
    }

    /// The Stripe client, built on first use.
    pub async fn stripe(&self) -> Result<&Stripe, ApiError> {
        self.client
            .get_or_try_init(|| async {
                let key = self.secrets.api_key().await.map_err(ApiError::PaymentProvider)?;
                Stripe::new(&self.api_base, ApiKey::new(key)).map_err(|e| ApiError::PaymentProvider(e.to_string()))
            })
            .await
    }

    /// The event of a webhook delivery whose `Stripe-Signature` holds for its raw `body` now.
    pub async fn verified(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, ApiError> {
        let secret = self
            .webhook_secret
            .get_or_try_init(|| async { self.secrets.webhook_secret().await.map_err(ApiError::PaymentProvider) })
            .await?;
        let refused = |why: String| ApiError::bad_request(ErrorCode::InvalidSignature, why);
        let header = headers
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refused("a webhook must carry its Stripe-Signature header".into()))?;
        bistro_payments::webhook::verify(header, body, secret, Timestamp::now().as_second())
            .map_err(|e| refused(e.to_string()))?;
        serde_json::from_slice(body).map_err(|_| refused("the signed body is not a Stripe event".into()))
    }

    /// The site's address for links Stripe sends people back to.
    pub fn site_for(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        if let Some(site) = &self.site {
            return Ok(site.clone());
        }
        let origin = headers.get("origin").and_then(|v| v.to_str().ok()).filter(|o| {
            o.starts_with("https://") || o.starts_with("http://127.0.0.1:") || o.starts_with("http://localhost:")
        });
        origin.map(str::to_owned).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidBody, "pay from the restaurant's pages (the request had no Origin)")
        })
    }

    /// Takes or lets go of a paid order's money, before the move that needs it is saved; a
    /// retried move repeats the same call under the same idempotency key.
    pub async fn settle(&self, order: &Order, step: MoneyStep, payment: &Payment) -> Result<(), ApiError> {
        let stripe = self.stripe().await?;
        let (account, intent) = (payment.account.as_str(), payment.intent.as_str());
        let done = match step {
            MoneyStep::Capture => stripe.capture(account, intent, &format!("capture-{}", order.id)).await,
            MoneyStep::Release => stripe.cancel(account, intent, &format!("release-{}", order.id)).await,
        };
        done.map_err(|e| ApiError::PaymentProvider(e.to_string()))
    }
}

/// The lines a guest sees on the hosted checkout: each dish (with its choices), the delivery fee,
/// and tax where it comes on top (together exactly the order's total, else one line for all),
/// then the tip.
pub fn checkout_lines(order: &Order, tip: Option<Money>, language: Language) -> Vec<Line> {
    let (delivery, tax, whole, tipped) = match language {
        Language::De => ("Lieferung", "Steuer", "Bestellung", "Trinkgeld"),
        Language::En => ("Delivery", "Tax", "Order", "Tip"),
    };
    let mut lines = order_lines(order, delivery, tax, whole);
    if let Some(tip) = tip.filter(|tip| tip.minor > 0) {
        lines.push(Line { name: tipped.into(), unit_amount: tip.minor, quantity: 1 });
    }
    lines
}

fn order_lines(order: &Order, delivery: &str, tax: &str, whole: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = order
        .lines
        .iter()
        .map(|line| {
            let choices: Vec<&str> = line.choices.iter().map(|c| c.name.as_str()).collect();
            let name = if choices.is_empty() {
                line.name.as_str().to_owned()
            } else {
                format!("{} ({})", line.name.as_str(), choices.join(", "))
            };
            Line { name, unit_amount: line.unit_price.minor, quantity: line.quantity.get() }
        })
        .collect();
    if let Some(fee) = order.delivery_fee.filter(|fee| fee.minor > 0) {
        lines.push(Line { name: delivery.into(), unit_amount: fee.minor, quantity: 1 });
    }
    if order.totals.tax_mode == TaxMode::Exclusive && order.totals.tax.minor > 0 {
        lines.push(Line { name: tax.into(), unit_amount: order.totals.tax.minor, quantity: 1 });
    }
    let sum: i64 = lines.iter().map(|l| l.unit_amount * i64::from(l.quantity)).sum();
    if sum == order.totals.total.minor && lines.iter().all(|l| l.unit_amount > 0) {
        lines
    } else {
        vec![Line { name: whole.into(), unit_amount: order.totals.total.minor, quantity: 1 }]
    }
}
