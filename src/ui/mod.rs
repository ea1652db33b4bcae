//! egui only: reads state, draws it, and turns clicks into commands. Never calls the SDK, never
//! waits on the network.

mod action_dialog;
mod app;
mod audit_panel;
pub mod badge;
pub mod clock;
mod command;
mod details;
mod filter_bar;
mod grant_dialog;
mod grid;
mod history_panel;
mod import_dialog;
#[cfg(test)]
mod literal_estate;
mod material_delete_dialog;
mod org;
mod parity_view;
mod plan_view;
mod policy_editor;
mod region_chooser;
mod remembered;
mod replicate_dialog;
mod retire_dialog;
mod tag_editor;
mod verify_dialog;
mod window;

pub use app::{App, AppOptions};
pub use command::Command;
pub use filter_bar::SEARCH_LIMIT;
pub use org::AccountSlot;
pub use remembered::{Remembered, STORAGE_KEY};

/// "1 Region", "3 Regions": counts in words that agree in number.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A combo box with its caption first ("Sort by [Key ID ▾]"), the caption its accessible name.
/// The caption is painted rather than a label of its own, so assistive technology finds one
/// control by that name, the combo box.
pub fn captioned_combo<R>(
    ui: &mut egui::Ui,
    caption: &str,
    selected: impl Into<egui::WidgetText>,
    choices: impl FnOnce(&mut egui::Ui) -> R,
) -> Option<R> {
    let galley = egui::WidgetText::from(caption).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Body,
    );
    let (rect, _) = ui.allocate_exact_size(galley.size(), egui::Sense::hover());
    ui.painter()
        .galley(rect.min, galley, ui.visuals().text_color());
    let shown = egui::ComboBox::from_id_salt(caption)
        .selected_text(selected)
        .show_ui(ui, choices);
    let enabled = ui.is_enabled();
    shown
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, enabled, caption));
    shown.inner
}
