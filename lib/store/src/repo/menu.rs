//! Menus: categories and items, each item guarded by its version.

use std::sync::Arc;

use bistro_domain::ids::{CategoryId, ItemId, OptionGroupId, Slug};
use bistro_domain::jiff::civil::Date;
use bistro_domain::menu::{Category, Menu, MenuItem, OptionGroup};

use super::{
    RepoError, Versioned, counter_value, decode, encode, read_all, stale_or_missing, write_counting_menu_change,
};
use crate::cache::VersionedCache;
use crate::keys;
use crate::seam::{Condition, Item, Query, SeamError, SortKey, Store, Write};

#[derive(Debug, Clone)]
pub struct Menus {
    store: Arc<dyn Store>,
    /// Menus this instance has read. A read asks only the menu's version counter (one small
    /// item) and decodes the whole menu again only after a change: a menu is read on every cart
    /// update and placement, and changes a few times a day.
    cache: Arc<VersionedCache<Arc<Menu>>>,
}

impl Menus {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store, cache: Arc::default() }
    }

    /// The latest menu, with the version it is at least as new as.
    pub async fn menu(&self, slug: &Slug) -> Result<Versioned<Arc<Menu>>, RepoError> {
        let version = self.version(slug).await?;
        self.menu_as_of(slug, version).await
    }

    /// The menu at least as new as `changes`, the restaurant's change count a request read
    /// (see [`super::Restaurants::current`]): one count serves both settings and menu.
    pub async fn menu_as_of(&self, slug: &Slug, changes: u64) -> Result<Versioned<Arc<Menu>>, RepoError> {
        if let Some(cached) = self.cache.at_least(slug, changes) {
            return Ok(cached);
        }
        // Read strongly and after the count, so the content is at least as new as it says.
        let menu = Versioned { value: Arc::new(self.read_menu(slug).await?), version: changes };
        self.cache.keep(slug, menu.clone());
        Ok(menu)
    }

    async fn read_menu(&self, slug: &Slug) -> Result<Menu, RepoError> {
        let items = read_all(self.store.as_ref(), Query::partition(keys::menu_partition(slug))).await?;
        let (mut categories, mut dishes) = (Vec::new(), Vec::new());
        for item in &items {
            if item.key.sk.starts_with(keys::CATEGORY_PREFIX) {
                categories.push(decode::<Category>(item)?);
            } else if item.key.sk.starts_with(keys::ITEM_PREFIX) {
                dishes.push(decode::<MenuItem>(item)?);
            }
        }
        Ok(Menu::new(categories, dishes))
    }

    pub async fn category(&self, slug: &Slug, id: &CategoryId) -> Result<Versioned<Category>, RepoError> {
        let item = self.store.get(&keys::category(slug, id)).await?.ok_or(RepoError::NotFound)?;
        Ok(Versioned { value: decode(&item)?, version: item.version })
    }

    /// Creates the category (`expected_version` `None`) or replaces the version the caller read.
    pub async fn put_category(
        &self,
        slug: &Slug,
        category: &Category,
        expected_version: Option<u64>,
    ) -> Result<u64, RepoError> {
        let key = keys::category(slug, &category.id);
        let (condition, version) = match expected_version {
            None => (Condition::Absent, 1),
            Some(v) => (Condition::Version(v), v + 1),
        };
        match write_counting_menu_change(
            self.store.as_ref(),
            slug,
            Write::Put { item: Item::new(key.clone(), version, encode(category)?), condition },
        )
        .await
        {
            Ok(_) => Ok(version),
            Err(SeamError::ConditionFailed) if expected_version.is_none() => Err(RepoError::AlreadyExists),
            Err(SeamError::ConditionFailed) => Err(stale_or_missing(self.store.as_ref(), &key).await),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete_category(&self, slug: &Slug, id: &CategoryId, expected_version: u64) -> Result<(), RepoError> {
        let key = keys::category(slug, id);
        self.guarded_change(
            slug,
            &key,
            Write::Delete { key: key.clone(), condition: Condition::Version(expected_version) },
        )
        .await
    }

    /// A change guarded by a version: a failed guard is `StaleVersion`, or `NotFound` if it is gone.
    async fn guarded_change(&self, slug: &Slug, key: &crate::seam::Key, write: Write) -> Result<(), RepoError> {
        match write_counting_menu_change(self.store.as_ref(), slug, write).await {
            Ok(_) => Ok(()),
            Err(SeamError::ConditionFailed) => Err(stale_or_missing(self.store.as_ref(), key).await),
            Err(e) => Err(e.into()),
        }
    }

    /// How many changes the published menu has seen: its version.
    async fn version(&self, slug: &Slug) -> Result<u64, RepoError> {
        Ok(counter_value(self.store.get(&keys::menu_version(slug)).await?.as_ref()))
    }

    /// Counts one more upload granted on `date` if fewer than `limit` were; `false` if not.
    pub async fn count_upload(&self, slug: &Slug, date: Date, limit: u32) -> Result<bool, RepoError> {
        let key = keys::uploads_of_day(slug, date);
        // Kept until the day is over everywhere, then forgotten.
        let expires_at = crate::seam::now_unix() + 2 * 24 * 3600;
        let condition = Condition::CounterAtMost(i64::from(limit) - 1);
        match self.store.write(Write::Add { key, by: 1, expires_at: Some(expires_at), condition }).await {
            Ok(_) => Ok(true),
            Err(SeamError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn item(&self, slug: &Slug, id: &ItemId) -> Result<MenuItem, RepoError> {
        let item = self.store.get(&keys::menu_item(slug, id)).await?.ok_or(RepoError::NotFound)?;
        decode(&item)
    }

    pub async fn create_item(&self, slug: &Slug, item: &MenuItem) -> Result<(), RepoError> {
        let stored = Item::new(keys::menu_item(slug, item.id()), item.version(), encode(item)?);
        match write_counting_menu_change(
            self.store.as_ref(),
            slug,
            Write::Put { item: stored, condition: Condition::Absent },
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(SeamError::ConditionFailed) => Err(RepoError::AlreadyExists),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores `item` (already at its next version) only if the stored one is still at
    /// `item.version() - 1`: a concurrent edit gets `StaleVersion`, never a silent overwrite.
    pub async fn update_item(&self, slug: &Slug, item: &MenuItem) -> Result<(), RepoError> {
        let key = keys::menu_item(slug, item.id());
        let condition = Condition::Version(item.version().saturating_sub(1));
        self.guarded_change(
            slug,
            &key,
            Write::Put { item: Item::new(key.clone(), item.version(), encode(item)?), condition },
        )
        .await
    }

    pub async fn delete_item(&self, slug: &Slug, id: &ItemId, expected_version: u64) -> Result<(), RepoError> {
        let key = keys::menu_item(slug, id);
        self.guarded_change(
            slug,
            &key,
            Write::Delete { key: key.clone(), condition: Condition::Version(expected_version) },
        )
        .await
    }

    /// The restaurant's saved groups of choices, each at its version.
    pub async fn saved_groups(&self, slug: &Slug) -> Result<Vec<Versioned<OptionGroup>>, RepoError> {
        let query = Query::partition(keys::menu_partition(slug))
            .sort_key(SortKey::BeginsWith(keys::SAVED_GROUP_PREFIX.to_owned()));
        read_all(self.store.as_ref(), query)
            .await?
            .iter()
            .map(|item| Ok(Versioned { value: decode(item)?, version: item.version }))
            .collect()
    }

    pub async fn saved_group(&self, slug: &Slug, id: &OptionGroupId) -> Result<Versioned<OptionGroup>, RepoError> {
        let item = self.store.get(&keys::saved_group(slug, id)).await?.ok_or(RepoError::NotFound)?;
        Ok(Versioned { value: decode(&item)?, version: item.version })
    }

    /// Saves `group` (new when `expected_version` is `None`, else over the version read) and,
    /// in the same transaction, the dishes' copies of it: `dishes` at their next versions, each
    /// written over the version before, so a dish changed meanwhile fails it all (`StaleVersion`)
    /// and no dish keeps an old copy. At most [`Self::MAX_DISHES_PER_GROUP`] dishes.
    pub async fn save_group(
        &self,
        slug: &Slug,
        group: &OptionGroup,
        expected_version: Option<u64>,
        dishes: &[MenuItem],
    ) -> Result<u64, RepoError> {
        let key = keys::saved_group(slug, group.id());
        let (condition, version) = match expected_version {
            None => (Condition::Absent, 1),
            Some(v) => (Condition::Version(v), v + 1),
        };
        let mut writes = vec![Write::Put { item: Item::new(key.clone(), version, encode(group)?), condition }];
        for dish in dishes {
            let dish_key = keys::menu_item(slug, dish.id());
            let condition = Condition::Version(dish.version().saturating_sub(1));
            writes.push(Write::Put { item: Item::new(dish_key, dish.version(), encode(dish)?), condition });
        }
        writes.push(Write::Add {
            key: keys::menu_version(slug),
            by: 1,
            expires_at: None,
            condition: Condition::Always,
        });
        match self.store.transact(writes).await {
            Ok(()) => Ok(version),
            Err(SeamError::TransactionCancelled { failed }) if failed.contains(&0) && expected_version.is_none() => {
                Err(RepoError::AlreadyExists)
            }
            Err(SeamError::TransactionCancelled { failed }) if failed.contains(&0) => {
                Err(stale_or_missing(self.store.as_ref(), &key).await)
            }
            Err(SeamError::TransactionCancelled { .. }) => Err(RepoError::StaleVersion),
            Err(e) => Err(e.into()),
        }
    }

    /// Dishes one saved group may be on: a change writes them all with the group and the menu's
    /// count in one transaction of at most 100 writes.
    pub const MAX_DISHES_PER_GROUP: usize = 98;

    pub async fn delete_group(&self, slug: &Slug, id: &OptionGroupId, expected_version: u64) -> Result<(), RepoError> {
        let key = keys::saved_group(slug, id);
        self.guarded_change(
            slug,
            &key,
            Write::Delete { key: key.clone(), condition: Condition::Version(expected_version) },
        )
        .await
    }
}
