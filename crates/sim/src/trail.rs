//! CloudTrail, as KMS_FACTS.md §6 has it: a record of each KMS call that changes a key or uses
//! it (management writes and cryptographic operations, failures with their `errorCode`), kept
//! per account and Region, and `LookupEvents` over them (one lookup attribute, a time range,
//! at most 50 a page with a `NextToken`, newest first, the last 90 days). Read-only management
//! calls (DescribeKey, List*, Get*) are not kept: a scan of 10,000 families would otherwise
//! hold hundreds of thousands of records, and nothing here asks for them.

use std::collections::VecDeque;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::error::{Fault, OpResult};
use crate::model::DAY;

/// Records kept per account, oldest dropped first.
const KEPT: usize = 200_000;
/// LookupEvents looks this far back.
const WINDOW: f64 = 90.0 * DAY;

/// Cryptographic operations: recorded, read-only in CloudTrail's sense.
const CRYPTO: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "ReEncrypt",
    "GenerateMac",
    "VerifyMac",
    "Sign",
    "Verify",
    "Encapsulate",
    "Decapsulate",
];

/// Whether a call of `op` is kept in the trail.
pub fn is_recorded(op: &str) -> bool {
    CRYPTO.contains(&op) || crate::ops::MUTATING.contains(&op)
}

/// Who made a call, as the record's `userIdentity` names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub arn: String,
    pub access_key_id: String,
    pub source_ip: String,
    /// `kms.amazonaws.com` or `AWS Internal` for calls a service made.
    pub invoked_by: Option<String>,
}

/// One CloudTrail record.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEvent {
    pub event_id: String,
    pub event_name: String,
    /// Seconds since the Unix epoch.
    pub time: f64,
    pub region: String,
    pub account: String,
    pub caller: Caller,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: String,
    /// Key ARNs the call was about.
    pub resources: Vec<String>,
    pub request_parameters: Value,
}

impl TrailEvent {
    fn read_only(&self) -> bool {
        CRYPTO.contains(&self.event_name.as_str())
    }

    fn username(&self) -> &str {
        if self.caller.arn.is_empty() {
            return "AWS Internal";
        }
        self.caller
            .arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(&self.caller.arn)
    }

    /// The record as CloudTrail's `CloudTrailEvent` string carries it.
    fn record(&self) -> Value {
        let mut identity = json!({
            "type": if self.caller.arn.contains(":assumed-role/") { "AssumedRole" } else { "IAMUser" },
            "accountId": self.account,
        });
        // KMS acting on its own (SynchronizeMultiRegionKey) names no ARN and no access key.
        if self.caller.arn.is_empty() {
            identity["type"] = json!("AWSService");
        } else {
            identity["arn"] = json!(self.caller.arn);
            identity["accessKeyId"] = json!(self.caller.access_key_id);
        }
        if let Some(by) = &self.caller.invoked_by {
            identity["invokedBy"] = json!(by);
        }
        let mut record = json!({
            "eventVersion": "1.08",
            "userIdentity": identity,
            "eventTime": crate::org::iso8601(self.time),
            "eventSource": "kms.amazonaws.com",
            "eventName": self.event_name,
            "awsRegion": self.region,
            "sourceIPAddress": self.caller.source_ip,
            "userAgent": "kms-replica-sim",
            "requestParameters": self.request_parameters,
            "responseElements": Value::Null,
            "requestID": self.request_id,
            "eventID": self.event_id,
            "readOnly": self.read_only(),
            "resources": self.resources.iter().map(|arn| json!({
                "accountId": self.account, "type": "AWS::KMS::Key", "ARN": arn,
            })).collect::<Vec<_>>(),
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        });
        if let Some(code) = &self.error_code {
            record["errorCode"] = json!(code);
            record["errorMessage"] = json!(self.error_message.clone().unwrap_or_default());
        }
        record
    }

    /// The record as LookupEvents returns it.
    fn lookup_entry(&self) -> Value {
        json!({
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": self.read_only().to_string(),
            "AccessKeyId": self.caller.access_key_id,
            "EventTime": self.time,
            "EventSource": "kms.amazonaws.com",
            "Username": self.username(),
            "Resources": self.resources.iter().map(|arn| json!({
                "ResourceType": "AWS::KMS::Key", "ResourceName": arn,
            })).collect::<Vec<_>>(),
            "CloudTrailEvent": self.record().to_string(),
        })
    }

    fn matches(&self, key: &str, value: &str) -> bool {
        match key {
            "EventId" => self.event_id == value,
            "EventName" => self.event_name == value,
            "ReadOnly" => self.read_only().to_string() == value,
            "Username" => self.username() == value,
            "ResourceType" => value == "AWS::KMS::Key" && !self.resources.is_empty(),
            "ResourceName" => self.resources.iter().any(|r| r == value),
            "EventSource" => value == "kms.amazonaws.com",
            "AccessKeyId" => self.caller.access_key_id == value,
            _ => false,
        }
    }
}

