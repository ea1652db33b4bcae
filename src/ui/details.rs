//! The family details panel: every scanned Region's key with role, state, ARN and creation date,
//! the Replicate button, and what this session's replications reported (ReplicaPolicy,
//! ReplicaTags, adoption, PendingImport advice, alias errors).

use egui::{RichText, Ui};

use super::command::Command;
use super::grid::{key_menu, replicate_button};
use crate::domain::key::format_utc;
use crate::domain::lifecycle::{material_note, pending_note};
use crate::domain::{Cell, Family, KeyInfo, MrkId, Region, Role, Tag};
use crate::jobs::{CallOutcome, EstateView, ReplicaPhase};

/// What has been read about the shown family beyond its keys: the last audit's findings and
/// properties, and its CloudTrail trail.
pub struct AuditView<'a> {
    pub findings: Vec<&'a crate::domain::audit::Finding>,
    pub props: &'a crate::domain::audit::PropsMap,
    pub trail: TrailView<'a>,
    /// What time it is (the app's clock), for how long ago a key was used.
    pub now: i64,
    /// The family's last verification: `None` before one; `Some(None)` while it runs.
    pub verification: Option<Option<&'a Result<crate::jobs::Verification, crate::jobs::TaskError>>>,
}

/// Where the family's CloudTrail trail stands: read only when asked (LookupEvents' quota is
/// 2 per second per Region).
#[derive(Clone, Copy, Default)]
pub enum TrailView<'a> {
    #[default]
    NotRead,
    Reading,
    Read(&'a Result<crate::jobs::TrailRead, crate::jobs::TaskError>),
}

/// Imported material expiring within this many days is flagged.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// Draws the details of family `id`: its identity, the audit's findings about it, each
/// Region's key, and what this session did to it.
pub fn show(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    read_only: bool,
    audit: &AuditView<'_>,
    commands: &mut Vec<Command>,
) {
    let estate = estate_view.estate();
    let Some(family) = estate.family(id) else {
        ui.label("This family is no longer in the scanned Regions.");
        return;
    };
    header(ui, estate_view, id, family, read_only, commands);
    verification(ui, audit.verification);
    findings(ui, audit);
    ui.separator();
    let primary_policy = family
        .described()
        .find(|k| k.role() == Role::Primary)
        .and_then(|p| audit.props.get(&(id.clone(), p.region)))
        .and_then(|p| p.policy.clone());
    egui::ScrollArea::vertical().show(ui, |ui| {
        super::parity_view::show(
            ui,
            estate_view,
            id,
            family,
            audit.props,
            read_only,
            commands,
        );
        ui.separator();
        for region in estate.regions() {
            let key = match estate.cell(id, *region) {
                Cell::Primary(k) | Cell::Replica(k) => k,
                _ => continue,
            };
            let view = KeyView {
                id,
                family,
                key,
                primary_policy: primary_policy.as_deref(),
            };
            key_details(ui, &view, audit);
            usage_line(ui, estate_view, id, *region, audit.now);
            ui.menu_button(format!("Actions in {region}"), |ui| {
                key_menu(ui, estate_view, id, *region, read_only, commands);
            });
            replication_report(ui, estate_view, id, *region);
            ui.add_space(6.0);
        }
        ui.separator();
        session_trail(ui, estate_view, id);
        ui.separator();
        cloudtrail(ui, id, audit.trail, commands);
    });
}

/// What the last Verify replicas… proved: each Region's keys interoperating both ways, or the
/// error that stopped a leg.
fn verification(
    ui: &mut Ui,
    verification: Option<Option<&Result<crate::jobs::Verification, crate::jobs::TaskError>>>,
) {
    use crate::domain::verify::{LegOutcome, Verdict};
    let result = match verification {
        None => return,
        Some(None) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Verifying the replicas…");
            });
            return;
        }
        Some(Some(Err(why))) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Verify: {why}"));
            return;
        }
        Some(Some(Ok(result))) => result,
    };
    if let Some(why) = &result.unverifiable {
        ui.colored_label(ui.visuals().warn_fg_color, format!("Not verified: {why}"));
        return;
    }
    let (text, colour) = match result.verdict() {
        Verdict::AllInteroperate => (
            "Verified: every replica opens the primary's data key, and the primary each replica's",
            egui::Color32::from_rgb(0x66, 0xbb, 0x6a),
        ),
        Verdict::SomeDoNot => (
            "Verify: some keys do not interoperate",
            ui.visuals().error_fg_color,
        ),
        Verdict::CouldNotCheck => (
            "Verify: not every leg could be checked",
            ui.visuals().warn_fg_color,
        ),
    };
    ui.label(RichText::new(text).color(colour));
    // Words, not marks: egui's default fonts have no arrow or check mark.
    for leg in &result.legs {
        let outcome = match &leg.outcome {
            LegOutcome::Interoperates => "interoperates".to_string(),
            LegOutcome::Refused(why) => format!("refused: {why}"),
            LegOutcome::NotChecked(why) => format!("not checked: {why}"),
        };
        ui.label(RichText::new(format!("{} to {}: {outcome}", leg.from, leg.to)).small());
    }
}

