//! Finding one family for the commands about one family (`trail`, `verify`): its keys described
//! where the session looks, and every Region its multi-Region configuration names.

use super::error::CliError;
use super::settings::Session;
use crate::domain::{KeyInfo, MrkId, Region};
use crate::jobs::{Runner, describe_each};

/// A family as found: its keys described, and the (Region, ARN) of every key its multi-Region
/// configuration names (described or not).
pub type Found = (Vec<KeyInfo>, Vec<(Region, String)>);

/// The family's keys described in the session's Regions and in every other Region its
/// configuration names, and the (Region, ARN) of every key that configuration names.
pub fn describe_family(runner: &Runner, session: &Session, id: &MrkId) -> Result<Found, CliError> {
    // In the order the Regions were asked for: the reports list legs in that order.
    let describe = |regions: Vec<Region>| {
        let targets = regions.iter().map(|r| (id.clone(), *r)).collect();
        let mut keys: Vec<KeyInfo> = runner
            .block_on(describe_each(session.clients.clone(), targets))
            .into_iter()
            .filter_map(|(_, info)| info)
            .collect();
        keys.sort_by_key(|k| regions.iter().position(|r| *r == k.region));
        keys
    };
    let mut found = describe(session.regions.clone());
    let Some(first) = found.first() else {
        return Err(CliError::FamilyNotFound {
            key: id.to_string(),
            regions: session.regions.len(),
        });
    };
    let related: Vec<(Region, String)> = first
        .multi_region
        .iter()
        .flat_map(|c| c.primary.iter().chain(&c.replicas))
        .filter_map(|k| Some((k.region.parse::<Region>().ok()?, k.arn.clone())))
        .collect();
    let elsewhere: Vec<Region> = related
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| !found.iter().any(|k| k.region == *r))
        .collect();
    found.extend(describe(elsewhere));
    Ok((found, related))
}
