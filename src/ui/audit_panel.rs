//! The findings panel: run the audit on what the grid shows, counts by severity, the findings
//! (click one to open its family), the grid filters, and export of the report to a file.

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};
use poll_promise::Promise;

use super::command::Command;
use crate::domain::audit::{
    AuditOptions, Baseline, Finding, NotAudited, PropsMap, Severity, audit, not_audited,
};
use crate::domain::{MrkId, Region};
use crate::jobs::{Inventory, Panicked, Runner, audit_targets, fetch_audit_props, now_epoch};
use crate::report::Format;

type Fetch = Promise<Result<(PropsMap, HashMap<(MrkId, Region), String>), Panicked>>;

/// The panel's state: the last audit's results and the filters it drives.
#[derive(Default)]
pub struct AuditPanel {
    pub open: bool,
    fetching: Option<Fetch>,
    /// The details panel's lazy fetch of one family's policies and tags.
    family_fetch: Option<Fetch>,
    pub props: PropsMap,
    pub findings: Vec<Finding>,
    /// Worst severity and count of findings per family, built with `findings` for the grid.
    pub family_markers: HashMap<MrkId, (Severity, usize)>,
    /// Worst severity of the findings per family and Region.
    pub cell_markers: HashMap<(MrkId, Region), Severity>,
    /// The keys whose policy and tags the last audit needed, and why those not read were not.
    targets: Vec<(MrkId, Region)>,
    problems: HashMap<(MrkId, Region), String>,
    /// What the audit could not look at: shown, never read as "no findings".
    pub not_audited: Vec<NotAudited>,
    /// Bumped whenever `findings` (and their markers) are recomputed.
    pub revision: u64,
    /// Show only the families that have findings.
    pub only_with_findings: bool,
    /// Show only the families with no key in this Region.
    pub missing_in: Option<Region>,
    export_path: String,
    export_format: usize,
    pub export_result: Option<Result<String, String>>,
}

const FORMATS: [(&str, Format, &str); 4] = [
    ("JSON", Format::Json, "json"),
    ("CSV", Format::Csv, "csv"),
    ("Markdown", Format::Markdown, "md"),
    ("HTML", Format::Html, "html"),
];

pub fn severity_colour(severity: Severity) -> Color32 {
    match severity {
        Severity::High => Color32::from_rgb(0xe5, 0x39, 0x35),
        Severity::Medium => Color32::from_rgb(0xfb, 0x8c, 0x00),
        Severity::Low => Color32::from_rgb(0x42, 0x8b, 0xe0),
        Severity::Info => Color32::GRAY,
    }
}

impl AuditPanel {
    /// Starts fetching what the audit needs for the current estate.
    pub fn start(&mut self, runner: &Runner, inventory: &Inventory) {
        let targets = audit_targets(inventory.estate());
        self.targets = targets.clone();
        self.fetching = Some(runner.spawn(fetch_audit_props(inventory.clients_handle(), targets)));
        self.open = true;
    }

    pub fn is_running(&self) -> bool {
        self.fetching.is_some()
    }

    /// Folds a finished fetch into findings.
    pub fn poll(&mut self, inventory: &Inventory) {
        if let Some(promise) = self.family_fetch.take() {
            match promise.try_take() {
                Err(pending) => self.family_fetch = Some(pending),
                Ok(Ok((props, _))) => self.props.extend(props),
                Ok(Err(p)) => tracing::error!("{p}"),
            }
        }
        let Some(promise) = self.fetching.take() else {
            return;
        };
        match promise.try_take() {
            Err(pending) => self.fetching = Some(pending),
            Ok(outcome) => {
                let (props, problems) = outcome.unwrap_or_else(|p| {
                    tracing::error!("{p}");
                    (PropsMap::new(), HashMap::new())
                });
                self.props = props;
                self.problems = problems;
                self.recompute(inventory);
            }
        }
    }

