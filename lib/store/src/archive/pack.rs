//! The archive's bytes: a gzipped tar whose first member is the manifest. Reading checks every
//! member against the manifest and decodes every record before anything is returned, so an
//! import of a truncated or altered archive writes nothing.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use bistro_domain::ids::Slug;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::records::{Contents, Counter, Picture, Stored};
use super::{Archive, ArchiveError, FORMAT, KIND, Manifest, Member, sha256};
use crate::repo::Listing;

const MANIFEST: &str = "manifest.json";
const PICTURES: &str = "pictures/";
const PUBLISHED_MENU: &str = "published-menu.json";

#[derive(Serialize, Deserialize)]
struct Settings {
    settings: Stored<bistro_domain::restaurant::Restaurant>,
    listing: Option<Listing>,
}

#[derive(Serialize, Deserialize)]
struct MenuRecords {
    categories: Vec<Stored<bistro_domain::menu::Category>>,
    dishes: Vec<bistro_domain::menu::MenuItem>,
    saved_groups: Vec<Stored<bistro_domain::menu::OptionGroup>>,
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, ArchiveError> {
    serde_json::to_vec(value).map_err(|e| ArchiveError::Damaged(e.to_string()))
}

fn lines<T: Serialize>(values: &[T]) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Vec::new();
    for value in values {
        serde_json::to_writer(&mut out, value).map_err(|e| ArchiveError::Damaged(e.to_string()))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// A member's name, bytes, and media type (a picture's).
type Packed = (String, Vec<u8>, Option<String>);

/// The members of `contents`, by name, with the picture's media types.
fn members(contents: &Contents) -> Result<Vec<Packed>, ArchiveError> {
    let settings = Settings { settings: contents.settings.clone(), listing: contents.listing.clone() };
    let menu = MenuRecords {
        categories: contents.categories.clone(),
        dishes: contents.dishes.clone(),
        saved_groups: contents.saved_groups.clone(),
    };
    let mut members = vec![
        ("restaurant.json".to_owned(), json(&settings)?, None),
        ("staff.jsonl".to_owned(), lines(&contents.staff)?, None),
        ("menu.json".to_owned(), json(&menu)?, None),
        ("orders.jsonl".to_owned(), lines(&contents.orders)?, None),
        ("bookings.jsonl".to_owned(), lines(&contents.bookings)?, None),
        ("counters.jsonl".to_owned(), lines(&contents.counters)?, None),
    ];
    if let Some(published) = &contents.published_menu {
        members.push((PUBLISHED_MENU.to_owned(), published.clone(), None));
    }
    for picture in &contents.pictures {
        members.push((format!("{PICTURES}{}", picture.key), picture.bytes.clone(), Some(picture.content_type.clone())));
    }
    Ok(members)
}

/// Writes `archive` to `out`; returns the manifest it wrote (with every member's checksum).
pub fn write(archive: &Archive, out: impl Write) -> Result<Manifest, ArchiveError> {
    let members = members(&archive.contents)?;
    let mut manifest = archive.manifest.clone();
    manifest.members = members
        .iter()
        .map(|(name, bytes, content_type)| Member {
            name: name.clone(),
            bytes: bytes.len() as u64,
            sha256: sha256(bytes),
            content_type: content_type.clone(),
        })
        .collect();
    let mtime = u64::try_from(manifest.exported_at.as_second()).unwrap_or(0);
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(out, flate2::Compression::default()));
    let mut append = |name: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        tar.append_data(&mut header, name, bytes)
    };
    append(MANIFEST, &json(&manifest)?)?;
    for (name, bytes, _) in &members {
        append(name, bytes)?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(manifest)
}

fn damaged(what: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Damaged(what.to_string())
}

/// Every member of the tarball by name; a truncated or garbled one fails here.
fn unpack(input: impl Read) -> Result<BTreeMap<String, Vec<u8>>, ArchiveError> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(input));
    let mut found = BTreeMap::new();
    let entries = tar.entries().map_err(|e| ArchiveError::NotAnArchive(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(format!("it ends early or is garbled ({e})")))?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| damaged(format!("{name} ends early ({e})")))?;
        found.insert(name, bytes);
    }
    Ok(found)
}

