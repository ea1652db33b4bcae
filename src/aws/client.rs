//! Builds one KMS client per Region from one shared SDK configuration.
//!
//! Why per Region and not one client: KMS is a regional service and the Region is part of the
//! request signature; the shared `SdkConfig` means credentials are resolved (and cached) once.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_kms::config::Region as SdkRegion;

use super::identity::{CallerIdentity, IdentityError};
use crate::domain::Region;

/// How to reach KMS: the same knobs as the AWS CLI.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    /// A named profile; `None` uses `AWS_PROFILE` or the default chain.
    pub profile: Option<String>,
    /// Any KMS-compatible endpoint (moto, the simulator, a VPC endpoint). `None` honours
    /// `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL`, then the public endpoints.
    pub endpoint_url: Option<String>,
    pub timeouts: Timeouts,
    /// Attempts per call, first one included (standard retry mode).
    pub max_attempts: u32,
    /// Fixed credentials for endpoints that are not AWS (the demo simulator); `None` uses the
    /// profile or the default chain.
    pub static_credentials: Option<StaticCredentials>,
    /// The Region used when neither `AWS_REGION` nor the profile names one (the app passes the
    /// first scanned Region). Every KMS client sets its own Region anyway; this one only serves
    /// the credential providers (STS, SSO) and keeps the SDK from asking the instance metadata
    /// service.
    pub fallback_region: Option<String>,
}

/// An access key pair. `Debug` never shows the secret, so settings can be logged safely.
#[derive(Clone)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Explicit timeouts, so an endpoint that accepts a connection and never answers cannot hang a
/// Region's scan forever.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(10),
            operation: Duration::from_secs(30),
        }
    }
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            profile: None,
            endpoint_url: None,
            timeouts: Timeouts::default(),
            max_attempts: 3,
            static_credentials: None,
            fallback_region: None,
        }
    }
}

impl ConnectSettings {
    fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.timeouts.connect)
            .operation_attempt_timeout(self.timeouts.attempt)
            .operation_timeout(self.timeouts.operation)
            .build()
    }

    fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard().with_max_attempts(self.max_attempts.max(1))
    }

    /// Loads the shared configuration: profile, credential chain, endpoint, timeouts, retries.
    /// Reads local files and the environment only; credentials are fetched on first use.
    /// What a profile's credentials provider works with: a profile that assumes a role makes
    /// its AssumeRole with an STS client of its own, which needs a Region to sign for (the
    /// profile's, the environment's, or the fallback) and the app's HTTP client and timeouts.
    async fn profile_provider_config(
        &self,
        profile: &str,
    ) -> aws_config::provider_config::ProviderConfig {
        let region = aws_config::meta::region::RegionProviderChain::first_try(
            aws_config::environment::region::EnvironmentVariableRegionProvider::new(),
        )
        .or_else(
            aws_config::profile::ProfileFileRegionProvider::builder()
                .profile_name(profile)
                .build(),
        )
        .or_else(SdkRegion::new(
            self.fallback_region
                .clone()
                .unwrap_or_else(|| "us-east-1".into()),
        ))
        .region()
        .await;
        aws_config::provider_config::ProviderConfig::without_region()
            .with_region(region)
            .with_http_client(shared_http_client())
            .with_timeout_config(self.timeout_config())
    }

    pub async fn load(&self) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(shared_http_client())
            .timeout_config(self.timeout_config())
            .retry_config(self.retry_config());
        if let Some(fallback) = &self.fallback_region {
            let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
            if let Some(profile) = &self.profile {
                profile_region = profile_region.profile_name(profile);
            }
            let chain = aws_config::meta::region::RegionProviderChain::first_try(
                aws_config::environment::region::EnvironmentVariableRegionProvider::new(),
            )
            .or_else(profile_region.build())
            .or_else(SdkRegion::new(fallback.clone()));
            loader = loader.region(chain);
        }
        if let Some(profile) = &self.profile {
            // The profile's own credentials, never the environment's: the default chain reads
            // AWS_ACCESS_KEY_ID first, which would sign as someone other than the profile
            // named on the command line (the AWS CLI lets --profile win too).
            loader = loader.profile_name(profile).credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .configure(&self.profile_provider_config(profile).await)
                    .build(),
            );
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(creds) = &self.static_credentials {
            loader = loader.credentials_provider(aws_sdk_kms::config::Credentials::new(
                &creds.access_key_id,
                &creds.secret_access_key,
                None,
                None,
                "kms-replica-console",
            ));
        }
        loader.load().await
    }
}

