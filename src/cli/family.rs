//! Finding one family for the commands about one family (`trail`, `verify`): its keys described
//! where the session looks, and every Region its multi-Region configuration names.

use super::error::CliError;
use super::settings::Session;
use crate::domain::{KeyInfo, MrkId, Region};
use crate::jobs::Runner;

/// A family as found: its keys described, and the (Region, ARN) of every key its multi-Region
/// configuration names (described or not).
pub type Found = (Vec<KeyInfo>, Vec<(Region, String)>);

/// The family's keys described in the session's Regions and in every other Region its
/// configuration names, and the (Region, ARN) of every key that configuration names.
pub fn describe_family(runner: &Runner, session: &Session, id: &MrkId) -> Result<Found, CliError> {
    let describe = |regions: Vec<Region>| {
        runner.block_on(async {
            let reads = regions.into_iter().map(|region| {
                let client = session.clients.client(region);
                async move { client.describe_key(id).await.ok() }
            });
            futures::future::join_all(reads)
                .await
                .into_iter()
                .flatten()
                .collect::<Vec<KeyInfo>>()
        })
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
