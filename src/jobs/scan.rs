//! The scan of one Region: ListKeys (all pages) and ListAliases, then DescribeKey of every `mrk-`
//! key with bounded concurrency, reported as progress while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;

use super::runner::Repaint;
use crate::domain::{KeyEntry, MrkId, RegionScan};
use crate::kms::{KmsError, RegionClient};

/// DescribeKey calls in flight per Region. Far below the 2,000/s quota even at low latency,
/// while turning a thousand keys into a few seconds rather than minutes.
pub const DESCRIBE_CONCURRENCY: usize = 16;

/// How far a Region's scan has got; shared with the UI, which reads it every frame.
#[derive(Debug, Default)]
pub struct ScanProgress {
    listed: AtomicUsize,
    described: AtomicUsize,
    listing_done: std::sync::atomic::AtomicBool,
}

impl ScanProgress {
    /// `(described, listed)` once listing is done; `None` while still listing.
    pub fn described_of_listed(&self) -> Option<(usize, usize)> {
        self.listing_done.load(Ordering::Acquire).then(|| {
            (
                self.described.load(Ordering::Acquire),
                self.listed.load(Ordering::Acquire),
            )
        })
    }
}

/// Scans one Region. Fails as a whole only if listing fails; a key that cannot be described
/// becomes a `KeyEntry::Failed` so the rest of the Region is still shown.
pub async fn scan_region(
    client: RegionClient,
    progress: Arc<ScanProgress>,
    repaint: Repaint,
) -> Result<RegionScan, KmsError> {
    let (ids, aliases) = futures::try_join!(client.list_mrk_ids(), client.list_aliases())?;
    progress.listed.store(ids.len(), Ordering::Release);
    progress.listing_done.store(true, Ordering::Release);
    repaint();

    let client = &client;
    let keys: Vec<Option<KeyEntry>> = futures::stream::iter(ids)
        .map(|id| describe_one(client, id))
        .buffer_unordered(DESCRIBE_CONCURRENCY)
        .inspect(|_| {
            progress.described.fetch_add(1, Ordering::AcqRel);
            repaint();
        })
        .collect()
        .await;
    Ok(RegionScan {
        keys: keys.into_iter().flatten().collect(),
        aliases,
    })
}

async fn describe_one(client: &RegionClient, id: MrkId) -> Option<KeyEntry> {
    match client.describe_key(&id).await {
        Ok(info) => Some(KeyEntry::Described(Box::new(info))),
        // Deleted between ListKeys and DescribeKey: it is simply not there any more.
        Err(KmsError::NotFound { .. }) => None,
        Err(e) => {
            tracing::warn!("{e}");
            Some(KeyEntry::Failed {
                key_id: id,
                problem: e.to_problem(),
            })
        }
    }
}
