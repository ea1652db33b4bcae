//! Seeded estates: `empty`, and `demo` (about 40 multi-Region families over ten Regions, with the
//! coverage gaps, drift and awkward states a real account accumulates).
//!
//! Seeds go through `Kms::call`, the same code the HTTP side runs, dated two days in the past so
//! that seeded replicas have long finished `Creating`.

use std::str::FromStr;

use serde_json::{Value, json};

use super::config::BadKnob;
use super::model::{DAY, Kms};
use super::org::{AccountState, MemberAccount};
use super::seed_parity::{import_material, parity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    Empty,
    Demo,
    /// `families` multi-Region families spread over the first `regions` commercial Regions with
    /// mixed coverage, plus as many single-Region keys as noise.
    Scale {
        regions: usize,
        families: usize,
    },
    /// An organization of `accounts` accounts (the management account first), each seeded as
    /// `Scale { regions, families }`.
    Org {
        accounts: usize,
        regions: usize,
        families: usize,
    },
}

/// Largest organization a seed builds (ListAccounts pages it 20 at a time).
pub const MAX_ORG_ACCOUNTS: usize = 1000;

impl FromStr for Seed {
    type Err = BadKnob;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split(':').collect::<Vec<_>>()[..] {
            ["empty"] => Ok(Seed::Empty),
            ["demo"] => Ok(Seed::Demo),
            ["scale", r, f] => {
                let regions: usize = r
                    .parse()
                    .map_err(|_| BadKnob(format!("seed '{s}': REGIONS must be a number")))?;
                let families: usize = f
                    .parse()
                    .map_err(|_| BadKnob(format!("seed '{s}': FAMILIES must be a number")))?;
                if !(1..=SCALE_REGIONS.len()).contains(&regions) {
                    return Err(BadKnob(format!(
                        "seed '{s}': REGIONS must be 1 to {}",
                        SCALE_REGIONS.len()
                    )));
                }
                Ok(Seed::Scale { regions, families })
            }
            ["org", a, r, f] => {
                let accounts: usize = a
                    .parse()
                    .map_err(|_| BadKnob(format!("seed '{s}': ACCOUNTS must be a number")))?;
                if !(1..=MAX_ORG_ACCOUNTS).contains(&accounts) {
                    return Err(BadKnob(format!(
                        "seed '{s}': ACCOUNTS must be 1 to {MAX_ORG_ACCOUNTS}"
                    )));
                }
                match format!("scale:{r}:{f}").parse()? {
                    Seed::Scale { regions, families } => Ok(Seed::Org {
                        accounts,
                        regions,
                        families,
                    }),
                    _ => Err(BadKnob(format!(
                        "seed '{s}': expected org:ACCOUNTS:REGIONS:FAMILIES"
                    ))),
                }
            }
            _ => Err(BadKnob(format!(
                "unknown seed '{s}': expected demo, empty, scale:REGIONS:FAMILIES or org:ACCOUNTS:REGIONS:FAMILIES"
            ))),
        }
    }
}

/// The Regions a scale seed uses, in order: the 17 default ones first.
pub const SCALE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// The Regions the demo estate uses, in the order families cycle through them.
pub const DEMO_REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "eu-north-1",
    "ap-southeast-1",
];

const NAMES: &[&str] = &[
    "payments",
    "audit-logs",
    "backups",
    "customer-pii",
    "session-tokens",
    "analytics",
    "legacy-reports",
    "old-exports",
    "byok-hsm",
    "billing",
    "search-index",
    "ml-features",
    "media-assets",
    "email-archive",
    "crm-sync",
    "ledger",
    "fraud-signals",
    "kyc-documents",
    "support-tickets",
    "iot-telemetry",
    "dr-snapshots",
    "config-secrets",
    "partner-feeds",
    "data-lake",
    "warehouse",
    "cdn-signing",
    "mobile-push",
    "hr-records",
    "sso-assertions",
    "build-cache",
    "sbom-store",
    "chat-history",
    "geo-routing",
    "price-engine",
    "inventory",
    "returns",
    "loyalty",
    "voice-recordings",
    "clinical-notes",
    "trade-events",
];

pub fn apply(seed: Seed, kms: &mut Kms, now: f64) {
    match seed {
        Seed::Empty => {}
        Seed::Demo => demo(kms, now - 2.0 * DAY),
        Seed::Scale { regions, families }
        | Seed::Org {
            regions, families, ..
        } => scale(kms, regions, families, now - 2.0 * DAY),
    }
}

