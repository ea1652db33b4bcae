//! Plan and apply as a hostile or careless user would drive them (#22): two applies of one plan
//! at once, reruns after stale or refused steps, a plan for another account, hand-edited plans,
//! a public primary policy, huge files, file modes, the Markdown plan, and trace logging. Each
//! test proves the condition it depends on was really there.

use std::process::{Command, Output, Stdio};

use aws_sdk_kms::types::GrantOperation;
use kms_replica_console::jobs::PlanLock;

use crate::plan_apply::{Fixture, drifted, stderr};
use crate::support;

const GRANTS_BASELINE: &str =
    "require_regions = [\"us-east-1\", \"eu-west-1\"]\n[replicas]\ngrants = \"copy-primary\"\n";

/// Four unnamed grants on the primary, none on the replica, and a plan (`grants.json`) of four
/// CreateGrant steps in eu-west-1.
fn four_grant_plan() -> Fixture {
    let f = drifted();
    let sdk = support::sdk_config(&f.sim.endpoint());
    f.runner.block_on(async {
        for role in ["a", "b", "c", "d"] {
            support::client_in(&sdk, "us-east-1")
                .create_grant()
                .key_id(&f.key)
                .grantee_principal(format!("arn:aws:iam::111122223333:role/{role}"))
                .operations(GrantOperation::Decrypt)
                .send()
                .await
                .unwrap();
        }
    });
    std::fs::write(f.dir.join("grants.toml"), GRANTS_BASELINE).unwrap();
    let planned = f.binary(&[
        "plan",
        "--baseline",
        &f.path("grants.toml"),
        "--output",
        &f.path("grants.json"),
    ]);
    assert_eq!(planned.status.code(), Some(1), "{}", stderr(&planned));
    assert_eq!(f.steps("grants.json").len(), 4);
    f
}

fn create_grant_calls(f: &Fixture) -> u64 {
    f.sim.stats()["requests"]["eu-west-1"]["CreateGrant"]
        .as_u64()
        .unwrap_or(0)
}

/// The apply command for `plan`, not yet started.
fn apply_command(f: &Fixture, plan: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    support::clean_env(&mut command);
    command
        .args(["apply", &f.path(plan)])
        .args(["--endpoint-url", &f.sim.endpoint()])
        .args(["--regions", crate::plan_apply::REGIONS, "--no-history"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[test]
fn an_apply_refuses_a_plan_another_process_holds_and_names_the_holder() {
    let f = four_grant_plan();
    let held = PlanLock::acquire(&f.dir.join("grants.json")).expect("the lock is free");
    let refused = apply_command(&f, "grants.json").output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("is being applied by another process")
            && stderr(&refused).contains(&format!("pid {}", std::process::id())),
        "{}",
        stderr(&refused)
    );
    assert_eq!(create_grant_calls(&f), 0, "nothing called");
    drop(held);
    let applied = apply_command(&f, "grants.json").output().unwrap();
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert_eq!(create_grant_calls(&f), 4);
}

#[test]
fn two_applies_of_one_plan_started_together_make_each_call_once() {
    let f = four_grant_plan();
    let children: Vec<_> = (0..2)
        .map(|_| apply_command(&f, "grants.json").spawn().unwrap())
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        match out.status.code() {
            Some(0) => {}
            Some(2) => assert!(
                stderr(out).contains("is being applied by another process"),
                "{}",
                stderr(out)
            ),
            other => panic!("exit {other:?}: {}", stderr(out)),
        }
    }
    assert!(outputs.iter().any(|o| o.status.code() == Some(0)));
    assert_eq!(create_grant_calls(&f), 4, "each CreateGrant made once");
    assert_eq!(f.replica_grants(), 4, "no duplicate grant");
    let journal = std::fs::read_to_string(f.dir.join("grants.json.journal")).unwrap();
    assert_eq!(
        journal.lines().count(),
        1 + 4,
        "the header and one line per step"
    );
}

#[test]
fn a_stale_step_stays_stale_on_every_rerun_and_the_exit_says_so() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    f.put_policy("eu-west-1", crate::plan_apply::OTHER_POLICY);
    for run in ["first", "second", "third"] {
        let applied = f.apply("plan.json");
        assert_eq!(
            applied.status.code(),
            Some(1),
            "{run} run: {}",
            stderr(&applied)
        );
        assert!(
            stderr(&applied).contains("stale, not called: the policy in eu-west-1 changed"),
            "{run} run: {}",
            stderr(&applied)
        );
    }
    assert_eq!(f.replica_policy(), crate::plan_apply::OTHER_POLICY);
}

