//! Organization-wide audit against moto: an organization with two member accounts, a key
//! family in each, entered by the binary through Organizations ListAccounts and STS AssumeRole
//! (moto scopes KMS keys per account and answers GetCallerIdentity for assumed roles).

use aws_credential_types::Credentials;
use kms_replica_console::jobs::Runner;

use crate::support::{self, Moto};

const ROLE: &str = "OrganizationAccountAccessRole";

async fn config(moto: &Moto) -> aws_config::SdkConfig {
    support::load_sdk_config(&moto.endpoint, std::time::Duration::from_secs(20)).await
}

/// A multi-Region key in `account`, created with credentials of a role assumed there; returns
/// its key ID.
async fn key_in_account(moto: &Moto, account: &str) -> String {
    let base = config(moto).await;
    let sts = aws_sdk_sts::Client::new(&base);
    let assumed = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{ROLE}"))
        .role_session_name("seed")
        .send()
        .await
        .expect("moto lets the management account assume a role in a member account");
    let c = assumed
        .credentials()
        .expect("AssumeRole returns credentials");
    let member = base
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "seed",
            )),
        )
        .build();
    let kms = support::client_in(&member, "us-east-1");
    let id = support::create_mrk(&kms).await;
    kms.replicate_key()
        .key_id(&id)
        .replica_region("eu-west-1")
        .send()
        .await
        .expect("moto replicates in the member account");
    id
}

/// Creates the organization and two member accounts; returns their IDs.
async fn organization(moto: &Moto) -> Vec<String> {
    let org = aws_sdk_organizations::Client::new(&config(moto).await);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("moto creates the organization");
    let mut members = Vec::new();
    for name in ["payments", "analytics"] {
        let created = org
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .expect("moto creates a member account");
        members.push(
            created
                .create_account_status()
                .and_then(|s| s.account_id())
                .expect("moto creates the account at once")
                .to_string(),
        );
    }
    members
}

#[test]
fn audit_with_accounts_all_reports_each_member_accounts_families_under_its_own_account() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let (members, keys) = runner.block_on(async {
        let members = organization(&moto).await;
        let mut keys = Vec::new();
        for account in &members {
            keys.push(key_in_account(&moto, account).await);
        }
        (members, keys)
    });

    let out = support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console")).args([
            "audit",
            "--format",
            "json",
            "--accounts",
            "all",
            "--assume-role",
            ROLE,
            "--regions",
            "us-east-1,eu-west-1",
            "--endpoint-url",
            &moto.endpoint,
            "--no-history",
        ]),
    )
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("audit prints JSON ({e}); stderr: {stderr}"));

    let accounts = report["accounts"].as_array().expect("an accounts list");
    assert_eq!(
        accounts.len(),
        3,
        "management and two members: {accounts:?}"
    );
    for account in accounts {
        assert_eq!(account["status"], "read", "{account}; stderr: {stderr}");
    }
    for (account, key) in members.iter().zip(&keys) {
        let listed = accounts
            .iter()
            .find(|a| a["id"] == account.as_str())
            .expect("each member account is listed");
        assert_eq!(listed["access"], format!("role {ROLE}"));
        assert_eq!(listed["families"], 1);
        let family = report["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key_id"] == key.as_str())
            .expect("the member's family is reported");
        assert_eq!(family["account"], account.as_str(), "{family}");
        assert_eq!(family["cells"][1]["cell"], "replica");
    }
    assert_eq!(
        report["families"].as_array().map(Vec::len),
        Some(2),
        "each key once, in its own account (the management account has none)"
    );
}

/// Findings moto's Security Hub holds in us-east-1 for `account`, read with a role assumed
/// there (on a thread with a large stack: an ASFF finding's parser is deep).
fn hub_findings_of(moto: &Moto, account: &str) -> Vec<String> {
    let endpoint = moto.endpoint.clone();
    let account = account.to_string();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let base =
                    support::load_sdk_config(&endpoint, std::time::Duration::from_secs(20)).await;
                let sts = aws_sdk_sts::Client::new(&base);
                let c = sts
                    .assume_role()
                    .role_arn(format!("arn:aws:iam::{account}:role/{ROLE}"))
                    .role_session_name("check")
                    .send()
                    .await
                    .unwrap();
                let c = c.credentials().unwrap();
                let member = base
                    .to_builder()
                    .credentials_provider(
                        aws_credential_types::provider::SharedCredentialsProvider::new(
                            Credentials::new(
                                c.access_key_id(),
                                c.secret_access_key(),
                                Some(c.session_token().to_string()),
                                None,
                                "check",
                            ),
                        ),
                    )
                    .build();
                let conf = aws_sdk_securityhub::config::Builder::from(&member)
                    .region(aws_sdk_securityhub::config::Region::new("us-east-1"))
                    .build();
                let hub = aws_sdk_securityhub::Client::from_conf(conf);
                let out = hub.get_findings().max_results(100).send().await.unwrap();
                out.findings()
                    .iter()
                    .map(|f| f.aws_account_id().unwrap_or_default().to_string())
                    .collect()
            })
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn security_hub_in_organization_mode_sends_each_accounts_findings_to_its_own_hub() {
    let moto = Moto::start();
    let runner = Runner::new().unwrap();
    let members = runner.block_on(async {
        let members = organization(&moto).await;
        for account in &members {
            key_in_account(&moto, account).await;
        }
        members
    });
    let out = support::clean_env(
        std::process::Command::new(env!("CARGO_BIN_EXE_kms-replica-console")).args([
            "audit",
            "--security-hub",
            "--require-regions",
            "us-east-1,eu-west-1,ap-southeast-2",
            "--accounts",
            "all",
            "--assume-role",
            ROLE,
            "--regions",
            "us-east-1,eu-west-1,ap-southeast-2",
            "--endpoint-url",
            &moto.endpoint,
            "--no-history",
        ]),
    )
    .output()
    .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    for account in &members {
        let held = hub_findings_of(&moto, account);
        assert!(
            !held.is_empty(),
            "{account}'s hub has its findings: {stderr}"
        );
        assert!(held.iter().all(|a| a == account), "only its own: {held:?}");
    }
}
