//! What every handler shares: the repositories and the token authority.

use std::sync::Arc;

use axum::body::Bytes;
use bistro_store::blob::BlobStore;
use bistro_store::cache::VersionedCache;
use bistro_store::{Repos, Store};

use crate::auth::Auth;
use crate::sessions::Sessions;
use crate::sign_up::{SignUpPolicy, SignUpRule};

#[derive(Debug, Clone)]
pub struct AppState {
    pub repos: Repos,
    pub auth: Arc<Auth>,
    /// Who may create a restaurant.
    pub sign_up: Arc<dyn SignUpPolicy>,
    /// Whether a token's session is still its account's (see `sessions`).
    pub sessions: Arc<Sessions>,
    /// Menu pictures; managers upload to it directly through presigned URLs.
    pub media: Option<Arc<dyn BlobStore>>,
    /// The static site's bucket or folder, where each restaurant's menu is published.
    pub site: Option<Arc<dyn BlobStore>>,
    /// The whole-menu page guests ask for, as sent: encoded once per menu version.
    pub(crate) menu_pages: Arc<VersionedCache<EncodedMenuPage>>,
    /// What one client may create at a restaurant in a minute, an hour and a day
    /// (`limits::ClientBudget`, `limits::GuestBudget`); `None` counts nothing.
    pub client_budget: Option<bistro_store::repo::Budget>,
    /// What the deployment holds back for every restaurant (`BISTRO_HELD_FEATURES`).
    pub held: bistro_domain::offer::Held,
    /// Paying online through Stripe; `None`: this deployment takes no money online.
    pub payments: Option<Arc<crate::payments::PaymentSettings>>,
}

/// A menu page's JSON, and the currency it was priced in (settings may change it).
#[derive(Debug, Clone)]
pub(crate) struct EncodedMenuPage {
    pub currency: &'static str,
    pub body: Bytes,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, auth: Auth) -> Self {
        Self {
            repos: Repos::new(store),
            auth: Arc::new(auth),
            sign_up: Arc::new(SignUpRule::Open),
            sessions: Arc::default(),
            media: None,
            site: None,
            menu_pages: Arc::default(),
            client_budget: Some(crate::limits::CLIENT_BUDGET),
            held: bistro_domain::offer::Held::NONE,
            payments: None,
        }
    }

    /// Takes money online with these settings.
    pub fn with_payments(mut self, payments: crate::payments::PaymentSettings) -> Self {
        self.payments = Some(Arc::new(payments));
        self
    }

    /// Whether this deployment takes money online at all.
    pub fn takes_payments(&self) -> bool {
        self.payments.is_some()
    }

    /// Holds `held` back for every restaurant, whatever their switches say.
    pub fn with_held(mut self, held: bistro_domain::offer::Held) -> Self {
        self.held = held;
        self
    }

    /// Counts each client's creations against `budget`, or (`None`) not at all.
    pub fn with_client_budget(mut self, budget: Option<bistro_store::repo::Budget>) -> Self {
        self.client_budget = budget;
        self
    }

    /// Lets this instance keep an account's session number for `window` instead of reading it
    /// on every request: what a Lambda function does.
    pub fn with_session_cache(mut self, window: std::time::Duration) -> Self {
        self.sessions = Arc::new(Sessions::cached_for(window));
        self
    }

    /// Who may create a restaurant (open unless a host says otherwise).
    pub fn with_sign_up(mut self, policy: Arc<dyn SignUpPolicy>) -> Self {
        self.sign_up = policy;
        self
    }

    pub fn with_blobs(mut self, media: Arc<dyn BlobStore>, site: Arc<dyn BlobStore>) -> Self {
        self.media = Some(media);
        self.site = Some(site);
        self
    }
}
