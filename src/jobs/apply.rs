//! Carrying out a plan: each step's precondition is checked again just before its call (a step
//! whose key changed since the plan is skipped as stale, never forced), AlreadyExists and lost
//! answers are adopted, mutating calls are spaced under their quota, and every finished step is
//! recorded in a journal beside the plan, so an apply that was interrupted, run again,
//! continues where it stopped and makes no call twice.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::replicate::calls::replicate_one;
use crate::aws::{AwsClients, KmsError, RegionClient};
use crate::domain::plan::{Plan, Precondition, Step, grant_of, sha256, tags_hash};
use crate::domain::{KeyState, MrkId, Region, ReplicateRequest, Tag};

/// Mutating calls are spaced by this much: under the 5 per second KMS allows most of them.
const SPACING: Duration = Duration::from_millis(220);
/// How long a step waits for a new replica to leave `Creating`.
const USABLE_WAIT: Duration = Duration::from_secs(600);

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Applied {
        request_id: Option<String>,
    },
    /// ReplicateKey found the replica already there (AlreadyExists, or a lost answer).
    Adopted,
    /// The key changed since the plan: not called.
    Stale(String),
    /// Not called, and may be on another run (a deletion without `--allow-deletions`).
    Skipped(String),
    Failed(String),
    /// Finished on an earlier run (the journal says so): not called again.
    AlreadyDone(String),
}

impl StepStatus {
    /// The word the journal keeps for a step this run judged; `None` for one it did not.
    /// Only `applied` and `adopted` make a step done on a later run (`TOOK_EFFECT`).
    fn journal_word(&self) -> Option<&'static str> {
        match self {
            StepStatus::Applied { .. } => Some("applied"),
            StepStatus::Adopted => Some("adopted"),
            StepStatus::Stale(_) => Some("stale"),
            StepStatus::Failed(_) => Some("failed"),
            StepStatus::Skipped(_) | StepStatus::AlreadyDone(_) => None,
        }
    }

    /// Whether the step left the estate as the plan wanted (or it already was).
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            StepStatus::Applied { .. } | StepStatus::Adopted | StepStatus::AlreadyDone(_)
        )
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepStatus::Applied { request_id } => match request_id {
                Some(id) => write!(f, "applied (request {id})"),
                None => write!(f, "applied"),
            },
            StepStatus::Adopted => write!(f, "adopted: the replica was already there"),
            StepStatus::Stale(why) => write!(f, "stale, not called: {why}"),
            StepStatus::Skipped(why) => write!(f, "skipped: {why}"),
            StepStatus::Failed(why) => write!(f, "failed: {why}"),
            StepStatus::AlreadyDone(word) => write!(f, "{word} on an earlier run"),
        }
    }
}

/// Why a plan could not be applied at all (nothing was called, or the journal could not keep
/// what was).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(
        "{plan} is being applied by another process ({holder}): wait for it to finish, or stop it, before applying it again"
    )]
    HeldElsewhere { plan: PathBuf, holder: String },
    #[error(
        "{journal} belongs to another plan (or is damaged): move it aside to apply this plan from its first step"
    )]
    OtherPlan { journal: PathBuf },
    #[error("{path}: {detail}")]
    File { path: PathBuf, detail: String },
    #[error(transparent)]
    InvalidStep(#[from] crate::domain::plan_check::InvalidStep),
    #[error(
        "step {step} is for account {plan}, but the credentials are for account {credentials}: nothing was applied; use the credentials of the plan's account"
    )]
    OtherAccount {
        step: usize,
        plan: String,
        credentials: String,
    },
}

impl ApplyError {
    fn file(path: &Path, what: &str, e: std::io::Error) -> ApplyError {
        ApplyError::File {
            path: path.to_path_buf(),
            detail: format!("cannot {what}: {e}"),
        }
    }
}

