//! The checks made before any call, and what they read: endpoint URLs, the identity in use, the
//! baseline from its file and flags, who the history records.

use std::path::Path;

use super::error::CliError;
use crate::aws::{AwsClients, CallerIdentity, check_endpoint_url, endpoint_from_env};
use crate::domain::baseline::Baseline;
use crate::domain::region::parse_region_list;
use crate::jobs::{Actor, Runner};

/// `--endpoint-url` and the environment's endpoint variables (unless the demo sets its own),
/// checked before any client is built: a URL the SDK cannot use is a usage error, never a panic
/// or a silent port 80.
pub(super) fn check_endpoints(endpoint_url: Option<&str>, read_env: bool) -> Result<(), CliError> {
    if let Some(url) = endpoint_url {
        check_endpoint_url("--endpoint-url", url)?;
    }
    if read_env {
        endpoint_from_env(|name| std::env::var(name).ok())?;
    }
    Ok(())
}

/// Who the clients sign as. An explicit `--profile` that gives no credentials is an error
/// (never a fall-back to other credentials), and so is having no credentials at all when
/// `strict` (the headless audit: nothing could be read); otherwise an unknown identity is
/// said, not hidden (the GUI opens with its credentials banner and Reload credentials).
pub(super) fn identify(
    runner: &Runner,
    clients: &AwsClients,
    profile: Option<&str>,
    strict: bool,
) -> Result<Option<CallerIdentity>, CliError> {
    if profile.is_some() {
        runner.block_on(clients.check_credentials(profile))?;
    }
    match runner.block_on(clients.caller_identity()) {
        Ok(identity) => Ok(Some(identity)),
        Err(e) if strict && e.is_credentials() => Err(e.into()),
        Err(e) => {
            eprintln!("warning: the identity in use is unknown: {e}");
            Ok(None)
        }
    }
}

/// The baseline from `--baseline`, with `--require-regions` and `--allow-regions` added.
pub(super) fn load_baseline(
    file: Option<&Path>,
    require: Option<&str>,
    allow: Option<&str>,
) -> Result<Baseline, CliError> {
    let mut baseline = match file {
        Some(path) => {
            let text = crate::jobs::read_bounded(
                path,
                crate::domain::baseline::MAX_BASELINE_BYTES,
                "baseline",
            )?;
            Baseline::from_toml(&text).map_err(|source| CliError::Baseline {
                path: path.to_path_buf(),
                source,
            })?
        }
        None => Baseline::default(),
    };
    if let Some(spec) = require {
        let regions = parse_region_list(spec).map_err(|source| CliError::Regions {
            flag: "--require-regions",
            source,
        })?;
        baseline.require_regions.extend(regions);
    }
    if let Some(spec) = allow {
        let regions = parse_region_list(spec).map_err(|source| CliError::Regions {
            flag: "--allow-regions",
            source,
        })?;
        baseline.allow_regions = Some(regions);
    }
    Ok(baseline)
}

/// Who the history records: the identity STS named, or "identity unknown".
pub(super) fn actor(identity: Option<&CallerIdentity>) -> Actor {
    match identity {
        Some(id) => Actor {
            identity: id.arn.clone(),
            account: id.account.clone(),
        },
        None => Actor::unknown(),
    }
}
