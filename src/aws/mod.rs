//! The only module that talks to AWS (KMS through `aws-sdk-kms`, STS for the caller's identity
//! and the roles of other accounts, Organizations for the list of accounts).
//!
//! Above this line nobody knows SDK types, or whether the endpoint is AWS, moto or the simulator.

mod accounts;
mod client;
mod crypto;
mod endpoint;
mod error;
mod identity;
mod key_props;
mod key_updates;
mod key_usage;
mod lifecycle;
mod materials;
mod pages;
mod parity;
mod region_client;
mod replicate;
mod security_hub;
mod trail;

pub use accounts::{ListAccountsError, ListedAccount};
pub use client::{AwsClients, ConnectSettings, StaticCredentials, Timeouts};
pub use crypto::Made;
pub use endpoint::{EndpointError, check_endpoint_url, endpoint_from_env};
pub use error::KmsError;
pub use identity::{CallerIdentity, IdentityError};
pub use materials::MaterialImported;
pub use region_client::RegionClient;
pub use replicate::ReplicaCreated;
pub use security_hub::{FINDINGS_PER_CALL, HubClient, Imported};
pub use trail::{TrailClient, TrailPage, TrailTokens};
