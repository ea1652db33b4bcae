//! A cell of the grid: the key there (role, state, badge) or why there is none, and the job
//! in flight on it (a replication, an action) with its progress or its error.

use egui::{RichText, Ui};

use super::*;
use crate::domain::usage::Age;
use crate::jobs::UsageCell;

pub(super) fn cell_ui(
    ui: &mut Ui,
    cell: Cell<'_>,
    region: Region,
    column_failed: bool,
    mark: Option<Mark>,
) {
    match cell {
        Cell::Primary(key) => key_cell(ui, Role::Primary, key, mark, region),
        Cell::Replica(key) => key_cell(ui, Role::Replica, key, mark, region),
        Cell::Absent if mark == Some(Mark::Missing) => {
            // White on a red fill: the strongest mark in the grid, in greyscale too.
            ui.label(
                RichText::new("missing")
                    .strong()
                    .color(egui::Color32::WHITE)
                    .background_color(MISSING_COLOUR),
            )
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
            // Quiet: the header says why the whole Region is unread; "missing" stays loud.
            ui.label(RichText::new(problem.kind.label()).weak().small())
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

pub(super) fn key_cell(ui: &mut Ui, role: Role, key: &KeyInfo, mark: Option<Mark>, region: Region) {
    let hover = key_hover(key);
    // Role above state: the longest state name (PendingReplicaDeletion) then fits a column.
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 1.0;
        let role_text = match role {
            Role::Primary => RichText::new("Primary").strong().small(),
            Role::Replica => RichText::new("Replica").small(),
        };
        // "not allowed" on the role's line, so the cell's other marks keep their room.
        ui.horizontal(|ui| {
            ui.label(role_text).on_hover_text(&hover);
            if mark == Some(Mark::NotAllowed) {
                ui.label(
                    RichText::new("not allowed")
                        .small()
                        .strong()
                        .color(NOT_ALLOWED_COLOUR),
                )
                .on_hover_text(format!(
                    "{region} is not among the baseline's allowed Regions: schedule this {} for \
                     deletion or allow the Region.",
                    role.to_string().to_lowercase()
                ));
            }
        });
        badge::state_badge(ui, &key.state).on_hover_text(&hover);
    });
}

pub(super) fn key_hover(key: &KeyInfo) -> String {
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

/// A replication under way or failed in this cell: a spinner while the call is in flight, a
/// quiet "following…" while the new key settles, or the error and a Retry.
pub(super) fn job_overlay(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    region: Region,
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    if let Some(job) = estate_view.action_job(id, region) {
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
    let Some(job) = estate_view.replica_job(id, region) else {
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

/// A key being followed until it settles. Still, not a spinner: a watcher polls every few
/// seconds for minutes, and an animation would repaint the window sixty times a second for it.
pub(super) fn following(ui: &mut Ui) -> egui::Response {
    ui.label(RichText::new("following…").small().weak())
}

/// How long ago the key was last used, in words (the colour only repeats them); the API's
/// whole answer on hover.
pub(super) fn usage_mark(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    id: &MrkId,
    region: Region,
    now: i64,
) {
    let (text, hover) = match estate_view.key_usage(id, region) {
        Some(UsageCell::Read(usage)) => {
            let age = usage.age(now);
            let text = RichText::new(age.label()).small().color(usage_colour(age));
            (text, usage.describe())
        }
        Some(UsageCell::Failed(why)) => (RichText::new("usage ?").small().weak(), why.clone()),
        None if estate_view.usage_pending(id, region) => (
            RichText::new("reading…").small().weak(),
            "Reading its last usage (GetKeyLastUsage, 5 per second per Region)".to_string(),
        ),
        None => return,
    };
    ui.label(text).on_hover_text(hover);
}

/// Green for recent use, amber for long quiet, red for never used, grey where no record
/// tells: the words say the same.
pub fn usage_colour(age: Age) -> egui::Color32 {
    match age {
        Age::Today => egui::Color32::from_rgb(0x66, 0xbb, 0x6a),
        Age::ThisMonth => egui::Color32::from_rgb(0xa5, 0xd6, 0xa7),
        Age::Days(_) => NOT_ALLOWED_COLOUR,
        Age::Never => egui::Color32::from_rgb(0xef, 0x6c, 0x6c),
        Age::NoRecord(_) => egui::Color32::GRAY,
    }
}
