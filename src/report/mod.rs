//! Headless output of a scan (the `audit` subcommand) and of the history (`history`, `diff`,
//! `journal`), from the same domain values the GUI draws.

mod asff;
mod audit;
mod coverage;
mod history;
mod ocsf;
mod plan;
mod trail;
mod verify;

/// Why a report, a plan or a history listing could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write the JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the CSV is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
    #[error("{what} is written as json or md, not csv")]
    NotCsv { what: &'static str },
    #[error(
        "ASFF and OCSF name each finding's account, and the account is unknown (STS GetCallerIdentity did not answer)"
    )]
    NoAccount,
}

/// A CSV writer over memory that could not hand its bytes back.
impl From<csv::IntoInnerError<csv::Writer<Vec<u8>>>> for RenderError {
    fn from(e: csv::IntoInnerError<csv::Writer<Vec<u8>>>) -> RenderError {
        RenderError::Csv(e.into_error().into())
    }
}

pub use asff::{asff_records, resolved_records, stable_id};
pub use audit::{
    AccountPart, AccountReport, AuditReport, Format, InAccount, ReadStatus, SCHEMA_VERSION,
    Summary, audit_report, organization_report,
};
pub use coverage::{CoverageReport, coverage_report};
pub use history::{HistoryFormat, render_diff, render_journal, render_snapshots};
pub use ocsf::ocsf_records;
pub use plan::render_plan;
pub use trail::{EventRow, NotRead, TRAIL_SCHEMA_VERSION, TrailReport};
pub use verify::VerifyReport;

#[cfg(test)]
mod format_tests;
