//! `verify`: a family's verification as JSON (a stable schema) or Markdown.

use serde::Serialize;

use super::RenderError;
use super::audit::md_cell;
use crate::domain::verify::{Leg, LegOutcome, Verdict};

/// What `verify` reports.
#[derive(Serialize)]
pub struct VerifyReport<'a> {
    pub schema_version: u32,
    pub key_id: &'a str,
    pub primary: Option<String>,
    pub verdict: Verdict,
    /// Why the family could not be verified at all.
    pub unverifiable: Option<&'a str>,
    pub legs: &'a [Leg],
}

impl VerifyReport<'_> {
    pub fn json(&self) -> Result<String, RenderError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("# Verify {}\n\n{:?}\n\n", self.key_id, self.verdict);
        if let Some(why) = self.unverifiable {
            out.push_str(&format!("Not verified: {}\n\n", md_cell(why)));
        }
        out.push_str("| From | To | Outcome |\n|---|---|---|\n");
        for leg in self.legs {
            let outcome = match &leg.outcome {
                LegOutcome::Interoperates => "interoperates".to_string(),
                LegOutcome::Refused(why) => format!("refused: {}", md_cell(why)),
                LegOutcome::NotChecked(why) => format!("not checked: {}", md_cell(why)),
            };
            out.push_str(&format!("| {} | {} | {outcome} |\n", leg.from, leg.to));
        }
        out
    }
}
