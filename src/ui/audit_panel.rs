//! The findings panel: run the audit on what the grid shows, counts by severity, the findings
//! (click one to open its family), the grid filters, and export of the report to a file.

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};

use super::command::Command;
use crate::domain::audit::{Finding, PropsMap, ReportFormat, Severity};
use crate::domain::{MrkId, Region};
use crate::jobs::{AuditResult, PropsRead, TaskError};

/// The panel's state: what the audit read, what it found, and the filters it drives. It holds
/// no background work: the app runs the reads and the findings as tasks and hands the results
/// in.
/// A family's findings for its row in the grid: the worst severity, how many are of it, and
/// how many there are in all ("1 high · 12 more", never "13 high").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FamilyMarker {
    pub worst: Option<Severity>,
    pub of_worst: usize,
    pub total: usize,
}

impl FamilyMarker {
    fn count(&mut self, severity: Severity) {
        self.total += 1;
        match self.worst {
            Some(worst) if worst > severity => {}
            Some(worst) if worst == severity => self.of_worst += 1,
            _ => {
                self.worst = Some(severity);
                self.of_worst = 1;
            }
        }
    }

    /// "1 high · 12 more", or "3 medium" when every finding is of the worst severity.
    pub fn words(&self) -> Option<(Severity, String)> {
        let worst = self.worst?;
        let more = self.total - self.of_worst;
        let text = match more {
            0 => format!("{} {worst}", self.of_worst),
            _ => format!("{} {worst} · {more} more", self.of_worst),
        };
        Some((worst, text))
    }
}

#[derive(Default)]
pub struct AuditPanel {
    pub open: bool,
    /// The audit was asked for at least once: findings follow the estate from then on.
    pub has_run: bool,
    /// Policies and tags read (by the audit, or for one family's details panel).
    pub read: PropsRead,
    /// The last findings, and the estate revision they are of.
    pub result: AuditResult,
    /// New props arrived: the findings must be computed again whatever the estate revision.
    pub stale: bool,
    /// The findings per family, counted by severity, built with `findings` for the grid.
    pub family_markers: HashMap<MrkId, FamilyMarker>,
    /// Worst severity of the findings per family and Region.
    pub cell_markers: HashMap<(MrkId, Region), Severity>,
    /// Bumped whenever the findings (and their markers) or the props change.
    pub revision: u64,
    /// Show only the families that have findings.
    pub only_with_findings: bool,
    /// Show only the families with no key in this Region.
    pub missing_in: Option<Region>,
    export_path: String,
    export_format: usize,
    pub export_result: Option<Result<String, TaskError>>,
    baseline_path: String,
    /// The baseline file last loaded from this panel, which the window remembers.
    pub loaded_baseline: Option<String>,
    /// What loading a baseline gave: where it came from, or why it could not be used.
    pub baseline_result: Option<Result<String, TaskError>>,
}

