//! What every handler shares: the repositories and the token authority.

use std::sync::Arc;

use bistro_store::{Repos, Store};

use crate::auth::Auth;

#[derive(Debug, Clone)]
pub struct AppState {
    pub repos: Repos,
    pub auth: Arc<Auth>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, auth: Auth) -> Self {
        Self { repos: Repos::new(store), auth: Arc::new(auth) }
    }
}
