//! The simulated AWS Organization: its accounts (each with its own KMS), who may assume a role
//! into which, the sessions AssumeRole issued, and Organizations' ListAccounts and
//! DescribeOrganization (JSON 1.1) — from KMS_FACTS.md's "Accounts" section.
//!
//! The static credentials a client starts with belong to the management account; credentials
//! issued by AssumeRole identify the account they were issued for, and every KMS call signed
//! with them is answered from that account's keys.

use std::collections::HashMap;
use std::sync::RwLock;

use serde_json::{Value, json};

/// ListAccounts' largest page (Organizations' `MaxResults` limit).
const MAX_PAGE: usize = 20;

/// Whether an account can be entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    Suspended,
}

impl AccountState {
    fn word(self) -> &'static str {
        match self {
            AccountState::Active => "ACTIVE",
            AccountState::Suspended => "SUSPENDED",
        }
    }
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccount {
    pub id: String,
    pub name: String,
    pub state: AccountState,
    /// Every AssumeRole into this account is refused (`AccessDenied`), as when its role does
    /// not trust the caller or an SCP denies it.
    pub role_denied: bool,
}

impl MemberAccount {
    pub fn active(id: impl Into<String>, name: impl Into<String>) -> MemberAccount {
        MemberAccount {
            id: id.into(),
            name: name.into(),
            state: AccountState::Active,
            role_denied: false,
        }
    }
}

/// A session AssumeRole issued: who it is.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: String,
    pub arn: String,
}

/// The organization's accounts (the management account first) and the sessions issued so far.
#[derive(Debug)]
pub struct Organization {
    pub management: String,
    /// Who the static credentials are: a user of the management account.
    management_user: Session,
    /// Empty: the management account is in no organization (ListAccounts answers
    /// `AWSOrganizationsNotInUseException`).
    pub accounts: Vec<MemberAccount>,
    sessions: RwLock<HashMap<String, Session>>,
}

/// An answer: HTTP status and body.
pub type Answer = (u16, String);

impl Organization {
    pub fn new(management: String, accounts: Vec<MemberAccount>) -> Organization {
        Organization {
            management_user: Session {
                arn: format!("arn:aws:iam::{management}:user/kms-simulator-user"),
                account: management.clone(),
            },
            management,
            accounts,
            sessions: RwLock::default(),
        }
    }

    /// The account a request signed with `access_key` acts in: the issuing account of an
    /// AssumeRole session, else the management account (the static credentials).
    pub fn account_of(&self, access_key: Option<&str>) -> Session {
        access_key
            .and_then(|k| {
                self.sessions
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(k)
                    .cloned()
            })
            .unwrap_or_else(|| self.management_user.clone())
    }

