//! The accounts of an organization-wide scan: which to read (`--accounts`), how each is entered
//! (its own credentials, a role, a profile), and whether it could be — an account that could
//! not be entered is named with its reason, never silently missing.

use std::fmt;
use std::str::FromStr;

use super::region::Partition;

/// A 12-digit AWS account ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// `000000000000`: stands for an account whose listed ID was unusable (named in its problem).
    pub fn placeholder() -> AccountId {
        AccountId("000000000000".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an account ID, an account list or a role name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("'{0}' is not an AWS account ID (12 digits)")]
    NotAnAccountId(String),
    #[error("expected `all` or a comma-separated list of account IDs")]
    NoAccountListed,
    #[error(
        "--assume-role '{0}': a role name is 1 to 64 characters of letters, digits and _+=,.@-"
    )]
    RoleName(String),
    #[error("--role-session-name '{0}': 2 to 64 characters of letters, digits and _+=,.@-")]
    SessionName(String),
}

impl FromStr for AccountId {
    type Err = AccountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(s.to_string()))
        } else {
            Err(AccountError::NotAnAccountId(s.to_string()))
        }
    }
}

/// Which accounts `--accounts` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    /// Every account Organizations lists for the caller.
    All,
    Listed(Vec<AccountId>),
}

impl FromStr for AccountSelection {
    type Err = AccountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim() == "all" {
            return Ok(AccountSelection::All);
        }
        let listed: Vec<AccountId> = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        // An account named twice is read once, in the place it was first named: reading it
        // twice would count its families twice and save two snapshots of one run.
        let mut ids: Vec<AccountId> = Vec::with_capacity(listed.len());
        for id in listed {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            return Err(AccountError::NoAccountListed);
        }
        Ok(AccountSelection::Listed(ids))
    }
}

/// How an account's calls are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The credentials the app started with (the caller's own account).
    OwnCredentials,
    /// A role assumed in the account (its name; the ARN is built per partition).
    Role(String),
    /// A named profile of the AWS config files.
    Profile(String),
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::OwnCredentials => f.write_str("own credentials"),
            Access::Role(name) => write!(f, "role {name}"),
            Access::Profile(name) => write!(f, "profile {name}"),
        }
    }
}

/// Whether an account's keys could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountStatus {
    /// Entered: its Regions were scanned (each Region has its own status in the estate).
    Read,
    /// Not entered: its families are "not read", never "absent".
    NotRead(String),
}

/// One account of the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    /// Its name in Organizations, when listed there.
    pub name: Option<String>,
    pub access: Access,
    pub status: AccountStatus,
}

impl Account {
    /// `123456789012 (payments-prod)`, or the ID alone: how confirmations name it.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} ({name})", self.id),
            None => self.id.to_string(),
        }
    }

    pub fn problem(&self) -> Option<&str> {
        match &self.status {
            AccountStatus::Read => None,
            AccountStatus::NotRead(why) => Some(why),
        }
    }
}

/// `arn:<partition>:iam::<account>:role/<name>`: the role entered in each account.
pub fn role_arn(partition: Partition, account: &AccountId, role: &str) -> String {
    format!("arn:{}:iam::{account}:role/{role}", partition.arn_name())
}

/// Checks a role name and session name before any call: IAM role names are 1–64 characters of
/// `[\w+=,.@-]`; session names 2–64 of the same.
pub fn check_role_names(role: &str, session: &str) -> Result<(), AccountError> {
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    };
    if !(1..=64).contains(&role.len()) || !allowed(role) {
        return Err(AccountError::RoleName(role.to_string()));
    }
    if !(2..=64).contains(&session.len()) || !allowed(session) {
        return Err(AccountError::SessionName(session.to_string()));
    }
    Ok(())
}

/// The account an ARN names (`arn:aws:kms:eu-west-1:111122223333:key/…` → `111122223333`).
pub fn account_of_arn(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!("111122223333".parse::<AccountId>().is_ok());
        for bad in ["", "12345", "11112222333a", "1111222233334"] {
            assert!(bad.parse::<AccountId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_selection_is_all_or_a_list_of_ids_and_a_bad_id_is_named() {
        assert_eq!("all".parse(), Ok(AccountSelection::All));
        let listed: AccountSelection = "111122223333, 222233334444".parse().unwrap();
        assert!(matches!(listed, AccountSelection::Listed(ids) if ids.len() == 2));
        let err = "111122223333,nope".parse::<AccountSelection>().unwrap_err();
        assert_eq!(err, AccountError::NotAnAccountId("nope".into()));
        assert!(",".parse::<AccountSelection>().is_err());
    }

    #[test]
    fn an_account_named_twice_is_read_once_in_the_place_it_was_first_named() {
        let listed: AccountSelection = "111122223333,222233334444,111122223333".parse().unwrap();
        let AccountSelection::Listed(ids) = listed else {
            panic!("a list");
        };
        let ids: Vec<&str> = ids.iter().map(AccountId::as_str).collect();
        assert_eq!(ids, ["111122223333", "222233334444"]);
    }

    #[test]
    fn the_role_arn_follows_the_partition() {
        let id: AccountId = "222233334444".parse().unwrap();
        assert_eq!(
            role_arn(Partition::AwsUsGov, &id, "Audit"),
            "arn:aws-us-gov:iam::222233334444:role/Audit"
        );
    }

    #[test]
    fn role_and_session_names_are_checked_before_any_call() {
        assert_eq!(
            check_role_names("OrganizationAccountAccessRole", "kms-replica-console"),
            Ok(())
        );
        assert!(check_role_names("bad role", "kms-replica-console").is_err());
        assert!(check_role_names("Audit", "x").is_err());
    }
}
