//! Headless output of a scan (the `audit` subcommand) and of the history (`history`, `diff`,
//! `journal`), from the same domain values the GUI draws.

mod audit;
mod coverage;
mod history;
mod plan;

pub use audit::{
    AccountPart, AccountReport, AuditReport, Format, InAccount, ReadStatus, SCHEMA_VERSION,
    Summary, audit_report, organization_report,
};
pub use coverage::{CoverageReport, coverage_report};
pub use history::{HistoryFormat, render_diff, render_journal, render_snapshots};
pub use plan::render_plan;
