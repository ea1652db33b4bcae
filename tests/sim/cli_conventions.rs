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
