//! CloudTrail's endpoint in the simulator: LookupEvents over an account's trail, with the
//! knobs KMS calls have (statistics, injected faults, the quota).

use hyper::Request;
use hyper::StatusCode;
use hyper::body::Incoming;

use super::{
    FaultKind, HttpResponse, Shared, access_key_from_authorization, authorization_of, bump,
    fault_response, json_body, json_response, region_from_authorization,
};
use crate::error::Fault;

/// CloudTrail's LookupEvents over the account's trail in the Region of the signature, with
/// the knobs KMS calls have: statistics, injected faults, its quota of 2 per second.
pub(super) async fn cloudtrail(req: Request<Incoming>, shared: &Shared, op: &str) -> HttpResponse {
    let authorization = authorization_of(&req);
    if shared.is_expired(&authorization) {
        return fault_response(&Fault::expired_token());
    }
    let Some(region) = region_from_authorization(&authorization) else {
        return fault_response(&Fault::missing_auth(
            "Missing Authentication Token: the request carries no SigV4 credential scope.",
        ));
    };
    let input = json_body(req, shared).await;
    let account = shared
        .org
        .account_of(access_key_from_authorization(&authorization))
        .account;
    bump(
        &mut shared
            .stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .requests,
        &region,
        op,
    );
    match shared.pick_fault(&region, op) {
        Some(FaultKind::Deny) => return fault_response(&Fault::access_denied(op)),
        Some(FaultKind::Throttle) => return fault_response(&Fault::throttling()),
        Some(_) => return fault_response(&Fault::internal()),
        None => {}
    }
    if op != "LookupEvents" {
        return fault_response(&Fault::unknown_operation(format!(
            "The operation {op} is not supported by this CloudTrail simulator."
        )));
    }
    if !shared.within_quota(&account, &region, op, &input) {
        return fault_response(&Fault::throttling());
    }
    let now = shared.clock.now();
    let result = match shared.kms.get(&account) {
        Some(kms) => kms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .trail
            .lookup(&region, &input, now),
        None => Err(Fault::unrecognized_client(
            "The security token included in the request is invalid.",
        )),
    };
    match result {
        Ok(out) => json_response(StatusCode::OK, out.to_string()),
        Err(fault) => fault_response(&fault),
    }
}
