//! The replicate draft: what the user chose for each ReplicateKey field, its validation, the
//! requests it becomes, and every way it differs from what the KMS console would have done.
//!
//! Why this matters: ReplicateKey's defaults are not the console's. An omitted Policy gives the
//! default key policy (account root, `kms:*`), omitted Tags give none, an omitted Description an
//! empty one — while the console copies the primary's. Teams ship replicas on the default policy
//! without noticing; the draft makes every such difference explicit before the call.

use std::collections::BTreeSet;

use super::estate::{Estate, KeyEntry};
use super::key::{KeyState, MrkId, Role};
use super::policy::{PolicyError, validate_policy};
use super::policy_compare::is_default_policy;
use super::problem::{Problem, ProblemKind};
use super::region::Region;
use super::tags::{Tag, TagCheck, check_tags};

pub const MAX_DESCRIPTION_CHARS: usize = 8_192;

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Omit the field: ReplicateKey's own default.
    ApiDefault,
    /// The primary's current value: what the KMS console does.
    CopyFromPrimary,
    /// What the user typed.
    Custom,
}

/// The primary's properties that the console would copy. `None` while still being fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrimaryProps {
    pub description: String,
    pub policy: Option<String>,
    pub tags: Option<Vec<Tag>>,
    /// The alias the console would offer (the primary's first alias).
    pub alias: Option<String>,
}

/// Whether a Region can receive a replica of the family.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetStatus {
    Available,
    /// The primary's own Region.
    PrimaryRegion,
    /// A related key is there already (its state, when the scan saw it).
    HoldsKey {
        role: Role,
        state: Option<KeyState>,
    },
    /// A replica is there, waiting to be deleted: cancel its deletion instead.
    PendingDeletion,
    /// An opt-in Region the account has not enabled.
    NotEnabled,
    /// The Region could not be scanned; a replica that exists there would be adopted.
    Unreadable(Problem),
}

impl TargetStatus {
    pub fn selectable(&self) -> bool {
        matches!(self, TargetStatus::Available | TargetStatus::Unreadable(_))
    }

    /// Why a Region cannot be chosen, in words.
    pub fn reason(&self) -> Option<String> {
        match self {
            TargetStatus::Available => None,
            TargetStatus::PrimaryRegion => Some("the primary's own Region".into()),
            TargetStatus::HoldsKey { role, state } => Some(match state {
                Some(s) => format!(
                    "holds the {} already ({s})",
                    role.to_string().to_lowercase()
                ),
                None => format!(
                    "holds the {} already (named by the family's configuration)",
                    role.to_string().to_lowercase()
                ),
            }),
            TargetStatus::PendingDeletion => {
                Some("a replica there is pending deletion: cancel its deletion instead".into())
            }
            TargetStatus::NotEnabled => Some("opt-in Region not enabled for this account".into()),
            TargetStatus::Unreadable(p) => Some(format!(
                "could not be scanned ({}); an existing replica there would be adopted",
                p.kind.label()
            )),
        }
    }
}

/// Where `id` could be replicated to, judged from what the scan knows about `region`.
pub fn target_status(estate: &Estate, id: &MrkId, primary: Region, region: Region) -> TargetStatus {
    if region == primary {
        return TargetStatus::PrimaryRegion;
    }
    let family = estate.family(id);
    match family.and_then(|f| f.entry(region)) {
        Some(KeyEntry::Described(info)) => {
            return if info.state == KeyState::PendingDeletion {
                TargetStatus::PendingDeletion
            } else {
                TargetStatus::HoldsKey {
                    role: info.role(),
                    state: Some(info.state.clone()),
                }
            };
        }
        Some(KeyEntry::Failed { problem, .. }) => return TargetStatus::Unreadable(problem.clone()),
        None => {}
    }
    if let Some((role, _)) = family.and_then(|f| f.reported_in(region)) {
        return TargetStatus::HoldsKey { role, state: None };
    }
    match estate.status(region) {
        super::estate::RegionStatus::Failed(p) if p.kind == ProblemKind::RegionNotEnabled => {
            TargetStatus::NotEnabled
        }
        super::estate::RegionStatus::Failed(p) => TargetStatus::Unreadable(p.clone()),
        _ => TargetStatus::Available,
    }
}

