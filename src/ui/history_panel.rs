//! The history panel: findings by severity over the audited snapshots, and "changes since" a
//! snapshot, listed here and marked on the grid's cells.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use super::command::Command;
use crate::domain::audit::Severity;
use crate::domain::history::SnapshotSummary;
use crate::domain::key::format_utc;
use crate::domain::snapshot_diff::{ChangeKind, Diff};
use crate::domain::{MrkId, Region};

#[derive(Default)]
pub struct HistoryPanel {
    pub open: bool,
    /// The snapshots, once read (or why they could not be).
    pub snapshots: Option<Result<Vec<SnapshotSummary>, crate::jobs::TaskError>>,
    /// The snapshot the grid is compared with.
    pub since: Option<i64>,
    /// The changes since `since`, and the estate revision they were computed at.
    pub changes: Option<(u64, Result<Diff, crate::jobs::TaskError>)>,
    /// Cells that changed since `since`, with what changed, for the grid.
    pub changed_cells: HashMap<(MrkId, Region), String>,
}

impl HistoryPanel {
    /// Takes the changes computed at `revision`, and marks the cells they are about.
    pub fn set_changes(&mut self, revision: u64, diff: Result<Diff, crate::jobs::TaskError>) {
        self.changed_cells.clear();
        if let Ok(diff) = &diff {
            for change in diff.changes.iter().filter(|c| is_cell_change(c.kind)) {
                let (Some(id), Ok(region)) = (MrkId::parse(&change.key_id), change.region.parse())
                else {
                    continue;
                };
                self.changed_cells.insert(
                    (id, region),
                    describe(&change.kind, &change.from, &change.to),
                );
            }
        }
        self.changes = Some((revision, diff));
    }

    /// Stops comparing: no marks on the grid.
    fn clear_since(&mut self) {
        self.since = None;
        self.changes = None;
        self.changed_cells.clear();
    }

    pub fn show(&mut self, ui: &mut Ui, busy: bool, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.strong("History");
            if ui.small_button("Reload").clicked() {
                commands.push(Command::OpenHistory);
            }
            if ui.small_button("Close").clicked() {
                self.open = false;
                self.clear_since();
            }
            if busy {
                ui.spinner();
            }
        });
        let snapshots = match self.snapshots.take() {
            None => {
                ui.label("Reading the history…");
                return;
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why.to_string());
                self.snapshots = Some(Err(why));
                return;
            }
            // Taken for the frame and put back, not cloned: the list grows with every scan.
            Some(Ok(list)) => list,
        };
        ui.label(
            RichText::new(format!(
                "{}: each completed Refresh, each Audit, each headless audit",
                super::count(snapshots.len(), "snapshot", "snapshots")
            ))
            .small(),
        );
        self.since_selector(ui, &snapshots, commands);
        ui.columns(2, |columns| {
            findings_plot(&mut columns[0], &snapshots);
            self.changes_list(&mut columns[1]);
        });
        self.snapshots = Some(Ok(snapshots));
    }

    fn since_selector(
        &mut self,
        ui: &mut Ui,
        snapshots: &[SnapshotSummary],
        commands: &mut Vec<Command>,
    ) {
        let label =
            |s: &SnapshotSummary| format!("#{} · {} · {}", s.id, format_utc(s.time), s.source);
        let selected = self
            .since
            .and_then(|id| snapshots.iter().find(|s| s.id == id))
            .map_or("nothing (no marks)".to_string(), label);
        let before = self.since;
        egui::ComboBox::from_label("Changes since")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.since, None, "nothing (no marks)");
                for s in snapshots.iter().rev() {
                    ui.selectable_value(&mut self.since, Some(s.id), label(s));
                }
            });
        if self.since != before {
            match self.since {
                Some(id) => commands.push(Command::ChangesSince(id)),
                None => self.clear_since(),
            }
        }
    }

    fn changes_list(&self, ui: &mut Ui) {
        let Some((_, changes)) = &self.changes else {
            ui.label(
                RichText::new("Pick a snapshot to see what changed since, here and on the grid.")
                    .weak(),
            );
            return;
        };
        let diff = match changes {
            Ok(diff) => diff,
            Err(why) => {
                ui.colored_label(ui.visuals().error_fg_color, why.to_string());
                return;
            }
        };
        ui.label(format!(
            "{} since the snapshot (cells marked \"changed\")",
            super::count(diff.changes.len(), "change", "changes")
        ));
        if !diff.not_compared.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Not compared (read in only one of the two): {}",
                    diff.not_compared.join(", ")
                ),
            );
        }
        if !diff.keys_not_compared.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Keys not compared (not read completely): {}",
                    diff.keys_not_compared.join(", ")
                ),
            );
        }
        egui::ScrollArea::vertical()
            .id_salt("history-changes")
            .max_height(160.0)
            .show(ui, |ui| {
                for c in &diff.changes {
                    ui.label(
                        RichText::new(format!(
                            "{} {} in {}: {}",
                            c.kind.as_str(),
                            c.key_id,
                            if c.region.is_empty() {
                                "every Region"
                            } else {
                                &c.region
                            },
                            describe(&c.kind, &c.from, &c.to)
                        ))
                        .small(),
                    );
                }
            });
    }
}

/// Changes that belong to one cell of the grid (findings are listed, not marked).
fn is_cell_change(kind: ChangeKind) -> bool {
    !matches!(kind, ChangeKind::FindingNew | ChangeKind::FindingResolved)
}

