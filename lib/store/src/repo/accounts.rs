//! Restaurants (the tenants) and their staff accounts.

use std::sync::Arc;

use bistro_domain::ids::{Email, Slug, UserId};
use bistro_domain::restaurant::{Account, Restaurant, Role};
use bistro_domain::staff::Decision;

use super::once::{Part, Refused, Transaction};
use super::{
    RepoError, Versioned, counter_value, decode, encode, read_all, stale_or_missing, write_counting_menu_change,
};
use crate::cache::VersionedCache;
use crate::keys;
use crate::seam::{Condition, Item, Query, SeamError, SortKey, Store, Write};

#[derive(Debug, Clone)]
pub struct Restaurants {
    store: Arc<dyn Store>,
    /// Settings as last read, under the restaurant's change count they are at least as new as.
    /// Nearly every request applies them: it reads only the count (one small item), and reads
    /// and decodes the settings again only after a change.
    by_changes: Arc<VersionedCache<Versioned<Restaurant>>>,
}

/// A restaurant as one request applies it: its settings, and the count of changes to its
/// settings and menu that they are at least as new as, which is the version to read its menu at.
#[derive(Debug, Clone)]
pub struct Current {
    pub settings: Versioned<Restaurant>,
    pub changes: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct LoginPointer {
    user: UserId,
}

/// What other functions need of an account, copied from the account item in the same
/// transaction: the session number (token checks) and whether it is an active driver (assigning a
/// delivery). No e-mail, name or hash: those stay where only the accounts function reads.
#[derive(serde::Serialize, serde::Deserialize)]
struct Session {
    sessions: u64,
    /// `None` in copies written before the role was copied (2026-12-03): counts as no role.
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    disabled: bool,
}

/// An account's three items: the account (at `version`), its login e-mail's pointer, and the
/// copy of its session number and role other functions read.
pub(crate) fn account_items(account: &Account, version: u64) -> Result<[Item; 3], RepoError> {
    let pointer = encode(&LoginPointer { user: account.id.clone() })?;
    Ok([
        Item::new(keys::account(&account.restaurant, &account.id), version, encode(account)?),
        Item::new(keys::login(&account.restaurant, &account.email), 1, pointer),
        session_item(account)?,
    ])
}

fn session_item(account: &Account) -> Result<Item, RepoError> {
    let session = Session { sessions: account.sessions, role: Some(account.role), disabled: account.disabled };
    Ok(Item::new(keys::session(&account.restaurant, &account.id), 1, encode(&session)?))
}

impl Restaurants {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store, by_changes: Arc::default() }
    }

    fn account_writes(account: &Account) -> Result<[Write; 3], RepoError> {
        let [account, login, session] = account_items(account, 1)?;
        Ok([
            Write::Put { item: account, condition: Condition::Absent },
            Write::Put { item: login, condition: Condition::Absent },
            Write::Put { item: session, condition: Condition::Always },
        ])
    }

    fn session_write(account: &Account) -> Result<Write, RepoError> {
        let item = session_item(account)?;
        Ok(Write::Put { item, condition: Condition::Always })
    }

    /// Creates a restaurant with its owner; `AlreadyExists` if the slug is taken.
    pub async fn create(&self, restaurant: &Restaurant, owner: &Account) -> Result<(), RepoError> {
        let profile = Write::Put {
            item: Item::new(keys::restaurant(&restaurant.slug), 1, encode(restaurant)?),
            condition: Condition::Absent,
        };
        let [account, login, session] = Self::account_writes(owner)?;
        // Its business day, not its calendar date: between midnight and the day's change, the
        // orders taken belong to the day before, which an export and the retention run must reach.
        let since = restaurant.business_day(bistro_domain::jiff::Timestamp::now());
        let listing = super::Listing::write(&restaurant.slug, since)?;
        match self.store.transact(vec![profile, account, login, session, listing]).await {
            Err(SeamError::TransactionCancelled { .. }) => Err(RepoError::AlreadyExists),
            other => Ok(other?),
        }
    }

    /// The settings as stored now, with the version an edit of them must name.
    pub async fn get(&self, slug: &Slug) -> Result<Versioned<Restaurant>, RepoError> {
        let item = self.store.get(&keys::restaurant(slug)).await?.ok_or(RepoError::NotFound)?;
        Ok(Versioned { value: decode(&item)?, version: item.version })
    }

    /// The restaurant as of a moment ago (its change count read eventually consistent): what
    /// requests read to apply the settings and price from the menu. Writes never depend on it:
    /// an edit carries the version its editor saw.
    pub async fn current(&self, slug: &Slug) -> Result<Current, RepoError> {
        let changes = self.store.get_recent(&keys::menu_version(slug)).await?;
        self.as_of(slug, counter_value(changes.as_ref())).await
    }

    /// The restaurant as of now: what an order is placed under.
    pub async fn latest(&self, slug: &Slug) -> Result<Current, RepoError> {
        let changes = self.store.get(&keys::menu_version(slug)).await?;
        self.as_of(slug, counter_value(changes.as_ref())).await
    }

    async fn as_of(&self, slug: &Slug, changes: u64) -> Result<Current, RepoError> {
        if let Some(kept) = self.by_changes.at_least(slug, changes) {
            return Ok(Current { settings: kept.value, changes: kept.version });
        }
        // Read strongly and after the count, so the settings are at least as new as it says.
        let settings = self.get(slug).await?;
        self.by_changes.keep(slug, Versioned { value: settings.clone(), version: changes });
        Ok(Current { settings, changes })
    }

    /// Replaces the restaurant's settings if nobody changed them since `expected_version`.
    pub async fn update(&self, restaurant: &Restaurant, expected_version: u64) -> Result<u64, RepoError> {
        let key = keys::restaurant(&restaurant.slug);
        let item = Item::new(key.clone(), expected_version + 1, encode(restaurant)?);
        let put = Write::Put { item, condition: Condition::Version(expected_version) };
        match write_counting_menu_change(self.store.as_ref(), &restaurant.slug, put).await {
            Ok(_) => Ok(expected_version + 1),
            Err(SeamError::ConditionFailed) => Err(stale_or_missing(self.store.as_ref(), &key).await),
            Err(e) => Err(e.into()),
        }
    }

    /// Adds a staff account; `AlreadyExists` if the e-mail is taken in this restaurant.
    pub async fn add_account(&self, account: &Account) -> Result<(), RepoError> {
        let exists = Write::Check { key: keys::restaurant(&account.restaurant), condition: Condition::Present };
        let [record, login, session] = Self::account_writes(account)?;
        let writes = Transaction::new()
            .with(Part::Restaurant, exists)
            .with(Part::Account, record)
            .with(Part::Login, login)
            .with(Part::Session, session);
        match writes.commit(self.store.as_ref()).await {
            Err(Refused::Conditions(failed)) if failed.contains(&Part::Restaurant) => Err(RepoError::NotFound),
            Err(Refused::Conditions(_)) => Err(RepoError::AlreadyExists),
            other => Ok(other?),
        }
    }

    pub async fn account(&self, slug: &Slug, id: &UserId) -> Result<Account, RepoError> {
        Ok(self.versioned_account(slug, id).await?.value)
    }

    async fn versioned_account(&self, slug: &Slug, id: &UserId) -> Result<Versioned<Account>, RepoError> {
        let item = self.store.get(&keys::account(slug, id)).await?.ok_or(RepoError::NotFound)?;
        Ok(Versioned { value: decode(&item)?, version: item.version })
    }

    pub async fn account_by_email(&self, slug: &Slug, email: &Email) -> Result<Account, RepoError> {
        let pointer = self.store.get(&keys::login(slug, email)).await?.ok_or(RepoError::NotFound)?;
        let LoginPointer { user } = decode(&pointer)?;
        self.account(slug, &user).await
    }

    /// Every staff account of the restaurant.
    pub async fn accounts(&self, slug: &Slug) -> Result<Vec<Account>, RepoError> {
        Ok(self.roster(slug).await?.into_iter().map(|a| a.value).collect())
    }

    /// Every staff account of the restaurant, with the versions a change to them must name.
    pub async fn roster(&self, slug: &Slug) -> Result<Vec<Versioned<Account>>, RepoError> {
        let query =
            Query::partition(keys::staff_partition(slug)).sort_key(SortKey::BeginsWith(keys::ACCOUNT_PREFIX.into()));
        read_all(self.store.as_ref(), query)
            .await?
            .iter()
            .map(|item| Ok(Versioned { value: decode(item)?, version: item.version }))
            .collect()
    }

    /// Writes what `decision` decided about the `roster` it was made from, all or nothing:
    /// `StaleVersion` when any account it changed, removed or counted on changed meanwhile.
    pub async fn apply(&self, roster: &[Versioned<Account>], decision: &Decision) -> Result<(), RepoError> {
        // Asking for what already is (the current role, say) decides nothing: write nothing, and
        // send DynamoDB no transaction of checks alone.
        if decision.changed.is_empty() && decision.removed.is_empty() {
            return Ok(());
        }
        let version_of =
            |id: &UserId| roster.iter().find(|a| &a.value.id == id).map(|a| a.version).ok_or(RepoError::NotFound);
        let mut writes = Transaction::new();
        for account in &decision.changed {
            let version = version_of(&account.id)?;
            let item = Item::new(keys::account(&account.restaurant, &account.id), version + 1, encode(account)?);
            writes = writes
                .with(Part::Account, Write::Put { item, condition: Condition::Version(version) })
                .with(Part::Session, Self::session_write(account)?);
        }
        for account in &decision.removed {
            let (slug, id) = (&account.restaurant, &account.id);
            writes = writes
                .with(
                    Part::Account,
                    Write::Delete { key: keys::account(slug, id), condition: Condition::Version(version_of(id)?) },
                )
                .with(
                    Part::Login,
                    Write::Delete { key: keys::login(slug, &account.email), condition: Condition::Always },
                )
                .with(Part::Session, Write::Delete { key: keys::session(slug, id), condition: Condition::Always });
        }
        for id in &decision.owners_kept {
            let Some(owner) = roster.iter().find(|a| &a.value.id == id) else { continue };
            let key = keys::account(&owner.value.restaurant, id);
            writes = writes.with(Part::OwnerKept, Write::Check { key, condition: Condition::Version(owner.version) });
        }
        match writes.commit(self.store.as_ref()).await {
            Err(Refused::Conditions(_)) => Err(RepoError::StaleVersion),
            other => Ok(other?),
        }
    }

    /// The account's current session number; `None` once the account is gone.
    pub async fn session(&self, slug: &Slug, user: &UserId) -> Result<Option<u64>, RepoError> {
        let Some(item) = self.store.get(&keys::session(slug, user)).await? else { return Ok(None) };
        let Session { sessions, .. } = decode(&item)?;
        Ok(Some(sessions))
    }

    /// The role of an account that may work now; `None` for one that is disabled or gone.
    pub async fn active_role(&self, slug: &Slug, user: &UserId) -> Result<Option<Role>, RepoError> {
        let Some(item) = self.store.get(&keys::session(slug, user)).await? else { return Ok(None) };
        let session: Session = decode(&item)?;
        Ok(session.role.filter(|_| !session.disabled))
    }
}
