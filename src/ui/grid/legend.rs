//! The legend under the grid: every mark explained, in words as well as colour.

use egui::{RichText, Ui};

use super::*;

/// What the marks of the grid mean, in one line under it.
pub fn legend(ui: &mut Ui, baseline: &Baseline, comparing: bool, usage: bool) {
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
                .color(egui::Color32::WHITE)
                .background_color(MISSING_COLOUR),
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
        if usage {
            use crate::domain::usage::Age;
            for (age, meaning) in [
                (Age::Today, "a successful use in the last day"),
                (Age::Days(45), "last used that many days ago"),
                (Age::Never, "not used since it was made"),
                (
                    Age::NoRecord(90),
                    "no use since tracking began: it may have been used before",
                ),
            ] {
                item(
                    ui,
                    RichText::new(age.label())
                        .small()
                        .color(super::usage_colour(age)),
                    meaning,
                );
            }
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
