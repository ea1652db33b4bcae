//! The audit: coverage against a baseline, drift of what KMS does not synchronise between a
//! primary and its replicas, and states that need attention — each a finding with a severity and
//! a sentence a person can act on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use super::baseline::Baseline;
use super::estate::{Estate, Family, RegionStatus};
use super::key::{KeyInfo, KeyState, MrkId, Role, format_utc};
use super::lifecycle::{material_note, pending_note};
use super::policy_compare::grants;
use super::region::Region;
use super::tags::Tag;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        })
    }
}

/// What kind of finding, for filtering and for the report's stable schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    MissingRequiredRegion,
    RegionNotAllowed,
    NoReplicas,
    PolicyDrift,
    DefaultPolicyReplica,
    TagDrift,
    DescriptionDrift,
    AliasDrift,
    DisabledReplica,
    PendingDeletion,
    PendingReplicaDeletion,
    PendingImport,
    MaterialExpiry,
    RegionUnreadable,
    /// Listed in a Region but DescribeKey failed: nothing about the key was checked.
    KeyUnreadable,
    /// A key policy that lets anyone (`Principal *`, or an Allow with `NotPrincipal`) use the key.
    PublicAccess,
    /// A replica lacks a grant its primary has: that grantee cannot use it after a fail-over.
    GrantMissing,
    /// A replica has a grant its primary does not: access that exists only in that Region.
    GrantExtra,
    /// Automatic rotation is off for a family whose keys can rotate (Security Hub KMS.4).
    RotationDisabled,
    /// A replica's imported material expires before its primary's.
    MaterialExpiresBeforePrimary,
    /// A replica lacks a key material its primary holds (high when it is the current one).
    ReplicaMaterialMissing,
    /// The primary's new material waits for its replicas before it can be rotated in.
    RotationWaitingOnReplicas,
    /// A replica with no successful use for the audit's `--unused-days` (GetKeyLastUsage).
    ReplicaUnused,
    /// A primary with no successful use for as long.
    PrimaryUnused,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    /// `None` for a finding about a whole Region.
    pub key_id: Option<MrkId>,
    pub region: Option<Region>,
    pub message: String,
    /// What makes this finding itself among others of its kind on the same key and Region
    /// (the grant, the policy statements, the aliases); empty where there is only ever one.
    /// The history follows a finding by it, so two grants never merge into one finding.
    #[serde(skip)]
    pub subject: String,
}

/// The formats an audit report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Markdown,
    Html,
    /// AWS Security Finding Format records, for Security Hub.
    Asff,
    /// OCSF Detection Findings (class 2004).
    Ocsf,
}

/// The per-key properties the audit fetches: policy, tags and grants of every key, and the
/// rotation of each family's primary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyProps {
    pub policy: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub grants: Option<Vec<super::parity::Grant>>,
    /// Read on primaries that can rotate only (every replica reports the same).
    pub rotation: Option<super::parity::RotationStatus>,
    /// Every key material (ListKeyRotations, ALL_KEY_MATERIAL), read on keys with imported
    /// symmetric material only: each key holds its own.
    pub materials: Option<Vec<super::material::KeyMaterial>>,
}

pub type PropsMap = HashMap<(MrkId, Region), KeyProps>;

