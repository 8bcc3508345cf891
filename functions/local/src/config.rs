//! The local server's configuration: flags, falling back to environment variables, then defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the local server keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// `bistro.db` in the data directory (the default).
    Sqlite,
    /// A DynamoDB table, e.g. in moto server or in AWS.
    DynamoDb { endpoint: Option<String>, table: String },
}

#[derive(Debug, Clone)]
pub struct LocalConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub store: StoreChoice,
    /// Requests per second per client IP to `/v1`; 0 turns this limit and the budget of carts,
    /// orders, bookings and logins per client off.
    pub rate_limit: u32,
    /// What one client may create at one restaurant a minute, an hour and a day (not a flag:
    /// the deployment's own, `bistro_api::limits::CLIENT_BUDGET`; tests set smaller ones).
    pub client_budget: bistro_store::repo::Budget,
    pub static_dir: PathBuf,
    /// When set, creating a restaurant needs this code; otherwise anyone may.
    pub sign_up_code: Option<String>,
    pub seed_demo: bool,
    /// Only make a new signing key, then exit.
    pub rotate_signing_key: bool,
    /// Serve on an address other machines reach even while the demo's published passwords work
    /// or anyone may create a restaurant (`--expose`): refused without it.
    pub expose: bool,
    /// What this deployment holds back for every restaurant (`--hold delivery,booking`).
    pub held: bistro_domain::offer::Held,
    /// Backups the server takes itself, when asked to.
    pub backups: Option<crate::backup::Schedule>,
    /// Whether and how guests pay online.
    pub payments: PaymentsChoice,
}

/// How the local server takes payments online.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PaymentsChoice {
    /// Not at all: every order is paid at the restaurant (the default).
    #[default]
    Off,
    /// Against a fake Stripe on loopback, started with the server (the demo and the tests): its
    /// restaurant's account is ready, its payment page pays without a card.
    Fake { fees: bistro_domain::payment::PlatformFees },
    /// Against Stripe (or another address), with the secrets read from files only their owner
    /// may read.
    Stripe {
        api: String,
        key_file: PathBuf,
        webhook_secret_file: PathBuf,
        fees: bistro_domain::payment::PlatformFees,
        /// Where Stripe sends guests back (`https://…`); without it, the page's own address.
        site: Option<String>,
    },
}

pub const USAGE: &str = "\
bistro-local: runs Bistro on this machine.

Options (each also from the environment):
  --addr ADDR          listen address          BISTRO_ADDR        (default 127.0.0.1:8080)
  --data DIR           data directory          BISTRO_DATA        (default ./data)
  --rate-limit N       requests/s per client   BISTRO_RATE_LIMIT  (default 10; 0 = off, and
                       so is the budget of carts, orders, bookings and logins per client:
                       90 a minute, 600 an hour, 2000 a day at each restaurant)
  --static DIR         static site directory   BISTRO_STATIC      (default ./static-site)
  --dynamodb-table T   use DynamoDB table T    BISTRO_DYNAMODB_TABLE
  --dynamodb-endpoint URL (e.g. moto server)   BISTRO_DYNAMODB_ENDPOINT
  --sign-up-code CODE  creating a restaurant needs CODE   BISTRO_SIGN_UP_CODE (default: anyone may)
  --hold FEATURES      hold capabilities back for every restaurant, comma-separated from
                       ordering, dine_in, pickup, delivery, ahead, booking   BISTRO_HELD_FEATURES
  --backup-every PERIOD back the data directory up every PERIOD (30m, 6h, 1d)   BISTRO_BACKUP_EVERY
  --backup-to DIR      into a new directory under DIR each time   BISTRO_BACKUP_TO
  --backups-kept N     keeping the newest N (default 7)   BISTRO_BACKUPS_KEPT
  --payments MODE      take payments online: off (default), fake (a stand-in for Stripe on
                       loopback: the demo restaurant takes online payment, its page pays
                       without a card), or stripe   BISTRO_PAYMENTS
  --stripe-key-file F  the Stripe secret key, in a file only you may read   BISTRO_STRIPE_KEY_FILE
  --stripe-webhook-secret-file F  the webhook endpoint's signing secret, likewise
                       BISTRO_STRIPE_WEBHOOK_SECRET_FILE
  --stripe-api URL     Stripe's address (default https://api.stripe.com)   BISTRO_STRIPE_API
  --site-url URL       where Stripe sends guests back (default: the page's own address)
                       BISTRO_SITE_URL
  --platform-fees FEES the platform's fee per currency, e.g. EUR:30+1.5%,USD:30+2.9% (minor
                       units and a share; default none)   BISTRO_PLATFORM_FEES
  --no-demo            do not seed the demo restaurant
  --expose             serve on an address other machines reach although the demo's published
                       passwords still work or sign-up needs no code (refused without it)
  --rotate-signing-key make a new token signing key in the data directory and exit (logins go on
                       working until they expire; the server takes the key when it next starts)
  The signing key is made once into DIR/signing-key.json, readable by you only.";

