//! What moto cannot show, with `aws-smithy-mocks` responses shaped like real KMS (and one raw
//! socket that never answers): ListKeys pagination (moto ignores `Limit`), an AccessDenied Region,
//! a Region that times out.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_kms::Client;
use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
use aws_sdk_kms::operation::list_aliases::ListAliasesOutput;
use aws_sdk_kms::operation::list_keys::ListKeysOutput;
use aws_sdk_kms::types::{
    KeyListEntry, KeyMetadata, KeyState, MultiRegionConfiguration, MultiRegionKey,
    MultiRegionKeyType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use kms_replica_console::aws::{AwsClients, KmsError, RegionClient};
use kms_replica_console::domain::{KeyEntry, ProblemKind, RegionStatus};
use kms_replica_console::jobs::{
    Inventory, Runner, ScanKind, ScanOutcome, ScanProgress, no_repaint, scan_region,
};
use support::region;

const ACCOUNT: &str = "111122223333";

fn mrk(n: usize) -> String {
    format!("mrk-{n:032x}")
}

fn list_entry(id: &str) -> KeyListEntry {
    KeyListEntry::builder()
        .key_id(id)
        .key_arn(format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{id}"))
        .build()
}

/// DescribeKey of a primary in eu-west-1, as real KMS shapes it.
fn describe(id: &str) -> DescribeKeyOutput {
    let arn = format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{id}");
    let primary = MultiRegionKey::builder()
        .arn(&arn)
        .region("eu-west-1")
        .build();
    DescribeKeyOutput::builder()
        .key_metadata(
            KeyMetadata::builder()
                .key_id(id)
                .arn(&arn)
                .key_state(KeyState::Enabled)
                .enabled(true)
                .multi_region(true)
                .multi_region_configuration(
                    MultiRegionConfiguration::builder()
                        .multi_region_key_type(MultiRegionKeyType::Primary)
                        .primary_key(primary)
                        .build(),
                )
                .build()
                .expect("key metadata has a key ID"),
        )
        .build()
}

fn kms_error(code: &str, message: &str) -> Response {
    Response::new(
        StatusCode::try_from(400).expect("400 is a status code"),
        SdkBody::from(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)),
    )
}

fn scan(client: Client) -> Result<kms_replica_console::domain::RegionScan, KmsError> {
    let runner = Runner::new().unwrap();
    let client = RegionClient::new(region("eu-west-1"), client);
    let outcome = runner.block_on(scan_region(
        client,
        ScanKind::Full,
        Arc::new(ScanProgress::default()),
        no_repaint(),
    ))?;
    match outcome {
        ScanOutcome::Full(scan) => Ok(scan),
        ScanOutcome::Changes(_) => unreachable!("a full scan was asked for"),
    }
}

#[test]
fn scan_follows_every_list_keys_page_and_keeps_only_mrk_ids() {
    // Three pages: moto returns everything in one, so only a mock can prove the Marker loop.
    let list_keys = mock!(Client::list_keys).then_compute_output(|req| {
        assert_eq!(
            req.limit(),
            Some(1000),
            "the scan asks for the largest page"
        );
        let (ids, next) = match req.marker() {
            None => (
                vec![mrk(1), "1234abcd-12ab-34cd-56ef-1234567890ab".into()],
                Some("p2"),
            ),
            Some("p2") => (vec![mrk(2), mrk(3)], Some("p3")),
            Some("p3") => (vec![mrk(4)], None),
            Some(other) => panic!("unexpected marker {other}"),
        };
        ListKeysOutput::builder()
            .set_keys(Some(ids.iter().map(|id| list_entry(id)).collect()))
            .truncated(next.is_some())
            .set_next_marker(next.map(str::to_string))
            .build()
    });
    let aliases = mock!(Client::list_aliases).then_output(|| ListAliasesOutput::builder().build());
    let described = Arc::new(AtomicUsize::new(0));
    let counter = described.clone();
    let describe_key = mock!(Client::describe_key).then_compute_output(move |req| {
        counter.fetch_add(1, Ordering::SeqCst);
        describe(req.key_id().unwrap_or_default())
    });
    let client = mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        [&list_keys, &aliases, &describe_key]
    );

    let result = scan(client).expect("the scan succeeds");

    assert_eq!(list_keys.num_calls(), 3);
    let mut ids: Vec<String> = result.keys.iter().map(|k| k.key_id().to_string()).collect();
    ids.sort();
    assert_eq!(ids, [mrk(1), mrk(2), mrk(3), mrk(4)]);
    assert_eq!(
        described.load(Ordering::SeqCst),
        4,
        "no DescribeKey for the single-Region key"
    );
}