    fn member(&self, id: &str) -> Option<&MemberAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// STS AssumeRole from a form-encoded body, for a caller in `caller`'s account.
    pub fn assume_role(
        &self,
        form: &HashMap<String, String>,
        caller: &Session,
        now: f64,
    ) -> Answer {
        let role_arn = form.get("RoleArn").map(String::as_str).unwrap_or("");
        let session_name = form
            .get("RoleSessionName")
            .map(String::as_str)
            .unwrap_or("");
        let Some((partition, account, role)) = parse_role_arn(role_arn) else {
            return sts_error(
                400,
                "ValidationError",
                &format!("{role_arn:?} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
            );
        };
        let name_ok = (2..=64).contains(&session_name.len())
            && session_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if !name_ok {
            return sts_error(
                400,
                "ValidationError",
                "RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]",
            );
        }
        let duration = match form.get("DurationSeconds").map(|d| d.parse::<u32>()) {
            None => 3600,
            Some(Ok(d)) if (900..=43_200).contains(&d) => d,
            Some(_) => {
                return sts_error(
                    400,
                    "ValidationError",
                    "DurationSeconds must be between 900 and 43200",
                );
            }
        };
        let enterable = account == self.management
            || self
                .member(account)
                .is_some_and(|m| m.state == AccountState::Active && !m.role_denied);
        if !enterable {
            return sts_error(
                403,
                "AccessDenied",
                &format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                    caller.arn
                ),
            );
        }
        let mut rng = fastrand::Rng::new();
        let access_key = format!("ASIA{}", random_upper(&mut rng, 16));
        let arn = format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session_name}");
        self.sessions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                access_key.clone(),
                Session {
                    account: account.to_string(),
                    arn: arn.clone(),
                },
            );
        let expiration = iso8601(now + f64::from(duration));
        let xml = format!(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleResult>\
             <Credentials><AccessKeyId>{access_key}</AccessKeyId>\
             <SecretAccessKey>{}</SecretAccessKey>\
             <SessionToken>{}</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials>\
             <AssumedRoleUser><AssumedRoleId>AROA{}:{session_name}</AssumedRoleId>\
             <Arn>{arn}</Arn></AssumedRoleUser>\
             </AssumeRoleResult>\
             <ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
             </AssumeRoleResponse>",
            random_upper(&mut rng, 40),
            random_upper(&mut rng, 64),
            random_upper(&mut rng, 16),
            super::model::new_key_id(&mut rng, false),
        );
        (200, xml)
    }

    /// Organizations (JSON 1.1): ListAccounts and DescribeOrganization, for the management
    /// account only.
    pub fn organizations(&self, op: &str, input: &Value, caller: &Session) -> Answer {
        if self.accounts.is_empty() {
            return json_error(
                400,
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            );
        }
        if caller.account != self.management {
            return json_error(
                400,
                "AccessDeniedException",
                "You don't have permissions to access this resource.",
            );
        }
        match op {
            "ListAccounts" => self.list_accounts(input),
            "DescribeOrganization" => (200, self.describe_organization().to_string()),
            _ => json_error(
                400,
                "UnknownOperationException",
                &format!("This simulator answers ListAccounts and DescribeOrganization, not {op}"),
            ),
        }
    }

    fn list_accounts(&self, input: &Value) -> Answer {
        let page = match input.get("MaxResults").map(Value::as_u64) {
            None => MAX_PAGE,
            Some(Some(n)) if (1..=MAX_PAGE as u64).contains(&n) => n as usize,
            Some(_) => {
                return json_error(
                    400,
                    "InvalidInputException",
                    "MaxResults must be between 1 and 20",
                );
            }
        };
        let start = match input.get("NextToken").and_then(Value::as_str) {
            None => 0,
            Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
                Some(n) if n <= self.accounts.len() => n,
                _ => {
                    return json_error(400, "InvalidInputException", "The NextToken is not valid.");
                }
            },
        };
        let end = (start + page).min(self.accounts.len());
        let accounts: Vec<Value> = self.accounts[start..end]
            .iter()
            .map(|a| {
                json!({
                    "Id": a.id,
                    "Arn": format!("arn:aws:organizations::{}:account/o-simulated/{}", self.management, a.id),
                    "Email": format!("{}@example.com", a.name),
                    "Name": a.name,
                    "Status": a.state.word(),
                    "JoinedMethod": if a.id == self.management { "INVITED" } else { "CREATED" },
                })
            })
            .collect();
        let mut out = json!({ "Accounts": accounts });
        if end < self.accounts.len() {
            out["NextToken"] = json!(format!("page-{end}"));
        }
        (200, out.to_string())
    }

    fn describe_organization(&self) -> Value {
        json!({
            "Organization": {
                "Id": "o-simulated",
                "Arn": format!("arn:aws:organizations::{}:organization/o-simulated", self.management),
                "FeatureSet": "ALL",
                "MasterAccountArn": format!("arn:aws:organizations::{0}:account/o-simulated/{0}", self.management),
                "MasterAccountId": self.management,
                "MasterAccountEmail": "management@example.com",
            }
        })
    }
}

/// Marks the accounts whose role refuses AssumeRole and those suspended; an ID that is not
/// an account of the organization is refused by name (a knob that never fires would lie).
pub fn configure(
    members: &mut [MemberAccount],
    deny: &[String],
    suspend: &[String],
) -> Result<(), crate::config::BadKnob> {
    for (ids, flag) in [(deny, "--deny-assume-role"), (suspend, "--suspend-account")] {
        for id in ids {
            let Some(member) = members.iter_mut().find(|m| &m.id == id) else {
                return Err(crate::config::BadKnob(format!(
                    "{flag} {id}: not an account of the seeded organization (the demo and org:A:R:F seeds have one)"
                )));
            };
            match flag {
                "--deny-assume-role" => member.role_denied = true,
                _ => member.state = AccountState::Suspended,
            }
        }
    }
    Ok(())
}

/// `(partition, account, role name)` of `arn:<partition>:iam::<account>:role/<path/>name`.
fn parse_role_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = parts[..] else {
        return None;
    };
    let role = resource.strip_prefix("role/")?.rsplit('/').next()?;
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let partition_ok = matches!(partition, "aws" | "aws-us-gov" | "aws-cn");
    (account_ok && partition_ok && !role.is_empty()).then_some((partition, account, role))
}

