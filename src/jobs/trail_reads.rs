//! A family's CloudTrail records, read for the details panel and the `trail` command: every
//! Region where the family has a key at once, the pages of each Region one after another at
//! LookupEvents' quota (2 per second per account and Region), a throttle waited out. The
//! records are matched to this app's journal by request ID.

use std::time::Duration;

use super::inventory::Inventory;
use super::runner::Runner;
use super::tasks::{TaskKey, TaskOutput};
use crate::aws::{AwsClients, KmsError, TrailClient, TrailTokens};
use crate::domain::history::JournalEntry;
use crate::domain::trail::{TrailEntry, TrailEvent, family_trail};
use crate::domain::{MrkId, Region, quota};

/// How far back CloudTrail's event history goes.
pub const TRAIL_DAYS: i64 = 90;
/// Throttles waited out per Region before its records are reported unread.
const THROTTLE_RETRIES: u32 = 6;

/// A family's trail, and the Regions whose records could not be read, with why.
#[derive(Debug, Clone, Default)]
pub struct TrailRead {
    pub entries: Vec<TrailEntry>,
    pub not_read: Vec<(Region, String)>,
}

/// The records about each of `keys` (Region, key ARN) since `since`, every Region at once.
pub async fn fetch_trail(
    clients: &AwsClients,
    keys: Vec<(Region, String)>,
    since: i64,
) -> (Vec<TrailEvent>, Vec<(Region, KmsError)>) {
    let reads = keys.into_iter().map(|(region, arn)| {
        let client = clients.trail(region);
        async move { (region, region_events(&client, &arn, since).await) }
    });
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for (region, read) in futures::future::join_all(reads).await {
        match read {
            Ok(mut found) => events.append(&mut found),
            Err(e) => problems.push((region, e)),
        }
    }
    (events, problems)
}

/// Every page of one key's records in one Region, no faster than the quota allows.
pub(super) async fn region_events(
    client: &TrailClient,
    arn: &str,
    since: i64,
) -> Result<Vec<TrailEvent>, KmsError> {
    let spacing = Duration::from_secs_f64(1.0 / quota::LOOKUP_EVENTS);
    let mut tokens = TrailTokens::default();
    let mut token = None;
    let mut events = Vec::new();
    let mut throttles = 0;
    loop {
        let started = tokio::time::Instant::now();
        match client
            .key_events_page(arn, since, token.clone(), &mut tokens)
            .await
        {
            Ok(page) => {
                events.extend(page.events);
                match page.next {
                    Some(next) => token = Some(next),
                    None => return Ok(events),
                }
            }
            Err(KmsError::Throttled { .. }) if throttles < THROTTLE_RETRIES => {
                throttles += 1;
                let backoff = spacing * 2u32.pow(throttles);
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
        tokio::time::sleep_until(started + spacing).await;
    }
}

/// The records matched to `journal`, with what could not be read in words.
pub fn trail_read(
    events: Vec<TrailEvent>,
    problems: Vec<(Region, KmsError)>,
    journal: &[JournalEntry],
) -> TrailRead {
    TrailRead {
        entries: family_trail(events, journal),
        not_read: problems
            .into_iter()
            .map(|(region, e)| (region, format!("LookupEvents failed: {e}")))
            .collect(),
    }
}

impl Inventory {
    /// Reads the trail of family `id`: each of its keys' records in its Region, the last 90
    /// days, matched to the history's journal when history is kept.
    pub fn read_trail(&mut self, runner: &Runner, id: &MrkId) -> bool {
        let Some(family) = self.estate().family(id) else {
            return false;
        };
        let keys: Vec<(Region, String)> = family
            .described()
            .map(|k| (k.region, k.arn.clone()))
            .collect();
        let clients = self.clients().clone();
        let history = self.history_log().map(|log| log.path().to_path_buf());
        let family = id.clone();
        self.start_task(runner, TaskKey::Trail(id.clone()), async move {
            let since = super::now_epoch() - TRAIL_DAYS * 86_400;
            let (events, problems) = fetch_trail(&clients, keys, since).await;
            let journal = match history {
                Some(path) => tokio::task::spawn_blocking(move || {
                    crate::store::Store::open(&path).and_then(|s| s.journal_since(since))
                })
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default(),
                None => Vec::new(),
            };
            TaskOutput::Trail(family, Ok(trail_read(events, problems, &journal)))
        })
    }
}
