//! The one protocol every window of the app speaks, after `egui_demo_lib`'s `Demo`: the app
//! holds an open window as `Some(state)`, hands it the same view each frame, and drops it when
//! it answers `Closed`. No window closes itself another way (no public `open` flag, no bool).

use super::command::Command;
use crate::jobs::EstateView;

/// Whether a window stays open after this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Open,
    Closed,
}

impl Visibility {
    /// `Open` while `open` holds.
    pub fn open_while(open: bool) -> Visibility {
        match open {
            true => Visibility::Open,
            false => Visibility::Closed,
        }
    }
}

/// What every window reads each frame: the account's estate and the work under way on it, and
/// whether calls that change keys are allowed.
pub struct WindowView<'a> {
    pub estate_view: &'a dyn EstateView,
    pub read_only: bool,
}

/// A window (dialog) of the app.
pub trait Window {
    /// Draws the window for one frame, pushes what the user asked for, and says whether it
    /// stays open.
    fn show(
        &mut self,
        ctx: &egui::Context,
        view: &WindowView<'_>,
        commands: &mut Vec<Command>,
    ) -> Visibility;
}

/// Every dialog window opens the same way: centred, not collapsible (a confirmation is an
/// `egui::Modal`, centred too).
pub fn dialog(title: impl Into<egui::WidgetText>, ctx: &egui::Context) -> egui::Window<'static> {
    egui::Window::new(title)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .collapsible(false)
}

/// While a dialog window is open, the app behind it is dimmed and takes neither clicks nor
/// focus: Tab stays inside the dialog, as in a modal.
pub fn hold_focus(ctx: &egui::Context, shown: Option<&egui::Response>) {
    let Some(window) = shown else {
        return;
    };
    let backdrop = egui::LayerId::new(egui::Order::Background, egui::Id::unique("dialog-backdrop"));
    ctx.layer_painter(backdrop).rect_filled(
        ctx.content_rect(),
        0.0,
        egui::Color32::from_black_alpha(100),
    );
    ctx.memory_mut(|m| m.set_modal_layer(window.layer_id));
}

/// Draws the window in `slot`, if one is open, and drops it once it answers `Closed`.
pub fn show_window<W: Window>(
    slot: &mut Option<W>,
    ctx: &egui::Context,
    view: &WindowView<'_>,
    commands: &mut Vec<Command>,
) {
    if let Some(window) = slot
        && window.show(ctx, view, commands) == Visibility::Closed
    {
        *slot = None;
    }
}
