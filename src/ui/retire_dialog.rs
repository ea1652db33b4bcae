//! Retire…: one key's way out, AWS's way — its last use, then the step that is next (disable;
//! wait out a quiet period watching CloudTrail for DisabledException; schedule deletion), each
//! step the usual confirmed, journaled action. The evidence is the family's CloudTrail records
//! and the key's last usage; without them nothing past "disable" is offered.

use egui::RichText;

use super::command::Command;
use super::window::{Visibility, Window, WindowView, dialog, hold_focus};
use crate::domain::lifecycle::{DEFAULT_DELETION_DAYS, KeyAction};
use crate::domain::retirement::{DEFAULT_QUIET_DAYS, Evidence, Stage, stage};
use crate::domain::trail::TrailEvent;
use crate::domain::{MrkId, Region};
use crate::jobs::{TaskError, TrailRead, UsageCell};

/// The family's trail as the dialog holds it: read, or why not (in words, to show).
enum TrailState {
    Read(TrailRead),
    Failed(String),
}

pub struct RetireDialog {
    key_id: MrkId,
    region: Region,
    quiet_days: i64,
    /// The family's trail: `None` while it is read.
    trail: Option<TrailState>,
    /// What time it is (the app's clock, set each frame).
    pub now: i64,
}

impl Window for RetireDialog {
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility {
        let mut open = true;
        let shown = dialog(format!("Retire the key in {}", self.region), ctx)
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| self.body(ui, view, commands));
        hold_focus(ctx, shown.as_ref().map(|s| &s.response));
        let closed_inside = shown.and_then(|s| s.inner).unwrap_or(false);
        Visibility::open_while(open && !closed_inside)
    }
}

impl RetireDialog {
    pub fn new(key_id: MrkId, region: Region, now: i64) -> RetireDialog {
        RetireDialog {
            key_id,
            region,
            quiet_days: DEFAULT_QUIET_DAYS,
            trail: None,
            now,
        }
    }

    pub fn key(&self) -> (&MrkId, Region) {
        (&self.key_id, self.region)
    }

    /// The family's trail, read.
    pub fn set_trail(&mut self, read: &Result<TrailRead, TaskError>) {
        self.trail = Some(match read {
            Ok(read) => TrailState::Read(read.clone()),
            Err(why) => TrailState::Failed(why.to_string()),
        });
    }

    /// The key's own records, when its Region's were read.
    fn records(&self) -> Option<Vec<TrailEvent>> {
        let Some(TrailState::Read(read)) = &self.trail else {
            return None;
        };
        if read.not_read.iter().any(|(r, _)| *r == self.region) {
            return None;
        }
        let region = self.region.name();
        Some(
            read.entries
                .iter()
                .filter(|e| e.event.region == region)
                .map(|e| e.event.clone())
                .collect(),
        )
    }

    /// Returns true when a step was chosen (the dialog closes; its confirmation opens).
    fn body(
        &mut self,
        ui: &mut egui::Ui,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> bool {
        let estate_view = view.estate_view;
        let Some(family) = estate_view.estate().family(&self.key_id) else {
            ui.label("This family is no longer in the scanned Regions.");
            return false;
        };
        let Some(key) = family.described().find(|k| k.region == self.region) else {
            ui.label(format!("No key of this family in {} now.", self.region));
            return false;
        };
        ui.strong(format!(
            "In account {}, Region {}",
            estate_view.account_label(&key.arn),
            self.region
        ));
        ui.label(RichText::new(key.arn.as_str()).monospace().small());
        super::details::usage_line(ui, estate_view, &self.key_id, self.region, self.now);
        ui.horizontal(|ui| {
            ui.label("Quiet period");
            ui.add(
                egui::DragValue::new(&mut self.quiet_days)
                    .range(1..=90)
                    .suffix(" days"),
            )
            .on_hover_text(
                "How long the disabled key must go unasked before its deletion is offered",
            );
        });
        let usage = match estate_view.key_usage(&self.key_id, self.region) {
            Some(UsageCell::Read(usage)) => Some(usage),
            _ => None,
        };
        let records = self.records();
        let evidence = Evidence {
            trail: records.as_deref(),
            usage,
        };
        let next = stage(key, family, evidence, self.now, self.quiet_days);
        self.trail_state(ui);
        let colour = match next {
            Stage::Blocked { .. } | Stage::NotPossible(_) => ui.visuals().warn_fg_color,
            _ => ui.visuals().text_color(),
        };
        ui.label(RichText::new(next.describe(self.now)).color(colour));
        ui.separator();
        self.buttons(ui, view.read_only, &next, commands)
    }

    fn trail_state(&self, ui: &mut egui::Ui) {
        match &self.trail {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Reading its CloudTrail records (the last 90 days)…");
                });
            }
            Some(TrailState::Failed(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            Some(TrailState::Read(read)) => {
                if let Some((_, why)) = read.not_read.iter().find(|(r, _)| *r == self.region) {
                    ui.colored_label(ui.visuals().error_fg_color, why);
                }
            }
        }
    }

    /// The next step's button (and Re-enable while waiting), or none; returns whether one was
    /// chosen.
    fn buttons(
        &mut self,
        ui: &mut egui::Ui,
        read_only: bool,
        next: &Stage,
        commands: &mut Vec<Command>,
    ) -> bool {
        let mut steps: Vec<(&str, KeyAction)> = Vec::new();
        match next {
            Stage::Disable => steps.push(("Step 1: Disable…", KeyAction::Disable)),
            Stage::Waiting { .. } | Stage::Blocked { .. } => {
                steps.push(("Re-enable…", KeyAction::Enable));
            }
            Stage::Ready { .. } => {
                let delete = KeyAction::ScheduleDeletion {
                    days: DEFAULT_DELETION_DAYS,
                };
                steps.push(("Step 3: Schedule deletion…", delete));
                steps.push(("Re-enable…", KeyAction::Enable));
            }
            Stage::NotPossible(_) => {}
        }
        let mut chosen = false;
        ui.horizontal(|ui| {
            for (label, action) in steps {
                let button = ui
                    .add_enabled(!read_only, egui::Button::new(label))
                    .on_disabled_hover_text("Read-only mode: no call that changes a key is made.");
                if button.clicked() {
                    commands.push(Command::ConfirmAction(
                        self.key_id.clone(),
                        self.region,
                        action,
                    ));
                    chosen = true;
                }
            }
            let reading = self.trail.is_none();
            if ui
                .add_enabled(!reading, egui::Button::new("Read the trail again"))
                .clicked()
            {
                self.trail = None;
                commands.push(Command::ReadTrail(self.key_id.clone()));
            }
        });
        chosen
    }
}
