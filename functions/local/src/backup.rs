//! `bistro-local backup` and `bistro-local restore`: a whole local data directory (the SQLite
//! store, pictures, published menus, keys) copied while the server runs, and put back.
//!
//! The database is copied with SQLite's `VACUUM INTO`, one read transaction: a consistent
//! snapshot however many orders are being placed meanwhile. Every file is listed in
//! `manifest.json` with its size and SHA-256; a restore checks them all before it writes
//! anything, and refuses a directory a running server holds (`hold`).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "manifest.json";
/// What this build writes; a newer backup is refused with its own message.
pub const FORMAT: u64 = 1;
const DATABASE: &str = "bistro.db";
/// Held by a running server for its life: a restore into its directory is refused.
const LOCK: &str = ".lock";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("copying the database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("{0} exists: a backup goes into a new directory")]
    Exists(PathBuf),
    #[error("{0} is not empty: restore into a new or empty directory, and move the old one away first")]
    NotEmpty(PathBuf),
    #[error("a server is running on {0}: stop it first")]
    InUse(PathBuf),
    #[error("{0} is not a Bistro backup: it has no readable manifest.json")]
    NoManifest(PathBuf),
    #[error("this backup is of format {0}, newer than this bistro-local reads ({FORMAT}): use a newer bistro-local")]
    Newer(u64),
    #[error("the backup is damaged: {0} is missing or differs from what manifest.json says; nothing was restored")]
    Damaged(String),
}

/// What a backup or restore did, for its closing line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub files: usize,
    pub bytes: u64,
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} files, {} bytes, {:.1} s", self.files, self.bytes, self.seconds)
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io(path.to_owned(), e)
}

/// A data directory held by this process: released when dropped, or when the process ends however
/// it ends (an SQLite exclusive lock on `.lock`, which every platform SQLite runs on honours).
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] rusqlite::Connection);

/// Holds `data` for as long as the returned value lives: what the server does at start.
pub fn hold(data: &Path) -> Result<Held, BackupError> {
    let lock = rusqlite::Connection::open(data.join(LOCK))?;
    lock.busy_timeout(std::time::Duration::ZERO)?;
    match lock.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;") {
        Ok(()) => Ok(Held(lock)),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            Err(BackupError::InUse(data.to_owned()))
        }
        Err(other) => Err(other.into()),
    }
}

