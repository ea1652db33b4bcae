//! boto3 — a KMS client nobody here wrote — against the simulator's 2025–2026 behaviours
//! (GetKeyLastUsage, crypto across a family — data keys, MACs, signatures, ML-KEM — several key
//! materials with real wrapping keys, CloudTrail LookupEvents), each asserted with the
//! error code KMS documents (`tests/conformance/kms_2026.py`). moto serves none of them.

use std::process::Command;

use kms_replica_console::jobs::Runner;

/// The Python of the moto virtual environment (it has boto3): beside `MOTO_SERVER`.
fn python() -> String {
    let moto = std::env::var("MOTO_SERVER")
        .unwrap_or_else(|_| format!("{}/.venv-moto/bin/moto_server", env!("CARGO_MANIFEST_DIR")));
    let python = std::path::Path::new(&moto).with_file_name("python");
    assert!(
        python.exists(),
        "no Python with boto3 at {}: run scripts/test.sh, which installs it",
        python.display()
    );
    python.to_string_lossy().into_owned()
}

#[test]
fn boto3_sees_the_documented_answers_and_error_codes() {
    let runner = Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let script = format!(
        "{}/tests/conformance/kms_2026.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut command = Command::new(python());
    crate::support::clean_env(&mut command);
    let out = command.arg(&script).arg(sim.endpoint()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
