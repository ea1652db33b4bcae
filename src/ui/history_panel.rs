//! The history panel: findings by severity over the audited snapshots, and "changes since" a
//! snapshot, listed here and marked on the grid's cells.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_plot::{Line, LineStyle, Plot, PlotPoints, Points, VLine};

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
        ui.horizontal(|ui| {
            super::captioned_combo(ui, "Changes since", selected, |ui| {
                ui.selectable_value(&mut self.since, None, "nothing (no marks)");
                for s in snapshots.iter().rev() {
                    ui.selectable_value(&mut self.since, Some(s.id), label(s));
                }
            });
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
        if diff.rules_changed {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                crate::domain::snapshot_diff::RULES_CHANGED,
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

/// A stretch of audited snapshots of one account judged by one set of rules: a trend line joins
/// the snapshots of one run and never two runs (their counts measure different things).
#[derive(Debug)]
struct Run<'a> {
    account: &'a str,
    /// `None`: saved before the history recorded the rules — a run of one, never joined.
    rules: Option<&'a str>,
    snapshots: Vec<&'a SnapshotSummary>,
}

/// The audited snapshots (in order) cut into runs: one open run per account, closed when that
/// account's next audit was judged by other rules or its rules are unknown.
fn runs<'a>(audited: &[&'a SnapshotSummary]) -> Vec<Run<'a>> {
    let mut runs: Vec<Run<'a>> = Vec::new();
    let mut open: HashMap<&str, usize> = HashMap::new();
    for snapshot in audited {
        let rules = snapshot.rules.as_deref();
        let joins = open
            .get(snapshot.account.as_str())
            .filter(|at| rules.is_some() && runs[**at].rules == rules);
        match joins {
            Some(at) => runs[*at].snapshots.push(snapshot),
            None => {
                open.insert(&snapshot.account, runs.len());
                runs.push(Run {
                    account: &snapshot.account,
                    rules,
                    snapshots: vec![snapshot],
                });
            }
        }
    }
    runs
}

/// The snapshots where an account's audit rules are known to differ from its previous audited
/// snapshot's (an unrecorded side is no known change: the caption counts those apart).
fn rule_changes(runs: &[Run<'_>]) -> Vec<i64> {
    let mut seen: HashMap<&str, Option<&str>> = HashMap::new();
    let mut changes = Vec::new();
    for run in runs {
        if let Some(Some(before)) = seen.insert(run.account, run.rules)
            && run.rules.is_some_and(|now| now != before)
            && let Some(first) = run.snapshots.first()
        {
            changes.push(first.id);
        }
    }
    changes.sort_unstable();
    changes
}

const SEVERITIES: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

/// Findings by severity over the audited snapshots (a snapshot without an audit is no point
/// on the lines: it is not zero findings). Lines break where the rules changed; the legend sits
/// above the plot, never over its lines.
fn findings_plot(ui: &mut Ui, snapshots: &[SnapshotSummary]) {
    ui.label("Findings by severity, audited snapshots");
    let audited: Vec<&SnapshotSummary> =
        snapshots.iter().filter(|s| s.findings.is_some()).collect();
    let (Some(first), Some(last)) = (audited.first(), audited.last()) else {
        ui.label(RichText::new("No audited snapshot yet: run Audit to add one.").weak());
        return;
    };
    let runs = runs(&audited);
    let changes = rule_changes(&runs);
    legend(ui);
    Plot::new("findings-over-time")
        .height(150.0)
        // The axes are snapshot IDs and counts: the view frames them all, from zero up.
        .include_x(first.id as f64 - 0.5)
        .include_x(last.id as f64 + 0.5)
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
            for id in &changes {
                plot.vline(
                    VLine::new("rules changed", *id as f64 - 0.5)
                        .color(egui::Color32::GRAY)
                        .style(LineStyle::dashed_loose()),
                );
            }
            for run in &runs {
                for severity in SEVERITIES {
                    let points = || PlotPoints::from(series(&run.snapshots, severity));
                    let colour = super::audit_panel::severity_colour(severity);
                    // Markers, so a run of one snapshot is visible too.
                    plot.points(
                        Points::new(severity.to_string(), points())
                            .radius(3.0)
                            .color(colour),
                    );
                    plot.line(Line::new(severity.to_string(), points()).color(colour));
                }
            }
        });
    plot_caption(ui, &runs, &changes, last);
}

/// `[id, count]` of `severity` at each snapshot of a run.
fn series(snapshots: &[&SnapshotSummary], severity: Severity) -> Vec<[f64; 2]> {
    snapshots
        .iter()
        .map(|s| [s.id as f64, count(s, severity) as f64])
        .collect()
}

fn count(snapshot: &SnapshotSummary, severity: Severity) -> usize {
    snapshot
        .findings
        .as_ref()
        .and_then(|f| f.get(&severity.to_string()))
        .copied()
        .unwrap_or(0)
}

