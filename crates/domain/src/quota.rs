//! KMS's default request quotas (per account and Region, requests per second), from the service
//! quotas table. The scan and the audit pace their calls under these; an account may have raised
//! them, and then the pace is merely conservative.

pub const LIST_KEYS: f64 = 500.0;
pub const LIST_ALIASES: f64 = 500.0;
pub const DESCRIBE_KEY: f64 = 2000.0;
pub const GET_KEY_POLICY: f64 = 1000.0;
pub const LIST_RESOURCE_TAGS: f64 = 2000.0;
pub const LIST_GRANTS: f64 = 100.0;
/// GetKeyLastUsage: never part of a plain scan at this rate.
pub const GET_KEY_LAST_USAGE: f64 = 5.0;
/// CloudTrail LookupEvents, per account and Region.
pub const LOOKUP_EVENTS: f64 = 2.0;
/// GetKeyRotationStatus and ListKeyRotations, read together; the simulator's stand-in for a
/// read it has no row for.
pub const ROTATION_READS: f64 = 100.0;