#[test]
fn access_denied_on_list_keys_fails_the_region_with_the_kms_message() {
    let list_keys = mock!(Client::list_keys).then_http_response(|| {
        kms_error(
            "AccessDeniedException",
            "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: kms:ListKeys",
        )
    });
    let aliases = mock!(Client::list_aliases).then_output(|| ListAliasesOutput::builder().build());
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&list_keys, &aliases]);

    let err = scan(client).expect_err("the Region fails");

    assert!(matches!(err, KmsError::AccessDenied { .. }), "{err:?}");
    let problem = err.to_problem();
    assert_eq!(problem.kind, ProblemKind::AccessDenied);
    assert!(err.to_string().starts_with("eu-west-1: access denied"));
    assert!(problem.message.contains("kms:ListKeys"));
}

#[test]
fn a_key_whose_describe_is_denied_stays_listed_as_unknown() {
    let list_keys = mock!(Client::list_keys).then_output(|| {
        ListKeysOutput::builder()
            .keys(list_entry(&mrk(1)))
            .keys(list_entry(&mrk(2)))
            .build()
    });
    let aliases = mock!(Client::list_aliases).then_output(|| ListAliasesOutput::builder().build());
    let describe_key = mock!(Client::describe_key)
        .match_requests(|req| req.key_id() == Some(mrk(2).as_str()))
        .then_http_response(|| {
            kms_error("AccessDeniedException", "key policy denies kms:DescribeKey")
        });
    let describe_ok = mock!(Client::describe_key)
        .then_compute_output(|req| describe(req.key_id().unwrap_or_default()));
    let client = mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        [&list_keys, &aliases, &describe_key, &describe_ok]
    );

    let result = scan(client).expect("the Region as a whole succeeds");

    assert_eq!(result.keys.len(), 2);
    let denied = result
        .keys
        .iter()
        .find(|k| k.key_id().as_str() == mrk(2))
        .unwrap();
    assert!(
        matches!(denied, KeyEntry::Failed { problem, .. } if problem.kind == ProblemKind::AccessDenied)
    );
}

#[test]
fn throttling_after_retries_is_reported_as_throttled() {
    let list_keys = mock!(Client::list_keys)
        .then_http_response(|| kms_error("ThrottlingException", "Rate exceeded"));
    let aliases = mock!(Client::list_aliases).then_output(|| ListAliasesOutput::builder().build());
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&list_keys, &aliases]);

    let err = scan(client).expect_err("the Region fails");

    assert_eq!(err.to_problem().kind, ProblemKind::Throttled);
}

/// An endpoint that accepts connections and never answers: without explicit timeouts a scan of it
/// would hang forever.
#[test]
fn a_region_that_never_answers_ends_in_timed_out_not_hanging() {
    let runner = Runner::new().unwrap();
    let listener = runner
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let accepted = runner.spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // keep it open, say nothing
        }
    });
    let config = support::sdk_config_with(&endpoint, Duration::from_millis(500));
    let clients = AwsClients::from_sdk_config(config);
    let mut inventory = Inventory::new(clients, vec![region("eu-west-1"), region("us-east-1")]);

    inventory.refresh(&runner);
    inventory.wait_all(&runner);

    for r in ["eu-west-1", "us-east-1"] {
        match inventory.estate().status(region(r)) {
            RegionStatus::Failed(problem) => assert_eq!(problem.kind, ProblemKind::TimedOut),
            other => panic!("{r}: expected a timeout, got {other:?}"),
        }
    }
    drop(accepted);
}

/// No credentials anywhere in the chain: the Region says so (Credentials, which the GUI turns into
/// its banner), not "unreachable".
#[test]
fn a_region_scanned_without_any_credentials_fails_as_a_credentials_problem() {
    let runner = Runner::new().unwrap();
    let config = runner.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_sdk_kms::config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:9")
            .no_credentials()
            .load(),
    );
    let mut inventory = Inventory::new(
        AwsClients::from_sdk_config(config),
        vec![region("us-east-1")],
    );
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    match inventory.estate().status(region("us-east-1")) {
        RegionStatus::Failed(p) => {
            assert_eq!(p.kind, ProblemKind::Credentials, "{p}");
            assert_eq!(p.code, "NoCredentials");
        }
        other => panic!("expected a credentials failure, got {other:?}"),
    }
}

/// While every call hangs, the UI keeps drawing frames (each `step` returns) and shows the
/// Regions as still listing; nothing waits on the network on the UI thread.
#[test]
fn the_ui_keeps_drawing_while_every_call_hangs() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use kms_replica_console::ui::{App, AppOptions};

    let runner = Runner::new().unwrap();
    let listener = runner
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let _held = runner.spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = support::sdk_config_with(&endpoint, Duration::from_secs(30));
    let inventory = Inventory::new(
        AwsClients::from_sdk_config(config),
        vec![region("us-east-1"), region("eu-west-1")],
    );
    let app = App::new(runner, inventory, AppOptions::default());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(900.0, 500.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    for _ in 0..30 {
        harness.step();
    }
    // The calls cannot end before their 30-second timeout: 30 frames drawn with the scans still
    // in flight prove that no frame waited for them.
    assert!(harness.state().inventory().is_scanning());
    assert_eq!(harness.query_all_by_label("listing…").count(), 2);
}
