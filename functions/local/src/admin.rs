//! The operator's commands, against either engine: a local data directory (`--data DIR`) or a
//! DynamoDB table (`--dynamodb-table T`, `--dynamodb-endpoint URL` for an emulator, credentials
//! as the AWS SDK finds them; pictures in `--media-bucket`, the published menu in `--site-bucket`).
//!
//! `export`, `import`, `create-restaurant`, `reset-owner-password`, `list-restaurants`; `backup`
//! and `restore` (a whole data directory) are in [`crate::backup`]. A command that writes to a
//! data directory refuses while a server holds it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use bistro_domain::ids::{Email, Slug, UserId};
use bistro_domain::restaurant::{Account, Restaurant, Role};
use bistro_domain::staff::{StaffChange, decide};
use bistro_domain::text::Name;
use bistro_store::Store;
use bistro_store::archive::{self, ArchiveError, Blobs, Step};
use bistro_store::blob::BlobStore;
use bistro_store::blob::folder::FolderBlobs;
use bistro_store::blob::s3::S3Blobs;
use bistro_store::engine::dynamodb::DynamoStore;
use bistro_store::engine::sqlite::SqliteStore;
use bistro_store::repo::{Listing, Repos};

pub const COMMANDS: [&str; 6] =
    ["export", "import", "create-restaurant", "reset-owner-password", "list-restaurants", "restore-table"];

pub const USAGE: &str = "\
bistro-local export    --restaurant SLUG --to FILE.tar.gz [--without-secrets] STORE
bistro-local import    --from FILE.tar.gz [--replace] STORE
bistro-local create-restaurant --restaurant SLUG --name NAME --currency EUR --time-zone Europe/Berlin
                       --owner-email EMAIL --owner-name NAME STORE   (prints the owner's first password)
bistro-local reset-owner-password --restaurant SLUG [--email EMAIL] STORE   (prints a new password)
bistro-local list-restaurants STORE   (lists every restaurant; adds any the directory misses)
bistro-local restore-table --dynamodb-table TABLE --to NEW_TABLE [--at 2026-12-07T18:00:00Z] [--dynamodb-endpoint URL]
                       (the table as it was then, into a new table with its stream, expiry and backups on)

STORE is a data directory, or a DynamoDB table with its buckets:
  --data DIR
  --dynamodb-table TABLE [--dynamodb-endpoint URL] [--media-bucket B] [--site-bucket B] [--s3-endpoint URL]";

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}: {1}")]
    File(PathBuf, std::io::Error),
}

impl From<bistro_store::RepoError> for AdminError {
    fn from(error: bistro_store::RepoError) -> Self {
        Self::Archive(error.into())
    }
}

/// The flags after the command: `--name value`, or a bare switch.
struct Flags(HashMap<String, Option<String>>);

const SWITCHES: [&str; 2] = ["--replace", "--without-secrets"];

impl Flags {
    fn parse(args: &[String]) -> Result<Self, AdminError> {
        let (mut flags, mut args) = (HashMap::new(), args.iter());
        while let Some(flag) = args.next() {
            if !flag.starts_with("--") {
                return Err(AdminError::Usage(format!("unexpected '{flag}'")));
            }
            let value = if SWITCHES.contains(&flag.as_str()) {
                None
            } else {
                Some(args.next().ok_or_else(|| AdminError::Usage(format!("{flag} needs a value")))?.clone())
            };
            flags.insert(flag.trim_start_matches("--").to_owned(), value);
        }
        Ok(Self(flags))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Option::as_deref)
    }

    fn need(&self, name: &str) -> Result<&str, AdminError> {
        self.get(name).ok_or_else(|| AdminError::Usage(format!("--{name} is needed")))
    }

    fn on(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    fn slug(&self) -> Result<Slug, AdminError> {
        Slug::parse(self.need("restaurant")?).map_err(|e| AdminError::Usage(format!("--restaurant: {e}")))
    }
}

/// An opened store with its pictures and published menus, and the data directory it holds.
struct Opened {
    store: Arc<dyn Store>,
    media: Option<Arc<dyn BlobStore>>,
    site: Option<Arc<dyn BlobStore>>,
    _held: Option<crate::backup::Held>,
}

