//! The deployment's Stripe secrets in SSM Parameter Store, beside the signing key and written the
//! same way by the operator (`aws ssm put-parameter --type SecureString`, README "Payments"): the
//! platform's API key, read by the functions that call Stripe (`orders`, `payments`), and the
//! webhook endpoint's signing secret, read by `payments` only. Each function's policy names only
//! the parameters it reads (tested on the synthesized template); no template holds a value. They
//! are read on a function's first payment, not at its start: a cold start pays nothing for them.

use aws_sdk_ssm::Client;
use bistro_api::payments::{PaymentSettings, StripeSecrets};

use crate::ConfigError;

#[derive(Debug, Clone)]
pub struct SsmStripeSecrets {
    pub client: Client,
    pub api_key: String,
    /// `None` for a function that takes no webhook (it cannot read the secret).
    pub webhook_secret: Option<String>,
}

async fn read(client: &Client, name: &str) -> Result<String, String> {
    let found = client.get_parameter().name(name).with_decryption(true).send().await;
    let found = found.map_err(|error| aws_sdk_ssm::error::DisplayErrorContext(error).to_string())?;
    found.parameter.and_then(|p| p.value).ok_or_else(|| format!("the parameter {name} has no value"))
}

#[async_trait::async_trait]
impl StripeSecrets for SsmStripeSecrets {
    async fn api_key(&self) -> Result<String, String> {
        read(&self.client, &self.api_key).await
    }

    async fn webhook_secret(&self) -> Result<String, String> {
        let name = self.webhook_secret.as_deref().ok_or("this function takes no webhook")?;
        read(&self.client, name).await
    }
}

/// The payment settings from the environment: `BISTRO_STRIPE_KEY_PARAMETER` switches payments on
/// (the stage's `payments` setting), with `BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER`,
/// `BISTRO_PLATFORM_FEES`, `BISTRO_SITE_URL` and `BISTRO_STRIPE_API` beside it.
pub fn from_env(aws: &aws_config::SdkConfig) -> Result<Option<PaymentSettings>, ConfigError> {
    let Ok(api_key) = std::env::var("BISTRO_STRIPE_KEY_PARAMETER") else { return Ok(None) };
    let fees = bistro_domain::payment::PlatformFees::parse(&std::env::var("BISTRO_PLATFORM_FEES").unwrap_or_default())
        .map_err(|_| ConfigError::Invalid("BISTRO_PLATFORM_FEES", "like EUR:30+1.5%,USD:30+2.9%"))?;
    let secrets = SsmStripeSecrets {
        client: Client::new(aws),
        api_key,
        webhook_secret: std::env::var("BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER").ok(),
    };
    let api = std::env::var("BISTRO_STRIPE_API").unwrap_or_else(|_| bistro_payments::client::STRIPE_API.into());
    let site = std::env::var("BISTRO_SITE_URL").ok();
    Ok(Some(PaymentSettings::new(&api, fees, site, std::sync::Arc::new(secrets))))
}
