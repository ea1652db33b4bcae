//! Who the app is signed in as: STS GetCallerIdentity with the same configuration as the KMS
//! clients, and the checks that make sure it is the identity the user asked for.
//!
//! Why here: a security engineer must never audit, let alone change, the wrong account, so the
//! report and the window title name the identity (its ARN), and an explicit `--profile` that
//! cannot give credentials stops the app before any KMS call.

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;

/// The caller as STS sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// Why the identity could not be established.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("no usable credentials{}: {detail}", profile_note(.profile))]
    Credentials {
        detail: String,
        profile: Option<String>,
    },
    #[error("STS GetCallerIdentity failed: {0}")]
    Sts(String),
}

fn profile_note(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" from profile `{p}`"))
        .unwrap_or_default()
}

impl IdentityError {
    /// True when no credentials could be had at all (an unknown profile, an expired session):
    /// not a problem of the STS endpoint.
    pub fn is_credentials(&self) -> bool {
        matches!(self, IdentityError::Credentials { .. })
    }
}

/// Resolves the configuration's credentials once, so an unknown or broken profile is reported
/// before anything else is done.
pub async fn check_credentials(
    config: &SdkConfig,
    profile: Option<&str>,
) -> Result<(), IdentityError> {
    let profile = profile.map(str::to_string);
    let Some(provider) = config.credentials_provider() else {
        return Err(IdentityError::Credentials {
            detail: "no credential provider is configured".into(),
            profile,
        });
    };
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| IdentityError::Credentials {
            detail: aws_sdk_sts::error::DisplayErrorContext(&e).to_string(),
            profile,
        })
}

/// A short account of a failed GetCallerIdentity: no credentials at all is its own case (the
/// provider chain's full story runs to kilobytes), a service error is its code and message.
fn identity_error<E, R>(err: aws_sdk_sts::error::SdkError<E, R>) -> IdentityError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_sts::error::ProvideErrorMetadata as _;
    if let Some(refused) = assume_role_refusal(&err) {
        return IdentityError::Sts(refused);
    }
    let detail = aws_sdk_sts::error::DisplayErrorContext(&err).to_string();
    if detail.contains("CredentialsNotLoaded") || detail.contains("no credentials") {
        return IdentityError::Credentials {
            detail: "none found in the environment, profile files, SSO cache, web identity, \
                     container or instance role"
                .into(),
            profile: None,
        };
    }
    match (err.code(), err.message()) {
        (Some(code), message) => IdentityError::Sts(format!("{code}: {}", message.unwrap_or(""))),
        (None, _) => IdentityError::Sts(
            detail
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect(),
        ),
    }
}

/// GetCallerIdentity through the configuration's endpoint (AWS, moto or the simulator).
pub async fn caller_identity(config: &SdkConfig) -> Result<CallerIdentity, IdentityError> {
    let client = aws_sdk_sts::Client::new(config);
    let out = client
        .get_caller_identity()
        .send()
        .await
        .map_err(identity_error)?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
    })
}

/// The code and message of a refused AssumeRole somewhere in `err`'s chain of causes: the
/// SDK reports it as a credentials failure of the call that needed them, kilobytes long.
fn assume_role_refusal(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    use aws_sdk_sts::error::ProvideErrorMetadata as _;
    type Refused = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >;
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(match refused.code() {
                Some(code) => format!(
                    "AssumeRole refused: {code}: {}",
                    refused.message().unwrap_or("")
                ),
                // No answer from STS at all (unreachable, timed out): say what happened.
                None => format!(
                    "AssumeRole failed: {}",
                    aws_sdk_sts::error::DisplayErrorContext(refused)
                        .to_string()
                        .chars()
                        .take(300)
                        .collect::<String>()
                ),
            });
        }
        cause = e.source();
    }
    None
}
