//! Entering the accounts of an organization-wide scan: which accounts (Organizations, or the
//! list given), and for each, clients signed in that account — the caller's own credentials for
//! its own account, the role assumed elsewhere — checked with STS before any KMS call, so an
//! account that cannot be entered is named with its reason and nothing is read in the wrong one.

use futures::StreamExt;

use crate::aws::{AwsClients, CallerIdentity, ConnectSettings, ListedAccount};
use crate::domain::account::{
    Access, Account, AccountId, AccountSelection, AccountStatus, role_arn,
};
use crate::domain::region::Partition;

/// Accounts entered at a time: each entry is one AssumeRole and one GetCallerIdentity.
const ENTER_AT_ONCE: usize = 8;

/// How to enter the accounts other than the caller's.
#[derive(Debug, Clone)]
pub struct RoleSettings {
    /// The role's name in each account (`--assume-role`); `None`: only the caller's own
    /// account can be entered.
    pub role: Option<String>,
    pub external_id: Option<String>,
    pub session_name: String,
    pub partition: Partition,
}

/// An account of the scan, and its clients when it could be entered.
#[derive(Debug, Clone)]
pub struct EnteredAccount {
    pub account: Account,
    pub clients: Option<AwsClients>,
}

/// Why the accounts could not be entered at all (an account that cannot be entered is not an
/// error: it is reported as not read, with why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterError {
    #[error(transparent)]
    ListAccounts(#[from] crate::aws::ListAccountsError),
    #[error(
        "Organizations ListAccounts listed no account, yet an organization always holds its management account: the answer is wrong; name the accounts with --accounts ID,…"
    )]
    EmptyListing,
    #[error(
        "Organizations ListAccounts listed {listed} account(s) but not the caller's own account {caller}: the listing is incomplete; name the accounts with --accounts ID,…"
    )]
    CallerNotListed { listed: usize, caller: String },
    #[error("--profiles: profile `{profile}`: {detail}")]
    Profile { profile: String, detail: String },
    #[error("--profiles: profile `{profile}` is account {account} again: name each account once")]
    ProfileRepeatsAccount { profile: String, account: String },
}

/// The accounts `selection` names, each entered (or not, with why), in a stable order: the
/// caller's own account first, then by ID. Fails only when `--accounts all` cannot list the
/// organization.
pub async fn enter_accounts(
    base: &AwsClients,
    caller: &CallerIdentity,
    selection: &AccountSelection,
    settings: &RoleSettings,
) -> Result<Vec<EnteredAccount>, EnterError> {
    let listed: Vec<(String, Option<String>, String)> = match selection {
        AccountSelection::All => {
            let listed = base.list_accounts(settings.partition).await?;
            check_listing(&listed, caller)?;
            listed
                .into_iter()
                .map(|a| (a.id, Some(a.name), a.status))
                .collect()
        }
        AccountSelection::Listed(ids) => ids
            .iter()
            .map(|id| (id.to_string(), None, "ACTIVE".to_string()))
            .collect(),
    };
    let mut entered: Vec<EnteredAccount> = futures::stream::iter(listed)
        .map(|(id, name, status)| enter_one(base, caller, id, name, status, settings))
        .buffer_unordered(ENTER_AT_ONCE)
        .collect()
        .await;
    entered.sort_by(|a, b| {
        let own = |e: &EnteredAccount| e.account.id.as_str() != caller.account;
        (own(a), &a.account.id).cmp(&(own(b), &b.account.id))
    });
    Ok(entered)
}

/// An organization always holds its management account, and whoever may list it (the
/// management account or a delegated administrator) is a member: a listing without the caller's
/// own account is incomplete or wrong, never a reason to read less and exit 0.
fn check_listing(listed: &[ListedAccount], caller: &CallerIdentity) -> Result<(), EnterError> {
    if listed.is_empty() {
        return Err(EnterError::EmptyListing);
    }
    if !listed.iter().any(|a| a.id == caller.account) {
        return Err(EnterError::CallerNotListed {
            listed: listed.len(),
            caller: caller.account.clone(),
        });
    }
    Ok(())
}