/// A form-encoded body as a map (percent-decoding included).
pub fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (Howard Hinnant's civil-from-days).
pub fn iso8601(epoch: f64) -> String {
    let secs = epoch.max(0.0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn random_upper(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| {
            let i = rng.usize(0..36);
            char::from_digit(i as u32, 36)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect()
}

fn sts_error(status: u16, code: &str, message: &str) -> Answer {
    (status, super::sts::error_xml(code, message))
}

fn json_error(status: u16, code: &str, message: &str) -> Answer {
    (
        status,
        json!({ "__type": code, "Message": message }).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Organization {
        Organization::new(
            "111122223333".into(),
            vec![
                MemberAccount::active("111122223333", "management"),
                MemberAccount::active("222233334444", "payments"),
                MemberAccount {
                    role_denied: true,
                    ..MemberAccount::active("444455556666", "sandbox")
                },
                MemberAccount {
                    state: AccountState::Suspended,
                    ..MemberAccount::active("555566667777", "legacy")
                },
            ],
        )
    }

    fn form(role_arn: &str) -> HashMap<String, String> {
        parse_form(
            format!(
                "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=test-session",
                url::form_urlencoded::byte_serialize(role_arn.as_bytes()).collect::<String>()
            )
            .as_bytes(),
        )
    }

    #[test]
    fn knobs_deny_a_role_or_suspend_an_account_and_refuse_an_unknown_one() {
        let mut members = vec![
            MemberAccount::active("111122223333", "management"),
            MemberAccount::active("222233334444", "payments"),
        ];
        configure(&mut members, &["222233334444".into()], &[]).unwrap();
        assert!(members[1].role_denied);
        configure(&mut members, &[], &["222233334444".into()]).unwrap();
        assert_eq!(members[1].state, AccountState::Suspended);
        let err = configure(&mut members, &["999999999999".into()], &[]).unwrap_err();
        assert!(err.0.contains("--deny-assume-role 999999999999"), "{err}");
    }

    #[test]
    fn expiration_is_an_iso8601_utc_time() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_011_200.0), "2026-11-30T04:00:00Z");
    }

    #[test]
    fn credentials_from_assume_role_act_in_the_target_account() {
        let org = org();
        let me = org.account_of(None);
        let (status, xml) =
            org.assume_role(&form("arn:aws:iam::222233334444:role/audit"), &me, 0.0);
        assert_eq!(status, 200, "{xml}");
        let key = xml
            .split("<AccessKeyId>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        let session = org.account_of(Some(key));
        assert_eq!(session.account, "222233334444");
        assert!(session.arn.ends_with(":assumed-role/audit/test-session"));
        assert_eq!(org.account_of(Some("AKIAOTHER")).account, "111122223333");
    }

    #[test]
    fn a_denied_role_a_suspended_or_unknown_account_is_access_denied() {
        let org = org();
        let me = org.account_of(None);
        for arn in [
            "arn:aws:iam::444455556666:role/audit",
            "arn:aws:iam::555566667777:role/audit",
            "arn:aws:iam::999999999999:role/audit",
        ] {
            let (status, xml) = org.assume_role(&form(arn), &me, 0.0);
            assert_eq!(status, 403, "{arn}");
            assert!(xml.contains("<Code>AccessDenied</Code>"), "{xml}");
        }
        let (status, _) = org.assume_role(&form("arn:aws:iam::12:role/x"), &me, 0.0);
        assert_eq!(status, 400);
    }

    #[test]
    fn list_accounts_pages_with_next_token_and_only_for_the_management_account() {
        let org = org();
        let me = org.account_of(None);
        let (_, first) = org.organizations("ListAccounts", &json!({"MaxResults": 3}), &me);
        let first: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(first["Accounts"].as_array().unwrap().len(), 3);
        let token = first["NextToken"].as_str().unwrap();
        let (_, rest) = org.organizations("ListAccounts", &json!({"NextToken": token}), &me);
        let rest: Value = serde_json::from_str(&rest).unwrap();
        assert_eq!(rest["Accounts"][0]["Status"], "SUSPENDED");
        assert!(rest.get("NextToken").is_none());
        let member = Session {
            account: "222233334444".into(),
            arn: String::new(),
        };
        let (status, body) = org.organizations("ListAccounts", &json!({}), &member);
        assert_eq!(status, 400);
        assert!(body.contains("AccessDeniedException"));
        let alone = Organization::new("111122223333".into(), vec![]);
        let (_, body) = alone.organizations("ListAccounts", &json!({}), &me);
        assert!(body.contains("AWSOrganizationsNotInUseException"));
    }
}
