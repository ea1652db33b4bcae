//! `disallowed = "retire"` planned and applied in two runs (#24): the first disables the
//! replicas in Regions the baseline does not allow; the second schedules the deletion of each
//! only if CloudTrail shows it quiet for a week — the replica a workload was refused on two days
//! ago is skipped as stale (never forced), the one quiet for twenty days is scheduled.

use std::process::{Command, Output};
use std::time::Duration;

use aws_sdk_kms::primitives::Blob;
use kms_replica_console::jobs::Runner;
use kms_replica_console::sim::{Delays, Seed, Sim, SimConfig};

use crate::harness::real_now;
use crate::plan_apply::stderr;
use crate::support;

const DAY: u64 = 86_400;
const BASELINE: &str = "allow_regions = [\"us-east-1\"]\n[replicas]\ndisallowed = \"retire\"\n";

struct Retirement {
    runner: Runner,
    sim: Sim,
    key: String,
    dir: std::path::PathBuf,
}

impl Drop for Retirement {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Retirement {
    /// A family made 30 days ago: primary in us-east-1, replicas in eu-west-1 and
    /// ap-southeast-2, neither Region allowed.
    fn start() -> Retirement {
        let runner = Runner::new().unwrap();
        let config = SimConfig {
            clock_start: Some(real_now() - 30.0 * DAY as f64),
            delays: Delays {
                replica_creation: 1.0,
                update_primary: 1.0,
            },
            ..SimConfig::default()
        };
        let sim = runner.block_on(Sim::start(config, Seed::Empty)).unwrap();
        let sdk = support::sdk_config(&sim.endpoint());
        let key = runner.block_on(async {
            let us = support::client_in(&sdk, "us-east-1");
            support::create_family(&us, &["eu-west-1", "ap-southeast-2"]).await
        });
        sim.advance_clock(Duration::from_secs(5));
        let dir = std::env::temp_dir().join(format!(
            "kms-rc-retire-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("baseline.toml"), BASELINE).unwrap();
        Retirement {
            runner,
            sim,
            key,
            dir,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    fn binary(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
        support::clean_env(&mut command);
        command
            .args(args)
            .args(["--endpoint-url", &self.sim.endpoint()])
            .args([
                "--regions",
                "us-east-1,eu-west-1,ap-southeast-2",
                "--no-history",
            ])
            .output()
            .expect("the binary runs")
    }

    fn plan_and_apply(&self, name: &str, apply: &[&str]) -> (serde_json::Value, Output) {
        let baseline = self.path("baseline.toml");
        let planned = self.binary(&[
            "plan",
            "--baseline",
            &baseline,
            "--output",
            &self.path(name),
        ]);
        assert_eq!(planned.status.code(), Some(1), "{}", stderr(&planned));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.path(name)).unwrap()).unwrap();
        let applied = self.binary(&[&["apply", &self.path(name)][..], apply].concat());
        (plan, applied)
    }

    /// A workload decrypts in `region`: refused there once the replica is disabled.
    fn workload_calls(&self, region: &str) {
        let sdk = support::sdk_config(&self.sim.endpoint());
        self.runner.block_on(async {
            let blob = support::client_in(&sdk, "us-east-1")
                .encrypt()
                .key_id(&self.key)
                .plaintext(Blob::new(b"payload".to_vec()))
                .send()
                .await
                .unwrap()
                .ciphertext_blob
                .unwrap();
            let refused = support::client_in(&sdk, region)
                .decrypt()
                .ciphertext_blob(blob)
                .send()
                .await;
            assert!(refused.is_err(), "{region} is disabled");
        });
    }

    fn calls(&self, region: &str, operation: &str) -> u64 {
        self.sim.stats()["requests"][region][operation]
            .as_u64()
            .unwrap_or(0)
    }
}

fn operations(plan: &serde_json::Value) -> Vec<(String, String)> {
    let mut ops: Vec<(String, String)> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let text = |f: &str| s[f].as_str().unwrap_or_default().to_string();
            (text("operation"), text("region"))
        })
        .collect();
    ops.sort();
    ops
}

#[test]
fn retire_disables_first_then_deletes_only_what_a_quiet_week_allows() {
    let r = Retirement::start();
    let (first, applied) = r.plan_and_apply("disable.json", &[]);
    let pair = |op: &str, region: &str| (op.to_string(), region.to_string());
    assert_eq!(
        operations(&first),
        vec![
            pair("DisableKey", "ap-southeast-2"),
            pair("DisableKey", "eu-west-1")
        ]
    );
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));

    // Ten days on a workload is refused in ap-southeast-2; eighteen more, in eu-west-1.
    r.sim.advance_clock(Duration::from_secs(10 * DAY));
    r.workload_calls("ap-southeast-2");
    r.sim.advance_clock(Duration::from_secs(18 * DAY));
    r.workload_calls("eu-west-1");
    r.sim.advance_clock(Duration::from_secs(DAY));

    let (second, applied) = r.plan_and_apply("delete.json", &["--allow-deletions"]);
    assert_eq!(
        operations(&second),
        vec![
            pair("ScheduleKeyDeletion", "ap-southeast-2"),
            pair("ScheduleKeyDeletion", "eu-west-1")
        ]
    );
    let text = stderr(&applied);
    assert_eq!(applied.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "stale, not called: Blocked: disabled 29 days ago; 1 DisabledException since"
        ),
        "{text}"
    );
    assert_eq!(
        r.calls("ap-southeast-2", "ScheduleKeyDeletion"),
        1,
        "quiet for 19 days"
    );
    assert_eq!(
        r.calls("eu-west-1", "ScheduleKeyDeletion"),
        0,
        "never forced"
    );
}
