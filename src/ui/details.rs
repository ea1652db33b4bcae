//! The family details panel: every scanned Region's key with role, state, ARN and creation date,
//! the Replicate button, and what this session's replications reported (ReplicaPolicy,
//! ReplicaTags, adoption, PendingImport advice, alias errors).

use egui::{RichText, Ui};

use super::command::Command;
use super::grid::{key_menu, replicate_button};
use crate::domain::key::format_utc;
use crate::domain::lifecycle::{material_note, pending_note};
use crate::domain::{Cell, MrkId};
use crate::jobs::{Inventory, ReplicaPhase};

/// What the last audit says about the shown family.
pub struct AuditView<'a> {
    pub findings: Vec<&'a crate::domain::audit::Finding>,
    pub props: &'a crate::domain::audit::PropsMap,
}

/// Imported material expiring within this many days is flagged.
const EXPIRY_WARNING_DAYS: i64 = 30;

pub fn show(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    read_only: bool,
    audit: &AuditView<'_>,
    commands: &mut Vec<Command>,
) {
    let estate = inventory.estate();
    let Some(family) = estate.family(id) else {
        ui.label("This family is no longer in the scanned Regions.");
        return;
    };
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
    if replicate_button(ui, estate, id, read_only).clicked() {
        commands.push(Command::OpenReplicate(id.clone()));
    }
    if !audit.findings.is_empty() {
        ui.separator();
        ui.strong(format!("Findings ({})", audit.findings.len()));
        for f in &audit.findings {
            ui.label(
                RichText::new(format!("{}: {}", f.severity, f.message))
                    .small()
                    .color(super::audit_panel::severity_colour(f.severity)),
            );
        }
    }
    ui.separator();
    let now = crate::jobs::now_epoch();
    let primary_policy = family
        .described()
        .find(|k| k.role() == crate::domain::Role::Primary)
        .and_then(|p| audit.props.get(&(id.clone(), p.region)))
        .and_then(|p| p.policy.clone());
    egui::ScrollArea::vertical().show(ui, |ui| {
        for region in estate.regions() {
            let key = match estate.cell(id, *region) {
                Cell::Primary(k) | Cell::Replica(k) => k,
                _ => continue,
            };
            ui.strong(format!("{region} · {} · {}", key.role(), key.state));
            ui.horizontal(|ui| {
                ui.label(RichText::new(&key.arn).monospace().small());
                if ui.small_button("Copy ARN").clicked() {
                    ui.ctx().copy_text(key.arn.clone());
                }
            });
            if let Some(created) = key.created {
                ui.label(RichText::new(format!("Created {}", format_utc(created))).small());
            }
            if !key.description.is_empty() {
                ui.label(RichText::new(format!("Description: {}", key.description)).small());
            }
            if let Some(note) = pending_note(key, family) {
                ui.colored_label(ui.visuals().warn_fg_color, note);
            }
            if let Some((flagged, note)) = material_note(key, now, EXPIRY_WARNING_DAYS) {
                if flagged {
                    ui.colored_label(ui.visuals().warn_fg_color, note);
                } else {
                    ui.label(RichText::new(note).small());
                }
            }
            let props = audit.props.get(&(id.clone(), *region));
            let replica_policy = props.and_then(|p| p.policy.as_deref());
            if let Some(tags) = props.and_then(|p| p.tags.as_ref()) {
                let text: Vec<String> = tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect();
                ui.label(RichText::new(format!("Tags: {}", if text.is_empty() { "none".into() } else { text.join(", ") })).small());
            }
            let aliases = family.aliases_in(*region);
            if !aliases.is_empty() {
                ui.label(RichText::new(format!("Aliases: {}", aliases.join(", "))).small());
            }
            if let Some(policy) = replica_policy {
                ui.collapsing(format!("Key policy in {region}"), |ui| {
                    ui.label(RichText::new(policy).monospace().small());
                });
            }
            if key.role() == crate::domain::Role::Replica
                && let (Some(primary), Some(replica)) = (primary_policy.as_deref(), replica_policy)
                && crate::domain::policy_compare::compare(primary, replica)
                    .is_ok_and(|d| !d.is_empty())
            {
                ui.collapsing(format!("Policy in {region} differs from the primary's"), |ui| {
                    super::policy_editor::diff(ui, primary, replica);
                });
            }
            ui.menu_button(format!("Actions in {region}"), |ui| {
                key_menu(ui, inventory, id, *region, read_only, commands);
            });
            if let Some(job) = inventory.replica_job(id, *region) {
                if job.adopted {
                    ui.label("This replica already existed: the app adopted it instead of creating another.");
                }
                if job.gave_up {
                    ui.label("Still Creating when the watcher stopped following it; Refresh to check again.");
                }
                if let Some(e) = &job.alias_error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("The alias was not created: {e}"));
                }
                if let Some(policy) = &job.replica_policy {
                    ui.collapsing(format!("Policy KMS attached in {region}"), |ui| {
                        ui.label(RichText::new(policy).monospace().small());
                    });
                }
                if let Some(tags) = &job.replica_tags {
                    let text: Vec<String> = tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect();
                    ui.label(RichText::new(format!("Tags KMS attached: {}", text.join(", "))).small());
                }
                if let ReplicaPhase::Failed(p) = &job.phase {
                    ui.colored_label(ui.visuals().error_fg_color, format!("Replicate failed: {p}"));
                }
            }
            ui.add_space(6.0);
        }
        ui.separator();
        ui.strong("What this app did to the family in this session");
        let mut any = false;
        for entry in inventory.history_for(id) {
            any = true;
            let result = match &entry.result {
                Ok(text) => text.clone(),
                Err(p) => format!("failed: {p}"),
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
    });
}