impl Opened {
    async fn from(flags: &Flags, writes: bool) -> Result<Self, AdminError> {
        if let Some(table) = flags.get("dynamodb-table") {
            let dynamodb = match flags.get("dynamodb-endpoint") {
                Some(endpoint) => DynamoStore::emulator_client(endpoint).await,
                None => bistro_store::engine::dynamodb::Client::new(
                    &bistro_store::engine::dynamodb::load_aws_config().await,
                ),
            };
            let s3 = match flags.get("s3-endpoint") {
                Some(endpoint) => S3Blobs::emulator_client(endpoint).await,
                None => S3Blobs::from_config(&bistro_store::aws::load_config().await),
            };
            let bucket = |name: &str| -> Option<Arc<dyn BlobStore>> {
                flags.get(name).map(|bucket| Arc::new(S3Blobs::new(s3.clone(), bucket)) as Arc<dyn BlobStore>)
            };
            let store = Arc::new(DynamoStore::new(dynamodb, table));
            return Ok(Self { store, media: bucket("media-bucket"), site: bucket("site-bucket"), _held: None });
        }
        let data = PathBuf::from(
            flags.get("data").ok_or_else(|| AdminError::Usage("--data or --dynamodb-table is needed".into()))?,
        );
        if writes {
            // A new laptop's first import makes its data directory, as the server would.
            crate::server::private_data_dir(&data).map_err(|e| AdminError::Refused(e.to_string()))?;
        } else if !data.join("bistro.db").exists() {
            return Err(AdminError::Refused(format!("{} holds no Bistro data (no bistro.db)", data.display())));
        }
        // A server caches what it read and pushes what it wrote: no other writer while it runs.
        let held = if writes { Some(crate::backup::hold(&data)?) } else { None };
        let store = SqliteStore::open(&data.join("bistro.db")).map_err(|e| AdminError::Refused(e.to_string()))?;
        // The folders' upload signing is never used here: these commands write files directly.
        let folder =
            |name: &str| Arc::new(FolderBlobs::new(data.join(name), "/unused", b"unused")) as Arc<dyn BlobStore>;
        Ok(Self { store: Arc::new(store), media: Some(folder("media")), site: Some(folder("site")), _held: held })
    }

    fn blobs<'a>(&'a self, published_menu: &'a str) -> Option<Blobs<'a>> {
        Some(Blobs { media: self.media.as_deref()?, site: self.site.as_deref()?, published_menu })
    }
}