async fn enter_one(
    base: &AwsClients,
    caller: &CallerIdentity,
    id: String,
    name: Option<String>,
    status: String,
    settings: &RoleSettings,
) -> EnteredAccount {
    let not_read = |id: AccountId, access: Access, why: String| EnteredAccount {
        account: Account {
            id,
            name: name.clone(),
            access,
            status: AccountStatus::NotRead(why),
        },
        clients: None,
    };
    let Ok(account_id) = id.parse::<AccountId>() else {
        // Organizations always answers 12 digits; anything else is named, not entered.
        let placeholder = AccountId::placeholder();
        return not_read(
            placeholder,
            Access::OwnCredentials,
            format!("Organizations listed an account ID that is not 12 digits: {id:?}"),
        );
    };
    let own = id == caller.account;
    let access = match (&settings.role, own) {
        (_, true) => Access::OwnCredentials,
        (Some(role), false) => Access::Role(role.clone()),
        (None, false) => {
            return not_read(
                account_id,
                Access::OwnCredentials,
                "not entered: give --assume-role NAME to read accounts other than the caller's"
                    .into(),
            );
        }
    };
    if status != "ACTIVE" {
        return not_read(
            account_id,
            access,
            format!("{status} in the organization: not entered"),
        );
    }
    let clients = match &access {
        Access::Role(role) => {
            base.assuming_role(
                &role_arn(settings.partition, &account_id, role),
                settings.external_id.as_deref(),
                &settings.session_name,
            )
            .await
        }
        Access::OwnCredentials | Access::Profile(_) => base.clone(),
    };
    match verify(&clients, &account_id).await {
        Ok(()) => EnteredAccount {
            account: Account {
                id: account_id,
                name,
                access,
                status: AccountStatus::Read,
            },
            clients: Some(clients),
        },
        Err(why) => not_read(account_id, access, why.to_string()),
    }
}

/// Checks with STS that `clients` act in `account`: the AssumeRole happens here, and an answer
/// for another account is refused (never read one account believing it is another).
async fn verify(clients: &AwsClients, account: &AccountId) -> Result<(), NotEntered> {
    match clients.caller_identity().await {
        Ok(identity) if identity.account == account.as_str() => Ok(()),
        Ok(identity) => Err(NotEntered::OtherAccount {
            acts_in: identity.account,
            expected: account.clone(),
        }),
        Err(crate::aws::IdentityError::Sts(refused)) if refused.starts_with("AssumeRole") => {
            Err(NotEntered::Refused(refused))
        }
        Err(e) => Err(NotEntered::Refused(e.to_string())),
    }
}

/// Why one account of the organization was not read (it is shown with this reason).
#[derive(Debug, thiserror::Error)]
enum NotEntered {
    #[error("the credentials act in account {acts_in}, not {expected}: not read")]
    OtherAccount {
        acts_in: String,
        expected: AccountId,
    },
    #[error("cannot be entered: {0}")]
    Refused(String),
}

/// One account per named profile (`--profiles a,b,c`), each entered with its own credentials.
/// A profile without usable credentials is an error naming it: its account is unknown, so it
/// cannot be shown as an account that was not read.
pub async fn enter_profiles(
    settings: &ConnectSettings,
    profiles: &[String],
) -> Result<Vec<EnteredAccount>, EnterError> {
    let mut entered = Vec::new();
    for profile in profiles {
        let clients = AwsClients::connect(&ConnectSettings {
            profile: Some(profile.clone()),
            ..settings.clone()
        })
        .await;
        let identity = clients
            .caller_identity()
            .await
            .map_err(|e| EnterError::Profile {
                profile: profile.clone(),
                detail: e.to_string(),
            })?;
        let id: AccountId =
            identity
                .account
                .parse()
                .map_err(
                    |e: crate::domain::account::AccountError| EnterError::Profile {
                        profile: profile.clone(),
                        detail: e.to_string(),
                    },
                )?;
        if entered.iter().any(|e: &EnteredAccount| e.account.id == id) {
            return Err(EnterError::ProfileRepeatsAccount {
                profile: profile.clone(),
                account: id.to_string(),
            });
        }
        entered.push(EnteredAccount {
            account: Account {
                id,
                name: Some(profile.clone()),
                access: Access::Profile(profile.clone()),
                status: AccountStatus::Read,
            },
            clients: Some(clients),
        });
    }
    Ok(entered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> CallerIdentity {
        CallerIdentity {
            account: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:user/auditor".into(),
        }
    }

    fn listed(id: &str) -> ListedAccount {
        ListedAccount {
            id: id.into(),
            name: "x".into(),
            status: "ACTIVE".into(),
        }
    }

    #[test]
    fn an_empty_listing_is_an_error_not_an_organization_of_no_account() {
        let err = check_listing(&[], &caller()).unwrap_err();
        assert_eq!(err, EnterError::EmptyListing);
        assert!(err.to_string().contains("listed no account"), "{err}");
    }

    #[test]
    fn a_listing_without_the_callers_own_account_is_an_error() {
        let err = check_listing(&[listed("222233334444")], &caller()).unwrap_err();
        assert!(
            err.to_string()
                .contains("not the caller's own account 111122223333"),
            "{err}"
        );
        assert_eq!(
            check_listing(&[listed("222233334444"), listed("111122223333")], &caller()),
            Ok(())
        );
    }
}
