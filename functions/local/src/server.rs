//! The local server: every router, the static site and a per-client rate limit in one process
//! over a SQLite file. The product's main command runs it.

use bistro_payments::fake::FakeStripe;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::routing::any;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;

use bistro_api::AppState;
use bistro_api::auth::Auth;
use bistro_api::sign_up::SignUpRule;
use bistro_api::signing::KeyRing;
use bistro_api::telemetry::REQUEST_ID;
use bistro_store::Store;
use bistro_store::blob::folder::FolderBlobs;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::sqlite::SqliteStore;

use crate::config::{LocalConfig, StoreChoice};
use crate::files::LocalFiles;
use crate::hub::{Hub, spawn_feed, upgrade};

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("cannot use data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("cannot open the store: {0}")]
    Store(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("the signing keys in {0} cannot be used: {1}")]
    Keys(PathBuf, bistro_api::signing::KeyError),
    #[error("cannot seed the demo restaurant: {0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("not serving on {0}, which other machines reach: {1} (or start with --expose if that is what you want)")]
    Exposed(SocketAddr, &'static str),
    #[error(transparent)]
    Held(#[from] crate::backup::BackupError),
    #[error("payments cannot be taken: {0}")]
    Payments(String),
}

/// Writes a file only its owner can read or write (0600 from the moment it exists).
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

/// Writes `contents` to `path` as a 0600 file, replacing what was there in one step.
fn replace_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    let fresh = path.with_extension("new");
    let _ = std::fs::remove_file(&fresh);
    write_private(&fresh, contents)?;
    std::fs::rename(&fresh, path)
}

const KEY_RING_FILE: &str = "signing-key.json";
const DATABASE_FILE: &str = "bistro.db";

/// Makes the data directory only its owner may enter (0700) and the database only its owner may
/// read (0600, which SQLite's journal files take from it): it holds guests' names and phones,
/// and the signing key beside it.
pub fn private_data_dir(data_dir: &Path) -> Result<(), LocalError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let refused = |e| LocalError::DataDir(data_dir.to_owned(), e);
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(data_dir).map_err(refused)?;
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700)).map_err(refused)?;
    let database = data_dir.join(DATABASE_FILE);
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&database).map_err(refused)?;
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o600)).map_err(refused)
}

/// The ring staff tokens are signed with, made on first start into the data directory (0600).
fn key_ring(data_dir: &std::path::Path) -> Result<KeyRing, LocalError> {
    let path = data_dir.join(KEY_RING_FILE);
    match std::fs::read_to_string(&path) {
        Ok(json) => KeyRing::parse(&json).map_err(|e| LocalError::Keys(path, e)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let ring = KeyRing::generate().map_err(|e| LocalError::Keys(path.clone(), e))?;
            write_private(&path, &ring.to_json()).map_err(|e| LocalError::DataDir(data_dir.to_owned(), e))?;
            Ok(ring)
        }
        Err(error) => Err(LocalError::DataDir(data_dir.to_owned(), error)),
    }
}

/// A new signing key for the local server; tokens of the one it replaces stay valid until they
/// expire. The running server takes it at its next start.
pub fn rotate_signing_key(data_dir: &std::path::Path) -> Result<KeyRing, LocalError> {
    private_data_dir(data_dir)?;
    let path = data_dir.join(KEY_RING_FILE);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let ring = key_ring(data_dir)?.rotated(now).map_err(|e| LocalError::Keys(path.clone(), e))?;
    replace_private(&path, &ring.to_json()).map_err(|e| LocalError::DataDir(data_dir.to_owned(), e))?;
    Ok(ring)
}

/// Signs the local upload URLs (the folder stand-in for S3's presigned ones), made once (0600).
fn upload_secret(data_dir: &std::path::Path) -> Result<String, LocalError> {
    let path = data_dir.join("upload-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) => Ok(secret.trim().to_owned()),
        Err(_) => {
            let secret = bistro_domain::ids::Token::generate().to_string();
            write_private(&path, &secret).map_err(|e| LocalError::DataDir(data_dir.to_owned(), e))?;
            Ok(secret)
        }
    }
}