fn bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>10} {wide_bar} {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn show(bar: &indicatif::ProgressBar, step: Step) {
    let (what, done, of) = match step {
        Step::Reading { items } => ("reading", items, None),
        Step::Removing { items } => ("removing", items, None),
        Step::Pictures { done, of } => ("pictures", done, Some(of)),
        Step::Writing { done, of } => ("writing", done, Some(of)),
    };
    bar.set_message(what);
    bar.set_length(of.unwrap_or(done) as u64);
    bar.set_position(done as u64);
}

/// Runs `args` if it names one of [`COMMANDS`]: `None` otherwise. `Ok` is the closing summary.
pub async fn run(args: &[String]) -> Option<Result<String, AdminError>> {
    let command = args.first().filter(|c| COMMANDS.contains(&c.as_str()))?;
    let started = Instant::now();
    let result = match Flags::parse(&args[1..]) {
        Ok(flags) => match command.as_str() {
            "export" => export(&flags).await,
            "import" => import(&flags).await,
            "create-restaurant" => create_restaurant(&flags).await,
            "reset-owner-password" => reset_owner_password(&flags).await,
            "restore-table" => restore_table(&flags).await,
            _ => list_restaurants(&flags).await,
        },
        Err(usage) => Err(usage),
    };
    Some(result.map(|summary| format!("{summary} in {:.1} s", started.elapsed().as_secs_f64())))
}

async fn export(flags: &Flags) -> Result<String, AdminError> {
    let (slug, to) = (flags.slug()?, PathBuf::from(flags.need("to")?));
    if to.exists() {
        return Err(AdminError::Refused(format!("{} exists: an export goes into a new file", to.display())));
    }
    let opened = Opened::from(flags, false).await?;
    let published = bistro_api::publish::menu_key(&slug);
    let bar = bar();
    let progress = |step| show(&bar, step);
    let archive = archive::export(
        opened.store.as_ref(),
        opened.blobs(&published),
        &slug,
        (archive::Reading::Scan, !flags.on("without-secrets")),
        &progress,
    )
    .await?;
    bar.finish_and_clear();
    let file = std::fs::File::create_new(&to).map_err(|e| AdminError::File(to.clone(), e))?;
    let manifest = archive::write(&archive, std::io::BufWriter::new(file))?;
    let bytes = std::fs::metadata(&to).map_err(|e| AdminError::File(to.clone(), e))?.len();
    let c = &archive.contents;
    Ok(format!(
        "exported {slug} to {}: {} orders, {} bookings, {} staff, {} dishes, {} pictures ({} records in {} files), {bytes} bytes",
        to.display(),
        c.orders.len(),
        c.bookings.len(),
        c.staff.len(),
        c.dishes.len(),
        c.pictures.len(),
        records(c),
        manifest.members.len() + 1,
    ))
}

fn records(c: &archive::Contents) -> usize {
    1 + c.staff.len()
        + c.categories.len()
        + c.dishes.len()
        + c.saved_groups.len()
        + c.orders.len()
        + c.bookings.len()
        + c.counters.len()
}

async fn import(flags: &Flags) -> Result<String, AdminError> {
    let from = PathBuf::from(flags.need("from")?);
    let file = std::fs::File::open(&from).map_err(|e| AdminError::File(from.clone(), e))?;
    // Read and checked whole before the store is even opened: a damaged archive writes nothing.
    let archive = archive::read(std::io::BufReader::new(file))?;
    let opened = Opened::from(flags, true).await?;
    let slug = archive.manifest.restaurant.clone();
    let published = bistro_api::publish::menu_key(&slug);
    let bar = bar();
    let progress = |step| show(&bar, step);
    let imported = archive::import(
        opened.store.as_ref(),
        opened.blobs(&published),
        &archive.contents,
        flags.on("replace"),
        &progress,
    )
    .await?;
    bar.finish_and_clear();
    let repos = Repos::new(Arc::clone(&opened.store));
    let republished = match &opened.site {
        Some(site) => {
            bistro_api::publish::publish_menu(
                &repos,
                site.as_ref(),
                &slug,
                bistro_domain::offer::Held::default(),
                false,
            )
            .await
            .map_err(|e| AdminError::Refused(format!("imported, but publishing its menu failed: {e}")))?;
            "its menu published"
        }
        None => "its menu is published at its next change (no --site-bucket given)",
    };
    Ok(format!(
        "imported {slug}: {} items, {} pictures, {} bytes; {republished}",
        imported.items, imported.pictures, imported.bytes
    ))
}

/// A first password nobody chose: 128 random bits, shown once.
fn new_password() -> String {
    UserId::generate().to_string()
}

async fn create_restaurant(flags: &Flags) -> Result<String, AdminError> {
    // What the sign-up page starts a restaurant with (static-site/js/signup.js): its owner
    // finishes the setup on the manage page.
    let day = serde_json::json!([{"opens": "12:00", "closes": "22:00"}]);
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let settings = serde_json::json!({
        "slug": flags.need("restaurant")?,
        "name": flags.need("name")?,
        "currency": flags.need("currency")?,
        "time_zone": flags.need("time-zone")?,
        "hours": {"weekly": days.iter().map(|d| ((*d).to_owned(), day.clone())).collect::<serde_json::Map<_, _>>(), "closures": []},
        "order_kinds": {"dine_in": true, "pickup": true, "delivery": false},
        "tables": ["1", "2", "3", "4", "5"],
        "tax": {"rate": 0, "mode": "inclusive"},
        "reservations": {"slot_minutes": 30, "seating_minutes": 90, "covers_per_slot": 20, "party_min": 1,
            "party_max": 8, "lead_minutes": 60, "horizon_days": 60},
    });
    let restaurant: Restaurant =
        serde_json::from_value(settings).map_err(|e| AdminError::Usage(format!("the restaurant: {e}")))?;
    let email =
        Email::parse(flags.need("owner-email")?).map_err(|e| AdminError::Usage(format!("--owner-email: {e}")))?;
    let name = Name::parse(flags.need("owner-name")?).map_err(|e| AdminError::Usage(format!("--owner-name: {e}")))?;
    let password = new_password();
    let hash = bistro_api::auth::hash_password(&password).map_err(|e| AdminError::Refused(e.to_string()))?;
    let owner = Account {
        id: UserId::generate(),
        restaurant: restaurant.slug.clone(),
        email,
        name,
        role: Role::Owner,
        password_hash: hash,
        disabled: false,
        sessions: 0,
    };
    let opened = Opened::from(flags, true).await?;
    let repos = Repos::new(Arc::clone(&opened.store));
    repos.restaurants.create(&restaurant, &owner).await.map_err(|e| match e {
        bistro_store::RepoError::AlreadyExists => {
            AdminError::Refused(format!("restaurant '{}' exists already", restaurant.slug))
        }
        other => other.into(),
    })?;
    Ok(format!(
        "created {}: its owner {} signs in with the password {password} (shown once; they change it on the staff page)",
        restaurant.slug, owner.email
    ))
}

async fn reset_owner_password(flags: &Flags) -> Result<String, AdminError> {
    let slug = flags.slug()?;
    let opened = Opened::from(flags, true).await?;
    let repos = Repos::new(Arc::clone(&opened.store));
    let roster = repos.restaurants.roster(&slug).await?;
    let wanted = flags.get("email").map(str::to_lowercase);
    let owners: Vec<_> = roster
        .iter()
        .filter(|a| a.value.role == Role::Owner)
        .filter(|a| wanted.as_deref().is_none_or(|email| a.value.email.as_str() == email))
        .collect();
    let owner = match owners.as_slice() {
        [one] => *one,
        [] => {
            return Err(AdminError::Refused(format!(
                "{slug} has no owner{}",
                wanted.map(|e| format!(" {e}")).unwrap_or_default()
            )));
        }
        _ => return Err(AdminError::Refused(format!("{slug} has {} owners: name one with --email", owners.len()))),
    };
    let password = new_password();
    let hash = bistro_api::auth::hash_password(&password).map_err(|e| AdminError::Refused(e.to_string()))?;
    // Enabled too: the owner locked out is whom this command is for.
    let changes =
        vec![(owner.value.id.clone(), StaffChange::Enable), (owner.value.id.clone(), StaffChange::Password(hash))];
    let accounts: Vec<Account> = roster.iter().map(|a| a.value.clone()).collect();
    let decision = decide(&accounts, changes).map_err(|e| AdminError::Refused(e.to_string()))?;
    repos.restaurants.apply(&roster, &decision).await?;
    Ok(format!(
        "{}'s password at {slug} is now {password} (shown once); every login of theirs has ended",
        owner.value.email
    ))
}

async fn list_restaurants(flags: &Flags) -> Result<String, AdminError> {
    let opened = Opened::from(flags, false).await?;
    let repos = Repos::new(Arc::clone(&opened.store));
    let added = repos.directory.backfill().await?;
    let mut lines =
        vec![format!("{:<24} {:<32} {:<22} {:<11} {}", "restaurant", "name", "time zone", "since", "erased through")];
    for Listing { slug, since, erased_through } in repos.directory.all().await?.into_iter().map(|l| l.value) {
        let restaurant = repos.restaurants.get(&slug).await?.value;
        lines.push(format!(
            "{:<24} {:<32} {:<22} {:<11} {}",
            slug.as_str(),
            restaurant.name.as_str(),
            restaurant.time_zone.name(),
            since.to_string(),
            erased_through.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        ));
    }
    let count = lines.len() - 1;
    println!("{}", lines.join("\n"));
    Ok(format!("{count} restaurants, {} of them added to the directory now", added.len()))
}

async fn restore_table(flags: &Flags) -> Result<String, AdminError> {
    use bistro_store::engine::dynamodb_restore;
    let (from, to) = (flags.need("dynamodb-table")?, flags.need("to")?);
    let at = flags
        .get("at")
        .map(|at| at.parse::<bistro_domain::jiff::Timestamp>())
        .transpose()
        .map_err(|e| AdminError::Usage(format!("--at: {e} (e.g. 2026-12-07T18:00:00Z)")))?;
    let client = match flags.get("dynamodb-endpoint") {
        Some(endpoint) => DynamoStore::emulator_client(endpoint).await,
        None => bistro_store::engine::dynamodb::Client::new(&bistro_store::engine::dynamodb::load_aws_config().await),
    };
    let restored = dynamodb_restore::restore(&client, from, to, at, |step| eprintln!("  {step}"))
        .await
        .map_err(|e| AdminError::Refused(format!("restoring {from} into {to}: {e}")))?;
    let stream = restored.stream.ok_or_else(|| AdminError::Refused(format!("{to} has no stream after the restore")))?;
    let when = at.map_or_else(|| "its latest restorable moment".to_owned(), |at| at.to_string());
    Ok(format!(
        "restored {from} as of {when} into {to}, with its stream, expiry, point-in-time recovery and deletion protection on.\n\
         Point the stage's stacks at it (the old table stays, untouched): in cdk/stages.json, give the stage\n  \
         \"table\": {{ \"name\": \"{to}\", \"streamArn\": \"{stream}\" }}\n\
         and deploy it: scripts/deploy STAGE"
    ))
}