/// The organization a seed comes with, the management account first: none for `empty` and
/// `scale` (a lone account), five accounts for the demo (one whose role refuses AssumeRole, one
/// suspended), ACCOUNTS for `org`.
pub fn organization(seed: Seed, management: &str) -> Vec<MemberAccount> {
    match seed {
        Seed::Demo => vec![
            MemberAccount::active(management, "management"),
            MemberAccount::active("222233334444", "payments-prod"),
            MemberAccount::active("333344445555", "data-platform"),
            MemberAccount {
                role_denied: true,
                ..MemberAccount::active("666677778888", "sandbox")
            },
            MemberAccount {
                state: AccountState::Suspended,
                ..MemberAccount::active("777788889999", "legacy")
            },
        ],
        Seed::Org { accounts, .. } => (0..accounts)
            .map(|i| match i {
                0 => MemberAccount::active(management, "management"),
                _ => MemberAccount::active(
                    format!("{:012}", 100_000_000_000 + i),
                    format!("workload-{i:03}"),
                ),
            })
            .collect(),
        Seed::Empty | Seed::Scale { .. } => Vec::new(),
    }
}

/// Seeds account number `index` of the seed's organization (0: the management account).
pub fn apply_account(seed: Seed, index: usize, kms: &mut Kms, now: f64) {
    match (seed, index) {
        (_, 0) | (Seed::Org { .. }, _) => apply(seed, kms, now),
        (Seed::Demo, i) => workload(kms, i, now - 2.0 * DAY),
        _ => {}
    }
}

/// A member account of the demo: a few named families, mostly replicated the console's way,
/// each with its alias, some missing Regions.
fn workload(kms: &mut Kms, index: usize, at: f64) {
    const WORKLOAD_NAMES: &[&str] = &[
        "orders", "ledger", "receipts", "events", "profiles", "exports", "tokens",
    ];
    let n = DEMO_REGIONS.len();
    for (i, name) in WORKLOAD_NAMES.iter().enumerate().skip(index % 3).step_by(2) {
        let primary = DEMO_REGIONS[(i + index) % n];
        let policy = app_policy(kms, name, None);
        let create = json!({
            "MultiRegion": true,
            "Description": format!("{name} data key"),
            "Policy": policy,
            "Tags": tags(name, "prod"),
        });
        let created = call(kms, "CreateKey", primary, create, at);
        let Some(id) = created["KeyMetadata"]["KeyId"].as_str().map(str::to_string) else {
            continue;
        };
        call(
            kms,
            "CreateAlias",
            primary,
            json!({ "AliasName": format!("alias/{name}"), "TargetKeyId": id }),
            at,
        );
        for k in 1..=(i % 3 + 1) {
            let target = DEMO_REGIONS[(i + index + k * 3) % n];
            let input = json!({
                "KeyId": id,
                "ReplicaRegion": target,
                "Description": format!("{name} data key"),
                "Policy": policy,
                "Tags": tags(name, "prod"),
            });
            call(kms, "ReplicateKey", primary, input, at);
        }
    }
}

/// Many families, deterministic coverage: each family has a primary and 0 to 3 replicas.
fn scale(kms: &mut Kms, regions: usize, families: usize, at: f64) {
    let regions = &SCALE_REGIONS[..regions.min(SCALE_REGIONS.len())];
    let mut rng = fastrand::Rng::with_seed(34);
    for i in 0..families {
        let primary = regions[i % regions.len()];
        let created = call(
            kms,
            "CreateKey",
            primary,
            json!({ "MultiRegion": true, "Description": format!("family {i}") }),
            at,
        );
        let Some(id) = created["KeyMetadata"]["KeyId"].as_str().map(str::to_string) else {
            continue;
        };
        let replicas = rng.usize(0..4).min(regions.len() - 1);
        for k in 1..=replicas {
            let target = regions[(i + k * 7) % regions.len()];
            if target != primary {
                call(
                    kms,
                    "ReplicateKey",
                    primary,
                    json!({ "KeyId": id, "ReplicaRegion": target }),
                    at,
                );
            }
        }
        call(
            kms,
            "CreateKey",
            regions[(i * 3) % regions.len()],
            json!({}),
            at,
        );
    }
}

/// Runs one seeding call; a failure is a bug in the seed itself, so it is logged, not fatal.
pub(crate) fn call(kms: &mut Kms, op: &str, region: &str, input: Value, at: f64) -> Value {
    match kms.call(op, region, &input, at) {
        Ok(out) => out,
        Err(fault) => {
            tracing::error!("demo seed: {op} in {region} failed: {}", fault.message);
            Value::Null
        }
    }
}

fn app_policy(kms: &Kms, name: &str, extra_principal: Option<&str>) -> String {
    let account = &kms.account;
    let mut principals = vec![format!("arn:aws:iam::{account}:role/{name}-app")];
    principals.extend(extra_principal.map(str::to_string));
    serde_json::to_string_pretty(&json!({
        "Version": "2012-10-17",
        "Id": format!("{name}-policy"),
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Allow use by the application",
                "Effect": "Allow",
                "Principal": { "AWS": principals },
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*"
            }
        ]
    }))
    .unwrap_or_default()
}

fn tags(name: &str, env: &str) -> Value {
    json!([
        { "TagKey": "team", "TagValue": format!("{name}-team") },
        { "TagKey": "env", "TagValue": env },
        { "TagKey": "data-class", "TagValue": "confidential" },
    ])
}

