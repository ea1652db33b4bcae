//! The HTTP side of the simulator: the KMS JSON 1.1 protocol on 127.0.0.1, the realism knobs
//! (latency, quotas, faults, disabled Regions), request statistics and the `/_sim/` admin routes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod cloudtrail;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::clock::SimClock;
use super::config::{FaultKind, SimConfig};
use super::error::Fault;
use super::model::Kms;
use super::quota::Quotas;
use super::regions::partition_of;

/// How long a "hang" fault holds a request before giving up on it.
const HANG_FOR: Duration = Duration::from_secs(600);

/// Requests seen, per Region and operation.
#[derive(Debug, Default)]
struct Stats {
    requests: BTreeMap<String, BTreeMap<String, u64>>,
    throttled: BTreeMap<String, BTreeMap<String, u64>>,
    faults: u64,
    /// STS and Organizations calls by operation (they have no Region of their own).
    global: BTreeMap<String, u64>,
    /// KMS requests per account.
    accounts: BTreeMap<String, u64>,
}

fn bump(map: &mut BTreeMap<String, BTreeMap<String, u64>>, region: &str, op: &str) {
    *map.entry(region.to_string())
        .or_default()
        .entry(op.to_string())
        .or_default() += 1;
}

/// Everything a request handler needs, shared by all connections.
pub struct Shared {
    pub config: SimConfig,
    /// The fault rules in force; starts as `config.faults`, changeable while running.
    pub faults: std::sync::RwLock<Vec<super::config::FaultRule>>,
    /// Access key IDs whose session has "expired": every call signed with one is refused.
    pub expired_keys: std::sync::RwLock<Vec<String>>,
    pub clock: SimClock,
    /// Each account's KMS (the management account's, and every member's).
    pub kms: BTreeMap<String, Mutex<Kms>>,
    pub org: super::org::Organization,
    quotas: Quotas,
    stats: Mutex<Stats>,
}

impl Shared {
    /// Whether the request is signed with an access key whose session "expired".
    fn is_expired(&self, authorization: &str) -> bool {
        access_key_from_authorization(authorization).is_some_and(|key| {
            self.expired_keys
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .any(|k| k == key)
        })
    }
}

/// A connection closed on purpose, without an answer (the `drop` fault).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

type HttpResponse = Response<Full<Bytes>>;

impl Shared {
    pub fn new(
        config: SimConfig,
        kms: BTreeMap<String, Mutex<Kms>>,
        org: super::org::Organization,
    ) -> Shared {
        Shared {
            org,
            quotas: Quotas::with_share(config.quota_share),
            clock: SimClock::new(config.clock_speed, config.clock_start),
            faults: std::sync::RwLock::new(config.faults.clone()),
            expired_keys: std::sync::RwLock::default(),
            config,
            kms,
            stats: Mutex::default(),
        }
    }

    pub fn stats_json(&self) -> Value {
        let stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        json!({
            "requests": stats.requests,
            "throttled": stats.throttled,
            "faults": stats.faults,
            "global": stats.global,
            "accounts": stats.accounts,
        })
    }

    pub fn reset_stats(&self) {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner()) = Stats::default();
    }

    fn pick_fault(&self, region: &str, op: &str) -> Option<FaultKind> {
        let fault = self
            .faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|f| f.matches(region, op) && fastrand::f64() < f.rate)
            .map(|f| f.kind);
        if fault.is_some() {
            self.stats.lock().unwrap_or_else(|p| p.into_inner()).faults += 1;
        }
        fault
    }

    /// The quota cost of a request: a ReplicateKey also counts as two CreateKey in the replica
    /// Region.
    /// Quotas are per account and Region.
    fn within_quota(&self, account: &str, region: &str, op: &str, input: &Value) -> bool {
        if !self.config.quotas {
            return true;
        }
        if !self.quotas.take(&format!("{account}/{region}"), op, 1.0) {
            return false;
        }
        match (op, input.get("ReplicaRegion").and_then(Value::as_str)) {
            ("ReplicateKey", Some(target)) => {
                self.quotas
                    .take(&format!("{account}/{target}"), "CreateKey", 2.0)
            }
            _ => true,
        }
    }
}

