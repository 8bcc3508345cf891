//! Export reads one restaurant out of a store (and its pictures out of the media store); import
//! writes it into another, checking first that it may.

use bistro_domain::ids::{Slug, Token};
use bistro_domain::jiff::{Timestamp, ToSpan};
use bistro_domain::restaurant::Restaurant;

use super::records::{Contents, Picture, Sorted};
use super::{ArchiveError, FORMAT, KIND, Manifest};
use crate::blob::{BlobStore, NewBlob, Precondition};
use crate::keys;
use crate::repo::{Listing, RepoError, decode, placed};
use crate::seam::{Condition, Cursor, Item, Key, SeamError, Store, Write};

/// Where a restaurant's pictures and published menu are kept.
#[derive(Debug, Clone, Copy)]
pub struct Blobs<'a> {
    pub media: &'a dyn BlobStore,
    pub site: &'a dyn BlobStore,
    /// The published menu's key in `site` (the API decides it).
    pub published_menu: &'a str,
}

/// How far a long export or import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Items read so far (the total is unknown until the end).
    Reading {
        items: usize,
    },
    Pictures {
        done: usize,
        of: usize,
    },
    Writing {
        done: usize,
        of: usize,
    },
    /// Items of the replaced restaurant removed so far.
    Removing {
        items: usize,
    },
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub items: usize,
    pub pictures: usize,
    pub bytes: u64,
}

/// Every live item of `slug`'s partitions, page by page.
async fn each_item(
    store: &dyn Store,
    slug: &Slug,
    mut visit: impl FnMut(Item) -> Result<(), RepoError>,
) -> Result<usize, ArchiveError> {
    let (prefix, mut after, mut count) = (format!("R#{slug}#"), None::<Cursor>, 0);
    loop {
        let page = store.scan(&prefix, after).await?;
        count += page.items.len();
        page.items.into_iter().try_for_each(&mut visit)?;
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(count),
        }
    }
}

/// How an export finds a restaurant's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Every item under the restaurant's prefix, in one pass over the whole table: the operator's.
    Scan,
    /// Its partitions and its days one by one, as its routes read them: what a function may do.
    Walk,
}

/// Reads restaurant `slug` as records. Without `secrets`, staff password hashes are left empty
/// and guests' order and booking tokens are replaced by new ones nobody holds.
pub async fn export(
    store: &dyn Store,
    blobs: Option<Blobs<'_>>,
    slug: &Slug,
    (reading, secrets): (Reading, bool),
    progress: &(dyn Fn(Step) + Sync),
) -> Result<super::Archive, ArchiveError> {
    let listing = match store.get(&keys::listing(slug)).await? {
        Some(item) => Some(decode::<Listing>(&item)?),
        None => None,
    };
    let mut sorted = read_items(store, slug, reading, listing.as_ref(), progress).await?;
    let settings = sorted.settings.take().ok_or_else(|| ArchiveError::NoRestaurant(slug.clone()))?;
    let mut orders = Vec::with_capacity(sorted.order_items.len());
    for items in sorted.order_items.values() {
        orders.extend(placed(items)?.map(|(order, _)| order));
    }
    orders.sort_by_key(|order| (order.business_date, order.number));
    let mut bookings = sorted.bookings;
    bookings.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    let mut staff = sorted.staff;
    if !secrets {
        staff.iter_mut().for_each(|account| account.value.password_hash.clear());
        orders.iter_mut().for_each(|order| order.token = Token::generate());
        bookings.iter_mut().for_each(|booking| booking.token = Token::generate());
    }
    let (pictures, published_menu) = match blobs {
        Some(blobs) => read_blobs(blobs, &sorted.dishes, progress).await?,
        None => (Vec::new(), None),
    };
    let contents = Contents {
        settings,
        listing,
        staff,
        categories: sorted.categories,
        dishes: sorted.dishes,
        saved_groups: sorted.saved_groups,
        orders,
        bookings,
        counters: sorted.counters,
        pictures,
        published_menu,
    };
    let manifest = Manifest {
        format: FORMAT,
        kind: KIND.to_owned(),
        restaurant: slug.clone(),
        exported_at: Timestamp::now(),
        secrets,
        members: Vec::new(),
    };
    Ok(super::Archive { manifest, contents })
}