impl FindingKind {
    /// The kind as the report's JSON names it (`missing-required-region`): one spelling for the
    /// reports, the history's fingerprints and ASFF.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Audit settings besides the baseline.
#[derive(Debug, Clone, Copy)]
pub struct AuditOptions {
    /// Imported material expiring within this many days is a finding.
    pub expiry_days: i64,
    /// Seconds since the Unix epoch.
    pub now: i64,
    /// Read each key's last usage (GetKeyLastUsage) and name keys with no successful use for
    /// this many days (`audit --usage`); `None` reads none.
    pub unused_days: Option<i64>,
    /// Name who last changed each drifted key, from CloudTrail (`audit --provenance`).
    pub provenance: bool,
}

/// Every finding for the estate.
pub fn audit(
    estate: &Estate,
    props: &PropsMap,
    baseline: &Baseline,
    options: AuditOptions,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for region in estate.regions() {
        if let RegionStatus::Failed(problem) = estate.status(*region) {
            findings.push(Finding {
                severity: Severity::High,
                kind: FindingKind::RegionUnreadable,
                key_id: None,
                region: Some(*region),
                message: format!(
                    "{region} could not be read ({problem}): its keys are not audited."
                ),
                subject: String::new(),
            });
        }
    }
    for (id, family) in estate.families() {
        let ctx = FamilyContext::new(id, family, props);
        unreadable_findings(&ctx, &mut findings);
        coverage_findings(&ctx, baseline, &mut findings);
        state_findings(&ctx, options, &mut findings);
        exposure_findings(&ctx, &mut findings);
        drift_findings::drift(&ctx, &mut findings);
        parity_findings::grants(&ctx, &mut findings);
        parity_findings::rotation(&ctx, &mut findings);
        parity_findings::material(&ctx, &mut findings);
        parity_findings::materials_held(&ctx, &mut findings);
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.key_id.cmp(&b.key_id))
            .then_with(|| a.region.cmp(&b.region))
    });
    findings
}

/// A key, or a whole Region, the audit could not look at. Never to be read as "nothing found":
/// the headless audit exits 2 when there is one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotAudited {
    /// `None` when a whole Region could not be read.
    pub key_id: Option<MrkId>,
    pub region: Region,
    pub reason: String,
}

impl fmt::Display for NotAudited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key_id {
            Some(id) => write!(f, "{id} in {}: {}", self.region, self.reason),
            None => write!(f, "{}: {}", self.region, self.reason),
        }
    }
}

/// What the audit could not look at: Regions that could not be read, keys that could not be
/// described, keys whose policy and tags were needed (`needed`) but not read (`problems` says
/// why, when known), and replicas whose primary was never read, so their drift was not compared.
pub fn not_audited(
    estate: &Estate,
    needed: &[(MrkId, Region)],
    props: &PropsMap,
    problems: &HashMap<(MrkId, Region), String>,
) -> Vec<NotAudited> {
    let mut out = Vec::new();
    for region in estate.regions() {
        if let RegionStatus::Failed(problem) = estate.status(*region) {
            out.push(NotAudited {
                key_id: None,
                region: *region,
                reason: format!("the Region could not be read ({problem})"),
            });
        }
    }
    for (id, family) in estate.families() {
        for (region, problem) in family.unreadable() {
            if matches!(estate.status(region), RegionStatus::Failed(_)) {
                continue;
            }
            out.push(NotAudited {
                key_id: Some(id.clone()),
                region,
                reason: format!("the key could not be described ({problem})"),
            });
        }
        let has_primary = family.described().any(|k| k.role() == Role::Primary);
        if !has_primary {
            let primary_at = family
                .primary_region()
                .unwrap_or_else(|| "an unknown Region".into());
            for replica in family.described() {
                out.push(NotAudited {
                    key_id: Some(id.clone()),
                    region: replica.region,
                    reason: format!(
                        "its primary (in {primary_at}) was not read, so its drift was not compared"
                    ),
                });
            }
        }
    }
    for slot in needed {
        if props.contains_key(slot) {
            continue;
        }
        let why = problems
            .get(slot)
            .cloned()
            .unwrap_or_else(|| "not read".into());
        out.push(NotAudited {
            key_id: Some(slot.0.clone()),
            region: slot.1,
            reason: format!("what the audit compares of it could not all be read ({why})"),
        });
    }
    out.sort_by(|a, b| {
        a.key_id
            .cmp(&b.key_id)
            .then_with(|| a.region.cmp(&b.region))
    });
    out.dedup();
    out
}

