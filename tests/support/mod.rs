//! Shared test harness: a moto server on a free loopback port, and SDK configurations with static
//! test credentials that never leave 127.0.0.1.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_kms::config::{Credentials, Region as SdkRegion};
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::Region;

/// Static credentials for tests; the secret is distinctive so a leak check can look for it.
pub const TEST_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const TEST_SECRET_KEY: &str = "test-secret-wJalrXUtnFEMI-K7MDENG";

pub fn region(name: &str) -> Region {
    name.parse().expect("test Region names are valid")
}

/// A moto server (`moto[server]`) owned by one test, killed when dropped. Each test has its own,
/// so tests run in parallel and never see each other's keys.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    /// Starts moto from `MOTO_SERVER` (set by `scripts/test.sh`) or `.venv-moto/bin/moto_server`.
    pub fn start() -> Moto {
        let bin = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            format!("{}/.venv-moto/bin/moto_server", env!("CARGO_MANIFEST_DIR"))
        });
        assert!(
            std::path::Path::new(&bin).exists(),
            "moto is not installed at {bin}: run scripts/test.sh, which installs it, or set MOTO_SERVER"
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        wait_for_port(port, Duration::from_secs(60));
        moto
    }

    pub fn sdk_config(&self) -> SdkConfig {
        sdk_config(&self.endpoint)
    }

    pub fn clients(&self) -> AwsClients {
        AwsClients::from_sdk_config(self.sdk_config())
    }

    /// A raw SDK client for seeding moto in `region`.
    pub fn seed_client(&self, region: &str) -> aws_sdk_kms::Client {
        client_in(&self.sdk_config(), region)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SDK configuration for a loopback endpoint with static credentials, one attempt per call
/// (moto's HTTP 500s would otherwise be retried) and short timeouts.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    sdk_config_with(endpoint, Duration::from_secs(20))
}

/// As `sdk_config`, with an explicit operation timeout.
pub fn sdk_config_with(endpoint: &str, operation_timeout: Duration) -> SdkConfig {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test runtime starts")
        .block_on(load_sdk_config(endpoint, operation_timeout))
}

/// The async form of `sdk_config_with`, for tests already inside a tokio runtime.
pub async fn load_sdk_config(endpoint: &str, operation_timeout: Duration) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(SdkRegion::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            TEST_ACCESS_KEY,
            TEST_SECRET_KEY,
            None,
            None,
            "tests",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(operation_timeout)
                .build(),
        )
        .load()
        .await
}

/// The app's own connection settings for a loopback endpoint, signed with the static test
/// credentials (so the real `ConnectSettings::load` path is what the test exercises).
pub fn connect_settings(endpoint: &str) -> kms_replica_console::aws::ConnectSettings {
    kms_replica_console::aws::ConnectSettings {
        endpoint_url: Some(endpoint.to_string()),
        static_credentials: Some(kms_replica_console::aws::StaticCredentials {
            access_key_id: TEST_ACCESS_KEY.into(),
            secret_access_key: TEST_SECRET_KEY.into(),
        }),
        fallback_region: Some("us-east-1".into()),
        ..kms_replica_console::aws::ConnectSettings::default()
    }
}

/// Gives a command of the binary a clean environment: the static test credentials, no profile
/// files, no instance metadata service.
pub fn clean_env(command: &mut Command) -> &mut Command {
    command
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        // No config file of whoever runs the tests: a test that wants one passes --config.
        .env("XDG_CONFIG_HOME", "/nonexistent")
        // The history goes to a folder of this test run's, never the user's data directory.
        .env("XDG_DATA_HOME", test_data_home())
}

/// This test process's stand-in for the data directory.
pub fn test_data_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("kms-rc-test-data-{}", std::process::id()))
}

/// Creates a multi-Region primary with nothing else set; returns its key ID.
pub async fn create_mrk(client: &aws_sdk_kms::Client) -> String {
    client
        .create_key()
        .multi_region(true)
        .send()
        .await
        .expect("CreateKey succeeds")
        .key_metadata()
        .map(|m| m.key_id().to_string())
        .expect("CreateKey returns metadata")
}

/// A multi-Region primary made by `client`, replicated into each of `targets`; its key ID.
pub async fn create_family(client: &aws_sdk_kms::Client, targets: &[&str]) -> String {
    let key = create_mrk(client).await;
    replicate_into(client, &key, targets).await;
    key
}

/// A multi-Region primary of `spec` and `usage` made by `client`, replicated into each of
/// `targets`; its key ID.
pub async fn create_family_of(
    client: &aws_sdk_kms::Client,
    spec: &str,
    usage: &str,
    targets: &[&str],
) -> String {
    let key = client
        .create_key()
        .multi_region(true)
        .key_spec(spec.into())
        .key_usage(usage.into())
        .send()
        .await
        .expect("CreateKey succeeds")
        .key_metadata()
        .map(|m| m.key_id().to_string())
        .expect("CreateKey returns metadata");
    replicate_into(client, &key, targets).await;
    key
}

/// ReplicateKey of `key` into each of `targets`.
async fn replicate_into(client: &aws_sdk_kms::Client, key: &str, targets: &[&str]) {
    for target in targets {
        client
            .replicate_key()
            .key_id(key)
            .replica_region(*target)
            .send()
            .await
            .expect("ReplicateKey succeeds");
    }
}

/// A raw SDK client for `region` from a loaded configuration.
pub fn client_in(config: &SdkConfig, region: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::config::Builder::from(config)
        .region(SdkRegion::new(region.to_string()))
        .build();
    aws_sdk_kms::Client::from_conf(conf)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("the loopback interface has a free port")
}

/// Polls until something accepts connections on the port: a readiness check, not a fixed sleep.
fn wait_for_port(port: u16, timeout: Duration) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("moto did not listen on port {port} within {timeout:?}");
}

/// A ReplicateKey with every API default, for a family whose primary is Enabled, to a Region
/// (not an opt-in one) where the family has no key; `None` if the estate has no such family.
pub fn replication_candidate(
    estate: &kms_replica_console::domain::Estate,
) -> Option<kms_replica_console::domain::ReplicateRequest> {
    use kms_replica_console::domain::{Cell, KeyState, ReplicateRequest, Role};
    estate.families().find_map(|(id, family)| {
        let primary = family
            .described()
            .find(|k| k.role() == Role::Primary && k.state == KeyState::Enabled)?;
        let target = estate
            .regions()
            .iter()
            .find(|r| !r.is_opt_in() && matches!(estate.cell(id, **r), Cell::Absent))?;
        Some(ReplicateRequest {
            key_id: id.clone(),
            primary_region: primary.region,
            target: *target,
            policy: None,
            description: None,
            tags: None,
            bypass_lockout: false,
            alias: None,
        })
    })
}