/// The exclusive hold one apply has on a plan (`PLAN.journal.lock`, an OS file lock): a second
/// apply of the same plan, from the CLI or the GUI, is refused and told who holds it, instead
/// of making every call a second time. The OS releases it when the process ends, however it
/// ends, so a killed apply never leaves the plan locked.
pub struct PlanLock {
    _file: std::fs::File,
    journal: PathBuf,
}

impl PlanLock {
    /// Takes the lock of the plan at `plan_path`, or says which process holds it.
    pub fn acquire(plan_path: &Path) -> Result<PlanLock, ApplyError> {
        let journal = journal_path(plan_path);
        let mut lock_path = journal.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| ApplyError::file(&lock_path, "open the lock", e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&lock_path).unwrap_or_default();
                let holder = holder.trim();
                return Err(ApplyError::HeldElsewhere {
                    plan: plan_path.to_path_buf(),
                    holder: match holder.is_empty() {
                        true => "holder unknown".into(),
                        false => holder.to_string(),
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ApplyError::file(&lock_path, "lock", e));
            }
        }
        // Who holds it, for the message a second apply prints.
        let _ = file.set_len(0);
        let _ = writeln!(
            file,
            "pid {}, since {}",
            std::process::id(),
            crate::domain::key::format_utc(super::now_epoch())
        );
        Ok(PlanLock {
            _file: file,
            journal,
        })
    }
}

/// Where the journal of the plan at `plan_path` is kept (`PLAN.journal`).
pub fn journal_path(plan_path: &Path) -> PathBuf {
    let mut path = plan_path.as_os_str().to_owned();
    path.push(".journal");
    PathBuf::from(path)
}

/// The words a journal line may carry for a step that took effect: only these make a step done
/// on a later run. Stale, refused and failed steps are recorded too, as evidence, and tried
/// again (and judged again) on every run.
const TOOK_EFFECT: &[&str] = &["applied", "adopted"];

/// The record of finished steps, a JSON line each, beside the plan (`PLAN.journal`). Its first
/// line names the plan's hash: a journal never applies to another plan. It is opened only under
/// the plan's lock.
pub struct ApplyJournal {
    path: PathBuf,
    done: BTreeMap<usize, String>,
    _lock: PlanLock,
}

impl ApplyJournal {
    /// The plan's file name (the journal is `PLAN.journal` beside it).
    pub fn plan_name(&self) -> String {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        name.strip_suffix(".journal").unwrap_or(&name).to_string()
    }

