//! What the app does each frame: fold in finished background work, draw the panels, dialogs
//! and grid, then carry out the commands they emitted.

use egui::Ui;

use super::App;
use crate::domain::{Region, RegionStatus};
use crate::jobs::TaskKey;
use crate::ui::command::Command;
use crate::ui::plan_view::PlanContext;
use crate::ui::window::{WindowView, show_window};

impl App {
    /// Draws one frame.
    pub fn show(&mut self, ui: &mut Ui) {
        self.start_once(ui.ctx());
        self.fold_in_background_work();
        let mut commands = Vec::new();
        self.panels(ui, &mut commands);
        self.dialogs(ui.ctx(), &mut commands);
        self.keyboard(ui.ctx(), &mut commands);
        self.work.filters.query.missing_in = self.work.audit.missing_in;
        self.work.filters.query.only_with_findings =
            self.work.audit.only_with_findings && self.work.audit.open;
        egui::CentralPanel::default().show(ui, |ui| {
            if self.accounts.is_empty() {
                self.show_active_grid(ui, None, &mut commands);
            } else {
                self.show_sections(ui, &mut commands);
            }
        });
        for command in commands {
            self.apply(command);
        }
        self.want_usage();
    }

    /// The keys whose last usage the window shows: the Usage view's cells on screen, and the
    /// selected family's keys (the details panel). Only these are read.
    fn want_usage(&mut self) {
        let mut shown = self
            .usage_view
            .as_ref()
            .map(|view| view.on_screen.take())
            .unwrap_or_default();
        if let Some(id) = &self.selected
            && let Some(family) = self.work.inventory.estate().family(id)
        {
            shown.extend(family.described().map(|k| (id.clone(), k.region)));
        }
        if let Some(retire) = &self.retire {
            let (id, region) = retire.key();
            shown.push((id.clone(), region));
        }
        if let Some(view) = &mut self.usage_view {
            view.now = self.options.clock.now();
        }
        self.work.inventory.want_usage(&self.runner, shown);
    }

    /// The first frame: background jobs wake this context when they finish (nothing repaints
    /// on a timer), and the first scan starts.
    fn start_once(&mut self, ctx: &egui::Context) {
        if self.started {
            return;
        }
        let ctx = ctx.clone();
        self.runner
            .set_repaint(std::sync::Arc::new(move || ctx.request_repaint()));
        if self.scan_on_start {
            self.for_every_inventory(|i, runner| i.refresh(runner));
        }
        self.started = true;
    }

    /// Every finished job folded into the state, and the work that follows the estate started.
    fn fold_in_background_work(&mut self) {
        self.work.inventory.poll(&self.runner);
        self.poll_parked();
        for output in self.work.inventory.take_finished_tasks() {
            self.absorb(output);
        }
        self.refresh_findings();
        self.refresh_changes_since();
        self.reread_changed_families();
        self.follow_apply();
        self.reaudit_after_apply();
    }

