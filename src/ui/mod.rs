//! egui only: reads state, draws it, and turns clicks into commands. Never calls the SDK, never
//! waits on the network.

mod action_dialog;
mod app;
mod audit_panel;
pub mod badge;
mod command;
mod details;
mod filter_bar;
mod grant_dialog;
mod grid;
mod history_panel;
#[cfg(test)]
mod literal_estate;
mod org;
mod parity_view;
mod plan_view;
mod policy_editor;
mod region_chooser;
mod remembered;
mod replicate_dialog;
mod tag_editor;
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
