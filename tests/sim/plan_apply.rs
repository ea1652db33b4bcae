//! `plan` and `apply` end to end against the simulator: a drifted family brought to its
//! baseline, then nothing left to plan; a step made stale by a change between plan and apply is
//! not called; an apply interrupted half-way continues without calling anything twice; a
//! ReplicateKey whose answer is lost is adopted.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::{Command, Output};

use aws_sdk_kms::types::Tag as KmsTag;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::audit::AuditOptions;
use kms_replica_console::domain::baseline::Baseline;
use kms_replica_console::domain::plan::plan;
use kms_replica_console::jobs::{
    ApplyJournal, ApplyOptions, PlanLock, Runner, apply_plan, run_audit,
};
use kms_replica_console::sim::Sim;

use crate::support::{self, region};

pub(crate) const REGIONS: &str = "us-east-1,eu-west-1,ap-southeast-2";
pub(crate) const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/kms-admins"},"Action":"kms:*","Resource":"*"}]}"#;
pub(crate) const OTHER_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"someone","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/someone"},"Action":"kms:*","Resource":"*"}]}"#;
pub(crate) const BASELINE: &str = r#"
require_regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
[replicas]
policy = "copy-primary"
tags = "copy-primary"
description = "copy-primary"
aliases = "copy-primary"
"#;