/// The store, and the change feed live updates come from (SQLite only; with DynamoDB the
/// notifier function does that job from the table's stream).
async fn open_store(config: &LocalConfig) -> Result<(Arc<dyn Store>, Option<SqliteStore>), LocalError> {
    Ok(match &config.store {
        StoreChoice::Sqlite => {
            let store = SqliteStore::open(&config.data_dir.join(DATABASE_FILE))
                .map_err(|e| LocalError::Store(e.to_string()))?;
            (Arc::new(store.clone()), Some(store))
        }
        StoreChoice::DynamoDb { endpoint, table } => {
            let client = match endpoint {
                Some(endpoint) => DynamoStore::emulator_client(endpoint).await,
                None => aws_sdk_client().await,
            };
            let store = DynamoStore::new(client, table.clone());
            if endpoint.is_some() {
                store.create_table_if_missing().await.map_err(|e| LocalError::Store(e.to_string()))?;
            }
            (Arc::new(store), None)
        }
    })
}

async fn aws_sdk_client() -> bistro_store::engine::dynamodb::Client {
    bistro_store::engine::dynamodb::Client::new(&bistro_store::engine::dynamodb::load_aws_config().await)
}

/// The whole local application: API (rate limited), static site, request ids.
pub async fn app(config: &LocalConfig) -> Result<Router, LocalError> {
    Ok(app_with_payments(config).await?.router)
}

/// The application as served, with what a caller may turn besides: the fake Stripe it takes
/// payments through when asked to (whose webhooks the caller points at the address it serves on:
/// `FakeStripe::send_webhooks_to`), and its state (for running its hourly chores at once).
#[derive(Debug)]
pub struct Served {
    pub router: Router,
    pub fake: Option<FakeStripe>,
    pub state: AppState,
}

pub async fn app_with_payments(config: &LocalConfig) -> Result<Served, LocalError> {
    private_data_dir(&config.data_dir)?;
    let (store, feed) = open_store(config).await?;
    let files = local_files(&config.data_dir)?;
    let payments = crate::payments::start(&config.payments).await?;
    let mut state = app_state(config, store, &files)?;
    if let Some(settings) = payments.settings {
        state = state.with_payments(settings);
    }
    let hub = Arc::new(Hub::default());
    spawn_housekeeping(config, &state, &files, feed, &hub);
    if config.seed_demo {
        seed_demo(&state, &files).await?;
    }
    if let Some(fake) = &payments.fake {
        crate::payments::acquaint(&state, fake).await?;
    }
    refuse_exposure(config, &state).await?;
    Ok(Served { router: routes(config, state.clone(), files, hub), fake: payments.fake, state })
}

fn local_files(data_dir: &Path) -> Result<LocalFiles, LocalError> {
    let secret = upload_secret(data_dir)?;
    Ok(LocalFiles {
        media: Arc::new(FolderBlobs::new(data_dir.join("media"), "/media-upload", secret.as_bytes())),
        site: Arc::new(FolderBlobs::new(data_dir.join("site"), "/site-upload", secret.as_bytes())),
    })
}

fn app_state(config: &LocalConfig, store: Arc<dyn Store>, files: &LocalFiles) -> Result<AppState, LocalError> {
    let ring = key_ring(&config.data_dir)?;
    let auth = Auth::with_key_ring(&ring).map_err(|e| LocalError::Keys(config.data_dir.join(KEY_RING_FILE), e))?;
    let sign_up = config.sign_up_code.clone().map_or(SignUpRule::Open, SignUpRule::Code);
    // `--rate-limit 0` turns off both per-client limits: requests a second, and creations.
    let budget = (config.rate_limit > 0).then_some(config.client_budget);
    Ok(AppState::new(store, auth)
        .with_sign_up(Arc::new(sign_up))
        .with_blobs(files.media.clone(), files.site.clone())
        .with_client_budget(budget)
        .with_held(config.held))
}

/// Runs `chore` at start and then every hour, for as long as the server runs.
fn every_hour<F: Future<Output = ()> + Send>(mut chore: impl FnMut() -> F + Send + 'static) {
    tokio::spawn(async move {
        let mut hours = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            hours.tick().await;
            chore().await;
        }
    });
}

