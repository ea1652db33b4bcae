//! The `trail` command: who changed or used a key family, from CloudTrail — every Region where
//! the family has a key (its multi-Region configuration names them all), the last 90 days at
//! most, each record this app made matched to its journal by request ID. Exit status 2 when a
//! Region's records could not be read: the trail is then incomplete there.

use std::path::Path;

use super::error::CliError;
use super::settings::Session;
use crate::domain::history::parse_age;
use crate::domain::{MrkId, Region};
use crate::jobs::{Runner, TRAIL_DAYS, fetch_trail, now_epoch, trail_read};
use crate::report::{EventRow, NotRead, TRAIL_SCHEMA_VERSION, TrailReport};

/// How `trail` ended.
pub enum TrailExit {
    /// Every Region's records were read.
    Complete,
    /// Some Region's could not be: named on stderr and in the report.
    Incomplete,
}

/// What `trail` was asked.
pub struct TrailCommand<'a> {
    pub key_id: &'a str,
    pub since: Option<&'a str>,
    pub markdown: bool,
    pub history: Option<&'a Path>,
}

pub fn trail_command(
    runner: &Runner,
    session: &Session,
    command: &TrailCommand<'_>,
) -> Result<TrailExit, CliError> {
    let id = MrkId::parse(command.key_id)
        .ok_or_else(|| CliError::NotAFamily(command.key_id.to_string()))?;
    let window = TRAIL_DAYS * 86_400;
    let age = match command.since {
        Some(text) => parse_age(text).map_err(|source| CliError::Age {
            flag: "--since",
            source,
        })?,
        None => window,
    };
    if age > window {
        eprintln!(
            "note: CloudTrail keeps {TRAIL_DAYS} days of event history: --since is cut to that"
        );
    }
    let since = now_epoch() - age.min(window);
    let keys = family_keys(runner, session, &id)?;
    let (events, problems) = runner.block_on(fetch_trail(&session.clients, keys.clone(), since));
    let journal = match command.history {
        Some(path) => crate::store::Store::open(path)
            .and_then(|s| s.journal_since(since))
            .unwrap_or_else(|e| {
                eprintln!("warning: this app's journal could not be read ({e}): its calls are not told apart");
                Vec::new()
            }),
        None => Vec::new(),
    };
    let read = trail_read(events, problems, &journal);
    for (region, why) in &read.not_read {
        eprintln!("not read: {region}: {why}");
    }
    let report = TrailReport {
        schema_version: TRAIL_SCHEMA_VERSION,
        key_id: id.as_str(),
        since,
        regions: keys.iter().map(|(r, _)| r.to_string()).collect(),
        events: read.entries.iter().map(EventRow::of).collect(),
        not_read: read
            .not_read
            .iter()
            .map(|(region, reason)| NotRead {
                region: region.to_string(),
                reason: reason.clone(),
            })
            .collect(),
    };
    let text = if command.markdown {
        report.markdown()
    } else {
        report.json()?
    };
    super::output::write_report(None, &text)?;
    Ok(if read.not_read.is_empty() {
        TrailExit::Complete
    } else {
        TrailExit::Incomplete
    })
}

/// Each Region where the family has a key, with that key's ARN (named by the multi-Region
/// configuration even where DescribeKey was not made).
fn family_keys(
    runner: &Runner,
    session: &Session,
    id: &MrkId,
) -> Result<Vec<(Region, String)>, CliError> {
    let (found, related) = super::family::describe_family(runner, session, id)?;
    let mut keys: Vec<(Region, String)> = found
        .iter()
        .map(|k| (k.region, k.arn.clone()))
        .chain(related)
        .collect();
    keys.sort();
    keys.dedup_by_key(|(region, _)| *region);
    Ok(keys)
}
