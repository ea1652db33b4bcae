//! History on disk: every scan's snapshot and every change this app made, in one embedded SQLite
//! file. The only module that names SQLite (as `aws` is the only one that names the SDK).
//!
//! WAL mode and a busy timeout let the GUI and a headless `audit` write at the same time; each
//! snapshot is one transaction, so a process killed mid-write leaves the previous ones intact.

mod error;
mod journal;
mod schema;
mod snapshots;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use crate::domain::history::{RegionRecord, SnapshotSummary};
pub use error::StoreError;
pub use snapshots::SnapshotToSave;

/// How long a write waits for another process holding the database before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How many times opening a file another process is setting up is tried again.
const SETUP_RETRIES: u64 = 20;

/// An open history database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating it and its folder when needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // A link (even a dangling one) would make SQLite create or write the file it points at.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(StoreError::Symlink {
                path: path.to_path_buf(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| StoreError::Io {
                path: dir.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        // Several processes setting up one new file at once: SQLite answers BUSY at once, not
        // after the busy timeout, where waiting could deadlock (two connections upgrading their
        // locks to change the journal mode or migrate). Such an answer is tried again, a bounded
        // number of times; a lock held for the whole busy timeout is reported as locked.
        let mut tries = 0;
        loop {
            let started = std::time::Instant::now();
            match Store::open_once(path) {
                Err(StoreError::Locked { .. })
                    if tries < SETUP_RETRIES && started.elapsed() < BUSY_TIMEOUT / 2 =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * tries));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store, StoreError> {
        let at = |e| StoreError::from_sqlite(path, e);
        let conn = Connection::open(path).map_err(at)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(at)?;
        // The first statement that reads the file: a file that is not a database fails here.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(at)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(at)?;
        restrict_file(path);
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        match schema::migrate(&mut store.conn, schema::LATEST).map_err(at)? {
            Ok(()) => Ok(store),
            Err(found) => Err(StoreError::Newer {
                path: path.to_path_buf(),
                found,
                known: schema::LATEST,
            }),
        }
    }

    /// `DIR/history.sqlite` with `--state-dir DIR`, else the platform's data directory
    /// (`$XDG_DATA_HOME/kms-replica-console/history.sqlite` on Linux).
    pub fn default_path(state_dir: Option<&Path>) -> Option<PathBuf> {
        let dir = match state_dir {
            Some(dir) => dir.to_path_buf(),
            None => directories::ProjectDirs::from("", "", "kms-replica-console")?
                .data_dir()
                .to_path_buf(),
        };
        Some(dir.join("history.sqlite"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA integrity_check`: "ok", or what SQLite found wrong.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }
}

/// Why the folder holding the history (or a plan) is unsafe, when it is: writable by its group
/// or by everyone (without the sticky bit), so another user could replace the database or a
/// journal. Said, not changed: the folder may be shared on purpose.
pub fn folder_warning(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).ok()?.permissions().mode();
        let sticky = mode & 0o1000 != 0;
        (mode & 0o022 != 0 && !sticky).then(|| {
            format!(
                "{} is writable by {} (mode {:o}): another user could replace the history in it; run `chmod go-w {}`",
                dir.display(),
                if mode & 0o002 != 0 { "everyone" } else { "its group" },
                mode & 0o7777,
                dir.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// The folder holding the database: the journal names identities and keys, so only its owner
/// may read it.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn restrict_file(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
