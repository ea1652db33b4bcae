//! A family's trail: who changed or used each of its keys, when, from where, and whether the
//! call failed — from CloudTrail (LookupEvents by the key's ARN, Region by Region, the last 90
//! days) — with the calls this app made matched to its own journal by request ID. Pure: `aws`
//! reads the records, `jobs` fetches them, the CLI and the details panel show them.

use std::collections::HashMap;

use serde::Serialize;

use super::audit::FindingKind;
use super::history::JournalEntry;

/// One CloudTrail record about a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEvent {
    /// Seconds since the Unix epoch.
    pub time: i64,
    pub region: String,
    pub account: String,
    pub event_name: String,
    /// Who made the call (the record's `userIdentity.arn`); `None` when the record names no
    /// ARN (a service acting on its own).
    pub identity_arn: Option<String>,
    pub source_ip: Option<String>,
    /// The error KMS answered (`DisabledException`, `AccessDenied`…); `None` when it succeeded.
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    pub event_id: String,
}

/// A record in a family's trail, and what this app's journal says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEntry {
    #[serde(flatten)]
    pub event: TrailEvent,
    /// Whether this app made the call (its request ID is in the journal).
    pub from_this_app: bool,
    /// Where in this app: `the window`, `apply of PLAN`.
    pub app_source: Option<String>,
}

impl TrailEvent {
    /// Whether this is a refused use of a disabled key: what a retirement waits out.
    pub fn is_disabled_refusal(&self) -> bool {
        self.error_code.as_deref() == Some("DisabledException")
    }
}

/// The calls that change a key (not the ones that use it), by the kind of drift they explain.
fn changes_of(kind: FindingKind) -> &'static [&'static str] {
    match kind {
        FindingKind::PolicyDrift
        | FindingKind::DefaultPolicyReplica
        | FindingKind::PublicAccess => &["PutKeyPolicy", "CreateKey", "ReplicateKey"],
        FindingKind::TagDrift => &["TagResource", "UntagResource", "CreateKey", "ReplicateKey"],
        FindingKind::DescriptionDrift => &["UpdateKeyDescription", "CreateKey", "ReplicateKey"],
        FindingKind::AliasDrift => &["CreateAlias", "DeleteAlias", "UpdateAlias"],
        FindingKind::GrantMissing | FindingKind::GrantExtra => {
            &["CreateGrant", "RevokeGrant", "RetireGrant"]
        }
        _ => &[],
    }
}

/// Whether `audit --provenance` says who last changed the key a finding of `kind` is about.
pub fn explains(kind: FindingKind) -> bool {
    !changes_of(kind).is_empty()
}

/// The newest successful call among `events` (one key's, in its Region) that could have made a
/// drift of `kind`: who last changed what the finding is about.
pub fn last_change(events: &[TrailEvent], kind: FindingKind) -> Option<&TrailEvent> {
    let changes = changes_of(kind);
    events
        .iter()
        .filter(|e| e.error_code.is_none() && changes.contains(&e.event_name.as_str()))
        .max_by_key(|e| e.time)
}

/// "Last changed by ARN at TIME (PutKeyPolicy)." for a finding's message.
pub fn provenance_note(event: Option<&TrailEvent>) -> String {
    match event {
        Some(e) => format!(
            " Last changed by {} at {} ({}).",
            e.identity_arn.as_deref().unwrap_or("AWS"),
            super::key::format_utc(e.time),
            e.event_name
        ),
        None => " No change to it in CloudTrail's 90 days.".into(),
    }
}

/// The records of every Region newest first, each matched to the journal by request ID.
pub fn family_trail(mut events: Vec<TrailEvent>, journal: &[JournalEntry]) -> Vec<TrailEntry> {
    let by_request: HashMap<&str, &JournalEntry> = journal
        .iter()
        .filter_map(|e| Some((e.request_id.as_deref()?, e)))
        .collect();
    events.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.region.cmp(&b.region)));
    events
        .into_iter()
        .map(|event| {
            let made = event
                .request_id
                .as_deref()
                .and_then(|id| by_request.get(id));
            TrailEntry {
                from_this_app: made.is_some(),
                app_source: made.and_then(|e| e.source.clone()),
                event,
            }
        })
        .collect()
}

