//! The `kms-replica-console` binary: the GUI by default, `audit` for the same scan headless.
//!
//! Only this file turns errors into text and exit statuses.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};
use kms_replica_console::aws::{ConnectSettings, KmsClients, StaticCredentials};
use kms_replica_console::domain::Region;
use kms_replica_console::domain::account::Account;
use kms_replica_console::domain::account::{AccountSelection, check_role_names};
use kms_replica_console::domain::audit::{ReportFormat, Severity};
use kms_replica_console::domain::history::JournalEntry;
use kms_replica_console::domain::region::Partition;
use kms_replica_console::domain::region::{parse_region_list, single_partition};
use kms_replica_console::headless::{
    self, AccountsCommand, ApplyExit, AuditCommand, AuditExit, DiffRange, PlanExit,
};
use kms_replica_console::jobs::{
    Actor, EnteredAccount, HistoryLog, Inventory, RoleSettings, Runner,
};
use kms_replica_console::report::HistoryFormat;
use kms_replica_console::sim::{FaultRule, Knobs, Seed, Sim};
use kms_replica_console::store::Store;
use kms_replica_console::ui::{AccountSlot, App, AppOptions};

/// The role the demo enters its organization's member accounts with (AWS's default name for
/// the role Organizations creates in a new account).
const DEMO_ROLE: &str = "OrganizationAccountAccessRole";

/// See and drive AWS KMS multi-Region key replication across every Region at once.
#[derive(Debug, Parser)]
#[command(name = "kms-replica-console", version)]
struct Cli {
    /// Use a named profile from the AWS config files (default: AWS_PROFILE, then the default chain).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Regions to scan: a comma-separated list, or `all` for every commercial Region including
    /// opt-in ones. Default: the 17 Regions every account has.
    #[arg(long, global = true, value_name = "r1,r2,…|all")]
    regions: Option<String>,
    /// Send KMS requests (and the STS GetCallerIdentity that names the identity) to this
    /// endpoint (moto, a simulator, a VPC endpoint) instead of AWS. AWS_ENDPOINT_URL_KMS,
    /// AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL are honoured when this is not given.
    #[arg(long, global = true, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Offer and make no call that changes a key.
    #[arg(long, global = true)]
    read_only: bool,
    /// Read several accounts: `all` (every account Organizations lists for the caller: run
    /// from the management account or a delegated administrator) or ID,ID,…
    #[arg(long, global = true, value_name = "all|ID,ID,…")]
    accounts: Option<AccountSelection>,
    /// The role assumed in each account other than the caller's
    /// (arn:<partition>:iam::<ID>:role/NAME).
    #[arg(long, global = true, value_name = "NAME", requires = "accounts")]
    assume_role: Option<String>,
    /// The external ID the role's trust policy asks for.
    #[arg(long, global = true, value_name = "ID", requires = "assume_role")]
    external_id: Option<String>,
    /// The session name of the assumed roles (CloudTrail shows it).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "kms-replica-console"
    )]
    role_session_name: String,
    /// Several named profiles, each its own account (without organization access).
    #[arg(long, global = true, value_name = "a,b,…", value_delimiter = ',',
          conflicts_with_all = ["accounts", "profile"])]
    profiles: Vec<String>,
    /// The partition to scan (its Regions and ARNs); default: the partition of --regions, else aws.
    #[arg(long, global = true, value_enum)]
    partition: Option<PartitionArg>,
    /// Run against the embedded KMS simulator, seeded with a realistic estate: no AWS account needed.
    #[arg(long)]
    demo: bool,
    /// GUI: hold the grid to this TOML baseline (required Regions show "missing", keys outside
    /// the allowed Regions "not allowed"); the same file `audit --baseline` reads.
    #[arg(long, value_name = "FILE")]
    baseline: Option<std::path::PathBuf>,
    /// Keep the history (snapshots and the journal of changes) in DIR/history.sqlite instead of
    /// the platform's data directory (~/.local/share/kms-replica-console on Linux).
    #[arg(long, global = true, value_name = "DIR")]
    state_dir: Option<std::path::PathBuf>,
    /// Keep no history: no snapshot is saved and no change journaled.
    #[arg(long, global = true)]
    no_history: bool,
    #[command(flatten)]
    sim: SimArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Knobs of the embedded simulator, for `--demo` and `sim`.
