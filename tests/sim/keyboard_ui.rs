//! The window driven by the keyboard alone (egui_kittest, the real `App` on the demo estate):
//! Tab reaches the grid, the arrows, Home/End and PageUp/PageDown move its cursor, Enter opens
//! the cell's menu, Space selects the family, Escape closes the topmost window, Ctrl+F focuses
//! the search, `?` lists the shortcuts, and Tab stays inside an open dialog.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use kms_replica_console::domain::{MrkId, Region};
use kms_replica_console::sim::Sim;

use crate::harness::AppHarness;

const GRID: &str = "Key families grid";

fn demo() -> (Sim, AppHarness) {
    crate::app_limits::app_on_demo(egui::vec2(1600.0, 1000.0))
}

/// One key press, handled in the next frame.
fn press(harness: &mut AppHarness, key: Key) {
    harness.key_press(key);
    harness.step();
}

/// Draws frames until `shown` holds: a window or menu appears after egui's sizing pass, a frame
/// that is drawn but not shown. Fails after ten frames (it takes one or two).
fn frames_until(harness: &mut AppHarness, what: &str, shown: impl Fn(&AppHarness) -> bool) {
    for _ in 0..10 {
        if shown(harness) {
            return;
        }
        harness.step();
    }
    panic!("{what} never appeared");
}

fn grid_focused(harness: &AppHarness) -> bool {
    harness
        .query_by_label_contains(GRID)
        .is_some_and(|n| n.is_focused())
}

/// Tabs from nothing focused until the grid has focus (there are fewer controls than this).
fn tab_to_the_grid(harness: &mut AppHarness) {
    for _ in 0..80 {
        if grid_focused(harness) {
            return;
        }
        press(harness, Key::Tab);
    }
    panic!("Tab never reached the grid");
}

/// The family in `row` of the rows shown and the Region of `column`.
fn cell(harness: &AppHarness, row: usize, column: usize) -> (MrkId, Region) {
    let app = harness.state();
    (
        app.shown_rows()[row].clone(),
        app.inventory().estate().regions()[column],
    )
}

fn cursor_on(harness: &AppHarness, row: usize, column: usize) -> bool {
    let (id, region) = cell(harness, row, column);
    harness
        .query_by_label(&format!("{GRID}: {id} in {region}"))
        .is_some()
}

#[test]
fn tab_reaches_the_grid_and_the_arrows_move_its_cursor() {
    let (_sim, mut harness) = demo();
    tab_to_the_grid(&mut harness);
    press(&mut harness, Key::ArrowDown);
    assert!(
        cursor_on(&harness, 0, 0),
        "the first key shows the cursor top left"
    );
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::ArrowRight);
    assert!(cursor_on(&harness, 1, 1));
    press(&mut harness, Key::ArrowUp);
    press(&mut harness, Key::ArrowLeft);
    assert!(cursor_on(&harness, 0, 0));
    assert!(grid_focused(&harness), "the arrows did not move focus away");
}

#[test]
fn home_and_end_go_to_the_first_and_last_region() {
    let (_sim, mut harness) = demo();
    tab_to_the_grid(&mut harness);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::End);
    let last = harness.state().inventory().estate().regions().len() - 1;
    assert!(cursor_on(&harness, 0, last));
    press(&mut harness, Key::Home);
    assert!(cursor_on(&harness, 0, 0));
}

#[test]
fn page_down_and_page_up_move_ten_rows() {
    let (_sim, mut harness) = demo();
    assert!(harness.state().shown_rows().len() > 10);
    tab_to_the_grid(&mut harness);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::PageDown);
    assert!(cursor_on(&harness, 10, 0));
    press(&mut harness, Key::PageUp);
    assert!(cursor_on(&harness, 0, 0));
}

#[test]
fn enter_opens_the_menu_of_the_cursors_cell_and_escape_closes_it() {
    let (_sim, mut harness) = demo();
    tab_to_the_grid(&mut harness);
    press(&mut harness, Key::ArrowDown);
    let (_, region) = cell(&harness, 0, 0);
    // The menu speaks of the cell's Region: its actions there, or that the family has no key
    // there (the grid's own name says it once already).
    let about_region = |h: &AppHarness| {
        h.query_all_by_label_contains(&format!(" in {region}"))
            .count()
    };
    let before = about_region(&harness);
    press(&mut harness, Key::Enter);
    frames_until(&mut harness, "the cell's menu", |h| {
        about_region(h) > before
    });
    press(&mut harness, Key::Escape);
    frames_until(&mut harness, "the menu closed", |h| {
        about_region(h) == before
    });
}

#[test]
fn space_selects_the_family_under_the_cursor() {
    let (_sim, mut harness) = demo();
    tab_to_the_grid(&mut harness);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::ArrowDown);
    let (id, _) = cell(&harness, 1, 0);
    press(&mut harness, Key::Space);
    assert_eq!(harness.state().selected(), Some(&id));
    harness.get_by_label("Key family");
}

#[test]
fn escape_closes_the_regions_window() {
    let (_sim, mut harness) = demo();
    harness.get_by_label("Regions…").click_accesskit();
    frames_until(&mut harness, "the Regions window", |h| {
        h.query_by_label("Default set").is_some()
    });
    press(&mut harness, Key::Escape);
    assert!(harness.query_by_label("Default set").is_none());
}

#[test]
fn question_mark_lists_the_shortcuts_and_escape_closes_the_list() {
    let (_sim, mut harness) = demo();
    press(&mut harness, Key::Questionmark);
    frames_until(&mut harness, "the shortcuts", |h| {
        h.query_by_label("Move the grid's cursor one cell")
            .is_some()
    });
    press(&mut harness, Key::Escape);
    assert!(
        harness
            .query_by_label("Move the grid's cursor one cell")
            .is_none()
    );
}

#[test]
fn ctrl_f_focuses_the_search() {
    let (_sim, mut harness) = demo();
    assert!(!harness.get_by_label("Search").is_focused());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    frames_until(&mut harness, "focus on the search", |h| {
        h.get_by_label("Search").is_focused()
    });
}

#[test]
fn tab_stays_inside_the_regions_window() {
    let (_sim, mut harness) = demo();
    harness.get_by_label("Regions…").click_accesskit();
    frames_until(&mut harness, "the Regions window", |h| {
        h.query_by_label("Default set").is_some()
    });
    let mut inside = 0;
    for _ in 0..40 {
        press(&mut harness, Key::Tab);
        assert!(
            !harness.get_by_label("Refresh").is_focused(),
            "focus left the window"
        );
        assert!(
            !harness.get_by_label("Search").is_focused(),
            "focus left the window"
        );
        if harness.get_by_label("Default set").is_focused() {
            inside += 1;
        }
    }
    assert!(inside > 0, "Tab never reached the window's own buttons");
}
