//! The command line, ripgrep's way: the flags as typed (`args`) → what a command runs with
//! (`settings`) → one `match` on the command (`run`, here) → one place that turns its end into
//! an exit status and an error into text (`main`, here). `main.rs` only calls `main`.

mod args;
mod audit;
mod checks;
mod config;
mod error;
mod family;
mod gui;
mod history;
mod org;
mod output;
mod plan;
mod settings;
mod trail;
mod verify;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use args::{AuditArgs, Cli, Command, FailOn, HistoryFormatArg};
use audit::{AuditCommand, AuditExit};
use checks::{actor, load_baseline};
use error::CliError;
use history::DiffRange;
use plan::{ApplyExit, PlanExit};
use settings::{Session, history_path};

use crate::domain::account::AccountSelection;
use crate::jobs::Runner;
use crate::report::RenderError;
use crate::sim::{Knobs, Sim};

/// How a command ended, for the process's exit status: 0 all is well, 1 something needs
/// attention (findings, steps planned, steps not done), 2 the picture is incomplete or the
/// command could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Success,
    Attention,
    Incomplete,
}

/// Runs the command line; `stdout_open` says whether descriptor 1 was open when the process
/// started (main.rs looks before the Rust runtime reopens a closed one).
pub fn main(stdout_open: bool) -> ExitCode {
    init_logging();
    let mut cli = Cli::parse();
    if let Err(message) = config::apply_config(&mut cli) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    if let Some(url) = &cli.endpoint_url {
        route_profile_sts_to(url);
    }
    match run(cli, stdout_open) {
        Ok(Exit::Success) => ExitCode::SUCCESS,
        Ok(Exit::Attention) => ExitCode::from(1),
        Ok(Exit::Incomplete) => ExitCode::from(2),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The one `match` on the command.
fn run(cli: Cli, stdout_open: bool) -> Result<Exit, CliError> {
    if !stdout_open && matches!(&cli.command, Some(Command::Audit(a)) if a.output.is_none()) {
        return Err(CliError::StdoutClosed);
    }
    let runner = Runner::new().map_err(CliError::Runtime)?;
    match &cli.command {
        Some(Command::Sim { port, knobs }) => run_sim(&runner, knobs, *port),
        Some(Command::Completions { shell }) => print_completions(*shell),
        Some(Command::Man) => print_man(),
        Some(Command::History { format, keep }) => {
            let text = history::history(&history_of(&cli)?, keep.as_deref(), format.format())?;
            output::write_report(None, &text).map(|()| Exit::Success)
        }
        Some(Command::Diff {
            from,
            since,
            to,
            format,
        }) => {
            let range = DiffRange {
                from: *from,
                since: since.clone(),
                to: *to,
                account: diff_account(&cli)?,
            };
            let text = history::diff_command(&history_of(&cli)?, &range, format.format())?;
            output::write_report(None, &text).map(|()| Exit::Success)
        }
        Some(Command::Journal { since, format }) => {
            let text = history::journal(&history_of(&cli)?, since.as_deref(), format.format())?;
            output::write_report(None, &text).map(|()| Exit::Success)
        }
        Some(Command::Audit(args)) => run_audit(&runner, &cli, args),
        Some(Command::Verify { key_id, format }) => run_verify(&runner, &cli, key_id, *format),
        Some(Command::Trail {
            key_id,
            since,
            format,
        }) => run_trail(&runner, &cli, key_id, since.as_deref(), *format),
        Some(Command::Plan {
            baseline,
            output,
            format,
        }) => {
            let session = Session::open(&runner, &cli, true)?;
            session.refuse_accounts("plan")?;
            let path = baseline;
            let baseline = load_baseline(Some(path), None, None)?;
            if baseline.asks_nothing() {
                eprintln!(
                    "note: {} asks nothing (no Region required or disallowed, no rule, every replica property kept): nothing can be planned from it",
                    path.display()
                );
            }
            let planned = plan::plan_command(
                &runner,
                &session,
                &baseline,
                output.as_deref(),
                *format == HistoryFormatArg::Md,
            )?;
            Ok(match planned {
                PlanExit::NothingToDo => Exit::Success,
                PlanExit::StepsPlanned => Exit::Attention,
                PlanExit::Incomplete => Exit::Incomplete,
            })
        }
        Some(Command::Apply {
            plan,
            allow_deletions,
        }) => {
            if cli.read_only {
                return Err(CliError::ReadOnlyApply);
            }
            let session = Session::open(&runner, &cli, true)?;
            session.refuse_accounts("apply")?;
            session.known_account()?;
            let applied = plan::apply_command(
                &runner,
                &session.clients,
                plan,
                &actor(session.identity.as_ref()),
                *allow_deletions,
                history_path(&cli).as_deref(),
            )?;
            Ok(match applied {
                ApplyExit::AllDone => Exit::Success,
                ApplyExit::NotAllDone => Exit::Attention,
            })
        }
        None => {
            let session = Session::open(&runner, &cli, false)?;
            let entered = session.enter_accounts(&runner)?;
            gui::run(runner, session, entered, &cli).map(|_| Exit::Success)
        }
    }
}

/// `completions SHELL`: the completion script, from the same definition as `--help`.
fn print_completions(shell: clap_complete::Shell) -> Result<Exit, CliError> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "kms-replica-console", &mut out);
    output::write_report(None, &String::from_utf8_lossy(&out)).map(|()| Exit::Success)
}

/// `man`: the man page (roff), from the same definition as `--help`.
fn print_man() -> Result<Exit, CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(CliError::Stdout)?;
    output::write_report(None, &String::from_utf8_lossy(&out)).map(|()| Exit::Success)
}