    /// Opens (or starts) the journal of the plan held by `lock`, whose text is `plan_text`.
    pub fn open(lock: PlanLock, plan_text: &str) -> Result<ApplyJournal, ApplyError> {
        let path = lock.journal.clone();
        let hash = sha256(plan_text);
        let mut done = BTreeMap::new();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut lines = text.lines();
                let header: Value = lines
                    .next()
                    .and_then(|l| serde_json::from_str(l).ok())
                    .unwrap_or(Value::Null);
                if header["plan_sha256"].as_str() != Some(hash.as_str()) {
                    return Err(ApplyError::OtherPlan { journal: path });
                }
                for line in lines {
                    let Ok(entry) = serde_json::from_str::<Value>(line) else {
                        continue;
                    };
                    if let (Some(step), Some(status)) =
                        (entry["step"].as_u64(), entry["status"].as_str())
                        && TOOK_EFFECT.contains(&status)
                    {
                        done.insert(step as usize, status.to_string());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                append(&path, &serde_json::json!({ "plan_sha256": hash }))?;
            }
            Err(e) => return Err(ApplyError::file(&path, "read", e)),
        }
        Ok(ApplyJournal {
            path,
            done,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn record(&mut self, step: usize, word: &str) -> Result<(), ApplyError> {
        append(
            &self.path,
            &serde_json::json!({ "step": step, "status": word, "time": super::now_epoch() }),
        )?;
        if TOOK_EFFECT.contains(&word) {
            self.done.insert(step, word.to_string());
        }
        Ok(())
    }
}

/// One line, flushed to disk before the next call is made.
fn append(path: &Path, line: &Value) -> Result<(), ApplyError> {
    let mut file =
        super::open_private(path, true).map_err(|e| ApplyError::file(path, "write", e))?;
    writeln!(file, "{line}")
        .and_then(|()| file.sync_data())
        .map_err(|e| ApplyError::file(path, "write", e))
}

/// What an apply may do.
pub struct ApplyOptions {
    /// ScheduleKeyDeletion steps run only with this.
    pub allow_deletions: bool,
    /// The account the credentials are for: a step for another account is not called.
    pub account: String,
    /// Where each call made is journaled (the history), when it is kept.
    pub history: Option<super::history_writer::HistoryLog>,
}

/// Carries out `plan` step by step. `progress` hears each step's outcome and may stop the
/// apply (the journal keeps what finished).
pub async fn apply_plan(
    clients: &AwsClients,
    plan: &Plan,
    journal: &mut ApplyJournal,
    options: &ApplyOptions,
    mut progress: impl FnMut(usize, &Step, &StepStatus) -> ControlFlow<()>,
) -> Result<Vec<StepStatus>, ApplyError> {
    check_before_any_call(plan, options)?;
    let mut outcomes = Vec::with_capacity(plan.steps.len());
    let mut last_call: Option<Instant> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        let status = match journal.done.get(&i) {
            Some(word) => StepStatus::AlreadyDone(word.clone()),
            None => {
                let status = run_step(clients, step, options, &mut last_call).await;
                if let Some(word) = status.journal_word() {
                    journal.record(i, word)?;
                }
                if let Some(log) = &options.history {
                    journal_call(log, step, &status, &journal.plan_name());
                }
                status
            }
        };
        let flow = progress(i, step, &status);
        outcomes.push(status);
        if flow.is_break() {
            break;
        }
    }
    Ok(outcomes)
}

/// What refuses the whole plan before its first call: an invalid step (a hand-edited plan), or
/// a step for another account than the credentials' (nothing of it is stale: it was never
/// looked at, and no call may be made with the wrong account's credentials).
fn check_before_any_call(plan: &Plan, options: &ApplyOptions) -> Result<(), ApplyError> {
    crate::domain::plan_check::check_plan(plan)?;
    if let Some((i, step)) = plan
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.account != options.account)
    {
        return Err(ApplyError::OtherAccount {
            step: i + 1,
            plan: step.account.clone(),
            credentials: options.account.clone(),
        });
    }
    Ok(())
}

/// A call this apply made, in the history's journal (steps not called are not journaled).
fn journal_call(
    log: &super::history_writer::HistoryLog,
    step: &Step,
    status: &StepStatus,
    plan: &str,
) {
    let (outcome, request_id) = match status {
        StepStatus::Applied { request_id } => ("ok: applied".to_string(), request_id.clone()),
        StepStatus::Adopted => ("ok: adopted the existing replica".to_string(), None),
        StepStatus::Failed(why) => (format!("failed: {why}"), None),
        StepStatus::Stale(_) | StepStatus::Skipped(_) | StepStatus::AlreadyDone(_) => return,
    };
    let mut parameters = step.parameters.clone();
    // The policy is in the key; the journal names it by size, as for the GUI's calls.
    if let Some(policy) = parameters.get("Policy").and_then(Value::as_str) {
        parameters["Policy"] = Value::String(format!("{} bytes", policy.len()));
    }
    let actor = log.actor();
    log.append(crate::domain::history::JournalEntry {
        time: super::now_epoch(),
        identity: actor.identity.clone(),
        account: step.account.clone(),
        region: step.region.clone(),
        operation: step.operation.clone(),
        key_id: step.key_id.clone(),
        parameters: parameters.to_string(),
        outcome,
        request_id,
        source: Some(format!("apply of {plan}")),
    });
}

async fn run_step(
    clients: &AwsClients,
    step: &Step,
    options: &ApplyOptions,
    last_call: &mut Option<Instant>,
) -> StepStatus {
    let (Some(id), Ok(region)) = (MrkId::parse(&step.key_id), step.region.parse::<Region>()) else {
        return StepStatus::Failed(format!(
            "the step names key '{}' in '{}', which is not a multi-Region key in a known Region",
            step.key_id, step.region
        ));
    };
    if step.operation == "ScheduleKeyDeletion" && !options.allow_deletions {
        return StepStatus::Skipped("a deletion needs --allow-deletions as well".into());
    }
    let Some(target) = target_region(step, region) else {
        return StepStatus::Failed("ReplicateKey without a known ReplicaRegion".into());
    };
    match precondition_holds(clients, target, &id, &step.precondition).await {
        Ok(None) => {}
        Ok(Some(stale)) => return StepStatus::Stale(stale),
        Err(e) => return StepStatus::Failed(format!("could not check the precondition: {e}")),
    }
    if let Some(at) = *last_call {
        let since = at.elapsed();
        if since < SPACING {
            tokio::time::sleep(SPACING - since).await;
        }
    }
    *last_call = Some(Instant::now());
    call(clients, step, &id, region, target).await
}

/// The Region whose key the precondition is about: the new replica's for ReplicateKey, the
/// step's own otherwise.
/// `None` for a ReplicateKey without a known ReplicaRegion.
fn target_region(step: &Step, region: Region) -> Option<Region> {
    if step.operation != "ReplicateKey" {
        return Some(region);
    }
    step.parameters["ReplicaRegion"]
        .as_str()
        .and_then(|r| r.parse().ok())
}

/// `Ok(None)` when the key is as the plan saw it; `Ok(Some(why))` when it changed.
async fn precondition_holds(
    clients: &AwsClients,
    region: Region,
    id: &MrkId,
    precondition: &Precondition,
) -> Result<Option<String>, KmsError> {
    let client = &clients.client(region);
    Ok(match precondition {
        Precondition::NoKeyIn => match client.describe_key(id).await {
            Err(KmsError::NotFound { .. }) => None,
            Ok(k) => Some(format!(
                "a key of the family is in {region} now ({})",
                k.state
            )),
            Err(e) => return Err(e),
        },
        Precondition::PolicyHash { sha256: want } => {
            let policy = client.key_policy(id).await?;
            (sha256(&policy) != *want)
                .then(|| format!("the policy in {region} changed since the plan"))
        }
        Precondition::TagsHash { sha256: want } => {
            let tags: Vec<Tag> = client.tags(id).await?;
            (tags_hash(&tags) != *want)
                .then(|| format!("the tags in {region} changed since the plan"))
        }
        Precondition::Description { text } => {
            let key = client.describe_key(id).await?;
            (key.description != *text)
                .then(|| format!("the description in {region} changed since the plan"))
        }
        Precondition::AliasAbsent { alias } => {
            let aliases = client.list_aliases().await?;
            aliases
                .iter()
                .any(|(name, _)| name == alias)
                .then(|| format!("{alias} exists in {region} now"))
        }
        Precondition::KeyState { state } => {
            let key = client.describe_key(id).await?;
            (key.state.to_string() != *state)
                .then(|| format!("the key in {region} is {} now, not {state}", key.state))
        }
        Precondition::KeyUsable => wait_usable(client, id).await?,
        Precondition::Quiet { days } => quiet(clients, client, id, *days).await?,
        Precondition::GrantAbsent { grant } => {
            let grants = client.grants(id).await?;
            grants
                .iter()
                .any(|g| g.describe() == *grant)
                .then(|| format!("the grant exists in {region} now"))
        }
    })
}

/// Whether a disabled key has been quiet for `days`, by its CloudTrail records and last usage
/// read now: `Some(why not)` otherwise. Nothing read, nothing deleted (the error fails the step).
async fn quiet(
    clients: &AwsClients,
    client: &RegionClient,
    id: &MrkId,
    days: i64,
) -> Result<Option<String>, KmsError> {
    use crate::domain::retirement::{Evidence, Stage, after_disable};
    let key = client.describe_key(id).await?;
    if key.state != crate::domain::KeyState::Disabled {
        return Ok(Some(format!(
            "the key in {} is {} now, not Disabled",
            key.region, key.state
        )));
    }
    let now = super::now_epoch();
    let since = now - super::trail_reads::TRAIL_DAYS * 86_400;
    let trail = clients.trail(key.region);
    let events = super::trail_reads::region_events(&trail, &key.arn, since).await?;
    let usage = client.key_usage(id).await?;
    let evidence = Evidence {
        trail: Some(&events),
        usage: Some(&usage),
    };
    Ok(match after_disable(&key, evidence, now, days) {
        Stage::Ready { .. } => None,
        other => Some(other.describe(now)),
    })
}

/// Waits for a replica an earlier step made to leave `Creating`.
async fn wait_usable(client: &RegionClient, id: &MrkId) -> Result<Option<String>, KmsError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        match client.describe_key(id).await {
            Err(KmsError::NotFound { .. }) => {
                return Ok(Some(format!("no key of the family in {}", client.region())));
            }
            Ok(k) if k.state == KeyState::Creating && started.elapsed() < USABLE_WAIT => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Ok(k) if k.state == KeyState::Creating => {
                return Ok(Some(format!(
                    "the replica in {} was still Creating after {} s",
                    client.region(),
                    USABLE_WAIT.as_secs()
                )));
            }
            Ok(_) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

async fn call(
    clients: &AwsClients,
    step: &Step,
    id: &MrkId,
    region: Region,
    target: Region,
) -> StepStatus {
    let client = clients.client(region);
    let p = &step.parameters;
    let text = |field: &str| p[field].as_str().unwrap_or_default().to_string();
    let done = |result: Result<Option<String>, KmsError>| match result {
        Ok(request_id) => StepStatus::Applied { request_id },
        Err(e) => StepStatus::Failed(e.to_string()),
    };
    match step.operation.as_str() {
        "ReplicateKey" => {
            let request = ReplicateRequest {
                key_id: id.clone(),
                primary_region: region,
                target,
                policy: p["Policy"].as_str().map(str::to_string),
                description: p["Description"].as_str().map(str::to_string),
                tags: p.get("Tags").map(tags_of),
                bypass_lockout: false,
                alias: None,
            };
            match replicate_one(client, clients.client(target), request, Duration::ZERO).await {
                Ok(r) if r.adopted => StepStatus::Adopted,
                Ok(r) => StepStatus::Applied {
                    request_id: r.created.request_id,
                },
                Err(e) => StepStatus::Failed(e.to_string()),
            }
        }
        "PutKeyPolicy" => done(client.put_key_policy(id, &text("Policy")).await),
        "TagResource" => done(client.tag_resource(id, &tags_of(&p["Tags"])).await),
        "UntagResource" => {
            let keys: Vec<String> = p["TagKeys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            done(client.untag_resource(id, &keys).await)
        }
        "UpdateKeyDescription" => done(client.update_description(id, &text("Description")).await),
        "CreateGrant" => done(client.create_grant(id, &grant_of(p)).await),
        "CreateAlias" => done(
            client
                .create_alias(&text("AliasName"), id)
                .await
                .map(|()| None),
        ),
        "DisableKey" => {
            let action = crate::domain::lifecycle::KeyAction::Disable;
            done(client.key_action(id, action, None).await)
        }
        "ScheduleKeyDeletion" => {
            // check_plan held it to 7–30 already; never cast a value that does not fit.
            let Ok(days) = i32::try_from(p["PendingWindowInDays"].as_i64().unwrap_or(30)) else {
                return StepStatus::Failed("PendingWindowInDays is out of range".into());
            };
            let action = crate::domain::lifecycle::KeyAction::ScheduleDeletion { days };
            done(client.key_action(id, action, None).await)
        }
        other => StepStatus::Failed(format!("this app does not make {other} calls")),
    }
}

fn tags_of(value: &Value) -> Vec<Tag> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some(Tag::new(t["TagKey"].as_str()?, t["TagValue"].as_str()?)))
        .collect()
}