/// One field of the dialog whose value differs from what the console would have used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Policy,
    Description,
    Tags,
    Alias,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub field: Field,
    pub text: String,
}

/// Why the draft cannot be sent yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftProblem {
    #[error("choose at least one target Region")]
    NoTarget,
    #[error("{0} cannot receive a replica: {1}")]
    BadTarget(Region, String),
    #[error("the primary's {0} is still being fetched")]
    StillLoading(&'static str),
    #[error("policy: {0}")]
    Policy(PolicyError),
    #[error("tags: fix the marked rows")]
    Tags,
    #[error("tags: at most 50")]
    TooManyTags,
    #[error("description: {0} characters; at most 8,192")]
    DescriptionTooLong(usize),
    #[error("alias: {0}")]
    Alias(AliasNameError),
}

/// One ReplicateKey call (and the alias to create afterwards), exactly as it will be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicateRequest {
    pub key_id: MrkId,
    pub primary_region: Region,
    pub target: Region,
    pub policy: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub bypass_lockout: bool,
    pub alias: Option<String>,
}

impl ReplicateRequest {
    /// The calls this request makes, in words, for the confirmation step.
    pub fn describe_calls(&self) -> Vec<String> {
        let policy = match &self.policy {
            None => "omitted (KMS attaches the default key policy)".to_string(),
            Some(p) => format!("{} bytes", p.len()),
        };
        let description = match &self.description {
            None => "omitted (empty)".to_string(),
            Some(d) => format!("\"{}\"", truncate(d, 40)),
        };
        let tags = match &self.tags {
            None => "omitted (no tags)".to_string(),
            Some(t) => format!("{} tags", t.len()),
        };
        let mut calls = vec![format!(
            "ReplicateKey in {}: KeyId={}, ReplicaRegion={}, Policy={policy}, Description={description}, Tags={tags}{}",
            self.primary_region,
            self.key_id,
            self.target,
            if self.bypass_lockout {
                ", BypassPolicyLockoutSafetyCheck=true"
            } else {
                ""
            }
        )];
        if let Some(alias) = &self.alias {
            calls.push(format!(
                "CreateAlias in {} once the replica is usable: AliasName={alias}",
                self.target
            ));
        }
        calls
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// The dialog's state: one choice per field and the custom values behind them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub key_id: MrkId,
    pub primary_region: Region,
    pub targets: BTreeSet<Region>,
    pub description: Source,
    pub custom_description: String,
    pub policy: Source,
    pub custom_policy: String,
    pub tags: Source,
    pub custom_tags: Vec<Tag>,
    pub bypass_lockout: bool,
    pub create_alias: bool,
    pub alias_name: String,
}

impl Draft {
    /// A draft that starts from the API's defaults (so every difference from the console is
    /// flagged at once), with the custom fields pre-filled from the primary for editing.
    pub fn new(key_id: MrkId, primary_region: Region, props: &PrimaryProps) -> Draft {
        Draft {
            key_id,
            primary_region,
            targets: BTreeSet::new(),
            description: Source::ApiDefault,
            custom_description: props.description.clone(),
            policy: Source::ApiDefault,
            custom_policy: props.policy.clone().unwrap_or_default(),
            tags: Source::ApiDefault,
            custom_tags: props.tags.clone().unwrap_or_default(),
            bypass_lockout: false,
            create_alias: false,
            alias_name: props.alias.clone().unwrap_or_else(|| "alias/".into()),
        }
    }

    /// Fills custom fields that were empty because the primary's values had not arrived yet.
    pub fn fill_from(&mut self, props: &PrimaryProps) {
        if self.custom_policy.is_empty()
            && let Some(p) = &props.policy
        {
            self.custom_policy = p.clone();
        }
        if self.custom_tags.is_empty()
            && let Some(t) = &props.tags
        {
            self.custom_tags = t.clone();
        }
    }

