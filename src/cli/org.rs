//! The organization-wide `audit`: the accounts entered (`--accounts`, `--assume-role`,
//! `--profiles`), each read concurrently with its own clients and pace, and one report naming
//! every account — those that could not be entered included, with why.

use super::audit::{AuditCommand, AuditExit, finish};
use super::error::CliError;
use super::history::record_audit;
use crate::aws::{AwsClients, CallerIdentity, ConnectSettings};
use crate::domain::Region;
use crate::domain::account::{AccountSelection, AccountStatus};
use crate::jobs::{
    Actor, EnteredAccount, RoleSettings, Runner, audit_each, enter_accounts, enter_profiles,
};
use crate::report::{AccountPart, audit_report, organization_report};

/// Which accounts to read, and how to enter them.
pub struct AccountsCommand {
    pub selection: Option<AccountSelection>,
    pub profiles: Vec<String>,
    pub roles: RoleSettings,
}

impl AccountsCommand {
    /// Whether more than the caller's own account was asked for.
    pub fn is_organization(&self) -> bool {
        self.selection.is_some() || !self.profiles.is_empty()
    }
}

/// Enters the accounts asked for: the profiles, or the selection through the role.
pub fn enter(
    runner: &Runner,
    base: &AwsClients,
    settings: &ConnectSettings,
    identity: Option<&CallerIdentity>,
    command: &AccountsCommand,
) -> Result<Vec<EnteredAccount>, CliError> {
    if !command.profiles.is_empty() {
        return Ok(runner.block_on(enter_profiles(settings, &command.profiles))?);
    }
    let selection = command
        .selection
        .as_ref()
        .ok_or(CliError::NoAccountsAsked)?;
    let caller = identity.ok_or(CliError::CallerUnknown)?;
    Ok(runner.block_on(enter_accounts(base, caller, selection, &command.roles))?)
}

/// Audits every account that could be entered, several at once, and writes one report.
pub fn audit_accounts(
    runner: &Runner,
    accounts: Vec<EnteredAccount>,
    regions: Vec<Region>,
    command: AuditCommand,
) -> Result<AuditExit, CliError> {
    let (options, now) = command.options();
    let clients: Vec<Option<AwsClients>> = accounts.iter().map(|a| a.clients.clone()).collect();
    let mut outcomes = audit_each(runner, &clients, &regions, &command.baseline, options);
    let mut accounts = accounts;
    for (entered, outcome) in accounts.iter_mut().zip(outcomes.iter_mut()) {
        let Some(read) = outcome.as_ref() else {
            continue;
        };
        if let Some(why) = foreign_keys_problem(&read.estate, entered.account.id.as_str()) {
            entered.account.status = AccountStatus::NotRead(why.to_string());
            *outcome = None;
        } else {
            entered.account.status = account_status(&read.estate);
        }
    }
    // Each account's findings go to its own Security Hub, with its own credentials; what was
    // resolved is judged against its own last audit (read before this one is saved).
    let hub_complete = match command.security_hub {
        true => send_each_to_security_hub(runner, &accounts, &outcomes, &command, now)?,
        false => true,
    };
    if let Some(path) = &command.history {
        for (entered, outcome) in accounts.iter().zip(&outcomes) {
            let Some(outcome) = outcome else {
                continue;
            };
            let account = &entered.account;
            let actor = Actor {
                identity: match &command.identity {
                    Some(id) => format!("{} via {}", id.arn, account.access),
                    None => format!("identity unknown via {}", account.access),
                },
                account: account.id.to_string(),
            };
            record_audit(path, &outcome.estate, &outcome.facts(), &actor);
        }
    }
    let parts = accounts
        .into_iter()
        .zip(outcomes)
        .map(|(entered, outcome)| AccountPart {
            account: entered.account,
            report: outcome.map(|o| audit_report(&o.estate, o.findings, o.not_audited, now)),
        })
        .collect();
    let mut report = organization_report(parts, &regions, now);
    if let Some(identity) = &command.identity {
        report.identity = Some(identity.arn.clone());
        report.account = Some(identity.account.clone());
    }
    for account in report
        .accounts
        .iter()
        .filter(|a| a.status == crate::report::ReadStatus::NotRead)
    {
        eprintln!(
            "error: account {} not read: {}",
            account.id,
            account.problem.as_deref().unwrap_or("unknown reason")
        );
    }
    let exit = finish(report, &command)?;
    Ok(match hub_complete {
        false => AuditExit::Incomplete,
        true => exit,
    })
}

/// `--security-hub` per account: each account's findings, and those resolved since its last
/// audited snapshot, into its own Security Hub with its own credentials. Whether all went in.
fn send_each_to_security_hub(
    runner: &Runner,
    accounts: &[EnteredAccount],
    outcomes: &[Option<crate::jobs::AuditOutcome>],
    command: &AuditCommand,
    now: i64,
) -> Result<bool, CliError> {
    let mut complete = true;
    for (entered, outcome) in accounts.iter().zip(outcomes) {
        let (Some(outcome), Some(clients)) = (outcome, &entered.clients) else {
            continue;
        };
        let account = entered.account.id.to_string();
        let before = command
            .history
            .as_ref()
            .and_then(|path| super::history::last_audited(path, &account));
        let current =
            crate::domain::history::facts_of(&outcome.estate, Some(&outcome.facts()), &account);
        let mut report = audit_report(
            &outcome.estate,
            outcome.findings.clone(),
            outcome.not_audited.clone(),
            now,
        );
        report.account = Some(account.clone());
        eprintln!("Security Hub, account {}:", entered.account.label());
        complete &= super::audit::send_to_security_hub(
            runner,
            clients,
            &report,
            before.as_ref(),
            &current,
        )?;
    }
    Ok(complete)
}

/// Why a scan of `account` cannot be reported as that account's: KMS answered with keys whose
/// ARNs name another account (the endpoint, or the credentials, are not that account's).
/// Nothing of such a scan is filed under `account`.
pub(crate) fn foreign_keys_problem(
    estate: &crate::domain::Estate,
    account: &str,
) -> Option<CliError> {
    let foreign = estate.keys_of_other_accounts(account);
    let first = foreign.first()?;
    Some(CliError::ForeignKeys {
        count: foreign.len(),
        account: account.to_string(),
        first: first.to_string(),
    })
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
