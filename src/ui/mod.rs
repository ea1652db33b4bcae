//! egui only: reads state, draws it, and turns clicks into commands. Never calls the SDK, never
//! waits on the network.

mod app;
pub mod badge;
mod command;
mod grid;
mod region_chooser;

pub use app::{App, AppOptions};
pub use command::Command;
