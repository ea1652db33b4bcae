//! The coverage grid: one row per multi-Region key family, one column per Region.
//!
//! Only the rows in view are laid out (`TableBody::rows`), and in them only the columns in view,
//! so the cost of a frame follows the window's size, not the size of the estate.

mod cells;
mod cursor;
mod family;
mod headers;
mod legend;

pub use cells::usage_colour;
use cells::{cell_ui, job_overlay, usage_mark};
pub use cursor::{GridCursor, Move};
use family::{family_label, family_menu};
pub use family::{key_menu, replicate_button};
use headers::{region_header, sort_button};
pub use legend::legend;

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
use crate::jobs::{ActionPhase, EstateView, ReplicaPhase};

/// Two lines: the key ID, then its alias and key spec.
const ROW_HEIGHT: f32 = 38.0;
const KEY_COLUMN_WIDTH: f32 = 330.0;
const REGION_COLUMN_WIDTH: f32 = 140.0;

/// What the grid needs besides the estate and the work on it.
pub struct GridContext<'a> {
    pub selected: Option<&'a MrkId>,
    pub read_only: bool,
    /// The families to show, in order, when a filter or sort is on; `None` shows all.
    pub rows: Option<&'a [MrkId]>,
    /// What the rows are sorted by, and whether descending (for the header arrows).
    pub sort: (SortKey, bool),
    /// Worst finding severity and count per family, after an audit.
    pub markers: &'a HashMap<MrkId, crate::ui::audit_panel::FamilyMarker>,
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
    /// The keyboard's cell, in the grid of the account worked in.
    pub cursor: Option<&'a GridCursor>,
    /// The Usage view: each key cell on screen shows how long ago it was last used.
    pub usage: Option<&'a UsageView>,
}

/// The Usage view of the grid: when it is now, and the key cells drawn this frame (what the
/// window wants the usage of; nothing else is read).
#[derive(Debug, Default)]
pub struct UsageView {
    pub now: i64,
    pub on_screen: std::cell::RefCell<Vec<(MrkId, Region)>>,
}

/// The grid's keyboard focus: Tab reaches it, and while it has focus the arrows move the cursor.
pub fn keyboard_focus_id() -> egui::Id {
    egui::Id::unique("grid-keyboard")
}

/// Red for a required Region with no key, amber for a key where none is allowed.
pub const MISSING_COLOUR: egui::Color32 = egui::Color32::from_rgb(0xe5, 0x39, 0x35);
pub const NOT_ALLOWED_COLOUR: egui::Color32 = egui::Color32::from_rgb(0xf5, 0x9e, 0x0b);
/// Blue for a cell that changed since the history panel's snapshot.
pub const CHANGED_COLOUR: egui::Color32 = egui::Color32::from_rgb(0x42, 0xa5, 0xf5);

/// Draws the grid of `estate_view`'s estate; clicks and menu choices become commands.
pub fn show(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    let estate = estate_view.estate();
    if estate.family_count() == 0 {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            if estate_view.is_scanning() {
                ui.label("Scanning for multi-Region keys…");
            } else {
                ui.label("No multi-Region keys in the chosen Regions.");
            }
        });
        // The header still matters: it says which Regions failed.
    }
    let offset_id = egui::Id::unique(("grid-offset", ctx.section));
    let offset: f32 = ui.data(|d| d.get_temp(offset_id)).unwrap_or(0.0);
    // The key-family column stays put; the Regions scroll sideways beside it. Both tables
    // scroll vertically together: whichever the user moved this frame sets the other's offset.
    let (families, regions) = ui
        .horizontal_top(|ui| {
            // Each table in a column of its own: a table lays its header and rows out in its
            // parent's direction.
            let families = ui
                .vertical(|ui| {
                    let side = Side::Families;
                    table(ui, side, offset, estate_view, estate, ctx, commands).0
                })
                .inner;
            let regions = egui::ScrollArea::horizontal()
                .id_salt(("grid-regions-h", ctx.section))
                .auto_shrink([false, ctx.section.is_some()])
                .show(ui, |ui| {
                    let (offset, cursor_cell) = ui
                        .vertical(|ui| {
                            let side = Side::Regions;
                            table(ui, side, offset, estate_view, estate, ctx, commands)
                        })
                        .inner;
                    // Sideways to the cursor's cell from here: the table's own (vertical)
                    // scroll area takes every scroll target asked for inside it.
                    if let Some(rect) = cursor_cell {
                        ui.scroll_to_rect(rect, None);
                    }
                    offset
                })
                .inner;
            (families, regions)
        })
        .inner;
    let moved = [families, regions]
        .into_iter()
        .map(|y| y - offset)
        .find(|delta| delta.abs() > 0.5);
    if let Some(delta) = moved {
        ui.data_mut(|d| d.insert_temp(offset_id, offset + delta));
        ui.ctx().request_repaint();
    }
}

