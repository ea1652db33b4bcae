//! The scan of one Region: ListKeys (all pages) and ListAliases, then DescribeKey of every `mrk-`
//! key, paced to the Region's DescribeKey quota, reported as progress while it runs.
//!
//! Those are the only calls a scan makes: the minimum that fills the grid. Policies and tags are
//! read later, for the keys that need them (audit, details, replicate dialog).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::paced::run_paced;
use super::runner::Repaint;
use crate::domain::{KeyEntry, KeyInfo, MrkId, RegionScan, quota};
use crate::kms::{KmsError, RegionClient};

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

    let paced = client.single_attempt();
    let mut keys = Vec::with_capacity(ids.len());
    let report = run_paced(
        quota::DESCRIBE_KEY,
        ids,
        |id| {
            let client = &paced;
            async move { client.describe_key(&id).await }
        },
        |id, result| {
            keys.extend(entry(id, result));
            progress.described.fetch_add(1, Ordering::AcqRel);
            repaint();
        },
    )
    .await;
    if report.throttles > 0 {
        tracing::info!(
            "{}: {} DescribeKey calls throttled and sent again; pace ended at {:.0}/s",
            client.region(),
            report.throttles,
            report.final_rate
        );
    }
    Ok(RegionScan { keys, aliases })
}

fn entry(id: MrkId, result: Result<KeyInfo, KmsError>) -> Option<KeyEntry> {
    match result {
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