#[test]
fn a_plan_for_another_account_is_refused_before_any_call_and_marks_nothing_stale() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    let text = std::fs::read_to_string(f.dir.join("plan.json")).unwrap();
    let foreign = text.replace("\"111122223333\"", "\"444455556666\"");
    assert_ne!(text, foreign, "the plan names its account");
    std::fs::write(f.dir.join("foreign.json"), &foreign).unwrap();
    f.sim.reset_stats();
    for _ in 0..2 {
        let refused = f.apply("foreign.json");
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("account 444455556666")
                && stderr(&refused).contains("account 111122223333"),
            "{}",
            stderr(&refused)
        );
        assert_eq!(f.mutating_calls(), 0);
    }
    let journal = std::fs::read_to_string(f.dir.join("foreign.json.journal")).unwrap_or_default();
    assert!(!journal.contains("stale"), "{journal}");
    let applied = f.apply("plan.json");
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
}

/// `plan.json` with step `index` changed by `edit`, saved as `name`.
fn edited(f: &Fixture, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(f.dir.join("plan.json")).unwrap();
    let mut plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut plan);
    std::fs::write(f.dir.join(name), serde_json::to_string(&plan).unwrap()).unwrap();
}

#[test]
fn a_hand_edited_plan_with_an_out_of_range_window_or_a_wrong_precondition_is_refused_whole() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    edited(&f, "window.json", |plan| {
        let steps = plan["steps"].as_array_mut().unwrap();
        let mut deletion = steps[0].clone();
        deletion["operation"] = "ScheduleKeyDeletion".into();
        deletion["region"] = "eu-west-1".into();
        deletion["parameters"] = serde_json::json!({ "KeyId": deletion["key_id"], "PendingWindowInDays": 4294967303u64 });
        deletion["precondition"] = serde_json::json!({ "kind": "key-state", "state": "Enabled" });
        steps.push(deletion);
    });
    edited(&f, "guard.json", |plan| {
        for step in plan["steps"].as_array_mut().unwrap() {
            if step["operation"] == "PutKeyPolicy" {
                step["precondition"] =
                    serde_json::json!({ "kind": "alias-absent", "alias": "alias/nothing" });
            }
        }
    });
    f.sim.reset_stats();
    for (name, needle) in [
        ("window.json", "PendingWindowInDays 4294967303"),
        (
            "guard.json",
            "(PutKeyPolicy): its precondition is `alias-absent`",
        ),
    ] {
        let mut args = vec!["apply", "--allow-deletions"];
        let path = f.path(name);
        args.push(&path);
        let refused = f.binary(&args);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{name}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains(needle),
            "{name}: {}",
            stderr(&refused)
        );
        assert_eq!(f.mutating_calls(), 0, "{name}: no call made");
    }
}

