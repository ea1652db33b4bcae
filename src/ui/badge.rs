//! Key-state badges and problem markers: the text says the state, colour is a second channel.

use egui::{Color32, RichText, Ui};

use crate::domain::audit::Severity;
use crate::domain::{KeyState, ProblemKind};

/// Fill colour of a key-state badge.
pub fn state_colour(state: &KeyState) -> Color32 {
    match state {
        KeyState::Enabled => Color32::from_rgb(0x2e, 0x7d, 0x32),
        KeyState::Disabled => Color32::from_rgb(0x61, 0x61, 0x61),
        // A deep blue with a light edge (below): it stands out on the selected row's blue too.
        KeyState::Creating | KeyState::Updating => Color32::from_rgb(0x0d, 0x47, 0xa1),
        KeyState::PendingDeletion | KeyState::PendingReplicaDeletion => {
            Color32::from_rgb(0xc6, 0x28, 0x28)
        }
        KeyState::PendingImport => Color32::from_rgb(0xb2, 0x6a, 0x00),
        KeyState::Unavailable | KeyState::Other(_) => Color32::from_rgb(0x6a, 0x1b, 0x9a),
    }
}

/// A filled badge whose text is the KMS state name, so it reads the same without colour.
pub fn state_badge(ui: &mut Ui, state: &KeyState) -> egui::Response {
    egui::Frame::new()
        .fill(state_colour(state))
        .stroke(egui::Stroke::new(1.0, Color32::from_white_alpha(90)))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(5, 1))
        .show(ui, |ui| {
            ui.label(RichText::new(state.as_str()).color(Color32::WHITE).small())
        })
        .inner
}

/// Text colour for a problem: warnings for what may pass (throttling, timeouts), errors otherwise.
pub fn problem_colour(ui: &Ui, kind: ProblemKind) -> Color32 {
    match kind {
        ProblemKind::Throttled | ProblemKind::TimedOut => ui.visuals().warn_fg_color,
        _ => ui.visuals().error_fg_color,
    }
}

/// A problem marker: the problem's name ("AccessDenied", "Throttled", …) in an outlined box, so
/// it reads as "something is wrong here" with or without colour. Plain text only: the default
/// fonts have no warning sign glyph.
pub fn problem_badge(ui: &mut Ui, kind: ProblemKind) -> egui::Response {
    let colour = problem_colour(ui, kind);
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, colour))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(4, 0))
        .show(ui, |ui| {
            ui.label(RichText::new(kind.label()).color(colour).small())
        })
        .inner
}

/// A finding's severity as a filled mark: the word in white (black on orange) on its colour,
/// readable on any row, the selected one's blue included.
pub fn severity_badge(ui: &mut Ui, text: impl Into<String>, severity: Severity) -> egui::Response {
    let ink = match severity {
        Severity::Medium => Color32::BLACK,
        _ => Color32::WHITE,
    };
    egui::Frame::new()
        .fill(crate::ui::audit_panel::severity_colour(severity))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(4, 0))
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(text.into()).color(ink).small()).extend())
        })
        .inner
}