/// `verify KEY_ID`: 0 all interoperate, 1 some do not, 2 could not check.
fn run_verify(
    runner: &Runner,
    cli: &Cli,
    key_id: &str,
    format: HistoryFormatArg,
) -> Result<Exit, CliError> {
    if format == HistoryFormatArg::Csv {
        return Err(RenderError::NotCsv {
            what: "a verification",
        }
        .into());
    }
    let session = Session::open(runner, cli, true)?;
    session.refuse_accounts("verify")?;
    let markdown = format == HistoryFormatArg::Md;
    Ok(
        match verify::verify_command(runner, &session, key_id, markdown)? {
            crate::domain::verify::Verdict::AllInteroperate => Exit::Success,
            crate::domain::verify::Verdict::SomeDoNot => Exit::Attention,
            crate::domain::verify::Verdict::CouldNotCheck => Exit::Incomplete,
        },
    )
}

/// `trail KEY_ID`: 0 every Region's records read, 2 some could not be.
fn run_trail(
    runner: &Runner,
    cli: &Cli,
    key_id: &str,
    since: Option<&str>,
    format: HistoryFormatArg,
) -> Result<Exit, CliError> {
    if format == HistoryFormatArg::Csv {
        return Err(RenderError::NotCsv { what: "the trail" }.into());
    }
    let session = Session::open(runner, cli, true)?;
    session.refuse_accounts("trail")?;
    let history = history_path(cli);
    let command = trail::TrailCommand {
        key_id,
        since,
        markdown: format == HistoryFormatArg::Md,
        history: history.as_deref(),
    };
    Ok(match trail::trail_command(runner, &session, &command)? {
        trail::TrailExit::Complete => Exit::Success,
        trail::TrailExit::Incomplete => Exit::Incomplete,
    })
}

/// `audit`: one account, or every account entered.
fn run_audit(runner: &Runner, cli: &Cli, args: &AuditArgs) -> Result<Exit, CliError> {
    let session = Session::open(runner, cli, true)?;
    let entered = session.enter_accounts(runner)?;
    let command = AuditCommand {
        format: args.format.report_format(),
        output: args.output.clone(),
        fail_on: args.fail_on.map(FailOn::severity),
        baseline: load_baseline(
            args.baseline.as_deref(),
            args.require_regions.as_deref(),
            args.allow_regions.as_deref(),
        )?,
        expiry_days: args.expiry_days,
        unused_days: args.usage.then_some(args.unused_days),
        provenance: args.provenance,
        security_hub: args.security_hub,
        identity: session.identity.clone(),
        history: history_path(cli),
    };
    let exit = match entered {
        Some(entered) => org::audit_accounts(runner, entered, session.regions.clone(), command)?,
        None => audit::audit(
            runner,
            session.clients.clone(),
            session.regions.clone(),
            command,
        )?,
    };
    Ok(match exit {
        AuditExit::Clean => Exit::Success,
        AuditExit::Findings => Exit::Attention,
        AuditExit::Incomplete => Exit::Incomplete,
    })
}

/// The history for `history`, `diff` and `journal`, which read the database only.
fn history_of(cli: &Cli) -> Result<std::path::PathBuf, CliError> {
    history_path(cli).ok_or(CliError::HistoryOff)
}

/// `diff --accounts ID`: whose snapshots to compare.
fn diff_account(cli: &Cli) -> Result<Option<String>, CliError> {
    match &cli.accounts {
        Some(AccountSelection::Listed(ids)) if ids.len() == 1 => Ok(Some(ids[0].to_string())),
        Some(_) => Err(CliError::DiffAccounts),
        None => Ok(None),
    }
}

/// `sim`: the simulator alone, until the process is stopped.
fn run_sim(runner: &Runner, knobs: &Knobs, port: u16) -> Result<Exit, CliError> {
    let sim = runner
        .block_on(Sim::start(knobs.config(false, port), knobs.seed))
        .map_err(CliError::Sim)?;
    println!(
        "KMS simulator listening on {} (account {}); admin routes under {}/_sim/. Ctrl-C stops it.",
        sim.endpoint(),
        sim.account_id(),
        sim.endpoint()
    );
    runner.block_on(std::future::pending::<()>());
    Ok(Exit::Success)
}

/// Logging to standard error at `RUST_LOG` (default `warn`), less what may carry a secret: at
/// trace the SDK's orchestrator logs every response (its body, and the parsed output), and
/// CreateGrant's carries the grant's token (KMS does not mark it sensitive, so the SDK does not
/// redact it). That target is capped at debug whatever `RUST_LOG` asks, by a second filter
/// that no directive overrides.
fn init_logging() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::filter::{FilterExt as _, LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    const SECRETS: &str = "aws_smithy_runtime::client::orchestrator";
    let asked = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let cap = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target(SECRETS, LevelFilter::DEBUG);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal who did not ask for none (NO_COLOR),
        // never into a CI log or a file.
        .with_ansi(
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .with_filter(asked.and(cap));
    tracing_subscriber::registry().with(layer).init();
}

/// A profile that assumes a role (`role_arn` with `source_profile`) makes its AssumeRole through
/// aws-config's own STS client, which takes its endpoint from the environment and the config
/// file only, never from the loader's `endpoint_url`: without this, `--endpoint-url` would send
/// that one call to AWS. An `AWS_ENDPOINT_URL_STS` the user set wins.
fn route_profile_sts_to(url: &str) {
    if std::env::var_os("AWS_ENDPOINT_URL_STS").is_none() {
        // SAFETY: called from `main` before the async runtime or any other thread exists, so
        // nothing reads the environment while it changes.
        unsafe { std::env::set_var("AWS_ENDPOINT_URL_STS", url) };
    }
}
