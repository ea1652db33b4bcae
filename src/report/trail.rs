//! `trail`: a family's CloudTrail records as JSON (a stable schema) or Markdown.

use serde::Serialize;

use super::RenderError;
use super::audit::md_cell;
use crate::domain::key::format_utc;
use crate::domain::trail::TrailEntry;

/// The JSON schema's version: fields are added, never renamed or removed, within one.
pub const TRAIL_SCHEMA_VERSION: u32 = 1;

/// What `trail` reports.
#[derive(Debug, Serialize)]
pub struct TrailReport<'a> {
    pub schema_version: u32,
    pub key_id: &'a str,
    /// Seconds since the Unix epoch: the records are from this moment on.
    pub since: i64,
    /// The Regions whose records were asked for (where the family has a key).
    pub regions: Vec<String>,
    pub events: Vec<EventRow<'a>>,
    /// Regions whose records could not be read: the trail is incomplete there.
    pub not_read: Vec<NotRead>,
}

/// One record, flat (`from_this_app` says whether this app's journal has its request ID).
#[derive(Debug, Serialize)]
pub struct EventRow<'a> {
    /// ISO 8601, UTC.
    pub time: String,
    pub region: &'a str,
    pub account: &'a str,
    pub event_name: &'a str,
    pub identity_arn: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub error_code: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub event_id: &'a str,
    pub from_this_app: bool,
    /// Where in this app: `the window`, `apply of PLAN`.
    pub app_source: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct NotRead {
    pub region: String,
    pub reason: String,
}

impl TrailReport<'_> {
    pub fn json(&self) -> Result<String, RenderError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Trail of {} since {}\n\n{} record(s) in {}.\n\n",
            self.key_id,
            format_utc(self.since),
            self.events.len(),
            self.regions.join(", ")
        );
        for gap in &self.not_read {
            out.push_str(&format!(
                "Not read in {}: {}\n\n",
                gap.region,
                md_cell(&gap.reason)
            ));
        }
        out.push_str("| Time | Region | Event | Who | From | Error | This app |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for row in &self.events {
            let app = match (row.from_this_app, row.app_source) {
                (true, Some(source)) => md_cell(source),
                (true, None) => "yes".into(),
                (false, _) => String::new(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {app} |\n",
                row.time,
                row.region,
                md_cell(row.event_name),
                md_cell(row.identity_arn.unwrap_or("AWS")),
                md_cell(row.source_ip.unwrap_or("")),
                md_cell(row.error_code.unwrap_or("")),
            ));
        }
        out
    }
}

impl<'a> EventRow<'a> {
    pub fn of(entry: &'a TrailEntry) -> EventRow<'a> {
        let e = &entry.event;
        EventRow {
            time: format_utc(e.time),
            region: &e.region,
            account: &e.account,
            event_name: &e.event_name,
            identity_arn: e.identity_arn.as_deref(),
            source_ip: e.source_ip.as_deref(),
            error_code: e.error_code.as_deref(),
            request_id: e.request_id.as_deref(),
            event_id: &e.event_id,
            from_this_app: entry.from_this_app,
            app_source: entry.app_source.as_deref(),
        }
    }
}
