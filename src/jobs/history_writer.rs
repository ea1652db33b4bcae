//! Keeps the history: each completed scan's snapshot and each mutating call's journal entry,
//! written to the store by a thread of their own, in order, so the UI never waits on the disk.
//!
//! A write that fails (a locked or full disk) is reported through `problem` and the app goes
//! on: history is evidence, never a reason to stop a scan or an action.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::domain::Estate;
use crate::domain::history::{AuditFacts, JournalEntry, facts_of};
use crate::store::{RegionRecord, SnapshotToSave, Store};

/// Who acts: the identity and account every snapshot and journal entry is recorded under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The caller's ARN, or "identity unknown".
    pub identity: String,
    /// The account's ID, or `UNKNOWN_ACCOUNT` (as the history keeps it) when STS did not say.
    pub account: String,
}

/// What the history records as the account of a caller STS could not name.
const UNKNOWN_ACCOUNT: &str = "unknown";

impl Actor {
    /// A caller STS could not name: its snapshots and calls are kept, under no account.
    pub fn unknown() -> Actor {
        Actor {
            identity: "identity unknown".into(),
            account: UNKNOWN_ACCOUNT.into(),
        }
    }

    /// The account, when it is known.
    pub fn known_account(&self) -> Option<&str> {
        (self.account != UNKNOWN_ACCOUNT).then_some(self.account.as_str())
    }
}

enum Write {
    /// The estate as it was, reduced to a snapshot on the writer's thread (it walks every key).
    Snapshot {
        /// Whose snapshot: its account is the estate's.
        actor: Actor,
        estate: Box<Estate>,
        audited: Option<AuditFacts>,
        source: &'static str,
        time: i64,
    },
    Journal(JournalEntry),
}

/// The writer's handle: cheap to clone, shared by the inventory and the app.
#[derive(Clone)]
pub struct HistoryLog {
    tx: mpsc::Sender<Write>,
    actor: Actor,
    /// The database file, for reads on connections of their own (WAL lets them run beside
    /// the writer).
    path: std::path::PathBuf,
    written: Arc<Written>,
    /// Writes handed to the writer so far.
    sent: Arc<std::sync::atomic::AtomicU64>,
    problem: Arc<Mutex<Option<String>>>,
}