/// Accepts connections on `listener` until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(req, shared.clone()));
            // A dropped connection (fault injection, or a client that gave up) ends here.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Routes a request: the admin routes, STS's form-encoded actions, Organizations, or KMS.
async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<HttpResponse, Dropped> {
    if req.uri().path().starts_with("/_sim/") {
        return Ok(admin(req, &shared));
    }
    let is_form = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form && req.headers().get("x-amz-target").is_none() {
        return Ok(sts(req, &shared).await);
    }
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(op) = target.strip_prefix("AWSOrganizationsV20161128.") {
        let op = op.to_string();
        return Ok(organizations(req, &shared, &op).await);
    }
    // The service model's target prefix (KMS_FACTS §6), or the shorter one the Rust SDK sends:
    // CloudTrail takes both.
    let trail_op = target
        .strip_prefix("com.amazonaws.cloudtrail.v20131101.")
        .unwrap_or(target)
        .strip_prefix("CloudTrail_20131101.");
    if let Some(op) = trail_op {
        let op = op.to_string();
        return Ok(cloudtrail::cloudtrail(req, &shared, &op).await);
    }
    match read_kms_request(req, &shared).await {
        Ok(request) => answer(&shared, request).await,
        Err(refused) => Ok(refused),
    }
}

/// One KMS request, read and checked: its operation, the Region of its signature, its input.
struct KmsRequest {
    op: String,
    /// The account the request's credentials act in.
    account: String,
    /// Who signed it, as its trail record names them.
    caller: crate::trail::Caller,
    region: String,
    input: Value,
}

/// Reads the operation, the signature's Region and the JSON body, answering what KMS answers
/// to a request it cannot take (no target, expired or missing credentials, a bad body, an
/// unknown or disabled Region).
async fn read_kms_request(
    req: Request<Incoming>,
    shared: &Shared,
) -> Result<KmsRequest, HttpResponse> {
    let op = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("TrentService."))
        .map(str::to_string);
    let Some(op) = op else {
        return Err(fault_response(&Fault::unknown_operation(
            "Missing or unknown X-Amz-Target header: expected TrentService.<Operation>.",
        )));
    };
    let authorization = authorization_of(&req);
    if shared.is_expired(&authorization) {
        return Err(fault_response(&Fault::expired_token()));
    }
    let Some(region) = region_from_authorization(&authorization) else {
        return Err(fault_response(&Fault::missing_auth(
            "Missing Authentication Token: the request carries no SigV4 credential scope.",
        )));
    };
    let body = match Limited::new(req.into_body(), shared.config.max_body_bytes)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let mut response = fault_response(&Fault::serialization(format!(
                "The request body is larger than {} bytes or could not be read.",
                shared.config.max_body_bytes
            )));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Err(response);
        }
    };
    let input: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return Err(fault_response(&Fault::serialization(
                    "The request body must be a JSON object.",
                )));
            }
            Err(e) => {
                return Err(fault_response(&Fault::serialization(format!(
                    "The request body is not valid JSON: {e}"
                ))));
            }
        }
    };
    if partition_of(&region).is_none() || shared.config.disabled_regions.contains(&region) {
        return Err(fault_response(&Fault::unrecognized_client(
            "The security token included in the request is invalid.",
        )));
    }
    let access_key = access_key_from_authorization(&authorization);
    let session = shared.org.account_of(access_key);
    let caller = crate::trail::Caller {
        arn: session.arn,
        access_key_id: access_key.unwrap_or_default().to_string(),
        source_ip: "127.0.0.1".into(),
        invoked_by: None,
    };
    Ok(KmsRequest {
        op,
        account: session.account,
        caller,
        region,
        input,
    })
}

