//! The only module that talks to AWS KMS (through `aws-sdk-kms`).
//!
//! Above this line nobody knows SDK types, or whether the endpoint is AWS, moto or the simulator.

mod client;
mod error;
mod lifecycle;
mod region_client;
mod replicate;

pub use client::{ConnectSettings, KmsClients, StaticCredentials, Timeouts};
pub use error::KmsError;
pub use region_client::RegionClient;
pub use replicate::ReplicaCreated;
