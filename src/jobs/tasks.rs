//! The table of background tasks the panels ask for: the audit's reads and its findings, a
//! family's policies and tags for the details panel, the primary's for the replicate dialog,
//! the primaries' tags for the tag filter, a report written to a file, new clients after a
//! credential reload.
//!
//! One entry per task, keyed by what it is about, so a second request for a task that is
//! already running is refused here and nowhere else; `take_ready` turns every finished promise
//! (a panic included) into a result, for this table and for the inventory's own jobs alike
//! (it lives beside the runner that makes the promises).
//! Panels only ask "is this task running" and receive what it returned.

use std::collections::HashMap;
use std::future::Future;

use poll_promise::Promise;

use super::apply::{ApplyJournal, ApplyOptions, PlanLock, StepStatus, apply_plan};
use super::audit::{audit_targets, fetch_audit_props, fetch_primary_tags, rotation_targets};
use super::inventory::Inventory;
use super::replicate::calls::fetch_primary_props;
use super::runner::{Panicked, Runner, take_ready};
use crate::aws::AwsClients;
use crate::domain::audit::{
    AuditOptions, Finding, NotAudited, PropsMap, ReportFormat, audit, not_audited,
};
use crate::domain::baseline::Baseline;
use crate::domain::history::{AuditFacts, Diff, SnapshotSummary, facts_of};
use crate::domain::plan::Plan;
use crate::domain::{Estate, MrkId, PrimaryProps, Region, Tag};

/// What a task is about: at most one of each runs at a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaskKey {
    /// The audit's reads: policy and tags of every described key.
    AuditProps,
    /// Findings computed from the estate, the props read and the baseline.
    Findings,
    /// Policy and tags of one family's keys, for its details panel.
    FamilyProps(MrkId),
    /// The primary's policy and tags, for the replicate dialog.
    PrimaryProps(MrkId, Region),
    /// Tags of the primaries whose tags are not known, for the tag filter.
    PrimaryTags,
    /// The audit report written to this file.
    Export(String),
    /// New clients from the connection settings, after credentials were renewed.
    ReloadCredentials,
    /// A baseline file read and checked.
    LoadBaseline(String),
    /// The history's snapshots, for the history panel.
    Snapshots,
    /// What changed since this snapshot, for the history panel and the grid's marks.
    ChangesSince(i64),
    /// The plan that would fix the findings, from what the audit read.
    Plan,
    /// A plan written to this file and carried out, its journal beside it.
    ApplyPlan(String),
    /// A plan read from this file.
    LoadPlan(String),
    /// A plan written to this file (for review, or `apply` later).
    SavePlan(String),
}

/// Policies and tags read for a set of keys.
#[derive(Debug, Clone, Default)]
pub struct PropsRead {
    pub props: PropsMap,
    /// Why each key not in `props` could not be read.
    pub problems: HashMap<(MrkId, Region), String>,
}

/// The audit of one estate revision.
#[derive(Debug, Clone, Default)]
pub struct AuditResult {
    /// The estate revision the findings are of.
    pub revision: u64,
    pub findings: Vec<Finding>,
    pub not_audited: Vec<NotAudited>,
}

/// What a finished task returned.
pub enum TaskOutput {
    Props(PropsRead),
    PrimaryProps(Result<PrimaryProps, String>),
    PrimaryTags {
        tags: HashMap<MrkId, Vec<Tag>>,
        unreadable: usize,
    },
    Findings(AuditResult),
    /// "Saved PATH" or why not.
    Exported(Result<String, String>),
    Reloaded(Box<AwsClients>),
    /// The baseline, or why the file cannot be one.
    Baseline(Result<Baseline, String>),
    Snapshots(Result<Vec<SnapshotSummary>, String>),
    Plan(Result<Plan, String>),
    /// Each step's outcome, or why the apply could not start.
    Applied(Result<Vec<StepStatus>, String>),
    /// The changes since a snapshot, computed at this estate revision.
    Changes {
        revision: u64,
        diff: Result<Diff, String>,
    },
}

/// Every task the panels started and that has not been taken yet.
#[derive(Default)]
pub struct Tasks {
    running: HashMap<TaskKey, Promise<Result<TaskOutput, Panicked>>>,
    /// The outcomes of the apply in flight so far, step by step, for the GUI to follow live.
    apply_progress: std::sync::Arc<std::sync::Mutex<Vec<StepStatus>>>,
}

impl Tasks {
    pub fn is_running(&self, key: &TaskKey) -> bool {
        self.running.contains_key(key)
    }

    /// Whether a plan is being applied (whatever its file).
    pub fn running_apply(&self) -> bool {
        self.running
            .keys()
            .any(|k| matches!(k, TaskKey::ApplyPlan(_)))
    }