#[test]
fn a_public_primary_policy_is_left_out_of_the_plan_with_its_finding() {
    let f = drifted();
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#;
    f.put_policy("us-east-1", public);
    let planned = f.plan("plan.json");
    assert_eq!(planned.status.code(), Some(1), "{}", stderr(&planned));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.dir.join("plan.json")).unwrap()).unwrap();
    let ops: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["operation"].as_str())
        .collect();
    assert!(
        !ops.contains(&"PutKeyPolicy") && !ops.contains(&"ReplicateKey"),
        "{ops:?}"
    );
    let blocked = plan["blocked"].as_array().unwrap();
    assert!(
        blocked
            .iter()
            .any(|b| b["operation"] == "PutKeyPolicy" && b["region"] == "eu-west-1"),
        "{blocked:?}"
    );
    assert!(stderr(&planned).contains("left out: PutKeyPolicy in eu-west-1"));
    assert!(stderr(&planned).contains("public-access (high)"));
}

#[test]
fn files_beyond_their_bound_are_refused_before_they_are_parsed() {
    let f = drifted();
    let baseline = f.dir.join("huge.toml");
    std::fs::File::create(&baseline)
        .unwrap()
        .set_len(5 * 1024 * 1024)
        .unwrap();
    let plan = f.dir.join("huge.json");
    std::fs::File::create(&plan)
        .unwrap()
        .set_len(70 * 1024 * 1024)
        .unwrap();
    let audit = f.binary(&["audit", "--baseline", &f.path("huge.toml")]);
    assert_eq!(audit.status.code(), Some(2));
    assert!(
        stderr(&audit).contains("at most 4194304 bytes"),
        "{}",
        stderr(&audit)
    );
    f.sim.reset_stats();
    let apply = f.apply("huge.json");
    assert_eq!(apply.status.code(), Some(2));
    assert!(
        stderr(&apply).contains("at most 67108864 bytes"),
        "{}",
        stderr(&apply)
    );
    assert_eq!(f.mutating_calls(), 0);
}

#[cfg(unix)]
#[test]
fn plans_journals_and_reports_are_written_for_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    assert_eq!(f.apply("plan.json").status.code(), Some(0));
    let report = f.binary(&["audit", "--output", &f.path("report.json")]);
    assert!(
        report.status.code().is_some_and(|c| c < 2),
        "{}",
        stderr(&report)
    );
    for name in ["plan.json", "plan.json.journal", "report.json"] {
        let mode = std::fs::metadata(f.dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} is {:o}", mode & 0o777);
    }
}

#[test]
fn a_markdown_plan_shows_every_parameter_and_goes_where_output_says() {
    let f = drifted();
    let out = f.binary(&[
        "plan",
        "--baseline",
        &f.path("baseline.toml"),
        "--format",
        "md",
        "--output",
        &f.path("plan.md"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let md = std::fs::read_to_string(f.dir.join("plan.md")).unwrap();
    assert!(md.starts_with("# Plan:"), "Markdown, not JSON:\n{md}");
    for needle in [
        "ReplicaRegion: ap-southeast-2",
        "Tags: ",
        "Description: payments data key",
        "kms-admins",
    ] {
        assert!(md.contains(needle), "missing {needle:?}:\n{md}");
    }
}

#[test]
fn no_grant_token_reaches_the_log_even_at_trace() {
    let f = four_grant_plan();
    let mut command = apply_command(&f, "grants.json");
    // Everything at trace, and the SDK's orchestrator named on its own as well.
    command.env(
        "RUST_LOG",
        "trace,aws_smithy_runtime::client::orchestrator::http=trace",
    );
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        create_grant_calls(&f),
        4,
        "CreateGrant answered, with its token"
    );
    let log = stderr(&out);
    assert!(
        log.len() > 10_000,
        "trace logging was on ({} bytes)",
        log.len()
    );
    // The simulator's tokens are base64 of "simulated-grant-token:ID".
    use base64::Engine as _;
    let token_prefix =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("simulated-grant-token:");
    let token_prefix = &token_prefix[..20];
    let leaks: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("GrantToken") || l.contains(token_prefix))
        .map(|l| &l[..l.len().min(300)])
        .collect();
    assert!(leaks.is_empty(), "a grant token in the log: {leaks:#?}");
}
