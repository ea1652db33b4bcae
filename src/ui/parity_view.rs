//! The details panel's parity section: the family's rotation, its grants side by side per
//! Region (what each replica lacks or has beyond its primary, with a copy action), and each
//! key's imported material: its expiry, and every key material side by side per Region.

use egui::{RichText, Ui};

use super::command::Command;
use crate::domain::audit::PropsMap;
use crate::domain::key::format_utc;
use crate::domain::material::{KeyMaterial, has_imported_materials};
use crate::domain::parity::{Grant, ON_DEMAND_ROTATION_LIMIT, can_rotate, expires_before_primary};
use crate::domain::{Family, KeyInfo, MrkId, Role};
use crate::jobs::EstateView;

/// Draws rotation, grants and material of family `id` (from what has been read).
pub fn show(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
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
        ui,
        estate_view,
        id,
        family,
        primary,
        props,
        read_only,
        commands,
    );
    material(ui, family, primary);
    materials(ui, id, family, primary, props, read_only, commands);
}

/// Every key material, a row each, side by side per Region (columns): its state where a key
/// holds it, and what a replica lacks of the primary's, coloured as its finding is.
fn materials(
    ui: &mut Ui,
    id: &MrkId,
    family: &Family,
    primary: &KeyInfo,
    props: &PropsMap,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    if !has_imported_materials(primary) {
        return;
    }
    let mut keys: Vec<&KeyInfo> = family.described().collect();
    keys.sort_by_key(|k| k.role() != Role::Primary);
    let read: Vec<(&KeyInfo, &[KeyMaterial])> = keys
        .iter()
        .filter_map(|k| {
            let m = props.get(&(id.clone(), k.region))?.materials.as_deref()?;
            Some((*k, m))
        })
        .collect();
    let Some(primary_materials) = read
        .iter()
        .find(|(k, _)| k.region == primary.region)
        .map(|(_, m)| *m)
    else {
        return;
    };
    let mut ids: Vec<&KeyMaterial> = Vec::new();
    for (_, ms) in &read {
        for m in ms.iter() {
            if !ids.iter().any(|seen| seen.id == m.id) {
                ids.push(m);
            }
        }
    }
    ui.label(RichText::new("Key materials by Region").small().strong());
    egui::Grid::new(("materials", id.as_str()))
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new("Material").small());
            for (k, _) in &read {
                let role = if k.role() == Role::Primary {
                    " (primary)"
                } else {
                    ""
                };
                ui.label(RichText::new(format!("{}{role}", k.region)).small());
            }
            ui.end_row();
            for m in &ids {
                ui.label(RichText::new(m.short_id()).monospace().size(11.0));
                for (k, held) in &read {
                    ui.horizontal(|ui| {
                        material_cell(ui, m, k, held, primary_materials);
                        let own = held.iter().find(|h| h.id == m.id);
                        if let Some(own) = own.filter(|_| !read_only) {
                            let delete = ui
                                .add(egui::Button::new(RichText::new("Delete…").small()).small())
                                .on_hover_text(format!(
                                    "DeleteImportedKeyMaterial of {} in {}",
                                    own.short_id(),
                                    k.region
                                ));
                            if delete.clicked() {
                                commands.push(Command::ConfirmDeleteMaterial(
                                    id.clone(),
                                    k.region,
                                    own.clone(),
                                ));
                            }
                        }
                    });
                }
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(
            "missing: a replica lacks the primary's material (red: the current one, so it cannot \
             decrypt what the primary encrypts now); import it there as EXISTING (Import material…)",
        )
        .small()
        .weak(),
    );
}

/// One key's cell for material `m`: its state there, or that it lacks the primary's.
fn material_cell(
    ui: &mut Ui,
    m: &KeyMaterial,
    key: &KeyInfo,
    held: &[KeyMaterial],
    primary: &[KeyMaterial],
) {
    use crate::domain::audit::Severity;
    use crate::domain::material::MaterialState;
    let own = held.iter().find(|h| h.id == m.id);
    let of_primary = primary.iter().find(|p| p.id == m.id && p.imported);
    let (text, severity) = match (own, of_primary) {
        (Some(h), _) if h.imported => {
            // The day is enough in a cell (the per-Region expiry line above has the time).
            let expiry = h
                .valid_to
                .map(|t| format!(" · exp. {}", format_utc(t).get(..10).unwrap_or_default()))
                .unwrap_or_default();
            (format!("{}{expiry}", h.state.label()), None)
        }
        (Some(h), _) => (
            format!("{}, not imported", h.state.label()),
            Some(Severity::High),
        ),
        (None, Some(p)) if key.role() == Role::Replica => {
            let severity = match p.state {
                MaterialState::Current => Severity::High,
                _ => Severity::Medium,
            };
            (format!("missing ({})", p.state.label()), Some(severity))
        }
        (None, _) => ("—".to_string(), None),
    };
    let rich = RichText::new(text).small();
    ui.label(match severity {
        Some(s) => rich.color(super::audit_panel::severity_colour(s)),
        None => rich,
    });
}

