//! A family's row label (key ID, alias, spec, rotation) and the menus a row and a key offer.

use egui::{RichText, Ui};

use super::*;

/// "Replicate…", enabled only when the family can be replicated; the reason shows on hover.
pub fn replicate_button(
    ui: &mut Ui,
    estate: &Estate,
    id: &MrkId,
    read_only: bool,
) -> egui::Response {
    let blocker = replicate_blocker(estate, id, read_only);
    let response = ui.add_enabled(blocker.is_none(), egui::Button::new("Replicate…"));
    match blocker {
        Some(reason) => response.on_disabled_hover_text(reason),
        None => response,
    }
}

/// The family's own actions: Replicate… and Details.
pub(super) fn family_menu(
    ui: &mut Ui,
    estate: &Estate,
    id: &MrkId,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    if replicate_button(ui, estate, id, read_only).clicked() {
        commands.push(Command::OpenReplicate(id.clone()));
        ui.close();
    }
    if ui.button("Details").clicked() {
        commands.push(Command::Select(Some(id.clone())));
        ui.close();
    }
    // A check, not a change: offered in read-only mode too.
    let verify = ui.button("Verify replicas…").on_hover_text(
        "Prove the family's keys interoperate: a data key made by the primary opened by each \
         replica, and back",
    );
    if verify.clicked() {
        commands.push(Command::ConfirmVerify(id.clone()));
        ui.close();
    }
    let imported = estate.family(id).is_some_and(|f| {
        f.described().any(|k| {
            k.role() == Role::Primary && crate::domain::material::has_imported_materials(k)
        })
    });
    if imported && !read_only && ui.button("Import material…").clicked() {
        commands.push(Command::OpenImport(id.clone()));
        ui.close();
    }
}

/// The lifecycle actions on the family's key in `region`, each enabled only when KMS would
/// accept it, with the reason on hover otherwise.
pub fn key_menu(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    region: Region,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let estate = estate_view.estate();
    let Some(family) = estate.family(id) else {
        return;
    };
    let Some(key) = family.described().find(|k| k.region == region) else {
        ui.label(RichText::new(format!("No key of this family in {region}.")).weak());
        return;
    };
    let busy = estate_view
        .action_job(id, region)
        .is_some_and(|j| j.in_flight());
    let mut actions = vec![
        KeyAction::Enable,
        KeyAction::Disable,
        KeyAction::ScheduleDeletion {
            days: crate::domain::lifecycle::DEFAULT_DELETION_DAYS,
        },
        KeyAction::CancelDeletion,
        KeyAction::Promote,
    ];
    // Rotation is the family's, set on its primary: offered there only.
    if key.role() == crate::domain::Role::Primary {
        actions.extend([
            KeyAction::EnableRotation {
                days: crate::domain::lifecycle::DEFAULT_ROTATION_DAYS,
            },
            KeyAction::DisableRotation,
            KeyAction::RotateNow,
        ]);
    }
    let retire = ui.button(format!("Retire in {region}…")).on_hover_text(
        "Its last use, then AWS's way out: disable, watch CloudTrail for DisabledException \
             during a quiet period, then schedule deletion",
    );
    if retire.clicked() {
        commands.push(Command::OpenRetire(id.clone(), region));
        ui.close();
    }
    for action in actions {
        let blocker = if read_only {
            Some("Read-only mode: no call that changes a key is made.".to_string())
        } else if busy {
            Some("A call on this key is in flight.".into())
        } else {
            action.blocker(key, family)
        };
        let label = format!("{action} in {region}…");
        let response = ui.add_enabled(blocker.is_none(), egui::Button::new(label));
        let response = match blocker {
            Some(reason) => response.on_disabled_hover_text(reason),
            None => response,
        };
        if response.clicked() {
            commands.push(Command::ConfirmAction(id.clone(), region, action));
            ui.close();
        }
    }
}

