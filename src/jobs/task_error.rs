//! `TaskError`: why a task the window started gave no result, in words that say what to do.
//! Each cause keeps its own type (a KMS error, a file too big, a locked history, an apply held
//! elsewhere) until the window says it in words.

use std::path::PathBuf;

use super::apply::ApplyError;
use super::files::ReadError;
use crate::aws::KmsError;
use crate::domain::baseline::BaselineError;
use crate::report::RenderError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Kms(#[from] KmsError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: {source}")]
    Baseline { path: String, source: BaselineError },
    #[error("{path} is not a plan: {detail}")]
    NotAPlan { path: String, detail: String },
    #[error("Could not save {path}: {source}")]
    Render { path: String, source: RenderError },
    #[error("Could not save {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the plan could not be written as JSON: {0}")]
    PlanJson(#[from] serde_json::Error),
    #[error("{path} has an apply journal beside it: save this plan under another name")]
    JournalBeside { path: String },
    #[error("{} is the journal of another plan: save this plan under another name", journal.display())]
    OtherPlansJournal { journal: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("the account is unknown (STS GetCallerIdentity did not answer): a plan needs it")]
    AccountUnknown,
    /// The task panicked or its thread was lost: a defect, reported rather than hidden.
    #[error("the background task stopped: {0}")]
    Stopped(String),
}

impl From<tokio::task::JoinError> for TaskError {
    fn from(e: tokio::task::JoinError) -> TaskError {
        TaskError::Stopped(e.to_string())
    }
}