/// Which side of the grid a table draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The key-family column: it never scrolls sideways.
    Families,
    /// The Region columns.
    Regions,
}

/// One side of the grid, scrolled to `offset`; returns where it is scrolled to after this
/// frame's input, and the cursor's cell when the cursor moved onto it this frame.
fn table(
    ui: &mut Ui,
    side: Side,
    offset: f32,
    estate_view: &dyn EstateView,
    estate: &Estate,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) -> (f32, Option<egui::Rect>) {
    let regions = estate.regions();
    let mut cursor_cell = None;
    // Selectable labels would swallow the row's clicks and its context menu.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui);
    if side == Side::Regions
        && let Some(cursor) = ctx.cursor.filter(|c| c.shown && c.scroll)
    {
        builder = builder.scroll_to_row(cursor.row, None);
    }
    builder = builder
        .id_salt(("coverage-grid", side == Side::Families, ctx.section))
        .vscroll(ctx.section.is_none())
        .vertical_scroll_offset(offset)
        .striped(true)
        .resizable(true)
        .auto_shrink([true, ctx.section.is_some()])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .sense(egui::Sense::click());
    builder = match side {
        Side::Families => builder
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
            .column(Column::initial(KEY_COLUMN_WIDTH).at_least(160.0).clip(true)),
        Side::Regions => builder.columns(
            Column::initial(REGION_COLUMN_WIDTH)
                .at_least(90.0)
                .clip(true),
            regions.len(),
        ),
    };
    let output = builder
        .header(58.0, |mut header| match side {
            Side::Families => {
                header.col(|ui| {
                    ui.vertical(|ui| {
                        sort_button(ui, "Key family", SortKey::KeyId, ctx.sort, commands);
                        keyboard_target(ui, estate, ctx);
                        ui.small(if ctx.baseline.is_empty() {
                            "Coverage: families with a key"
                        } else {
                            "Coverage: with a key / required"
                        });
                    });
                });
            }
            Side::Regions => {
                for region in regions {
                    header.col(|ui| {
                        if ui.is_rect_visible(ui.max_rect()) {
                            region_header(ui, estate_view, estate, *region, ctx, commands);
                        }
                    });
                }
            }
        })
        .body(|body| {
            let count = ctx.rows.map_or(estate.family_count(), <[MrkId]>::len);
            body.rows(ROW_HEIGHT, count, |mut row| {
                let cell = body_row(&mut row, side, estate_view, ctx, commands);
                cursor_cell = cursor_cell.or(cell);
            });
        });
    (output.state.clamped_offset().y, cursor_cell)
}

