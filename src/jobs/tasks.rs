//! The tasks the panels ask for: the audit's reads and its findings, a family's policies and
//! tags for the details panel, the primary's for the replicate dialog, the primaries' tags for
//! the tag filter, a report or plan written to a file, a plan applied, new clients after a
//! credential reload.
//!
//! Each is a job in the inventory's one table (`Job::Task`), keyed by what it is about, so a
//! second request for a task that is running is refused there. What a task returns names the
//! task it is of (its file, its snapshot, its family), so the window matches on the output
//! alone and a result can never land in another task's place; a panic becomes that task's own
//! error (`TaskKey::stopped`). Panels only ask "is this task running" and receive what it
//! returned.

use std::collections::HashMap;
use std::future::Future;

use super::apply::{ApplyJournal, ApplyOptions, PlanLock, StepStatus, apply_plan};
use super::audit::{
    ExtraTargets, audit_targets, extra_targets, fetch_audit_props, fetch_primary_tags,
};
use super::inventory::Inventory;
use super::job_table::{Done, Job};
use super::replicate::calls::fetch_primary_props;
use super::runner::{Panicked, Runner};
use super::task_error::TaskError;
use crate::aws::AwsClients;
use crate::domain::audit::{
    AuditOptions, Finding, NotAudited, PropsMap, ReportFormat, audit, not_audited,
};
use crate::domain::baseline::Baseline;
use crate::domain::history::{AuditFacts, SnapshotSummary, facts_of};
use crate::domain::plan::Plan;
use crate::domain::snapshot_diff::Diff;
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
    /// A family's CloudTrail records, for its details panel.
    Trail(MrkId),
    /// A family's keys checked against each other (Verify replicas…).
    Verify(MrkId),
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
    /// The print of the rules they were judged by (`history::rules_print`).
    pub rules: String,
}

/// The primaries' tags read for the tag filter.
#[derive(Debug, Clone, Default)]
pub struct PrimaryTagsRead {
    pub tags: HashMap<MrkId, Vec<Tag>>,
    /// How many primaries' tags could not be read.
    pub unreadable: usize,
}

/// What a finished task returned, naming the task it is of: one variant per `TaskKey`.
pub enum TaskOutput {
    AuditProps(Result<PropsRead, TaskError>),
    FamilyProps(MrkId, Result<PropsRead, TaskError>),
    PrimaryProps {
        id: MrkId,
        region: Region,
        read: Result<PrimaryProps, TaskError>,
    },
    PrimaryTags(Result<PrimaryTagsRead, TaskError>),
    Findings(Result<AuditResult, TaskError>),
    /// The audit report written to `path`, or why not.
    Exported {
        path: String,
        written: Result<(), TaskError>,
    },
    Reloaded(Result<Box<AwsClients>, TaskError>),
    /// The baseline of `path`, or why the file cannot be one.
    Baseline {
        path: String,
        loaded: Result<Baseline, TaskError>,
    },
    Snapshots(Result<Vec<SnapshotSummary>, TaskError>),
    /// The changes since snapshot `id`, computed at this estate revision (`None` when the task
    /// stopped before it knew one).
    Changes {
        id: i64,
        revision: Option<u64>,
        diff: Result<Diff, TaskError>,
    },
    Plan(Result<Plan, TaskError>),
    LoadedPlan {
        path: String,
        plan: Result<Plan, TaskError>,
    },
    SavedPlan {
        path: String,
        saved: Result<(), TaskError>,
    },
    /// Each step's outcome, or why the apply could not start.
    Applied {
        path: String,
        outcomes: Result<Vec<StepStatus>, TaskError>,
    },
    Trail(MrkId, Result<super::trail_reads::TrailRead, TaskError>),
    Verified(MrkId, Result<super::verify::Verification, TaskError>),
}

