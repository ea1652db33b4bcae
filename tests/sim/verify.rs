//! `verify` and **Verify replicas…** (#25): proof, not a reading, that a family's keys
//! interoperate — a healthy family passes, a replica holding other material and a disabled one
//! are refused (exit 1), a check that is denied is not a pass (exit 2); read-only mode allows it.
//! moto has no multi-Region crypto worth the name here: the simulator covers it.

use std::process::Output;

use egui_kittest::kittest::Queryable;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{FaultKind, FaultRule, Sim};

use crate::history::{StateDir, binary};
use crate::support;

/// A family in us-east-1 with replicas in eu-west-1 and ap-southeast-2, usable.
fn family() -> (Runner, Sim, String) {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        support::create_family(&us, &["eu-west-1", "ap-southeast-2"]).await
    });
    sim.advance_clock(std::time::Duration::from_secs(1));
    (runner, sim, key)
}

/// A family of `spec` and `usage` in us-east-1 with replicas in eu-west-1 and ap-southeast-2.
fn family_of(spec: &str, usage: &str) -> (Runner, Sim, String) {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let sdk = support::sdk_config(&sim.endpoint());
    let key = runner.block_on(async {
        let us = support::client_in(&sdk, "us-east-1");
        support::create_family_of(&us, spec, usage, &["eu-west-1", "ap-southeast-2"]).await
    });
    sim.advance_clock(std::time::Duration::from_secs(1));
    (runner, sim, key)
}

fn verify(sim: &Sim, key: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    let state = StateDir::new("verify");
    let endpoint = sim.endpoint();
    let args = [
        &["verify", key, "--endpoint-url", &endpoint][..],
        &[
            "--regions",
            "us-east-1,eu-west-1,ap-southeast-2",
            "--no-history",
        ],
        extra,
    ]
    .concat();
    let out = binary(&state, &args).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, report)
}

