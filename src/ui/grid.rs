//! The coverage grid: one row per multi-Region key family, one column per Region.
//!
//! Only the rows in view are laid out (`TableBody::rows`), and in them only the columns in view,
//! so the cost of a frame follows the window's size, not the size of the estate.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::badge;
use super::command::Command;
use crate::domain::audit::Severity;
use crate::domain::baseline::Baseline;
use crate::domain::coverage::{Mark, RegionCoverage, cell_mark};
use crate::domain::key::format_utc;
use crate::domain::lifecycle::KeyAction;
use crate::domain::replicate::replicate_blocker;
use crate::domain::rows::SortKey;
use crate::domain::{Cell, Estate, Family, KeyInfo, MrkId, Region, RegionStatus, Role, Tag};
use crate::jobs::{ActionPhase, Inventory, ReplicaPhase};

/// Two lines: the key ID, then its alias and key spec.
const ROW_HEIGHT: f32 = 38.0;
const KEY_COLUMN_WIDTH: f32 = 330.0;
const REGION_COLUMN_WIDTH: f32 = 128.0;

/// What the grid needs besides the inventory.
pub struct GridContext<'a> {
    pub selected: Option<&'a MrkId>,
    pub read_only: bool,
    /// The families to show, in order, when a filter or sort is on; `None` shows all.
    pub rows: Option<&'a [MrkId]>,
    /// What the rows are sorted by, and whether descending (for the header arrows).
    pub sort: (SortKey, bool),
    /// Worst finding severity and count per family, after an audit.
    pub markers: &'a HashMap<MrkId, (Severity, usize)>,
    /// Worst finding severity per family and Region.
    pub cell_markers: &'a HashMap<(MrkId, Region), Severity>,
    /// Cells that changed since the history panel's snapshot, with what changed.
    pub changed: &'a HashMap<(MrkId, Region), String>,
    /// What has been read of each key (the rotation mark reads the primary's).
    pub props: &'a crate::domain::audit::PropsMap,
    /// The coverage the estate is held to: required cells left empty show "missing", keys
    /// outside the allowed Regions "not allowed".
    pub baseline: &'a Baseline,
    /// Primary tags known so far (the baseline's tag rules match only on those).
    pub tags: &'a HashMap<MrkId, Vec<Tag>>,
    /// Each Region's coverage, for the summary line under its name.
    pub coverage: &'a BTreeMap<Region, RegionCoverage>,
    /// One of several accounts' sections stacked in one scroll area (numbered, so each table
    /// keeps its own column widths): the table takes its full height and does not scroll.
    pub section: Option<usize>,
}

/// Red for a required Region with no key, amber for a key where none is allowed.
pub const MISSING_COLOUR: egui::Color32 = egui::Color32::from_rgb(0xe5, 0x39, 0x35);
pub const NOT_ALLOWED_COLOUR: egui::Color32 = egui::Color32::from_rgb(0xf5, 0x9e, 0x0b);
/// Blue for a cell that changed since the history panel's snapshot.
pub const CHANGED_COLOUR: egui::Color32 = egui::Color32::from_rgb(0x42, 0xa5, 0xf5);

/// Draws the grid of `inventory`'s estate; clicks and menu choices become commands.
pub fn show(
    ui: &mut Ui,
    inventory: &Inventory,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    let estate = inventory.estate();
    if estate.family_count() == 0 {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            if inventory.is_scanning() {
                ui.label("Scanning for multi-Region keys…");
            } else {
                ui.label("No multi-Region keys in the chosen Regions.");
            }
        });
        // The header still matters: it says which Regions failed.
    }
    if ctx.section.is_some() {
        table(ui, inventory, estate, ctx, commands);
        return;
    }
    egui::ScrollArea::horizontal()
        .auto_shrink([false, false])
        .show(ui, |ui| table(ui, inventory, estate, ctx, commands));
}

