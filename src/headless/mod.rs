//! The headless side of the binary, below the argument parser: the checks made before any call
//! (endpoint URLs, the identity in use), the baseline from its file and flags, and the `audit`
//! command with its exit policy. `main.rs` parses the command line and dispatches here.

mod history;
mod org;
mod plan;

pub use history::{DiffRange, diff_command, history, journal, open_for_gui, record_audit};
pub use org::{AccountsCommand, audit_accounts, enter};
pub use plan::{ApplyExit, PlanExit, apply_command, plan_command, read_plan};

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::aws::{CallerIdentity, KmsClients, check_endpoint_url, endpoint_from_env};
use crate::domain::Region;
use crate::domain::account::{Access, Account, AccountStatus};
use crate::domain::audit::{AuditOptions, ReportFormat, Severity};
use crate::domain::baseline::Baseline;
use crate::domain::region::parse_region_list;
use crate::jobs::{Actor, Runner, now_epoch, run_audit};
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
    pub identity: Option<CallerIdentity>,
    /// The history database the audit's snapshot is saved in; `None` with `--no-history`.
    pub history: Option<PathBuf>,
}

/// `--endpoint-url` and the environment's endpoint variables (unless the demo sets its own),
/// checked before any client is built: a URL the SDK cannot use is a usage error, never a panic
/// or a silent port 80.
pub fn check_endpoints(endpoint_url: Option<&str>, read_env: bool) -> Result<(), String> {
    if let Some(url) = endpoint_url {
        check_endpoint_url("--endpoint-url", url).map_err(|e| e.to_string())?;
    }
    if read_env {
        endpoint_from_env(|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Who the clients sign as. An explicit `--profile` that gives no credentials is an error
/// (never a fall-back to other credentials), and so is having no credentials at all when
/// `strict` (the headless audit: nothing could be read); otherwise an unknown identity is
/// said, not hidden (the GUI opens with its credentials banner and Reload credentials).
pub fn identify(
    runner: &Runner,
    clients: &KmsClients,
    profile: Option<&str>,
    strict: bool,
) -> Result<Option<CallerIdentity>, String> {
    if profile.is_some() {
        runner
            .block_on(clients.check_credentials(profile))
            .map_err(|e| e.to_string())?;
    }
    match runner.block_on(clients.caller_identity()) {
        Ok(identity) => Ok(Some(identity)),
        Err(e) if strict && e.is_credentials() => Err(e.to_string()),
        Err(e) => {
            eprintln!("warning: the identity in use is unknown: {e}");
            Ok(None)
        }
    }
}

/// The baseline from `--baseline`, with `--require-regions` and `--allow-regions` added.
pub fn load_baseline(
    file: Option<&Path>,
    require: Option<&str>,
    allow: Option<&str>,
) -> Result<Baseline, String> {
    let mut baseline = match file {
        Some(path) => {
            let text = crate::jobs::read_bounded(
                path,
                crate::domain::baseline::MAX_BASELINE_BYTES,
                "baseline",
            )?;
            Baseline::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Baseline::default(),
    };
    if let Some(spec) = require {
        let regions = parse_region_list(spec).map_err(|e| format!("--require-regions: {e}"))?;
        baseline.require_regions.extend(regions);
    }
    if let Some(spec) = allow {
        let regions = parse_region_list(spec).map_err(|e| format!("--allow-regions: {e}"))?;
        baseline.allow_regions = Some(regions);
    }
    Ok(baseline)
}

/// Scans, audits, writes the report, names on stderr whatever could not be looked at, and
/// says how the command ended.
pub fn audit(
    runner: &Runner,
    clients: KmsClients,
    regions: Vec<Region>,
    command: AuditCommand,
) -> Result<AuditExit, String> {
    let now = now_epoch();
    let options = AuditOptions {
        expiry_days: command.expiry_days,
        now,
    };
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

/// Why a scan of `account` cannot be reported as that account's: KMS answered with keys whose
/// ARNs name another account (the endpoint, or the credentials, are not that account's).
/// Nothing of such a scan is filed under `account`.
pub(crate) fn foreign_keys_problem(
    estate: &crate::domain::Estate,
    account: &str,
) -> Option<String> {
    let foreign = estate.keys_of_other_accounts(account);
    let first = foreign.first()?;
    Some(format!(
        "KMS answered with {} key(s) of another account while reading account {account} (e.g. {first}): the endpoint or the credentials are not that account's; nothing of it is reported",
        foreign.len()
    ))
}

/// How an account's scan ended: read, unless no Region of it could be read at all (then it is
/// "not read", with the first Region's reason, never "read" with nothing in it).
pub(crate) fn account_status(estate: &crate::domain::Estate) -> AccountStatus {
    let regions = estate.regions();
    let failed: Vec<String> = regions
        .iter()
        .filter_map(|r| match estate.status(*r) {
            crate::domain::RegionStatus::Failed(problem) => Some(format!("{r}: {problem}")),
            _ => None,
        })
        .collect();
    match failed.first() {
        Some(first) if failed.len() == regions.len() => AccountStatus::NotRead(format!(
            "no Region could be read ({first}{})",
            if failed.len() > 1 { ", …" } else { "" }
        )),
        _ => AccountStatus::Read,
    }
}

/// Writes the report, names on stderr whatever could not be looked at (status 2 whatever the
/// findings: a pipeline must not pass on an incomplete picture), else holds the findings to
/// `--fail-on`.
pub(crate) fn finish(report: AuditReport, command: &AuditCommand) -> Result<AuditExit, String> {
    let highest = report.findings.iter().map(|f| f.severity).max();
    let text = report
        .render(command.format)
        .map_err(|e| format!("cannot render the report: {e}"))?;
    write_report(command.output.as_deref(), &text)?;
    // An account not read was named already, with why; its Regions need not be listed again.
    let not_read: Vec<&str> = report
        .accounts
        .iter()
        .filter(|a| a.status != "read")
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

/// Who the history records: the identity STS named, or "identity unknown".
pub fn actor(identity: Option<&CallerIdentity>) -> Actor {
    match identity {
        Some(id) => Actor {
            identity: id.arn.clone(),
            account: id.account.clone(),
        },
        None => Actor {
            identity: "identity unknown".into(),
            account: "unknown".into(),
        },
    }
}

/// Writes `text` to `output`, or to standard output without one.
pub fn write_output(output: Option<&Path>, text: &str) -> Result<(), String> {
    write_report(output, text)
}

fn write_report(output: Option<&Path>, text: &str) -> Result<(), String> {
    match output {
        Some(path) => crate::jobs::write_private(path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            write!(out, "{text}").map_err(|e| format!("cannot write the report: {e}"))?;
            if !text.ends_with('\n') {
                writeln!(out).map_err(|e| format!("cannot write the report: {e}"))?;
            }
            Ok(())
        }
    }
}
