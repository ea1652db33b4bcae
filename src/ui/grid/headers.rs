//! The grid's column headers: sorting, each Region's name, its scan status and its coverage.

use egui::{RichText, Ui};

use super::*;

/// A column title that sorts by its column when clicked (again: reversed), with an arrow when
/// it is the sort.
pub(super) fn sort_button(
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

pub(super) fn region_header(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    estate: &Estate,
    region: Region,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    let failed = match estate.status(region) {
        RegionStatus::Failed(problem) => Some(problem.clone()),
        _ => None,
    };
    let header = ui.vertical(|ui| {
        let name = if region.is_opt_in() {
            format!("{region} (opt-in)")
        } else {
            region.to_string()
        };
        sort_button(ui, &name, SortKey::Region(region), ctx.sort, commands);
        match (estate.status(region), estate_view.progress(region)) {
            (_, Some(progress)) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    let text = match progress {
                        Some((done, total)) => {
                            format!("{done}/{}", crate::ui::count(total, "key", "keys"))
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
        match (&failed, ctx.coverage.get(&region)) {
            // Nothing was read there: no count of keys, which would read as "none".
            (Some(problem), _) => {
                ui.label(RichText::new("not read").small().weak())
                    .on_hover_text(format!("{region} could not be read: {problem}"));
            }
            (None, Some(coverage)) => coverage_summary(ui, region, coverage, ctx.baseline),
            (None, None) => {}
        }
    });
    if let Some(problem) = failed {
        header
            .response
            .on_hover_text(format!("{region} could not be read: {problem}"));
    }
}

/// The Region's line of the summary row: families with a key here, out of those the baseline
/// requires here (red while any is missing).
pub(super) fn coverage_summary(
    ui: &mut Ui,
    region: Region,
    c: &RegionCoverage,
    baseline: &Baseline,
) {
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
