//! The audit report: one model (schema version 1) rendered as JSON, CSV, Markdown or HTML.
//! Every report carries the scan time, account, partition and Regions scanned, so it stands as
//! evidence on its own.

use std::fmt::Write as _;
use std::ops::Deref;

use serde::Serialize;

use super::coverage::{CellReport, CoverageReport, RegionReport, coverage_report};
use crate::domain::account::{Account, AccountStatus, account_of_arn};
use crate::domain::audit::{Finding, NotAudited, Severity};
use crate::domain::key::format_utc;
use crate::domain::{Estate, Region};

/// Bump when a field is removed or changes meaning; adding fields keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

/// A finding, or something not audited, with the account it is in.
#[derive(Debug, Serialize)]
pub struct InAccount<T> {
    #[serde(flatten)]
    pub item: T,
    /// The account's ID; `None` when the account is unknown (no STS answer, no key read).
    pub account: Option<String>,
}

impl<T> Deref for InAccount<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.item
    }
}

/// Whether an account was read: `read` | `not-read` in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadStatus {
    Read,
    NotRead,
}

/// One account of the scan: read, or not (and why).
#[derive(Debug, Clone, Serialize)]
pub struct AccountReport {
    pub id: String,
    /// Its name in Organizations (or the profile's), when known.
    pub name: Option<String>,
    pub status: ReadStatus,
    pub problem: Option<String>,
    /// How it was entered: `own credentials`, `role NAME`, `profile NAME`.
    pub access: String,
    pub families: usize,
    pub findings: usize,
}

impl AccountReport {
    pub fn of(account: &Account, families: usize, findings: usize) -> AccountReport {
        AccountReport {
            id: account.id.to_string(),
            name: account.name.clone(),
            status: match account.status {
                AccountStatus::Read => ReadStatus::Read,
                AccountStatus::NotRead(_) => ReadStatus::NotRead,
            },
            problem: account.problem().map(str::to_string),
            access: account.access.to_string(),
            families,
            findings,
        }
    }
}

/// One account's share of an organization-wide report: its own report when it was read.
pub struct AccountPart {
    pub account: Account,
    pub report: Option<AuditReport>,
}

#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub schema_version: u32,
    /// ISO 8601 UTC.
    pub generated_at: String,
    /// The same moment in seconds since the Unix epoch (for OCSF's `time`).
    #[serde(skip)]
    pub generated_epoch: i64,
    pub account: Option<String>,
    /// The identity the scan signed as (STS GetCallerIdentity's ARN), when it could be read.
    pub identity: Option<String>,
    pub partition: Option<String>,
    pub regions_scanned: Vec<String>,
    /// Every account of the scan (one for a single-account audit), read or not.
    pub accounts: Vec<AccountReport>,
    pub summary: Summary,
    pub findings: Vec<InAccount<Finding>>,
    /// Keys the audit could not look at (not described, policy or tags not read, primary not
    /// read), one line each naming the key, its Region and why.
    pub not_compared: Vec<String>,
    /// Everything the audit could not look at, Regions included, as `key_id` (absent for a
    /// whole Region), `region` and `reason`. Not empty means the picture is incomplete.
    pub not_audited: Vec<InAccount<NotAudited>>,
    #[serde(flatten)]
    pub coverage: CoverageReport,
}

pub fn audit_report(
    estate: &Estate,
    findings: Vec<Finding>,
    not_audited: Vec<NotAudited>,
    now: i64,
) -> AuditReport {
    let not_compared = not_audited
        .iter()
        .filter(|n| n.key_id.is_some())
        .map(ToString::to_string)
        .collect();
    let account = estate
        .families()
        .flat_map(|(_, f)| f.described().map(|k| k.arn.clone()).collect::<Vec<_>>())
        .find_map(|arn| account_of_arn(&arn).map(str::to_string));
    let findings: Vec<_> = findings
        .into_iter()
        .map(|item| InAccount {
            item,
            account: account.clone(),
        })
        .collect();
    let not_audited = not_audited
        .into_iter()
        .map(|item| InAccount {
            item,
            account: account.clone(),
        })
        .collect();
    let mut coverage = coverage_report(estate);
    for family in &mut coverage.families {
        family.account = account.clone();
    }
    AuditReport {
        schema_version: SCHEMA_VERSION,
        generated_at: format_utc(now),
        generated_epoch: now,
        accounts: Vec::new(),
        summary: summary_of(&findings),
        account,
        identity: None,
        partition: estate
            .regions()
            .first()
            .map(|r| r.partition().arn_name().to_string()),
        regions_scanned: estate.regions().iter().map(|r| r.to_string()).collect(),
        findings,
        not_compared,
        not_audited,
        coverage,
    }
}

fn summary_of(findings: &[InAccount<Finding>]) -> Summary {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Summary {
        high: count(Severity::High),
        medium: count(Severity::Medium),
        low: count(Severity::Low),
        info: count(Severity::Info),
    }
}