    /// The Policy parameter to send: `Ok(None)` omits it.
    fn policy_value(&self, props: &PrimaryProps) -> Result<Option<String>, DraftProblem> {
        match self.policy {
            Source::ApiDefault => Ok(None),
            Source::CopyFromPrimary => props
                .policy
                .clone()
                .map(Some)
                .ok_or(DraftProblem::StillLoading("key policy")),
            Source::Custom => Ok(Some(self.custom_policy.clone())),
        }
    }

    fn description_value(&self, props: &PrimaryProps) -> Option<String> {
        match self.description {
            Source::ApiDefault => None,
            Source::CopyFromPrimary => Some(props.description.clone()),
            Source::Custom => Some(self.custom_description.clone()),
        }
    }

    fn tags_value(&self, props: &PrimaryProps) -> Result<Option<Vec<Tag>>, DraftProblem> {
        match self.tags {
            Source::ApiDefault => Ok(None),
            Source::CopyFromPrimary => props
                .tags
                .clone()
                .map(Some)
                .ok_or(DraftProblem::StillLoading("tags")),
            Source::Custom => Ok(Some(self.custom_tags.clone())),
        }
    }

    /// The custom policy's validation, for the editor (whatever the chosen source).
    pub fn custom_policy_check(&self) -> Result<(), PolicyError> {
        validate_policy(&self.custom_policy).map(|_| ())
    }

    /// The custom tags' validation, row by row, for the editor.
    pub fn custom_tag_check(&self) -> TagCheck {
        check_tags(&self.custom_tags)
    }

