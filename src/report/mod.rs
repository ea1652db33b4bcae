//! Headless output of a scan (the `audit` subcommand), from the same domain values the GUI draws.

mod json;

pub use json::{CoverageReport, coverage_report};
