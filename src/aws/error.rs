//! `KmsError`: every SDK failure turned into something a person can act on, tagged with its Region.
//!
//! Why one enum: the grid, the audit and (later) the mutating workflows all need to tell "denied"
//! from "throttled" from "unreachable", and none of them should have to know SDK error shapes.

use std::error::Error as StdError;
use std::fmt::Debug;

use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::domain::{Problem, ProblemKind, Region};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KmsError {
    #[error("{region}: access denied ({code}): {message}")]
    AccessDenied {
        region: Region,
        code: String,
        message: String,
    },
    #[error("{region}: KMS kept throttling after the SDK's retries ({code}): {message}")]
    Throttled {
        region: Region,
        code: String,
        message: String,
    },
    #[error(
        "{region}: this opt-in Region is not enabled for the account (KMS answered {code}: {message})"
    )]
    RegionNotEnabled {
        region: Region,
        code: String,
        message: String,
    },
    #[error(
        "{region}: credentials were rejected or are missing ({code}): {message}; check the profile or refresh the session"
    )]
    Credentials {
        region: Region,
        code: String,
        message: String,
    },
    #[error("{region}: already exists ({code}): {message}")]
    AlreadyExists {
        region: Region,
        code: String,
        message: String,
    },
    #[error("{region}: not found ({code}): {message}")]
    NotFound {
        region: Region,
        code: String,
        message: String,
    },
    #[error("{region}: no answer from the KMS endpoint before the timeout: {detail}")]
    Timeout { region: Region, detail: String },
    #[error("{region}: could not reach the KMS endpoint: {detail}")]
    Unreachable { region: Region, detail: String },
    #[error("{region}: {code}: {message}")]
    Service {
        region: Region,
        code: String,
        message: String,
    },
    #[error("{region}: {detail}")]
    Other { region: Region, detail: String },
}

/// Error codes that mean "who you are" is the problem, not "what you asked".
const CREDENTIAL_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
];