/// What AWS does on a schedule, done hourly here: uploads never attached go after a day (the
/// media bucket's lifecycle rule), guests' personal data past each restaurant's period is erased
/// (the `retention` function), and with SQLite, the live feed runs and expired items' space is
/// reclaimed (they are invisible already).
fn spawn_housekeeping(
    config: &LocalConfig,
    state: &AppState,
    files: &LocalFiles,
    feed: Option<SqliteStore>,
    hub: &Arc<Hub>,
) {
    let media = Arc::clone(&files.media);
    every_hour(move || {
        let media = Arc::clone(&media);
        async move {
            let age = std::time::Duration::from_secs(bistro_api::images::UPLOAD_EXPIRY_DAYS * 24 * 3600);
            if let Err(error) = media.expire("uploads/", age).await {
                tracing::warn!(%error, "sweeping expired uploads failed");
            }
        }
    });
    let repos = state.repos.clone();
    every_hour(move || {
        let repos = repos.clone();
        async move {
            match bistro_api::retention::sweep(&repos, bistro_domain::jiff::Timestamp::now()).await {
                Ok(swept) if swept.orders + swept.bookings > 0 => {
                    tracing::info!(orders = swept.orders, bookings = swept.bookings, "erased expired personal data");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "erasing expired personal data failed"),
            }
        }
    });
    if state.payments.is_some() {
        let state = state.clone();
        every_hour(move || {
            let state = state.clone();
            async move {
                match bistro_api::reconcile::reconcile(&state, bistro_domain::jiff::Timestamp::now()).await {
                    Ok(done) if done.mended + done.reported + done.failed > 0 => {
                        tracing::info!(?done, "reconciled payments with Stripe");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "reconciling payments with Stripe failed"),
                }
            }
        });
    }
    if let (Some(schedule), Some(_)) = (&config.backups, &feed) {
        spawn_backups(config.data_dir.clone(), schedule.clone());
    }
    if let Some(sqlite) = feed {
        spawn_feed(sqlite.subscribe(), state.repos.clone(), Arc::clone(hub));
        every_hour(move || {
            let sqlite = sqlite.clone();
            async move {
                if let Err(error) = sqlite.sweep_expired().await {
                    tracing::warn!(%error, "sweeping expired items failed");
                }
            }
        });
    }
}

/// The backups the server was asked to take of its SQLite data (DynamoDB keeps its own
/// point-in-time recovery), the first at start.
fn spawn_backups(data: std::path::PathBuf, schedule: crate::backup::Schedule) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(schedule.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let (data, schedule) = (data.clone(), schedule.clone());
            match tokio::task::spawn_blocking(move || crate::backup::scheduled(&data, &schedule)).await {
                Ok(Ok((to, summary, removed))) => {
                    tracing::info!(to = %to.display(), %summary, removed, "backed the data up");
                }
                Ok(Err(error)) => tracing::error!(%error, "the scheduled backup failed"),
                Err(error) => tracing::error!(%error, "the scheduled backup stopped"),
            }
        }
    });
}

async fn seed_demo(state: &AppState, files: &LocalFiles) -> Result<(), LocalError> {
    if crate::demo::seed(&state.repos).await? {
        tracing::info!("seeded the demo restaurant '{}'", crate::demo::SLUG);
    }
    crate::demo::store_pictures(files.media.as_ref()).await?;
    let slug = bistro_domain::ids::Slug::parse(crate::demo::SLUG).map_err(|e| LocalError::Store(e.to_string()))?;
    bistro_api::publish::republish(state, &slug).await;
    Ok(())
}

/// Refuses to serve other machines while anyone there could log in with the demo's published
/// passwords or create restaurants without a code, unless the config says `expose`.
async fn refuse_exposure(config: &LocalConfig, state: &AppState) -> Result<(), LocalError> {
    if config.expose || config.addr.ip().is_loopback() {
        return Ok(());
    }
    if config.sign_up_code.is_none() {
        return Err(LocalError::Exposed(config.addr, "anyone could create a restaurant; set --sign-up-code"));
    }
    let slug = bistro_domain::ids::Slug::parse(crate::demo::SLUG).map_err(|e| LocalError::Store(e.to_string()))?;
    for (email, password) in [
        (crate::demo::OWNER_EMAIL, crate::demo::OWNER_PASSWORD),
        (crate::demo::STAFF_EMAIL, crate::demo::STAFF_PASSWORD),
    ] {
        let email = bistro_domain::ids::Email::parse(email).map_err(|e| LocalError::Store(e.to_string()))?;
        let account = match state.repos.restaurants.account_by_email(&slug, &email).await {
            Ok(account) => account,
            Err(bistro_store::RepoError::NotFound) => continue,
            Err(e) => return Err(LocalError::Store(e.to_string())),
        };
        if state.auth.password_matches(password, Some(&account.password_hash)) {
            return Err(LocalError::Exposed(
                config.addr,
                "the demo restaurant's published passwords still work; change them, or start with --no-demo on a new data directory",
            ));
        }
    }
    Ok(())
}

