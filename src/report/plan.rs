//! A plan as a reviewer reads it (Markdown) or a machine keeps it (JSON).

use super::audit::md_cell;
use crate::domain::plan::Plan;

/// `json`: the plan file `apply` reads. `md`: one table row per step.
pub fn render_plan(plan: &Plan, markdown: bool) -> Result<String, String> {
    if !markdown {
        return serde_json::to_string_pretty(plan).map_err(|e| e.to_string());
    }
    let mut out = format!(
        "# Plan: {} call(s)\n\n| # | Account | Region | Key | Operation | Why | Only if |\n|---|---|---|---|---|---|---|\n",
        plan.steps.len()
    );
    for (i, s) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            md_cell(&s.account),
            md_cell(&s.region),
            md_cell(&s.key_id),
            md_cell(&s.operation),
            md_cell(&s.reason),
            md_cell(&s.precondition.describe()),
        ));
    }
    Ok(out)
}