/// One family's row on one side of the grid; returns the cursor's cell when it moved onto it.
fn body_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    side: Side,
    estate_view: &dyn EstateView,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) -> Option<egui::Rect> {
    let estate = estate_view.estate();
    let found = match ctx.rows {
        Some(rows) => rows
            .get(row.index())
            .and_then(|id| estate.family(id).map(|f| (id, f))),
        None => estate.family_at(row.index()),
    };
    let (id, family) = found?;
    row.set_selected(ctx.selected == Some(id));
    let mut cursor_cell = None;
    match side {
        Side::Families => {
            let marker = ctx.markers.get(id).copied();
            let (_, label) = row.col(|ui| {
                family_label(ui, id, family, ctx.props, marker);
            });
            label.context_menu(|ui| family_menu(ui, estate, id, ctx.read_only, commands));
        }
        Side::Regions => {
            let required = required_regions(ctx, id, family);
            let row_index = row.index();
            for (column, region) in estate.regions().iter().enumerate() {
                let at = (id, *region, required.contains(region));
                let cell = region_col(row, (row_index, column), at, estate_view, ctx, commands);
                cursor_cell = cursor_cell.or(cell);
            }
        }
    }
    if row.response().clicked() {
        commands.push(Command::Select(Some(id.clone())));
    }
    cursor_cell
}

/// One family's cell in one Region column, with its menu: on the right click, or from Enter
/// when the keyboard's cursor is on it. Returns the cell's rect when the cursor moved onto it.
fn region_col(
    row: &mut egui_extras::TableRow<'_, '_>,
    (row_index, column): (usize, usize),
    (id, region, required): (&MrkId, Region, bool),
    estate_view: &dyn EstateView,
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) -> Option<egui::Rect> {
    let estate = estate_view.estate();
    let column_failed = matches!(estate.status(region), RegionStatus::Failed(_));
    let at_cursor = ctx.cursor.filter(|c| c.is_at(row_index, column));
    let mut visible = false;
    let (_, cell) = row.col(|ui| {
        // Columns scrolled out of view are allocated but not laid out.
        visible = ui.is_rect_visible(ui.max_rect());
        if visible {
            let at = (id, region, column_failed, required);
            region_cell(ui, estate_view, estate, at, ctx, commands);
        }
        if at_cursor.is_some() {
            cursor_frame(ui);
        }
    });
    let menu = |ui: &mut Ui| {
        family_menu(ui, estate, id, ctx.read_only, commands);
        ui.separator();
        key_menu(ui, estate_view, id, region, ctx.read_only, commands);
    };
    if let Some(cursor) = at_cursor {
        keyboard_menu(&cell, cursor.open_menu, menu);
    } else if visible {
        cell.context_menu(menu);
    }
    at_cursor.filter(|c| c.scroll).map(|_| cell.rect)
}

/// Where Tab reaches the grid: while it has focus the app's arrows, Home/End, PageUp/PageDown,
/// Enter and Space drive the cursor. Its accessible name says where the cursor stands.
fn keyboard_target(ui: &mut Ui, estate: &Estate, ctx: &GridContext<'_>) {
    // The space it takes is the header's gap: the header looks the same.
    let rect = egui::Rect::from_min_size(ui.cursor().min, egui::vec2(ui.available_width(), 14.0));
    ui.add_space(14.0);
    if ctx.cursor.is_none() {
        return;
    }
    let response = ui.interact(
        rect,
        keyboard_focus_id(),
        egui::Sense::focusable_noninteractive(),
    );
    let at = ctx.cursor.filter(|c| c.shown).and_then(|c| {
        let id = match ctx.rows {
            Some(rows) => rows.get(c.row)?,
            None => estate.family_at(c.row)?.0,
        };
        Some((id, *estate.regions().get(c.column)?))
    });
    let name = match at {
        Some((id, region)) => format!("Key families grid: {id} in {region}"),
        None => "Key families grid".to_string(),
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Grid, true, &name));
    if response.has_focus() {
        ui.memory_mut(|m| {
            m.set_focus_lock_filter(
                response.id,
                egui::EventFilter {
                    horizontal_arrows: true,
                    vertical_arrows: true,
                    tab: false,
                    escape: false,
                },
            )
        });
        ui.painter().text(
            rect.left_center(),
            egui::Align2::LEFT_CENTER,
            "keyboard: arrows, Enter, Space · ? for keys",
            egui::FontId::proportional(11.0),
            ui.visuals().selection.stroke.color,
        );
    }
}

