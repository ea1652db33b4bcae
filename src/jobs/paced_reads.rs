//! Reads of one property for many keys across Regions: every Region at once, each paced to the
//! operation's quota. The audit (policies and tags) and the grid's tag filter share it.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use super::paced_calls::run_paced;
use crate::aws::{AwsClients, KmsError, RegionClient};
use crate::domain::{KeyInfo, MrkId, Region, quota};

/// What a fetch read, per (key, Region), and what it could not, per (key, Region) too.
pub struct Fetched<T> {
    pub values: HashMap<(MrkId, Region), T>,
    pub errors: Vec<((MrkId, Region), KmsError)>,
}

/// Calls `call` once per target (more when throttled), every Region at once, each Region paced
/// for an operation whose quota is `quota_per_second`.
pub async fn fetch_each<T, F, Fut>(
    clients: &AwsClients,
    targets: Vec<(MrkId, Region)>,
    quota_per_second: f64,
    call: F,
) -> Fetched<T>
where
    F: Fn(RegionClient, MrkId) -> Fut,
    Fut: Future<Output = Result<T, KmsError>>,
{
    let mut by_region: BTreeMap<Region, Vec<MrkId>> = BTreeMap::new();
    for (id, region) in targets {
        by_region.entry(region).or_default().push(id);
    }
    let call = &call;
    let per_region = by_region.into_iter().map(|(region, ids)| {
        let client = clients.client(region).single_attempt();
        async move {
            let mut values = Vec::with_capacity(ids.len());
            let mut errors = Vec::new();
            run_paced(
                quota_per_second,
                ids,
                |id| call(client.clone(), id),
                |id, result| match result {
                    Ok(value) => values.push(((id, region), value)),
                    Err(e) => errors.push(((id, region), e)),
                },
            )
            .await;
            (values, errors)
        }
    });
    let mut fetched = Fetched {
        values: HashMap::new(),
        errors: Vec::new(),
    };
    for (values, errors) in futures::future::join_all(per_region).await {
        fetched.values.extend(values);
        fetched.errors.extend(errors);
    }
    fetched
}

/// DescribeKey of each target, paced per Region: `Some` with the key, `None` when KMS says it
/// no longer exists. Keys that cannot be read now are left out (the estate keeps what it had).
pub async fn describe_each(
    clients: AwsClients,
    targets: Vec<(MrkId, Region)>,
) -> Vec<((MrkId, Region), Option<KeyInfo>)> {
    let fetched = fetch_each(
        &clients,
        targets,
        quota::DESCRIBE_KEY,
        |client, id| async move {
            match client.describe_key(&id).await {
                Ok(info) => Ok(Some(info)),
                Err(KmsError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        },
    )
    .await;
    for (_, e) in &fetched.errors {
        tracing::warn!("{e}");
    }
    fetched.values.into_iter().collect()
}