fn rotation(ui: &mut Ui, id: &MrkId, primary: &KeyInfo, props: &PropsMap) {
    if has_imported_materials(primary) {
        ui.label(
            RichText::new(
                "Rotation: on demand only, once new material is imported into the primary and \
                 every replica (Import material…)",
            )
            .small(),
        );
        return;
    }
    if !can_rotate(primary) {
        ui.label(
            RichText::new("Rotation: not possible for this family (asymmetric or HMAC)").small(),
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
    // The latest few, newest first: enough to see when material last changed.
    for (on_demand, at) in status.rotations.iter().rev().take(5) {
        let kind = if *on_demand { "on demand" } else { "automatic" };
        ui.label(
            RichText::new(format!("rotated {} ({kind})", format_utc(*at)))
                .small()
                .weak(),
        );
    }
}

/// Every distinct grant of the family (matched by what it grants), each with the Regions it is
/// present in, missing from (where the primary has it: with a copy action) and only in. A
/// list, not a table: it stays readable in a narrow panel with a dozen Regions.
#[allow(clippy::too_many_arguments)]
fn grants(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
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
    let read: Vec<(&KeyInfo, Option<&[Grant]>)> = keys
        .iter()
        .map(|k| {
            let grants = props
                .get(&(id.clone(), k.region))
                .and_then(|p| p.grants.as_deref());
            (*k, grants)
        })
        .collect();
    ui.label(
        RichText::new("Grants by Region (KMS never copies them)")
            .small()
            .strong(),
    );
    let unread: Vec<String> = read
        .iter()
        .filter(|(_, g)| g.is_none())
        .map(|(k, _)| k.region.to_string())
        .collect();
    if !unread.is_empty() {
        ui.label(
            RichText::new(format!("Not read yet in {}", unread.join(", ")))
                .small()
                .weak(),
        );
    }
    let mut rows: Vec<&Grant> = Vec::new();
    for g in read.iter().filter_map(|(_, g)| *g).flatten() {
        if !rows.iter().any(|r| r.same_as(g)) {
            rows.push(g);
        }
    }
    if rows.is_empty() {
        if unread.is_empty() {
            ui.label(RichText::new("No grants in any Region.").small().weak());
        }
        return;
    }
    let primary_grants = read[0].1.unwrap_or_default();
    let medium = super::audit_panel::severity_colour(crate::domain::audit::Severity::Medium);
    for g in rows {
        ui.add(egui::Label::new(RichText::new(g.describe())).wrap());
        let on_primary = primary_grants.iter().any(|p| p.same_as(g));
        let mut present = Vec::new();
        let mut absent = Vec::new();
        for (k, grants) in &read {
            let Some(grants) = grants else { continue };
            let role = if k.role() == Role::Primary {
                " (primary)"
            } else {
                ""
            };
            if grants.iter().any(|x| x.same_as(g)) {
                present.push(format!("{}{role}", k.region));
            } else {
                absent.push(*k);
            }
        }
        ui.indent(("grant", g.id.as_str()), |ui| {
            let prefix = if on_primary { "present in" } else { "only in" };
            let text = RichText::new(format!("{prefix} {}", present.join(", ")));
            if on_primary {
                ui.label(text);
            } else {
                ui.label(text.color(medium)).on_hover_text(
                    "The primary has no such grant: this access exists only in these Regions.",
                );
            }
            if on_primary {
                for k in absent {
                    missing_row(ui, estate_view, id, k, g, read_only, commands);
                }
            }
        });
    }
}

/// "missing in R" with the action that copies the primary's grant there.
fn missing_row(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    key: &KeyInfo,
    grant: &Grant,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let medium = super::audit_panel::severity_colour(crate::domain::audit::Severity::Medium);
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!("missing in {}", key.region))
                .small()
                .color(medium),
        );
        let copying = estate_view
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::domain::audit::KeyProps;
    use crate::domain::parity::{GrantConstraints, GranteeKind};
    use crate::ui::literal_estate::{PRIMARY, REPLICA, family_id, one_family, region};

    const SUPPORT: &str = "us-east-1.supportauthz.amazonaws.com";

    /// The parity section of the family, 560 points wide and `height` high, drawn once; the
    /// commands it emits are the harness's state.
    fn panel(
        estate: crate::domain::Estate,
        props: PropsMap,
        height: f32,
    ) -> Harness<'static, Vec<Command>> {
        let mut harness = Harness::builder()
            .with_size(egui::vec2(560.0, height))
            .build_ui_state(
                move |ui, commands: &mut Vec<Command>| {
                    let family = estate.family(&family_id()).unwrap();
                    show(ui, &estate, &family_id(), family, &props, false, commands);
                },
                Vec::new(),
            );
        harness.run();
        harness
    }

    fn grant(grantee: &str, kind: GranteeKind, source: Option<&str>) -> Grant {
        Grant {
            id: format!("{grantee}-{kind:?}"),
            name: None,
            grantee: grantee.into(),
            grantee_kind: kind,
            retiring: source.map(|_| grantee.to_string()),
            retiring_service: source.is_some(),
            operations: BTreeSet::from(["Decrypt".to_string()]),
            constraints: GrantConstraints {
                subset: BTreeMap::new(),
                equals: BTreeMap::new(),
                source_arn: source.map(str::to_string),
            },
        }
    }

    /// The primary grants a service principal (for one support case) and, as a legacy grant,
    /// DynamoDB; the replica has the legacy grant and a service the primary does not grant.
    fn props() -> PropsMap {
        let support = grant(
            SUPPORT,
            GranteeKind::ServicePrincipal,
            Some("arn:aws:support:us-east-1:111122223333:case/case-7"),
        );
        let legacy = grant(
            "dynamodb.us-east-1.amazonaws.com",
            GranteeKind::LegacyServicePrincipal,
            None,
        );
        let other = grant(
            "eu-west-1.otherservice.amazonaws.com",
            GranteeKind::ServicePrincipal,
            Some("arn:aws:otherservice:eu-west-1:111122223333:thing/1"),
        );
        let of = |grants: Vec<Grant>| KeyProps {
            grants: Some(grants),
            ..KeyProps::default()
        };
        PropsMap::from([
            (
                (family_id(), region(PRIMARY)),
                of(vec![support, legacy.clone()]),
            ),
            ((family_id(), region(REPLICA)), of(vec![legacy, other])),
        ])
    }

    #[test]
    fn service_principal_grants_are_shown_side_by_side_as_such() {
        let estate = one_family();
        let props = props();
        let mut harness = panel(estate, props, 420.0);
        harness.get_by_label_contains(&format!("service principal {SUPPORT} may Decrypt"));
        harness.get_by_label_contains(
            "dynamodb.us-east-1.amazonaws.com (a service, in a legacy grant)",
        );
        harness.get_by_label_contains("service principal eu-west-1.otherservice.amazonaws.com");
        harness.snapshot("service_grants");
    }

    /// The family as `one_family`, its keys' material imported.
    fn imported_family() -> crate::domain::Estate {
        let mut estate = one_family();
        let keys: Vec<KeyInfo> = estate
            .family(&family_id())
            .map(|f| f.described().cloned().collect())
            .unwrap_or_default();
        for mut k in keys {
            k.origin = "EXTERNAL".into();
            k.expiration_model = Some("KEY_MATERIAL_DOES_NOT_EXPIRE".into());
            estate.upsert_key(k);
        }
        estate
    }

    fn material(digit: char, state: &str) -> KeyMaterial {
        KeyMaterial {
            id: digit.to_string().repeat(64),
            state: crate::domain::material::MaterialState::from_api(state),
            imported: true,
            valid_to: None,
            description: None,
        }
    }

    #[test]
    fn key_materials_are_shown_side_by_side_with_what_a_replica_lacks() {
        let estate = imported_family();
        let of = |materials: Vec<KeyMaterial>| KeyProps {
            materials: Some(materials),
            ..KeyProps::default()
        };
        let props = PropsMap::from([
            (
                (family_id(), region(PRIMARY)),
                of(vec![
                    material('1', "NON_CURRENT"),
                    KeyMaterial {
                        valid_to: Some(1_800_000_000),
                        ..material('2', "CURRENT")
                    },
                    material('3', "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"),
                ]),
            ),
            (
                (family_id(), region(REPLICA)),
                of(vec![material('1', "NON_CURRENT")]),
            ),
        ]);
        let mut harness = panel(estate, props, 260.0);
        harness.get_by_label("Key materials by Region");
        harness.get_by_label("22222222");
        harness.get_by_label("missing (current)");
        harness.get_by_label("current · exp. 2027-01-15");
        harness.get_by_label("waiting on replicas");
        harness.get_by_label("missing (waiting on replicas)");
        assert_eq!(harness.query_all_by_label("non-current").count(), 2);
        harness.snapshot("key_materials");
        let deletes: Vec<_> = harness.query_all_by_label("Delete…").collect();
        assert_eq!(deletes.len(), 4, "one per material a key holds");
        deletes[3].click();
        harness.run();
        assert_eq!(
            harness.state(),
            &vec![Command::ConfirmDeleteMaterial(
                family_id(),
                region(PRIMARY),
                material('3', "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
            )]
        );
    }
}
