//! The trail of a family end to end (#24): `trail` reads CloudTrail's records about each key
//! in its Region through the SDK, names who did what and what failed, tells this app's own calls
//! apart by the request IDs its journal kept, and says when a Region could not be read. moto has
//! no LookupEvents: the simulator covers it.

use std::time::Duration;

use aws_sdk_kms::primitives::Blob;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{FaultKind, FaultRule, Sim};

use crate::history::{StateDir, binary, journaled_app};
use crate::support;

/// A family made by someone else in us-east-1, replicated to eu-west-1 by this app (journaled),
/// then its replica disabled and a workload refused there. Returns the runner the simulator
/// serves on (dropped, it would stop serving).
fn family_with_a_trail(runner: Runner, sim: &Sim, state: &StateDir) -> (String, Runner) {
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(support::create_mrk(&support::client_in(&sdk, "us-east-1")));
    let (mut inventory, log, runner) = journaled_app(runner, sim, &state.db());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    crate::history::replicate_to_eu_west_1(&mut inventory, &runner, &key);
    assert!(log.flush(Duration::from_secs(60)), "{:?}", log.problem());
    sim.advance_clock(Duration::from_secs(120));
    runner.block_on(async {
        let eu = support::client_in(&sdk, "eu-west-1");
        let us = support::client_in(&sdk, "us-east-1");
        let blob = us
            .encrypt()
            .key_id(&key)
            .plaintext(Blob::new(b"payload".to_vec()))
            .send()
            .await
            .expect("the primary encrypts")
            .ciphertext_blob
            .expect("a ciphertext");
        eu.disable_key()
            .key_id(&key)
            .send()
            .await
            .expect("disabled");
        let refused = eu.decrypt().ciphertext_blob(blob).send().await;
        assert!(refused.is_err(), "a disabled replica refuses");
    });
    (key, runner)
}

#[test]
fn trail_names_who_did_what_where_and_tells_this_apps_calls_apart_by_request_id() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let state = StateDir::new("trail");
    let (key, _runner) = family_with_a_trail(runner, &sim, &state);
    let out = binary(
        &state,
        &[
            "trail",
            &key,
            "--endpoint-url",
            &sim.endpoint(),
            "--regions",
            "us-east-1",
        ],
    )
    .output()
    .unwrap();
    let report = crate::history::json_of(&out);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(
        report["regions"],
        serde_json::json!(["eu-west-1", "us-east-1"]),
        "every Region of the family, named by its multi-Region configuration"
    );
    let events = report["events"].as_array().unwrap();
    let row = |name: &str, region: &str| {
        events
            .iter()
            .find(|e| e["event_name"] == name && e["region"] == region)
            .unwrap_or_else(|| panic!("no {name} in {region}: {report}"))
    };
    let replicate = row("ReplicateKey", "us-east-1");
    assert_eq!(replicate["from_this_app"], true);
    assert_eq!(replicate["app_source"], "the window");
    assert_eq!(
        row("CreateKey", "eu-west-1")["from_this_app"],
        true,
        "its echo, same request"
    );
    let made = events
        .iter()
        .find(|e| e["event_name"] == "CreateKey" && e["region"] == "us-east-1")
        .expect("the primary's creation");
    assert_eq!(made["from_this_app"], false, "made by someone else");
    assert!(
        made["identity_arn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:iam::"))
    );
    let refused = row("Decrypt", "eu-west-1");
    assert_eq!(refused["error_code"], "DisabledException");
    assert_eq!(events[0]["event_name"], "Decrypt", "newest first: {report}");
    for field in ["time", "account", "source_ip", "request_id", "event_id"] {
        assert!(!refused[field].is_null(), "{field} in {refused}");
    }
}