/// The HTTP client every SDK client of the process shares: one connection pool, and the trusted
/// roots loaded once.
///
/// Why: `SdkConfig` carries no HTTP client unless given one, and then every `Client::from_conf`
/// (one per Region, per account, per action) makes its own, with its own pool and its own load
/// of the system's certificates. An organization-wide scan (850 Region clients) then held
/// thousands of connections and spent most of its CPU in that. Built as the SDK's own default is
/// (rustls with aws-lc, the environment's HTTP(S)_PROXY honoured, the SDK's timeouts and sleep).
fn shared_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    static CLIENT: std::sync::OnceLock<aws_smithy_runtime_api::client::http::SharedHttpClient> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new().build_with_connector_fn(
                |settings, components| {
                    let mut connector = aws_smithy_http_client::ConnectorBuilder::default()
                        .tls_provider(Provider::Rustls(CryptoMode::AwsLc));
                    connector.set_connector_settings(settings.cloned());
                    if let Some(components) = components {
                        connector.set_sleep_impl(components.sleep_impl());
                    }
                    connector.set_proxy_config(Some(ProxyConfig::from_env()));
                    connector.build()
                },
            )
        })
        .clone()
}

/// Hands out KMS clients per Region from one configuration.
#[derive(Debug, Clone)]
pub struct AwsClients {
    config: SdkConfig,
}

impl AwsClients {
    pub async fn connect(settings: &ConnectSettings) -> AwsClients {
        AwsClients {
            config: settings.load().await,
        }
    }

    /// Resolves the credentials once: an explicit profile that cannot give any is an error
    /// before any KMS call.
    pub async fn check_credentials(&self, profile: Option<&str>) -> Result<(), IdentityError> {
        super::identity::check_credentials(&self.config, profile).await
    }

    /// Who these clients sign as (STS GetCallerIdentity at the same endpoint).
    pub async fn caller_identity(&self) -> Result<CallerIdentity, IdentityError> {
        super::identity::caller_identity(&self.config).await
    }

    /// The shared configuration (for the other services' clients: STS, Organizations).
    pub(super) fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    /// Wraps a configuration built elsewhere (tests give static credentials this way); one
    /// without an HTTP client gets the shared one.
    pub fn from_sdk_config(config: SdkConfig) -> AwsClients {
        let config = match config.http_client() {
            Some(_) => config,
            None => config
                .to_builder()
                .http_client(shared_http_client())
                .build(),
        };
        AwsClients { config }
    }

    /// A client whose requests are signed for, and sent to, `region`.
    pub fn client(&self, region: Region) -> super::RegionClient {
        let conf = aws_sdk_kms::config::Builder::from(&self.config)
            .region(SdkRegion::new(region.name()))
            .build();
        super::RegionClient::new(region, aws_sdk_kms::Client::from_conf(conf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_configuration_has_explicit_timeouts_and_bounded_retries() {
        let settings = ConnectSettings {
            endpoint_url: Some("http://127.0.0.1:9".into()),
            fallback_region: Some("eu-west-1".into()),
            ..ConnectSettings::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let config = runtime.block_on(settings.load());
        let timeouts = config.timeout_config().unwrap();
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(30)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(5)));
        assert_eq!(config.retry_config().unwrap().max_attempts(), 3);
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9"));
    }

    #[test]
    fn debug_output_of_settings_never_shows_the_secret() {
        let settings = ConnectSettings {
            static_credentials: Some(StaticCredentials {
                access_key_id: "AKIDDEMO".into(),
                secret_access_key: "very-secret-value".into(),
            }),
            ..ConnectSettings::default()
        };
        let text = format!("{settings:?}");
        assert!(text.contains("AKIDDEMO"));
        assert!(!text.contains("very-secret-value"));
    }
}