impl TaskKey {
    /// What this task returns when it stopped (a panic): its own error, in its own place.
    pub(super) fn stopped(self, panicked: Panicked) -> TaskOutput {
        let e = || TaskError::Stopped(panicked.to_string());
        match self {
            TaskKey::AuditProps => TaskOutput::AuditProps(Err(e())),
            TaskKey::Findings => TaskOutput::Findings(Err(e())),
            TaskKey::FamilyProps(id) => TaskOutput::FamilyProps(id, Err(e())),
            TaskKey::PrimaryProps(id, region) => TaskOutput::PrimaryProps {
                id,
                region,
                read: Err(e()),
            },
            TaskKey::PrimaryTags => TaskOutput::PrimaryTags(Err(e())),
            TaskKey::Export(path) => TaskOutput::Exported {
                path,
                written: Err(e()),
            },
            TaskKey::ReloadCredentials => TaskOutput::Reloaded(Err(e())),
            TaskKey::LoadBaseline(path) => TaskOutput::Baseline {
                path,
                loaded: Err(e()),
            },
            TaskKey::Snapshots => TaskOutput::Snapshots(Err(e())),
            TaskKey::ChangesSince(id) => TaskOutput::Changes {
                id,
                revision: None,
                diff: Err(e()),
            },
            TaskKey::Plan => TaskOutput::Plan(Err(e())),
            TaskKey::ApplyPlan(path) => TaskOutput::Applied {
                path,
                outcomes: Err(e()),
            },
            TaskKey::LoadPlan(path) => TaskOutput::LoadedPlan {
                path,
                plan: Err(e()),
            },
            TaskKey::SavePlan(path) => TaskOutput::SavedPlan {
                path,
                saved: Err(e()),
            },
            TaskKey::Trail(id) => TaskOutput::Trail(id, Err(e())),
            TaskKey::Verify(id) => TaskOutput::Verified(id, Err(e())),
        }
    }
}

impl Inventory {
    /// Starts the task `key`, unless it is running: a job in the inventory's one table.
    pub(super) fn start_task(
        &mut self,
        runner: &Runner,
        key: TaskKey,
        future: impl Future<Output = TaskOutput> + Send + 'static,
    ) -> bool {
        let job = Job::Task(key);
        self.jobs
            .start(runner, job, async move { Done::Task(future.await) })
    }

    /// Whether a plan is being applied (whatever its file).
    pub fn running_apply(&self) -> bool {
        self.jobs
            .any(|job| matches!(job, Job::Task(TaskKey::ApplyPlan(_))))
    }

    /// Reads the policy and tags of every described key, for the audit.
    pub fn read_audit_props(&mut self, runner: &Runner) -> bool {
        let targets = audit_targets(self.estate());
        let extra = extra_targets(self.estate(), &targets);
        let clients = self.clients().clone();
        self.start_task(runner, TaskKey::AuditProps, async move {
            TaskOutput::AuditProps(Ok(read_props(clients, targets, extra).await))
        })
    }

