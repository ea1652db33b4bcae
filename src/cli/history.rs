//! The history commands (`history`, `diff`, `journal`) and the audit's snapshot: the store
//! opened where the flags say, its answers rendered, errors in words.

use std::path::Path;

use crate::domain::history::{AuditFacts, parse_age};
use crate::domain::snapshot_diff::diff;
use crate::domain::{Estate, history::JournalEntry};
use crate::jobs::{Actor, now_epoch, snapshot_of};
use crate::report::{HistoryFormat, render_diff, render_journal, render_snapshots};
use crate::store::{Store, StoreError};

use super::error::CliError;

/// Why `diff` has no two snapshots to compare as asked.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("the history has no snapshot of account {0} yet")]
    NoSnapshotOf(String),
    #[error("the history has no snapshot yet: run an audit (or a scan in the GUI) first")]
    NoSnapshot,
    #[error("--to {0}: no such snapshot (see `history`)")]
    NoSuchTo(i64),
    #[error("--to {to} is a snapshot of account {account}, not {asked}")]
    ToOfAnotherAccount {
        to: i64,
        account: String,
        asked: String,
    },
    #[error(
        "--from {id}: no snapshot of account {account} has that ID (see `history`; a diff compares one account's snapshots)"
    )]
    NoSuchFrom { id: i64, account: String },
    #[error("--since {0}: no snapshot to compare with")]
    NothingToCompare(String),
    #[error("the history has one snapshot of account {0}: a diff needs two")]
    OnlyOne(String),
    #[error("{flag}: {source}")]
    Snapshot {
        flag: &'static str,
        source: StoreError,
    },
}

/// Opens the history at `path` for a command that needs it.
fn open(path: &Path) -> Result<Store, StoreError> {
    Store::open(path)
}

/// `--keep AGE`, `--since AGE` as seconds.
fn age(flag: &'static str, text: &str) -> Result<i64, CliError> {
    parse_age(text).map_err(|source| CliError::Age { flag, source })
}

/// Saves the audit's scan and findings as one snapshot. History is evidence, not the audit:
/// a database that cannot be written is named on stderr and the audit's result stands.
pub fn record_audit(path: &Path, estate: &Estate, audited: &AuditFacts, actor: &Actor) {
    let saved = Store::open(path).and_then(|mut store| {
        store.save_snapshot(&snapshot_of(
            estate,
            Some(audited),
            actor,
            "audit",
            now_epoch(),
        ))
    });
    if let Err(e) = saved {
        eprintln!("warning: history off for this run: {e}");
    }
}

/// The facts of `account`'s latest audited snapshot, when the history has one (a history that
/// cannot be read gives none: nothing is then archived as resolved).
pub fn last_audited(path: &Path, account: &str) -> Option<crate::domain::history::SnapshotFacts> {
    let store = Store::open(path).ok()?;
    let last = store
        .snapshots()
        .ok()?
        .into_iter()
        .filter(|s| s.account == account && s.findings.is_some())
        .max_by_key(|s| (s.time, s.id))?;
    store.snapshot_facts(last.id).ok()
}

/// Opens the history for the GUI: the store and the journal of earlier runs, or why not (the
/// app then runs without history).
pub fn open_for_gui(path: &Path) -> Result<(Store, Vec<JournalEntry>), StoreError> {
    let store = open(path)?;
    let past = store.journal_since(0)?;
    Ok((store, past))
}

/// `history`: prunes snapshots older than `keep` when asked, then lists the rest.
pub fn history(path: &Path, keep: Option<&str>, format: HistoryFormat) -> Result<String, CliError> {
    let mut store = open(path)?;
    if let Some(keep) = keep {
        let age = age("--keep", keep)?;
        let pruned = store.prune_snapshots_before(now_epoch() - age)?;
        eprintln!("pruned {pruned} snapshot(s) older than {keep}");
    }
    let list = store.snapshots()?;
    Ok(render_snapshots(&list, format)?)
}

/// Which two snapshots `diff` compares.
#[derive(Debug, Clone, Default)]
pub struct DiffRange {
    pub from: Option<i64>,
    /// An age: the latest snapshot taken at least this long ago is the `from`.
    pub since: Option<String>,
    pub to: Option<i64>,
    /// Compare this account's snapshots (default: the account of the latest snapshot).
    pub account: Option<String>,
}

/// `diff`: each change once between two snapshots of one account (its two latest when none is
/// named; the account of the latest snapshot, or `range.account`). Snapshots of two accounts
/// are refused: their difference would be every key of both.
pub fn diff_command(
    path: &Path,
    range: &DiffRange,
    format: HistoryFormat,
) -> Result<String, CliError> {
    let store = open(path)?;
    let list = store.snapshots()?;
    let to = match (range.to, &range.account) {
        (Some(id), _) => id,
        (None, account) => list
            .iter()
            .rev()
            .find(|s| account.as_ref().is_none_or(|a| &s.account == a))
            .map(|s| s.id)
            .ok_or(match account {
                Some(a) => DiffError::NoSnapshotOf(a.clone()),
                None => DiffError::NoSnapshot,
            })?,
    };
    let (to_time, account) = list
        .iter()
        .find(|s| s.id == to)
        .map(|s| (s.time, s.account.clone()))
        .ok_or(DiffError::NoSuchTo(to))?;
    if let Some(asked) = range.account.as_ref().filter(|a| **a != account) {
        return Err(DiffError::ToOfAnotherAccount {
            to,
            account,
            asked: asked.clone(),
        }
        .into());
    }
    let list: Vec<_> = list.into_iter().filter(|s| s.account == account).collect();
    let from = match (range.from, &range.since) {
        (Some(id), _) if !list.iter().any(|s| s.id == id) => {
            return Err(DiffError::NoSuchFrom { id, account }.into());
        }
        (Some(id), _) => id,
        (None, Some(age)) => {
            let cutoff = now_epoch() - self::age("--since", age)?;
            match list.iter().rev().find(|s| s.time <= cutoff && s.id != to) {
                Some(s) => s.id,
                None => {
                    let oldest = list
                        .iter()
                        .find(|s| s.id != to && s.time <= to_time)
                        .ok_or_else(|| DiffError::NothingToCompare(age.clone()))?;
                    eprintln!(
                        "note: no snapshot is {age} old; comparing with the oldest, {}",
                        oldest.id
                    );
                    oldest.id
                }
            }
        }
        (None, None) => list
            .iter()
            .rev()
            .find(|s| s.id != to && (s.time, s.id) < (to_time, to))
            .map(|s| s.id)
            .ok_or_else(|| DiffError::OnlyOne(account.clone()))?,
    };
    let facts = |flag, id| {
        store
            .snapshot_facts(id)
            .map_err(|source| DiffError::Snapshot { flag, source })
    };
    let (before, after) = (facts("--from", from)?, facts("--to", to)?);
    Ok(render_diff(&diff(&before, &after), from, to, format)?)
}

/// `journal`: every mutating call this app made since `since` (all of them without it).
pub fn journal(
    path: &Path,
    since: Option<&str>,
    format: HistoryFormat,
) -> Result<String, CliError> {
    let store = open(path)?;
    let from = match since {
        Some(since) => now_epoch() - age("--since", since)?,
        None => 0,
    };
    let entries = store.journal_since(from)?;
    Ok(render_journal(&entries, format)?)
}
