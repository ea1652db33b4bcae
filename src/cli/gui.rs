//! Opening the window: the app's state built from the session (one account, or every account
//! entered), the history opened for it, and eframe run until the window closes.

use std::process::ExitCode;

use super::args::Cli;
use super::checks::{actor, load_baseline};
use super::error::CliError;
use super::history::open_for_gui;
use super::settings::{Session, history_path};
use crate::aws::{AwsClients, ConnectSettings};
use crate::domain::Region;
use crate::domain::account::Account;
use crate::domain::history::JournalEntry;
use crate::jobs::{Actor, EnteredAccount, HistoryLog, Inventory, Runner};
use crate::ui::{AccountSlot, App, AppOptions, Remembered, STORAGE_KEY};

/// Opens the window on `session` and returns once it is closed. The app is built when eframe
/// hands over its storage, so the Regions and panels of the last run can be opened again.
pub fn run(
    runner: Runner,
    session: Session,
    entered: Option<Vec<EnteredAccount>>,
    cli: &Cli,
) -> Result<ExitCode, CliError> {
    let actor = actor(session.identity.as_ref());
    let baseline = load_baseline(cli.baseline.as_deref(), None, None)?;
    if entered
        .as_ref()
        .is_some_and(|e| e.iter().all(|a| a.clients.is_none()))
    {
        return Err(CliError::NoAccountEntered);
    }
    let (log, past, history_note) = open_history(cli, &actor);
    let options = AppOptions {
        read_only: cli.read_only,
        connection: format!("{} · {}", actor.identity, session.connection),
        baseline,
        baseline_path: cli.baseline.as_ref().map(|p| p.display().to_string()),
        history_note: Some(history_note),
        account: actor.known_account().map(str::to_string),
        clock: Default::default(),
    };
    let regions_given = cli.regions.is_some();
    let identity = actor.identity.clone();
    let history = (log.clone(), past);
    // The session stays here while the window is open: it owns the demo's simulator.
    let connection = Connection {
        clients: session.clients.clone(),
        settings: session.settings.clone(),
        regions: session.regions.clone(),
    };
    let creator = move |cc: &eframe::CreationContext<'_>| {
        let remembered: Remembered = cc
            .storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default();
        let regions = remembered.regions(regions_given, connection.regions.clone());
        let built = build(
            runner,
            &connection,
            entered,
            regions,
            &actor,
            history,
            options,
        );
        let mut app = built.ok_or(CliError::NoAccountEntered)?;
        app.reopen(&remembered);
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(app)
    };
    show(creator, &identity, cli.demo)?;
    drop(session);
    // The window is closed: the last journal entries reach the disk before the process ends.
    if let Some(log) = log
        && !log.flush(std::time::Duration::from_secs(10))
    {
        eprintln!("warning: the history's last writes did not finish within 10 s");
    }
    Ok(ExitCode::SUCCESS)
}

/// What the window's inventories are built from.
struct Connection {
    clients: AwsClients,
    settings: ConnectSettings,
    /// The Regions worked out from the command line.
    regions: Vec<Region>,
}

/// The app on `regions`: one account's inventory, or every entered account's.
fn build(
    runner: Runner,
    session: &Connection,
    entered: Option<Vec<EnteredAccount>>,
    regions: Vec<Region>,
    actor: &Actor,
    (log, past): (Option<HistoryLog>, Vec<JournalEntry>),
    options: AppOptions,
) -> Option<App> {
    match entered {
        None => {
            let mut inventory = Inventory::new(session.clients.clone(), regions)
                .with_reload(session.settings.clone());
            if let Some(log) = &log {
                inventory = inventory.with_history(log.clone(), &past);
            }
            Some(App::new(runner, inventory, options))
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
                            &session.settings,
                            actor,
                            (log.as_ref(), &past),
                        )
                    });
                    AccountSlot::new(e.account, inventory)
                })
                .collect();
            App::for_organization(runner, slots, options)
        }
    }
}

/// The history's writer and the journal of earlier runs, and what the status bar says of it.
fn open_history(cli: &Cli, actor: &Actor) -> (Option<HistoryLog>, Vec<JournalEntry>, String) {
    match history_path(cli).map(|p| open_for_gui(&p)) {
        None => (None, Vec::new(), "History off".to_string()),
        Some(Ok((store, journal))) => {
            let note = format!("History: {}", store.path().display());
            (Some(HistoryLog::start(store, actor.clone())), journal, note)
        }
        Some(Err(e)) => {
            eprintln!("warning: history off for this run: {e}");
            (None, Vec::new(), format!("History off: {e}"))
        }
    }
}

/// Runs the window; its title names the identity in use, so the account being acted on is
/// always in view.
fn show(
    creator: impl FnOnce(
        &eframe::CreationContext<'_>,
    ) -> Result<App, Box<dyn std::error::Error + Send + Sync>>
    + 'static,
    identity: &str,
    demo: bool,
) -> Result<(), CliError> {
    let title = if demo {
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
        Box::new(move |cc| creator(cc).map(|app| Box::new(app) as Box<dyn eframe::App>)),
    )
    .map_err(|e| CliError::Window(e.to_string()))
}

/// One account's inventory in an organization-wide window: tied to its account, its snapshots
/// and journal kept under its own account ID; the caller's own can reload its credentials.
fn account_inventory(
    clients: AwsClients,
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
