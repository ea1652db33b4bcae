//! A plan as a reviewer reads it (Markdown) or a machine keeps it (JSON).

use super::audit::md_cell;
use crate::domain::plan::{Plan, Precondition};

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
            md_cell(&precondition_words(&s.precondition)),
        ));
    }
    Ok(out)
}

fn precondition_words(p: &Precondition) -> String {
    match p {
        Precondition::NoKeyIn => "still no key there".into(),
        Precondition::PolicyHash { sha256 } => format!(
            "policy unchanged (sha256 {})",
            &sha256[..12.min(sha256.len())]
        ),
        Precondition::TagsHash { .. } => "tags unchanged".into(),
        Precondition::Description { text } => format!("description still \"{text}\""),
        Precondition::AliasAbsent { alias } => format!("{alias} still absent"),
        Precondition::KeyState { state } => format!("key still {state}"),
        Precondition::GrantAbsent { .. } => "the grant still absent".into(),
        Precondition::KeyUsable => "the new replica has left Creating".into(),
    }
}
