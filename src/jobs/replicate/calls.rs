//! The replicate workflow's background work: fetching what the console would copy from the
//! primary, one ReplicateKey per target Region (adopting a replica that already exists), and the
//! watcher that follows a new replica until it is usable.

use std::time::{Duration, Instant};

use crate::aws::{KmsError, RegionClient, ReplicaCreated};
use crate::domain::{KeyInfo, KeyState, MrkId, PrimaryProps, ReplicateRequest};

/// ReplicateKey's quota is 5 requests per second per Region: calls of one click are spaced by
/// this much so a many-Region replicate never trips it.
pub const REPLICATE_SPACING: Duration = Duration::from_millis(200);

/// How the watcher polls DescribeKey: first after `first`, doubling up to `max`, for at most
/// `give_up_after` (KMS says "a few seconds"; the field has seen ten minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub give_up_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(15),
            give_up_after: Duration::from_secs(15 * 60),
        }
    }
}

/// The primary's policy, tags, description and alias: what the console would copy.
pub async fn fetch_primary_props(
    primary: RegionClient,
    key_id: MrkId,
    description: String,
    alias: Option<String>,
) -> Result<PrimaryProps, KmsError> {
    let (policy, tags) = futures::try_join!(primary.key_policy(&key_id), primary.tags(&key_id))?;
    Ok(PrimaryProps {
        description,
        policy: Some(policy),
        tags: Some(tags),
        alias,
    })
}

/// The outcome of one ReplicateKey, before the watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replicated {
    pub created: ReplicaCreated,
    /// The replica was there already (AlreadyExistsException): it was described, not created.
    pub adopted: bool,
}

/// ReplicateKey for one target, `delay` after the click (see `REPLICATE_SPACING`). An
/// `AlreadyExists` answer is resolved by DescribeKey in the target Region: the replica is shown
/// as it is, never reported as a failure and never created twice.
pub async fn replicate_one(
    primary: RegionClient,
    target: RegionClient,
    request: ReplicateRequest,
    delay: Duration,
) -> Result<Replicated, KmsError> {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match primary.replicate_key(&request).await {
        Ok(created) => Ok(Replicated {
            created,
            adopted: false,
        }),
        Err(KmsError::AlreadyExists { .. }) => adopt(&target, &request).await,
        // The answer was lost (dropped connection, timeout, 500): KMS may have acted. Look in the
        // target Region before anyone retries, so a retry never makes a second replica and a
        // replica that exists is never reported as a failure.
        Err(e) if outcome_unknown(&e) => match adopt(&target, &request).await {
            Ok(found) => Ok(found),
            Err(_) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Errors after which KMS may or may not have acted. Throttling is one: the SDK retries, so a
/// final ThrottlingException can follow an earlier attempt whose answer was lost after KMS acted.
fn outcome_unknown(e: &KmsError) -> bool {
    match e {
        KmsError::Unreachable { .. }
        | KmsError::Timeout { .. }
        | KmsError::Other { .. }
        | KmsError::Throttled { .. } => true,
        KmsError::Service { code, .. } => code == "KMSInternalException",
        _ => false,
    }
}

/// Failures that say nothing about the key, only that this attempt did not get through.
pub(in crate::jobs) fn transient(e: &KmsError) -> bool {
    match e {
        KmsError::Unreachable { .. } | KmsError::Timeout { .. } | KmsError::Throttled { .. } => {
            true
        }
        KmsError::Service { code, .. } => code == "KMSInternalException",
        _ => false,
    }
}

/// DescribeKey that rides out a few transient failures beyond the SDK's own retries, for the
/// answers that decide what the user is told.
async fn describe_patiently(target: &RegionClient, key_id: &MrkId) -> Result<KeyInfo, KmsError> {
    let mut delay = Duration::from_millis(100);
    let mut tries = 0;
    loop {
        match target.describe_key(key_id).await {
            Err(e) if transient(&e) && tries < 4 => {
                tries += 1;
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
}

/// Describes the replica that is already in the target Region.
async fn adopt(target: &RegionClient, request: &ReplicateRequest) -> Result<Replicated, KmsError> {
    let replica = describe_patiently(target, &request.key_id).await?;
    Ok(Replicated {
        created: ReplicaCreated {
            replica,
            replica_policy: None,
            replica_tags: None,
            request_id: None,
        },
        adopted: true,
    })
}

/// What the watcher ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub replica: KeyInfo,
    /// The replica was still transient when the watcher gave up.
    pub gave_up: bool,
    /// The alias asked for, once the replica was usable: its error, if creating it failed.
    pub alias_error: Option<KmsError>,
}

/// Polls DescribeKey with backoff until the key leaves `Creating`/`Updating`, then creates the
/// alias the user asked for.
pub async fn watch_replica(
    target: RegionClient,
    key_id: MrkId,
    backoff: Backoff,
    alias: Option<String>,
) -> Result<Settled, KmsError> {
    let started = Instant::now();
    let mut delay = backoff.first;
    loop {
        tokio::time::sleep(delay).await;
        let replica = match target.describe_key(&key_id).await {
            Ok(replica) => replica,
            // A lost poll is not a lost replica: poll again, within the same time budget.
            Err(e) if transient(&e) && started.elapsed() < backoff.give_up_after => {
                delay = (delay * 2).min(backoff.max);
                continue;
            }
            Err(e) => return Err(e),
        };
        let transient = matches!(replica.state, KeyState::Creating | KeyState::Updating);
        let gave_up = transient && started.elapsed() >= backoff.give_up_after;
        if !transient || gave_up {
            let alias_error = match (&alias, gave_up) {
                (Some(name), false) => target.create_alias(name, &key_id).await.err(),
                _ => None,
            };
            return Ok(Settled {
                replica,
                gave_up,
                alias_error,
            });
        }
        delay = (delay * 2).min(backoff.max);
    }
}
