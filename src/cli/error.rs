//! `CliError`: why a command could not run, typed until `cli::main` says it in words and exits
//! with status 2. Each layer's own error is carried whole (a store's, an apply's, a report's);
//! what only the command line can get wrong (its flags, standard output) is named here.

use std::path::PathBuf;

use crate::aws::{EndpointError, IdentityError};
use crate::domain::account::AccountError;
use crate::domain::baseline::BaselineError;
use crate::domain::history::BadAge;
use crate::domain::region::{MixedPartitions, UnknownRegion};
use crate::jobs::{ApplyError, EnterError, ReadError};
use crate::report::RenderError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    // What the flags ask that cannot be done.
    #[error("standard output is closed: the report would go nowhere (give --output FILE)")]
    StdoutClosed,
    #[error("--read-only: apply makes calls that change keys; refused")]
    ReadOnlyApply,
    #[error(
        "history is off (--no-history, --demo without --state-dir, or no home directory): give --state-dir DIR"
    )]
    HistoryOff,
    #[error("diff: --accounts names one account whose snapshots to compare")]
    DiffAccounts,
    #[error("{flag}: {source}")]
    Regions {
        flag: &'static str,
        source: UnknownRegion,
    },
    #[error("--regions: {0}")]
    MixedPartitions(#[from] MixedPartitions),
    #[error("--partition {0}: --regions names Regions of another partition")]
    OtherPartition(&'static str),
    #[error("--external-id: 2 to 1224 characters of letters, digits and _+=,.@:/-")]
    ExternalId,
    #[error("--profiles: a profile name is empty")]
    EmptyProfile,
    #[error(
        "{0} works on one account at a time: run it with that account's credentials (--profile), without --accounts or --profiles"
    )]
    OneAccountAtATime(&'static str),
    #[error("{flag} {source}")]
    Age { flag: &'static str, source: BadAge },
    #[error("config file {}: {source}", path.display())]
    Config {
        path: PathBuf,
        source: super::config::ConfigError,
    },
    #[error("'{0}' is not a multi-Region key ID (mrk- and 32 hexadecimal characters)")]
    NotAFamily(String),
    #[error("{key}: no key of this family in the {regions} Region(s) asked (--regions)")]
    FamilyNotFound { key: String, regions: usize },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error(transparent)]
    Diff(#[from] super::history::DiffError),

    // Who the credentials are, and which accounts they reach.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(
        "the account is unknown (STS GetCallerIdentity did not answer): plan and apply need it"
    )]
    AccountUnknown,
    #[error(
        "the caller's identity is unknown (STS GetCallerIdentity did not answer): accounts cannot be entered"
    )]
    CallerUnknown,
    #[error("no accounts were asked for")]
    NoAccountsAsked,
    #[error("no account could be entered (each one's reason is above)")]
    NoAccountEntered,
    #[error(transparent)]
    Enter(#[from] EnterError),
    #[error(
        "KMS answered with {count} key(s) of another account while reading account {account} (e.g. {first}): the endpoint or the credentials are not that account's; nothing of it is reported"
    )]
    ForeignKeys {
        count: usize,
        account: String,
        first: String,
    },

    // Files read and written.
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}: {source}", path.display())]
    Baseline {
        path: PathBuf,
        source: BaselineError,
    },
    #[error("{} is not a plan: {detail}", path.display())]
    NotAPlan { path: PathBuf, detail: String },
    #[error("{}: plan schema {found} (this build reads {known})", path.display())]
    PlanSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report: {0}")]
    Stdout(std::io::Error),
    #[error("cannot render the report: {0}")]
    Render(#[from] RenderError),

    // The layers below.
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Apply(#[from] ApplyError),

    // The process itself.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot start the simulator: {0}")]
    Sim(std::io::Error),
    #[error("cannot start the demo simulator: {0}")]
    DemoSim(std::io::Error),
    #[error("cannot open the window: {0}")]
    Window(String),
}