    pub fn recompute(&mut self, inventory: &Inventory) {
        let options = AuditOptions {
            expiry_days: 30,
            now: now_epoch(),
        };
        self.findings = audit(
            inventory.estate(),
            &self.props,
            &Baseline::default(),
            options,
        );
        self.not_audited = not_audited(
            inventory.estate(),
            &self.targets,
            &self.props,
            &self.problems,
        );
        self.revision += 1;
        self.family_markers.clear();
        self.cell_markers.clear();
        for f in &self.findings {
            let Some(id) = &f.key_id else {
                continue;
            };
            let family = self
                .family_markers
                .entry(id.clone())
                .or_insert((f.severity, 0));
            family.0 = family.0.max(f.severity);
            family.1 += 1;
            if let Some(region) = f.region {
                let cell = self
                    .cell_markers
                    .entry((id.clone(), region))
                    .or_insert(f.severity);
                *cell = (*cell).max(f.severity);
            }
        }
    }

    /// Fetches the policy and tags of one family's keys for its details panel, unless known.
    pub fn fetch_family(&mut self, runner: &Runner, inventory: &Inventory, id: &MrkId) {
        if self.family_fetch.is_some() {
            return;
        }
        let Some(family) = inventory.estate().family(id) else {
            return;
        };
        let targets: Vec<(MrkId, Region)> = family
            .described()
            .map(|k| (id.clone(), k.region))
            .filter(|slot| !self.props.contains_key(slot))
            .collect();
        if !targets.is_empty() {
            self.family_fetch =
                Some(runner.spawn(fetch_audit_props(inventory.clients_handle(), targets)));
        }
    }

    /// Findings about one family.
    pub fn for_family<'a>(&'a self, id: &'a MrkId) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.key_id.as_ref() == Some(id))
    }

    pub fn show(&mut self, ui: &mut Ui, inventory: &Inventory, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.strong("Findings");
            if self.is_running() {
                ui.spinner();
                ui.label("Reading key policies and tags…");
            } else if ui.button("Run audit again").clicked() {
                commands.push(Command::RunAudit);
            }
            for severity in [
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ] {
                let n = self
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .count();
                let name = match severity {
                    Severity::High => "High",
                    Severity::Medium => "Medium",
                    Severity::Low => "Low",
                    Severity::Info => "Info",
                };
                ui.label(
                    RichText::new(format!("{name}: {n}"))
                        .color(severity_colour(severity))
                        .strong(),
                );
            }
            ui.separator();
            ui.checkbox(&mut self.only_with_findings, "Only families with findings");
            let regions = inventory.estate().regions().to_vec();
            egui::ComboBox::from_label("Missing in")
                .selected_text(
                    self.missing_in
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "any Region".into()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.missing_in, None, "any Region");
                    for r in regions {
                        ui.selectable_value(&mut self.missing_in, Some(r), r.name());
                    }
                });
            if ui.small_button("Close").clicked() {
                self.open = false;
            }
        });
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("export-format")
                .selected_text(FORMATS[self.export_format].0)
                .show_ui(ui, |ui| {
                    for (i, (name, _, _)) in FORMATS.iter().enumerate() {
                        ui.selectable_value(&mut self.export_format, i, *name);
                    }
                });
            if self.export_path.is_empty() {
                self.export_path = format!("kms-audit.{}", FORMATS[self.export_format].2);
            }
            ui.add(egui::TextEdit::singleline(&mut self.export_path).desired_width(260.0))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Report file")
                });
            if ui.button("Save report").clicked() {
                commands.push(Command::ExportAudit(
                    self.export_path.clone(),
                    FORMATS[self.export_format].1,
                ));
            }
            match &self.export_result {
                Some(Ok(text)) => {
                    ui.label(RichText::new(text).small());
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for f in &self.findings {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(f.severity.to_string())
                                .color(severity_colour(f.severity))
                                .strong(),
                        );
                        if let Some(region) = f.region {
                            ui.label(RichText::new(region.name()).monospace().small());
                        }
                        let text = ui.add(egui::Label::new(&f.message).sense(egui::Sense::click()));
                        if text.clicked()
                            && let Some(id) = &f.key_id
                        {
                            commands.push(Command::Select(Some(id.clone())));
                        }
                    });
                }
                for gap in &self.not_audited {
                    ui.label(
                        RichText::new(format!("Not audited: {gap}"))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
            });
    }
}
