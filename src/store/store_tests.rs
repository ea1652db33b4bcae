use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use crate::domain::history::{CellFact, FindingFact, JournalEntry, SnapshotFacts};

/// A fresh folder for one test's database, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "kms-rc-store-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("history.sqlite")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn snapshot(time: i64, state: &str, audited: bool) -> SnapshotToSave {
    let mut cells = BTreeMap::new();
    cells.insert(
        ("mrk-1".to_string(), "us-east-1".to_string()),
        CellFact {
            role: "Primary".into(),
            state: state.into(),
        },
    );
    let findings = audited.then(|| {
        let mut f = BTreeMap::new();
        f.insert(
            "policy-drift|111122223333|mrk-1|us-east-1".to_string(),
            FindingFact {
                kind: "policy-drift".into(),
                severity: "high".into(),
                key_id: "mrk-1".into(),
                region: "us-east-1".into(),
                message: "drift".into(),
            },
        );
        f
    });
    SnapshotToSave {
        time,
        identity: "arn:aws:iam::111122223333:user/test".into(),
        source: "audit".into(),
        regions: vec![
            RegionRecord {
                region: "eu-west-1".into(),
                status: crate::domain::RegionRead::Failed,
                problem: Some("access denied".into()),
            },
            RegionRecord {
                region: "us-east-1".into(),
                status: crate::domain::RegionRead::Scanned,
                problem: None,
            },
        ],
        facts: SnapshotFacts {
            account: "111122223333".into(),
            scanned: ["us-east-1".to_string()].into_iter().collect(),
            cells,
            gaps: if audited {
                [("mrk-2".to_string(), "us-east-1".to_string())]
                    .into_iter()
                    .collect()
            } else {
                Default::default()
            },
            rules: audited.then(|| "0123456789ab".to_string()),
            findings,
        },
    }
}

#[test]
fn a_snapshot_reads_back_as_it_was_saved_with_its_counts() {
    let dir = TempDir::new("roundtrip");
    let mut store = Store::open(&dir.db()).unwrap();
    let saved = snapshot(1_000, "Enabled", true);
    let id = store.save_snapshot(&saved).unwrap();
    assert_eq!(store.snapshot_facts(id).unwrap(), saved.facts);
    let list = store.snapshots().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].families, 1);
    assert_eq!(list[0].regions, saved.regions);
    assert_eq!(list[0].findings.as_ref().unwrap()["high"], 1);
    assert_eq!(list[0].rules.as_deref(), Some("0123456789ab"));
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_snapshot_without_an_audit_has_no_findings_rather_than_zero() {
    let dir = TempDir::new("unaudited");
    let mut store = Store::open(&dir.db()).unwrap();
    let id = store
        .save_snapshot(&snapshot(1_000, "Enabled", false))
        .unwrap();
    assert_eq!(store.snapshot_facts(id).unwrap().findings, None);
    assert_eq!(store.snapshots().unwrap()[0].findings, None);
}

#[test]
fn snapshots_survive_reopening_and_pruning_removes_only_older_ones() {
    let dir = TempDir::new("prune");
    {
        let mut store = Store::open(&dir.db()).unwrap();
        store
            .save_snapshot(&snapshot(1_000, "Enabled", true))
            .unwrap();
        store
            .save_snapshot(&snapshot(2_000, "Disabled", true))
            .unwrap();
    }
    let mut store = Store::open(&dir.db()).unwrap();
    assert_eq!(store.prune_snapshots_before(1_500).unwrap(), 1);
    let left = store.snapshots().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].time, 2_000);
    let facts = store.snapshot_facts(left[0].id).unwrap();
    assert_eq!(facts.cells.len(), 1, "the kept snapshot keeps its cells");
}

#[test]
fn the_journal_keeps_entries_across_reopening_oldest_first() {
    let dir = TempDir::new("journal");
    let entry = |time: i64, op: &str| JournalEntry {
        time,
        identity: "arn:aws:iam::111122223333:user/test".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        operation: op.into(),
        key_id: "mrk-1".into(),
        parameters: "{}".into(),
        outcome: "ok".into(),
        request_id: Some("req-1".into()),
        source: Some("apply of plan.json".into()),
    };
    {
        let mut store = Store::open(&dir.db()).unwrap();
        store.append_journal(&entry(20, "DisableKey")).unwrap();
        store.append_journal(&entry(10, "ReplicateKey")).unwrap();
    }
    let store = Store::open(&dir.db()).unwrap();
    let all = store.journal_since(0).unwrap();
    assert_eq!(
        all,
        vec![entry(10, "ReplicateKey"), entry(20, "DisableKey")]
    );
    assert_eq!(
        store.journal_since(15).unwrap(),
        vec![entry(20, "DisableKey")]
    );
}