    /// The toolbar, banners, filter bar and status bar, and the panels that are open.
    fn panels(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui, commands));
        if let Some(problem) = self.credentials_problem() {
            egui::Panel::top("credentials-banner")
                .show(ui, |ui| self.credentials_banner(ui, &problem, commands));
        }
        let reading_tags = self.work.inventory.task_running(&TaskKey::PrimaryTags);
        egui::Panel::top("filters").show(ui, |ui| {
            self.work
                .filters
                .show(ui, self.work.inventory.estate(), reading_tags, commands)
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        // The details first: the right panel then runs the window's full height, never cut
        // at the edge of a panel below the grid.
        self.details_panel(ui, commands);
        let share = self.bottom_panel_share(ui.ctx());
        if self.work.audit.open {
            egui::Panel::bottom("findings")
                .resizable(true)
                .default_size(220.0_f32.min(share))
                .max_size(share)
                .show(ui, |ui| {
                    let running = self.work.inventory.task_running(&TaskKey::AuditProps)
                        || self.work.inventory.task_running(&TaskKey::Findings);
                    within_panel(ui, "findings-panel", |ui| {
                        self.work.audit.show(
                            ui,
                            self.work.inventory.estate().regions(),
                            running,
                            commands,
                        )
                    })
                });
        }
        if self.plan_view.open {
            egui::Panel::bottom("plan")
                .resizable(true)
                .default_size(260.0_f32.min(share))
                .max_size(share)
                .show(ui, |ui| {
                    let context = PlanContext {
                        planning: self.work.inventory.task_running(&TaskKey::Plan),
                        applying: self.work.inventory.running_apply(),
                        read_only: self.options.read_only,
                        no_baseline: self.baseline.asks_nothing(),
                        now: (
                            self.work.inventory.estate().revision(),
                            self.baseline_revision,
                        ),
                    };
                    within_panel(ui, "plan-panel", |ui| {
                        self.plan_view.show(ui, context, commands)
                    })
                });
        }
        if self.history.open {
            egui::Panel::bottom("history")
                .resizable(true)
                .default_size(240.0_f32.min(share))
                .max_size(share)
                .show(ui, |ui| {
                    let busy = self.work.inventory.task_running(&TaskKey::Snapshots)
                        || self.history.since.is_some_and(|id| {
                            self.work.inventory.task_running(&TaskKey::ChangesSince(id))
                        });
                    within_panel(ui, "history-panel", |ui| {
                        self.history.show(ui, busy, commands)
                    })
                });
        }
    }

    /// The height each open panel below the grid may take: together at most 42% of the window,
    /// so the grid keeps its rows whatever is open (each can still be resized within it).
    fn bottom_panel_share(&self, ctx: &egui::Context) -> f32 {
        let open = [self.work.audit.open, self.plan_view.open, self.history.open]
            .iter()
            .filter(|o| **o)
            .count()
            .max(1);
        (ctx.content_rect().height() * 0.42 / open as f32).max(120.0)
    }

    /// The selected family's details, on the right.
    fn details_panel(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let Some(id) = &self.selected else {
            return;
        };
        egui::Panel::right("details")
            .default_size(380.0)
            .show(ui, |ui| {
                let trail = if self
                    .work
                    .inventory
                    .task_running(&TaskKey::Trail(id.clone()))
                {
                    crate::ui::details::TrailView::Reading
                } else {
                    match &self.trail {
                        Some((of, read)) if of == id => crate::ui::details::TrailView::Read(read),
                        _ => crate::ui::details::TrailView::NotRead,
                    }
                };
                let audit = crate::ui::details::AuditView {
                    findings: self.work.audit.for_family(id).collect(),
                    props: self.work.audit.props(),
                    trail,
                    now: self.options.clock.now(),
                    verification: if self
                        .work
                        .inventory
                        .task_running(&TaskKey::Verify(id.clone()))
                    {
                        Some(None)
                    } else {
                        match &self.verification {
                            Some((of, result)) if of == id => Some(Some(result)),
                            _ => None,
                        }
                    },
                };
                crate::ui::details::show(
                    ui,
                    &self.work.inventory,
                    id,
                    self.options.read_only,
                    &audit,
                    commands,
                )
            });
    }

    /// The windows that are open, each closed by what it answers (one protocol: `window`).
    fn dialogs(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let view = WindowView {
            estate_view: &self.work.inventory,
            read_only: self.options.read_only,
        };
        show_window(&mut self.chooser, ctx, &view, commands);
        show_window(&mut self.replicate, ctx, &view, commands);
        show_window(&mut self.grant_dialog, ctx, &view, commands);
        if let Some(retire) = &mut self.retire {
            retire.now = self.options.clock.now();
        }
        show_window(&mut self.retire, ctx, &view, commands);
        show_window(&mut self.verify_dialog, ctx, &view, commands);
        show_window(&mut self.import_dialog, ctx, &view, commands);
        show_window(&mut self.material_delete_dialog, ctx, &view, commands);
        show_window(&mut self.confirm, ctx, &view, commands);
        self.shortcuts_window(ctx);
    }

    /// The grid of the account worked in (a section of its own among several accounts').
    pub(crate) fn show_active_grid(
        &mut self,
        ui: &mut Ui,
        section: Option<usize>,
        commands: &mut Vec<Command>,
    ) {
        let parts = crate::ui::org::GridParts {
            estate_view: &self.work.inventory,
            audit: &self.work.audit,
            filters: &mut self.work.filters,
            coverage: &mut self.work.coverage,
            selected: self.selected.as_ref(),
            changed: &self.history.changed_cells,
            cursor: Some(&self.cursor),
            usage: self.usage_view.as_ref(),
        };
        let baseline = (&self.baseline, self.baseline_revision);
        let read_only = self.options.read_only;
        crate::ui::org::show_grid(ui, parts, baseline, read_only, section, commands);
    }

    /// The first Region whose scan failed because of credentials, with the problem.
    pub(super) fn credentials_problem(&self) -> Option<(Region, crate::domain::Problem)> {
        let estate = self.work.inventory.estate();
        estate
            .regions()
            .iter()
            .find_map(|r| match estate.status(*r) {
                RegionStatus::Failed(p) if p.kind == crate::domain::ProblemKind::Credentials => {
                    Some((*r, p.clone()))
                }
                _ => None,
            })
    }

    pub(super) fn credentials_banner(
        &self,
        ui: &mut Ui,
        (region, problem): &(Region, crate::domain::Problem),
        commands: &mut Vec<Command>,
    ) {
        let who = self.work.inventory.credential_source();
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "Credentials from {who} were rejected in {region} ({problem}). Renew them \
                     (for example aws sso login), then reload: nothing on screen is lost."
                ),
            );
            let reloading = self
                .work
                .inventory
                .task_running(&TaskKey::ReloadCredentials);
            let button = ui
                .add_enabled(
                    self.work.inventory.can_reload() && !reloading,
                    egui::Button::new("Reload credentials"),
                )
                .on_disabled_hover_text(if reloading {
                    "Reloading…"
                } else {
                    "These credentials were given on start-up and cannot be reloaded."
                });
            if button.clicked() {
                commands.push(Command::ReloadCredentials);
            }
        });
    }
}

/// A panel's contents scroll inside the panel's height: never drawn over the panel below.
fn within_panel(ui: &mut Ui, id: &str, contents: impl FnOnce(&mut Ui)) {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .auto_shrink([false, false])
        .show(ui, contents);
}
