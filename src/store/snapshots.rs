//! Snapshots: written whole in one transaction, listed with their counts, read back as the
//! facts a diff compares, pruned by age.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::domain::history::{CellFact, FindingFact, RegionRecord, SnapshotFacts, SnapshotSummary};

/// What is saved for one completed scan.
#[derive(Debug, Clone)]
pub struct SnapshotToSave {
    /// Seconds since the Unix epoch.
    pub time: i64,
    pub identity: String,
    /// `gui` or `audit`.
    pub source: String,
    pub regions: Vec<RegionRecord>,
    pub facts: SnapshotFacts,
}

impl Store {
    /// Saves a snapshot in one transaction and returns its ID.
    pub fn save_snapshot(&mut self, s: &SnapshotToSave) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let at = |e| StoreError::from_sqlite(&path, e);
        let tx = self.conn.transaction().map_err(at)?;
        tx.execute(
            "INSERT INTO snapshots (time, identity, account, source, audited, rules)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                s.time,
                s.identity,
                s.facts.account,
                s.source,
                s.facts.findings.is_some(),
                s.facts.rules
            ],
        )
        .map_err(at)?;
        let id = tx.last_insert_rowid();
        {
            let mut region = tx
                .prepare("INSERT INTO snapshot_regions VALUES (?1, ?2, ?3, ?4)")
                .map_err(at)?;
            for r in &s.regions {
                region
                    .execute(params![id, r.region, r.status.as_str(), r.problem])
                    .map_err(at)?;
            }
            let mut cell = tx
                .prepare("INSERT INTO snapshot_cells VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(at)?;
            for ((key, reg), c) in &s.facts.cells {
                cell.execute(params![id, key, reg, c.role, c.state])
                    .map_err(at)?;
            }
            // Never `OR IGNORE`: every finding the audit reported is evidence, and facts_of gives
            // each its own fingerprint.
            let mut finding = tx
                .prepare("INSERT INTO snapshot_findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .map_err(at)?;
            for (print, f) in s.facts.findings.iter().flatten() {
                finding
                    .execute(params![
                        id, print, f.kind, f.severity, f.key_id, f.region, f.message
                    ])
                    .map_err(at)?;
            }
            let mut gap = tx
                .prepare("INSERT OR IGNORE INTO snapshot_gaps VALUES (?1, ?2, ?3)")
                .map_err(at)?;
            for (key, region) in &s.facts.gaps {
                gap.execute(params![id, key, region]).map_err(at)?;
            }
        }
        tx.commit().map_err(at)?;
        Ok(id)
    }

    /// Every snapshot, oldest first.
    pub fn snapshots(&self) -> Result<Vec<SnapshotSummary>, StoreError> {
        let at = |e| self.error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.time, s.identity, s.account, s.source, s.audited,
                        (SELECT COUNT(DISTINCT key_id) FROM snapshot_cells c WHERE c.snapshot_id = s.id),
                        s.rules
                 FROM snapshots s ORDER BY s.time, s.id",
            )
            .map_err(at)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    SnapshotSummary {
                        id: r.get(0)?,
                        time: r.get(1)?,
                        identity: r.get(2)?,
                        account: r.get(3)?,
                        source: r.get(4)?,
                        regions: Vec::new(),
                        families: r.get::<_, i64>(6)? as usize,
                        findings: None,
                        rules: r.get(7)?,
                    },
                    r.get::<_, bool>(5)?,
                ))
            })
            .map_err(at)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(at)?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut summary, audited) in rows {
            summary.regions = self.regions_of(summary.id)?;
            if audited {
                summary.findings = Some(self.severity_counts(summary.id)?);
            }
            out.push(summary);
        }
        Ok(out)
    }

    fn regions_of(&self, id: i64) -> Result<Vec<RegionRecord>, StoreError> {
        let at = |e| self.error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT region, status, problem FROM snapshot_regions WHERE snapshot_id = ?1 ORDER BY region",
            )
            .map_err(at)?;
        stmt.query_map([id], |r| {
            let word: String = r.get(1)?;
            let status = word
                .parse()
                .map_err(|e: crate::domain::UnknownRegionRead| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
            Ok(RegionRecord {
                region: r.get(0)?,
                status,
                problem: r.get(2)?,
            })
        })
        .map_err(at)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(at)
    }

    fn severity_counts(&self, id: i64) -> Result<BTreeMap<String, usize>, StoreError> {
        let at = |e| self.error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT severity, COUNT(*) FROM snapshot_findings WHERE snapshot_id = ?1 GROUP BY severity",
            )
            .map_err(at)?;
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))
            .map_err(at)?
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(at)
    }

    /// The facts of snapshot `id`, as a diff compares them.
    pub fn snapshot_facts(&self, id: i64) -> Result<SnapshotFacts, StoreError> {
        let at = |e| self.error(e);
        let head: Option<(String, bool, Option<String>)> = self
            .conn
            .query_row(
                "SELECT account, audited, rules FROM snapshots WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(at)?;
        let Some((account, audited, rules)) = head else {
            return Err(StoreError::NoSnapshot(id));
        };
        let scanned = self
            .regions_of(id)?
            .into_iter()
            .filter(|r| r.status == crate::domain::RegionRead::Scanned)
            .map(|r| r.region)
            .collect();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key_id, region, role, state FROM snapshot_cells WHERE snapshot_id = ?1",
            )
            .map_err(at)?;
        let cells = stmt
            .query_map([id], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    CellFact {
                        role: r.get(2)?,
                        state: r.get(3)?,
                    },
                ))
            })
            .map_err(at)?
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(at)?;
        let findings = if audited {
            Some(self.findings_of(id)?)
        } else {
            None
        };
        let mut stmt = self
            .conn
            .prepare("SELECT key_id, region FROM snapshot_gaps WHERE snapshot_id = ?1")
            .map_err(at)?;
        let gaps = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(at)?
            .collect::<Result<_, _>>()
            .map_err(at)?;
        Ok(SnapshotFacts {
            account,
            scanned,
            cells,
            findings,
            gaps,
            rules,
        })
    }

    fn findings_of(&self, id: i64) -> Result<BTreeMap<String, FindingFact>, StoreError> {
        let at = |e| self.error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT fingerprint, kind, severity, key_id, region, message
                 FROM snapshot_findings WHERE snapshot_id = ?1",
            )
            .map_err(at)?;
        stmt.query_map([id], |r| {
            Ok((
                r.get(0)?,
                FindingFact {
                    kind: r.get(1)?,
                    severity: r.get(2)?,
                    key_id: r.get(3)?,
                    region: r.get(4)?,
                    message: r.get(5)?,
                },
            ))
        })
        .map_err(at)?
        .collect::<Result<BTreeMap<_, _>, _>>()
        .map_err(at)
    }

    /// Deletes snapshots taken before `time` (seconds since the Unix epoch); returns how many.
    /// The journal is kept: it is the record of what this app changed.
    pub fn prune_snapshots_before(&mut self, time: i64) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM snapshots WHERE time < ?1", [time])
            .map_err(|e| self.error(e))
    }
}