/// Every item of `slug` an export keeps, sorted into records, read as `reading` says.
async fn read_items(
    store: &dyn Store,
    slug: &Slug,
    reading: Reading,
    listing: Option<&Listing>,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<Sorted, ArchiveError> {
    let mut sorted = Sorted::default();
    match reading {
        Reading::Scan => {
            let mut read = 0;
            each_item(store, slug, |item| {
                read += 1;
                if read % 1000 == 0 {
                    progress(Step::Reading { items: read });
                }
                sorted.take(slug, item)
            })
            .await?;
        }
        Reading::Walk => {
            let item = store.get(&keys::restaurant(slug)).await?;
            let settings: Restaurant = decode(&item.ok_or_else(|| ArchiveError::NoRestaurant(slug.clone()))?)?;
            let today = settings.business_day(Timestamp::now());
            // A restaurant older than the directory: from the first day whose guests' data is kept.
            let since = listing.map_or_else(|| settings.personal_data_days.last_erased_day(today), |l| l.since);
            let through = today.checked_add((i64::from(settings.reservations.horizon_days()) + 1).days());
            super::walk::walk(store, slug, since, through.unwrap_or(today), &mut sorted).await?;
        }
    }
    Ok(sorted)
}

async fn read_blobs(
    blobs: Blobs<'_>,
    dishes: &[bistro_domain::menu::MenuItem],
    progress: &(dyn Fn(Step) + Sync),
) -> Result<(Vec<Picture>, Option<Vec<u8>>), ArchiveError> {
    let mut keys: Vec<String> =
        dishes.iter().flat_map(|dish| dish.details().pictures()).map(|key| key.as_str().to_owned()).collect();
    keys.sort();
    keys.dedup();
    let mut pictures = Vec::with_capacity(keys.len());
    for (done, key) in keys.iter().enumerate() {
        progress(Step::Pictures { done, of: keys.len() });
        // A picture the menu names but the store lost is left out, as the menu shows none.
        if let Some(blob) = blobs.media.get(key).await? {
            pictures.push(Picture { key: key.clone(), content_type: blob.content_type, bytes: blob.bytes });
        }
    }
    let published = blobs.site.get(blobs.published_menu).await?.map(|blob| blob.bytes);
    Ok((pictures, published))
}

/// Writes `contents` as its restaurant into `store` (and its pictures into `blobs`). Refused,
/// writing nothing, when the restaurant exists, unless `replace`, which removes it first. The
/// settings are written last, so an interrupted import leaves no restaurant behind (run it
/// again with `replace`). Nothing goes to live screens: no event is written.
pub async fn import(
    store: &dyn Store,
    blobs: Option<Blobs<'_>>,
    contents: &Contents,
    replace: bool,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<Imported, ArchiveError> {
    let slug = &contents.settings.value.slug;
    if store.get(&keys::restaurant(slug)).await?.is_some() {
        if !replace {
            return Err(ArchiveError::Exists(slug.clone()));
        }
        remove(store, blobs, slug, progress).await?;
    }
    let items = contents.items()?;
    let mut bytes = 0;
    for (done, chunk) in items.chunks(500).enumerate() {
        progress(Step::Writing { done: done * 500, of: items.len() });
        bytes += chunk.iter().map(|item| item.body.len() as u64).sum::<u64>();
        store.put_all(chunk.iter().map(|item| (item.key.clone(), Some(item.clone()))).collect()).await?;
    }
    if let Some(blobs) = blobs {
        for (done, picture) in contents.pictures.iter().enumerate() {
            progress(Step::Pictures { done, of: contents.pictures.len() });
            let blob =
                NewBlob { bytes: picture.bytes.clone(), content_type: &picture.content_type, cache_control: None };
            blobs.media.put(&picture.key, blob, Precondition::None).await?;
            bytes += picture.bytes.len() as u64;
        }
    }
    let profile = contents.profile_items()?;
    let writes = profile.iter().map(|item| Write::Put { item: item.clone(), condition: Condition::Absent }).collect();
    match store.transact(writes).await {
        Err(SeamError::TransactionCancelled { .. }) => return Err(ArchiveError::Exists(slug.clone())),
        other => other?,
    }
    Ok(Imported { items: items.len() + profile.len(), pictures: contents.pictures.len(), bytes })
}

/// Removes restaurant `slug` for good: its settings first (so it is gone at once for every
/// request), then every other item and its pictures. Returns how many items it removed.
pub async fn remove(
    store: &dyn Store,
    blobs: Option<Blobs<'_>>,
    slug: &Slug,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<usize, ArchiveError> {
    store.write(Write::Delete { key: keys::restaurant(slug), condition: Condition::Always }).await?;
    let (mut keys, mut pictures) = (Vec::<Key>::new(), Vec::new());
    each_item(store, slug, |item| {
        if item.key.sk.starts_with(keys::ITEM_PREFIX) && item.key.pk == keys::menu_partition(slug) {
            let dish: bistro_domain::menu::MenuItem = decode(&item)?;
            pictures.extend(dish.details().pictures().map(|key| key.as_str().to_owned()));
        }
        keys.push(item.key);
        Ok(())
    })
    .await?;
    keys.push(keys::listing(slug));
    for (done, chunk) in keys.chunks(500).enumerate() {
        progress(Step::Removing { items: done * 500 + chunk.len() });
        store.put_all(chunk.iter().map(|key| (key.clone(), None)).collect()).await?;
    }
    if let Some(blobs) = blobs {
        for key in &pictures {
            blobs.media.delete(key).await?;
        }
    }
    Ok(keys.len())
}