    /// Everything that stops the draft from being sent, given each target's status.
    pub fn problems(
        &self,
        props: &PrimaryProps,
        status: impl Fn(Region) -> TargetStatus,
    ) -> Vec<DraftProblem> {
        let mut problems = Vec::new();
        if self.targets.is_empty() {
            problems.push(DraftProblem::NoTarget);
        }
        for target in &self.targets {
            let s = status(*target);
            if !s.selectable() {
                problems.push(DraftProblem::BadTarget(
                    *target,
                    s.reason().unwrap_or_default(),
                ));
            }
        }
        match self.policy_value(props) {
            Ok(Some(policy)) => {
                if let Err(e) = validate_policy(&policy) {
                    problems.push(DraftProblem::Policy(e));
                }
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        match self.tags_value(props) {
            Ok(Some(tags)) => {
                let check = check_tags(&tags);
                if check.too_many {
                    problems.push(DraftProblem::TooManyTags);
                }
                if check.rows.iter().any(Option::is_some) {
                    problems.push(DraftProblem::Tags);
                }
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
        if let Some(d) = self.description_value(props) {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION_CHARS {
                problems.push(DraftProblem::DescriptionTooLong(n));
            }
        }
        if self.create_alias
            && let Err(e) = check_alias_name(&self.alias_name)
        {
            problems.push(DraftProblem::Alias(e));
        }
        problems
    }

    /// Every field whose effective value differs from what the console would use, in words.
    pub fn differences(&self, props: &PrimaryProps) -> Vec<Difference> {
        let mut out = Vec::new();
        let primary_policy = props.policy.as_deref();
        let primary_is_default = primary_policy.is_some_and(is_default_policy);
        match self.policy {
            Source::ApiDefault if !primary_is_default => out.push(Difference {
                field: Field::Policy,
                text: "the API will attach the default key policy (the account root gets kms:*); \
                       the console would copy the primary's policy"
                    .into(),
            }),
            Source::Custom if !same_json(Some(&self.custom_policy), primary_policy) => {
                out.push(Difference {
                    field: Field::Policy,
                    text: "this custom policy differs from the primary's, which the console would copy"
                        .into(),
                })
            }
            _ => {}
        }
        match self.description {
            Source::ApiDefault if !props.description.is_empty() => out.push(Difference {
                field: Field::Description,
                text: format!(
                    "the API will leave the description empty; the console would copy the primary's (\"{}\")",
                    truncate(&props.description, 60)
                ),
            }),
            Source::Custom if self.custom_description != props.description => {
                out.push(Difference {
                    field: Field::Description,
                    text: "this description differs from the primary's, which the console would copy"
                        .into(),
                })
            }
            _ => {}
        }
        let primary_tags = props.tags.as_deref();
        match self.tags {
            Source::ApiDefault if primary_tags.is_none_or(|t| !t.is_empty()) => {
                out.push(Difference {
                    field: Field::Tags,
                    text: match primary_tags {
                        Some(t) => format!(
                            "the API will create the replica without tags; the console would copy the primary's {} tags",
                            t.len()
                        ),
                        None => "the API will create the replica without tags; the console would copy the primary's tags".into(),
                    },
                })
            }
            Source::Custom if !same_tags(&self.custom_tags, primary_tags) => out.push(Difference {
                field: Field::Tags,
                text: "these tags differ from the primary's, which the console would copy".into(),
            }),
            _ => {}
        }
        if !self.create_alias
            && let Some(alias) = &props.alias
        {
            out.push(Difference {
                field: Field::Alias,
                text: format!(
                    "no alias will be created (the API has none); the console would create {alias} for the replica"
                ),
            });
        }
        out
    }

    /// The calls to make, one per target Region, or why they cannot be made yet.
    pub fn requests(
        &self,
        props: &PrimaryProps,
        status: impl Fn(Region) -> TargetStatus,
    ) -> Result<Vec<ReplicateRequest>, Vec<DraftProblem>> {
        let problems = self.problems(props, status);
        if !problems.is_empty() {
            return Err(problems);
        }
        let policy = self.policy_value(props).map_err(|p| vec![p])?;
        let tags = self.tags_value(props).map_err(|p| vec![p])?;
        let description = self.description_value(props);
        Ok(self
            .targets
            .iter()
            .map(|target| ReplicateRequest {
                key_id: self.key_id.clone(),
                primary_region: self.primary_region,
                target: *target,
                policy: policy.clone(),
                description: description.clone(),
                tags: tags.clone(),
                bypass_lockout: self.bypass_lockout,
                alias: self.create_alias.then(|| self.alias_name.clone()),
            })
            .collect())
    }
}

fn same_json(a: Option<&str>, b: Option<&str>) -> bool {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn same_tags(a: &[Tag], b: Option<&[Tag]>) -> bool {
    let set = |t: &[Tag]| t.iter().cloned().collect::<BTreeSet<_>>();
    b.is_some_and(|b| set(a) == set(b))
}

/// KMS alias names: `alias/` then letters, digits, `/`, `_`, `-`; never `alias/aws/`.
/// Why a name cannot be an alias (CreateAlias's rules).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AliasNameError {
    #[error("must start with alias/")]
    NoPrefix,
    #[error("needs a name after alias/")]
    NoName,
    #[error("alias/aws/ is reserved for AWS managed keys")]
    Reserved,
    #[error("at most 256 characters")]
    TooLong,
    #[error("'{0}' is not allowed (letters, digits, / _ - only)")]
    Character(char),
}

pub fn check_alias_name(name: &str) -> Result<(), AliasNameError> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err(AliasNameError::NoPrefix);
    };
    if rest.is_empty() {
        return Err(AliasNameError::NoName);
    }
    if rest.starts_with("aws/") {
        return Err(AliasNameError::Reserved);
    }
    if name.len() > 256 {
        return Err(AliasNameError::TooLong);
    }
    if let Some(c) = rest
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')))
    {
        return Err(AliasNameError::Character(c));
    }
    Ok(())
}

#[cfg(test)]
#[path = "replicate_tests.rs"]
mod tests;

/// Why a family cannot be replicated from here, if it cannot: read-only mode, a primary whose
/// Region is not scanned, or a primary that is not Enabled (KMS replicates only those).
pub fn replicate_blocker(estate: &Estate, id: &MrkId, read_only: bool) -> Option<String> {
    if read_only {
        return Some("Read-only mode: no call that changes a key is made.".into());
    }
    let family = estate.family(id)?;
    let primary = family.described().find(|k| k.role() == Role::Primary);
    match primary {
        None => Some(
            "The primary's Region is not scanned: add it with Regions… to replicate from it."
                .into(),
        ),
        Some(k) if k.state != KeyState::Enabled => Some(format!(
            "The primary is {}: KMS replicates only an Enabled primary.",
            k.state
        )),
        Some(_) => None,
    }
}
