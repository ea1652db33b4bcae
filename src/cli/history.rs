//! The history commands (`history`, `diff`, `journal`) and the audit's snapshot: the store
//! opened where the flags say, its answers rendered, errors in words.

use std::path::Path;

use crate::domain::history::{AuditFacts, diff, parse_age};
use crate::domain::{Estate, history::JournalEntry};
use crate::jobs::{Actor, now_epoch, snapshot_of};
use crate::report::{HistoryFormat, render_diff, render_journal, render_snapshots};
use crate::store::Store;

/// Opens the history at `path` for a command that needs it.
fn open(path: &Path) -> Result<Store, String> {
    Store::open(path).map_err(|e| e.to_string())
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

/// Opens the history for the GUI: the store and the journal of earlier runs, or why not (the
/// app then runs without history).
pub fn open_for_gui(path: &Path) -> Result<(Store, Vec<JournalEntry>), String> {
    let store = open(path)?;
    let past = store.journal_since(0).map_err(|e| e.to_string())?;
    Ok((store, past))
}

/// `history`: prunes snapshots older than `keep` when asked, then lists the rest.
pub fn history(path: &Path, keep: Option<&str>, format: HistoryFormat) -> Result<String, String> {
    let mut store = open(path)?;
    if let Some(keep) = keep {
        let age = parse_age(keep).map_err(|e| format!("--keep {e}"))?;
        let pruned = store
            .prune_snapshots_before(now_epoch() - age)
            .map_err(|e| e.to_string())?;
        eprintln!("pruned {pruned} snapshot(s) older than {keep}");
    }
    let list = store.snapshots().map_err(|e| e.to_string())?;
    render_snapshots(&list, format).map_err(|e| e.to_string())
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
) -> Result<String, String> {
    let store = open(path)?;
    let list = store.snapshots().map_err(|e| e.to_string())?;
    let to = match (range.to, &range.account) {
        (Some(id), _) => id,
        (None, account) => list
            .iter()
            .rev()
            .find(|s| account.as_ref().is_none_or(|a| &s.account == a))
            .map(|s| s.id)
            .ok_or(match account {
                Some(a) => format!("the history has no snapshot of account {a} yet"),
                None => {
                    "the history has no snapshot yet: run an audit (or a scan in the GUI) first"
                        .into()
                }
            })?,
    };
    let (to_time, account) = list
        .iter()
        .find(|s| s.id == to)
        .map(|s| (s.time, s.account.clone()))
        .ok_or(format!("--to {to}: no such snapshot (see `history`)"))?;
    if let Some(asked) = range.account.as_ref().filter(|a| **a != account) {
        return Err(format!(
            "--to {to} is a snapshot of account {account}, not {asked}"
        ));
    }
    let list: Vec<_> = list.into_iter().filter(|s| s.account == account).collect();
    let from = match (range.from, &range.since) {
        (Some(id), _) if !list.iter().any(|s| s.id == id) => {
            return Err(format!(
                "--from {id}: no snapshot of account {account} has that ID (see `history`; a diff compares one account's snapshots)"
            ));
        }
        (Some(id), _) => id,
        (None, Some(age)) => {
            let cutoff = now_epoch() - parse_age(age).map_err(|e| format!("--since {e}"))?;
            match list.iter().rev().find(|s| s.time <= cutoff && s.id != to) {
                Some(s) => s.id,
                None => {
                    let oldest = list
                        .iter()
                        .find(|s| s.id != to && s.time <= to_time)
                        .ok_or(format!("--since {age}: no snapshot to compare with"))?;
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
            .ok_or(format!(
                "the history has one snapshot of account {account}: a diff needs two"
            ))?,
    };
    let before = store
        .snapshot_facts(from)
        .map_err(|e| format!("--from: {e}"))?;
    let after = store.snapshot_facts(to).map_err(|e| format!("--to: {e}"))?;
    render_diff(&diff(&before, &after), from, to, format).map_err(|e| e.to_string())
}

/// `journal`: every mutating call this app made since `since` (all of them without it).
pub fn journal(path: &Path, since: Option<&str>, format: HistoryFormat) -> Result<String, String> {
    let store = open(path)?;
    let from = match since {
        Some(age) => now_epoch() - parse_age(age).map_err(|e| format!("--since {e}"))?,
        None => 0,
    };
    let entries = store.journal_since(from).map_err(|e| e.to_string())?;
    render_journal(&entries, format).map_err(|e| e.to_string())
}
