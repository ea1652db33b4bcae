//! The `audit` command: one account's scan, audit, report and snapshot, and the exit status a
//! pipeline reads (never "all clear" where it could not look).

use std::path::PathBuf;

use super::checks::actor;
use super::error::CliError;
use super::history::record_audit;
use super::org::{account_status, foreign_keys_problem};
use super::output::write_report;
use crate::aws::{AwsClients, CallerIdentity};
use crate::domain::Region;
use crate::domain::account::{Access, Account};
use crate::domain::audit::{AuditOptions, ReportFormat, Severity};
use crate::domain::baseline::Baseline;
use crate::jobs::{Runner, now_epoch, run_audit};
use crate::report::{AccountReport, AuditReport, audit_report};

/// How the `audit` command ended, for the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditExit {
    /// Every Region and key was looked at; no finding reached the threshold (status 0).
    Clean,
    /// A finding reached `--fail-on` (status 1).
    Findings,
    /// Something could not be looked at: the picture is incomplete (status 2).
    Incomplete,
}

/// What the `audit` command was asked for.
pub struct AuditCommand {
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    pub fail_on: Option<Severity>,
    pub baseline: Baseline,
    pub expiry_days: i64,
    /// `--usage`: days without a successful use that make a key unused.
    pub unused_days: Option<i64>,
    /// `--provenance`: who last changed each drifted key.
    pub provenance: bool,
    pub identity: Option<CallerIdentity>,
    /// The history database the audit's snapshot is saved in; `None` with `--no-history`.
    pub history: Option<PathBuf>,
}

impl AuditCommand {
    /// The audit's settings besides the baseline, as of now (and that moment, for the report).
    pub fn options(&self) -> (AuditOptions, i64) {
        let now = now_epoch();
        let options = AuditOptions {
            expiry_days: self.expiry_days,
            now,
            unused_days: self.unused_days,
            provenance: self.provenance,
        };
        (options, now)
    }
}

/// Scans, audits, writes the report, names on stderr whatever could not be looked at, and
/// says how the command ended.
pub fn audit(
    runner: &Runner,
    clients: AwsClients,
    regions: Vec<Region>,
    command: AuditCommand,
) -> Result<AuditExit, CliError> {
    let (options, now) = command.options();
    let outcome = run_audit(runner, clients, regions, &command.baseline, options);
    if let Some(why) = command
        .identity
        .as_ref()
        .and_then(|id| foreign_keys_problem(&outcome.estate, &id.account))
    {
        return Err(why);
    }
    if let Some(path) = &command.history {
        record_audit(
            path,
            &outcome.estate,
            &outcome.facts(),
            &actor(command.identity.as_ref()),
        );
    }
    let status = account_status(&outcome.estate);
    let mut report = audit_report(&outcome.estate, outcome.findings, outcome.not_audited, now);
    if let Some(identity) = &command.identity {
        report.identity = Some(identity.arn.clone());
        report
            .account
            .get_or_insert_with(|| identity.account.clone());
    }
    if let Some(id) = report.account.as_deref().and_then(|a| a.parse().ok()) {
        let own = Account {
            id,
            name: None,
            access: Access::OwnCredentials,
            status,
        };
        let (families, findings) = (report.coverage.families.len(), report.findings.len());
        report
            .accounts
            .push(AccountReport::of(&own, families, findings));
    }
    finish(report, &command)
}

/// Writes the report, names on stderr whatever could not be looked at (status 2 whatever the
/// findings: a pipeline must not pass on an incomplete picture), else holds the findings to
/// `--fail-on`.
pub(crate) fn finish(report: AuditReport, command: &AuditCommand) -> Result<AuditExit, CliError> {
    let highest = report.findings.iter().map(|f| f.severity).max();
    let text = report.render(command.format)?;
    write_report(command.output.as_deref(), &text)?;
    // An account not read was named already, with why; its Regions need not be listed again.
    let not_read: Vec<&str> = report
        .accounts
        .iter()
        .filter(|a| a.status == crate::report::ReadStatus::NotRead)
        .map(|a| a.id.as_str())
        .collect();
    let named_already = !not_read.is_empty();
    let gaps: Vec<String> = report
        .not_audited
        .iter()
        .filter(|gap| {
            gap.account
                .as_deref()
                .is_none_or(|a| !not_read.contains(&a))
        })
        .map(|gap| match (&gap.account, report.accounts.len() > 1) {
            (Some(account), true) => format!("account {account}: {}", gap.item),
            _ => gap.item.to_string(),
        })
        .collect();
    if !gaps.is_empty() || named_already {
        const SHOWN: usize = 20;
        for gap in gaps.iter().take(SHOWN) {
            eprintln!("error: not audited: {gap}");
        }
        if gaps.len() > SHOWN {
            eprintln!(
                "error: … and {} more not audited (all are in the report's not_audited)",
                gaps.len() - SHOWN
            );
        }
        return Ok(AuditExit::Incomplete);
    }
    Ok(match (command.fail_on, highest) {
        (Some(threshold), Some(h)) if h >= threshold => AuditExit::Findings,
        _ => AuditExit::Clean,
    })
}
