//! The simulated KMS state: keys per Region, multi-Region families, aliases, and the transitions
//! that happen with time (Creating → Enabled, Updating → swapped, PendingDeletion → gone).
//!
//! Transitions are applied lazily by `settle` before every request, against the simulator's own
//! clock, so nothing runs in the background and tests can jump days ahead.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::error::Fault;
use super::regions::partition_of;
use super::validate::Tag;

pub const DAY: f64 = 86_400.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    PendingReplicaDeletion,
    PendingImport,
    Updating,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Creating => "Creating",
            State::Enabled => "Enabled",
            State::Disabled => "Disabled",
            State::PendingDeletion => "PendingDeletion",
            State::PendingReplicaDeletion => "PendingReplicaDeletion",
            State::PendingImport => "PendingImport",
            State::Updating => "Updating",
        }
    }

    /// The phrase KMS uses in `KMSInvalidStateException` messages ("… is pending deletion.").
    pub fn phrase(self) -> &'static str {
        match self {
            State::Creating => "creating",
            State::Enabled => "enabled",
            State::Disabled => "disabled",
            State::PendingDeletion | State::PendingReplicaDeletion => "pending deletion",
            State::PendingImport => "pending import",
            State::Updating => "updating",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Key {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub created: f64,
    pub description: String,
    pub key_spec: String,
    pub key_usage: String,
    pub origin: String,
    pub state: State,
    pub policy: String,
    pub tags: Vec<Tag>,
    pub multi_region: bool,
    pub deletion_date: Option<f64>,
    pub pending_window_days: Option<i64>,
    /// When a `Creating` replica becomes usable.
    pub ready_at: Option<f64>,
    /// Imported key material (EXTERNAL keys): every material the key holds.
    pub materials: Vec<super::materials::Material>,
    /// The import tokens still valid for this key, with their wrapping keys.
    pub imports: Vec<super::materials::ImportParams>,
}

/// A multi-Region key family: which Regions hold a key and which one is primary.
#[derive(Debug, Clone)]
pub struct Family {
    pub primary_region: String,
    pub regions: BTreeSet<String>,
    /// An UpdatePrimaryRegion in progress: the new primary Region and when the swap completes.
    pub pending_primary: Option<(String, f64)>,
}

#[derive(Debug, Clone)]
pub struct Alias {
    pub target: String,
    pub created: f64,
}

/// Timing knobs of the state machine, in simulated seconds.
#[derive(Debug, Clone, Copy)]
pub struct Delays {
    pub replica_creation: f64,
    pub update_primary: f64,
}

#[derive(Debug)]
pub struct Kms {
    pub account: String,
    pub delays: Delays,
    /// `(Region, key ID)` → key; ordered, so ListKeys pages are stable.
    pub keys: BTreeMap<(String, String), Key>,
    pub families: HashMap<String, Family>,
    /// `(Region, alias name)` → alias.
    pub aliases: BTreeMap<(String, String), Alias>,
    /// Time-driven transitions ahead, ordered by when they are due (milliseconds, rounded up):
    /// keys Creating, PendingDeletion or with expiring material, and families whose primary is
    /// changing. `settle` pops only what is due, so a request costs the same with ten keys or a
    /// hundred thousand.
    watched_keys: BTreeSet<(u64, String, String)>,
    watched_families: BTreeSet<(u64, String)>,
    /// Where key IDs come from: seeded, they are the same on every run (image snapshots).
    key_ids: fastrand::Rng,
    /// `(Region, key ID)` → its grants: grants are Regional, never copied to replicas.
    pub grants: BTreeMap<(String, String), Vec<Grant>>,
    /// Key ID → rotation: one per multi-Region family (a shared property, set on the primary),
    /// one per single-Region key.
    pub rotations: HashMap<String, Rotation>,
    /// `(Region, key ID)` → its last successful cryptographic operation: tracked per key.
    pub usage: HashMap<(String, String), super::ops::LastUse>,
    /// When usage tracking began (seconds since the Unix epoch).
    pub tracking_start: f64,
    /// The account's CloudTrail records of calls that changed or used a key.
    pub trail: super::trail::Trail,
    /// `(Region, key ID)` → material that is not the family's (`replace_material`).
    pub materials: HashMap<(String, String), u64>,
}

/// One grant on one key in one Region.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub id: String,
    pub token: String,
    pub name: Option<String>,
    pub grantee: String,
    /// The grantee came as `GranteeServicePrincipal` (a 2026 service-principal grant), not as a
    /// `GranteePrincipal` (which a legacy grant by an AWS service may also hold a service in).
    pub grantee_service: bool,
    pub retiring: Option<String>,
    /// The retiring principal came as `RetiringServicePrincipal`.
    pub retiring_service: bool,
    pub operations: Vec<String>,
    /// `{"EncryptionContextSubset": {…}}` or `{"EncryptionContextEquals": {…}}`, as sent.
    pub constraints: Option<serde_json::Value>,
    pub created: f64,
}

