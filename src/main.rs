//! The `kms-replica-console` binary: the GUI by default, `audit` for the same scan headless.
//!
//! Only this file turns errors into text and exit statuses.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kms_replica_console::domain::region::parse_region_list;
use kms_replica_console::domain::{Region, RegionStatus};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::kms::{ConnectSettings, KmsClients};
use kms_replica_console::report::coverage_report;
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
    #[command(subcommand)]
    command: Option<Command>,
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
    let regions = match &cli.regions {
        Some(spec) => parse_region_list(spec).map_err(|e| e.to_string())?,
        None => Region::default_scan_set(),
    };
    let settings = ConnectSettings {
        profile: cli.profile.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        ..ConnectSettings::default()
    };
    let runner = Runner::new().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let clients = runner.block_on(KmsClients::connect(&settings));
    match cli.command {
        None => run_gui(runner, clients, regions, &cli),
        Some(Command::Audit { format, output }) => {
            run_audit(runner, clients, regions, format, output)
        }
    }
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
) -> Result<ExitCode, String> {
    let options = AppOptions {
        read_only: cli.read_only,
        connection: connection_label(cli),
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("KMS Replica Console")
            .with_inner_size([1360.0, 820.0]),
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