    /// Reads the policy and tags of a family's keys not in `known`, for its details panel.
    pub fn read_family_props(&mut self, runner: &Runner, id: &MrkId, known: &PropsMap) -> bool {
        let Some(family) = self.estate().family(id) else {
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
        let extra = extra_targets(self.estate(), &targets);
        let clients = self.clients().clone();
        let family = id.clone();
        self.start_task(runner, TaskKey::FamilyProps(id.clone()), async move {
            let read = read_props(clients, targets, extra).await;
            TaskOutput::FamilyProps(family, Ok(read))
        })
    }

    /// Reads the primary's policy and tags (what the console would copy) for the dialog.
    pub fn read_primary_props(
        &mut self,
        runner: &Runner,
        id: &MrkId,
        primary_region: Region,
        description: String,
        alias: Option<String>,
    ) -> bool {
        let client = self.clients().client(primary_region);
        let future = fetch_primary_props(client, id.clone(), description, alias);
        let key = TaskKey::PrimaryProps(id.clone(), primary_region);
        let id = id.clone();
        self.start_task(runner, key, async move {
            TaskOutput::PrimaryProps {
                id,
                region: primary_region,
                read: future.await.map_err(TaskError::from),
            }
        })
    }

    /// Reads the tags of these primaries, for the tag filter.
    pub fn read_primary_tags(&mut self, runner: &Runner, primaries: Vec<(MrkId, Region)>) -> bool {
        let clients = self.clients().clone();
        self.start_task(runner, TaskKey::PrimaryTags, async move {
            let (tags, errors) = fetch_primary_tags(clients, primaries).await;
            TaskOutput::PrimaryTags(Ok(PrimaryTagsRead {
                tags,
                unreadable: errors.len(),
            }))
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
        self.start_task(runner, TaskKey::Findings, async move {
            let findings = audit(&estate, &read.props, &baseline, options);
            let rules = crate::domain::history::rules_print(&baseline, options);
            // Every described key needs its policy and tags read, including keys that appeared
            // after the audit's reads: those are not audited yet, and said so.
            let needed = audit_targets(&estate);
            let gaps = not_audited(&estate, &needed, &read.props, &read.problems);
            TaskOutput::Findings(Ok(AuditResult {
                revision: estate.revision(),
                findings,
                not_audited: gaps,
                rules,
            }))
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
        self.start_task(runner, key, async move {
            let target = path.clone();
            let written = tokio::task::spawn_blocking(move || {
                let report = crate::report::audit_report(
                    &estate,
                    result.findings,
                    result.not_audited,
                    super::now_epoch(),
                );
                let text = report.render(format).map_err(|source| TaskError::Render {
                    path: target.clone(),
                    source,
                })?;
                super::write_private(std::path::Path::new(&target), &text).map_err(|source| {
                    TaskError::Write {
                        path: target.clone(),
                        source,
                    }
                })
            })
            .await
            .unwrap_or_else(|e| Err(e.into()));
            TaskOutput::Exported { path, written }
        })
    }

    /// Builds new clients from the inventory's connection settings (credentials renewed
    /// outside the app). Nothing starts when the clients were given rather than loaded.
    pub fn reload_credentials(&mut self, runner: &Runner) -> bool {
        let Some(settings) = self.reload_settings().cloned() else {
            return false;
        };
        self.start_task(runner, TaskKey::ReloadCredentials, async move {
            TaskOutput::Reloaded(Ok(Box::new(AwsClients::connect(&settings).await)))
        })
    }
}

impl Inventory {
    /// Reads and checks a baseline file off the UI thread (a file can be large or slow).
    pub fn load_baseline(&mut self, runner: &Runner, path: String) -> bool {
        let key = TaskKey::LoadBaseline(path.clone());
        self.start_task(runner, key, async move {
            let file = path.clone();
            let loaded = tokio::task::spawn_blocking(move || {
                let text = super::read_bounded(
                    std::path::Path::new(&file),
                    crate::domain::baseline::MAX_BASELINE_BYTES,
                    "baseline",
                )?;
                Baseline::from_toml(&text)
                    .map_err(|source| TaskError::Baseline { path: file, source })
            })
            .await
            .unwrap_or_else(|e| Err(e.into()));
            TaskOutput::Baseline { path, loaded }
        })
    }
}

impl Inventory {
    /// Lists the history's snapshots off the UI thread. Nothing starts with history off.
    pub fn load_snapshots(&mut self, runner: &Runner) -> bool {
        let Some(log) = self.history_log() else {
            return false;
        };
        let (path, account) = (log.path().to_path_buf(), log.actor().account.clone());
        self.start_task(runner, TaskKey::Snapshots, async move {
            // Only this account's: "changes since" compares its estate with one of them.
            let read =
                tokio::task::spawn_blocking(move || super::snapshot_reads::read_snapshots(&path))
                    .await
                    .map_err(TaskError::from)
                    .and_then(|read| read.map_err(TaskError::from))
                    .map(|list| list.into_iter().filter(|s| s.account == account).collect());
            TaskOutput::Snapshots(read)
        })
    }

    /// Compares snapshot `id` with the estate as it is now (and the audit's `findings`, when
    /// they are of this estate), off the UI thread.
    pub fn changes_since(&mut self, runner: &Runner, id: i64, audited: Option<AuditFacts>) -> bool {
        let Some(log) = self.history_log() else {
            return false;
        };
        let (path, account) = (log.path().to_path_buf(), log.actor().account.clone());
        let estate = self.estate().clone();
        self.start_task(runner, TaskKey::ChangesSince(id), async move {
            let revision = estate.revision();
            let diff = tokio::task::spawn_blocking(move || {
                let now = facts_of(&estate, audited.as_ref(), &account);
                super::snapshot_reads::changes_since(&path, id, &now).map_err(TaskError::from)
            })
            .await
            .unwrap_or_else(|e| Err(e.into()));
            TaskOutput::Changes {
                id,
                revision: Some(revision),
                diff,
            }
        })
    }
}

impl Inventory {
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
        self.start_task(runner, TaskKey::Plan, async move {
            TaskOutput::Plan(Ok(crate::domain::plan::plan(
                &estate, &props, &baseline, &account,
            )))
        })
    }

    /// Writes `plan` as JSON to `path` off the UI thread; never over the plan of a journal
    /// beside it (that plan is being applied).
    pub fn save_plan(&mut self, runner: &Runner, plan: Plan, path: String) -> bool {
        let key = TaskKey::SavePlan(path.clone());
        self.start_task(runner, key, async move {
            let target = path.clone();
            let saved = tokio::task::spawn_blocking(move || {
                let text = plan_text(&plan)?;
                if super::apply::journal_path(std::path::Path::new(&target)).exists() {
                    return Err(TaskError::JournalBeside { path: target });
                }
                super::write_private(std::path::Path::new(&target), &text).map_err(|source| {
                    TaskError::Write {
                        path: target,
                        source,
                    }
                })
            })
            .await
            .unwrap_or_else(|e| Err(e.into()));
            TaskOutput::SavedPlan { path, saved }
        })
    }

    /// Reads a plan file off the UI thread.
    pub fn load_plan(&mut self, runner: &Runner, path: String) -> bool {
        let key = TaskKey::LoadPlan(path.clone());
        self.start_task(runner, key, async move {
            let file = path.clone();
            let plan = tokio::task::spawn_blocking(move || {
                let text = super::read_bounded(
                    std::path::Path::new(&file),
                    crate::domain::plan::MAX_PLAN_BYTES,
                    "plan",
                )?;
                serde_json::from_str::<Plan>(&text).map_err(|e| TaskError::NotAPlan {
                    path: file,
                    detail: e.to_string(),
                })
            })
            .await
            .unwrap_or_else(|e| Err(e.into()));
            TaskOutput::LoadedPlan { path, plan }
        })
    }

    /// Writes `plan` to `path` and carries it out with its journal beside it (so it can be
    /// resumed, from the GUI or `apply`). Refused in read-only mode.
    pub fn apply_plan(
        &mut self,
        runner: &Runner,
        plan: Plan,
        path: String,
        options: ApplyOptions,
    ) -> bool {
        if self.is_read_only() {
            return false;
        }
        let clients = self.clients().clone();
        let key = TaskKey::ApplyPlan(path.clone());
        let file = path.clone();
        let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        self.apply_progress = progress.clone();
        let repaint = runner.repaint_hook();
        let acts_in = regions_acted_in(&plan);
        let started = self.start_task(runner, key, async move {
            let report = move |status: &StepStatus| {
                progress
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(status.clone());
                repaint();
            };
            let outcomes = write_and_apply(clients, plan, file, options, report).await;
            TaskOutput::Applied { path, outcomes }
        });
        if started {
            for region in acts_in {
                self.include_region(runner, region);
            }
        }
        started
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
) -> Result<Vec<StepStatus>, TaskError> {
    let text = plan_text(&plan)?;
    let mut journal = tokio::task::spawn_blocking(move || {
        let file = std::path::PathBuf::from(&path);
        // First the plan's lock: a CLI `apply` of this file holds it, and then nothing here
        // writes or calls anything.
        let lock = PlanLock::acquire(&file)?;
        // The same text again: the journal beside it from an earlier apply continues. Another
        // plan's journal there is never overwritten, and neither is its plan.
        let same = std::fs::read_to_string(&file).ok().as_deref() == Some(text.as_str());
        if !same {
            let journal = super::apply::journal_path(&file);
            if journal.exists() {
                return Err(TaskError::OtherPlansJournal { journal });
            }
            super::write_private(&file, &text)
                .map_err(|source| TaskError::Write { path, source })?;
        }
        Ok::<_, TaskError>(ApplyJournal::open(lock, &text)?)
    })
    .await??;
    let outcomes = apply_plan(&clients, &plan, &mut journal, &options, |_, _, status| {
        report(status);
        std::ops::ControlFlow::Continue(())
    })
    .await?;
    Ok(outcomes)
}

/// Every Region a plan's calls act in: each step's own, and the Region a ReplicateKey makes its
/// replica in.
fn regions_acted_in(plan: &Plan) -> Vec<Region> {
    let mut regions: Vec<Region> = Vec::new();
    for step in &plan.steps {
        let replica = step.parameters["ReplicaRegion"].as_str();
        for name in [Some(step.region.as_str()), replica].into_iter().flatten() {
            if let Ok(region) = name.parse::<Region>()
                && !regions.contains(&region)
            {
                regions.push(region);
            }
        }
    }
    regions
}

/// A plan as its file holds it.
fn plan_text(plan: &Plan) -> Result<String, TaskError> {
    Ok(serde_json::to_string_pretty(plan)?)
}

async fn read_props(
    clients: AwsClients,
    targets: Vec<(MrkId, Region)>,
    extra: ExtraTargets,
) -> PropsRead {
    let (props, problems) = fetch_audit_props(clients, targets, extra).await;
    PropsRead { props, problems }
}