#[test]
fn trail_that_cannot_be_read_in_one_region_says_so_and_exits_2() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let state = StateDir::new("trail-denied");
    let (key, _runner) = family_with_a_trail(runner, &sim, &state);
    sim.set_faults(vec![FaultRule {
        kind: FaultKind::Deny,
        rate: 1.0,
        region: Some("eu-west-1".into()),
        operation: Some("LookupEvents".into()),
    }]);
    let out = binary(
        &state,
        &[
            "trail",
            &key,
            "--endpoint-url",
            &sim.endpoint(),
            "--format",
            "md",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("eu-west-1") && stderr.contains("LookupEvents failed"),
        "{stderr}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Not read in eu-west-1"), "{text}");
    assert!(
        text.contains("| ReplicateKey |"),
        "us-east-1 still read: {text}"
    );
    assert!(
        sim.stats()["requests"]["eu-west-1"]["LookupEvents"]
            .as_u64()
            .is_some_and(|n| n >= 1),
        "the fault was met"
    );
}

#[test]
fn trail_of_something_that_is_not_a_family_is_a_clear_error() {
    let state = StateDir::new("trail-bad");
    let out = binary(&state, &["trail", "alias/orders"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a multi-Region key ID"));
}

#[test]
fn the_details_panel_reads_the_trail_when_asked_and_shows_a_refused_use() {
    use egui_kittest::kittest::Queryable;
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let state = StateDir::new("trail-window");
    let (key, runner) = family_with_a_trail(runner, &sim, &state);
    let (inventory, _log, runner) = journaled_app(runner, &sim, &state.db());
    let app = kms_replica_console::ui::App::new(runner, inventory, Default::default());
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut kms_replica_console::ui::App| app.show(ui),
            app,
        );
    crate::harness::step_until(&mut harness, "the key's row", |h| {
        crate::harness::scanned(h) && h.query_by_label(&key).is_some()
    });
    harness.get_by_label(&key).click();
    crate::harness::step_until(&mut harness, "the details", crate::harness::details_read);
    let before = sim.stats()["requests"]["eu-west-1"]["LookupEvents"].as_u64();
    assert_eq!(before, None, "nothing read before it is asked");
    harness.get_by_label("Read the trail").click();
    crate::harness::step_until(&mut harness, "the trail", |h| {
        h.query_by_label_contains("Decrypt by").is_some()
    });
    harness.get_by_label_contains("Decrypt by arn:aws:iam::111122223333:user/");
    harness.get_by_label_contains("— failed: DisabledException");
    harness.get_by_label_contains("ReplicateKey by");
    assert_eq!(
        harness
            .query_all_by_label_contains("(made by kms-replica-console, the window)")
            .count(),
        2,
        "ReplicateKey in us-east-1 and its CreateKey in eu-west-1"
    );
}

#[test]
fn audit_with_provenance_names_who_last_changed_a_drifted_policy() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::empty_sim(&runner);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        support::create_family(&us, &["eu-west-1"]).await
    });
    sim.advance_clock(Duration::from_secs(600));
    runner.block_on(async {
        support::client_in(&sdk, "eu-west-1")
            .put_key_policy()
            .key_id(&key)
            .policy(crate::plan_apply::OTHER_POLICY)
            .send()
            .await
            .unwrap();
    });
    let state = StateDir::new("provenance");
    let endpoint = sim.endpoint();
    let audit = |extra: &[&str]| {
        let args = [
            &[
                "audit",
                "--endpoint-url",
                &endpoint,
                "--regions",
                "us-east-1,eu-west-1",
            ][..],
            extra,
        ]
        .concat();
        let out = binary(&state, &args).output().unwrap();
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "policy-drift")
            .and_then(|f| f["message"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no policy drift: {report}"))
    };
    let plain = audit(&[]);
    assert!(!plain.contains("Last changed by"), "{plain}");
    let lookups = |sim: &Sim| sim.stats()["requests"]["eu-west-1"]["LookupEvents"].as_u64();
    assert_eq!(lookups(&sim), None, "no trail read without --provenance");
    let told = audit(&["--provenance"]);
    assert!(
        told.contains("Last changed by arn:aws:iam::111122223333:user/")
            && told.ends_with("(PutKeyPolicy)."),
        "{told}"
    );
    assert!(
        sim.stats()["requests"]["us-east-1"]["LookupEvents"].is_null(),
        "only the drifted key's Region is read"
    );
}