/// The cursor's cell, framed in the focus colour (a frame, not a fill: the cell's own colours
/// still read).
fn cursor_frame(ui: &Ui) {
    ui.painter().rect_stroke(
        ui.max_rect().shrink(1.0),
        2.0,
        egui::Stroke::new(2.0, ui.visuals().selection.stroke.color),
        egui::StrokeKind::Inside,
    );
}

/// The cursor cell's menu, opened by Enter and anchored to the cell (the pointer may be
/// anywhere). While it is open, focus stays in it: Tab or the arrows reach its items, Escape
/// closes it.
fn keyboard_menu(cell: &egui::Response, open_now: bool, contents: impl FnOnce(&mut Ui)) {
    let opened = egui::Popup::from_response(cell)
        .id(cell.id.with("keyboard-menu"))
        .kind(egui::PopupKind::Menu)
        .layout(egui::Layout::top_down_justified(egui::Align::Min))
        .open_memory(open_now.then_some(egui::SetOpenCommand::Bool(true)))
        .show(contents);
    if let Some(menu) = opened {
        cell.ctx
            .memory_mut(|m| m.set_modal_layer(menu.response.layer_id));
        if open_now {
            cell.ctx
                .memory_mut(|m| m.move_focus(egui::FocusDirection::Next));
        }
    }
}

