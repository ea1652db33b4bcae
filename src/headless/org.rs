//! The organization-wide `audit`: the accounts entered (`--accounts`, `--assume-role`,
//! `--profiles`), each read concurrently with its own clients and pace, and one report naming
//! every account — those that could not be entered included, with why.

use std::sync::Mutex;

use super::{AuditCommand, AuditExit, finish, record_audit};
use crate::aws::{CallerIdentity, ConnectSettings, KmsClients};
use crate::domain::Region;
use crate::domain::account::{AccountSelection, AccountStatus};
use crate::domain::audit::AuditOptions;
use crate::jobs::{
    Actor, AuditOutcome, EnteredAccount, RoleSettings, Runner, enter_accounts, enter_profiles,
    now_epoch, run_audit,
};
use crate::report::{AccountPart, audit_report, organization_report};

/// Accounts read at a time. Every account has its own quotas, so more accounts at once go
/// faster until this machine is the limit; the process-wide cap on calls in flight
/// (`jobs::paced_calls::MAX_IN_FLIGHT`) bounds memory whatever this is.
const ACCOUNTS_AT_ONCE: usize = 8;

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
    base: &KmsClients,
    settings: &ConnectSettings,
    identity: Option<&CallerIdentity>,
    command: &AccountsCommand,
) -> Result<Vec<EnteredAccount>, String> {
    if !command.profiles.is_empty() {
        return runner.block_on(enter_profiles(settings, &command.profiles));
    }
    let selection = command
        .selection
        .as_ref()
        .ok_or("no accounts were asked for")?;
    let caller = identity.ok_or(
        "the caller's identity is unknown (STS GetCallerIdentity did not answer): accounts cannot be entered",
    )?;
    runner.block_on(enter_accounts(base, caller, selection, &command.roles))
}

/// Audits every account that could be entered, several at once, and writes one report.
pub fn audit_accounts(
    runner: &Runner,
    accounts: Vec<EnteredAccount>,
    regions: Vec<Region>,
    command: AuditCommand,
) -> Result<AuditExit, String> {
    let now = now_epoch();
    let options = AuditOptions {
        expiry_days: command.expiry_days,
        now,
    };
    let queue: Mutex<Vec<usize>> = Mutex::new((0..accounts.len()).rev().collect());
    // Each account's outcome at its own place; `None` for an account not entered.
    let outcomes: Mutex<Vec<Option<AuditOutcome>>> =
        Mutex::new(accounts.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..ACCOUNTS_AT_ONCE.min(accounts.len()) {
            scope.spawn(|| {
                while let Some(i) = next(&queue) {
                    let Some(clients) = accounts[i].clients.clone() else {
                        continue;
                    };
                    let outcome =
                        run_audit(runner, clients, regions.clone(), &command.baseline, options);
                    outcomes.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut accounts = accounts;
    for (entered, outcome) in accounts.iter_mut().zip(outcomes.iter_mut()) {
        let Some(read) = outcome.as_ref() else {
            continue;
        };
        if let Some(why) = super::foreign_keys_problem(&read.estate, entered.account.id.as_str()) {
            entered.account.status = AccountStatus::NotRead(why);
            *outcome = None;
        } else {
            entered.account.status = super::account_status(&read.estate);
        }
    }
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
    for account in report.accounts.iter().filter(|a| a.status != "read") {
        eprintln!(
            "error: account {} not read: {}",
            account.id,
            account.problem.as_deref().unwrap_or("unknown reason")
        );
    }
    finish(report, &command)
}

fn next(queue: &Mutex<Vec<usize>>) -> Option<usize> {
    queue.lock().unwrap_or_else(|p| p.into_inner()).pop()
}