    /// Starts `future` as `key`, unless a task with that key is running. Returns whether it
    /// started.
    fn start(
        &mut self,
        runner: &Runner,
        key: TaskKey,
        future: impl Future<Output = TaskOutput> + Send + 'static,
    ) -> bool {
        if self.running.contains_key(&key) {
            return false;
        }
        self.running.insert(key, runner.spawn(future));
        true
    }

    /// Every task that has finished since the last call, with what it returned.
    pub fn take_finished(&mut self) -> Vec<(TaskKey, Result<TaskOutput, Panicked>)> {
        let done: Vec<TaskKey> = self
            .running
            .iter()
            .filter(|(_, p)| p.ready().is_some())
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::with_capacity(done.len());
        for key in done {
            let mut slot = self.running.remove(&key);
            if let Some(result) = take_ready(&mut slot) {
                out.push((key, result));
            }
        }
        out
    }

    /// Reads the policy and tags of every described key, for the audit.
    pub fn read_audit_props(&mut self, runner: &Runner, inventory: &Inventory) -> bool {
        let targets = audit_targets(inventory.estate());
        let rotation = rotation_targets(inventory.estate(), &targets);
        let clients = inventory.clients().clone();
        self.start(
            runner,
            TaskKey::AuditProps,
            read_props(clients, targets, rotation),
        )
    }

    /// Reads the policy and tags of a family's keys not in `known`, for its details panel.
    pub fn read_family_props(
        &mut self,
        runner: &Runner,
        inventory: &Inventory,
        id: &MrkId,
        known: &PropsMap,
    ) -> bool {
        let Some(family) = inventory.estate().family(id) else {
            return false;
        };
        let targets: Vec<(MrkId, Region)> = family
            .described()
            .map(|k| (id.clone(), k.region))
            .filter(|slot| !known.contains_key(slot))
            .collect();
        if targets.is_empty() {
            return false;
        }
        let rotation = rotation_targets(inventory.estate(), &targets);
        let clients = inventory.clients().clone();
        self.start(
            runner,
            TaskKey::FamilyProps(id.clone()),
            read_props(clients, targets, rotation),
        )
    }

    /// Reads the primary's policy and tags (what the console would copy) for the dialog.
    pub fn read_primary_props(
        &mut self,
        runner: &Runner,
        inventory: &Inventory,
        id: &MrkId,
        primary_region: Region,
        description: String,
        alias: Option<String>,
    ) -> bool {
        let client = inventory.clients().client(primary_region);
        let future = fetch_primary_props(client, id.clone(), description, alias);
        self.start(
            runner,
            TaskKey::PrimaryProps(id.clone(), primary_region),
            async move { TaskOutput::PrimaryProps(future.await.map_err(|e| e.to_string())) },
        )
    }

    /// Reads the tags of these primaries, for the tag filter.
    pub fn read_primary_tags(
        &mut self,
        runner: &Runner,
        inventory: &Inventory,
        primaries: Vec<(MrkId, Region)>,
    ) -> bool {
        let clients = inventory.clients().clone();
        self.start(runner, TaskKey::PrimaryTags, async move {
            let (tags, errors) = fetch_primary_tags(clients, primaries).await;
            TaskOutput::PrimaryTags {
                tags,
                unreadable: errors.len(),
            }
        })
    }

    /// Computes the findings of `estate` off the UI thread (the audit walks every family and
    /// compares every policy).
    pub fn compute_findings(
        &mut self,
        runner: &Runner,
        estate: Estate,
        read: PropsRead,
        baseline: Baseline,
        options: AuditOptions,
    ) -> bool {
        self.start(runner, TaskKey::Findings, async move {
            let findings = audit(&estate, &read.props, &baseline, options);
            // Every described key needs its policy and tags read, including keys that appeared
            // after the audit's reads: those are not audited yet, and said so.
            let needed = audit_targets(&estate);
            let gaps = not_audited(&estate, &needed, &read.props, &read.problems);
            TaskOutput::Findings(AuditResult {
                revision: estate.revision(),
                findings,
                not_audited: gaps,
            })
        })
    }