/// Which colour is which severity, in a row of its own above the plot.
fn legend(ui: &mut Ui) {
    ui.horizontal(|ui| {
        for severity in SEVERITIES {
            let colour = super::audit_panel::severity_colour(severity);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 10.0), egui::Sense::hover());
            ui.painter().hline(
                rect.x_range(),
                rect.center().y,
                egui::Stroke::new(2.0, colour),
            );
            ui.label(RichText::new(severity.to_string()).color(colour));
        }
    });
}

/// What the lines do not say on their own: where they break and why, and the latest counts.
fn plot_caption(ui: &mut Ui, runs: &[Run<'_>], changes: &[i64], last: &SnapshotSummary) {
    let small = |ui: &mut Ui, text: String| ui.label(RichText::new(text).small());
    if !changes.is_empty() {
        let at: Vec<String> = changes.iter().map(|id| format!("#{id}")).collect();
        small(
            ui,
            format!(
                "Lines break where the audit's rules changed (the baseline or the expiry window): at {}",
                at.join(", ")
            ),
        );
    }
    let unrecorded = runs.iter().filter(|r| r.rules.is_none()).count();
    if unrecorded > 0 {
        small(
            ui,
            format!(
                "{} saved before the history recorded their rules: points, not joined",
                super::count(unrecorded, "audited snapshot", "audited snapshots")
            ),
        );
    }
    let accounts: std::collections::BTreeSet<&str> = runs.iter().map(|r| r.account).collect();
    if accounts.len() > 1 {
        small(
            ui,
            format!("{} accounts: one line per account", accounts.len()),
        );
    }
    small(
        ui,
        format!(
            "Latest audited (#{}): high {}, medium {}, low {}",
            last.id,
            count(last, Severity::High),
            count(last, Severity::Medium),
            count(last, Severity::Low)
        ),
    );
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
            rules: Some("rules-1".into()),
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
                rules_changed: true,
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
        harness.get_by_label(crate::domain::snapshot_diff::RULES_CHANGED);
    }

    fn judged(id: i64, account: &str, rules: Option<&str>) -> SnapshotSummary {
        SnapshotSummary {
            account: account.into(),
            rules: rules.map(str::to_string),
            ..snapshot(id, 1)
        }
    }

    fn run_ids(list: &[SnapshotSummary]) -> Vec<Vec<i64>> {
        let audited: Vec<&SnapshotSummary> = list.iter().collect();
        runs(&audited)
            .iter()
            .map(|r| r.snapshots.iter().map(|s| s.id).collect())
            .collect()
    }

    #[test]
    fn a_line_never_joins_snapshots_judged_by_different_rules() {
        let list = [
            judged(1, "111122223333", Some("a")),
            judged(2, "111122223333", Some("a")),
            judged(3, "111122223333", Some("b")),
            judged(4, "111122223333", Some("b")),
            judged(5, "111122223333", Some("a")),
        ];
        assert_eq!(run_ids(&list), vec![vec![1, 2], vec![3, 4], vec![5]]);
        let audited: Vec<&SnapshotSummary> = list.iter().collect();
        assert_eq!(rule_changes(&runs(&audited)), vec![3, 5]);
    }

    #[test]
    fn a_line_never_joins_two_accounts_nor_snapshots_whose_rules_were_not_recorded() {
        let list = [
            judged(1, "111122223333", None),
            judged(2, "111122223333", None),
            judged(3, "111122223333", Some("a")),
            judged(4, "444455556666", Some("a")),
            judged(5, "111122223333", Some("a")),
            judged(6, "444455556666", Some("a")),
        ];
        assert_eq!(
            run_ids(&list),
            vec![vec![1], vec![2], vec![3, 5], vec![4, 6]]
        );
        let audited: Vec<&SnapshotSummary> = list.iter().collect();
        assert!(
            rule_changes(&runs(&audited)).is_empty(),
            "an unrecorded side is no known change"
        );
    }

    #[test]
    fn the_chart_says_where_its_lines_break_and_its_legend_is_beside_not_over_them() {
        let state = HistoryPanel {
            open: true,
            snapshots: Some(Ok(vec![
                judged(1, "111122223333", None),
                judged(2, "111122223333", Some("a")),
                judged(3, "111122223333", Some("b")),
            ])),
            ..HistoryPanel::default()
        };
        let harness = Harness::new_ui_state(
            |ui, panel: &mut HistoryPanel| panel.show(ui, false, &mut Vec::new()),
            state,
        );
        harness.get_by_label_contains("rules changed (the baseline or the expiry window): at #3");
        harness.get_by_label(
            "1 audited snapshot saved before the history recorded their rules: points, not joined",
        );
        // The plot (150 points tall) is drawn between the legend and the captions below it.
        let below_plot = harness.get_by_label_contains("Latest audited").rect().top();
        for severity in ["high", "medium", "low"] {
            let entry = harness.get_by_label(severity).rect();
            assert!(
                entry.bottom() + 150.0 <= below_plot,
                "{severity}'s entry is above the plot, not over it: {entry:?}, captions at {below_plot}"
            );
        }
    }
}