fn outcomes(report: &serde_json::Value) -> Vec<String> {
    report["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}->{}: {}",
                l["from"].as_str().unwrap(),
                l["to"].as_str().unwrap(),
                l["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_healthy_family_interoperates_both_ways_and_exits_0_even_read_only() {
    let (_runner, sim, key) = family();
    let (out, report) = verify(&sim, &key, &["--read-only"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["verdict"], "all-interoperate");
    assert_eq!(
        outcomes(&report),
        vec![
            "us-east-1->eu-west-1: interoperates",
            "us-east-1->ap-southeast-2: interoperates",
            "eu-west-1->us-east-1: interoperates",
            "ap-southeast-2->us-east-1: interoperates",
        ]
    );
    let decrypts = sim.stats()["requests"]["eu-west-1"]["Decrypt"].as_u64();
    assert_eq!(
        decrypts,
        Some(1),
        "the replica opened the primary's data key"
    );
}

#[test]
fn a_replica_with_other_material_and_a_disabled_one_are_refused_and_exit_1() {
    let (runner, sim, key) = family();
    sim.replace_material("eu-west-1", &key);
    let sdk = support::sdk_config(&sim.endpoint());
    runner.block_on(async {
        support::client_in(&sdk, "ap-southeast-2")
            .disable_key()
            .key_id(&key)
            .send()
            .await
            .unwrap();
    });
    let (out, report) = verify(&sim, &key, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["verdict"], "some-do-not");
    let legs = report["legs"].as_array().unwrap();
    let detail = |from: &str, to: &str| {
        legs.iter()
            .find(|l| l["from"] == from && l["to"] == to)
            .map(|l| format!("{} {}", l["outcome"], l["detail"]))
            .unwrap()
    };
    assert!(
        detail("us-east-1", "eu-west-1").contains("IncorrectKeyException"),
        "{report}"
    );
    assert!(
        detail("ap-southeast-2", "us-east-1").contains("DisabledException"),
        "{report}"
    );
}

#[test]
fn a_check_that_is_denied_is_no_pass_and_exits_2() {
    let (_runner, sim, key) = family();
    sim.set_faults(vec![FaultRule {
        kind: FaultKind::Deny,
        rate: 1.0,
        region: Some("eu-west-1".into()),
        operation: Some("Decrypt".into()),
    }]);
    let (out, report) = verify(&sim, &key, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["verdict"], "could-not-check");
    assert!(outcomes(&report).contains(&"us-east-1->eu-west-1: not-checked".to_string()));
}

#[test]
fn the_window_verifies_a_family_when_confirmed_and_shows_each_leg() {
    let (runner, sim, key) = family();
    sim.replace_material("eu-west-1", &key);
    let clients =
        kms_replica_console::aws::AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
        .map(support::region)
        .to_vec();
    let app = kms_replica_console::ui::App::new(
        runner,
        kms_replica_console::jobs::Inventory::new(clients, regions),
        kms_replica_console::ui::AppOptions {
            read_only: true,
            ..Default::default()
        },
    );
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut kms_replica_console::ui::App| app.show(ui),
            app,
        );
    crate::harness::step_until(&mut harness, "the key's row", |h| {
        crate::harness::scanned(h) && h.query_by_label(&key).is_some()
    });
    harness.get_by_label(&key).click_secondary();
    crate::harness::step_until(&mut harness, "the family's menu", |h| {
        h.query_by_label("Verify replicas…").is_some()
    });
    harness.get_by_label("Verify replicas…").click();
    crate::harness::step_until(&mut harness, "the confirmation", |h| {
        h.query_by_label("Confirm: verify").is_some()
    });
    assert_eq!(
        sim.stats()["requests"]["us-east-1"]["GenerateDataKey"].as_u64(),
        None,
        "nothing before the confirmation"
    );
    harness.get_by_label("Confirm: verify").click();
    harness.get_by_label(&key).click();
    crate::harness::step_until(&mut harness, "the verdict", |h| {
        h.query_by_label("Verify: some keys do not interoperate")
            .is_some()
    });
    harness
        .get_by_label_contains("us-east-1 to eu-west-1: refused: eu-west-1: IncorrectKeyException");
    harness.get_by_label("us-east-1 to ap-southeast-2: interoperates");
}

#[test]
fn hmac_signing_and_ml_kem_families_prove_themselves_by_their_own_calls() {
    for (spec, usage, made, checked) in [
        (
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
            "GenerateMac",
            "VerifyMac",
        ),
        ("ML_DSA_65", "SIGN_VERIFY", "Sign", "Verify"),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "Sign", "Verify"),
        (
            "ML_KEM_768",
            "ENCAPSULATE_DECAPSULATE",
            "Encapsulate",
            "Decapsulate",
        ),
    ] {
        let (_runner, sim, key) = family_of(spec, usage);
        let (out, report) = verify(&sim, &key, &[]);
        assert_eq!(out.status.code(), Some(0), "{spec}: {report}");
        assert_eq!(report["verdict"], "all-interoperate", "{spec}");
        let stats = sim.stats();
        assert_eq!(
            stats["requests"]["eu-west-1"][checked].as_u64(),
            Some(1),
            "{spec}"
        );
        assert_eq!(
            stats["requests"]["eu-west-1"][made].as_u64(),
            Some(1),
            "{spec}"
        );
    }
}

#[test]
fn a_replica_with_other_material_fails_each_kind_of_proof() {
    for (spec, usage, said) in [
        ("HMAC_384", "GENERATE_VERIFY_MAC", "KMSInvalidMacException"),
        ("ML_DSA_44", "SIGN_VERIFY", "KMSInvalidSignatureException"),
        (
            "ML_KEM_512",
            "ENCAPSULATE_DECAPSULATE",
            "opened to different bytes",
        ),
    ] {
        let (_runner, sim, key) = family_of(spec, usage);
        sim.replace_material("eu-west-1", &key);
        let (out, report) = verify(&sim, &key, &[]);
        assert_eq!(out.status.code(), Some(1), "{spec}: {report}");
        let leg = report["legs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["from"] == "us-east-1" && l["to"] == "eu-west-1")
            .map(|l| l["detail"].to_string())
            .unwrap();
        assert!(leg.contains(said), "{spec}: {leg}");
    }
}

#[test]
fn a_key_agreement_family_is_not_checked_and_never_passed() {
    let (_runner, sim, key) = family_of("ECC_NIST_P256", "KEY_AGREEMENT");
    let (out, _) = verify(&sim, &key, &[]);
    assert_eq!(out.status.code(), Some(2));
}