/// One report for every account of an organization-wide scan: each read account's findings,
/// gaps and families carry its ID; an account not read has its entry in `accounts` and, so that
/// `not_audited` never reads as complete, one gap per scanned Region. A Region is reported
/// scanned only when every read account scanned it.
pub fn organization_report(parts: Vec<AccountPart>, regions: &[Region], now: i64) -> AuditReport {
    // Starts with every Region "not-scanned": the first account read sets each one's status.
    let mut report = audit_report(&Estate::new(regions.to_vec()), Vec::new(), Vec::new(), now);
    for part in parts {
        let id = part.account.id.to_string();
        let Some(mut one) = part.report else {
            report.accounts.push(AccountReport::of(&part.account, 0, 0));
            let why = part.account.problem().unwrap_or("not read").to_string();
            report
                .not_audited
                .extend(regions.iter().map(|region| InAccount {
                    item: NotAudited {
                        key_id: None,
                        region: *region,
                        reason: format!("account {} {why}", part.account.label()),
                    },
                    account: Some(id.clone()),
                }));
            continue;
        };
        report.accounts.push(AccountReport::of(
            &part.account,
            one.coverage.families.len(),
            one.findings.len(),
        ));
        let tag = |item: &mut Option<String>| *item = Some(id.clone());
        one.findings.iter_mut().for_each(|f| tag(&mut f.account));
        one.not_audited.iter_mut().for_each(|n| tag(&mut n.account));
        one.coverage
            .families
            .iter_mut()
            .for_each(|f| tag(&mut f.account));
        report.findings.append(&mut one.findings);
        report.not_audited.append(&mut one.not_audited);
        report.not_compared.append(&mut one.not_compared);
        report.coverage.families.append(&mut one.coverage.families);
        merge_region_status(&mut report.coverage.regions, one.coverage.regions);
    }
    report.summary = summary_of(&report.findings);
    report
}

/// Takes the first read account's status of each Region, and a later account's when it could
/// not scan a Region the others did.
fn merge_region_status(into: &mut [RegionReport], from: Vec<RegionReport>) {
    for region in from {
        if let Some(kept) = into.iter_mut().find(|r| r.region == region.region)
            && (kept.status == crate::domain::RegionRead::NotScanned
                || (kept.status == crate::domain::RegionRead::Scanned
                    && region.status != crate::domain::RegionRead::Scanned))
        {
            *kept = region;
        }
    }
}

/// The output formats of `audit --format` (a domain type, so the GUI can name one).
pub use crate::domain::audit::ReportFormat as Format;

impl AuditReport {
    pub fn render(&self, format: Format) -> Result<String, super::RenderError> {
        match format {
            Format::Json => Ok(serde_json::to_string_pretty(self)?),
            Format::Csv => self.csv(),
            Format::Markdown => Ok(self.markdown()),
            Format::Html => Ok(self.html()),
            Format::Asff => super::asff::asff(self),
            Format::Ocsf => super::ocsf::ocsf(self),
        }
    }