pub(crate) struct Fixture {
    pub(crate) runner: Runner,
    pub(crate) sim: Sim,
    pub(crate) key: String,
    pub(crate) dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A primary in us-east-1 with its own policy, tags, description and alias, and a replica in
/// eu-west-1 made the API's way (default policy, no tags, no description, no alias); replicas
/// become usable after half a second.
pub(crate) fn drifted() -> Fixture {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.5);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        let tag = |k: &str, v: &str| KmsTag::builder().tag_key(k).tag_value(v).build().unwrap();
        let id = us
            .create_key()
            .multi_region(true)
            .description("payments data key")
            .policy(POLICY)
            .tags(tag("team", "payments"))
            .tags(tag("env", "prod"))
            .send()
            .await
            .unwrap()
            .key_metadata()
            .unwrap()
            .key_id()
            .to_string();
        us.create_alias()
            .alias_name("alias/payments")
            .target_key_id(&id)
            .send()
            .await
            .unwrap();
        us.replicate_key()
            .key_id(&id)
            .replica_region("eu-west-1")
            .send()
            .await
            .unwrap();
        id
    });
    sim.advance_clock(std::time::Duration::from_secs(5));
    let dir = std::env::temp_dir().join(format!(
        "kms-rc-plan-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("baseline.toml"), BASELINE).unwrap();
    Fixture {
        runner,
        sim,
        key,
        dir,
    }
}

impl Fixture {
    pub(crate) fn binary(&self, args: &[&str]) -> Output {
        self.binary_with(args, &["--no-history"])
    }

    /// The binary keeping its history under this test's folder.
    pub(crate) fn binary_with_history(&self, args: &[&str]) -> Output {
        let state = self.path("state");
        self.binary_with(args, &["--state-dir", &state])
    }

    pub(crate) fn binary_with(&self, args: &[&str], history: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
        support::clean_env(&mut command);
        command
            .args(args)
            .args(["--endpoint-url", &self.sim.endpoint(), "--regions", REGIONS])
            .args(history)
            .output()
            .expect("the binary runs")
    }

    pub(crate) fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    pub(crate) fn plan(&self, name: &str) -> Output {
        self.binary(&[
            "plan",
            "--baseline",
            &self.path("baseline.toml"),
            "--output",
            &self.path(name),
        ])
    }

    pub(crate) fn apply(&self, name: &str) -> Output {
        self.binary(&["apply", &self.path(name)])
    }

    pub(crate) fn steps(&self, name: &str) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.dir.join(name)).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["operation"].as_str().unwrap().to_string(),
                    s["region"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Every mutating request the simulator has answered, by Region and operation.
    pub(crate) fn mutating_calls(&self) -> u64 {
        let stats = self.sim.stats();
        stats["requests"]
            .as_object()
            .into_iter()
            .flat_map(|regions| regions.values())
            .flat_map(|ops| ops.as_object().into_iter().flatten())
            .filter(|(op, _)| kms_replica_console::sim::MUTATING.contains(&op.as_str()))
            .filter_map(|(_, n)| n.as_u64())
            .sum()
    }

    /// Someone changes the key's policy in `region`, outside the app.
    pub(crate) fn put_policy(&self, region: &str, policy: &str) {
        let sdk = support::sdk_config(&self.sim.endpoint());
        self.runner.block_on(async {
            support::client_in(&sdk, region)
                .put_key_policy()
                .key_id(&self.key)
                .policy_name("default")
                .policy(policy)
                .send()
                .await
                .unwrap();
        });
    }

    /// How many grants the replica in eu-west-1 has.
    pub(crate) fn replica_grants(&self) -> usize {
        let sdk = support::sdk_config(&self.sim.endpoint());
        self.runner.block_on(async {
            support::client_in(&sdk, "eu-west-1")
                .list_grants()
                .key_id(&self.key)
                .send()
                .await
                .unwrap()
                .grants()
                .len()
        })
    }

    pub(crate) fn replica_policy(&self) -> String {
        let sdk = support::sdk_config(&self.sim.endpoint());
        self.runner.block_on(async {
            support::client_in(&sdk, "eu-west-1")
                .get_key_policy()
                .key_id(&self.key)
                .policy_name("default")
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap_or_default()
                .to_string()
        })
    }
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn plan_then_apply_brings_the_family_to_its_baseline_and_nothing_is_left_to_plan() {
    let f = drifted();
    let planned = f.plan("plan.json");
    assert_eq!(planned.status.code(), Some(1), "{}", stderr(&planned));
    let mut steps = f.steps("plan.json");
    steps.sort();
    let mut expected: Vec<(String, String)> = [
        ("CreateAlias", "ap-southeast-2"),
        ("CreateAlias", "eu-west-1"),
        ("PutKeyPolicy", "eu-west-1"),
        ("ReplicateKey", "us-east-1"),
        ("TagResource", "eu-west-1"),
        ("UpdateKeyDescription", "eu-west-1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    expected.sort();
    assert_eq!(steps, expected);

    let applied = f.apply("plan.json");
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("step 6 of 6"),
        "{}",
        stderr(&applied)
    );

    let audit = f.binary(&[
        "audit",
        "--format",
        "json",
        "--baseline",
        &f.path("baseline.toml"),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("a report");
    let fixed = [
        "missing-required-region",
        "policy-drift",
        "default-policy-replica",
        "tag-drift",
        "description-drift",
        "alias-drift",
    ];
    let left: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| fixed.contains(&x["kind"].as_str().unwrap_or_default()))
        .collect();
    assert!(left.is_empty(), "still found: {left:#?}");

    let again = f.plan("plan2.json");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(f.steps("plan2.json").is_empty());

    // The first plan applied again: every step is in its journal, no call is made.
    let calls = f.mutating_calls();
    let reapplied = f.apply("plan.json");
    assert_eq!(reapplied.status.code(), Some(0), "{}", stderr(&reapplied));
    assert!(stderr(&reapplied).contains("on an earlier run"));
    assert_eq!(
        f.mutating_calls(),
        calls,
        "a second apply makes no mutating call"
    );
}

#[test]
fn a_step_whose_key_changed_after_the_plan_is_skipped_as_stale_and_the_change_is_kept() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    // Someone changes the replica's policy between plan and apply.
    f.put_policy("eu-west-1", OTHER_POLICY);
    let applied = f.apply("plan.json");
    assert_eq!(applied.status.code(), Some(1), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("PutKeyPolicy in eu-west-1")
            && stderr(&applied).contains("stale, not called: the policy in eu-west-1 changed"),
        "{}",
        stderr(&applied)
    );
    assert_eq!(f.replica_policy(), OTHER_POLICY, "never overwritten");
}

#[test]
fn an_apply_interrupted_half_way_continues_and_makes_no_call_twice() {
    let f = drifted();
    let clients = AwsClients::from_sdk_config(support::sdk_config(&f.sim.endpoint()));
    let regions = REGIONS.split(',').map(region).collect();
    let baseline = Baseline::from_toml(BASELINE).unwrap();
    let options = AuditOptions {
        expiry_days: 30,
        now: 0,
        unused_days: None,
        provenance: false,
    };
    let outcome = run_audit(&f.runner, clients.clone(), regions, &baseline, options);
    let planned = plan(&outcome.estate, &outcome.props, &baseline, "111122223333");
    assert_eq!(planned.steps.len(), 6);
    let text = serde_json::to_string(&planned).unwrap();
    let path = f.dir.join("plan.json");
    std::fs::write(&path, &text).unwrap();
    let apply_options = ApplyOptions {
        allow_deletions: false,
        account: "111122223333".into(),
        history: None,
    };
    f.sim.reset_stats();

    let mut journal = ApplyJournal::open(PlanLock::acquire(&path).unwrap(), &text).unwrap();
    let first = f
        .runner
        .block_on(apply_plan(
            &clients,
            &planned,
            &mut journal,
            &apply_options,
            |i, _, _| {
                if i == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        ))
        .unwrap();
    assert_eq!(first.len(), 3, "stopped after the third step");
    assert_eq!(f.mutating_calls(), 3);
    // The first apply has ended: its hold on the plan goes with its journal.
    drop(journal);

    let mut journal = ApplyJournal::open(PlanLock::acquire(&path).unwrap(), &text).unwrap();
    let second = f
        .runner
        .block_on(apply_plan(
            &clients,
            &planned,
            &mut journal,
            &apply_options,
            |_, _, _| ControlFlow::Continue(()),
        ))
        .unwrap();
    assert!(second.iter().all(|s| s.is_done()), "{second:?}");
    assert_eq!(f.mutating_calls(), 6, "one call per step over both runs");
}

#[test]
fn a_replicate_whose_answer_is_lost_is_adopted_not_made_twice() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    f.sim
        .set_faults(vec!["drop:1.0:us-east-1:ReplicateKey".parse().unwrap()]);
    let applied = f.apply("plan.json");
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("ReplicateKey in us-east-1")
            && stderr(&applied).contains("adopted"),
        "{}",
        stderr(&applied)
    );
    assert!(
        f.sim.stats()["faults"].as_u64().unwrap_or(0) > 0,
        "the fault was injected"
    );
    let sdk = support::sdk_config(&f.sim.endpoint());
    let state = f.runner.block_on(async {
        support::client_in(&sdk, "ap-southeast-2")
            .describe_key()
            .key_id(&f.key)
            .send()
            .await
            .unwrap()
            .key_metadata()
            .and_then(|m| m.key_state().cloned())
    });
    assert!(state.is_some(), "the replica exists");
}

#[test]
fn read_only_mode_refuses_apply_and_a_file_that_is_not_a_plan_is_a_clear_error() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    let calls = f.mutating_calls();
    let refused = f.binary(&["apply", &f.path("plan.json"), "--read-only"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--read-only"),
        "{}",
        stderr(&refused)
    );
    std::fs::write(f.dir.join("junk.json"), "{\"steps\": 5}").unwrap();
    let junk = f.apply("junk.json");
    assert_eq!(junk.status.code(), Some(2));
    assert!(stderr(&junk).contains("is not a plan"), "{}", stderr(&junk));
    assert_eq!(f.mutating_calls(), calls, "nothing was called");
}

#[test]
fn grants_copied_by_a_plan_exist_in_the_replica_and_a_second_plan_is_empty() {
    use aws_sdk_kms::types::GrantOperation;
    let f = drifted();
    let sdk = support::sdk_config(&f.sim.endpoint());
    f.runner.block_on(async {
        support::client_in(&sdk, "us-east-1")
            .create_grant()
            .key_id(&f.key)
            .grantee_principal("arn:aws:iam::111122223333:role/payments-app")
            .operations(GrantOperation::Decrypt)
            .name("payments-app")
            .send()
            .await
            .unwrap();
    });
    std::fs::write(
        f.dir.join("grants.toml"),
        "require_regions = [\"us-east-1\", \"eu-west-1\"]\n[replicas]\ngrants = \"copy-primary\"\n",
    )
    .unwrap();
    let plan_with = |name: &str| {
        f.binary(&[
            "plan",
            "--baseline",
            &f.path("grants.toml"),
            "--output",
            &f.path(name),
        ])
    };
    assert_eq!(plan_with("g.json").status.code(), Some(1));
    assert_eq!(
        f.steps("g.json"),
        vec![("CreateGrant".to_string(), "eu-west-1".to_string())]
    );
    let applied = f.apply("g.json");
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert_eq!(f.replica_grants(), 1);
    assert_eq!(plan_with("g2.json").status.code(), Some(0));
}

#[test]
fn every_call_an_apply_makes_is_in_the_history_journal() {
    let f = drifted();
    assert_eq!(f.plan("plan.json").status.code(), Some(1));
    let applied = f.binary_with_history(&["apply", &f.path("plan.json")]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let journal = f.binary_with_history(&["journal", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&journal.stdout).unwrap();
    let mut ops: Vec<String> = entries["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap_or_default().to_string())
        .collect();
    ops.sort();
    let mut planned: Vec<String> = f.steps("plan.json").into_iter().map(|(op, _)| op).collect();
    planned.sort();
    assert_eq!(ops, planned, "one journal entry per call");
    let put = entries["journal"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "PutKeyPolicy")
        .unwrap();
    assert!(
        put["parameters"].as_str().unwrap().contains("bytes"),
        "the policy is named by its size: {put}"
    );
    assert!(put["request_id"].is_string());
}
