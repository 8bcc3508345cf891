//! What one instance remembers between requests, each value under the version of the data it
//! was made from, so a reader that knows the current version can tell whether the value still
//! holds, and a writer can condition its write on it. Nothing is trusted without such a check:
//! another instance may have changed the data since.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use bistro_domain::ids::Slug;

use crate::repo::Versioned;

/// Enough for every restaurant a deployment serves from one instance; past it, the cache
/// forgets one restaurant for each it learns, so memory stays bounded.
const RESTAURANTS: usize = 512;

#[derive(Debug)]
pub struct VersionedCache<V, K = Slug> {
    values: Mutex<HashMap<K, Versioned<V>>>,
    bound: usize,
}

impl<V> Default for VersionedCache<V> {
    fn default() -> Self {
        Self::bounded(RESTAURANTS)
    }
}

impl<V, K> VersionedCache<V, K> {
    /// A cache of at most `bound` values: past it, it forgets one for each it learns.
    pub fn bounded(bound: usize) -> Self {
        Self { values: Mutex::new(HashMap::new()), bound }
    }
}

impl<V: Clone, K: Hash + Eq + Clone> VersionedCache<V, K> {
    /// The value kept under `key` if it was made from version `version` or a later one.
    pub fn at_least(&self, key: &K, version: u64) -> Option<Versioned<V>> {
        let values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        values.get(key).filter(|kept| kept.version >= version).cloned()
    }

    /// The value kept under `key` if it was made from exactly version `version`.
    pub fn at(&self, key: &K, version: u64) -> Option<V> {
        let values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        values.get(key).filter(|kept| kept.version == version).map(|kept| kept.value.clone())
    }

    /// Keeps `value` unless one made from a later version is kept already.
    pub fn keep(&self, key: &K, value: Versioned<V>) {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        if values.get(key).is_some_and(|kept| kept.version >= value.version) {
            return;
        }
        if values.len() >= self.bound && !values.contains_key(key) {
            if let Some(forgotten) = values.keys().next().cloned() {
                values.remove(&forgotten);
            }
        }
        values.insert(key.clone(), value);
    }

    /// Forgets what is kept under `key`: it is known to be out of date, or gone.
    pub fn forget(&self, key: &K) {
        self.values.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(raw: &str) -> Slug {
        Slug::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_value_is_returned_only_for_its_version_or_an_earlier_one() {
        let cache = VersionedCache::default();
        cache.keep(&slug("roma"), Versioned { value: "menu", version: 3 });

        assert_eq!(cache.at_least(&slug("roma"), 3).map(|v| v.value), Some("menu"));
        assert_eq!(cache.at_least(&slug("roma"), 2).map(|v| v.value), Some("menu"));
        assert_eq!(cache.at_least(&slug("roma"), 4), None);
    }

    #[test]
    fn a_value_is_returned_for_its_exact_version_only() {
        let cache = VersionedCache::default();
        cache.keep(&slug("roma"), Versioned { value: "menu", version: 3 });

        assert_eq!(cache.at(&slug("roma"), 3), Some("menu"));
        assert_eq!(cache.at(&slug("roma"), 2), None);
    }

    #[test]
    fn an_older_value_never_replaces_a_newer_one() {
        let cache = VersionedCache::default();
        cache.keep(&slug("roma"), Versioned { value: "new", version: 5 });

        cache.keep(&slug("roma"), Versioned { value: "old", version: 4 });

        assert_eq!(cache.at_least(&slug("roma"), 0).map(|v| v.value), Some("new"));
    }

    #[test]
    fn a_forgotten_value_is_not_returned() {
        let cache = VersionedCache::default();
        cache.keep(&slug("roma"), Versioned { value: "menu", version: 3 });

        cache.forget(&slug("roma"));

        assert_eq!(cache.at_least(&slug("roma"), 0), None);
    }

    #[test]
    fn the_cache_never_holds_more_restaurants_than_its_bound() {
        let cache = VersionedCache::default();

        for n in 0..RESTAURANTS + 10 {
            cache.keep(&slug(&format!("r-{n}")), Versioned { value: n, version: 1 });
        }

        let kept = (0..RESTAURANTS + 10).filter(|n| cache.at_least(&slug(&format!("r-{n}")), 0).is_some()).count();
        assert_eq!(kept, RESTAURANTS);
    }
}