    /// Renders the audit report and writes it to `path`, off the UI thread.
    pub fn export_report(
        &mut self,
        runner: &Runner,
        estate: Estate,
        result: AuditResult,
        format: ReportFormat,
        path: String,
    ) -> bool {
        let key = TaskKey::Export(path.clone());
        self.start(runner, key, async move {
            let written = tokio::task::spawn_blocking(move || {
                let report = crate::report::audit_report(
                    &estate,
                    result.findings,
                    result.not_audited,
                    super::now_epoch(),
                );
                report
                    .render(format)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        super::write_private(std::path::Path::new(&path), &text)
                            .map_err(|e| e.to_string())
                    })
                    .map(|()| format!("Saved {path}"))
                    .map_err(|e| format!("Could not save {path}: {e}"))
            })
            .await
            .unwrap_or_else(|e| Err(format!("Could not save the report: {e}")));
            TaskOutput::Exported(written)
        })
    }

    /// Builds new clients from the inventory's connection settings (credentials renewed
    /// outside the app). Nothing starts when the clients were given rather than loaded.
    pub fn reload_credentials(&mut self, runner: &Runner, inventory: &Inventory) -> bool {
        let Some(settings) = inventory.reload_settings().cloned() else {
            return false;
        };
        self.start(runner, TaskKey::ReloadCredentials, async move {
            TaskOutput::Reloaded(Box::new(AwsClients::connect(&settings).await))
        })
    }
}

impl Tasks {
    /// Reads and checks a baseline file off the UI thread (a file can be large or slow).
    pub fn load_baseline(&mut self, runner: &Runner, path: String) -> bool {
        let key = TaskKey::LoadBaseline(path.clone());
        self.start(runner, key, async move {
            let loaded = tokio::task::spawn_blocking(move || {
                let text = super::read_bounded(
                    std::path::Path::new(&path),
                    crate::domain::baseline::MAX_BASELINE_BYTES,
                    "baseline",
                )?;
                Baseline::from_toml(&text).map_err(|e| format!("{path}: {e}"))
            })
            .await
            .unwrap_or_else(|e| Err(format!("Cannot load the baseline: {e}")));
            TaskOutput::Baseline(loaded)
        })
    }
}

impl Tasks {
    /// Lists the history's snapshots off the UI thread. Nothing starts with history off.
    pub fn load_snapshots(&mut self, runner: &Runner, inventory: &Inventory) -> bool {
        let Some(log) = inventory.history_log() else {
            return false;
        };
        let (path, account) = (log.path().to_path_buf(), log.actor().account.clone());
        self.start(runner, TaskKey::Snapshots, async move {
            // Only this account's: "changes since" compares its estate with one of them.
            let read = tokio::task::spawn_blocking(move || super::history::read_snapshots(&path))
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
                .map(|list| list.into_iter().filter(|s| s.account == account).collect());
            TaskOutput::Snapshots(read)
        })
    }