/// An account's trail, oldest first.
#[derive(Debug, Default)]
pub struct Trail {
    events: VecDeque<TrailEvent>,
}

impl Trail {
    /// Moves the records of calls named in `names` back by `by` seconds (an estate imagined
    /// as made long ago was made then).
    pub fn backdate(&mut self, names: &[&str], by: f64) {
        for event in &mut self.events {
            if names.contains(&event.event_name.as_str()) {
                event.time -= by;
            }
        }
    }

    pub fn push(&mut self, event: TrailEvent) {
        if self.events.len() == KEPT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// LookupEvents in `region` at simulated time `now`.
    pub fn lookup(&self, region: &str, input: &Value, now: f64) -> OpResult {
        let attribute = lookup_attribute(input)?;
        let (start, end) = time_range(input, now)?;
        let max = max_results(input)?;
        let fingerprint = format!("{attribute:?}|{start}|{end}");
        let skip = match input.get("NextToken").and_then(Value::as_str) {
            None => 0,
            Some(token) => decode_token(token, &fingerprint)?,
        };
        let mut matching: Vec<&TrailEvent> = self
            .events
            .iter()
            .rev()
            .filter(|e| e.region == region && e.time >= start && e.time <= end)
            .filter(|e| {
                attribute
                    .as_ref()
                    .is_none_or(|(key, value)| e.matches(key, value))
            })
            .collect();
        // Newest first (imagined traffic is written after the calls it predates).
        matching.sort_by(|a, b| b.time.total_cmp(&a.time));
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(max)
            .map(|e| e.lookup_entry())
            .collect();
        let mut out = json!({ "Events": page });
        if skip + max < matching.len() {
            out["NextToken"] = json!(encode_token(skip + max, &fingerprint));
        }
        Ok(out)
    }
}

fn lookup_attribute(input: &Value) -> Result<Option<(String, String)>, Fault> {
    let Some(list) = input.get("LookupAttributes") else {
        return Ok(None);
    };
    let items = list
        .as_array()
        .ok_or_else(|| invalid_attributes("must be a list"))?;
    match items.as_slice() {
        [] => Ok(None),
        [item] => {
            let key = item.get("AttributeKey").and_then(Value::as_str);
            let value = item.get("AttributeValue").and_then(Value::as_str);
            const KEYS: &[&str] = &[
                "EventId",
                "EventName",
                "ReadOnly",
                "Username",
                "ResourceType",
                "ResourceName",
                "EventSource",
                "AccessKeyId",
            ];
            match (key, value) {
                (Some(k), Some(v)) if KEYS.contains(&k) && (1..=2000).contains(&v.len()) => {
                    Ok(Some((k.to_string(), v.to_string())))
                }
                _ => Err(invalid_attributes(
                    "each needs an AttributeKey CloudTrail knows and a value of 1-2000 characters",
                )),
            }
        }
        _ => Err(invalid_attributes("the list can contain only one item")),
    }
}

fn invalid_attributes(why: &str) -> Fault {
    Fault::trail(
        "InvalidLookupAttributesException",
        format!("Invalid lookup attributes: {why}."),
    )
}

fn time_range(input: &Value, now: f64) -> Result<(f64, f64), Fault> {
    let end = input.get("EndTime").and_then(Value::as_f64).unwrap_or(now);
    let start = input
        .get("StartTime")
        .and_then(Value::as_f64)
        .unwrap_or(now - WINDOW)
        .max(now - WINDOW);
    if start > end {
        return Err(Fault::trail(
            "InvalidTimeRangeException",
            "Start time must be before the end time.",
        ));
    }
    Ok((start, end))
}

fn max_results(input: &Value) -> Result<usize, Fault> {
    match input.get("MaxResults") {
        None | Some(Value::Null) => Ok(50),
        Some(v) => match v.as_u64() {
            Some(n @ 1..=50) => Ok(n as usize),
            _ => Err(Fault::trail(
                "InvalidMaxResultsException",
                "MaxResults must be between 1 and 50.",
            )),
        },
    }
}

/// A token names where the next page starts, for these parameters only: reused with others
/// it is refused, as CloudTrail refuses it.
fn encode_token(skip: usize, fingerprint: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{skip}|{fingerprint}"))
}

fn decode_token(token: &str, fingerprint: &str) -> Result<usize, Fault> {
    let invalid = || Fault::trail("InvalidNextTokenException", "Invalid NextToken.");
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let (skip, rest) = text.split_once('|').ok_or_else(invalid)?;
    if rest != fingerprint {
        return Err(invalid());
    }
    skip.parse().map_err(|_| invalid())
}