fn table(
    ui: &mut Ui,
    inventory: &Inventory,
    estate: &Estate,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    let regions = estate.regions();
    // Selectable labels would swallow the row's clicks and its context menu.
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .id_salt(("coverage-grid", ctx.section))
        .vscroll(ctx.section.is_none())
        .striped(true)
        .resizable(true)
        .auto_shrink([false, ctx.section.is_some()])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .sense(egui::Sense::click())
        .column(Column::initial(KEY_COLUMN_WIDTH).at_least(160.0).clip(true))
        .columns(
            Column::initial(REGION_COLUMN_WIDTH)
                .at_least(90.0)
                .clip(true),
            regions.len(),
        )
        .header(58.0, |mut header| {
            header.col(|ui| {
                ui.vertical(|ui| {
                    sort_button(ui, "Key family", SortKey::KeyId, ctx.sort, commands);
                    ui.add_space(14.0);
                    ui.small(if ctx.baseline.is_empty() {
                        "Coverage: families with a key"
                    } else {
                        "Coverage: with a key / required"
                    });
                });
            });
            for region in regions {
                header.col(|ui| {
                    if ui.is_rect_visible(ui.max_rect()) {
                        region_header(ui, inventory, estate, *region, ctx, commands);
                    }
                });
            }
        })
        .body(|body| {
            let count = ctx.rows.map_or(estate.family_count(), <[MrkId]>::len);
            body.rows(ROW_HEIGHT, count, |mut row| {
                let found = match ctx.rows {
                    Some(rows) => rows
                        .get(row.index())
                        .and_then(|id| estate.family(id).map(|f| (id, f))),
                    None => estate.family_at(row.index()),
                };
                let Some((id, family)) = found else {
                    return;
                };
                row.set_selected(ctx.selected == Some(id));
                let required = required_regions(ctx, id, family);
                let marker = ctx.markers.get(id).copied();
                let (_, label) = row.col(|ui| {
                    family_label(ui, id, family, ctx.props, marker);
                });
                label.context_menu(|ui| family_menu(ui, estate, id, ctx.read_only, commands));
                for region in regions {
                    let column_failed = matches!(estate.status(*region), RegionStatus::Failed(_));
                    let mut visible = false;
                    let (_, cell) = row.col(|ui| {
                        // Columns scrolled out of view are allocated but not laid out.
                        visible = ui.is_rect_visible(ui.max_rect());
                        if !visible {
                            return;
                        }
                        let cell = estate.cell(id, *region);
                        let mark =
                            cell_mark(ctx.baseline, &cell, *region, required.contains(region));
                        cell_ui(ui, cell, *region, column_failed, mark);
                        job_overlay(ui, inventory, id, *region, ctx.read_only, commands);
                        if let Some(severity) = ctx.cell_markers.get(&(id.clone(), *region)) {
                            ui.label(
                                RichText::new(severity.to_string())
                                    .small()
                                    .color(super::audit_panel::severity_colour(*severity)),
                            )
                            .on_hover_text("Audit findings here: see the findings panel");
                        }
                        if let Some(what) = ctx.changed.get(&(id.clone(), *region)) {
                            // An outline as well as the word: a crowded cell may clip the word.
                            ui.painter().rect_stroke(
                                ui.max_rect().shrink(1.0),
                                3.0,
                                egui::Stroke::new(1.5, CHANGED_COLOUR),
                                egui::StrokeKind::Inside,
                            );
                            ui.label(RichText::new("changed").small().color(CHANGED_COLOUR))
                                .on_hover_text(format!("Since the chosen snapshot: {what}"));
                        }
                    });
                    if visible {
                        cell.context_menu(|ui| {
                            family_menu(ui, estate, id, ctx.read_only, commands);
                            ui.separator();
                            key_menu(ui, inventory, id, *region, ctx.read_only, commands);
                        });
                    }
                }
                if row.response().clicked() {
                    commands.push(Command::Select(Some(id.clone())));
                }
            });
        });
}

/// The Regions the baseline requires of this family (none without a baseline).
fn required_regions(ctx: &GridContext<'_>, id: &MrkId, family: &Family) -> BTreeSet<Region> {
    if ctx.baseline.is_empty() {
        return BTreeSet::new();
    }
    ctx.baseline
        .required_for(family, ctx.tags.get(id).map(Vec::as_slice))
}

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
fn family_menu(
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
}