impl TrailEntry {
    /// One line of the timeline: when, where, who, what, and how it ended.
    pub fn line(&self) -> String {
        let e = &self.event;
        let mut text = format!(
            "{} {} {} by {}",
            super::key::format_utc(e.time),
            e.region,
            e.event_name,
            e.identity_arn.as_deref().unwrap_or("AWS")
        );
        if let Some(ip) = &e.source_ip {
            text.push_str(&format!(" from {ip}"));
        }
        if let Some(code) = &e.error_code {
            text.push_str(&format!(" — failed: {code}"));
        }
        if self.from_this_app {
            let source = self
                .app_source
                .as_deref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default();
            text.push_str(&format!(" (made by kms-replica-console{source})"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64, region: &str, name: &str, request: &str) -> TrailEvent {
        TrailEvent {
            time,
            region: region.into(),
            account: "111122223333".into(),
            event_name: name.into(),
            identity_arn: Some("arn:aws:iam::111122223333:role/platform".into()),
            source_ip: Some("10.0.0.1".into()),
            error_code: None,
            request_id: Some(request.into()),
            event_id: format!("e-{time}"),
        }
    }

    fn journaled(request: &str, source: &str) -> JournalEntry {
        JournalEntry {
            time: 0,
            identity: "me".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            operation: "PutKeyPolicy".into(),
            key_id: "mrk-1".into(),
            parameters: "{}".into(),
            outcome: "ok".into(),
            request_id: Some(request.into()),
            source: Some(source.into()),
        }
    }

    #[test]
    fn every_regions_records_are_one_timeline_newest_first() {
        let trail = family_trail(
            vec![
                event(10, "us-east-1", "CreateKey", "r1"),
                event(30, "eu-west-1", "PutKeyPolicy", "r3"),
                event(20, "us-east-1", "ReplicateKey", "r2"),
            ],
            &[],
        );
        let names: Vec<&str> = trail.iter().map(|t| t.event.event_name.as_str()).collect();
        assert_eq!(names, vec!["PutKeyPolicy", "ReplicateKey", "CreateKey"]);
    }

    #[test]
    fn a_call_this_app_made_is_matched_by_request_id_and_says_from_where() {
        let trail = family_trail(
            vec![
                event(30, "eu-west-1", "PutKeyPolicy", "r3"),
                event(20, "eu-west-1", "TagResource", "r2"),
            ],
            &[journaled("r3", "apply of fix.json")],
        );
        assert!(trail[0].from_this_app);
        assert!(
            trail[0]
                .line()
                .ends_with("(made by kms-replica-console, apply of fix.json)"),
            "{}",
            trail[0].line()
        );
        assert!(!trail[1].from_this_app, "another caller's request ID");
    }

    #[test]
    fn a_failed_call_says_its_error() {
        let mut refused = event(5, "eu-west-1", "Decrypt", "r9");
        refused.error_code = Some("DisabledException".into());
        assert!(refused.is_disabled_refusal());
        let line = family_trail(vec![refused], &[])[0].line();
        assert!(line.contains("— failed: DisabledException"), "{line}");
        assert!(line.contains("by arn:aws:iam::111122223333:role/platform from 10.0.0.1"));
    }

    #[test]
    fn the_last_change_that_explains_a_drift_is_the_newest_successful_call_of_its_kind() {
        let mut failed = event(40, "eu-west-1", "PutKeyPolicy", "r4");
        failed.error_code = Some("AccessDeniedException".into());
        let events = [
            event(10, "eu-west-1", "ReplicateKey", "r1"),
            event(20, "eu-west-1", "PutKeyPolicy", "r2"),
            event(30, "eu-west-1", "TagResource", "r3"),
            failed,
        ];
        let policy = last_change(&events, FindingKind::PolicyDrift).unwrap();
        assert_eq!(
            (policy.event_name.as_str(), policy.time),
            ("PutKeyPolicy", 20)
        );
        assert_eq!(
            last_change(&events, FindingKind::TagDrift).unwrap().time,
            30
        );
        assert!(last_change(&events, FindingKind::AliasDrift).is_none());
        assert!(
            provenance_note(Some(policy))
                .starts_with(" Last changed by arn:aws:iam::111122223333:role/platform at ")
        );
        assert!(!explains(FindingKind::MissingRequiredRegion));
    }
}