impl HistoryLog {
    /// Hands `store` to a writer thread.
    pub fn start(store: Store, actor: Actor) -> HistoryLog {
        let path = store.path().to_path_buf();
        let (tx, rx) = mpsc::channel::<Write>();
        let written = Arc::new(Written::default());
        let problem = Arc::new(Mutex::new(None));
        let (w, p) = (written.clone(), problem.clone());
        std::thread::Builder::new()
            .name("history-writer".into())
            .spawn(move || write_all(store, rx, &w, &p))
            .map(|_| ())
            .unwrap_or_else(|e| {
                *problem.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("history is off: cannot start its writer: {e}"));
            });
        HistoryLog {
            tx,
            actor,
            path,
            written,
            sent: Arc::default(),
            problem,
        }
    }

    /// The same writer, recording as `actor`: another account of an organization-wide window
    /// keeps its snapshots and journal under its own account ID.
    pub fn for_account(&self, actor: Actor) -> HistoryLog {
        HistoryLog {
            actor,
            ..self.clone()
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Records `estate` as one snapshot (with what the audit saw, when one ran).
    pub fn save_snapshot(
        &self,
        estate: &Estate,
        audited: Option<&AuditFacts>,
        source: &'static str,
    ) {
        self.send(Write::Snapshot {
            actor: self.actor.clone(),
            estate: Box::new(estate.clone()),
            audited: audited.cloned(),
            source,
            time: super::now_epoch(),
        });
    }

    pub fn append(&self, entry: JournalEntry) {
        self.send(Write::Journal(entry));
    }

    fn send(&self, write: Write) {
        if self.tx.send(write).is_ok() {
            self.sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Waits (at most `timeout`) until everything sent so far is on disk or has failed: the
    /// binary calls it when the window closes, so the last action's journal entry is not lost
    /// with the process. Returns whether the queue drained.
    pub fn flush(&self, timeout: Duration) -> bool {
        let sent = self.sent.load(std::sync::atomic::Ordering::SeqCst);
        self.wait_until_written(sent, timeout)
    }

    /// How many writes the writer has finished (saved, or failed and reported in `problem`).
    pub fn written(&self) -> u64 {
        *self.written.count.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `n` writes have reached the database (or `timeout` passes); returns whether
    /// they did. Tests wait on this, never on time.
    pub fn wait_until_written(&self, n: u64, timeout: Duration) -> bool {
        let count = self.written.count.lock().unwrap_or_else(|p| p.into_inner());
        let (count, _) = self
            .written
            .changed
            .wait_timeout_while(count, timeout, |c| *c < n)
            .unwrap_or_else(|p| p.into_inner());
        *count >= n
    }

    /// The last write that failed, in words.
    pub fn problem(&self) -> Option<String> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Writes done so far, and a signal when there is one more.
#[derive(Default)]
struct Written {
    count: Mutex<u64>,
    changed: Condvar,
}

fn write_all(
    mut store: Store,
    rx: mpsc::Receiver<Write>,
    written: &Written,
    problem: &Mutex<Option<String>>,
) {
    for write in rx {
        let result = match write {
            Write::Snapshot {
                actor,
                estate,
                audited,
                source,
                time,
            } => {
                let snapshot = snapshot_of(&estate, audited.as_ref(), &actor, source, time);
                store.save_snapshot(&snapshot).map(|_| ())
            }
            Write::Journal(entry) => store.append_journal(&entry),
        };
        match result {
            Ok(()) => {
                *written.count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                written.changed.notify_all();
            }
            Err(e) => {
                tracing::warn!("history: {e}");
                *problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                // Counted as done, so a flush does not wait out its timeout for a write
                // that already failed (the problem says so).
                *written.count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                written.changed.notify_all();
            }
        }
    }
}

/// The snapshot of `estate` as the store keeps it: every Region's status and every key.
pub fn snapshot_of(
    estate: &Estate,
    audited: Option<&AuditFacts>,
    actor: &Actor,
    source: &str,
    time: i64,
) -> SnapshotToSave {
    let regions = estate
        .regions()
        .iter()
        .map(|r| {
            let (status, problem) = estate.status(*r).word_and_problem();
            let problem = problem.map(ToString::to_string);
            RegionRecord {
                region: r.name().to_string(),
                status,
                problem,
            }
        })
        .collect();
    SnapshotToSave {
        time,
        identity: actor.identity.clone(),
        source: source.into(),
        regions,
        facts: facts_of(estate, audited, &actor.account),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flush_returns_once_every_entry_sent_is_on_disk() {
        let dir = std::env::temp_dir().join(format!(
            "kms-rc-log-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let path = dir.join("history.sqlite");
        let actor = Actor {
            identity: "arn:aws:iam::111122223333:user/test".into(),
            account: "111122223333".into(),
        };
        let log = HistoryLog::start(Store::open(&path).unwrap(), actor.clone());
        for i in 0..50 {
            log.append(JournalEntry {
                time: i,
                identity: actor.identity.clone(),
                account: actor.account.clone(),
                region: "eu-west-1".into(),
                operation: "DisableKey".into(),
                key_id: "mrk-1".into(),
                parameters: "{}".into(),
                outcome: "ok: eu-west-1 Disabled".into(),
                request_id: None,
                source: None,
            });
        }
        assert!(log.flush(Duration::from_secs(30)));
        let on_disk = Store::open(&path).unwrap().journal_since(0).unwrap();
        assert_eq!(on_disk.len(), 50);
        let _ = std::fs::remove_dir_all(dir);
    }
}