/// The flags that take a value.
const VALUE_FLAGS: &[&str] = &[
    "--addr",
    "--data",
    "--rate-limit",
    "--static",
    "--dynamodb-table",
    "--dynamodb-endpoint",
    "--sign-up-code",
    "--hold",
    "--backup-every",
    "--backup-to",
    "--backups-kept",
    "--payments",
    "--stripe-key-file",
    "--stripe-webhook-secret-file",
    "--stripe-api",
    "--site-url",
    "--platform-fees",
];

impl LocalConfig {
    /// Reads flags, falling back to environment variables, then defaults.
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let mut flags = std::collections::HashMap::new();
        let mut seed_demo = true;
        let mut rotate_signing_key = false;
        let mut expose = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--no-demo" => seed_demo = false,
                "--rotate-signing-key" => rotate_signing_key = true,
                "--expose" => expose = true,
                "--help" | "-h" => return Err(USAGE.to_owned()),
                flag if VALUE_FLAGS.contains(&flag) => {
                    let value = args.next().ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))?;
                    flags.insert(flag.trim_start_matches("--").to_owned(), value);
                }
                other => return Err(format!("unknown argument '{other}'\n\n{USAGE}")),
            }
        }
        let get = |flag: &str, var: &str| flags.get(flag).cloned().or_else(|| env(var));
        let addr = get("addr", "BISTRO_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let rate_limit = get("rate-limit", "BISTRO_RATE_LIMIT").unwrap_or_else(|| "10".into());
        let store = match get("dynamodb-table", "BISTRO_DYNAMODB_TABLE") {
            Some(table) => {
                StoreChoice::DynamoDb { endpoint: get("dynamodb-endpoint", "BISTRO_DYNAMODB_ENDPOINT"), table }
            }
            None => StoreChoice::Sqlite,
        };
        let held = bistro_domain::offer::Held::parse(&get("hold", "BISTRO_HELD_FEATURES").unwrap_or_default())
            .map_err(|e| format!("--hold: {e}"))?;
        let data_dir: PathBuf = get("data", "BISTRO_DATA").unwrap_or_else(|| "data".into()).into();
        let backups = backups(&get, &data_dir)?;
        let payments = payments(&get)?;
        Ok(Self {
            held,
            backups,
            payments,
            addr: addr.parse().map_err(|_| format!("'{addr}' is not an address like 127.0.0.1:8080"))?,
            data_dir,
            store,
            rate_limit: rate_limit
                .parse()
                .map_err(|_| format!("'{rate_limit}' is not a number of requests per second"))?,
            client_budget: bistro_api::limits::CLIENT_BUDGET,
            static_dir: get("static", "BISTRO_STATIC").unwrap_or_else(|| "static-site".into()).into(),
            sign_up_code: get("sign-up-code", "BISTRO_SIGN_UP_CODE").filter(|code| !code.trim().is_empty()),
            seed_demo,
            rotate_signing_key,
            expose,
        })
    }
}

/// How payments are taken, as the flags or environment ask.
fn payments(get: &impl Fn(&str, &str) -> Option<String>) -> Result<PaymentsChoice, String> {
    let fees =
        bistro_domain::payment::PlatformFees::parse(&get("platform-fees", "BISTRO_PLATFORM_FEES").unwrap_or_default())
            .map_err(|e| format!("--platform-fees: {e}"))?;
    match get("payments", "BISTRO_PAYMENTS").as_deref().unwrap_or("off") {
        "off" => Ok(PaymentsChoice::Off),
        "fake" => Ok(PaymentsChoice::Fake { fees }),
        "stripe" => {
            let file = |flag: &str, var: &str| {
                get(flag, var).map(PathBuf::from).ok_or_else(|| format!("--payments stripe needs --{flag}\n\n{USAGE}"))
            };
            Ok(PaymentsChoice::Stripe {
                api: get("stripe-api", "BISTRO_STRIPE_API")
                    .unwrap_or_else(|| bistro_payments::client::STRIPE_API.into()),
                key_file: file("stripe-key-file", "BISTRO_STRIPE_KEY_FILE")?,
                webhook_secret_file: file("stripe-webhook-secret-file", "BISTRO_STRIPE_WEBHOOK_SECRET_FILE")?,
                fees,
                site: get("site-url", "BISTRO_SITE_URL"),
            })
        }
        other => Err(format!("--payments: '{other}' is not off, fake or stripe")),
    }
}

/// The backup schedule the flags or environment ask for, if any.
fn backups(
    get: &impl Fn(&str, &str) -> Option<String>,
    data_dir: &std::path::Path,
) -> Result<Option<crate::backup::Schedule>, String> {
    match (get("backup-every", "BISTRO_BACKUP_EVERY"), get("backup-to", "BISTRO_BACKUP_TO")) {
        (Some(every), Some(to)) => {
            let kept = get("backups-kept", "BISTRO_BACKUPS_KEPT").unwrap_or_else(|| "7".into());
            let schedule = crate::backup::Schedule::parse(&every, to.into(), &kept)?;
            // A backup inside the data it copies would copy every earlier one too.
            if schedule.to.starts_with(data_dir) {
                return Err("--backup-to must be outside the data directory".into());
            }
            Ok(Some(schedule))
        }
        (None, None) => Ok(None),
        _ => Err(format!("--backup-every and --backup-to go together\n\n{USAGE}")),
    }
}
