//! A plan as a reviewer reads it (Markdown) or a machine keeps it (JSON).

use serde_json::Value;

use super::audit::md_cell;
use crate::domain::plan::{Plan, Step, sha256};

/// `json`: the plan file `apply` reads. `md`: one table row per step with every parameter the
/// call sends, each policy in full below the table, and the calls left out with why.
pub fn render_plan(plan: &Plan, markdown: bool) -> Result<String, super::RenderError> {
    if !markdown {
        return Ok(serde_json::to_string_pretty(plan)?);
    }
    let mut out = format!(
        "# Plan: {} call(s)\n\n| # | Account | Region | Key | Operation | Parameters | Why | Only if |\n|---|---|---|---|---|---|---|---|\n",
        plan.steps.len()
    );
    for (i, s) in plan.steps.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            md_cell(&s.account),
            md_cell(&s.region),
            md_cell(&s.key_id),
            md_cell(&s.operation),
            md_cell(&parameters_in_words(s)),
            md_cell(&s.reason),
            md_cell(&s.precondition.describe()),
        ));
    }
    for (i, s) in plan.steps.iter().enumerate() {
        if let Some(policy) = s.parameters.get("Policy").and_then(Value::as_str) {
            out.push_str(&format!(
                "\n## Step {}: the key policy it sets in {}\n\n```json\n{}\n```\n",
                i + 1,
                target_region(s),
                policy.replace("```", "`\u{200b}``")
            ));
        }
    }
    if !plan.blocked.is_empty() {
        out.push_str(&format!(
            "\n## Left out: {} call(s)\n\n| Account | Region | Key | Operation | Why |\n|---|---|---|---|---|\n",
            plan.blocked.len()
        ));
        for b in &plan.blocked {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md_cell(&b.account),
                md_cell(&b.region),
                md_cell(&b.key_id),
                md_cell(&b.operation),
                md_cell(&b.reason),
            ));
        }
    }
    Ok(out)
}

/// Where the call's effect lands: the new replica's Region for ReplicateKey.
fn target_region(s: &Step) -> &str {
    s.parameters
        .get("ReplicaRegion")
        .and_then(Value::as_str)
        .unwrap_or(&s.region)
}

/// Every parameter but the key ID, in a line: a policy by its size and hash (in full below).
fn parameters_in_words(s: &Step) -> String {
    let Some(map) = s.parameters.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(name, _)| !matches!(name.as_str(), "KeyId" | "TargetKeyId"))
        .map(|(name, value)| match (name.as_str(), value) {
            ("Policy", Value::String(p)) => format!(
                "Policy: {} bytes, sha256 {} (below)",
                p.len(),
                &sha256(p)[..12]
            ),
            ("Tags", Value::Array(tags)) => format!(
                "Tags: {}",
                tags.iter()
                    .map(|t| format!(
                        "{}={}",
                        t["TagKey"].as_str().unwrap_or_default(),
                        t["TagValue"].as_str().unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (_, Value::String(text)) => format!("{name}: {text}"),
            (_, other) => format!("{name}: {other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::plan::{Blocked, PLAN_SCHEMA_VERSION, Precondition};

    #[test]
    fn markdown_names_every_parameter_the_call_sends_and_what_was_left_out() {
        let policy = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let plan = Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            steps: vec![Step {
                account: "111122223333".into(),
                region: "us-east-1".into(),
                key_id: "mrk-1".into(),
                operation: "ReplicateKey".into(),
                parameters: json!({
                    "KeyId": "mrk-1",
                    "ReplicaRegion": "ap-southeast-2",
                    "Policy": policy,
                    "Tags": [{ "TagKey": "team", "TagValue": "payments" }],
                    "Description": "payments",
                }),
                reason: "missing-required-region".into(),
                precondition: Precondition::NoKeyIn,
            }],
            blocked: vec![Blocked {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
                key_id: "mrk-2".into(),
                operation: "PutKeyPolicy".into(),
                reason: "public-access (high)".into(),
            }],
        };
        let md = render_plan(&plan, true).unwrap();
        for needle in [
            "ReplicaRegion: ap-southeast-2",
            "Tags: team=payments",
            "Description: payments",
            "Step 1: the key policy it sets in ap-southeast-2",
            "arn:aws:iam::111122223333:root",
            "## Left out: 1 call(s)",
            "public-access (high)",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in\n{md}");
        }
    }
}
