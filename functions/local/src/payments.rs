//! The local server's payments: none, a fake Stripe started beside it (the demo and the tests),
//! or Stripe itself with its secrets read from files only their owner may read.

use std::path::Path;
use std::sync::Arc;

use bistro_api::AppState;
use bistro_api::payments::{GivenSecrets, PaymentSettings};
use bistro_domain::ids::Token;
use bistro_domain::jiff::Timestamp;
use bistro_domain::payment::{AccountState, ConnectedAccount, ProviderId};
use bistro_payments::fake::FakeStripe;

use crate::config::PaymentsChoice;
use crate::server::LocalError;

/// The payment settings the server runs with, and the fake it started, if any.
#[derive(Debug)]
pub struct LocalPayments {
    pub settings: Option<PaymentSettings>,
    pub fake: Option<FakeStripe>,
}

/// A secret only this run knows, for the fake and the server between them.
fn run_secret(prefix: &str) -> String {
    format!("{prefix}{}", Token::generate().as_str())
}

/// A secret from a file that only its owner may read (anything more open is refused: a key
/// others can read is a key others have).
fn private_file(path: &Path) -> Result<String, LocalError> {
    let refuse = |why: String| LocalError::Payments(format!("{}: {why}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(refuse(format!("readable by others (mode {:o}); chmod 600 it", mode & 0o777)));
        }
    }
    let secret = std::fs::read_to_string(path).map_err(|e| refuse(e.to_string()))?;
    Ok(secret.trim().to_owned())
}

pub async fn start(choice: &PaymentsChoice) -> Result<LocalPayments, LocalError> {
    match choice {
        PaymentsChoice::Off => Ok(LocalPayments { settings: None, fake: None }),
        PaymentsChoice::Fake { fees } => {
            let secrets = GivenSecrets { api_key: run_secret("sk_test_"), webhook_secret: run_secret("whsec_") };
            let fake = FakeStripe::start(&secrets.api_key, &secrets.webhook_secret)
                .await
                .map_err(|e| LocalError::Payments(format!("the fake Stripe did not start: {e}")))?;
            let settings = PaymentSettings::new(&fake.base, fees.clone(), None, Arc::new(secrets));
            Ok(LocalPayments { settings: Some(settings), fake: Some(fake) })
        }
        PaymentsChoice::Stripe { api, key_file, webhook_secret_file, fees, site } => {
            let secrets =
                GivenSecrets { api_key: private_file(key_file)?, webhook_secret: private_file(webhook_secret_file)? };
            let settings = PaymentSettings::new(api, fees.clone(), site.clone(), Arc::new(secrets));
            Ok(LocalPayments { settings: Some(settings), fake: None })
        }
    }
}

/// The fake forgets everything when the server stops: it learns the accounts restaurants
/// connected in earlier runs, and the demo restaurant gets a ready one if it has none.
pub async fn acquaint(state: &AppState, fake: &FakeStripe) -> Result<(), LocalError> {
    let store = |e: bistro_store::RepoError| LocalError::Store(e.to_string());
    for listing in state.repos.directory.all().await.map_err(store)? {
        let slug = &listing.value.slug;
        let Ok(restaurant) = state.repos.restaurants.get(slug).await else { continue };
        match &restaurant.value.payment_account {
            Some(account) => fake.adopt(account.id.as_str(), account.state == AccountState::Ready),
            None if slug.as_str() == crate::demo::SLUG => {
                let id = ProviderId::parse(&fake.ready_account(), "acct_")
                    .map_err(|e| LocalError::Payments(e.to_string()))?;
                state.repos.payments.link_account(&id, slug).await.map_err(store)?;
                let mut next = restaurant.value;
                next.payment_account =
                    Some(ConnectedAccount { id, state: AccountState::Ready, as_of: Timestamp::now() });
                state.repos.restaurants.update(&next, restaurant.version).await.map_err(store)?;
                bistro_api::publish::republish(state, slug).await;
            }
            None => {}
        }
    }
    Ok(())
}