/// Who changed or used the family's keys, from CloudTrail: a button until asked, then the
/// timeline newest first, each record this app made named as such.
fn cloudtrail(ui: &mut Ui, id: &MrkId, trail: TrailView<'_>, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.strong("Who changed or used it (CloudTrail)");
        let label = match trail {
            TrailView::NotRead => "Read the trail",
            _ => "Read again",
        };
        let reading = matches!(trail, TrailView::Reading);
        let asked = ui
            .add_enabled(!reading, egui::Button::new(label).small())
            .on_hover_text(format!(
                "LookupEvents by each key's ARN in its Region, the last {} days",
                crate::jobs::TRAIL_DAYS
            ));
        if asked.clicked() {
            commands.push(Command::ReadTrail(id.clone()));
        }
        if reading {
            ui.spinner();
        }
    });
    let read = match trail {
        TrailView::Read(Ok(read)) => read,
        TrailView::Read(Err(why)) => {
            ui.colored_label(ui.visuals().error_fg_color, why.to_string());
            return;
        }
        _ => return,
    };
    for (region, why) in &read.not_read {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{region}: not read — {why}"),
        );
    }
    if read.entries.is_empty() {
        ui.label(
            RichText::new("No record in the last 90 days.")
                .small()
                .weak(),
        );
    }
    for entry in &read.entries {
        let text = RichText::new(entry.line()).small();
        let text = if entry.event.error_code.is_some() {
            text.color(ui.visuals().warn_fg_color)
        } else {
            text
        };
        ui.label(text)
            .on_hover_text(format!("CloudTrail event {}", entry.event.event_id));
    }
}

fn header(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    family: &Family,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Key family");
        if ui.small_button("Close").clicked() {
            commands.push(Command::Select(None));
        }
    });
    ui.label(RichText::new(id.as_str()).monospace());
    if let Some(alias) = family.first_alias() {
        ui.label(alias);
    }
    if let Some(primary) = family.primary_region() {
        ui.label(format!("Primary Region: {primary}"));
    }
    if let Some(origin) = family.described().next().map(|k| k.origin.clone()) {
        ui.label(format!("Origin: {origin}"));
    }
    if replicate_button(ui, estate_view.estate(), id, read_only).clicked() {
        commands.push(Command::OpenReplicate(id.clone()));
    }
}

fn findings(ui: &mut Ui, audit: &AuditView<'_>) {
    if audit.findings.is_empty() {
        return;
    }
    ui.separator();
    ui.strong(format!("Findings ({})", audit.findings.len()));
    for f in &audit.findings {
        ui.label(
            RichText::new(format!("{}: {}", f.severity, f.message))
                .color(super::audit_panel::severity_colour(f.severity)),
        );
    }
}

/// One Region's key, with what is needed to show it beside its primary.
struct KeyView<'a> {
    id: &'a MrkId,
    family: &'a Family,
    key: &'a KeyInfo,
    primary_policy: Option<&'a str>,
}

/// Role, state, ARN, dates, pending deletion and imported material, tags, aliases, the policy
/// and how it differs from the primary's.
fn key_details(ui: &mut Ui, view: &KeyView<'_>, audit: &AuditView<'_>) {
    let (key, region) = (view.key, view.key.region);
    ui.horizontal(|ui| {
        ui.strong(format!("{region} · {} · {}", key.role(), key.state));
        // Beside the heading, always: never jumping between beside and below a long ARN.
        if ui.small_button("Copy ARN").clicked() {
            ui.ctx().copy_text(key.arn.clone());
        }
    });
    ui.add(egui::Label::new(RichText::new(&key.arn).monospace()).wrap());
    if let Some(created) = key.created {
        ui.label(RichText::new(format!("Created {}", format_utc(created))).small());
    }
    if !key.description.is_empty() {
        ui.label(RichText::new(format!("Description: {}", key.description)));
    }
    if let Some(note) = pending_note(key, view.family) {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if let Some((flagged, note)) = material_note(key, crate::jobs::now_epoch(), EXPIRY_WARNING_DAYS)
    {
        if flagged {
            ui.colored_label(ui.visuals().warn_fg_color, note);
        } else {
            ui.label(RichText::new(note));
        }
    }
    let props = audit.props.get(&(view.id.clone(), region));
    let policy = props.and_then(|p| p.policy.as_deref());
    if let Some(tags) = props.and_then(|p| p.tags.as_ref()) {
        let text = if tags.is_empty() {
            "none".to_string()
        } else {
            tag_list(tags)
        };
        ui.label(RichText::new(format!("Tags: {text}")));
    }
    let aliases = view.family.aliases_in(region);
    if !aliases.is_empty() {
        ui.label(RichText::new(format!("Aliases: {}", aliases.join(", "))));
    }
    if let Some(policy) = policy {
        ui.collapsing(format!("Key policy in {region}"), |ui| {
            ui.label(RichText::new(policy).monospace());
        });
    }
    if key.role() == Role::Replica
        && let (Some(primary), Some(replica)) = (view.primary_policy, policy)
        && crate::domain::policy_compare::compare(primary, replica).is_ok_and(|d| !d.is_empty())
    {
        ui.collapsing(
            format!("Policy in {region} differs from the primary's"),
            |ui| {
                super::policy_editor::diff(ui, primary, replica);
            },
        );
    }
}

/// What this session's replication to `region` reported: adoption, a watcher that gave up, an
/// alias error, the policy and tags KMS attached, a failure.
fn replication_report(ui: &mut Ui, estate_view: &dyn EstateView, id: &MrkId, region: Region) {
    let Some(job) = estate_view.replica_job(id, region) else {
        return;
    };
    if job.adopted {
        ui.label("This replica already existed: the app adopted it instead of creating another.");
    }
    if job.gave_up {
        ui.label("Still Creating when the watcher stopped following it; Refresh to check again.");
    }
    if let Some(e) = &job.alias_error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("The alias was not created: {e}"),
        );
    }
    if let Some(policy) = &job.replica_policy {
        ui.collapsing(format!("Policy KMS attached in {region}"), |ui| {
            ui.label(RichText::new(policy).monospace());
        });
    }
    if let Some(tags) = &job.replica_tags {
        ui.label(RichText::new(format!(
            "Tags KMS attached: {}",
            tag_list(tags)
        )));
    }
    if let ReplicaPhase::Failed(p) = &job.phase {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Replicate failed: {p}"),
        );
    }
}

