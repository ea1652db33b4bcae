//! The action journal: every mutating call this app made, appended as it happened, read back
//! for the details panel and the `journal` command.

use rusqlite::params;

use super::{Store, StoreError};
use crate::domain::history::JournalEntry;

impl Store {
    pub fn append_journal(&mut self, e: &JournalEntry) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO journal (time, identity, account, region, operation, key_id, parameters, outcome, request_id, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    e.time,
                    e.identity,
                    e.account,
                    e.region,
                    e.operation,
                    e.key_id,
                    e.parameters,
                    e.outcome,
                    e.request_id,
                    e.source
                ],
            )
            .map(|_| ())
            .map_err(|err| self.error(err))
    }

    /// Entries at or after `since` (seconds since the Unix epoch), oldest first.
    pub fn journal_since(&self, since: i64) -> Result<Vec<JournalEntry>, StoreError> {
        let at = |e| self.error(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT time, identity, account, region, operation, key_id, parameters, outcome, request_id, source
                 FROM journal WHERE time >= ?1 ORDER BY time, id",
            )
            .map_err(at)?;
        stmt.query_map([since], |r| {
            Ok(JournalEntry {
                time: r.get(0)?,
                identity: r.get(1)?,
                account: r.get(2)?,
                region: r.get(3)?,
                operation: r.get(4)?,
                key_id: r.get(5)?,
                parameters: r.get(6)?,
                outcome: r.get(7)?,
                request_id: r.get(8)?,
                source: r.get(9)?,
            })
        })
        .map_err(at)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(at)
    }
}
