//! Bad input to the simulator's endpoint itself: always an AWS-shaped error, never a panic or a
//! hang. Sent as raw HTTP, since the SDK would never produce these requests.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::SimHarness;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/kms/aws4_request, \
                    SignedHeaders=host, Signature=0";

/// Sends one HTTP/1.1 request and returns (status, body).
async fn raw(endpoint: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    raw_to(endpoint, "/", headers, body).await
}

/// Sends one HTTP/1.1 POST to `path` and returns (status, body).
async fn raw_to(
    endpoint: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // A server may answer (and close) before reading a huge body; that is fine.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

fn error_type(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["__type"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("not an AWS error body: {body}"))
}

#[tokio::test]
async fn a_malformed_json_body_is_a_serialization_exception() {
    let h = SimHarness::start().await;
    let (status, body) = raw(
        &h.sim.endpoint(),
        &[
            ("X-Amz-Target", "TrentService.ListKeys"),
            ("Authorization", AUTH),
        ],
        b"{not json",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body), "SerializationException");
}

#[tokio::test]
async fn an_unknown_operation_is_an_unknown_operation_exception() {
    let h = SimHarness::start().await;
    let (status, body) = raw(
        &h.sim.endpoint(),
        &[
            ("X-Amz-Target", "TrentService.LaunchRocket"),
            ("Authorization", AUTH),
        ],
        b"{}",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body), "UnknownOperationException");
}

#[tokio::test]
async fn a_missing_target_header_is_an_unknown_operation_exception() {
    let h = SimHarness::start().await;
    let (status, body) = raw(&h.sim.endpoint(), &[("Authorization", AUTH)], b"{}").await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body), "UnknownOperationException");
}

#[tokio::test]
async fn a_request_without_sigv4_scope_is_missing_authentication() {
    let h = SimHarness::start().await;
    let (status, body) = raw(
        &h.sim.endpoint(),
        &[("X-Amz-Target", "TrentService.ListKeys")],
        b"{}",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_type(&body), "MissingAuthenticationTokenException");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_with_413() {
    let h = SimHarness::start().await;
    let huge = vec![b' '; (1 << 20) + 10];
    let (status, body) = raw(
        &h.sim.endpoint(),
        &[
            ("X-Amz-Target", "TrentService.ListKeys"),
            ("Authorization", AUTH),
        ],
        &huge,
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(error_type(&body), "SerializationException");
}

#[tokio::test]
async fn a_json_array_body_is_a_serialization_exception_and_the_server_keeps_serving() {
    let h = SimHarness::start().await;
    let (status, _) = raw(
        &h.sim.endpoint(),
        &[
            ("X-Amz-Target", "TrentService.DescribeKey"),
            ("Authorization", AUTH),
        ],
        b"[1,2,3]",
    )
    .await;
    assert_eq!(status, 400);
    assert!(h.client("us-east-1").list_keys().send().await.is_ok());
}

/// One KMS call as raw JSON, so a test can send what the SDK never would.
async fn kms(h: &SimHarness, operation: &str, body: &str) -> (u16, String) {
    let target = format!("TrentService.{operation}");
    raw(
        &h.sim.endpoint(),
        &[("X-Amz-Target", target.as_str()), ("Authorization", AUTH)],
        body.as_bytes(),
    )
    .await
}

#[tokio::test]
async fn advancing_the_clock_past_what_it_can_hold_is_a_400_and_the_server_keeps_serving() {
    let h = SimHarness::start().await;
    for seconds in ["1e308", "18446744073709551616", "inf", "-1"] {
        let path = format!("/_sim/clock/advance?seconds={seconds}");
        let (status, _) = raw_to(&h.sim.endpoint(), &path, &[], b"").await;
        assert_eq!(status, 400, "seconds={seconds}");
    }
    let (status, _) = raw_to(
        &h.sim.endpoint(),
        "/_sim/clock/advance?seconds=60",
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert!(h.client("us-east-1").list_keys().send().await.is_ok());
}

#[tokio::test]
async fn a_marker_the_simulator_did_not_hand_out_is_an_invalid_marker_exception() {
    let h = SimHarness::start().await;
    for _ in 0..3 {
        h.primary("us-east-1").await;
    }
    for operation in ["ListKeys", "ListAliases"] {
        let (status, body) = kms(&h, operation, r#"{"Marker": "mrk-0"}"#).await;
        assert_eq!(status, 400, "{operation}: {body}");
        assert_eq!(error_type(&body), "InvalidMarkerException", "{operation}");
    }
    // A marker it did hand out still pages.
    let first = h
        .client("us-east-1")
        .list_keys()
        .limit(1)
        .send()
        .await
        .unwrap();
    let marker = first.next_marker().expect("three keys, one per page");
    let second = h
        .client("us-east-1")
        .list_keys()
        .limit(1)
        .marker(marker)
        .send()
        .await
        .unwrap();
    assert_ne!(
        first.keys()[0].key_id(),
        second.keys()[0].key_id(),
        "the second page starts after the first"
    );
}

#[tokio::test]
async fn list_resource_tags_refuses_a_limit_outside_1_to_50() {
    let h = SimHarness::start().await;
    let id = h.primary("us-east-1").await;
    for limit in [0, 51] {
        let body = format!(r#"{{"KeyId": "{id}", "Limit": {limit}}}"#);
        let (status, answer) = kms(&h, "ListResourceTags", &body).await;
        assert_eq!(status, 400, "Limit {limit}");
        assert_eq!(error_type(&answer), "ValidationException");
    }
}

#[tokio::test]
async fn fields_of_the_wrong_type_or_a_tag_without_a_value_are_refused() {
    let h = SimHarness::start().await;
    let cases = [
        (r#"{"Description": 5}"#, "SerializationException"),
        (r#"{"MultiRegion": "yes"}"#, "SerializationException"),
        (r#"{"Tags": [{"TagKey": "env"}]}"#, "ValidationException"),
    ];
    for (body, expected) in cases {
        let (status, answer) = kms(&h, "CreateKey", body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_type(&answer), expected, "{body}");
    }
    let listed = h.client("us-east-1").list_keys().send().await.unwrap();
    assert!(listed.keys().is_empty(), "no refused CreateKey made a key");
}