/// The audit trail for the family: every call this app made, with its result (earlier runs'
/// too, from the journal, when history is kept).
fn session_trail(ui: &mut Ui, estate_view: &dyn EstateView, id: &MrkId) {
    ui.strong("What this app did to the family");
    let mut any = false;
    for entry in estate_view.actions_on(id) {
        any = true;
        let result = match &entry.outcome {
            CallOutcome::Done(text) => text.clone(),
            failed => failed.to_string(),
        };
        ui.label(
            RichText::new(format!(
                "{} {} in {}: {result}",
                format_utc(entry.at),
                entry.operation,
                entry.region
            ))
            .small(),
        );
    }
    if !any {
        ui.label(RichText::new("Nothing yet.").small().weak());
    }
}

fn tag_list(tags: &[Tag]) -> String {
    tags.iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key's last usage: what it did, when, under which CloudTrail event; or which "no use"
/// answer KMS gave; or why it could not be read.
pub(super) fn usage_line(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    region: Region,
    now: i64,
) {
    let text = match estate_view.key_usage(id, region) {
        Some(crate::jobs::UsageCell::Read(usage)) => RichText::new(usage.sentence(now))
            .small()
            .color(super::grid::usage_colour(usage.age(now))),
        Some(crate::jobs::UsageCell::Failed(why)) => RichText::new(format!("Last usage: {why}"))
            .small()
            .color(ui.visuals().warn_fg_color),
        None if estate_view.usage_pending(id, region) => {
            RichText::new("Reading its last usage…").small().weak()
        }
        None => return,
    };
    ui.label(text);
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::domain::Estate;
    use crate::domain::audit::PropsMap;
    use crate::ui::literal_estate::{family_id, one_family};

    /// The details panel of the literal family, drawn from its estate alone.
    fn details(estate: Estate, read_only: bool) -> Harness<'static, Vec<Command>> {
        let props = PropsMap::default();
        Harness::new_ui_state(
            move |ui, commands: &mut Vec<Command>| {
                let audit = AuditView {
                    findings: Vec::new(),
                    props: &props,
                    trail: TrailView::NotRead,
                    now: 0,
                    verification: None,
                };
                show(ui, &estate, &family_id(), read_only, &audit, commands);
            },
            Vec::new(),
        )
    }

    #[test]
    fn a_familys_details_name_its_primary_and_each_regions_key() {
        let harness = details(one_family(), false);
        harness.get_by_label("Primary Region: us-east-1");
        harness.get_by_label("alias/payments");
        harness.get_by_label("us-east-1 · Primary · Enabled");
        harness.get_by_label("eu-west-1 · Replica · Enabled");
    }

    #[test]
    fn replicate_in_the_details_asks_for_the_familys_dialog() {
        let mut harness = details(one_family(), false);
        harness.get_by_label("Replicate…").click();
        harness.run();
        assert_eq!(harness.state(), &vec![Command::OpenReplicate(family_id())]);
    }

    #[test]
    fn in_read_only_mode_replicate_is_disabled_in_the_details() {
        let mut harness = details(one_family(), true);
        let button = harness.get_by_label("Replicate…");
        assert!(button.accesskit_node().is_disabled());
        button.click();
        harness.run();
        assert!(harness.state().is_empty());
    }
}
