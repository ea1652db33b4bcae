//! An embedded KMS-compatible endpoint: the KMS JSON 1.1 protocol over HTTP on 127.0.0.1 (and
//! STS GetCallerIdentity and AssumeRole, Organizations ListAccounts, so an organization's
//! accounts can be entered as on AWS), with
//! the multi-Region semantics of KMS_FACTS.md — including the transient states (`Creating`,
//! `Updating`, `PendingReplicaDeletion`, `PendingImport`) that moto does not model.
//!
//! It is the backend of `--demo` and of lifecycle and fault tests. The app reaches it through the
//! same aws-sdk-kms client it uses for AWS. This crate depends on no crate of the app (the
//! compiler holds it): it is a second, independent reading of the KMS facts.

mod clock;
mod config;
mod error;
mod flags;
mod materials;
mod model;
mod ops;
mod org;
mod quota;
mod regions;
mod seed;
mod seed_parity;
mod server;
mod sts;
#[cfg(test)]
mod test_kms;
mod traffic;
mod trail;
#[cfg(test)]
mod trail_tests;
mod validate;
mod wrapping;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use config::{BadKnob, FaultKind, FaultRule, SimConfig};
pub use flags::Knobs;
pub use model::Delays;
pub use ops::{MUTATING, OPERATIONS};
pub use org::{AccountState, MemberAccount};
pub use seed::{DEMO_REGIONS, SCALE_REGIONS, Seed};

/// A running simulator. Dropping it stops accepting connections.
pub struct Sim {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Sim {
    /// Binds 127.0.0.1 (port from the config, 0 for a free one), seeds, and starts serving on the
    /// current tokio runtime.
    pub async fn start(config: SimConfig, seed: Seed) -> std::io::Result<Sim> {
        config
            .validate()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let mut members = seed::organization(seed, &config.account_id);
        org::configure(
            &mut members,
            &config.deny_assume_role,
            &config.suspended_accounts,
        )
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let ids: Vec<String> = match members.is_empty() {
            true => vec![config.account_id.clone()],
            false => members.iter().map(|m| m.id.clone()).collect(),
        };
        let kms = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let key_id_seed = config.key_id_seed.map(|s| s.wrapping_add(i as u64));
                let kms = model::Kms::new(id.clone(), config.delays, key_id_seed);
                (id.clone(), std::sync::Mutex::new(kms))
            })
            .collect();
        let org = org::Organization::new(config.account_id.clone(), members);
        let shared = Arc::new(server::Shared::new(config, kms, org));
        let now = shared.clock.now();
        for (i, id) in ids.iter().enumerate() {
            if let Some(kms) = shared.kms.get(id) {
                let mut kms = kms.lock().unwrap_or_else(|p| p.into_inner());
                seed::apply_account(seed, i, &mut kms, now);
                if let Some(start) = shared.config.usage_tracking_start {
                    kms.tracking_start = start;
                }
                if shared.config.traffic {
                    traffic::imagine(&mut kms, now);
                }
            }
        }
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Sim { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url` or an SDK's endpoint setting.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn account_id(&self) -> &str {
        &self.shared.config.account_id
    }

    /// Moves the simulator's clock forward (deletion windows, replica creation, imports).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// The simulated time, in seconds since the Unix epoch: what a test gives the app as its
    /// clock when it moves the simulator's days ahead.
    pub fn now(&self) -> f64 {
        self.shared.clock.now()
    }

    /// A reader of the simulated time that outlives this borrow (an app's clock in a test).
    pub fn clock_reader(&self) -> impl Fn() -> f64 + Send + Sync + 'static {
        let shared = self.shared.clone();
        move || shared.clock.now()
    }

    /// Requests per Region and operation, throttled requests, injected faults (as `/_sim/stats`).
    pub fn stats(&self) -> serde_json::Value {
        self.shared.stats_json()
    }

    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// Makes every call signed with these access key IDs fail with ExpiredTokenException, as
    /// when a session's credentials expire (an empty list renews them).
    pub fn set_expired_keys(&self, keys: Vec<String>) {
        *self
            .shared
            .expired_keys
            .write()
            .unwrap_or_else(|p| p.into_inner()) = keys;
    }

    /// Gives the key `key_id` in `region` (of the simulator's own account) material of its
    /// own: its ciphertexts and its relatives' no longer open each other (IncorrectKeyException).
    pub fn replace_material(&self, region: &str, key_id: &str) {
        if let Some(kms) = self.shared.kms.get(&self.shared.config.account_id) {
            kms.lock()
                .unwrap_or_else(|p| p.into_inner())
                .replace_material(region, key_id);
        }
    }

    /// Replaces the fault rules in force (tests turn faults on after seeding a ground truth).
    pub fn set_faults(&self, faults: Vec<FaultRule>) {
        *self
            .shared
            .faults
            .write()
            .unwrap_or_else(|p| p.into_inner()) = faults;
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}
