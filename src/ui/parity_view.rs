//! The details panel's parity section: the family's rotation, its grants side by side per
//! Region (what each replica lacks or has beyond its primary, with a copy action), and each
//! key's imported material.

use egui::{RichText, Ui};

use super::command::Command;
use crate::domain::audit::PropsMap;
use crate::domain::key::format_utc;
use crate::domain::parity::{Grant, ON_DEMAND_ROTATION_LIMIT, can_rotate, expires_before_primary};
use crate::domain::{Family, KeyInfo, MrkId, Role};
use crate::jobs::Inventory;

/// Draws rotation, grants and material of family `id` (from what has been read).
pub fn show(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    family: &Family,
    props: &PropsMap,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let Some(primary) = family.described().find(|k| k.role() == Role::Primary) else {
        return;
    };
    rotation(ui, id, primary, props);
    grants(
        ui, inventory, id, family, primary, props, read_only, commands,
    );
    material(ui, family, primary);
}

fn rotation(ui: &mut Ui, id: &MrkId, primary: &KeyInfo, props: &PropsMap) {
    if !can_rotate(primary) {
        ui.label(
            RichText::new(
                "Rotation: not possible for this family (imported material, asymmetric or HMAC)",
            )
            .small(),
        );
        return;
    }
    let status = props
        .get(&(id.clone(), primary.region))
        .and_then(|p| p.rotation.as_ref());
    let Some(status) = status else {
        ui.label(RichText::new("Rotation: not read yet").small().weak());
        return;
    };
    let text = if status.enabled {
        format!(
            "Rotation: on, every {} days{}",
            status.period_days.unwrap_or(365),
            status
                .next_rotation
                .map(|t| format!(", next on {}", format_utc(t)))
                .unwrap_or_default()
        )
    } else {
        "Rotation: off (set on the primary, for every replica)".to_string()
    };
    let colour = if status.enabled {
        ui.visuals().text_color()
    } else {
        super::audit_panel::severity_colour(crate::domain::audit::Severity::Medium)
    };
    ui.label(RichText::new(text).small().color(colour));
    ui.label(
        RichText::new(format!(
            "{} past rotations; {} of {ON_DEMAND_ROTATION_LIMIT} on-demand rotations used (actions on the primary's menu)",
            status.rotations.len(),
            status.on_demand_used()
        ))
        .small()
        .weak(),
    );
}

/// Every distinct grant of the family (matched by what it grants), a row each, a column per
/// Region with a key: present, missing (with a copy action where the primary has it), or
/// only there.
#[allow(clippy::too_many_arguments)]
fn grants(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    family: &Family,
    primary: &KeyInfo,
    props: &PropsMap,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let keys: Vec<&KeyInfo> = std::iter::once(primary)
        .chain(family.described().filter(|k| k.role() == Role::Replica))
        .collect();
    let read: Vec<Option<&[Grant]>> = keys
        .iter()
        .map(|k| {
            props
                .get(&(id.clone(), k.region))
                .and_then(|p| p.grants.as_deref())
        })
        .collect();
    ui.label(
        RichText::new("Grants by Region (KMS never copies them)")
            .small()
            .strong(),
    );
    let mut rows: Vec<&Grant> = Vec::new();
    for g in read.iter().flatten().flat_map(|gs| gs.iter()) {
        if !rows.iter().any(|r| r.same_as(g)) {
            rows.push(g);
        }
    }
    if rows.is_empty() {
        let text = if read.iter().all(Option::is_some) {
            "No grants in any Region."
        } else {
            "Not read yet."
        };
        ui.label(RichText::new(text).small().weak());
        return;
    }
    let primary_grants = read[0].unwrap_or_default();
    // As wide as the family has Regions: scrolls sideways inside the panel, never widens it.
    egui::ScrollArea::horizontal()
        .id_salt(("grants-scroll", id.as_str()))
        .show(ui, |ui| {
            egui::Grid::new(("grants", id.as_str()))
                .striped(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("grant").small().strong());
                    for k in &keys {
                        let role = if k.role() == Role::Primary {
                            " (primary)"
                        } else {
                            ""
                        };
                        ui.label(
                            RichText::new(format!("{}{role}", k.region))
                                .small()
                                .strong(),
                        );
                    }
                    ui.end_row();
                    for g in rows {
                        // A column of its own width: long grants wrap instead of pushing the Regions
                        // out of sight.
                        ui.allocate_ui(egui::vec2(260.0, 0.0), |ui| {
                            ui.set_max_width(260.0);
                            ui.add(egui::Label::new(RichText::new(g.describe()).small()).wrap())
                        })
                        .inner
                        .on_hover_text(g.describe());
                        let on_primary = primary_grants.iter().any(|p| p.same_as(g));
                        for (k, grants) in keys.iter().zip(&read) {
                            let Some(grants) = grants else {
                                ui.label(RichText::new("not read").small().weak());
                                continue;
                            };
                            let here = grants.iter().any(|x| x.same_as(g));
                            grant_cell(
                                ui, inventory, id, k, g, here, on_primary, read_only, commands,
                            );
                        }
                        ui.end_row();
                    }
                });
        });
}

#[allow(clippy::too_many_arguments)]
fn grant_cell(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    key: &KeyInfo,
    grant: &Grant,
    here: bool,
    on_primary: bool,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let medium = super::audit_panel::severity_colour(crate::domain::audit::Severity::Medium);
    match (here, on_primary, key.role()) {
        (true, true, _) | (true, false, Role::Primary) => {
            ui.label(RichText::new("present").small());
        }
        (true, false, Role::Replica) => {
            ui.label(RichText::new("only here").small().color(medium))
                .on_hover_text(
                    "The primary has no such grant: this access exists only in this Region.",
                );
        }
        (false, true, _) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new("missing").small().color(medium));
                let copying = inventory
                    .grant_copy(id, key.region)
                    .is_some_and(|c| c.in_flight());
                let button = ui.add_enabled(
                    !read_only && !copying,
                    egui::Button::new(RichText::new(format!("Copy to {}…", key.region)).small()),
                );
                let button = button.on_disabled_hover_text(if read_only {
                    "Read-only mode: no call that changes a key is made."
                } else {
                    "A grant is being copied to this Region."
                });
                if button.clicked() {
                    commands.push(Command::ConfirmCopyGrant(
                        id.clone(),
                        key.region,
                        grant.clone(),
                    ));
                }
            });
        }
        (false, false, _) => {
            ui.label(RichText::new("·").small().weak());
        }
    }
}

fn material(ui: &mut Ui, family: &Family, primary: &KeyInfo) {
    if primary.origin != "EXTERNAL" {
        return;
    }
    ui.label(
        RichText::new("Imported material by Region")
            .small()
            .strong(),
    );
    for k in family.described() {
        let expiry = match (k.expiration_model.as_deref(), k.valid_to) {
            (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), _) => "does not expire".to_string(),
            (_, Some(t)) => format!("expires {}", format_utc(t)),
            _ => format!("{} (no material yet: import the primary's)", k.state),
        };
        let early = k.role() == Role::Replica && expires_before_primary(k, primary);
        let text = format!(
            "{}{}: {expiry}{}",
            k.region,
            if k.role() == Role::Primary {
                " (primary)"
            } else {
                ""
            },
            if early { ", before the primary's" } else { "" }
        );
        let rich = RichText::new(text).small();
        ui.label(if early {
            rich.color(super::audit_panel::severity_colour(
                crate::domain::audit::Severity::Low,
            ))
        } else {
            rich
        });
    }
}