#[derive(Debug, Clone, clap::Args)]
struct SimArgs {
    /// The estate to start with: demo (an organization of five accounts), empty, scale:REGIONS:FAMILIES
    /// (families spread over that many Regions with mixed coverage, plus as many single-Region
    /// keys as noise), or org:ACCOUNTS:REGIONS:FAMILIES (an organization, each account seeded so).
    #[arg(
        long,
        default_value = "demo",
        value_name = "demo|empty|scale:R:F|org:A:R:F"
    )]
    seed: Seed,
    /// Added latency per request, in milliseconds (demo default: 25).
    #[arg(long, value_name = "N")]
    latency_ms: Option<u64>,
    /// `aws` enforces the AWS default request quotas per Region and operation (demo default),
    /// `off` none.
    #[arg(long, value_name = "aws|off")]
    quotas: Option<QuotaMode>,
    /// With quotas on, the share of each quota left to this app (0–1): other callers in the
    /// simulated account use the rest, so the scan meets throttling it must ride out.
    #[arg(long, value_name = "SHARE", default_value_t = 1.0)]
    quota_share: f64,
    /// Inject faults: KIND:RATE[:REGION[:OPERATION]], KIND one of internal, hang, drop, throttle,
    /// deny.
    #[arg(long, value_name = "SPEC")]
    fault: Vec<FaultRule>,
    /// Seconds a new replica stays `Creating` (demo default: 6).
    #[arg(long, value_name = "SECONDS")]
    replica_delay: Option<f64>,
    /// Simulated seconds per real second (deletion windows pass faster).
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    clock_speed: f64,
    /// Simulated account ID.
    #[arg(long, value_name = "ID", default_value = "111122223333")]
    account_id: String,
    /// An opt-in Region the simulated account has not enabled (repeatable; demo default: me-south-1).
    #[arg(long, value_name = "REGION")]
    disable_region: Vec<String>,
    /// An account of the seeded organization whose role refuses AssumeRole (repeatable).
    #[arg(long, value_name = "ACCOUNT")]
    deny_assume_role: Vec<String>,
    /// An account of the seeded organization that is SUSPENDED (repeatable).
    #[arg(long, value_name = "ACCOUNT")]
    suspend_account: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PartitionArg {
    Aws,
    AwsUsGov,
    AwsCn,
}

