//! The embedded simulator, through the real aws-sdk-kms client: conformance to KMS_FACTS.md (one
//! behaviour per test), bad input to the endpoint itself, and the app on the demo estate.

#[path = "../support/mod.rs"]
mod support;

mod app_limits;
mod app_on_sim;
mod apply_trust;
mod audit;
mod audit_ui;
mod bad_input;
mod boto3_conformance;
mod cli_conventions;
mod conformance;
mod coverage_ui;
mod credentials_ui;
mod fake_endpoint;
mod faults;
mod grants_rotation;
mod hardening;
mod harness;
mod history;
mod history_trust;
mod history_ui;
mod keyboard_ui;
mod lifecycle;
mod lifecycle_ui;
mod materials;
mod org;
mod org_trust;
mod org_ui;
mod parity_ui;
mod plan_apply;
mod plan_ui;
mod replicate;
mod replicate_ui;
mod retire;
mod retire_ui;
mod scan_pace;
mod service_grants;
mod snapshots;
mod trail;
mod trust;
mod usage;
mod usage_ui;
mod verify;