/// Two lines: the key ID with the audit's marker (worst severity and count), then alias,
/// spec, usage and the rotation mark.
pub(super) fn family_label(
    ui: &mut Ui,
    id: &crate::domain::MrkId,
    family: &crate::domain::Family,
    props: &crate::domain::audit::PropsMap,
    marker: Option<crate::ui::audit_panel::FamilyMarker>,
) {
    let mut second_line = Vec::new();
    if let Some(alias) = family.first_alias() {
        second_line.push(alias.to_string());
    }
    second_line.extend(spec_and_usage(family));
    let rotation = rotation_mark(id, family, props);
    let mut hover = family_hover(family);
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 1.0;
        ui.label(RichText::new(id.as_str()).monospace());
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            // First on the second line, so a narrow column clips the alias, never the count.
            if let Some((severity, words)) = marker.and_then(|m| m.words()) {
                let total = marker.map_or(0, |m| m.total);
                crate::ui::badge::severity_badge(ui, words, severity).on_hover_text(format!(
                    "{}, worst {severity}: see the details panel",
                    crate::ui::count(total, "finding", "findings")
                ));
                ui.add_space(6.0);
            }
            ui.label(RichText::new(second_line.join(" · ")).weak().small());
            if let Some((word, off, detail)) = &rotation {
                let text = RichText::new(format!(" · {word}")).small();
                ui.label(if *off {
                    text.color(NOT_ALLOWED_COLOUR)
                } else {
                    text.weak()
                });
                hover.push('\n');
                hover.push_str(detail);
            }
        });
    })
    .response
    .on_hover_text(hover);
}

/// The family's rotation for its label, once read: ("rotation on" | "rotation off", off?,
/// the dates); "no rotation" where the keys cannot rotate; nothing until it has been read.
pub(super) fn rotation_mark(
    id: &MrkId,
    family: &crate::domain::Family,
    props: &crate::domain::audit::PropsMap,
) -> Option<(&'static str, bool, String)> {
    let primary = family
        .described()
        .find(|k| k.role() == crate::domain::Role::Primary)?;
    if crate::domain::material::has_imported_materials(primary) {
        return Some((
            "rotation on demand",
            false,
            "Imported material rotates on demand only, once new material is imported into the \
             primary and every replica."
                .into(),
        ));
    }
    if !crate::domain::parity::can_rotate(primary) {
        return Some((
            "no rotation",
            false,
            "Asymmetric and HMAC keys cannot rotate.".into(),
        ));
    }
    let status = props
        .get(&(id.clone(), primary.region))
        .and_then(|p| p.rotation.as_ref())?;
    let dates = match status.next_rotation {
        Some(next) => format!(
            "Rotation every {} days; next on {}.",
            status.period_days.unwrap_or(365),
            crate::domain::key::format_utc(next)
        ),
        None => "Automatic rotation is off for the whole family.".to_string(),
    };
    let detail = format!(
        "{dates} {} past rotations, {} on demand.",
        status.rotations.len(),
        status.on_demand_used()
    );
    Some(if status.enabled {
        ("rotation on", false, detail)
    } else {
        ("rotation off", true, detail)
    })
}

/// "SYMMETRIC_DEFAULT · ENCRYPT_DECRYPT", leaving out whatever the endpoint did not report.
pub(super) fn spec_and_usage(family: &crate::domain::Family) -> Option<String> {
    let (spec, usage) = family.spec_and_usage()?;
    let parts: Vec<&str> = [spec, usage]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

pub(super) fn family_hover(family: &crate::domain::Family) -> String {
    let mut lines: Vec<String> = spec_and_usage(family).into_iter().collect();
    if let Some(primary) = family.primary_region() {
        lines.push(format!("Primary Region: {primary}"));
    }
    if let Some(alias) = family.first_alias() {
        lines.push(format!("Alias: {alias}"));
    }
    lines.join("\n")
}
