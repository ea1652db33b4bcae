//! What a command runs with, worked out from the flags (ripgrep's "high-level arguments"): the
//! Regions and their partition, the accounts to enter, the endpoint and credentials, the demo's
//! simulator, the clients and the identity they act as, and where the history lives. Every
//! usage error is found here, before any call.

use std::path::PathBuf;

use super::args::{Cli, PartitionArg};
use super::checks::{check_endpoints, identify};
use super::error::CliError;
use super::org::{AccountsCommand, enter};
use crate::aws::{AwsClients, CallerIdentity, ConnectSettings, StaticCredentials};
use crate::domain::Region;
use crate::domain::account::{AccountSelection, check_role_names};
use crate::domain::region::{Partition, parse_region_list, single_partition};
use crate::jobs::{EnteredAccount, RoleSettings, Runner};
use crate::sim::{Seed, Sim};
use crate::store::Store;

/// The role the demo enters its organization's member accounts with (AWS's default name for
/// the role Organizations creates in a new account).
const DEMO_ROLE: &str = "OrganizationAccountAccessRole";

/// A command's connection to AWS (or the demo's simulator), with everything it was worked out
/// from. The demo's simulator lives as long as this does.
pub struct Session {
    pub regions: Vec<Region>,
    pub accounts: AccountsCommand,
    pub settings: ConnectSettings,
    /// How the window and the reports name the connection.
    pub connection: String,
    pub clients: AwsClients,
    pub identity: Option<CallerIdentity>,
    _demo: Option<Sim>,
}

impl Session {
    /// Works out the Regions, accounts and endpoint, starts the demo's simulator when asked,
    /// builds the clients and asks STS who they act as (`strict`: no credentials is an error).
    pub fn open(runner: &Runner, cli: &Cli, strict: bool) -> Result<Session, CliError> {
        let mut regions = regions(cli)?;
        let partition = single_partition(&regions)?;
        if let Some(asked) = cli.partition.map(PartitionArg::partition)
            && Some(asked) != partition
        {
            return Err(CliError::OtherPartition(asked.arn_name()));
        }
        let accounts = accounts_command(cli, partition.unwrap_or(Partition::Aws))?;
        check_endpoints(cli.endpoint_url.as_deref(), !cli.demo)?;
        let mut settings = ConnectSettings {
            profile: cli.profile.clone(),
            endpoint_url: cli.endpoint_url.clone(),
            fallback_region: regions.first().map(|r| r.name().to_string()),
            ..ConnectSettings::default()
        };
        let mut connection = connection_label(cli);
        let demo = match cli.demo {
            true => {
                let sim = start_demo(runner, cli, &mut settings, &mut regions)?;
                connection = format!(
                    "DEMO: simulated KMS, account {} at {}",
                    sim.account_id(),
                    sim.endpoint()
                );
                Some(sim)
            }
            false => None,
        };
        let clients = runner.block_on(AwsClients::connect(&settings));
        let identity = identify(runner, &clients, settings.profile.as_deref(), strict)?;
        Ok(Session {
            regions,
            accounts,
            settings,
            connection,
            clients,
            identity,
            _demo: demo,
        })
    }

    /// The accounts of an organization-wide run, entered (or not, each with why); `None` when
    /// only the caller's account is read.
    pub fn enter_accounts(&self, runner: &Runner) -> Result<Option<Vec<EnteredAccount>>, CliError> {
        if !self.accounts.is_organization() {
            return Ok(None);
        }
        enter(
            runner,
            &self.clients,
            &self.settings,
            self.identity.as_ref(),
            &self.accounts,
        )
        .map(Some)
    }

    /// Plans and applies act in one account, whose credentials every step is checked against.
    pub fn refuse_accounts(&self, command: &'static str) -> Result<(), CliError> {
        match self.accounts.is_organization() {
            true => Err(CliError::OneAccountAtATime(command)),
            false => Ok(()),
        }
    }

    /// The account the credentials are for: a plan records it in every step and an apply
    /// checks it.
    pub fn known_account(&self) -> Result<String, CliError> {
        self.identity
            .as_ref()
            .map(|id| id.account.clone())
            .ok_or(CliError::AccountUnknown)
    }
}

/// `--regions`, else the partition's (or the default scan set).
fn regions(cli: &Cli) -> Result<Vec<Region>, CliError> {
    Ok(
        match (&cli.regions, cli.partition.map(PartitionArg::partition)) {
            (Some(spec), _) => parse_region_list(spec).map_err(|source| CliError::Regions {
                flag: "--regions",
                source,
            })?,
            (None, None | Some(Partition::Aws)) => Region::default_scan_set(),
            (None, Some(partition)) => Region::all_in(partition).collect(),
        },
    )
}

/// The demo's simulator, and the settings pointed at it: its endpoint, static demo
/// credentials, and (without `--regions`) the Regions its seed fills.
fn start_demo(
    runner: &Runner,
    cli: &Cli,
    settings: &mut ConnectSettings,
    regions: &mut Vec<Region>,
) -> Result<Sim, CliError> {
    let sim = runner
        .block_on(Sim::start(cli.sim.config(true, 0), cli.sim.seed))
        .map_err(CliError::DemoSim)?;
    settings.endpoint_url = Some(sim.endpoint());
    settings.profile = None;
    settings.static_credentials = Some(StaticCredentials {
        access_key_id: "AKIADEMODEMODEMODEMO".into(),
        secret_access_key: "demo-secret-not-a-real-key".into(),
    });
    if cli.regions.is_none() {
        *regions = Region::all()
            .filter(|r| cli.sim.seed.region_names().contains(&r.name()))
            .collect();
    }
    settings.fallback_region = regions.first().map(|r| r.name().to_string());
    Ok(sim)
}

/// `--accounts`, `--assume-role`, `--profiles` as one request, checked before any call. The
/// demo window (no command) opens on the simulated organization, entered as its users would.
fn accounts_command(cli: &Cli, partition: Partition) -> Result<AccountsCommand, CliError> {
    if let Some(role) = &cli.assume_role {
        check_role_names(role, &cli.role_session_name)?;
    }
    if cli.external_id.as_deref().is_some_and(|id| {
        !(2..=1224).contains(&id.len())
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
    }) {
        return Err(CliError::ExternalId);
    }
    if cli.profiles.iter().any(|p| p.trim().is_empty()) {
        return Err(CliError::EmptyProfile);
    }
    let mut accounts = AccountsCommand {
        selection: cli.accounts.clone(),
        profiles: cli.profiles.clone(),
        roles: RoleSettings {
            role: cli.assume_role.clone(),
            external_id: cli.external_id.clone(),
            session_name: cli.role_session_name.clone(),
            partition,
        },
    };
    if cli.demo
        && cli.command.is_none()
        && !accounts.is_organization()
        && cli.sim.seed == Seed::Demo
    {
        accounts.selection = Some(AccountSelection::All);
        accounts.roles.role = Some(DEMO_ROLE.into());
    }
    Ok(accounts)
}

/// Where the history lives, or `None` when it is off: `--no-history`, no data directory, or
/// the demo without `--state-dir` (simulated keys stay out of a real history). A folder others
/// can write is named once.
pub fn history_path(cli: &Cli) -> Option<PathBuf> {
    if cli.no_history || (cli.demo && cli.state_dir.is_none()) {
        return None;
    }
    let path = Store::default_path(cli.state_dir.as_deref())?;
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(why) = path.parent().and_then(crate::store::folder_warning) {
        WARNED.call_once(|| eprintln!("warning: {why}"));
    }
    Some(path)
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