fn describe(kind: &ChangeKind, from: &Option<String>, to: &Option<String>) -> String {
    let none = "none".to_string();
    match kind {
        ChangeKind::FamilyAdded | ChangeKind::ReplicaAdded | ChangeKind::FindingNew => {
            format!("now {}", to.as_ref().unwrap_or(&none))
        }
        ChangeKind::FamilyRemoved | ChangeKind::ReplicaRemoved | ChangeKind::FindingResolved => {
            format!("was {}", from.as_ref().unwrap_or(&none))
        }
        // egui's default fonts have no arrow: words instead.
        ChangeKind::StateChanged | ChangeKind::RoleChanged => format!(
            "was {}, now {}",
            from.as_ref().unwrap_or(&none),
            to.as_ref().unwrap_or(&none)
        ),
    }
}

/// Findings by severity over the audited snapshots (a snapshot without an audit is no point
/// on the lines: it is not zero findings).
fn findings_plot(ui: &mut Ui, snapshots: &[SnapshotSummary]) {
    ui.label("Findings by severity, audited snapshots");
    let audited: Vec<&SnapshotSummary> =
        snapshots.iter().filter(|s| s.findings.is_some()).collect();
    if audited.is_empty() {
        ui.label(RichText::new("No audited snapshot yet: run Audit to add one.").weak());
        return;
    }
    let severities = [Severity::High, Severity::Medium, Severity::Low];
    let series = |severity: Severity| -> Vec<[f64; 2]> {
        audited
            .iter()
            .map(|s| {
                let n = s
                    .findings
                    .as_ref()
                    .and_then(|f| f.get(&severity.to_string()))
                    .copied()
                    .unwrap_or(0);
                [s.id as f64, n as f64]
            })
            .collect()
    };
    let (first, last_id) = (audited[0].id as f64, audited[audited.len() - 1].id as f64);
    Plot::new("findings-over-time")
        .height(150.0)
        .legend(Legend::default())
        // The axes are snapshot IDs and counts: the view frames them all, from zero up.
        .include_x(first - 0.5)
        .include_x(last_id + 0.5)
        .include_y(0.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(|mark, _| {
            let id = mark.value.round();
            if (mark.value - id).abs() < 1e-6 && id >= 1.0 {
                format!("#{id}")
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            for severity in severities {
                let colour = super::audit_panel::severity_colour(severity);
                // Markers, so a single audited snapshot is visible too.
                plot.points(
                    Points::new(severity.to_string(), PlotPoints::from(series(severity)))
                        .radius(3.0)
                        .color(colour),
                );
                plot.line(
                    Line::new(severity.to_string(), PlotPoints::from(series(severity)))
                        .color(colour),
                );
            }
        });
    let last = audited[audited.len() - 1];
    if let Some(counts) = &last.findings {
        let n = |s: Severity| counts.get(&s.to_string()).copied().unwrap_or(0);
        ui.label(
            RichText::new(format!(
                "Latest audited (#{}): high {}, medium {}, low {}",
                last.id,
                n(Severity::High),
                n(Severity::Medium),
                n(Severity::Low)
            ))
            .small(),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::domain::RegionRead;
    use crate::domain::history::RegionRecord;
    use crate::domain::snapshot_diff::Change;

    const KEY: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

    fn snapshot(id: i64, high: usize) -> SnapshotSummary {
        SnapshotSummary {
            id,
            time: 1_700_000_000 + id * 3_600,
            identity: "arn:aws:iam::111122223333:user/auditor".into(),
            account: "111122223333".into(),
            source: "audit".into(),
            regions: vec![RegionRecord {
                region: "us-east-1".into(),
                status: RegionRead::Scanned,
                problem: None,
            }],
            families: 1,
            findings: Some(BTreeMap::from([("high".to_string(), high)])),
        }
    }

    /// A panel comparing the grid with snapshot 1: one key disabled since, and a family the
    /// later audit could not read completely — built from literals, no store or scan.
    fn panel() -> HistoryPanel {
        let mut panel = HistoryPanel {
            open: true,
            snapshots: Some(Ok(vec![snapshot(1, 2), snapshot(2, 1)])),
            since: Some(1),
            ..HistoryPanel::default()
        };
        panel.set_changes(
            7,
            Ok(Diff {
                changes: vec![Change {
                    kind: ChangeKind::StateChanged,
                    account: "111122223333".into(),
                    key_id: KEY.into(),
                    region: "us-east-1".into(),
                    from: Some("Enabled".into()),
                    to: Some("Disabled".into()),
                }],
                not_compared: Vec::new(),
                keys_not_compared: vec![format!("{KEY} in eu-west-1")],
            }),
        );
        panel
    }

    #[test]
    fn the_changes_since_a_snapshot_are_listed_marked_and_what_was_not_compared_is_named() {
        let state = panel();
        let id = MrkId::parse(KEY).unwrap();
        assert!(
            state
                .changed_cells
                .contains_key(&(id, "us-east-1".parse().unwrap())),
            "the grid's cell is marked"
        );
        let harness = Harness::new_ui_state(
            |ui, panel: &mut HistoryPanel| panel.show(ui, false, &mut Vec::new()),
            state,
        );
        harness.get_by_label_contains("1 change since the snapshot");
        harness.get_by_label(&format!(
            "Keys not compared (not read completely): {KEY} in eu-west-1"
        ));
    }
}
