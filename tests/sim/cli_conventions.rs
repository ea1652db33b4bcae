//! The command-line conventions people reach for first (#26 row 4): shell completions and a
//! man page, generated from the same definition as `--help`.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    crate::support::clean_env(&mut command);
    let out = command.args(args).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_are_generated_for_every_shell_and_know_the_subcommands() {
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("complete -F _kms__replica__console"),
        "{bash}"
    );
    for subcommand in ["audit", "trail", "verify", "plan", "apply"] {
        assert!(
            bash.contains(subcommand),
            "{subcommand} in the bash completions"
        );
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert!(
            run(&["completions", shell]).contains("kms-replica-console"),
            "{shell}"
        );
    }
}

#[test]
fn the_man_page_is_roff_and_documents_the_subcommands() {
    let page = run(&["man"]);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH kms-replica-console"), "the title header");
    for subcommand in ["audit", "trail", "verify", "completions"] {
        assert!(page.contains(subcommand), "{subcommand} in the man page");
    }
}

fn config_file(text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "kms-rc-config-{}-{}.toml",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_config_file_gives_the_regions_and_a_flag_wins_over_it() {
    let runner = kms_replica_console::jobs::Runner::new().unwrap();
    let sim = crate::harness::quick_sim(&runner, 0.0);
    let config = config_file("regions = [\"eu-west-1\"]\n");
    let audit = |extra: &[&str]| -> serde_json::Value {
        let endpoint = sim.endpoint();
        let args = [
            &[
                "audit",
                "--no-history",
                "--endpoint-url",
                &endpoint,
                "--config",
                config.to_str().unwrap(),
            ][..],
            extra,
        ]
        .concat();
        serde_json::from_str(&run(&args)).expect("a JSON report")
    };
    assert_eq!(
        audit(&[])["regions_scanned"],
        serde_json::json!(["eu-west-1"])
    );
    assert_eq!(
        audit(&["--regions", "us-east-1"])["regions_scanned"],
        serde_json::json!(["us-east-1"]),
        "the flag wins"
    );
    let _ = std::fs::remove_file(config);
}

#[test]
fn a_config_file_with_an_unknown_key_is_refused_with_its_path_and_line() {
    let config = config_file("profile = \"ops\"\nregion = [\"eu-west-1\"]\n");
    let mut command = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"));
    crate::support::clean_env(&mut command);
    let out = command
        .args(["--config", config.to_str().unwrap(), "audit"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(config.to_str().unwrap())
            && stderr.contains("line 2")
            && stderr.contains("region"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(config);
}