/// One family's cell in one Region: its key (or why there is none), the job in flight there,
/// the audit's mark and "changed" since a chosen snapshot.
fn region_cell(
    ui: &mut Ui,
    estate_view: &dyn EstateView,
    estate: &Estate,
    (id, region, column_failed, required): (&MrkId, Region, bool, bool),
    ctx: &GridContext<'_>,
    commands: &mut Vec<Command>,
) {
    let cell = estate.cell(id, region);
    let mark = cell_mark(ctx.baseline, &cell, region, required);
    let has_key = matches!(cell, Cell::Primary(_) | Cell::Replica(_));
    cell_ui(ui, cell, region, column_failed, mark);
    if let Some(usage) = ctx.usage.filter(|_| has_key) {
        usage.on_screen.borrow_mut().push((id.clone(), region));
        usage_mark(ui, estate_view, id, region, usage.now);
    }
    job_overlay(ui, estate_view, id, region, ctx.read_only, commands);
    let severity = ctx.cell_markers.get(&(id.clone(), region));
    let changed = ctx.changed.get(&(id.clone(), region));
    if severity.is_none() && changed.is_none() {
        return;
    }
    if changed.is_some() {
        // A bar down the cell's left edge as well as the word: it crosses no label.
        let cell = ui.max_rect();
        let bar = egui::Rect::from_min_max(
            cell.left_top(),
            egui::pos2(cell.left() + 3.0, cell.bottom()),
        );
        ui.painter().rect_filled(bar, 0.0, CHANGED_COLOUR);
    }
    // The marks stacked, so each reads whole beside the key's role and state.
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 1.0;
        if let Some(severity) = severity {
            badge::severity_badge(ui, severity.to_string(), *severity)
                .on_hover_text("Audit findings here: see the findings panel");
        }
        if let Some(what) = changed {
            ui.label(RichText::new("changed").small().color(CHANGED_COLOUR))
                .on_hover_text(format!("Since the chosen snapshot: {what}"));
        }
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

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::literal_estate::{family_id, one_family};

    /// What a grid with no filter, audit, baseline or history mark is drawn from.
    #[derive(Default)]
    struct Plain {
        markers: HashMap<MrkId, crate::ui::audit_panel::FamilyMarker>,
        cell_markers: HashMap<(MrkId, Region), Severity>,
        changed: HashMap<(MrkId, Region), String>,
        props: crate::domain::audit::PropsMap,
        baseline: Baseline,
        tags: HashMap<MrkId, Vec<Tag>>,
        coverage: BTreeMap<Region, RegionCoverage>,
    }

    impl Plain {
        fn context<'a>(&'a self, cursor: Option<&'a GridCursor>) -> GridContext<'a> {
            GridContext {
                selected: None,
                read_only: false,
                rows: None,
                sort: (SortKey::default(), false),
                markers: &self.markers,
                cell_markers: &self.cell_markers,
                changed: &self.changed,
                props: &self.props,
                baseline: &self.baseline,
                tags: &self.tags,
                coverage: &self.coverage,
                section: None,
                cursor,
                usage: None,
            }
        }
    }

    /// The grid of the literal family, with no filter, audit or baseline.
    fn grid() -> Harness<'static, Vec<Command>> {
        let width = 1200.0;
        let estate = one_family();
        let plain = Plain::default();
        Harness::builder()
            .with_size(egui::vec2(width, 400.0))
            .build_ui_state(
                move |ui, commands: &mut Vec<Command>| {
                    let context = plain.context(None);
                    show(ui, &estate, &context, commands);
                },
                Vec::new(),
            )
    }

    #[test]
    fn the_grid_has_a_column_per_region_and_the_familys_keys_in_theirs() {
        let harness = grid();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            harness.get_by_label(region);
        }
        harness.get_by_label("alias/payments · SYMMETRIC_DEFAULT · ENCRYPT_DECRYPT");
        harness.get_by_label("Primary");
        harness.get_by_label("Replica");
        assert_eq!(harness.query_all_by_label("Enabled").count(), 2);
        // Nothing in ap-southeast-2: a quiet dot, no key.
        harness.get_by_label("·");
    }

    /// A literal estate whose keys' last usage is known: us-east-1 used an hour ago,
    /// eu-west-1 never.
    struct WithUsage {
        estate: Estate,
        usage: HashMap<(MrkId, Region), crate::jobs::UsageCell>,
    }

    impl EstateView for WithUsage {
        fn estate(&self) -> &Estate {
            &self.estate
        }
        fn key_usage(&self, id: &MrkId, region: Region) -> Option<&crate::jobs::UsageCell> {
            self.usage.get(&(id.clone(), region))
        }
    }

    const NOW: i64 = 1_800_000_000;

    fn with_usage() -> WithUsage {
        use crate::domain::usage::{KeyUsage, LastUse};
        use crate::jobs::UsageCell;
        let region = |r: &str| r.parse::<Region>().unwrap();
        let used = KeyUsage {
            last: Some(LastUse {
                operation: "Decrypt".into(),
                at: NOW - 3_600,
                cloudtrail_event_id: Some("e-1".into()),
                kms_request_id: None,
            }),
            tracking_start: NOW - 100 * 86_400,
            created: Some(NOW - 100 * 86_400),
        };
        let never = KeyUsage {
            last: None,
            ..used.clone()
        };
        WithUsage {
            estate: one_family(),
            usage: HashMap::from([
                ((family_id(), region("us-east-1")), UsageCell::Read(used)),
                ((family_id(), region("eu-west-1")), UsageCell::Read(never)),
            ]),
        }
    }

    #[test]
    fn the_usage_view_marks_each_key_on_screen_in_words_and_asks_for_those_only() {
        let view = with_usage();
        let plain = Plain::default();
        let usage = UsageView {
            now: NOW,
            ..UsageView::default()
        };
        let harness = Harness::builder()
            .with_size(egui::vec2(1200.0, 400.0))
            .build_ui_state(
                move |ui, asked: &mut Vec<(MrkId, Region)>| {
                    let context = GridContext {
                        usage: Some(&usage),
                        ..plain.context(None)
                    };
                    show(ui, &view, &context, &mut Vec::new());
                    *asked = usage.on_screen.take();
                },
                Vec::new(),
            );
        harness.get_by_label("used today");
        harness.get_by_label("never used");
        let mut asked: Vec<String> = harness
            .state()
            .iter()
            .map(|(_, region)| region.to_string())
            .collect();
        asked.sort();
        asked.dedup();
        assert_eq!(
            asked,
            vec!["eu-west-1", "us-east-1"],
            "the two key cells, not the empty one"
        );
    }

    #[test]
    fn without_the_usage_view_no_cell_shows_usage_even_when_it_is_known() {
        let view = with_usage();
        let plain = Plain::default();
        let harness = Harness::builder()
            .with_size(egui::vec2(1200.0, 400.0))
            .build_ui_state(
                move |ui, _: &mut ()| show(ui, &view, &plain.context(None), &mut Vec::new()),
                (),
            );
        harness.get_by_label("Primary");
        assert!(harness.query_by_label("used today").is_none());
    }

    #[test]
    fn clicking_a_familys_row_selects_it() {
        let mut harness = grid();
        harness
            .get_by_label("alias/payments · SYMMETRIC_DEFAULT · ENCRYPT_DECRYPT")
            .click();
        harness.run();
        assert_eq!(harness.state(), &vec![Command::Select(Some(family_id()))]);
    }

    /// An unreadable Region says "not read", never a count of keys that reads as "none".
    #[test]
    fn a_region_that_could_not_be_read_says_so_in_its_header() {
        use crate::domain::{Problem, ProblemKind};
        let mut estate = one_family();
        let region = crate::ui::literal_estate::region(crate::ui::literal_estate::EMPTY);
        let denied = Problem::new(
            ProblemKind::AccessDenied,
            "AccessDeniedException",
            "no kms:ListKeys",
        );
        estate.apply_failure(region, denied);
        let coverage = crate::domain::coverage::region_coverage(
            &estate,
            &Default::default(),
            &Default::default(),
        );
        let plain = Plain {
            coverage,
            ..Plain::default()
        };
        let harness = Harness::builder()
            .with_size(egui::vec2(1200.0, 400.0))
            .build_ui_state(
                move |ui, commands: &mut Vec<Command>| {
                    let context = plain.context(None);
                    show(ui, &estate, &context, commands);
                },
                Vec::new(),
            );
        harness.get_by_label("not read");
        assert_eq!(harness.query_all_by_label("1 with a key").count(), 2);
        assert!(harness.query_by_label("0 with a key").is_none());
    }

    /// Scrolled to the last Region, the key-family column is still in view.
    #[test]
    fn the_key_family_column_stays_in_view_when_the_regions_scroll() {
        let estate = one_family();
        let plain = Plain::default();
        let mut harness = Harness::builder()
            .with_size(egui::vec2(560.0, 400.0))
            .build_ui_state(
                move |ui, cursor: &mut GridCursor| {
                    let context = plain.context(Some(cursor));
                    show(ui, &estate, &context, &mut Vec::new());
                    // As the app does: a move scrolls its cell into view once.
                    cursor.scroll = false;
                },
                GridCursor::default(),
            );
        let family = "alias/payments · SYMMETRIC_DEFAULT · ENCRYPT_DECRYPT";
        let before = harness.get_by_label(family).rect();
        assert!(
            harness.query_by_label("ap-southeast-2").is_none(),
            "out of view at first"
        );
        // The keyboard's cursor moves onto the last Region.
        harness.state_mut().go(Move::Down, 1, 3);
        harness.state_mut().go(Move::End, 1, 3);
        harness.run();
        let last = harness.get_by_label("ap-southeast-2").rect();
        assert!(
            last.right() <= 560.0,
            "the last Region is in view: {last:?}"
        );
        let after = harness.get_by_label(family).rect();
        assert_eq!(after.left(), before.left(), "the key column did not move");
    }
}
