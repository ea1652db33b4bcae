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
    /// `--security-hub`: import the findings into Security Hub.
    pub security_hub: bool,
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
    let hub_clients = command.security_hub.then(|| clients.clone());
    progress(&format!("audit: reading {} Region(s)…", regions.len()));
    let outcome = run_audit(runner, clients, regions, &command.baseline, options);
    progress(&format!(
        "audit: {} famil(ies) read, {} finding(s)",
        outcome.estate.family_count(),
        outcome.findings.len()
    ));
    if let Some(why) = command
        .identity
        .as_ref()
        .and_then(|id| foreign_keys_problem(&outcome.estate, &id.account))
    {
        return Err(why);
    }
    // The account's last audited snapshot, before this one is saved: what a resolution is
    // judged against.
    let account = command.identity.as_ref().map(|id| id.account.clone());
    let before = match (&hub_clients, &command.history, &account) {
        (Some(_), Some(path), Some(account)) => super::history::last_audited(path, account),
        _ => None,
    };
    let current = match (&hub_clients, &account) {
        (Some(_), Some(account)) => Some(crate::domain::history::facts_of(
            &outcome.estate,
            Some(&outcome.facts()),
            account,
        )),
        _ => None,
    };
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
    let hub = match (hub_clients, current) {
        (Some(clients), Some(current)) => Some(send_to_security_hub(
            runner,
            &clients,
            &report,
            before.as_ref(),
            &current,
        )?),
        (Some(_), None) => {
            eprintln!(
                "Security Hub: not sent: the account is unknown (STS GetCallerIdentity did not answer)"
            );
            Some(false)
        }
        _ => None,
    };
    let exit = finish(report, &command)?;
    Ok(match hub {
        Some(false) => AuditExit::Incomplete,
        _ => exit,
    })
}

/// A line of progress on stderr for a person watching a long run: only at a terminal (never in
/// a log a pipeline parses), and never on stdout, where the report goes.
fn progress(line: &str) {
    use std::io::IsTerminal as _;
    if std::io::stderr().is_terminal() {
        eprintln!("{line}");
    }
}

/// Imports the report's findings into Security Hub, and archives those resolved since the
/// account's last audited snapshot; names every refusal on stderr. Returns whether all went in.
pub(super) fn send_to_security_hub(
    runner: &Runner,
    clients: &AwsClients,
    report: &crate::report::AuditReport,
    before: Option<&crate::domain::history::SnapshotFacts>,
    current: &crate::domain::history::SnapshotFacts,
) -> Result<bool, CliError> {
    let mut records = crate::report::asff_records(report)?;
    let partition = report.partition.as_deref().unwrap_or("aws");
    let resolved = match before {
        Some(before) => {
            crate::report::resolved_records(before, current, partition, &report.generated_at)
        }
        None => {
            eprintln!(
                "Security Hub: no earlier audit in the history: nothing to archive as resolved"
            );
            Vec::new()
        }
    };
    let archived = resolved.len();
    records.extend(resolved);
    let done = runner.block_on(crate::jobs::import_findings(clients, records));
    eprintln!(
        "Security Hub: {} finding(s) imported ({archived} resolved, archived)",
        done.imported
    );
    for (id, why) in &done.refused {
        eprintln!("Security Hub refused {id}: {why}");
    }
    for (region, why) in &done.failed_calls {
        eprintln!("Security Hub in {region}: {why}");
    }
    Ok(done.is_complete())
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