    fn csv(&self) -> Result<String, super::RenderError> {
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
        writer.write_record(header)?;
        for f in &self.findings {
            let kind = f.kind.name();
            writer.write_record([
                f.severity.to_string(),
                kind,
                f.key_id.as_ref().map(|k| k.to_string()).unwrap_or_default(),
                f.region.map(|r| r.to_string()).unwrap_or_default(),
                f.message.clone(),
                self.generated_at.clone(),
                f.account.clone().unwrap_or_default(),
            ])?;
        }
        let bytes = writer.into_inner()?;
        Ok(String::from_utf8(bytes)?)
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
            "| Identity | {} |",
            md_cell(self.identity.as_deref().unwrap_or("unknown"))
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
                    md_cell(&f.message)
                );
            }
            md.push('\n');
        }
        if !self.not_audited.is_empty() {
            let _ = writeln!(md, "## Not audited\n");
            for line in &self.not_audited {
                let _ = writeln!(md, "- {}", md_cell(&line.to_string()));
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
            let cells: Vec<String> = family.cells.iter().map(cell_text).collect();
            let name = match &family.alias {
                Some(alias) => format!("`{}` {}", family.key_id, md_cell(alias)),
                None => format!("`{}`", family.key_id),
            };
            let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
        }
        md
    }

    fn html(&self) -> String {
        let mut html = String::from(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>KMS multi-Region key audit</title>\
             <style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\
             .high{color:#b71c1c;font-weight:bold}.medium{color:#e65100}.low{color:#1565c0}</style></head><body>\n",
        );
        let _ = writeln!(html, "<h1>KMS multi-Region key audit</h1>");
        let _ = writeln!(
            html,
            "<p>Generated {} · account {} · identity {} · partition {} · Regions {}</p>",
            html_text(&self.generated_at),
            html_text(self.account.as_deref().unwrap_or("unknown")),
            html_text(self.identity.as_deref().unwrap_or("unknown")),
            html_text(self.partition.as_deref().unwrap_or("unknown")),
            html_text(&self.regions_scanned.join(", "))
        );
        let s = &self.summary;
        let _ = writeln!(
            html,
            "<p>{} high, {} medium, {} low, {} info</p>",
            s.high, s.medium, s.low, s.info
        );
        let _ = writeln!(html, "<h2>Findings</h2>");
        let _ = writeln!(
            html,
            "<table><tr><th>Severity</th><th>Key</th><th>Region</th><th>Finding</th></tr>"
        );
        for f in &self.findings {
            let _ = writeln!(
                html,
                "<tr><td class=\"{0}\">{0}</td><td><code>{1}</code></td><td>{2}</td><td>{3}</td></tr>",
                f.severity,
                html_text(&f.key_id.as_ref().map(|k| k.to_string()).unwrap_or_default()),
                f.region.map(|r| r.to_string()).unwrap_or_default(),
                html_text(&f.message)
            );
        }
        html.push_str("</table>\n");
        if !self.not_audited.is_empty() {
            let _ = writeln!(html, "<h2>Not audited</h2>\n<ul>");
            for n in &self.not_audited {
                let _ = writeln!(html, "<li>{}</li>", html_text(&n.to_string()));
            }
            html.push_str("</ul>\n");
        }
        let _ = writeln!(html, "<h2>Coverage</h2>\n<table><tr><th>Key family</th>");
        for r in &self.coverage.regions {
            let _ = write!(html, "<th>{}</th>", r.region.name());
        }
        html.push_str("</tr>\n");
        for family in &self.coverage.families {
            let _ = write!(
                html,
                "<tr><td><code>{}</code> {}</td>",
                html_text(&family.key_id),
                html_text(family.alias.as_deref().unwrap_or(""))
            );
            for c in &family.cells {
                let _ = write!(html, "<td>{}</td>", html_text(&cell_text(c)));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n</body></html>\n");
        html
    }
}

/// What a coverage cell says in the Markdown and HTML reports.
fn cell_text(c: &CellReport) -> String {
    match (&c.state, &c.problem) {
        (Some(state), _) => format!("{} {state}", c.cell),
        (None, Some(p)) => format!("unknown: {}", p.kind.label()),
        _ => c.cell.to_string(),
    }
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text made safe for one Markdown table cell: one line (a newline would end the row), no
/// column break, and no HTML (many Markdown viewers render raw tags, `<script>` included).
pub(super) fn md_cell(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    html_text(&one_line).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::FindingKind;
    use crate::domain::estate::{KeyEntry, RegionScan};
    use crate::domain::test_keys::{ID, key};
    use crate::domain::{MrkId, Region, Role};

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    /// A one-family estate whose alias and a finding's message carry a newline and HTML.
    fn hostile_report() -> AuditReport {
        let mut estate = Estate::new(vec![region("us-east-1")]);
        estate.apply_scan(
            region("us-east-1"),
            RegionScan {
                keys: vec![KeyEntry::Described(Box::new(key(
                    "us-east-1",
                    Role::Primary,
                    "us-east-1",
                    &[],
                )))],
                aliases: vec![("alias/x<img src=x onerror=alert(1)>".into(), ID.into())],
            },
        );
        let id = MrkId::parse(ID).unwrap();
        let finding = Finding {
            severity: Severity::Info,
            kind: FindingKind::DescriptionDrift,
            key_id: Some(id.clone()),
            region: Some(region("us-east-1")),
            message:
                "The description (\"line one\nline two <script>alert(1)</script> | x\") differs."
                    .into(),
            subject: String::new(),
        };
        let gap = NotAudited {
            key_id: Some(id),
            region: region("eu-west-1"),
            reason: "what the audit compares of it could not all be read (GetKeyPolicy failed: AccessDenied)".into(),
        };
        audit_report(&estate, vec![finding], vec![gap], 0)
    }

    #[test]
    fn markdown_keeps_one_row_per_finding_and_passes_no_html_through() {
        let md = hostile_report().render(Format::Markdown).unwrap();
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| info |")).collect();
        assert_eq!(rows.len(), 1, "{md}");
        assert!(
            rows[0].contains("line two"),
            "the newline did not split the row"
        );
        assert!(!md.contains("<script>") && !md.contains("<img"), "{md}");
        assert!(rows[0].contains("\\|"), "a pipe cannot end the cell");
    }

    #[test]
    fn html_has_the_coverage_and_not_audited_sections_of_the_other_formats() {
        let html = hostile_report().render(Format::Html).unwrap();
        assert!(html.contains("<h2>Coverage</h2>"), "{html}");
        assert!(html.contains("<h2>Not audited</h2>"), "{html}");
        assert!(html.contains("eu-west-1: what the audit compares of it could not all be read"));
        assert!(!html.contains("<img") && !html.contains("<script>"));
    }

    #[test]
    fn the_json_report_names_each_key_not_audited() {
        let json: serde_json::Value =
            serde_json::from_str(&hostile_report().render(Format::Json).unwrap()).unwrap();
        assert_eq!(json["not_audited"][0]["key_id"], ID);
        assert_eq!(json["not_audited"][0]["region"], "eu-west-1");
        assert!(json["not_compared"][0].as_str().unwrap().starts_with(ID));
    }
}
