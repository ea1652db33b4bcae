//! What went wrong in a Region or for one key, in words a person can act on.
//!
//! A problem is a *cell state* of its own: a Region that denies access is never shown as
//! "no key here", because for a security engineer those two mean opposite things.

use std::fmt;

/// The kind of failure, grouped by what the user can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ProblemKind {
    /// The caller lacks a permission (IAM or key policy).
    AccessDenied,
    /// KMS answered `ThrottlingException` after the SDK's retries.
    Throttled,
    /// The endpoint could not be reached (DNS, connection refused, TLS).
    Unreachable,
    /// The endpoint accepted the request but did not answer within the timeout.
    TimedOut,
    /// An opt-in Region that this account has not enabled.
    RegionNotEnabled,
    /// Credentials are missing, invalid or expired.
    Credentials,
    /// The key does not exist in that Region.
    NotFound,
    /// Anything else KMS or the SDK reported.
    Other,
}

impl ProblemKind {
    /// A short label for a grid cell.
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::AccessDenied => "AccessDenied",
            ProblemKind::Throttled => "Throttled",
            ProblemKind::Unreachable => "Unreachable",
            ProblemKind::TimedOut => "TimedOut",
            ProblemKind::RegionNotEnabled => "RegionNotEnabled",
            ProblemKind::Credentials => "Credentials",
            ProblemKind::NotFound => "NotFound",
            ProblemKind::Other => "Error",
        }
    }
}

/// A failure with the KMS error code (when there was one) and its message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The service's error code, e.g. `AccessDeniedException`; empty for transport failures.
    pub code: String,
    pub message: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, code: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            code: code.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            write!(f, "{}: {}", self.kind.label(), self.message)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}
