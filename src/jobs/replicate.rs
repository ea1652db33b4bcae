//! The replicate workflow's background work: fetching what the console would copy from the
//! primary, one ReplicateKey per target Region (adopting a replica that already exists), and the
//! watcher that follows a new replica until it is usable.

use std::time::{Duration, Instant};

use crate::domain::{KeyInfo, KeyState, MrkId, PrimaryProps, ReplicateRequest};
use crate::kms::{KmsError, RegionClient, ReplicaCreated};

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
        Err(KmsError::AlreadyExists { .. }) => {
            let replica = target.describe_key(&request.key_id).await?;
            Ok(Replicated {
                created: ReplicaCreated {
                    replica,
                    replica_policy: None,
                    replica_tags: None,
                },
                adopted: true,
            })
        }
        Err(e) => Err(e),
    }
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
        let replica = target.describe_key(&key_id).await?;
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
