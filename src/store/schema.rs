//! The database's schema, as numbered migrations: `PRAGMA user_version` says how far a file has
//! come, and opening it applies the rest, each in its own transaction.

use rusqlite::Connection;

/// Each step, in order: step `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: snapshots of the estate.
    "CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        identity TEXT NOT NULL,
        account TEXT NOT NULL,
        source TEXT NOT NULL
    );
    CREATE TABLE snapshot_regions (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        region TEXT NOT NULL,
        status TEXT NOT NULL,
        problem TEXT,
        PRIMARY KEY (snapshot_id, region)
    );
    CREATE TABLE snapshot_cells (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        key_id TEXT NOT NULL,
        region TEXT NOT NULL,
        role TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, key_id, region)
    );
    CREATE INDEX snapshots_by_time ON snapshots(time);",
    // 2: the audit's findings per snapshot, and the journal of what this app changed.
    "ALTER TABLE snapshots ADD COLUMN audited INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE snapshot_findings (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        key_id TEXT NOT NULL,
        region TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, fingerprint)
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        identity TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        operation TEXT NOT NULL,
        key_id TEXT NOT NULL,
        parameters TEXT NOT NULL,
        outcome TEXT NOT NULL,
        request_id TEXT
    );
    CREATE INDEX journal_by_key ON journal(key_id, time);
    CREATE INDEX journal_by_time ON journal(time);",
    // 3: what each audit could not read completely, so a diff never resolves a finding there.
    "CREATE TABLE snapshot_gaps (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        key_id TEXT NOT NULL,
        region TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, key_id, region)
    );",
    // 4: the print of the rules each audit judged by, so a trend never joins different rules.
    "ALTER TABLE snapshots ADD COLUMN rules TEXT;",
    // 5: where in this app each journaled call came from (the window, an apply of a plan), so a
    // CloudTrail record matched to it by request ID says so.
    "ALTER TABLE journal ADD COLUMN source TEXT;",
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database to schema `target`, one transaction per step. A file from a newer
/// build is refused (`Ok(Err(found))`) rather than written in a shape it does not expect.
///
/// Each step takes the write lock *before* it reads `user_version` (`BEGIN IMMEDIATE`): two
/// processes opening a new file at once would otherwise both read 0 and both create the tables,
/// and the second would fail ("table snapshots already exists"). The second now waits, then
/// finds the step done.
pub fn migrate(conn: &mut Connection, target: i64) -> rusqlite::Result<Result<(), i64>> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > LATEST {
            return Ok(Err(found));
        }
        if found >= target.min(LATEST) {
            return Ok(Ok(()));
        }
        tx.execute_batch(MIGRATIONS[found as usize])?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