    /// Compares snapshot `id` with the estate as it is now (and the audit's `findings`, when
    /// they are of this estate), off the UI thread.
    pub fn changes_since(
        &mut self,
        runner: &Runner,
        inventory: &Inventory,
        id: i64,
        audited: Option<AuditFacts>,
    ) -> bool {
        let Some(log) = inventory.history_log() else {
            return false;
        };
        let (path, account) = (log.path().to_path_buf(), log.actor().account.clone());
        let estate = inventory.estate().clone();
        self.start(runner, TaskKey::ChangesSince(id), async move {
            let revision = estate.revision();
            let diff = tokio::task::spawn_blocking(move || {
                let now = facts_of(&estate, audited.as_ref(), &account);
                super::history::changes_since(&path, id, &now)
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            TaskOutput::Changes { revision, diff }
        })
    }
}

impl Tasks {
    /// Computes the plan from the estate, what the audit read and the baseline, off the UI
    /// thread.
    pub fn make_plan(
        &mut self,
        runner: &Runner,
        estate: Estate,
        props: PropsMap,
        baseline: Baseline,
        account: String,
    ) -> bool {
        self.start(runner, TaskKey::Plan, async move {
            TaskOutput::Plan(Ok(crate::domain::plan::plan(
                &estate, &props, &baseline, &account,
            )))
        })
    }

    /// Writes `plan` as JSON to `path` off the UI thread; never over the plan of a journal
    /// beside it (that plan is being applied).
    pub fn save_plan(&mut self, runner: &Runner, plan: Plan, path: String) -> bool {
        let key = TaskKey::SavePlan(path.clone());
        self.start(runner, key, async move {
            let saved = tokio::task::spawn_blocking(move || {
                let text = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
                if super::apply::journal_path(std::path::Path::new(&path)).exists() {
                    return Err(format!(
                        "{path} has an apply journal beside it: save this plan under another name"
                    ));
                }
                super::write_private(std::path::Path::new(&path), &text)
                    .map(|()| format!("Saved {path}"))
                    .map_err(|e| format!("Could not save {path}: {e}"))
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            TaskOutput::Exported(saved)
        })
    }

    /// Reads a plan file off the UI thread.
    pub fn load_plan(&mut self, runner: &Runner, path: String) -> bool {
        let key = TaskKey::LoadPlan(path.clone());
        self.start(runner, key, async move {
            let loaded = tokio::task::spawn_blocking(move || {
                let text = super::read_bounded(
                    std::path::Path::new(&path),
                    crate::domain::plan::MAX_PLAN_BYTES,
                    "plan",
                )?;
                let plan: Plan = serde_json::from_str(&text)
                    .map_err(|e| format!("{path} is not a plan: {e}"))?;
                Ok(plan)
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            TaskOutput::Plan(loaded)
        })
    }

    /// Writes `plan` to `path` and carries it out with its journal beside it (so it can be
    /// resumed, from the GUI or `apply`). Refused in read-only mode.
    pub fn apply_plan(
        &mut self,
        runner: &Runner,
        inventory: &Inventory,
        plan: Plan,
        path: String,
        options: ApplyOptions,
    ) -> bool {
        if inventory.is_read_only() {
            return false;
        }
        let clients = inventory.clients().clone();
        let key = TaskKey::ApplyPlan(path.clone());
        let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        self.apply_progress = progress.clone();
        let repaint = runner.repaint_hook();
        self.start(runner, key, async move {
            let report = move |status: &StepStatus| {
                progress
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(status.clone());
                repaint();
            };
            TaskOutput::Applied(write_and_apply(clients, plan, path, options, report).await)
        })
    }

    /// The outcomes of the apply in flight (or the last one) so far.
    pub fn apply_progress(&self) -> Vec<StepStatus> {
        self.apply_progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

async fn write_and_apply(
    clients: AwsClients,
    plan: Plan,
    path: String,
    options: ApplyOptions,
    report: impl Fn(&StepStatus),
) -> Result<Vec<StepStatus>, String> {
    let text = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
    let mut journal = tokio::task::spawn_blocking(move || {
        let file = std::path::PathBuf::from(&path);
        // First the plan's lock: a CLI `apply` of this file holds it, and then nothing here
        // writes or calls anything.
        let lock = PlanLock::acquire(&file).map_err(|e| e.to_string())?;
        // The same text again: the journal beside it from an earlier apply continues. Another
        // plan's journal there is never overwritten, and neither is its plan.
        let same = std::fs::read_to_string(&file).ok().as_deref() == Some(text.as_str());
        if !same {
            let journal = super::apply::journal_path(&file);
            if journal.exists() {
                return Err(format!(
                    "{} is the journal of another plan: save this plan under another name",
                    journal.display()
                ));
            }
            super::write_private(&file, &text).map_err(|e| format!("cannot write {path}: {e}"))?;
        }
        ApplyJournal::open(lock, &text).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    apply_plan(&clients, &plan, &mut journal, &options, |_, _, status| {
        report(status);
        std::ops::ControlFlow::Continue(())
    })
    .await
    .map_err(|e| e.to_string())
}

async fn read_props(
    clients: AwsClients,
    targets: Vec<(MrkId, Region)>,
    rotation: Vec<(MrkId, Region)>,
) -> TaskOutput {
    let (props, problems) = fetch_audit_props(clients, targets, rotation).await;
    TaskOutput::Props(PropsRead { props, problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_request_for_a_running_task_is_refused_and_the_first_result_arrives_once() {
        let runner = Runner::new().unwrap();
        let mut tasks = Tasks::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let gate = async move {
            let _ = rx.await;
            TaskOutput::Exported(Ok("first".into()))
        };
        assert!(tasks.start(&runner, TaskKey::Export("a".into()), gate));
        assert!(!tasks.start(&runner, TaskKey::Export("a".into()), async {
            TaskOutput::Exported(Ok("second".into()))
        }));
        assert!(tasks.is_running(&TaskKey::Export("a".into())));
        let _ = tx.send(());
        assert!(runner.wait_until(std::time::Duration::from_secs(10), || {
            tasks.running.values().all(|p| p.ready().is_some())
        }));
        let finished = tasks.take_finished();
        assert_eq!(finished.len(), 1);
        assert!(matches!(
            &finished[0].1,
            Ok(TaskOutput::Exported(Ok(text))) if text == "first"
        ));
        assert!(!tasks.is_running(&TaskKey::Export("a".into())));
    }

    #[test]
    fn a_task_that_panics_becomes_an_error() {
        let runner = Runner::new().unwrap();
        let mut tasks = Tasks::default();
        let explode = true;
        tasks.start(&runner, TaskKey::PrimaryTags, async move {
            assert!(!explode, "boom");
            TaskOutput::Exported(Ok(String::new()))
        });
        assert!(runner.wait_until(std::time::Duration::from_secs(10), || {
            tasks.running.values().all(|p| p.ready().is_some())
        }));
        let finished = tasks.take_finished();
        assert!(matches!(&finished[0].1, Err(Panicked(m)) if m.contains("boom")));
    }
}
