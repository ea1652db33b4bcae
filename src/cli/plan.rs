//! The `plan` and `apply` commands: a baseline turned into a reviewed list of calls, and that
//! list carried out, with the exit statuses a pipeline reads.

use std::ops::ControlFlow;
use std::path::Path;

use super::error::CliError;
use super::org::foreign_keys_problem;
use super::output::write_report;
use super::settings::Session;
use crate::aws::AwsClients;
use crate::domain::audit::AuditOptions;
use crate::domain::baseline::Baseline;
use crate::domain::plan::{PLAN_SCHEMA_VERSION, Plan, plan};
use crate::jobs::{
    Actor, ApplyJournal, ApplyOptions, HistoryLog, PlanLock, Runner, StepStatus, apply_plan,
    now_epoch, run_audit,
};
use crate::report::render_plan;

/// How `plan` ended: 0 nothing to change, 1 steps planned (or calls left out, with why), 2
/// errors (or an incomplete read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanExit {
    NothingToDo,
    StepsPlanned,
    Incomplete,
}

/// Scans, reads what the baseline compares, and writes the plan (JSON to `output`, or the
/// chosen format to standard output).
pub fn plan_command(
    runner: &Runner,
    session: &Session,
    baseline: &Baseline,
    output: Option<&Path>,
    markdown: bool,
) -> Result<PlanExit, CliError> {
    let account = session.known_account()?;
    let (clients, regions) = (session.clients.clone(), session.regions.clone());
    let options = AuditOptions {
        expiry_days: 30,
        now: now_epoch(),
        unused_days: None,
        provenance: false,
    };
    let outcome = run_audit(runner, clients, regions, baseline, options);
    if let Some(foreign) = foreign_keys_problem(&outcome.estate, &account) {
        return Err(foreign);
    }
    let planned = plan(&outcome.estate, &outcome.props, baseline, &account);
    let text = render_plan(&planned, markdown)?;
    write_report(output, &text)?;
    if let Some(path) = output
        && markdown
    {
        eprintln!(
            "wrote the plan as Markdown to {}; `apply` reads the JSON form (plan --output FILE without --format md)",
            path.display()
        );
    }
    for gap in outcome.not_audited.iter().take(20) {
        eprintln!("error: not read, so not planned: {gap}");
    }
    for left in &planned.blocked {
        eprintln!(
            "left out: {} in {} on {}: {}",
            left.operation, left.region, left.key_id, left.reason
        );
    }
    Ok(if !outcome.not_audited.is_empty() {
        PlanExit::Incomplete
    } else if planned.steps.is_empty() && planned.blocked.is_empty() {
        PlanExit::NothingToDo
    } else {
        PlanExit::StepsPlanned
    })
}

/// How `apply` ended: 0 every step done, 1 some stale, skipped or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyExit {
    AllDone,
    NotAllDone,
}

/// Reads the plan at `path` and carries it out, printing each step's outcome on stderr.
pub fn apply_command(
    runner: &Runner,
    clients: &AwsClients,
    path: &Path,
    actor: &Actor,
    allow_deletions: bool,
    history: Option<&Path>,
) -> Result<ApplyExit, CliError> {
    let lock = PlanLock::acquire(path)?;
    let (text, planned) = read_plan(path)?;
    let mut journal = ApplyJournal::open(lock, &text)?;
    // Every call is journaled in the history too; a history that cannot be opened is named and
    // the apply goes on (its own journal beside the plan keeps the resumption).
    let log = history.and_then(|p| match crate::store::Store::open(p) {
        Ok(store) => Some(HistoryLog::start(store, actor.clone())),
        Err(e) => {
            eprintln!("warning: history off for this run: {e}");
            None
        }
    });
    let options = ApplyOptions {
        allow_deletions,
        account: actor.account.clone(),
        history: log.clone(),
    };
    let total = planned.steps.len();
    let outcomes = runner.block_on(apply_plan(
        clients,
        &planned,
        &mut journal,
        &options,
        |i, step, status| {
            eprintln!(
                "step {} of {total}: {} in {} on {}: {status}",
                i + 1,
                step.operation,
                step.region,
                step.key_id
            );
            ControlFlow::Continue(())
        },
    ))?;
    eprintln!("journal: {}", journal.path().display());
    if let Some(log) = log
        && !log.flush(std::time::Duration::from_secs(10))
    {
        eprintln!("warning: the history's last writes did not finish within 10 s");
    }
    Ok(if outcomes.iter().all(StepStatus::is_done) {
        ApplyExit::AllDone
    } else {
        ApplyExit::NotAllDone
    })
}

/// The plan file's text and the plan, or why it is not one this build can apply.
pub fn read_plan(path: &Path) -> Result<(String, Plan), CliError> {
    let text = crate::jobs::read_bounded(path, crate::domain::plan::MAX_PLAN_BYTES, "plan")?;
    let planned: Plan = serde_json::from_str(&text).map_err(|e| CliError::NotAPlan {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    if planned.schema_version != PLAN_SCHEMA_VERSION {
        return Err(CliError::PlanSchema {
            path: path.to_path_buf(),
            found: planned.schema_version,
            known: PLAN_SCHEMA_VERSION,
        });
    }
    Ok((text, planned))
}