fn push(
    out: &mut Vec<Finding>,
    severity: Severity,
    kind: FindingKind,
    id: &MrkId,
    region: Option<Region>,
    message: String,
) {
    push_about(out, severity, kind, id, region, message, String::new());
}

/// `push` for a kind that can be raised more than once on one key and Region: `subject` says
/// which one this is.
fn push_about(
    out: &mut Vec<Finding>,
    severity: Severity,
    kind: FindingKind,
    id: &MrkId,
    region: Option<Region>,
    message: String,
    subject: String,
) {
    out.push(Finding {
        severity,
        kind,
        key_id: Some(id.clone()),
        region,
        message,
        subject,
    });
}

#[path = "audit_parity.rs"]
mod parity_findings;

#[path = "audit_drift.rs"]
mod drift_findings;

/// One family as every section of the audit reads it.
struct FamilyContext<'a> {
    id: &'a MrkId,
    family: &'a Family,
    props: &'a PropsMap,
    keys: Vec<&'a KeyInfo>,
    primary: Option<&'a KeyInfo>,
    primary_props: Option<&'a KeyProps>,
    /// `key ID (alias)`, how messages name the family.
    label: String,
}

impl<'a> FamilyContext<'a> {
    fn new(id: &'a MrkId, family: &'a Family, props: &'a PropsMap) -> FamilyContext<'a> {
        let keys: Vec<&KeyInfo> = family.described().collect();
        let primary = keys.iter().copied().find(|k| k.role() == Role::Primary);
        FamilyContext {
            id,
            family,
            props,
            primary,
            primary_props: primary.and_then(|p| props.get(&(id.clone(), p.region))),
            label: family
                .first_alias()
                .map(|a| format!("{id} ({a})"))
                .unwrap_or_else(|| id.to_string()),
            keys,
        }
    }

    fn props_of(&self, region: Region) -> Option<&'a KeyProps> {
        self.props.get(&(self.id.clone(), region))
    }

    /// Every Region that holds a key of the family, by the scan (described or not) or by any
    /// described key's multi-Region configuration (which names Regions outside the scan too),
    /// with the role when known.
    fn present(&self) -> BTreeMap<String, Option<Role>> {
        let mut present: BTreeMap<String, Option<Role>> = BTreeMap::new();
        for region in self.family.listed_regions() {
            present.insert(region.name().to_string(), None);
        }
        for k in &self.keys {
            if let Some(c) = &k.multi_region {
                for r in &c.replicas {
                    present.insert(r.region.clone(), Some(Role::Replica));
                }
                if let Some(p) = &c.primary {
                    present.insert(p.region.clone(), Some(Role::Primary));
                }
            }
        }
        for k in &self.keys {
            present.insert(k.region.name().to_string(), Some(k.role()));
        }
        present
    }
}

/// Keys listed but not described: each a high finding, since nothing about them was checked.
fn unreadable_findings(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    for (region, problem) in ctx.family.unreadable() {
        push(
            out,
            Severity::High,
            FindingKind::KeyUnreadable,
            ctx.id,
            Some(region),
            format!(
                "The key {} in {region} could not be described ({problem}): it is not audited.",
                ctx.label
            ),
        );
    }
}