impl PartitionArg {
    fn partition(self) -> Partition {
        match self {
            PartitionArg::Aws => Partition::Aws,
            PartitionArg::AwsUsGov => Partition::AwsUsGov,
            PartitionArg::AwsCn => Partition::AwsCn,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QuotaMode {
    Aws,
    Off,
}

impl SimArgs {
    fn knobs(&self) -> Knobs {
        Knobs {
            seed: self.seed,
            latency_ms: self.latency_ms,
            quotas: self.quotas.map(|q| q == QuotaMode::Aws),
            quota_share: self.quota_share,
            faults: self.fault.clone(),
            replica_delay: self.replica_delay,
            clock_speed: self.clock_speed,
            account_id: self.account_id.clone(),
            disabled_regions: self.disable_region.clone(),
            deny_assume_role: self.deny_assume_role.clone(),
            suspended_accounts: self.suspend_account.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan headless, audit coverage, drift and states, and print the report.
    ///
    /// Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage error or
    /// when a Region could not be read (each Region's error is named on stderr).
    Audit {
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Write the report here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Exit with status 1 when a finding of this severity or higher is found.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<FailOn>,
        /// Regions every family must have a key in.
        #[arg(long, value_name = "r1,r2,…")]
        require_regions: Option<String>,
        /// Regions keys may be in; a key elsewhere is a finding.
        #[arg(long, value_name = "r1,r2,…")]
        allow_regions: Option<String>,
        /// A TOML baseline (required and allowed Regions, per-key rules by alias or tag).
        #[arg(long, value_name = "FILE")]
        baseline: Option<std::path::PathBuf>,
        /// Imported key material expiring within this many days is a finding (0–36500).
        #[arg(long, value_name = "DAYS", default_value_t = 30,
              value_parser = clap::value_parser!(i64).range(0..=36_500))]
        expiry_days: i64,
    },
    /// The calls that would bring the estate to a baseline (coverage, and what its [replicas]
    /// table asks a replica to carry), each with the precondition it saw.
    ///
    /// Exit status: 0 nothing to change, 1 steps planned or calls left out (a public primary
    /// policy is never copied), 2 on errors or when something could not be read (nothing is
    /// planned for what was not seen).
    Plan {
        /// The TOML baseline (required and allowed Regions, rules, [replicas]).
        #[arg(long, value_name = "FILE")]
        baseline: std::path::PathBuf,
        /// Write the plan (JSON, what `apply` reads) here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Carry out a plan: every step checked first (the KMS API's limits, the precondition its
    /// call needs, the credentials' account); each step's precondition checked again just
    /// before its call (stale steps are skipped, never forced); steps that took effect are kept
    /// in PLAN.journal, so running it again continues and makes no call twice. One apply of a
    /// plan at a time (PLAN.journal.lock).
    ///
    /// Exit status: 0 every step took effect (now or on an earlier run), 1 some stale, skipped
    /// or failed (on every run until they take effect), 2 on errors (an invalid step, a plan
    /// for another account, a plan another process is applying): then nothing is called.
    Apply {
        /// The plan file `plan --output` wrote.
        plan: std::path::PathBuf,
        /// Let the plan's ScheduleKeyDeletion steps run (they are skipped without it).
        #[arg(long)]
        allow_deletions: bool,
    },
    /// List the saved snapshots (each audit, and each completed scan in the GUI).
    History {
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
        /// First delete snapshots older than this age (90d, 12h, 2w); the journal is kept.
        #[arg(long, value_name = "AGE")]
        keep: Option<String>,
    },
    /// What changed between two snapshots (default: the two latest), each change once.
    Diff {
        /// The earlier snapshot's ID (see `history`).
        #[arg(long, value_name = "ID", conflicts_with = "since")]
        from: Option<i64>,
        /// Compare with the latest snapshot at least this old (7d, 12h).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        /// The later snapshot's ID (default: the latest).
        #[arg(long, value_name = "ID")]
        to: Option<i64>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Every change this app made (GUI actions), with who, where, when and the outcome.
    Journal {
        /// Only entries younger than this age (7d, 12h).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Run the embedded KMS simulator alone, for the AWS CLI, boto3 or any other client.
    Sim {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 4566)]
        port: u16,
        #[command(flatten)]
        knobs: SimArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Csv,
    Md,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HistoryFormatArg {
    Json,
    Md,
    Csv,
}

impl HistoryFormatArg {
    fn format(self) -> HistoryFormat {
        match self {
            HistoryFormatArg::Json => HistoryFormat::Json,
            HistoryFormatArg::Md => HistoryFormat::Markdown,
            HistoryFormatArg::Csv => HistoryFormat::Csv,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
}

impl Format {
    fn report_format(self) -> ReportFormat {
        match self {
            Format::Json => ReportFormat::Json,
            Format::Csv => ReportFormat::Csv,
            Format::Md => ReportFormat::Markdown,
            Format::Html => ReportFormat::Html,
        }
    }
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

/// Whether descriptor 1 was closed when the process started (`audit >&-`). Rust's runtime
/// reopens a closed standard descriptor on /dev/null read-write before `main`, which then looks
/// exactly like `/dev/null` opened read-write on purpose (a process supervisor, Python's
/// `subprocess.DEVNULL`): only a look before the runtime's tells them apart.
static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Runs from the ELF `.init_array`, which the C library calls before `main` and so before the
/// Rust runtime touches the standard descriptors.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_STDOUT_AT_START: extern "C" fn() = {
    extern "C" fn record() {
        // SAFETY: F_GETFD on a descriptor number only reads the process's descriptor table;
        // -1 (EBADF) means descriptor 1 is not open.
        let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
        STDOUT_CLOSED_AT_START.store(closed, Ordering::Relaxed);
    }
    record
};

fn main() -> ExitCode {
    let stdout_open = !STDOUT_CLOSED_AT_START.load(Ordering::Relaxed);
    init_logging();
    let cli = Cli::parse();
    if let Some(url) = &cli.endpoint_url {
        route_profile_sts_to(url);
    }
    if !stdout_open && matches!(&cli.command, Some(Command::Audit { output: None, .. })) {
        eprintln!(
            "error: standard output is closed: the report would go nowhere (give --output FILE)"
        );
        return ExitCode::from(2);
    }
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
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
        // Colour codes only for a person at a terminal, never into a CI log or a file.
        .with_ansi(std::io::stderr().is_terminal())
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

fn run(cli: Cli) -> Result<ExitCode, String> {
    let runner = Runner::new().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    if let Some(Command::Sim { port, knobs }) = &cli.command {
        return run_sim(&runner, knobs.knobs(), *port);
    }
    if let Some(text) = run_history_command(&cli)? {
        headless::write_output(None, &text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut regions = match (&cli.regions, cli.partition.map(PartitionArg::partition)) {
        (Some(spec), _) => parse_region_list(spec).map_err(|e| e.to_string())?,
        (None, None | Some(Partition::Aws)) => Region::default_scan_set(),
        (None, Some(partition)) => Region::all_in(partition).collect(),
    };
    let partition = single_partition(&regions).map_err(|e| format!("--regions: {e}"))?;
    if let Some(asked) = cli.partition.map(PartitionArg::partition)
        && Some(asked) != partition
    {
        return Err(format!(
            "--partition {}: --regions names Regions of another partition",
            asked.arn_name()
        ));
    }
    let mut accounts = accounts_command(&cli, partition.unwrap_or(Partition::Aws))?;
    // The demo window opens on the simulated organization, entered as its users would.
    if cli.demo
        && cli.command.is_none()
        && !accounts.is_organization()
        && cli.sim.seed == Seed::Demo
    {
        accounts.selection = Some(AccountSelection::All);
        accounts.roles.role = Some(DEMO_ROLE.into());
    }
    headless::check_endpoints(cli.endpoint_url.as_deref(), !cli.demo)?;
    let mut settings = ConnectSettings {
        profile: cli.profile.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        fallback_region: regions.first().map(|r| r.name().to_string()),
        ..ConnectSettings::default()
    };
    let mut connection = connection_label(&cli);
    // The demo's simulator lives as long as this function: the GUI or audit runs inside it.
    let _demo = if cli.demo {
        let sim = runner
            .block_on(Sim::start(cli.sim.knobs().config(true, 0), cli.sim.seed))
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        settings.endpoint_url = Some(sim.endpoint());
        settings.profile = None;
        settings.static_credentials = Some(StaticCredentials {
            access_key_id: "AKIADEMODEMODEMODEMO".into(),
            secret_access_key: "demo-secret-not-a-real-key".into(),
        });
        if cli.regions.is_none() {
            regions = Region::all()
                .filter(|r| cli.sim.seed.region_names().contains(&r.name()))
                .collect();
        }
        settings.fallback_region = regions.first().map(|r| r.name().to_string());
        connection = format!(
            "DEMO: simulated KMS, account {} at {}",
            sim.account_id(),
            sim.endpoint()
        );
        Some(sim)
    } else {
        None
    };
    let clients = runner.block_on(KmsClients::connect(&settings));
    let strict = cli.command.is_some();
    let history = history_path(&cli);
    let identity = headless::identify(&runner, &clients, settings.profile.as_deref(), strict)?;
    // The window and `audit` read every account asked for; plan and apply refuse them below.
    let entered = match (&cli.command, accounts.is_organization()) {
        (None | Some(Command::Audit { .. }), true) => Some(headless::enter(
            &runner,
            &clients,
            &settings,
            identity.as_ref(),
            &accounts,
        )?),
        _ => None,
    };
    match cli.command {
        None => {
            let actor = headless::actor(identity.as_ref());
            let connection = format!("{} · {connection}", actor.identity);
            let gui = Gui {
                clients,
                regions,
                connection,
                settings,
                actor,
                entered,
            };
            run_gui(runner, gui, &cli)
        }
        Some(Command::Audit {
            format,
            output,
            fail_on,
            require_regions,
            allow_regions,
            baseline,
            expiry_days,
        }) => {
            let baseline = headless::load_baseline(
                baseline.as_deref(),
                require_regions.as_deref(),
                allow_regions.as_deref(),
            )?;
            let command = AuditCommand {
                format: format.report_format(),
                output,
                fail_on: fail_on.map(FailOn::severity),
                baseline,
                expiry_days,
                identity,
                history,
            };
            let exit = match entered {
                Some(entered) => headless::audit_accounts(&runner, entered, regions, command)?,
                None => headless::audit(&runner, clients, regions, command)?,
            };
            Ok(match exit {
                AuditExit::Clean => ExitCode::SUCCESS,
                AuditExit::Findings => ExitCode::from(1),
                AuditExit::Incomplete => ExitCode::from(2),
            })
        }
        Some(Command::Plan {
            baseline,
            output,
            format,
        }) => {
            refuse_accounts(&accounts, "plan")?;
            let baseline = headless::load_baseline(Some(&baseline), None, None)?;
            let account = known_account(identity.as_ref())?;
            let markdown = format == HistoryFormatArg::Md;
            Ok(
                match headless::plan_command(
                    &runner,
                    clients,
                    regions,
                    &baseline,
                    &account,
                    output.as_deref(),
                    markdown,
                )? {
                    PlanExit::NothingToDo => ExitCode::SUCCESS,
                    PlanExit::StepsPlanned => ExitCode::from(1),
                    PlanExit::Incomplete => ExitCode::from(2),
                },
            )
        }
        Some(Command::Apply {
            plan,
            allow_deletions,
        }) => {
            if cli.read_only {
                return Err("--read-only: apply makes calls that change keys; refused".into());
            }
            refuse_accounts(&accounts, "apply")?;
            known_account(identity.as_ref())?;
            let actor = headless::actor(identity.as_ref());
            Ok(
                match headless::apply_command(
                    &runner,
                    &clients,
                    &plan,
                    &actor,
                    allow_deletions,
                    history.as_deref(),
                )? {
                    ApplyExit::AllDone => ExitCode::SUCCESS,
                    ApplyExit::NotAllDone => ExitCode::from(1),
                },
            )
        }
        // Dispatched before any client was built.
        Some(
            Command::Sim { .. }
            | Command::History { .. }
            | Command::Diff { .. }
            | Command::Journal { .. },
        ) => Err("this command was not dispatched".into()),
    }
}

/// `--accounts`, `--assume-role`, `--profiles` as one request, checked before any call.
fn accounts_command(cli: &Cli, partition: Partition) -> Result<AccountsCommand, String> {
    if let Some(role) = &cli.assume_role {
        check_role_names(role, &cli.role_session_name)?;
    }
    if cli.external_id.as_deref().is_some_and(|id| {
        !(2..=1224).contains(&id.len())
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
    }) {
        return Err("--external-id: 2 to 1224 characters of letters, digits and _+=,.@:/-".into());
    }
    if cli.profiles.iter().any(|p| p.trim().is_empty()) {
        return Err("--profiles: a profile name is empty".into());
    }
    Ok(AccountsCommand {
        selection: cli.accounts.clone(),
        profiles: cli.profiles.clone(),
        roles: RoleSettings {
            role: cli.assume_role.clone(),
            external_id: cli.external_id.clone(),
            session_name: cli.role_session_name.clone(),
            partition,
        },
    })
}

/// Plans and applies act in one account, whose credentials every step is checked against.
fn refuse_accounts(accounts: &AccountsCommand, command: &str) -> Result<(), String> {
    match accounts.is_organization() {
        true => Err(format!(
            "{command} works on one account at a time: run it with that account's credentials (--profile), without --accounts or --profiles"
        )),
        false => Ok(()),
    }
}

/// The account the credentials are for: a plan records it in every step and an apply checks it.
fn known_account(
    identity: Option<&kms_replica_console::aws::CallerIdentity>,
) -> Result<String, String> {
    identity.map(|id| id.account.clone()).ok_or_else(|| {
        "the account is unknown (STS GetCallerIdentity did not answer): plan and apply need it"
            .into()
    })
}

/// Where the history lives, or `None` when it is off: `--no-history`, no data directory, or
/// the demo without `--state-dir` (simulated keys stay out of a real history).
fn history_path(cli: &Cli) -> Option<std::path::PathBuf> {
    if cli.no_history || (cli.demo && cli.state_dir.is_none()) {
        return None;
    }
    let path = Store::default_path(cli.state_dir.as_deref())?;
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(why) = path
        .parent()
        .and_then(kms_replica_console::store::folder_warning)
    {
        WARNED.call_once(|| eprintln!("warning: {why}"));
    }
    Some(path)
}

/// `history`, `diff` and `journal`: they read the database only, no AWS call.
fn run_history_command(cli: &Cli) -> Result<Option<String>, String> {
    let needs_history = matches!(
        cli.command,
        Some(Command::History { .. } | Command::Diff { .. } | Command::Journal { .. })
    );
    if !needs_history {
        return Ok(None);
    }
    let path = history_path(cli).ok_or(
        "history is off (--no-history, --demo without --state-dir, or no home directory): give --state-dir DIR",
    )?;
    let text = match &cli.command {
        Some(Command::History { format, keep }) => {
            headless::history(&path, keep.as_deref(), format.format())?
        }
        Some(Command::Diff {
            from,
            since,
            to,
            format,
        }) => {
            let account = match &cli.accounts {
                Some(AccountSelection::Listed(ids)) if ids.len() == 1 => Some(ids[0].to_string()),
                Some(_) => {
                    return Err(
                        "diff: --accounts names one account whose snapshots to compare".into(),
                    );
                }
                None => None,
            };
            let range = DiffRange {
                from: *from,
                since: since.clone(),
                to: *to,
                account,
            };
            headless::diff_command(&path, &range, format.format())?
        }
        Some(Command::Journal { since, format }) => {
            headless::journal(&path, since.as_deref(), format.format())?
        }
        _ => return Ok(None),
    };
    Ok(Some(text))
}

fn run_sim(runner: &Runner, knobs: Knobs, port: u16) -> Result<ExitCode, String> {
    let sim = runner
        .block_on(Sim::start(knobs.config(false, port), knobs.seed))
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    println!(
        "KMS simulator listening on {} (account {}); admin routes under {}/_sim/. Ctrl-C stops it.",
        sim.endpoint(),
        sim.account_id(),
        sim.endpoint()
    );
    runner.block_on(std::future::pending::<()>());
    Ok(ExitCode::SUCCESS)
}

fn connection_label(cli: &Cli) -> String {
    let profile = cli
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .map(|p| format!("profile {p}"))
        .unwrap_or_else(|| "default credentials".into());
    match &cli.endpoint_url {
        Some(url) => format!("{profile} · endpoint {url}"),
        None => profile,
    }
}

/// What the window is opened on.
struct Gui {
    clients: KmsClients,
    regions: Vec<Region>,
    connection: String,
    settings: ConnectSettings,
    actor: Actor,
    /// The accounts of an organization-wide window; `None` for the caller's account alone.
    entered: Option<Vec<EnteredAccount>>,
}

fn run_gui(runner: Runner, gui: Gui, cli: &Cli) -> Result<ExitCode, String> {
    let Gui {
        clients,
        regions,
        connection,
        settings,
        actor,
        entered,
    } = gui;
    let identity = actor.identity.clone();
    let baseline = headless::load_baseline(cli.baseline.as_deref(), None, None)?;
    let account = (actor.account != "unknown").then(|| actor.account.clone());
    let mut log = None;
    let mut past = Vec::new();
    let history_note = match history_path(cli).map(|p| headless::open_for_gui(&p)) {
        None => Some("History off".to_string()),
        Some(Ok((store, journal))) => {
            let note = format!("History: {}", store.path().display());
            log = Some(HistoryLog::start(store, actor.clone()));
            past = journal;
            Some(note)
        }
        Some(Err(e)) => {
            eprintln!("warning: history off for this run: {e}");
            Some(format!("History off: {e}"))
        }
    };
    let options = AppOptions {
        read_only: cli.read_only,
        connection,
        baseline,
        history_note,
        account,
    };
    let app = match entered {
        None => {
            let mut inventory = Inventory::new(clients, regions).with_reload(settings);
            if let Some(log) = &log {
                inventory = inventory.with_history(log.clone(), &past);
            }
            App::new(runner, inventory, options)
        }
        Some(entered) => {
            let slots = entered
                .into_iter()
                .map(|e| {
                    let inventory = e.clients.map(|clients| {
                        account_inventory(
                            clients,
                            &regions,
                            &e.account,
                            &settings,
                            &actor,
                            (log.as_ref(), &past),
                        )
                    });
                    AccountSlot::new(e.account, inventory)
                })
                .collect();
            App::for_organization(runner, slots, options)
                .ok_or("no account could be entered (each one's reason is above)")?
        }
    };
    // The title names the identity in use, so the account being acted on is always in view.
    let title = if cli.demo {
        format!("KMS Replica Console — DEMO (simulated KMS, no AWS account) — {identity}")
    } else {
        format!("KMS Replica Console — {identity}")
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            .with_inner_size([1640.0, 900.0]),
        ..Default::default()
    };
    eframe::run_native(
        "kms-replica-console",
        native,
        Box::new(move |_cc| Ok(Box::new(app))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))?;
    // The window is closed: the last journal entries reach the disk before the process ends.
    if let Some(log) = log
        && !log.flush(std::time::Duration::from_secs(10))
    {
        eprintln!("warning: the history's last writes did not finish within 10 s");
    }
    Ok(ExitCode::SUCCESS)
}

/// One account's inventory in an organization-wide window: tied to its account, its snapshots
/// and journal kept under its own account ID; the caller's own can reload its credentials.
fn account_inventory(
    clients: KmsClients,
    regions: &[Region],
    account: &Account,
    settings: &ConnectSettings,
    caller: &Actor,
    (log, past): (Option<&HistoryLog>, &[JournalEntry]),
) -> Inventory {
    let own = account.id.as_str() == caller.account;
    let mut inventory = Inventory::new(clients, regions.to_vec()).with_account(account.clone());
    if own {
        inventory = inventory.with_reload(settings.clone());
    }
    if let Some(log) = log {
        let log = match own {
            true => log.clone(),
            false => log.for_account(Actor {
                identity: format!("{} via {}", caller.identity, account.access),
                account: account.id.to_string(),
            }),
        };
        inventory = inventory.with_history(log, past);
    }
    inventory
}