impl KmsError {
    /// Classifies an SDK error from a call made in `region`.
    pub fn from_sdk<E, R>(region: Region, err: SdkError<E, R>) -> KmsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: Debug,
    {
        if matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_)
        ) {
            let detail = DisplayErrorContext(&err).to_string();
            // Identity resolution fails before anything is sent; the SDK reports it as a
            // dispatch failure whose source is CredentialsNotLoaded.
            if [
                "CredentialsNotLoaded",
                "NoIdentityResolver",
                "no credentials",
            ]
            .iter()
            .any(|m| detail.contains(m))
            {
                return KmsError::Credentials {
                    region,
                    code: "NoCredentials".into(),
                    message: "no usable credentials in the profile, environment, SSO cache or \
                              instance role"
                        .into(),
                };
            }
        }
        match &err {
            SdkError::TimeoutError(_) => KmsError::Timeout {
                region,
                detail: "the operation or attempt timeout elapsed".into(),
            },
            SdkError::DispatchFailure(failure) if failure.is_timeout() => KmsError::Timeout {
                region,
                detail: DisplayErrorContext(&err).to_string(),
            },
            // Any other failure to get a request through (refused, reset, closed before the
            // answer) says nothing about KMS's state, only that the exchange did not complete.
            SdkError::DispatchFailure(failure) if !failure.is_user() => KmsError::Unreachable {
                region,
                detail: DisplayErrorContext(&err).to_string(),
            },
            SdkError::ConstructionFailure(_) => KmsError::Other {
                region,
                detail: DisplayErrorContext(&err).to_string(),
            },
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("UnknownError").to_string();
                let message = e.message().unwrap_or("").to_string();
                Self::from_code(region, code, message)
            }
            _ => match (err.code(), err.message()) {
                (Some(code), message) => {
                    Self::from_code(region, code.to_string(), message.unwrap_or("").to_string())
                }
                (None, _) => KmsError::Other {
                    region,
                    detail: DisplayErrorContext(&err).to_string(),
                },
            },
        }
    }

    /// Classifies a KMS error code.
    pub fn from_code(region: Region, code: String, message: String) -> KmsError {
        match code.as_str() {
            "AccessDeniedException" => KmsError::AccessDenied {
                region,
                code,
                message,
            },
            "ThrottlingException" | "TooManyRequestsException" => KmsError::Throttled {
                region,
                code,
                message,
            },
            // A disabled opt-in Region answers as if the credentials were unknown.
            "UnrecognizedClientException" if region.is_opt_in() => KmsError::RegionNotEnabled {
                region,
                code,
                message,
            },
            c if CREDENTIAL_CODES.contains(&c) => KmsError::Credentials {
                region,
                code,
                message,
            },
            "NotFoundException" => KmsError::NotFound {
                region,
                code,
                message,
            },
            "AlreadyExistsException" => KmsError::AlreadyExists {
                region,
                code,
                message,
            },
            _ => KmsError::Service {
                region,
                code,
                message,
            },
        }
    }

    pub fn region(&self) -> Region {
        match self {
            KmsError::AccessDenied { region, .. }
            | KmsError::Throttled { region, .. }
            | KmsError::RegionNotEnabled { region, .. }
            | KmsError::Credentials { region, .. }
            | KmsError::NotFound { region, .. }
            | KmsError::AlreadyExists { region, .. }
            | KmsError::Timeout { region, .. }
            | KmsError::Unreachable { region, .. }
            | KmsError::Service { region, .. }
            | KmsError::Other { region, .. } => *region,
        }
    }

    /// The cell-level view of this error.
    pub fn to_problem(&self) -> Problem {
        let (kind, code, message) = match self {
            KmsError::AccessDenied { code, message, .. } => {
                (ProblemKind::AccessDenied, code.as_str(), message.clone())
            }
            KmsError::Throttled { code, message, .. } => {
                (ProblemKind::Throttled, code.as_str(), message.clone())
            }
            KmsError::RegionNotEnabled { code, message, .. } => (
                ProblemKind::RegionNotEnabled,
                code.as_str(),
                format!("opt-in Region not enabled for this account ({message})"),
            ),
            KmsError::Credentials { code, message, .. } => {
                (ProblemKind::Credentials, code.as_str(), message.clone())
            }
            KmsError::NotFound { code, message, .. } => {
                (ProblemKind::NotFound, code.as_str(), message.clone())
            }
            KmsError::AlreadyExists { code, message, .. } => {
                (ProblemKind::Other, code.as_str(), message.clone())
            }
            KmsError::Timeout { detail, .. } => (ProblemKind::TimedOut, "", detail.clone()),
            KmsError::Unreachable { detail, .. } => (ProblemKind::Unreachable, "", detail.clone()),
            KmsError::Service { code, message, .. } => {
                (ProblemKind::Other, code.as_str(), message.clone())
            }
            KmsError::Other { detail, .. } => (ProblemKind::Other, "", detail.clone()),
        };
        Problem::new(kind, code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    #[test]
    fn unrecognized_client_in_an_opt_in_region_means_region_not_enabled() {
        let e = KmsError::from_code(
            region("af-south-1"),
            "UnrecognizedClientException".into(),
            "The security token included in the request is invalid.".into(),
        );
        assert!(matches!(e, KmsError::RegionNotEnabled { .. }));
        assert_eq!(e.to_problem().kind, ProblemKind::RegionNotEnabled);
    }

    #[test]
    fn unrecognized_client_in_a_default_region_means_bad_credentials() {
        let e = KmsError::from_code(
            region("us-east-1"),
            "UnrecognizedClientException".into(),
            "invalid".into(),
        );
        assert!(matches!(e, KmsError::Credentials { .. }));
    }

    #[test]
    fn messages_name_the_region_and_the_kms_code() {
        let e = KmsError::from_code(
            region("eu-west-1"),
            "AccessDeniedException".into(),
            "not authorized to perform kms:ListKeys".into(),
        );
        let text = e.to_string();
        assert!(text.starts_with("eu-west-1: access denied (AccessDeniedException)"));
        assert!(text.contains("kms:ListKeys"));
    }
}
