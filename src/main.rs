//! The `kms-replica-console` binary: the GUI by default, `audit` for the same scan headless.
//!
//! Only this file turns errors into text and exit statuses.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kms_replica_console::domain::Region;
use kms_replica_console::domain::audit::{AuditOptions, Baseline, Severity, worst};
use kms_replica_console::domain::region::{parse_region_list, single_partition};
use kms_replica_console::jobs::{self, now_epoch};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::kms::{
    CallerIdentity, ConnectSettings, KmsClients, StaticCredentials, check_endpoint_url,
    endpoint_from_env,
};
use kms_replica_console::report::{Format as ReportFormat, audit_report};
use kms_replica_console::sim::{DEMO_REGIONS, FaultRule, SCALE_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

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
    /// Send KMS requests to this endpoint (moto, a simulator, a VPC endpoint) instead of AWS.
    /// AWS_ENDPOINT_URL_KMS and AWS_ENDPOINT_URL are honoured when this is not given.
    #[arg(long, global = true, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Offer and make no call that changes a key.
    #[arg(long, global = true)]
    read_only: bool,
    /// Run against the embedded KMS simulator, seeded with a realistic estate: no AWS account needed.
    #[arg(long)]
    demo: bool,
    /// GUI: hold the grid to this TOML baseline (required Regions show "missing", keys outside
    /// the allowed Regions "not allowed"); the same file `audit --baseline` reads.
    #[arg(long, value_name = "FILE")]
    baseline: Option<std::path::PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Knobs of the embedded simulator, for `--demo` and `sim`.
#[derive(Debug, Clone, clap::Args)]
struct SimArgs {
    /// The estate to start with: demo, empty, or scale:REGIONS:FAMILIES (families spread over
    /// that many Regions with mixed coverage, plus as many single-Region keys as noise).
    #[arg(long, default_value = "demo", value_name = "demo|empty|scale:R:F")]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum QuotaMode {
    Aws,
    Off,
}

impl SimArgs {
    /// The simulator configuration, with the demo's realism when `demo` is set.
    fn config(&self, demo: bool, port: u16) -> SimConfig {
        let defaults = SimConfig::default();
        let replica_delay = self.replica_delay.unwrap_or(if demo {
            6.0
        } else {
            defaults.delays.replica_creation
        });
        SimConfig {
            account_id: self.account_id.clone(),
            port,
            delays: kms_replica_console::sim::Delays {
                replica_creation: replica_delay.max(0.0),
                update_primary: replica_delay.max(0.0) + 2.0,
            },
            clock_speed: self.clock_speed,
            latency: std::time::Duration::from_millis(self.latency_ms.unwrap_or(if demo {
                25
            } else {
                0
            })),
            quotas: self.quotas.map(|q| q == QuotaMode::Aws).unwrap_or(demo),
            quota_share: self.quota_share,
            faults: self.fault.clone(),
            disabled_regions: if self.disable_region.is_empty() && demo && self.seed == Seed::Demo {
                vec!["me-south-1".into()]
            } else {
                self.disable_region.clone()
            },
            ..defaults
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
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

fn main() -> ExitCode {
    // Before anything opens a file or socket: a closed descriptor 1 would be reused by the
    // first one, and the report would go there.
    let stdout_open = stdout_is_open();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a CI log or a file.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
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

fn run(cli: Cli) -> Result<ExitCode, String> {
    let runner = Runner::new().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    if let Some(Command::Sim { port, knobs }) = &cli.command {
        return run_sim(&runner, knobs.config(false, *port), knobs.seed);
    }
    let mut regions = match &cli.regions {
        Some(spec) => parse_region_list(spec).map_err(|e| e.to_string())?,
        None => Region::default_scan_set(),
    };
    single_partition(&regions).map_err(|e| format!("--regions: {e}"))?;
    check_endpoints(&cli)?;
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
            .block_on(Sim::start(cli.sim.config(true, 0), cli.sim.seed))
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        settings.endpoint_url = Some(sim.endpoint());
        settings.profile = None;
        settings.static_credentials = Some(StaticCredentials {
            access_key_id: "AKIADEMODEMODEMODEMO".into(),
            secret_access_key: "demo-secret-not-a-real-key".into(),
        });
        if cli.regions.is_none() {
            regions = seeded_regions(cli.sim.seed);
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
    let identity = identify(&runner, &clients, settings.profile.as_deref(), strict)?;
    match cli.command {
        None => {
            let who = identity
                .map(|id| id.arn)
                .unwrap_or_else(|| "identity unknown".into());
            let connection = format!("{who} · {connection}");
            run_gui(runner, clients, regions, &cli, connection, settings, &who)
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
            let baseline = load_baseline(
                baseline.as_deref(),
                require_regions.as_deref(),
                allow_regions.as_deref(),
            )?;
            let settings = AuditSettings {
                format,
                output,
                fail_on,
                baseline,
                expiry_days,
                identity,
            };
            audit_command(runner, clients, regions, settings)
        }
        // Dispatched before any client was built.
        Some(Command::Sim { .. }) => Err("the simulator was not started".into()),
    }
}

/// `--endpoint-url` and the environment's endpoint variables, checked before any client is
/// built: a URL the SDK cannot use is a usage error, never a panic or a silent port 80.
fn check_endpoints(cli: &Cli) -> Result<(), String> {
    if let Some(url) = &cli.endpoint_url {
        check_endpoint_url("--endpoint-url", url).map_err(|e| e.to_string())?;
    }
    if !cli.demo {
        endpoint_from_env(|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Who the clients sign as. An explicit `--profile` that gives no credentials is an error
/// (never a fall-back to other credentials), and so is having no credentials at all when
/// `strict` (the headless audit: nothing could be read); otherwise an unknown identity is
/// said, not hidden (the GUI opens with its credentials banner and Reload credentials).
fn identify(
    runner: &Runner,
    clients: &KmsClients,
    profile: Option<&str>,
    strict: bool,
) -> Result<Option<CallerIdentity>, String> {
    if profile.is_some() {
        runner
            .block_on(clients.check_credentials(profile))
            .map_err(|e| e.to_string())?;
    }
    match runner.block_on(clients.caller_identity()) {
        Ok(identity) => Ok(Some(identity)),
        Err(e) if strict && e.is_credentials() => Err(e.to_string()),
        Err(e) => {
            eprintln!("warning: the identity in use is unknown: {e}");
            Ok(None)
        }
    }
}

/// The Regions a seed puts keys in, in column order; the demo estate's include the opt-in Region
/// it has not enabled.
fn seeded_regions(seed: Seed) -> Vec<Region> {
    let mut names: Vec<&str> = match seed {
        Seed::Scale { regions, .. } => SCALE_REGIONS.iter().take(regions).copied().collect(),
        Seed::Demo | Seed::Empty => DEMO_REGIONS.to_vec(),
    };
    if seed == Seed::Demo {
        names.push("me-south-1");
    }
    Region::all()
        .filter(|r| names.contains(&r.name()))
        .collect()
}

fn run_sim(runner: &Runner, config: SimConfig, seed: Seed) -> Result<ExitCode, String> {
    let sim = runner
        .block_on(Sim::start(config, seed))
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

fn run_gui(
    runner: Runner,
    clients: KmsClients,
    regions: Vec<Region>,
    cli: &Cli,
    connection: String,
    settings: ConnectSettings,
    identity: &str,
) -> Result<ExitCode, String> {
    let baseline = load_baseline(cli.baseline.as_deref(), None, None)?;
    let options = AppOptions {
        read_only: cli.read_only,
        connection,
        baseline,
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
        Box::new(move |_cc| {
            Ok(Box::new(App::new(
                runner,
                Inventory::new(clients, regions).with_reload(settings),
                options,
            )))
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The baseline from `--baseline`, with `--require-regions` and `--allow-regions` added.
fn load_baseline(
    file: Option<&std::path::Path>,
    require: Option<&str>,
    allow: Option<&str>,
) -> Result<Baseline, String> {
    let mut baseline = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
            Baseline::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Baseline::default(),
    };
    if let Some(spec) = require {
        let regions = parse_region_list(spec).map_err(|e| format!("--require-regions: {e}"))?;
        baseline.require_regions.extend(regions);
    }
    if let Some(spec) = allow {
        let regions = parse_region_list(spec).map_err(|e| format!("--allow-regions: {e}"))?;
        baseline.allow_regions = Some(regions);
    }
    Ok(baseline)
}

struct AuditSettings {
    format: Format,
    output: Option<std::path::PathBuf>,
    fail_on: Option<FailOn>,
    baseline: Baseline,
    expiry_days: i64,
    identity: Option<CallerIdentity>,
}

/// Whether the report has somewhere to go. A closed descriptor 1 (`audit >&-`) does not look
/// closed from inside: Rust's start-up code reopens it on /dev/null, read-write, and writes
/// then vanish. A shell's `> /dev/null` opens it write-only, so read-write /dev/null on 1 is
/// the sign of a descriptor that was closed (Linux; elsewhere assume it is open).
fn stdout_is_open() -> bool {
    #[cfg(target_os = "linux")]
    {
        let target = std::fs::read_link("/proc/self/fd/1");
        let Ok(target) = target else {
            return false;
        };
        if target != std::path::Path::new("/dev/null") {
            return true;
        }
        let flags = std::fs::read_to_string("/proc/self/fdinfo/1")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            });
        const O_ACCMODE: u32 = 0o3;
        const O_RDWR: u32 = 0o2;
        flags.is_none_or(|f| f & O_ACCMODE != O_RDWR)
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

fn audit_command(
    runner: Runner,
    clients: KmsClients,
    regions: Vec<Region>,
    settings: AuditSettings,
) -> Result<ExitCode, String> {
    let now = now_epoch();
    let options = AuditOptions {
        expiry_days: settings.expiry_days,
        now,
    };
    let outcome = jobs::run_audit(&runner, clients, regions, &settings.baseline, options);
    let estate = &outcome.estate;
    let highest = worst(&outcome.findings);
    let not_audited = outcome.not_audited.clone();
    let mut report = audit_report(estate, outcome.findings.clone(), not_audited.clone(), now);
    if let Some(identity) = &settings.identity {
        report.identity = Some(identity.arn.clone());
        report
            .account
            .get_or_insert_with(|| identity.account.clone());
    }
    let format = match settings.format {
        Format::Json => ReportFormat::Json,
        Format::Csv => ReportFormat::Csv,
        Format::Md => ReportFormat::Markdown,
        Format::Html => ReportFormat::Html,
    };
    let text = report
        .render(format)
        .map_err(|e| format!("cannot render the report: {e}"))?;
    match settings.output {
        Some(path) => std::fs::write(&path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            write!(out, "{text}").map_err(|e| format!("cannot write the report: {e}"))?;
            if !text.ends_with('\n') {
                writeln!(out).map_err(|e| format!("cannot write the report: {e}"))?;
            }
        }
    }
    // A pipeline must not pass on an incomplete picture: whatever could not be looked at is
    // named, and the status is 2 whatever the findings.
    if !not_audited.is_empty() {
        const SHOWN: usize = 20;
        for gap in not_audited.iter().take(SHOWN) {
            eprintln!("error: not audited: {gap}");
        }
        if not_audited.len() > SHOWN {
            eprintln!(
                "error: … and {} more not audited (all are in the report's not_audited)",
                not_audited.len() - SHOWN
            );
        }
        return Ok(ExitCode::from(2));
    }
    let threshold = settings.fail_on.map(FailOn::severity);
    Ok(match (threshold, highest) {
        (Some(t), Some(h)) if h >= t => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}