/// Answers a checked request as the simulated KMS would, with the realism knobs in force:
/// statistics, latency, injected faults, quotas.
async fn answer(shared: &Shared, request: KmsRequest) -> Result<HttpResponse, Dropped> {
    let KmsRequest {
        op,
        account,
        caller,
        region,
        input,
    } = request;
    {
        let mut stats = shared.stats.lock().unwrap_or_else(|p| p.into_inner());
        bump(&mut stats.requests, &region, &op);
        *stats.accounts.entry(account.clone()).or_default() += 1;
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let fault = shared.pick_fault(&region, &op);
    match fault {
        Some(FaultKind::Internal) => return Ok(fault_response(&Fault::internal())),
        Some(FaultKind::Throttle) => return Ok(fault_response(&Fault::throttling())),
        Some(FaultKind::Deny) => return Ok(fault_response(&Fault::access_denied(&op))),
        Some(FaultKind::Hang) => {
            tokio::time::sleep(HANG_FOR).await;
            return Ok(fault_response(&Fault::internal()));
        }
        Some(FaultKind::Drop) | None => {}
    }
    if !shared.within_quota(&account, &region, &op, &input) {
        bump(
            &mut shared
                .stats
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .throttled,
            &region,
            &op,
        );
        return Ok(fault_response(&Fault::throttling()));
    }
    let served = super::ops::Served {
        caller: Some(caller),
        ..super::ops::Served::at(shared.clock.now())
    };
    let result = match shared.kms.get(&account) {
        Some(kms) => kms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .serve(&op, &region, &input, &served),
        None => Err(Fault::unrecognized_client(
            "The security token included in the request is invalid.",
        )),
    };
    if fault == Some(FaultKind::Drop) {
        // The server has acted; the client never learns the outcome.
        return Err(Dropped);
    }
    let mut response = match result {
        Ok(output) => json_response(StatusCode::OK, output.to_string()),
        Err(fault) => fault_response(&fault),
    };
    // The answer carries the request ID the operation recorded (a key's last use names it).
    if let Ok(id) = hyper::header::HeaderValue::from_str(&served.request_id) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    Ok(response)
}

/// STS in its Query protocol: GetCallerIdentity (the caller's own account and ARN) and
/// AssumeRole (into the organization's accounts), refused for an expired session like every
/// KMS call.
async fn sts(req: Request<Incoming>, shared: &Shared) -> HttpResponse {
    let authorization = authorization_of(&req);
    let body = Limited::new(req.into_body(), shared.config.max_body_bytes)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let form = super::org::parse_form(&body);
    let action = form.get("Action").map(String::as_str).unwrap_or("");
    count_global(shared, action);
    let caller = shared
        .org
        .account_of(access_key_from_authorization(&authorization));
    let (status, text) = if shared.is_expired(&authorization) {
        (
            403,
            super::sts::error_xml(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
        )
    } else if action == "GetCallerIdentity" {
        (
            200,
            super::sts::caller_identity_xml(
                &caller.account,
                &caller.arn,
                &super::model::new_key_id(&mut fastrand::Rng::new(), false),
            ),
        )
    } else if action == "AssumeRole" {
        shared.org.assume_role(&form, &caller, wall_clock_now())
    } else {
        (
            400,
            super::sts::error_xml(
                "InvalidAction",
                "This simulator answers the STS actions GetCallerIdentity and AssumeRole.",
            ),
        )
    };
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml"),
    );
    response
}

/// A JSON 1.1 body, or `{}` when it is not one (the operation then says what is missing).
pub(super) async fn json_body(req: Request<Incoming>, shared: &Shared) -> Value {
    let body = Limited::new(req.into_body(), shared.config.max_body_bytes)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    serde_json::from_slice(&body).unwrap_or_else(|_| json!({}))
}

/// Organizations (JSON 1.1), for the caller's account.
async fn organizations(req: Request<Incoming>, shared: &Shared, op: &str) -> HttpResponse {
    let authorization = authorization_of(&req);
    count_global(shared, op);
    if shared.is_expired(&authorization) {
        return fault_response(&Fault::expired_token());
    }
    let input = json_body(req, shared).await;
    let caller = shared
        .org
        .account_of(access_key_from_authorization(&authorization));
    let (status, text) = shared.org.organizations(op, &input, &caller);
    json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        text,
    )
}