const FORMATS: [(&str, ReportFormat, &str); 6] = [
    ("JSON", ReportFormat::Json, "json"),
    ("CSV", ReportFormat::Csv, "csv"),
    ("Markdown", ReportFormat::Markdown, "md"),
    ("HTML", ReportFormat::Html, "html"),
    ("ASFF (Security Hub)", ReportFormat::Asff, "asff.json"),
    ("OCSF", ReportFormat::Ocsf, "ocsf.json"),
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
    /// Offers `path` in the baseline field (the file the window loaded last time), unloaded.
    pub fn offer_baseline(&mut self, path: String) {
        self.baseline_path = path;
    }

    pub fn findings(&self) -> &[Finding] {
        &self.result.findings
    }

    pub fn props(&self) -> &PropsMap {
        &self.read.props
    }

    /// The audit's own reads replace what was read before.
    pub fn absorb_audit_read(&mut self, read: PropsRead) {
        self.read = read;
        self.stale = true;
        self.revision += 1;
    }

    /// A family's reads (for its details panel) add to what is known.
    pub fn absorb_family_read(&mut self, read: PropsRead) {
        self.read.props.extend(read.props);
        self.read.problems.extend(read.problems);
        self.stale = true;
        self.revision += 1;
    }

    /// Drops what was read of family `id` (it changed: rotation, grants), so it is read again
    /// and the findings follow.
    pub fn forget_family(&mut self, id: &MrkId) {
        self.read.props.retain(|(key, _), _| key != id);
        self.read.problems.retain(|(key, _), _| key != id);
        self.stale = true;
        self.revision += 1;
    }

    /// Takes findings computed in the background, and rebuilds the grid's markers from them.
    pub fn set_result(&mut self, result: AuditResult) {
        self.result = result;
        self.revision += 1;
        self.family_markers.clear();
        self.cell_markers.clear();
        for f in &self.result.findings {
            let Some(id) = &f.key_id else {
                continue;
            };
            self.family_markers
                .entry(id.clone())
                .or_default()
                .count(f.severity);
            if let Some(region) = f.region {
                let cell = self
                    .cell_markers
                    .entry((id.clone(), region))
                    .or_insert(f.severity);
                *cell = (*cell).max(f.severity);
            }
        }
    }

    /// Findings about one family.
    pub fn for_family<'a>(&'a self, id: &'a MrkId) -> impl Iterator<Item = &'a Finding> + 'a {
        self.result
            .findings
            .iter()
            .filter(move |f| f.key_id.as_ref() == Some(id))
    }

    /// A baseline file to hold the grid and the audit to; a bad file changes nothing.
    fn baseline_row(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.baseline_path)
                    .char_limit(4096)
                    .hint_text("baseline.toml")
                    .desired_width(260.0),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Baseline file")
            });
            let load = ui
                .add_enabled(
                    !self.baseline_path.trim().is_empty(),
                    egui::Button::new("Load baseline…"),
                )
                .on_hover_text(
                    "Read a TOML baseline (required and allowed Regions, rules by alias or tag): \
                     the grid marks missing and not-allowed cells and the audit reports them.",
                );
            if load.clicked() {
                commands.push(Command::LoadBaseline(self.baseline_path.trim().to_string()));
            }
            match &self.baseline_result {
                Some(Ok(text)) => {
                    ui.label(RichText::new(text).small());
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
                None => {}
            }
        });
    }

    /// Draws the panel; `running` says whether the audit's reads or findings are under way.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        regions: &[Region],
        running: bool,
        commands: &mut Vec<Command>,
    ) {
        self.header_row(ui, regions, running, commands);
        self.export_row(ui, commands);
        self.baseline_row(ui, commands);
        let gaps = self.result.not_audited.len();
        if gaps > 0 && !running {
            // Never read as "all clear": say first that the picture is incomplete.
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "Incomplete: {} could not be audited (listed after the findings).",
                    super::count(gaps, "key or Region", "keys or Regions")
                ),
            );
        }
        ui.separator();
        self.findings_list(ui, commands);
    }

    /// Run again, Plan fixes…, the counts by severity and the filters.
    fn header_row(
        &mut self,
        ui: &mut Ui,
        regions: &[Region],
        running: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.strong("Findings");
            if running {
                ui.spinner();
                ui.label("Reading key policies and tags…");
            } else {
                if ui.button("Run audit again").clicked() {
                    commands.push(Command::RunAudit);
                }
                if ui
                    .button("Plan fixes…")
                    .on_hover_text(
                        "The calls that would bring every family to the baseline (its \
                         [replicas] table says what a replica should carry), to review and apply",
                    )
                    .clicked()
                {
                    commands.push(Command::MakePlan);
                }
            }
            for severity in [
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ] {
                let n = self
                    .result
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
            let regions = regions.to_vec();
            let missing_in = self
                .missing_in
                .map(|r| r.to_string())
                .unwrap_or_else(|| "any Region".into());
            super::captioned_combo(ui, "Missing in", missing_in, |ui| {
                ui.selectable_value(&mut self.missing_in, None, "any Region");
                for r in regions {
                    ui.selectable_value(&mut self.missing_in, Some(r), r.name());
                }
            });
            if ui.small_button("Close").clicked() {
                self.open = false;
            }
        });
    }

    /// The report's format and file, and Save report.
    fn export_row(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            super::captioned_combo(ui, "Report format", FORMATS[self.export_format].0, |ui| {
                for (i, (name, _, _)) in FORMATS.iter().enumerate() {
                    ui.selectable_value(&mut self.export_format, i, *name);
                }
            });
            if self.export_path.is_empty() {
                self.export_path = format!("kms-audit.{}", FORMATS[self.export_format].2);
            }
            ui.add(
                egui::TextEdit::singleline(&mut self.export_path)
                    .char_limit(4096)
                    .desired_width(260.0),
            )
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Report file"));
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
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                }
                None => {}
            }
        });
    }

    /// Every finding (a click selects its family), then what could not be audited.
    fn findings_list(&self, ui: &mut Ui, commands: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for f in &self.result.findings {
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
                for gap in &self.result.not_audited {
                    ui.label(
                        RichText::new(format!("Not audited: {gap}"))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::domain::audit::{FindingKind, NotAudited};

    const KEY: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

    fn marker(severities: &[Severity]) -> Option<String> {
        let mut m = FamilyMarker::default();
        for s in severities {
            m.count(*s);
        }
        m.words().map(|(_, words)| words)
    }

    #[test]
    fn a_rows_badge_counts_the_worst_severity_apart_from_the_rest() {
        let mut thirteen = vec![Severity::Medium; 12];
        thirteen.insert(5, Severity::High);
        assert_eq!(marker(&thirteen).as_deref(), Some("1 high · 12 more"));
        assert_eq!(marker(&[Severity::Medium; 3]).as_deref(), Some("3 medium"));
        assert_eq!(marker(&[]), None);
    }

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    /// A panel holding two findings and one key it could not audit: built from a literal, no
    /// simulator and no scan.
    fn panel() -> AuditPanel {
        let finding = |severity, kind, message: &str| Finding {
            severity,
            kind,
            key_id: MrkId::parse(KEY),
            region: Some(region("eu-west-1")),
            message: message.into(),
            subject: String::new(),
        };
        let mut panel = AuditPanel {
            open: true,
            has_run: true,
            ..AuditPanel::default()
        };
        panel.set_result(AuditResult {
            revision: 1,
            findings: vec![
                finding(
                    Severity::High,
                    FindingKind::PublicAccess,
                    "The key policy lets anyone use the key.",
                ),
                finding(
                    Severity::Low,
                    FindingKind::TagDrift,
                    "Tags differ from the primary's.",
                ),
            ],
            not_audited: vec![NotAudited {
                key_id: MrkId::parse(KEY),
                region: region("ap-southeast-2"),
                reason: "what the audit compares of it could not all be read (ListGrants failed: AccessDenied)".into(),
            }],
            rules: "rules-1".into(),
        });
        panel
    }

    #[test]
    fn the_panel_counts_by_severity_and_says_first_that_the_picture_is_incomplete() {
        let regions = [region("eu-west-1"), region("ap-southeast-2")];
        let harness = Harness::new_ui_state(
            |ui, panel: &mut AuditPanel| panel.show(ui, &regions, false, &mut Vec::new()),
            panel(),
        );
        harness.get_by_label("High: 1");
        harness.get_by_label("Low: 1");
        harness.get_by_label("Medium: 0");
        harness.get_by_label(
            "Incomplete: 1 key or Region could not be audited (listed after the findings).",
        );
        harness.get_by_label_contains("Not audited: mrk-1234abcd12ab34cd56ef1234567890ab in ap-southeast-2: what the audit compares of it could not all be read (ListGrants failed");
    }

    #[test]
    fn clicking_a_finding_selects_its_family() {
        let regions = [region("eu-west-1")];
        let mut harness = Harness::new_ui_state(
            |ui, (panel, emitted): &mut (AuditPanel, Vec<Command>)| {
                panel.show(ui, &regions, false, emitted)
            },
            (panel(), Vec::new()),
        );
        harness
            .get_by_label("The key policy lets anyone use the key.")
            .click();
        harness.run();
        let selected = harness
            .state()
            .1
            .iter()
            .any(|c| matches!(c, Command::Select(Some(id)) if id.as_str() == KEY));
        assert!(selected, "the click emitted Select of the finding's family");
    }
}
