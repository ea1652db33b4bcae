//! `StoreError`: what can go wrong with the history file, in words that say what to do.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: the history database is locked by another process (waited 5 s); close the other kms-replica-console or try again"
    )]
    Locked { path: PathBuf },
    #[error(
        "{path}: not a readable history database ({detail}); move it aside to start a new history, or run with --no-history"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path}: written by a newer kms-replica-console (schema {found}, this one knows up to {known}); upgrade, or use another --state-dir"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error(
        "{path} is a symbolic link: the history is not opened through one (it could write anywhere); point --state-dir at the real folder"
    )]
    Symlink { path: PathBuf },
    #[error("{path}: SQLite: {detail}")]
    Sqlite { path: PathBuf, detail: String },
    #[error("no snapshot {0} in the history")]
    NoSnapshot(i64),
}

impl StoreError {
    pub(super) fn from_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { path },
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => StoreError::Corrupt {
                    path,
                    detail: e.to_string(),
                },
                ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied => {
                    StoreError::Io {
                        path,
                        detail: e.to_string(),
                    }
                }
                _ => StoreError::Sqlite {
                    path,
                    detail: e.to_string(),
                },
            },
            _ => StoreError::Sqlite {
                path,
                detail: e.to_string(),
            },
        }
    }
}
