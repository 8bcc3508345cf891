//! Every restaurant of the deployment, and how far each one's guests' personal data was erased.

use std::sync::Arc;

use bistro_domain::ids::Slug;
use bistro_domain::jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{RepoError, Versioned, decode, encode, read_all, stale_or_missing};
use crate::keys;
use crate::seam::{Condition, Item, Query, SeamError, Store, Write};

/// One restaurant in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub slug: Slug,
    /// The restaurant's business day when it signed up: nothing of it is older.
    pub since: Date,
    /// The last local date whose guests' personal data is erased; `None` before the first.
    pub erased_through: Option<Date>,
}

impl Listing {
    /// Written with the restaurant, in the transaction that creates it.
    pub(crate) fn write(slug: &Slug, since: Date) -> Result<Write, RepoError> {
        let listing = Self { slug: slug.clone(), since, erased_through: None };
        Ok(Write::Put { item: Item::new(keys::listing(slug), 1, encode(&listing)?), condition: Condition::Absent })
    }
}

#[derive(Debug, Clone)]
pub struct Directory {
    store: Arc<dyn Store>,
}

impl Directory {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Every restaurant, by slug.
    pub async fn all(&self) -> Result<Vec<Versioned<Listing>>, RepoError> {
        let items = read_all(self.store.as_ref(), Query::partition(keys::DIRECTORY)).await?;
        items.iter().map(|item| Ok(Versioned { value: decode(item)?, version: item.version })).collect()
    }

    /// Lists every restaurant the directory misses (one made before it existed), from the day
    /// of its first order or booking (or today): the retention sweep then reaches it too.
    /// Reads the whole table (a scan): the operator's `list-restaurants` runs it.
    pub async fn backfill(&self) -> Result<Vec<Slug>, RepoError> {
        let listed: std::collections::BTreeSet<Slug> = self.all().await?.into_iter().map(|l| l.value.slug).collect();
        let (mut missing, mut first_day) = (Vec::new(), std::collections::BTreeMap::<String, Date>::new());
        let mut after = None;
        loop {
            let page = self.store.scan("R#", after).await?;
            for item in &page.items {
                let Some((slug, kind)) = item.key.pk.strip_prefix("R#").and_then(|pk| pk.split_once('#')) else {
                    continue;
                };
                let day = match kind.split_once('#').unwrap_or((kind, "")) {
                    ("PROFILE", _) => {
                        let restaurant: bistro_domain::restaurant::Restaurant = decode(item)?;
                        missing.push((
                            restaurant.slug.clone(),
                            restaurant.business_day(bistro_domain::jiff::Timestamp::now()),
                        ));
                        continue;
                    }
                    ("DAY", date) => date.parse::<Date>().ok(),
                    ("BOOKING", _) => Some(decode::<bistro_domain::reservation::Reservation>(item)?.date),
                    _ => None,
                };
                if let Some(day) = day {
                    let first = first_day.entry(slug.to_owned()).or_insert(day);
                    *first = (*first).min(day);
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let mut added = Vec::new();
        for (slug, today) in missing.into_iter().filter(|(slug, _)| !listed.contains(slug)) {
            let since = first_day.get(slug.as_str()).copied().unwrap_or(today).min(today);
            match self.store.write(Listing::write(&slug, since)?).await {
                // Listed meanwhile (by another backfill, say): as good.
                Ok(_) | Err(SeamError::ConditionFailed) => added.push(slug),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(added)
    }

    /// Records that the restaurant's personal data is erased through `day`, unless another
    /// sweep recorded something since `listing` was read.
    pub async fn erased_through(
        &self,
        listing: &Versioned<Listing>,
        day: Date,
    ) -> Result<Versioned<Listing>, RepoError> {
        let key = keys::listing(&listing.value.slug);
        let next = Listing { erased_through: Some(day), ..listing.value.clone() };
        let item = Item::new(key.clone(), listing.version + 1, encode(&next)?);
        match self.store.write(Write::Put { item, condition: Condition::Version(listing.version) }).await {
            Ok(_) => Ok(Versioned { value: next, version: listing.version + 1 }),
            Err(SeamError::ConditionFailed) => Err(stale_or_missing(self.store.as_ref(), &key).await),
            Err(e) => Err(e.into()),
        }
    }
}