fn coverage_findings(ctx: &FamilyContext<'_>, baseline: &Baseline, out: &mut Vec<Finding>) {
    let (id, label) = (ctx.id, &ctx.label);
    let present = ctx.present();
    // With no key described, the family's Regions are unknown: it is reported as not audited,
    // never as missing everywhere.
    if !ctx.keys.is_empty() {
        let mut required: BTreeSet<Region> = baseline.require_regions.iter().copied().collect();
        for rule in &baseline.rules {
            if rule.matches(
                ctx.family,
                ctx.primary_props.and_then(|p| p.tags.as_deref()),
            ) {
                required.extend(rule.require_regions.iter().copied());
            }
        }
        for region in required {
            if !present.contains_key(region.name()) {
                push(
                    out,
                    Severity::High,
                    FindingKind::MissingRequiredRegion,
                    id,
                    Some(region),
                    format!(
                        "{label} has no key in {region}, a required Region: replicate it there."
                    ),
                );
            }
        }
    }
    for (name, role) in &present {
        let Ok(region) = name.parse::<Region>() else {
            continue;
        };
        if !baseline.allows(region) {
            let what = match role {
                Some(role) => role.to_string().to_lowercase(),
                None => "key".into(),
            };
            push(
                out,
                Severity::High,
                FindingKind::RegionNotAllowed,
                id,
                Some(region),
                format!(
                    "{label} has a {what} in {region}, which is not an allowed Region: schedule its deletion or allow the Region."
                ),
            );
        }
    }
    if present.len() <= 1 && !ctx.keys.is_empty() {
        push(
            out,
            Severity::Low,
            FindingKind::NoReplicas,
            id,
            ctx.primary.map(|p| p.region),
            format!(
                "{label} is a multi-Region key with no replicas: replicate it, or use a single-Region key."
            ),
        );
    }
}

fn state_findings(ctx: &FamilyContext<'_>, options: AuditOptions, out: &mut Vec<Finding>) {
    let (id, label) = (ctx.id, &ctx.label);
    for k in &ctx.keys {
        match k.state {
            KeyState::PendingDeletion => push(
                out,
                Severity::High,
                FindingKind::PendingDeletion,
                id,
                Some(k.region),
                format!(
                    "The {} of {label} in {} is pending deletion ({}): cancel the deletion if it is still needed.",
                    k.role().to_string().to_lowercase(),
                    k.region,
                    pending_note(k, ctx.family).unwrap_or_default()
                ),
            ),
            KeyState::PendingReplicaDeletion => push(
                out,
                Severity::Medium,
                FindingKind::PendingReplicaDeletion,
                id,
                Some(k.region),
                format!(
                    "The primary of {label} in {} is scheduled for deletion and {}: it is deleted only after them.",
                    k.region,
                    pending_note(k, ctx.family).unwrap_or_default()
                ),
            ),
            _ => {}
        }
        if let Some((true, note)) = material_note(k, options.now, options.expiry_days) {
            let (severity, kind) = if k.state == KeyState::PendingImport {
                (Severity::Medium, FindingKind::PendingImport)
            } else if note.contains("expired") {
                (Severity::High, FindingKind::MaterialExpiry)
            } else {
                (Severity::Medium, FindingKind::MaterialExpiry)
            };
            push(
                out,
                severity,
                kind,
                id,
                Some(k.region),
                format!("{label} in {}: {note}.", k.region),
            );
        }
    }
}

/// Each key's own policy, judged on its own whatever the primary's says: a grant open to anyone
/// is high on a primary and a replica alike.
fn exposure_findings(ctx: &FamilyContext<'_>, out: &mut Vec<Finding>) {
    for k in &ctx.keys {
        let Some(policy) = ctx.props_of(k.region).and_then(|p| p.policy.as_deref()) else {
            continue;
        };
        let Ok(grants) = grants(policy) else {
            continue;
        };
        let open: Vec<String> = grants
            .iter()
            .filter(|g| g.is_open_to_anyone())
            .map(ToString::to_string)
            .collect();
        if !open.is_empty() {
            push(
                out,
                Severity::High,
                FindingKind::PublicAccess,
                ctx.id,
                Some(k.region),
                format!(
                    "The key policy of the {} of {} in {} lets anyone use the key: {}. Limit it to named principals or add a condition on the caller's account or organization.",
                    k.role().to_string().to_lowercase(),
                    ctx.label,
                    k.region,
                    open.join("; ")
                ),
            );
        }
    }
}

/// The highest severity among `findings`, for `--fail-on`.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

/// Human date for a report header.
pub fn report_time(now: i64) -> String {
    format_utc(now)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
