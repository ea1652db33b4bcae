//! The `kms-replica-console` binary: the GUI by default, `audit` for the same scan headless.
//!
//! Only this file turns errors into text and exit statuses.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kms_replica_console::domain::region::parse_region_list;
use kms_replica_console::domain::{Region, RegionStatus};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::kms::{ConnectSettings, KmsClients, StaticCredentials};
use kms_replica_console::report::coverage_report;
use kms_replica_console::sim::{DEMO_REGIONS, FaultRule, Seed, Sim, SimConfig};
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
    #[command(flatten)]
    sim: SimArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Knobs of the embedded simulator, for `--demo` and `sim`.
#[derive(Debug, Clone, clap::Args)]
struct SimArgs {
    /// Added latency per request, in milliseconds (demo default: 25).
    #[arg(long, value_name = "N")]
    latency_ms: Option<u64>,
    /// `aws` enforces the AWS default request quotas per Region and operation (demo default),
    /// `off` none.
    #[arg(long, value_name = "aws|off")]
    quotas: Option<QuotaMode>,
    /// Inject faults: KIND:RATE[:REGION[:OPERATION]], KIND one of internal, hang, drop, throttle.
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
            faults: self.fault.clone(),
            disabled_regions: if self.disable_region.is_empty() && demo {
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
    /// Scan headless and print every multi-Region key family with its cell per Region.
    Audit {
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Write the report here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Run the embedded KMS simulator alone, for the AWS CLI, boto3 or any other client.
    Sim {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 4566)]
        port: u16,
        /// The estate to start with: demo or empty.
        #[arg(long, default_value = "demo")]
        seed: Seed,
        #[command(flatten)]
        knobs: SimArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Json,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
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
    if let Some(Command::Sim { port, seed, knobs }) = &cli.command {
        return run_sim(&runner, knobs.config(false, *port), *seed);
    }
    let mut regions = match &cli.regions {
        Some(spec) => parse_region_list(spec).map_err(|e| e.to_string())?,
        None => Region::default_scan_set(),
    };
    let mut settings = ConnectSettings {
        profile: cli.profile.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        ..ConnectSettings::default()
    };
    let mut connection = connection_label(&cli);
    // The demo's simulator lives as long as this function: the GUI or audit runs inside it.
    let _demo = if cli.demo {
        let sim = runner
            .block_on(Sim::start(cli.sim.config(true, 0), Seed::Demo))
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        settings.endpoint_url = Some(sim.endpoint());
        settings.profile = None;
        settings.static_credentials = Some(StaticCredentials {
            access_key_id: "AKIADEMODEMODEMODEMO".into(),
            secret_access_key: "demo-secret-not-a-real-key".into(),
        });
        if cli.regions.is_none() {
            regions = demo_regions();
        }
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
    match cli.command {
        None => run_gui(runner, clients, regions, &cli, connection),
        Some(Command::Audit { format, output }) => {
            run_audit(runner, clients, regions, format, output)
        }
        Some(Command::Sim { .. }) => Ok(ExitCode::SUCCESS),
    }
}

/// The demo estate's Regions, plus the opt-in Region it has not enabled, in column order.
fn demo_regions() -> Vec<Region> {
    let mut names: Vec<&str> = DEMO_REGIONS.to_vec();
    names.push("me-south-1");
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
) -> Result<ExitCode, String> {
    let options = AppOptions {
        read_only: cli.read_only,
        connection,
    };
    let title = if cli.demo {
        "KMS Replica Console — DEMO (simulated KMS, no AWS account)"
    } else {
        "KMS Replica Console"
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
        Box::new(move |_cc| Ok(Box::new(App::new(runner, clients, regions, options)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn run_audit(
    runner: Runner,
    clients: KmsClients,
    regions: Vec<Region>,
    format: Format,
    output: Option<std::path::PathBuf>,
) -> Result<ExitCode, String> {
    let mut inventory = Inventory::new(clients, regions);
    inventory.refresh(&runner);
    inventory.wait_all();
    let estate = inventory.estate();
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&coverage_report(estate))
            .map_err(|e| format!("cannot render the report: {e}"))?,
    };
    match output {
        Some(path) => std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}").map_err(|e| format!("cannot write the report: {e}"))?;
        }
    }
    let mut failed = false;
    for region in estate.regions() {
        if let RegionStatus::Failed(problem) = estate.status(*region) {
            eprintln!("error: {region}: {problem}");
            failed = true;
        }
    }
    // A pipeline must not pass on an incomplete picture.
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