/// The lifecycle actions on the family's key in `region`, each enabled only when KMS would
/// accept it, with the reason on hover otherwise.
pub fn key_menu(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    region: Region,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    let estate = inventory.estate();
    let Some(family) = estate.family(id) else {
        return;
    };
    let Some(key) = family.described().find(|k| k.region == region) else {
        ui.label(RichText::new(format!("No key of this family in {region}.")).weak());
        return;
    };
    let busy = inventory
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

/// A key being followed until it settles. Still, not a spinner: a watcher polls every few
/// seconds for minutes, and an animation would repaint the window sixty times a second for it.
fn following(ui: &mut Ui) -> egui::Response {
    ui.label(RichText::new("following…").small().weak())
}

/// A replication under way or failed in this cell: a spinner while the call is in flight, a
/// quiet "following…" while the new key settles, or the error and a Retry.
fn job_overlay(
    ui: &mut Ui,
    inventory: &Inventory,
    id: &MrkId,
    region: Region,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    if let Some(job) = inventory.action_job(id, region) {
        match &job.phase {
            ActionPhase::Calling => {
                ui.spinner()
                    .on_hover_text(format!("{} in flight", job.action.operation()));
            }
            ActionPhase::Following => {
                following(ui)
                    .on_hover_text("Following both keys until every Region names the new primary");
            }
            ActionPhase::Failed(problem) => {
                badge::problem_badge(ui, problem.kind).on_hover_text(format!(
                    "{} in {region} failed: {problem}",
                    job.action.operation()
                ));
            }
            ActionPhase::Done => {}
        }
    }
    let Some(job) = inventory.replica_job(id, region) else {
        return;
    };
    match &job.phase {
        ReplicaPhase::Replicating => {
            ui.spinner().on_hover_text("ReplicateKey in flight");
        }
        ReplicaPhase::Watching => {
            following(ui)
                .on_hover_text("Following the new replica with DescribeKey until it is usable");
        }
        ReplicaPhase::Failed(problem) => {
            ui.vertical(|ui| {
                badge::problem_badge(ui, problem.kind)
                    .on_hover_text(format!("Replicate to {region} failed: {problem}"));
                let retry = ui
                    .add_enabled(!read_only, egui::Button::new("Retry").small())
                    .on_hover_text(format!("Retry the replication to {region} only"));
                if retry.clicked() {
                    commands.push(Command::RetryReplicate(id.clone(), region));
                }
            });
        }
        ReplicaPhase::Done => {}
    }
}

/// Two lines: the key ID with the audit's marker (worst severity and count), then alias,
/// spec, usage and the rotation mark.
fn family_label(
    ui: &mut Ui,
    id: &crate::domain::MrkId,
    family: &crate::domain::Family,
    props: &crate::domain::audit::PropsMap,
    marker: Option<(Severity, usize)>,
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
        ui.horizontal(|ui| {
            ui.label(RichText::new(id.as_str()).monospace());
            if let Some((severity, n)) = marker {
                ui.label(
                    RichText::new(format!("{n} {severity}"))
                        .small()
                        .color(super::audit_panel::severity_colour(severity)),
                )
                .on_hover_text(format!(
                    "{}, worst {severity}: see the details panel",
                    super::count(n, "finding", "findings")
                ));
            }
        });
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
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
fn rotation_mark(
    id: &MrkId,
    family: &crate::domain::Family,
    props: &crate::domain::audit::PropsMap,
) -> Option<(&'static str, bool, String)> {
    let primary = family
        .described()
        .find(|k| k.role() == crate::domain::Role::Primary)?;
    if !crate::domain::parity::can_rotate(primary) {
        return Some((
            "no rotation",
            false,
            "Imported material, asymmetric and HMAC keys cannot rotate.".into(),
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
fn spec_and_usage(family: &crate::domain::Family) -> Option<String> {
    let (spec, usage) = family.spec_and_usage()?;
    let parts: Vec<&str> = [spec, usage]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn family_hover(family: &crate::domain::Family) -> String {
    let mut lines: Vec<String> = spec_and_usage(family).into_iter().collect();
    if let Some(primary) = family.primary_region() {
        lines.push(format!("Primary Region: {primary}"));
    }
    if let Some(alias) = family.first_alias() {
        lines.push(format!("Alias: {alias}"));
    }
    lines.join("\n")
}

/// A column title that sorts by its column when clicked (again: reversed), with an arrow when
/// it is the sort.
fn sort_button(
    ui: &mut Ui,
    title: &str,
    key: SortKey,
    (sort, descending): (SortKey, bool),
    commands: &mut Vec<Command>,
) {
    let arrow = match (sort == key, descending) {
        (false, _) => "",
        (true, false) => " · asc",
        (true, true) => " · desc",
    };
    let button = egui::Button::new(RichText::new(format!("{title}{arrow}")).strong()).frame(false);
    let response = ui
        .add(button)
        .on_hover_text(format!("Sort by {}", key.label().to_lowercase()));
    if response.clicked() {
        commands.push(Command::Sort(key));
    }
}

fn region_header(
    ui: &mut Ui,
    inventory: &Inventory,
    estate: &Estate,
    region: Region,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    ui.vertical(|ui| {
        let name = if region.is_opt_in() {
            format!("{region} (opt-in)")
        } else {
            region.to_string()
        };
        sort_button(ui, &name, SortKey::Region(region), ctx.sort, commands);
        match (estate.status(region), inventory.progress(region)) {
            (_, Some(progress)) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    let text = match progress {
                        Some((done, total)) => {
                            format!("{done}/{}", super::count(total, "key", "keys"))
                        }
                        None => "listing…".to_string(),
                    };
                    ui.small(text);
                });
            }
            (RegionStatus::Failed(problem), None) => {
                badge::problem_badge(ui, problem.kind).on_hover_text(problem.to_string());
            }
            (RegionStatus::Scanned, None) => {
                ui.small("scanned");
            }
            (RegionStatus::Waiting | RegionStatus::Scanning, None) => {
                ui.small("waiting");
            }
        }
        if let Some(coverage) = ctx.coverage.get(&region) {
            coverage_summary(ui, region, coverage, ctx.baseline);
        }
    });
}

/// The Region's line of the summary row: families with a key here, out of those the baseline
/// requires here (red while any is missing).
fn coverage_summary(ui: &mut Ui, region: Region, c: &RegionCoverage, baseline: &Baseline) {
    let allowed = baseline.allows(region);
    let (text, colour, hover) = if c.required > 0 {
        let colour = if c.missing > 0 {
            MISSING_COLOUR
        } else {
            ui.visuals().text_color()
        };
        (
            format!("{} / {} required", c.required - c.missing, c.required),
            colour,
            format!(
                "{} of the {} families the baseline requires here have a key in {region}; {} \
                 missing. {} families in all have a key here.",
                c.required - c.missing,
                c.required,
                c.missing,
                c.present
            ),
        )
    } else {
        (
            format!("{} with a key", c.present),
            ui.visuals().weak_text_color(),
            format!(
                "{} families have a key in {region}; the baseline requires none here.",
                c.present
            ),
        )
    };
    let colour = if !allowed && c.present > 0 {
        NOT_ALLOWED_COLOUR
    } else {
        colour
    };
    ui.label(RichText::new(text).small().color(colour))
        .on_hover_text(if allowed {
            hover
        } else {
            format!("{hover} The baseline does not allow keys in {region}.")
        });
}

fn cell_ui(ui: &mut Ui, cell: Cell<'_>, region: Region, column_failed: bool, mark: Option<Mark>) {
    match cell {
        Cell::Primary(key) => key_cell(ui, Role::Primary, key, mark, region),
        Cell::Replica(key) => key_cell(ui, Role::Replica, key, mark, region),
        Cell::Absent if mark == Some(Mark::Missing) => {
            ui.label(RichText::new("missing").strong().color(MISSING_COLOUR))
                .on_hover_text(format!(
                    "The baseline requires a key of this family in {region}, and there is none: \
                     replicate it there."
                ));
        }
        Cell::Absent => {
            // Quiet: no rule needs a key here, so no word in every empty cell.
            ui.label(RichText::new("·").weak())
                .on_hover_text(format!("No key of this family in {region}."));
        }
        Cell::Reported { role, arn } => {
            ui.label(RichText::new(format!("{role}?")).italics())
                .on_hover_text(format!(
                    "{arn}\nA related key's multi-Region configuration names this {role}, \
                     but the scan of {region} did not return it (listing lag, or a permission \
                     that hides it)."
                ));
        }
        // A whole Region that failed is marked quietly in each row (the header carries the badge);
        // a single key that could not be read stands out.
        Cell::Unknown(problem) if column_failed => {
            let colour = badge::problem_colour(ui, problem.kind);
            ui.label(RichText::new(problem.kind.label()).color(colour).small())
                .on_hover_text(problem.to_string());
        }
        Cell::Unknown(problem) => {
            ui.vertical(|ui| badge::problem_badge(ui, problem.kind))
                .inner
                .on_hover_text(problem.to_string());
        }
        Cell::Scanning => {
            ui.spinner();
        }
    }
}

fn key_cell(ui: &mut Ui, role: Role, key: &KeyInfo, mark: Option<Mark>, region: Region) {
    let hover = key_hover(key);
    // Role above state: the longest state name (PendingReplicaDeletion) then fits a column.
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 1.0;
        let role_text = match role {
            Role::Primary => RichText::new("Primary").strong().small(),
            Role::Replica => RichText::new("Replica").small(),
        };
        ui.label(role_text).on_hover_text(&hover);
        badge::state_badge(ui, &key.state).on_hover_text(&hover);
    });
    if mark == Some(Mark::NotAllowed) {
        ui.label(
            RichText::new("not allowed")
                .small()
                .strong()
                .color(NOT_ALLOWED_COLOUR),
        )
        .on_hover_text(format!(
            "{region} is not among the baseline's allowed Regions: schedule this {} for deletion \
             or allow the Region.",
            role.to_string().to_lowercase()
        ));
    }
}

fn key_hover(key: &KeyInfo) -> String {
    let created = key
        .created
        .map(format_utc)
        .unwrap_or_else(|| "unknown".into());
    let mut text = format!("{}\nState: {}\nCreated: {created}", key.arn, key.state);
    if let Some(date) = key.deletion_date {
        text.push_str(&format!("\nDeletion date: {}", format_utc(date)));
    }
    if !key.description.is_empty() {
        text.push_str(&format!("\nDescription: {}", key.description));
    }
    text
}

/// What the marks of the grid mean, in one line under it.
pub fn legend(ui: &mut Ui, baseline: &Baseline, comparing: bool) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Legend:").small().strong());
        // One label per entry, mark and meaning together: read as one by a screen reader,
        // and never taken for a cell that says "missing".
        let item = |ui: &mut Ui, mark: RichText, meaning: &str| {
            let style = ui.style().clone();
            let mut job = egui::text::LayoutJob::default();
            mark.append_to(
                &mut job,
                &style,
                egui::FontSelection::Default,
                egui::Align::Center,
            );
            RichText::new(format!(" {meaning}"))
                .small()
                .weak()
                .append_to(
                    &mut job,
                    &style,
                    egui::FontSelection::Default,
                    egui::Align::Center,
                );
            ui.label(job);
            ui.add_space(8.0);
        };
        item(
            ui,
            RichText::new("Primary / Replica").small().strong(),
            "with its key state",
        );
        item(
            ui,
            RichText::new("missing")
                .small()
                .strong()
                .color(MISSING_COLOUR),
            "the baseline requires a key here; there is none",
        );
        item(
            ui,
            RichText::new("not allowed")
                .small()
                .strong()
                .color(NOT_ALLOWED_COLOUR),
            "a key outside the baseline's allowed Regions",
        );
        item(ui, RichText::new("·").weak(), "no key, and none required");
        item(
            ui,
            RichText::new("Replica?").small().italics(),
            "named by a related key, not listed here",
        );
        item(
            ui,
            RichText::new("AccessDenied, TimedOut…").small(),
            "could not be read: never the same as no key",
        );
        if comparing {
            item(
                ui,
                RichText::new("changed")
                    .small()
                    .strong()
                    .color(CHANGED_COLOUR),
                "differs from the snapshot chosen in the history panel",
            );
        }
        if baseline.is_empty() {
            ui.label(
                RichText::new(
                    "No baseline: start with --baseline FILE or load one in the findings panel.",
                )
                .small()
                .weak(),
            );
        }
    });
}
