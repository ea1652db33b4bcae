//! The key policy editor: monospace JSON with syntax highlighting, live validation with line and
//! column, a format button, and a side-by-side diff against the primary's policy.

use egui::{Color32, RichText, Ui};
use similar::{ChangeTag, TextDiff};

use crate::domain::policy::{format_policy, validate_policy};

/// Draws the editor for `text`; `primary` is the primary's policy for the diff, when known.
pub fn show(ui: &mut Ui, text: &mut String, primary: Option<&str>, show_diff: &mut bool) {
    let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
    let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = egui_extras::syntax_highlighting::highlight(
            ui.ctx(),
            ui.style(),
            &theme,
            buf.as_str(),
            "json",
        );
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    egui::ScrollArea::vertical()
        .id_salt("policy-editor")
        .max_height(220.0)
        .show(ui, |ui| {
            let response = ui.add(
                egui::TextEdit::multiline(text)
                    .id_salt("policy-text")
                    .code_editor()
                    .desired_rows(10)
                    .desired_width(f32::INFINITY)
                    .layouter(&mut layouter),
            );
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::MultilineTextInput, true, "Key policy (JSON)")
            });
        });
    ui.horizontal(|ui| {
        match validate_policy(text) {
            Ok(_) => {
                ui.label(
                    RichText::new(format!("Valid policy · {} of 32,768 bytes", text.len()))
                        .small()
                        .weak(),
                );
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Invalid policy: {e}"));
            }
        }
        if ui.button("Format").clicked()
            && let Ok(pretty) = format_policy(text)
        {
            *text = pretty;
        }
        if primary.is_some() {
            ui.toggle_value(show_diff, "Diff against the primary's policy");
        }
    });
    if *show_diff && let Some(primary) = primary {
        diff(ui, primary, text);
    }
}

/// The primary's policy on the left, this one on the right, line by line, in monospace with
/// `−` and `+` marking what only one side has (the colours repeat it, never carry it alone), in
/// a box tall enough to read and resizable by its corner.
pub fn diff(ui: &mut Ui, primary: &str, edited: &str) {
    // Compare formatted forms when both parse, so layout differences do not show as changes.
    let left = format_policy(primary).unwrap_or_else(|_| primary.to_string());
    let right = format_policy(edited).unwrap_or_else(|_| edited.to_string());
    let diff = TextDiff::from_lines(&left, &right);
    let removed = Color32::from_rgb(0xc6, 0x28, 0x28);
    let added = Color32::from_rgb(0x2e, 0x7d, 0x32);
    ui.label(RichText::new("− only in the primary's · + only in this one's").small());
    egui::Resize::default()
        .id_salt("policy-diff-size")
        .default_height(280.0)
        .min_height(120.0)
        .default_width(ui.available_width())
        .show(ui, |ui| {
            egui::ScrollArea::both()
                .id_salt("policy-diff")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    egui::Grid::new("policy-diff-grid")
                        .num_columns(2)
                        .striped(true)
                        .show(ui, |ui| {
                            ui.strong("Primary's policy");
                            ui.strong("This replica's policy");
                            ui.end_row();
                            for change in diff.iter_all_changes() {
                                let line = change.value().trim_end_matches('\n');
                                let marked = |mark: &str, c: Option<Color32>| {
                                    let text = RichText::new(format!("{mark} {line}")).monospace();
                                    match c {
                                        Some(c) => text.color(c),
                                        None => text,
                                    }
                                };
                                match change.tag() {
                                    ChangeTag::Equal => {
                                        ui.label(marked(" ", None));
                                        ui.label(marked(" ", None));
                                    }
                                    ChangeTag::Delete => {
                                        ui.label(marked("−", Some(removed)));
                                        ui.label("");
                                    }
                                    ChangeTag::Insert => {
                                        ui.label("");
                                        ui.label(marked("+", Some(added)));
                                    }
                                }
                                ui.end_row();
                            }
                        });
                });
        });
}