fn demo(kms: &mut Kms, at: f64) {
    let mut rng = fastrand::Rng::with_seed(2026);
    let n = DEMO_REGIONS.len();
    for (i, name) in NAMES.iter().enumerate() {
        let primary_region = DEMO_REGIONS[i % n];
        let external = *name == "byok-hsm";
        let policy = app_policy(kms, name, None);
        let description = format!("{name} data key");
        let mut create = json!({
            "MultiRegion": true,
            "Description": description,
            "Policy": policy,
            "Tags": tags(name, "prod"),
        });
        if external {
            create["Origin"] = json!("EXTERNAL");
        }
        let created = call(kms, "CreateKey", primary_region, create, at);
        let Some(id) = created["KeyMetadata"]["KeyId"].as_str().map(str::to_string) else {
            continue;
        };
        call(
            kms,
            "CreateAlias",
            primary_region,
            json!({ "AliasName": format!("alias/{name}"), "TargetKeyId": id }),
            at,
        );
        if external {
            import_material(kms, primary_region, &id, at + 25.0 * DAY, at);
        }

        // Coverage: full, wide, narrow, or none at all.
        let mut replica_count = match i % 4 {
            0 => n - 1,
            1 => 3 + rng.usize(0..3),
            2 => 1 + rng.usize(0..2),
            _ => 0,
        };
        // The families that carry a special state below need replicas to carry it.
        if matches!(*name, "analytics" | "legacy-reports" | "old-exports") {
            replica_count = replica_count.max(2);
        }
        let mut targets: Vec<&str> = DEMO_REGIONS
            .iter()
            .copied()
            .filter(|r| *r != primary_region)
            .collect();
        rng.shuffle(&mut targets);
        targets.truncate(replica_count);
        if external {
            targets = vec!["eu-west-1", "us-west-2"];
        }

        replicate_demo_family(kms, i, name, &id, primary_region, &targets, at);
        let later = at + DAY;
        parity(kms, i, name, &id, primary_region, &targets, later);
        demo_state(kms, name, &id, primary_region, &targets, later);
    }
    single_region_noise(kms, at);
}

/// The family's replicas in `targets`: most made the console's way (the primary's policy, tags
/// and description), some the API's way, which is how drift starts; an alias in the first.
fn replicate_demo_family(
    kms: &mut Kms,
    i: usize,
    name: &str,
    id: &str,
    primary_region: &str,
    targets: &[&str],
    at: f64,
) {
    let description = format!("{name} data key");
    let policy = app_policy(kms, name, None);
    for (j, target) in targets.iter().enumerate() {
        // Most replicas are made the console's way (primary's policy, tags, description);
        // some the API's way, which is how drift starts.
        let mut input = json!({ "KeyId": id, "ReplicaRegion": target });
        let api_defaults = j == 0 && i.is_multiple_of(5);
        if !api_defaults {
            input["Description"] = json!(description);
            input["Tags"] = if j == 0 && i % 7 == 3 {
                tags(name, "staging")
            } else {
                tags(name, "prod")
            };
            input["Policy"] = json!(if j == 1 && i % 6 == 1 {
                app_policy(
                    kms,
                    name,
                    Some("arn:aws:iam::444455556666:role/vendor-support"),
                )
            } else {
                policy.clone()
            });
        }
        call(kms, "ReplicateKey", primary_region, input, at);
        if j == 0 && i.is_multiple_of(3) {
            call(
                kms,
                "CreateAlias",
                target,
                json!({ "AliasName": format!("alias/{name}"), "TargetKeyId": id }),
                at,
            );
        }
    }
}

/// The states some demo families carry: a disabled replica, a primary and a replica pending
/// deletion.
fn demo_state(
    kms: &mut Kms,
    name: &str,
    id: &str,
    primary_region: &str,
    targets: &[&str],
    later: f64,
) {
    match name {
        "analytics" if !targets.is_empty() => {
            call(kms, "DisableKey", targets[0], json!({ "KeyId": id }), later);
        }
        "legacy-reports" => {
            call(
                kms,
                "ScheduleKeyDeletion",
                primary_region,
                json!({ "KeyId": id, "PendingWindowInDays": 30 }),
                later,
            );
        }
        "old-exports" if !targets.is_empty() => {
            call(
                kms,
                "ScheduleKeyDeletion",
                targets[0],
                json!({ "KeyId": id, "PendingWindowInDays": 7 }),
                later,
            );
        }
        _ => {}
    }
}

/// Single-Region keys as noise: the scan must skip them.
fn single_region_noise(kms: &mut Kms, at: f64) {
    for (i, region) in DEMO_REGIONS.iter().enumerate() {
        for k in 0..(2 + i % 3) {
            let out = call(
                kms,
                "CreateKey",
                region,
                json!({ "Description": format!("single-Region key {k}") }),
                at,
            );
            if let Some(id) = out["KeyMetadata"]["KeyId"].as_str().map(str::to_string) {
                call(
                    kms,
                    "CreateAlias",
                    region,
                    json!({ "AliasName": format!("alias/local-{k}"), "TargetKeyId": id }),
                    at,
                );
            }
        }
    }
}
