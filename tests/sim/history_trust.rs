//! The history as evidence (#22): every finding the audit reports is saved and compared (two
//! grant findings on one replica are two), a diff resolves nothing on a key the later audit
//! could not read, and audits that open a new database at once all keep their snapshots.

use std::process::{Output, Stdio};

use aws_sdk_kms::types::GrantOperation;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{FaultKind, FaultRule};

use crate::harness::SimHarness;
use crate::history::{StateDir, binary, json_of};

const REGIONS: &str = "us-east-1,eu-west-1";

fn audit(state: &StateDir, endpoint: &str) -> Output {
    binary(
        state,
        &[
            "audit",
            "--endpoint-url",
            endpoint,
            "--regions",
            REGIONS,
            "--format",
            "json",
        ],
    )
    .output()
    .expect("the binary runs")
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn count(report: &serde_json::Value, severity: &str) -> usize {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == severity)
        .count()
}

/// A primary in us-east-1 and its replica in eu-west-1, settled.
fn family(runner: &Runner) -> (SimHarness, String) {
    let h = runner.block_on(SimHarness::start());
    let id = runner.block_on(h.primary("us-east-1"));
    runner.block_on(h.replica(&id, "us-east-1", "eu-west-1"));
    (h, id)
}

fn grant(runner: &Runner, h: &SimHarness, id: &str, grantee: &str) {
    runner.block_on(async {
        h.client("eu-west-1")
            .create_grant()
            .key_id(id)
            .grantee_principal(grantee)
            .operations(GrantOperation::Decrypt)
            .send()
            .await
            .unwrap();
    });
}

#[test]
fn two_grant_findings_on_one_replica_are_both_saved_and_a_third_grant_is_a_new_finding() {
    let runner = Runner::new().unwrap();
    let (h, id) = family(&runner);
    grant(&runner, &h, &id, "arn:aws:iam::444455556666:role/vendor");
    grant(&runner, &h, &id, "arn:aws:iam::111122223333:role/app");
    let state = StateDir::new("two-grants");
    let first = report(&audit(&state, &h.sim.endpoint()));
    let grant_extras = |r: &serde_json::Value| {
        r["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["kind"] == "grant-extra")
            .count()
    };
    assert_eq!(grant_extras(&first), 2, "the audit reports both grants");

    let listed = json_of(
        &binary(&state, &["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    let saved = &listed["snapshots"][0]["findings"];
    let reported: usize = first["findings"].as_array().unwrap().len();
    let saved_total: u64 = saved
        .as_object()
        .unwrap()
        .values()
        .filter_map(|n| n.as_u64())
        .sum();
    assert_eq!(
        saved_total as usize, reported,
        "findings saved = findings reported"
    );
    for severity in ["high", "medium", "low", "info"] {
        assert_eq!(
            saved[severity].as_u64().unwrap_or(0) as usize,
            count(&first, severity),
            "{severity}"
        );
    }

    grant(
        &runner,
        &h,
        &id,
        "arn:aws:iam::777788889999:role/other-vendor",
    );
    let second = report(&audit(&state, &h.sim.endpoint()));
    assert_eq!(count(&second, "high"), count(&first, "high") + 1);
    let diff = json_of(
        &binary(&state, &["diff", "--format", "json"])
            .output()
            .unwrap(),
    );
    let changes = diff["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "finding-new");
    assert!(changes[0]["to"].as_str().unwrap().contains("777788889999"));
}

#[test]
fn a_diff_resolves_nothing_on_a_key_the_later_audit_could_not_describe() {
    let runner = Runner::new().unwrap();
    let (h, id) = family(&runner);
    grant(&runner, &h, &id, "arn:aws:iam::444455556666:role/vendor");
    runner.block_on(async {
        h.client("eu-west-1")
            .update_key_description()
            .key_id(&id)
            .description("drifted")
            .send()
            .await
            .unwrap();
    });
    let state = StateDir::new("unreadable");
    let first = report(&audit(&state, &h.sim.endpoint()));
    let on_replica = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["region"] == "eu-west-1")
        .count();
    assert!(on_replica >= 2, "drift to lose: {first}");

    h.sim.set_faults(vec![FaultRule {
        kind: FaultKind::Deny,
        rate: 1.0,
        region: Some("eu-west-1".into()),
        operation: Some("DescribeKey".into()),
    }]);
    let second = audit(&state, &h.sim.endpoint());
    assert_eq!(second.status.code(), Some(2), "the key could not be read");
    assert!(
        report(&second)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "key-unreadable"),
        "the fault was injected"
    );
    let diff = json_of(
        &binary(&state, &["diff", "--format", "json"])
            .output()
            .unwrap(),
    );
    let resolved: Vec<&serde_json::Value> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "finding-resolved" || c["kind"] == "state-changed")
        .collect();
    assert!(resolved.is_empty(), "{resolved:?}");
    let named = diff["keys_not_compared"].as_array().unwrap();
    assert!(
        named
            .iter()
            .any(|k| k.as_str().is_some_and(|k| k.starts_with(&id))),
        "{diff}"
    );
}

#[test]
fn audits_opening_a_new_database_at_once_all_keep_their_snapshots() {
    let runner = Runner::new().unwrap();
    let h = runner.block_on(SimHarness::start());
    for round in 0..3 {
        let state = StateDir::new(&format!("concurrent-{round}"));
        let children: Vec<_> = (0..4)
            .map(|_| {
                binary(
                    &state,
                    &[
                        "audit",
                        "--endpoint-url",
                        &h.sim.endpoint(),
                        "--regions",
                        "us-east-1",
                    ],
                )
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("history off"), "round {round}: {stderr}");
            assert_eq!(out.status.code(), Some(0), "round {round}: {stderr}");
        }
        let listed = json_of(
            &binary(&state, &["history", "--format", "json"])
                .output()
                .unwrap(),
        );
        assert_eq!(
            listed["snapshots"].as_array().map(Vec::len),
            Some(4),
            "round {round}"
        );
    }
}
