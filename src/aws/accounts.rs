//! Entering an organization's accounts: Organizations ListAccounts, and KMS clients for another
//! account signed with a role assumed there.
//!
//! Why aws-config's `AssumeRoleProvider` and not our own STS calls: the clients' identity cache
//! keeps the session and refreshes it before it expires, so a window left open for hours keeps
//! working, and one AssumeRole serves every Region and call of an account for the session's life.

use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::AwsClients;
use crate::domain::region::Partition;

/// An account as Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// Why the organization's accounts could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Organizations ListAccounts failed ({0}): run from the organization's management account or a delegated administrator, or name the accounts with --accounts ID,ID,…"
)]
pub struct ListAccountsError(pub String);

/// The Region Organizations' global endpoint signs for, per partition.
fn organizations_region(partition: Partition) -> &'static str {
    match partition {
        Partition::Aws => "us-east-1",
        Partition::AwsUsGov => "us-gov-west-1",
        Partition::AwsCn => "cn-northwest-1",
    }
}

impl AwsClients {
    /// Every account of the caller's organization (all pages), in Organizations' order.
    pub async fn list_accounts(
        &self,
        partition: Partition,
    ) -> Result<Vec<ListedAccount>, ListAccountsError> {
        let conf = aws_sdk_organizations::config::Builder::from(self.sdk_config())
            .region(aws_sdk_organizations::config::Region::new(
                organizations_region(partition),
            ))
            .build();
        let client = aws_sdk_organizations::Client::from_conf(conf);
        let mut accounts = Vec::new();
        let mut pages = super::pages::PageTokens::new("Organizations ListAccounts");
        let mut token: Option<String> = None;
        loop {
            let page = client
                .list_accounts()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    use aws_sdk_organizations::error::ProvideErrorMetadata as _;
                    ListAccountsError(match (e.code(), e.message()) {
                        (Some(code), m) => format!("{code}: {}", m.unwrap_or("")),
                        _ => aws_sdk_organizations::error::DisplayErrorContext(&e)
                            .to_string()
                            .chars()
                            .take(300)
                            .collect(),
                    })
                })?;
            accounts.extend(page.accounts().iter().map(|a| {
                ListedAccount {
                    id: a.id().unwrap_or_default().to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    status: a
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                }
            }));
            token = pages
                .next(page.next_token(), true)
                .map_err(|e| ListAccountsError(e.to_string()))?;
            if token.is_none() {
                return Ok(accounts);
            }
        }
    }

    /// Clients for another account, signed with `role_arn` assumed from these clients'
    /// credentials (same endpoint, timeouts and retries). Nothing is called until the first
    /// request; a refused AssumeRole then fails that request.
    pub async fn assuming_role(
        &self,
        role_arn: &str,
        external_id: Option<&str>,
        session_name: &str,
    ) -> AwsClients {
        let mut builder = AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(self.sdk_config());
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        let config = self
            .sdk_config()
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .identity_cache(IdentityCache::lazy().build())
            .build();
        AwsClients::from_sdk_config(config)
    }
}