#[test]
fn a_database_from_the_first_schema_is_migrated_and_keeps_its_snapshots() {
    let dir = TempDir::new("migrate");
    {
        let mut conn = rusqlite::Connection::open(dir.db()).unwrap();
        schema::migrate(&mut conn, 1).unwrap().unwrap();
        conn.execute_batch(
            "INSERT INTO snapshots (id, time, identity, account, source) VALUES (7, 1000, 'me', '111122223333', 'gui');
             INSERT INTO snapshot_regions VALUES (7, 'us-east-1', 'scanned', NULL);
             INSERT INTO snapshot_cells VALUES (7, 'mrk-1', 'us-east-1', 'Primary', 'Enabled');",
        )
        .unwrap();
    }
    let mut store = Store::open(&dir.db()).unwrap();
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::LATEST);
    let facts = store.snapshot_facts(7).unwrap();
    assert_eq!(facts.cells.len(), 1);
    assert_eq!(facts.findings, None, "an old snapshot had no audit");
    assert_eq!(facts.rules, None, "nor a record of its rules");
    store
        .save_snapshot(&snapshot(2_000, "Enabled", true))
        .unwrap();
    let list = store.snapshots().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].rules, None);
    assert_eq!(list[1].rules.as_deref(), Some("0123456789ab"));
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error_and_is_left_alone() {
    let dir = TempDir::new("corrupt");
    let junk = b"this is not SQLite, it is a text file someone put here\n".repeat(100);
    std::fs::write(dir.db(), &junk).unwrap();
    let err = Store::open(&dir.db()).err().expect("refused");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("--no-history"), "{err}");
    assert_eq!(std::fs::read(dir.db()).unwrap(), junk, "nothing written");
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = TempDir::new("newer");
    {
        let conn = rusqlite::Connection::open(dir.db()).unwrap();
        conn.pragma_update(None, "user_version", schema::LATEST + 1)
            .unwrap();
    }
    let err = Store::open(&dir.db()).err().expect("refused");
    assert!(matches!(err, StoreError::Newer { .. }), "{err:?}");
}

#[test]
fn a_write_while_another_process_holds_the_lock_says_locked_and_saves_nothing() {
    let dir = TempDir::new("locked");
    let mut store = Store::open(&dir.db()).unwrap();
    store
        .conn
        .busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let other = rusqlite::Connection::open(dir.db()).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = store
        .save_snapshot(&snapshot(1_000, "Enabled", true))
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    other.execute_batch("ROLLBACK").unwrap();
    assert!(store.snapshots().unwrap().is_empty());
}

#[test]
fn the_database_and_its_folder_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("private");
    let nested = dir.0.join("state");
    let path = nested.join("history.sqlite");
    Store::open(&path).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn two_findings_of_one_kind_on_one_key_and_region_are_both_saved_and_counted() {
    let dir = TempDir::new("two-grants");
    let mut store = Store::open(&dir.db()).unwrap();
    let mut saved = snapshot(1_000, "Enabled", true);
    let fact = |severity: &str, grantee: &str| FindingFact {
        kind: "grant-extra".into(),
        severity: severity.into(),
        key_id: "mrk-1".into(),
        region: "us-east-1".into(),
        message: format!("grant to {grantee}"),
    };
    let findings = saved.facts.findings.as_mut().unwrap();
    findings.insert(
        "grant-extra|111122223333|mrk-1|us-east-1|444455556666".into(),
        fact("high", "444455556666"),
    );
    findings.insert(
        "grant-extra|111122223333|mrk-1|us-east-1|role/app".into(),
        fact("medium", "role/app"),
    );
    let id = store.save_snapshot(&saved).unwrap();
    assert_eq!(store.snapshot_facts(id).unwrap(), saved.facts);
    let counts = store.snapshots().unwrap()[0].findings.clone().unwrap();
    assert_eq!(
        counts["high"], 2,
        "policy-drift and the cross-account grant"
    );
    assert_eq!(counts["medium"], 1);
}

#[cfg(unix)]
#[test]
fn a_database_path_that_is_a_symlink_is_refused_and_nothing_is_created_at_its_target() {
    let dir = TempDir::new("symlink");
    std::fs::create_dir_all(dir.db().parent().unwrap()).unwrap();
    let target = dir.db().with_file_name("elsewhere.sqlite");
    std::os::unix::fs::symlink(&target, dir.db()).unwrap();
    let err = Store::open(&dir.db()).err().expect("refused");
    assert!(matches!(err, StoreError::Symlink { .. }), "{err}");
    assert!(
        !target.exists(),
        "the dangling link's target was not created"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_others_can_write_is_named_and_a_private_or_sticky_one_is_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("open-folder");
    let folder = dir.db().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    let warning = super::folder_warning(&folder).expect("a warning");
    assert!(
        warning.contains("everyone") && warning.contains("777"),
        "{warning}"
    );
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o1777)).unwrap();
    assert_eq!(super::folder_warning(&folder), None);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(super::folder_warning(&folder), None);
}
