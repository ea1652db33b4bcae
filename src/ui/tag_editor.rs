//! The tag editor: key/value rows, add and remove, each bad row marked with its reason.

use egui::Ui;

use crate::domain::Tag;
use crate::domain::tags::{MAX_TAGS, check_tags};

pub fn show(ui: &mut Ui, tags: &mut Vec<Tag>) {
    let check = check_tags(tags);
    let mut remove = None;
    egui::Grid::new("tag-editor")
        .num_columns(4)
        .spacing([6.0, 4.0])
        .show(ui, |ui| {
            ui.strong("Key");
            ui.strong("Value");
            ui.label("");
            ui.label("");
            ui.end_row();
            for (i, tag) in tags.iter_mut().enumerate() {
                let n = i + 1;
                ui.add(
                    egui::TextEdit::singleline(&mut tag.key)
                        .id_salt(("tag-key", i))
                        .hint_text("key")
                        .desired_width(160.0),
                )
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, format!("Tag {n} key"))
                });
                ui.add(
                    egui::TextEdit::singleline(&mut tag.value)
                        .id_salt(("tag-value", i))
                        .hint_text("value")
                        .desired_width(200.0),
                )
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, format!("Tag {n} value"))
                });
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
                match check.rows.get(i).cloned().flatten() {
                    Some(problem) => {
                        ui.colored_label(ui.visuals().error_fg_color, problem.to_string());
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        tags.remove(i);
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(tags.len() < MAX_TAGS, egui::Button::new("Add tag"))
            .clicked()
        {
            tags.push(Tag::default());
        }
        if check.too_many {
            ui.colored_label(ui.visuals().error_fg_color, "At most 50 tags.");
        }
    });
}