/// The API (rate limited), the pages, the uploads and pictures, and live updates, with request ids.
fn routes(config: &LocalConfig, state: AppState, files: LocalFiles, hub: Arc<Hub>) -> Router {
    let api = crate::rate_limit::limited(
        bistro_api::api_routes().route("/v1/{*rest}", any(bistro_api::not_found)),
        config.rate_limit,
    );
    let site = ServeDir::new(&config.static_dir).append_index_html_on_directories(true);
    // The customer, staff and manager pages are one page app: every /r/… path (and the sign-up
    // page) loads it.
    let app_page = tower_http::services::ServeFile::new(config.static_dir.join("index.html"));
    let live = Router::new().route("/ws", axum::routing::get(upgrade)).with_state((state.clone(), hub));
    let routes = Router::new()
        .merge(api)
        .route_service("/signup", app_page.clone())
        .nest_service("/r", app_page)
        .fallback_service(site);
    let files = crate::files::router(files);
    // Pages, scripts, menus and API answers go out gzipped to a browser that takes it (not the
    // socket's upgrade, which must stay as it is).
    let compressed = bistro_api::with_common_layers(routes, state).merge(files).layer(CompressionLayer::new());
    let request_id = || REQUEST_ID.parse().unwrap_or_else(|_| unreachable!("a valid header name"));
    let headers = Arc::new(crate::headers::security_headers());
    compressed
        .merge(live)
        .layer(axum::middleware::map_response(move |response| {
            let headers = Arc::clone(&headers);
            async move { crate::headers::with_security_headers(&headers, response) }
        }))
        .layer(PropagateRequestIdLayer::new(request_id()))
        .layer(SetRequestIdLayer::new(request_id(), MakeRequestUuid))
}

/// Binds, seeds, prints where to go, and serves until Ctrl-C.
pub async fn serve(config: LocalConfig) -> Result<(), LocalError> {
    // The server holds its data directory while it runs: a restore into it is refused.
    std::fs::create_dir_all(&config.data_dir).map_err(|e| LocalError::DataDir(config.data_dir.clone(), e))?;
    let _held = crate::backup::hold(&config.data_dir)?;
    let Served { router: app, fake, .. } = app_with_payments(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| LocalError::Bind(config.addr, e))?;
    let addr = listener.local_addr().map_err(|e| LocalError::Bind(config.addr, e))?;
    println!("Bistro is running at http://{addr}/");
    if let Some(fake) = &fake {
        fake.send_webhooks_to(&format!("http://{addr}/v1/payments/stripe/events"));
        println!("  payments:      a fake Stripe at {} (its page pays without a card)", fake.base);
    }
    println!("  menu (demo):   http://{addr}/r/{}/", crate::demo::SLUG);
    println!("  API:           http://{addr}/v1/restaurants/{}/menu", crate::demo::SLUG);
    println!("  live updates:  ws://{addr}/ws?restaurant=…&token=…");
    println!("  menu JSON:     http://{addr}/menus/{}.json", crate::demo::SLUG);
    println!("  OpenAPI:       http://{addr}/v1/openapi.json");
    println!("  health:        http://{addr}/health");
    println!("  demo owner:    {} / {}", crate::demo::OWNER_EMAIL, crate::demo::OWNER_PASSWORD);
    println!("  demo kitchen:  {} / {}", crate::demo::STAFF_EMAIL, crate::demo::STAFF_PASSWORD);
    println!("  data:          {}", config.data_dir.display());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(LocalError::Serve)
}