fn count_global(shared: &Shared, op: &str) {
    *shared
        .stats
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .global
        .entry(op.to_string())
        .or_default() += 1;
}

/// Seconds since the Unix epoch by this machine's clock: session expirations are compared with
/// the client's clock, not the simulated one.
fn wall_clock_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `/_sim/stats`, `/_sim/stats/reset`, `/_sim/clock`, `/_sim/clock/advance?seconds=N`,
/// `/_sim/credentials/expire?key=AKID`, `/_sim/credentials/renew`.
fn admin(req: Request<Incoming>, shared: &Shared) -> HttpResponse {
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or("");
    match (req.method(), path) {
        (&Method::GET, "/_sim/stats") => {
            json_response(StatusCode::OK, shared.stats_json().to_string())
        }
        (&Method::POST, "/_sim/stats/reset") => {
            shared.reset_stats();
            json_response(StatusCode::OK, "{}".into())
        }
        (&Method::POST, "/_sim/credentials/expire") => {
            match query.split('&').find_map(|kv| kv.strip_prefix("key=")) {
                Some(key) if !key.is_empty() => {
                    shared
                        .expired_keys
                        .write()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(key.to_string());
                    json_response(StatusCode::OK, "{}".into())
                }
                _ => json_response(
                    StatusCode::BAD_REQUEST,
                    json!({ "message": "expected ?key=ACCESS_KEY_ID" }).to_string(),
                ),
            }
        }
        (&Method::POST, "/_sim/credentials/renew") => {
            shared
                .expired_keys
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
            json_response(StatusCode::OK, "{}".into())
        }
        (&Method::GET, "/_sim/clock") => json_response(
            StatusCode::OK,
            json!({ "now": shared.clock.now() }).to_string(),
        ),
        (&Method::POST, "/_sim/clock/advance") => {
            // At most a century at a time: a clock pushed past what a Duration or the key
            // dates can hold would panic the handler.
            const MAX_ADVANCE: f64 = 100.0 * 365.0 * 86_400.0;
            let seconds = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("seconds="))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|s| s.is_finite() && (0.0..=MAX_ADVANCE).contains(s))
                .and_then(|s| Duration::try_from_secs_f64(s).ok());
            match seconds {
                Some(by) => {
                    shared.clock.advance(by);
                    json_response(
                        StatusCode::OK,
                        json!({ "now": shared.clock.now() }).to_string(),
                    )
                }
                None => json_response(
                    StatusCode::BAD_REQUEST,
                    json!({ "message": "expected ?seconds=N with 0 ≤ N ≤ 3153600000 (a century)" })
                        .to_string(),
                ),
            }
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({ "message": format!("no admin route {} {path}", req.method()) }).to_string(),
        ),
    }
}

/// The request's `Authorization` header (empty when there is none).
fn authorization_of(req: &Request<Incoming>) -> String {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The access key ID of a SigV4 `Authorization` header.
pub fn access_key_from_authorization(header: &str) -> Option<&str> {
    let credential = header.split("Credential=").nth(1)?;
    credential.split('/').next().filter(|k| !k.is_empty())
}

/// The Region of a SigV4 `Authorization` header: `Credential=AKID/DATE/REGION/kms/aws4_request`.
pub fn region_from_authorization(header: &str) -> Option<String> {
    let credential = header.split("Credential=").nth(1)?;
    let scope = credential.split([',', ' ']).next()?;
    let region = scope.split('/').nth(2)?;
    (!region.is_empty()).then(|| region.to_string())
}

fn json_response(status: StatusCode, body: String) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(id) =
        hyper::header::HeaderValue::from_str(&super::ops::uuid_like(&mut fastrand::Rng::new()))
    {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn fault_response(fault: &Fault) -> HttpResponse {
    json_response(
        StatusCode::from_u16(fault.status).unwrap_or(StatusCode::BAD_REQUEST),
        fault.body(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_comes_from_the_sigv4_credential_scope() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/eu-west-1/kms/aws4_request, \
                      SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(
            region_from_authorization(header).as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_from_authorization("Bearer x"), None);
    }
}