/// The manifest, if `members` has one this build may read, and each member as it lists it.
fn checked_manifest(members: &BTreeMap<String, Vec<u8>>) -> Result<Manifest, ArchiveError> {
    let raw = members.get(MANIFEST).ok_or_else(|| ArchiveError::NotAnArchive("it has no manifest.json".into()))?;
    let value: serde_json::Value =
        serde_json::from_slice(raw).map_err(|e| ArchiveError::NotAnArchive(format!("manifest.json: {e}")))?;
    if value.get("kind").and_then(serde_json::Value::as_str) != Some(KIND) {
        return Err(ArchiveError::NotAnArchive(format!("manifest.json does not say kind \"{KIND}\"")));
    }
    let format = value.get("format").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if format > u64::from(FORMAT) {
        return Err(ArchiveError::Newer(u32::try_from(format).unwrap_or(u32::MAX)));
    }
    let manifest: Manifest = serde_json::from_value(value).map_err(|e| damaged(format!("manifest.json: {e}")))?;
    for member in &manifest.members {
        let bytes = members.get(&member.name).ok_or_else(|| damaged(format!("{} is missing", member.name)))?;
        if bytes.len() as u64 != member.bytes || sha256(bytes) != member.sha256 {
            return Err(damaged(format!("{} differs from what manifest.json says of it", member.name)));
        }
    }
    if let Some(extra) =
        members.keys().find(|name| *name != MANIFEST && !manifest.members.iter().any(|m| &m.name == *name))
    {
        return Err(damaged(format!("it holds {extra}, which manifest.json does not list")));
    }
    Ok(manifest)
}

fn record<T: DeserializeOwned>(members: &BTreeMap<String, Vec<u8>>, name: &str) -> Result<T, ArchiveError> {
    let bytes = members.get(name).ok_or_else(|| damaged(format!("{name} is missing")))?;
    serde_json::from_slice(bytes).map_err(|e| damaged(format!("{name}: {e}")))
}

fn records<T: DeserializeOwned>(members: &BTreeMap<String, Vec<u8>>, name: &str) -> Result<Vec<T>, ArchiveError> {
    let bytes = members.get(name).ok_or_else(|| damaged(format!("{name} is missing")))?;
    let text = std::str::from_utf8(bytes).map_err(|_| damaged(format!("{name} is not UTF-8 text")))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(n, line)| serde_json::from_str(line).map_err(|e| damaged(format!("{name} line {}: {e}", n + 1))))
        .collect()
}

/// Reads a whole archive, refusing it unless every member checks out, every record decodes
/// into a valid domain value, and every record is of the manifest's restaurant.
pub fn read(input: impl Read) -> Result<Archive, ArchiveError> {
    let members = unpack(input)?;
    let manifest = checked_manifest(&members)?;
    let Settings { settings, listing } = record(&members, "restaurant.json")?;
    let menu: MenuRecords = record(&members, "menu.json")?;
    let pictures = manifest
        .members
        .iter()
        .filter_map(|member| {
            let key = member.name.strip_prefix(PICTURES)?;
            let content_type = member.content_type.clone().unwrap_or_else(|| "application/octet-stream".into());
            Some(Picture { key: key.to_owned(), content_type, bytes: members[&member.name].clone() })
        })
        .collect();
    let contents = Contents {
        settings,
        listing,
        staff: records(&members, "staff.jsonl")?,
        categories: menu.categories,
        dishes: menu.dishes,
        saved_groups: menu.saved_groups,
        orders: records(&members, "orders.jsonl")?,
        bookings: records::<bistro_domain::reservation::Reservation>(&members, "bookings.jsonl")?,
        counters: records::<Counter>(&members, "counters.jsonl")?,
        pictures,
        published_menu: members.get(PUBLISHED_MENU).cloned(),
    };
    all_of(&manifest.restaurant, &contents)?;
    Ok(Archive { manifest, contents })
}

/// Refuses an archive any of whose records is of a restaurant other than its manifest's.
fn all_of(slug: &Slug, contents: &Contents) -> Result<(), ArchiveError> {
    let foreign = [
        (contents.settings.value.slug != *slug).then_some("restaurant.json"),
        contents.listing.as_ref().is_some_and(|l| l.slug != *slug).then_some("restaurant.json"),
        contents.staff.iter().any(|a| a.value.restaurant != *slug).then_some("staff.jsonl"),
        contents.orders.iter().any(|o| o.restaurant != *slug).then_some("orders.jsonl"),
        contents.bookings.iter().any(|b| b.restaurant != *slug).then_some("bookings.jsonl"),
    ];
    match foreign.into_iter().flatten().next() {
        Some(name) => Err(damaged(format!("{name} holds records of a restaurant other than '{slug}'"))),
        None => Ok(()),
    }
}
