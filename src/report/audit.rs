//! The audit report: one model (schema version 1) rendered as JSON, CSV, Markdown or HTML.
//! Every report carries the scan time, account, partition and Regions scanned, so it stands as
//! evidence on its own.

use std::fmt::Write as _;

use serde::Serialize;

use super::json::{CoverageReport, coverage_report};
use crate::domain::Estate;
use crate::domain::audit::{Finding, Severity};
use crate::domain::key::format_utc;

/// Bump when a field is removed or changes meaning; adding fields keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub schema_version: u32,
    /// ISO 8601 UTC.
    pub generated_at: String,
    pub account: Option<String>,
    pub partition: Option<String>,
    pub regions_scanned: Vec<String>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Keys whose policy or tags could not be read, so their drift was not compared.
    pub not_compared: Vec<String>,
    #[serde(flatten)]
    pub coverage: CoverageReport,
}

pub fn audit_report(
    estate: &Estate,
    findings: Vec<Finding>,
    not_compared: Vec<String>,
    now: i64,
) -> AuditReport {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let account = estate
        .families()
        .flat_map(|(_, f)| f.described().map(|k| k.arn.clone()).collect::<Vec<_>>())
        .find_map(|arn| arn.split(':').nth(4).map(str::to_string));
    AuditReport {
        schema_version: SCHEMA_VERSION,
        generated_at: format_utc(now),
        account,
        partition: estate
            .regions()
            .first()
            .map(|r| r.partition().arn_name().to_string()),
        regions_scanned: estate.regions().iter().map(|r| r.to_string()).collect(),
        summary: Summary {
            high: count(Severity::High),
            medium: count(Severity::Medium),
            low: count(Severity::Low),
            info: count(Severity::Info),
        },
        findings,
        not_compared,
        coverage: coverage_report(estate),
    }
}

/// The output formats of `audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Markdown,
    Html,
}

impl AuditReport {
    pub fn render(&self, format: Format) -> Result<String, String> {
        match format {
            Format::Json => serde_json::to_string_pretty(self).map_err(|e| e.to_string()),
            Format::Csv => self.csv(),
            Format::Markdown => Ok(self.markdown()),
            Format::Html => Ok(self.html()),
        }
    }

    fn csv(&self) -> Result<String, String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header = [
            "severity",
            "kind",
            "key_id",
            "region",
            "message",
            "generated_at",
            "account",
        ];
        writer.write_record(header).map_err(|e| e.to_string())?;
        for f in &self.findings {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writer
                .write_record([
                    f.severity.to_string(),
                    kind,
                    f.key_id.as_ref().map(|k| k.to_string()).unwrap_or_default(),
                    f.region.map(|r| r.to_string()).unwrap_or_default(),
                    f.message.clone(),
                    self.generated_at.clone(),
                    self.account.clone().unwrap_or_default(),
                ])
                .map_err(|e| e.to_string())?;
        }
        let bytes = writer.into_inner().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }

    fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# KMS multi-Region key audit\n");
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| Generated | {} |", self.generated_at);
        let _ = writeln!(
            md,
            "| Account | {} |",
            self.account.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            md,
            "| Partition | {} |",
            self.partition.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            md,
            "| Regions scanned | {} |",
            self.regions_scanned.join(", ")
        );
        let _ = writeln!(md, "| Key families | {} |", self.coverage.families.len());
        let s = &self.summary;
        let _ = writeln!(
            md,
            "| Findings | {} high, {} medium, {} low, {} info |\n",
            s.high, s.medium, s.low, s.info
        );
        let _ = writeln!(md, "## Findings\n");
        if self.findings.is_empty() {
            let _ = writeln!(md, "No findings.\n");
        } else {
            let _ = writeln!(
                md,
                "| Severity | Key | Region | Finding |\n|---|---|---|---|"
            );
            for f in &self.findings {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    f.severity,
                    f.key_id
                        .as_ref()
                        .map(|k| format!("`{k}`"))
                        .unwrap_or_default(),
                    f.region.map(|r| r.to_string()).unwrap_or_default(),
                    f.message.replace('|', "\\|")
                );
            }
            md.push('\n');
        }
        if !self.not_compared.is_empty() {
            let _ = writeln!(md, "## Not compared\n");
            for line in &self.not_compared {
                let _ = writeln!(md, "- {line}");
            }
            md.push('\n');
        }
        let _ = writeln!(md, "## Coverage\n");
        let regions: Vec<&str> = self
            .coverage
            .regions
            .iter()
            .map(|r| r.region.name())
            .collect();
        let _ = writeln!(md, "| Key family | {} |", regions.join(" | "));
        let _ = writeln!(md, "|---|{}", "---|".repeat(regions.len()));
        for family in &self.coverage.families {
            let cells: Vec<String> = family
                .cells
                .iter()
                .map(|c| match (&c.state, &c.problem) {
                    (Some(state), _) => format!("{} {state}", c.cell),
                    (None, Some(p)) => format!("unknown: {}", p.kind.label()),
                    _ => c.cell.to_string(),
                })
                .collect();
            let name = match &family.alias {
                Some(alias) => format!("`{}` {alias}", family.key_id),
                None => format!("`{}`", family.key_id),
            };
            let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
        }
        md
    }

    fn html(&self) -> String {
        let escape = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut html = String::from(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>KMS multi-Region key audit</title>\
             <style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\
             .high{color:#b71c1c;font-weight:bold}.medium{color:#e65100}.low{color:#1565c0}</style></head><body>\n",
        );
        let _ = writeln!(html, "<h1>KMS multi-Region key audit</h1>");
        let _ = writeln!(
            html,
            "<p>Generated {} · account {} · partition {} · Regions {}</p>",
            escape(&self.generated_at),
            escape(self.account.as_deref().unwrap_or("unknown")),
            escape(self.partition.as_deref().unwrap_or("unknown")),
            escape(&self.regions_scanned.join(", "))
        );
        let s = &self.summary;
        let _ = writeln!(
            html,
            "<p>{} high, {} medium, {} low, {} info</p>",
            s.high, s.medium, s.low, s.info
        );
        let _ = writeln!(
            html,
            "<table><tr><th>Severity</th><th>Key</th><th>Region</th><th>Finding</th></tr>"
        );
        for f in &self.findings {
            let _ = writeln!(
                html,
                "<tr><td class=\"{0}\">{0}</td><td><code>{1}</code></td><td>{2}</td><td>{3}</td></tr>",
                f.severity,
                escape(&f.key_id.as_ref().map(|k| k.to_string()).unwrap_or_default()),
                f.region.map(|r| r.to_string()).unwrap_or_default(),
                escape(&f.message)
            );
        }
        html.push_str("</table>\n</body></html>\n");
        html
    }
}
