//! The tag editor: key/value rows, add and remove, each bad row marked with its reason.

use egui::Ui;

use crate::domain::Tag;
use crate::domain::tags::{MAX_TAGS, check_tags};

pub fn show(ui: &mut Ui, tags: &mut Vec<Tag>) {
    let check = check_tags(tags);
    let mut remove = None;
    // Sized to the dialog, not to a grid's first guess: a key and a value read whole.
    let room = (ui.available_width() - 90.0).max(240.0);
    let (key_width, value_width) = (room * 0.4, room * 0.6);
    let height = ui.spacing().interact_size.y;
    ui.horizontal(|ui| {
        ui.add_sized(
            [key_width, height],
            egui::Label::new(egui::RichText::new("Key").strong()),
        );
        ui.add_sized(
            [value_width, height],
            egui::Label::new(egui::RichText::new("Value").strong()),
        );
    });
    for (i, tag) in tags.iter_mut().enumerate() {
        let n = i + 1;
        ui.horizontal(|ui| {
            ui.add_sized(
                [key_width, height],
                egui::TextEdit::singleline(&mut tag.key)
                    .id_salt(("tag-key", i))
                    .hint_text("key"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, format!("Tag {n} key"))
            });
            ui.add_sized(
                [value_width, height],
                egui::TextEdit::singleline(&mut tag.value)
                    .id_salt(("tag-value", i))
                    .hint_text("value"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, format!("Tag {n} value"))
            });
            if ui.small_button("Remove").clicked() {
                remove = Some(i);
            }
        });
        if let Some(problem) = check.rows.get(i).cloned().flatten() {
            ui.colored_label(ui.visuals().error_fg_color, problem.to_string());
        }
    }
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

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;

    /// In a dialog-wide space, a key and a value field each hold their text whole.
    #[test]
    fn the_fields_take_the_width_of_the_dialog() {
        let tags = vec![Tag::new("team", "payments-platform")];
        let harness = Harness::builder()
            .with_size(egui::vec2(700.0, 300.0))
            .build_ui_state(|ui, tags: &mut Vec<Tag>| show(ui, tags), tags);
        let key = harness.get_by_label("Tag 1 key").rect();
        let value = harness.get_by_label("Tag 1 value").rect();
        assert!(key.width() > 200.0, "{key:?}");
        assert!(value.width() > 300.0, "{value:?}");
    }
}
