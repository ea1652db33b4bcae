//! Headless output of the history: the snapshot list (`history`), what changed between two
//! snapshots (`diff`) and the action journal (`journal`), as JSON, Markdown or CSV.

use serde::Serialize;

use super::RenderError;

use super::audit::md_cell;
use crate::domain::history::JournalEntry;
use crate::domain::key::format_utc;
use crate::domain::snapshot_diff::{Diff, RULES_CHANGED};
use crate::store::SnapshotSummary;

/// The formats the history commands write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFormat {
    Json,
    Markdown,
    Csv,
}

#[derive(Serialize)]
struct SnapshotsJson<'a> {
    snapshots: Vec<SnapshotJson<'a>>,
}

#[derive(Serialize)]
struct SnapshotJson<'a> {
    #[serde(flatten)]
    summary: &'a SnapshotSummary,
    time_utc: String,
    accounts: Vec<&'a str>,
}

/// `history`: every snapshot, oldest first.
pub fn render_snapshots(
    list: &[SnapshotSummary],
    format: HistoryFormat,
) -> Result<String, RenderError> {
    match format {
        HistoryFormat::Json => json(&SnapshotsJson {
            snapshots: list
                .iter()
                .map(|s| SnapshotJson {
                    summary: s,
                    time_utc: format_utc(s.time),
                    accounts: vec![s.account.as_str()],
                })
                .collect(),
        }),
        HistoryFormat::Markdown => {
            let mut out = String::from(
                "# Snapshots\n\n| ID | Time (UTC) | Source | Account | Regions read | Families | Findings (high/medium/low/info) |\n|---|---|---|---|---|---|---|\n",
            );
            for s in list {
                let read = s
                    .regions
                    .iter()
                    .filter(|r| r.status == crate::domain::RegionRead::Scanned)
                    .count();
                let findings = s.findings.as_ref().map_or("not audited".to_string(), |f| {
                    let n = |k: &str| f.get(k).copied().unwrap_or(0);
                    format!("{}/{}/{}/{}", n("high"), n("medium"), n("low"), n("info"))
                });
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {read} of {} | {} | {findings} |\n",
                    s.id,
                    format_utc(s.time),
                    md_cell(&s.source),
                    md_cell(&s.account),
                    s.regions.len(),
                    s.families,
                ));
            }
            Ok(out)
        }
        HistoryFormat::Csv => Err(RenderError::NotCsv { what: "history" }),
    }
}

#[derive(Serialize)]
struct DiffJson<'a> {
    from: i64,
    to: i64,
    #[serde(flatten)]
    diff: &'a Diff,
}

/// `diff`: each change once, between snapshots `from` and `to`.
pub fn render_diff(
    diff: &Diff,
    from: i64,
    to: i64,
    format: HistoryFormat,
) -> Result<String, RenderError> {
    match format {
        HistoryFormat::Json => json(&DiffJson { from, to, diff }),
        HistoryFormat::Markdown => {
            let mut out = format!(
                "# Changes from snapshot {from} to {to}\n\n{} change(s).\n\n",
                diff.changes.len()
            );
            if !diff.not_compared.is_empty() {
                out.push_str(&format!(
                    "Not compared (read in only one of the two snapshots): {}\n\n",
                    md_cell(&diff.not_compared.join(", "))
                ));
            }
            if diff.rules_changed {
                out.push_str(&format!("{RULES_CHANGED}\n\n"));
            }
            if !diff.keys_not_compared.is_empty() {
                out.push_str(&format!(
                    "Keys not compared (not read completely in one of the two snapshots): {}\n\n",
                    md_cell(&diff.keys_not_compared.join(", "))
                ));
            }
            out.push_str(
                "| Change | Account | Key | Region | From | To |\n|---|---|---|---|---|---|\n",
            );
            for c in &diff.changes {
                let cell = |v: &Option<String>| v.as_deref().map(md_cell).unwrap_or_default();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    c.kind.as_str(),
                    md_cell(&c.account),
                    md_cell(&c.key_id),
                    md_cell(&c.region),
                    cell(&c.from),
                    cell(&c.to),
                ));
            }
            Ok(out)
        }
        HistoryFormat::Csv => Err(RenderError::NotCsv { what: "diff" }),
    }
}

#[derive(Serialize)]
struct JournalJson<'a> {
    journal: Vec<JournalLine<'a>>,
}

#[derive(Serialize)]
struct JournalLine<'a> {
    time_utc: String,
    #[serde(flatten)]
    entry: &'a JournalEntry,
}

/// `journal`: every mutating call this app made, oldest first.
pub fn render_journal(
    entries: &[JournalEntry],
    format: HistoryFormat,
) -> Result<String, RenderError> {
    match format {
        HistoryFormat::Json => json(&JournalJson {
            journal: entries
                .iter()
                .map(|entry| JournalLine {
                    time_utc: format_utc(entry.time),
                    entry,
                })
                .collect(),
        }),
        HistoryFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let header = [
                "time_utc",
                "identity",
                "account",
                "region",
                "operation",
                "key_id",
                "parameters",
                "outcome",
                "request_id",
            ];
            w.write_record(header)?;
            for e in entries {
                w.write_record([
                    format_utc(e.time).as_str(),
                    &e.identity,
                    &e.account,
                    &e.region,
                    &e.operation,
                    &e.key_id,
                    &e.parameters,
                    &e.outcome,
                    e.request_id.as_deref().unwrap_or(""),
                ])?;
            }
            let bytes = w.into_inner()?;
            Ok(String::from_utf8(bytes)?)
        }
        HistoryFormat::Markdown => {
            let mut out = String::from(
                "# What this app changed\n\n| Time (UTC) | Identity | Account | Region | Operation | Key | Parameters | Outcome |\n|---|---|---|---|---|---|---|---|\n",
            );
            for e in entries {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    format_utc(e.time),
                    md_cell(&e.identity),
                    md_cell(&e.account),
                    md_cell(&e.region),
                    md_cell(&e.operation),
                    md_cell(&e.key_id),
                    md_cell(&e.parameters),
                    md_cell(&e.outcome),
                ));
            }
            Ok(out)
        }
    }
}

fn json(value: &impl Serialize) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(value)?)
}