/// Every file under `dir` but the live database, the lock and their journals, relative to `dir`.
fn files_of(dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let here = dir.join(&relative);
        for entry in std::fs::read_dir(&here).map_err(io(&here))? {
            let entry = entry.map_err(io(&here))?;
            let name = relative.join(entry.file_name());
            if entry.file_type().map_err(io(&here))?.is_dir() {
                pending.push(name);
            } else if ![DATABASE, LOCK].iter().any(|live| name.to_string_lossy().starts_with(live)) {
                found.push(name);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn sha256(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = File::open(path).map_err(io(path))?;
    let (mut hasher, mut buffer, mut bytes) = (Sha256::new(), vec![0; 64 * 1024], 0u64);
    loop {
        let read = file.read(&mut buffer).map_err(io(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        bytes += read as u64;
    }
    let digest = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((digest, bytes))
}

/// Makes `dir` (and what it lacks above it) a directory only its owner may enter, as the data
/// directory is: a backup holds the same guests' names and phones.
fn private_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io(dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))
}

/// Copies `relative` from under `from` to under `to`, making the directories it needs.
fn copy_file(from: &Path, to: &Path, relative: &Path) -> Result<(), BackupError> {
    let target = to.join(relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::copy(from.join(relative), &target).map_err(io(&target))?;
    Ok(())
}

/// Copies `data` into the new directory `to`, consistent while the server runs.
pub fn backup(data: &Path, to: &Path, progress: impl Fn(&str)) -> Result<Summary, BackupError> {
    let started = Instant::now();
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    private_dir(to)?;
    progress(DATABASE);
    let source =
        rusqlite::Connection::open_with_flags(data.join(DATABASE), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let copy = to.join(DATABASE);
    source.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
    // SQLite makes the copy as the umask says: only its owner may read guests' data, as in `data`.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).map_err(io(&copy))?;
    }
    let others = files_of(data)?;
    for (n, relative) in others.iter().enumerate() {
        progress(&format!("[{}/{}] {}", n + 1, others.len(), relative.display()));
        copy_file(data, to, relative)?;
    }
    let mut listed = Vec::new();
    let mut bytes = 0;
    for relative in std::iter::once(PathBuf::from(DATABASE)).chain(others) {
        let (digest, size) = sha256(&to.join(&relative))?;
        bytes += size;
        listed.push(json!({"path": relative.to_string_lossy(), "bytes": size, "sha256": digest}));
    }
    let files = listed.len();
    let manifest = json!({"format": FORMAT, "files": listed});
    let path = to.join(MANIFEST);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap_or_default()).map_err(io(&path))?;
    Ok(Summary { files, bytes, seconds: started.elapsed().as_secs_f64() })
}

/// Puts the backup `from` into `data` (new or empty, and held by no server), after checking every
/// file against the manifest: a damaged backup writes nothing.
pub fn restore(from: &Path, data: &Path, progress: impl Fn(&str)) -> Result<Summary, BackupError> {
    let started = Instant::now();
    let manifest: Value = std::fs::read(from.join(MANIFEST))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| BackupError::NoManifest(from.to_owned()))?;
    let format = manifest["format"].as_u64().ok_or_else(|| BackupError::NoManifest(from.to_owned()))?;
    if format > FORMAT {
        return Err(BackupError::Newer(format));
    }
    let listed = manifest["files"].as_array().cloned().unwrap_or_default();
    let mut files = Vec::new();
    for entry in &listed {
        let relative = entry["path"].as_str().unwrap_or_default();
        // Only paths inside the backup: a manifest cannot send a file elsewhere.
        let safe = Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        let damaged = || BackupError::Damaged(relative.to_owned());
        if !safe || relative.is_empty() {
            return Err(damaged());
        }
        let (digest, size) = sha256(&from.join(relative)).map_err(|_| damaged())?;
        if Some(digest.as_str()) != entry["sha256"].as_str() || Some(size) != entry["bytes"].as_u64() {
            return Err(damaged());
        }
        files.push((PathBuf::from(relative), size));
    }
    if !files.iter().any(|(path, _)| path == Path::new(DATABASE)) {
        return Err(BackupError::Damaged(DATABASE.to_owned()));
    }
    private_dir(data)?;
    let _held = hold(data)?;
    if std::fs::read_dir(data).map_err(io(data))?.flatten().any(|e| !e.file_name().to_string_lossy().starts_with(LOCK))
    {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    for (n, (relative, _)) in files.iter().enumerate() {
        progress(&format!("[{}/{}] {}", n + 1, files.len(), relative.display()));
        copy_file(from, data, relative)?;
    }
    let bytes = files.iter().map(|(_, size)| size).sum();
    Ok(Summary { files: files.len(), bytes, seconds: started.elapsed().as_secs_f64() })
}

/// Backups the server takes itself: one every `every` into a new directory under `to`, the
/// newest `kept` kept (`--backup-every 6h --backup-to DIR --backups-kept 14`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub every: std::time::Duration,
    pub to: PathBuf,
    pub kept: usize,
}

/// Scheduled backups are named by when they were taken, so names sort as times.
const SCHEDULED_PREFIX: &str = "bistro-";

impl Schedule {
    /// `every` is a number with a unit: `90s`, `30m`, `6h`, `1d`.
    pub fn parse(every: &str, to: PathBuf, kept: &str) -> Result<Self, String> {
        let unit = match every.chars().last() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86_400,
            _ => return Err(format!("--backup-every: '{every}' is not a period like 30m, 6h or 1d")),
        };
        let count: u64 = every[..every.len() - 1]
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--backup-every: '{every}' is not a period like 30m, 6h or 1d"))?;
        let kept = kept
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--backups-kept: '{kept}' is not a number of backups (1 or more)"))?;
        Ok(Self { every: std::time::Duration::from_secs(count * unit), to, kept })
    }
}

/// Takes one scheduled backup of `data` and removes the oldest beyond the schedule's `kept`:
/// where it went, what it copied, and how many old ones went.
pub fn scheduled(data: &Path, schedule: &Schedule) -> Result<(PathBuf, Summary, usize), BackupError> {
    private_dir(&schedule.to)?;
    let name = bistro_domain::jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
    let to = schedule.to.join(format!("{SCHEDULED_PREFIX}{name}"));
    let summary = backup(data, &to, |_| {})?;
    let mut taken: Vec<PathBuf> = std::fs::read_dir(&schedule.to)
        .map_err(io(&schedule.to))?
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(SCHEDULED_PREFIX))
        .map(|entry| entry.path())
        .filter(|path| path.join(MANIFEST).exists())
        .collect();
    taken.sort();
    let surplus = taken.len().saturating_sub(schedule.kept);
    for old in &taken[..surplus] {
        std::fs::remove_dir_all(old).map_err(io(old))?;
    }
    Ok((to, summary, surplus))
}
