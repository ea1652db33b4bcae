//! The scan of one Region: ListKeys (all pages) and ListAliases, then DescribeKey of every `mrk-`
//! key (or, for "Refresh changes", only of the keys that may have changed), paced to the
//! Region's DescribeKey quota, reported as progress while it runs.
//!
//! Those are the only calls a scan makes: the minimum that fills the grid. Policies and tags are
//! read later, for the keys that need them (audit, details, replicate dialog).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::paced_calls::{run_paced, within_cap};
use super::runner::Repaint;
use crate::aws::{KmsError, RegionClient};
use crate::domain::{KeyEntry, KeyInfo, MrkId, RegionRescan, RegionScan, quota};

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

/// What a Region's scan is asked to do.
#[derive(Debug, Clone)]
pub enum ScanKind {
    /// Describe every multi-Region key listed.
    Full,
    /// Describe only the keys listed that are not in this set (see `domain::estate::is_settled`).
    Changes(BTreeSet<MrkId>),
}

/// What a scan brought back, by kind.
#[derive(Debug)]
pub enum ScanOutcome {
    Full(RegionScan),
    Changes(RegionRescan),
}

/// Scans one Region. Fails as a whole only if listing fails; a key that cannot be described
/// becomes a `KeyEntry::Failed` so the rest of the Region is still shown.
pub async fn scan_region(
    client: RegionClient,
    kind: ScanKind,
    progress: Arc<ScanProgress>,
    repaint: Repaint,
) -> Result<ScanOutcome, KmsError> {
    let (listed, aliases) = futures::try_join!(
        within_cap(client.list_mrk_ids()),
        within_cap(client.list_aliases())
    )?;
    // A full scan describes everything listed; "changes" keeps the listing to drop deleted keys.
    let (to_describe, listed) = match &kind {
        ScanKind::Full => (listed, Vec::new()),
        ScanKind::Changes(settled) => {
            let fresh = listed
                .iter()
                .filter(|id| !settled.contains(*id))
                .cloned()
                .collect();
            (fresh, listed)
        }
    };
    progress.listed.store(to_describe.len(), Ordering::Release);
    progress.listing_done.store(true, Ordering::Release);
    repaint();

    let paced = client.single_attempt();
    let mut keys = Vec::with_capacity(to_describe.len());
    let mut gone = BTreeSet::new();
    let report = run_paced(
        quota::DESCRIBE_KEY,
        to_describe,
        |id| {
            let client = &paced;
            async move { client.describe_key(&id).await }
        },
        |id, result| {
            match result {
                // Deleted between ListKeys and DescribeKey: it is simply not there any more.
                Err(KmsError::NotFound { .. }) => {
                    gone.insert(id);
                }
                result => keys.push(entry(id, result)),
            }
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
    Ok(match kind {
        ScanKind::Full => ScanOutcome::Full(RegionScan { keys, aliases }),
        ScanKind::Changes(_) => ScanOutcome::Changes(RegionRescan {
            listed: listed.into_iter().filter(|id| !gone.contains(id)).collect(),
            described: keys,
            aliases,
        }),
    })
}

fn entry(id: MrkId, result: Result<KeyInfo, KmsError>) -> KeyEntry {
    match result {
        Ok(info) => KeyEntry::Described(Box::new(info)),
        Err(e) => {
            tracing::warn!("{e}");
            KeyEntry::Failed {
                key_id: id,
                problem: e.to_problem(),
            }
        }
    }
}