/// Automatic and on-demand rotation of a key's material.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rotation {
    pub enabled: bool,
    pub period_days: Option<i64>,
    /// When automatic rotation was last enabled (the next date counts from it).
    pub enabled_at: Option<f64>,
    /// Past rotations: (`AUTOMATIC` | `ON_DEMAND`, date).
    pub history: Vec<(String, f64)>,
}

/// Drops every material of `key` whose expiry has come (its import state is PENDING_IMPORT
/// again); a key that lost permanently associated material is PendingImport.
fn expire_materials(key: &mut Key, now: f64) -> bool {
    let mut lost_associated = false;
    let mut changed = false;
    for m in &mut key.materials {
        if m.secret.is_some() && m.valid_to.is_some_and(|t| t <= now) {
            m.secret = None;
            m.valid_to = None;
            lost_associated |= m.state.associated();
            changed = true;
        }
    }
    if lost_associated && matches!(key.state, State::Enabled | State::Disabled) {
        key.state = State::PendingImport;
    }
    changed
}

fn due_ms(at: f64) -> u64 {
    (at * 1000.0).ceil().max(0.0) as u64
}

fn now_ms(now: f64) -> u64 {
    (now * 1000.0).floor().max(0.0) as u64
}

impl Kms {
    pub fn new(account: String, delays: Delays, key_id_seed: Option<u64>) -> Kms {
        Kms {
            key_ids: key_id_seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed),
            grants: BTreeMap::new(),
            rotations: HashMap::new(),
            usage: HashMap::new(),
            tracking_start: super::ops::SERVICE_TRACKING_START,
            trail: Default::default(),
            materials: HashMap::new(),
            account,
            delays,
            keys: BTreeMap::new(),
            families: HashMap::new(),
            aliases: BTreeMap::new(),
            watched_keys: BTreeSet::new(),
            watched_families: BTreeSet::new(),
        }
    }

    pub fn new_key_id(&mut self, multi_region: bool) -> String {
        new_key_id(&mut self.key_ids, multi_region)
    }

    /// Marks a key whose state may change at `at` (simulated seconds).
    pub fn watch_key(&mut self, region: &str, id: &str, at: f64) {
        self.watched_keys
            .insert((due_ms(at), region.to_string(), id.to_string()));
    }

    /// Marks a family whose primary Region change completes at `at`.
    pub fn watch_family(&mut self, id: &str, at: f64) {
        self.watched_families.insert((due_ms(at), id.to_string()));
    }

    pub fn key_arn(&self, region: &str, id: &str) -> String {
        let partition = partition_of(region).unwrap_or("aws");
        format!("arn:{partition}:kms:{region}:{}:key/{id}", self.account)
    }

    pub fn alias_arn(&self, region: &str, name: &str) -> String {
        let partition = partition_of(region).unwrap_or("aws");
        format!("arn:{partition}:kms:{region}:{}:{name}", self.account)
    }

    pub fn key(&self, region: &str, id: &str) -> Option<&Key> {
        self.keys.get(&(region.to_string(), id.to_string()))
    }

    pub fn key_mut(&mut self, region: &str, id: &str) -> Option<&mut Key> {
        self.keys.get_mut(&(region.to_string(), id.to_string()))
    }

    /// Finds a key from a key ID, key ARN, alias name or alias ARN, as KMS does in `region`.
    pub fn resolve(&self, region: &str, key_id: &str) -> Result<String, Fault> {
        if let Some(rest) = key_id.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            let [_partition, "kms", arn_region, _account, resource] = parts[..] else {
                return Err(Fault::not_found(format!("Invalid arn {key_id}")));
            };
            if arn_region != region {
                return Err(Fault::not_found(format!("Invalid arn {arn_region}")));
            }
            return match resource.split_once('/') {
                Some(("key", id)) => self.existing(region, id),
                Some(("alias", _)) => self.resolve_alias(region, resource),
                _ => Err(Fault::not_found(format!("Invalid arn {key_id}"))),
            };
        }
        if key_id.starts_with("alias/") {
            return self.resolve_alias(region, key_id);
        }
        if !is_key_id(key_id) {
            return Err(Fault::not_found(format!("Invalid keyId '{key_id}'")));
        }
        self.existing(region, key_id)
    }

    fn existing(&self, region: &str, id: &str) -> Result<String, Fault> {
        if !is_key_id(id) {
            return Err(Fault::not_found(format!("Invalid keyId '{id}'")));
        }
        match self.key(region, id) {
            Some(_) => Ok(id.to_string()),
            None => Err(Fault::not_found(format!(
                "Key '{}' does not exist",
                self.key_arn(region, id)
            ))),
        }
    }

    fn resolve_alias(&self, region: &str, name: &str) -> Result<String, Fault> {
        self.aliases
            .get(&(region.to_string(), name.to_string()))
            .map(|a| a.target.clone())
            .ok_or_else(|| {
                Fault::not_found(format!(
                    "Alias '{}' is not found.",
                    self.alias_arn(region, name)
                ))
            })
    }

    /// `KeyMetadata` as DescribeKey and CreateKey return it.
    pub fn metadata(&self, key: &Key) -> Value {
        let mut m = json!({
            "AWSAccountId": self.account,
            "KeyId": key.id,
            "Arn": key.arn,
            "CreationDate": key.created,
            "Enabled": key.state == State::Enabled,
            "Description": key.description,
            "KeyUsage": key.key_usage,
            "KeyState": key.state.as_str(),
            "Origin": key.origin,
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": key.key_spec,
            "KeySpec": key.key_spec,
            "MultiRegion": key.multi_region,
        });
        if key.key_usage == "ENCRYPT_DECRYPT" && key.key_spec == "SYMMETRIC_DEFAULT" {
            m["EncryptionAlgorithms"] = json!(["SYMMETRIC_DEFAULT"]);
        }
        if let Some(date) = key.deletion_date {
            m["DeletionDate"] = json!(date);
        }
        if key.state == State::PendingReplicaDeletion {
            m["PendingDeletionWindowInDays"] = json!(key.pending_window_days);
        }
        if key.origin == "EXTERNAL" {
            if let Some(current) = key.current_material() {
                m["ExpirationModel"] = json!(current.expiration_model);
            }
            if let Some(valid_to) = key.earliest_expiry() {
                m["ValidTo"] = json!(valid_to);
            }
        }
        if let Some(current) = self.current_material_id(key) {
            m["CurrentKeyMaterialId"] = json!(current);
        }
        if let Some(config) = self.multi_region_configuration(key) {
            m["MultiRegionConfiguration"] = config;
        }
        m
    }

    /// Every related key returns the same configuration; only `MultiRegionKeyType` differs.
    fn multi_region_configuration(&self, key: &Key) -> Option<Value> {
        let family = self.families.get(&key.id).filter(|_| key.multi_region)?;
        let entry =
            |region: &str| json!({ "Arn": self.key_arn(region, &key.id), "Region": region });
        let replicas: Vec<Value> = family
            .regions
            .iter()
            .filter(|r| **r != family.primary_region)
            .map(|r| entry(r))
            .collect();
        Some(json!({
            "MultiRegionKeyType": if key.region == family.primary_region { "PRIMARY" } else { "REPLICA" },
            "PrimaryKey": entry(&family.primary_region),
            "ReplicaKeys": replicas,
        }))
    }

    /// Replica Regions of a family (every Region but the primary's).
    pub fn replica_regions(&self, id: &str) -> Vec<String> {
        self.families
            .get(id)
            .map(|f| {
                f.regions
                    .iter()
                    .filter(|r| **r != f.primary_region)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Applies every transition due at `now`, until nothing more changes.
    pub fn settle(&mut self, now: f64) {
        while self.settle_once(now) {}
    }

    fn settle_once(&mut self, now: f64) -> bool {
        let mut changed = false;
        let limit = now_ms(now);
        while let Some((due, region, id)) = self.watched_keys.first().cloned() {
            if due > limit {
                break;
            }
            self.watched_keys.pop_first();
            let Some(key) = self.keys.get_mut(&(region.clone(), id.clone())) else {
                continue;
            };
            if key.state == State::Creating && key.ready_at.is_some_and(|t| t <= now) {
                key.ready_at = None;
                key.state = if key.origin == "EXTERNAL" {
                    State::PendingImport
                } else {
                    State::Enabled
                };
                changed = true;
            }
            if expire_materials(key, now) {
                changed = true;
            }
            if key.state == State::PendingDeletion
                && let Some(date) = key.deletion_date.filter(|d| *d <= now)
            {
                self.delete_key(&region, &id, date);
                changed = true;
            }
        }
        while let Some((due, id)) = self.watched_families.first().cloned() {
            if due > limit {
                break;
            }
            self.watched_families.pop_first();
            let Some((new_primary, at)) = self
                .families
                .get(&id)
                .and_then(|f| f.pending_primary.clone())
            else {
                continue;
            };
            if at > now {
                self.watch_family(&id, at);
                continue;
            }
            let old_primary = self
                .families
                .get(&id)
                .map(|f| f.primary_region.clone())
                .unwrap_or_default();
            for region in [&old_primary, &new_primary] {
                if let Some(key) = self.key_mut(region, &id)
                    && key.state == State::Updating
                {
                    key.state = State::Enabled;
                }
            }
            if let Some(f) = self.families.get_mut(&id) {
                f.primary_region = new_primary;
                f.pending_primary = None;
            }
            changed = true;
        }
        changed
    }

    /// Removes a key whose waiting period ended at `when`, with its aliases; a primary that was
    /// waiting for this last replica starts its own waiting period then.
    fn delete_key(&mut self, region: &str, id: &str, when: f64) {
        self.keys.remove(&(region.to_string(), id.to_string()));
        self.aliases
            .retain(|(r, _), alias| !(r == region && alias.target == id));
        let Some(family) = self.families.get_mut(id) else {
            return;
        };
        family.regions.remove(region);
        if family.regions.is_empty() {
            self.families.remove(id);
            return;
        }
        let primary_region = family.primary_region.clone();
        let only_primary_left =
            family.regions.len() == 1 && family.regions.contains(&primary_region);
        // A deleted replica no longer holds up new imported material on the primary.
        self.refresh_pending(id);
        if only_primary_left
            && let Some(primary) = self.key_mut(&primary_region, id)
            && primary.state == State::PendingReplicaDeletion
        {
            let days = primary.pending_window_days.unwrap_or(30);
            let date = when + days as f64 * DAY;
            primary.state = State::PendingDeletion;
            primary.deletion_date = Some(date);
            self.watch_key(&primary_region, id, date);
        }
    }
}

/// A key ID as KMS accepts it: a UUID, or `mrk-` and 32 hex digits.
pub fn is_key_id(id: &str) -> bool {
    if let Some(hex) = id.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A fresh key ID (`mrk-` + 32 hex digits for multi-Region keys, a UUID otherwise) drawn from
/// `rng`: the model's own generator for keys, the global one for request IDs.
pub fn new_key_id(rng: &mut fastrand::Rng, multi_region: bool) -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect();
    if multi_region {
        format!("mrk-{hex}")
    } else {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}
