//! Specifications of the grid's search, filters and sort.

use super::*;
use crate::estate::{KeyEntry, RegionScan};
use crate::key::{KeyInfo, Role};
use crate::test_keys;

const A: &str = "mrk-aaaa0000000000000000000000000001";
const B: &str = "mrk-bbbb0000000000000000000000000002";
const C: &str = "mrk-cccc0000000000000000000000000003";

fn region(name: &str) -> Region {
    name.parse().unwrap()
}

fn id(s: &str) -> MrkId {
    MrkId::parse(s).unwrap()
}

fn key(family: &str, r: &str, role: Role, state: KeyState) -> KeyEntry {
    KeyEntry::Described(Box::new(KeyInfo {
        key_id: id(family),
        state,
        ..test_keys::key(r, role, "us-east-1", &[])
    }))
}

/// A: primary us-east-1 (Enabled) + replicas eu-west-1 and ap-southeast-2, alias "alias/zeta";
/// B: primary us-east-1 (Disabled) + replica eu-west-1, alias "alias/Payments";
/// C: primary eu-west-1 (PendingDeletion), no alias.
fn estate() -> Estate {
    use KeyState::*;
    let mut estate = Estate::new(vec![
        region("us-east-1"),
        region("eu-west-1"),
        region("ap-southeast-2"),
    ]);
    estate.apply_scan(
        region("us-east-1"),
        RegionScan {
            keys: vec![
                key(A, "us-east-1", Role::Primary, Enabled),
                key(B, "us-east-1", Role::Primary, Disabled),
            ],
            aliases: vec![
                ("alias/zeta".into(), A.into()),
                ("alias/Payments".into(), B.into()),
            ],
        },
    );
    estate.apply_scan(
        region("eu-west-1"),
        RegionScan {
            keys: vec![
                key(A, "eu-west-1", Role::Replica, Enabled),
                key(B, "eu-west-1", Role::Replica, Enabled),
                key(C, "eu-west-1", Role::Primary, PendingDeletion),
            ],
            aliases: vec![],
        },
    );
    estate.apply_scan(
        region("ap-southeast-2"),
        RegionScan {
            keys: vec![key(A, "ap-southeast-2", Role::Replica, Enabled)],
            aliases: vec![],
        },
    );
    estate
}

fn rows(query: RowQuery) -> Vec<String> {
    rows_with(query, &HashMap::new(), &|_| false)
}

fn rows_with(
    query: RowQuery,
    tags: &HashMap<MrkId, Vec<Tag>>,
    findings: &dyn Fn(&MrkId) -> bool,
) -> Vec<String> {
    select_rows(&estate(), &query, &RowFacts { tags, findings })
        .into_iter()
        .map(|id| id.as_str()[..8].to_string())
        .collect()
}

#[test]
fn no_query_shows_every_family_in_key_id_order() {
    assert!(RowQuery::default().is_identity());
    assert_eq!(
        rows(RowQuery::default()),
        ["mrk-aaaa", "mrk-bbbb", "mrk-cccc"]
    );
}

#[test]
fn search_matches_part_of_the_key_id_or_any_alias_ignoring_case() {
    let search = |s: &str| {
        rows(RowQuery {
            search: s.into(),
            ..RowQuery::default()
        })
    };
    assert_eq!(search("BBBB"), ["mrk-bbbb"]);
    assert_eq!(search("payments"), ["mrk-bbbb"]);
    assert_eq!(search("alias/"), ["mrk-aaaa", "mrk-bbbb"]);
    assert!(search("nothing-like-it").is_empty());
    assert_eq!(search("symmetric").len(), 3, "the key spec is searched too");
}

#[test]
fn search_finds_a_family_by_a_new_key_spec() {
    let mut estate = estate();
    let mut ml_dsa = test_keys::key("ap-southeast-2", Role::Primary, "ap-southeast-2", &[]);
    ml_dsa.key_id = id("mrk-dddd");
    ml_dsa.key_spec = "ML_DSA_65".into();
    ml_dsa.key_usage = "SIGN_VERIFY".into();
    estate.upsert_key(ml_dsa);
    let query = RowQuery {
        search: "ml_dsa".into(),
        ..RowQuery::default()
    };
    let facts_tags = HashMap::new();
    let findings = |_: &MrkId| false;
    let facts = RowFacts {
        tags: &facts_tags,
        findings: &findings,
    };
    let found: Vec<String> = select_rows(&estate, &query, &facts)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["mrk-dddd"]);
}

#[test]
fn state_filter_keeps_families_with_any_key_in_that_state() {
    let only = |state| {
        rows(RowQuery {
            state: Some(state),
            ..RowQuery::default()
        })
    };
    assert_eq!(only(KeyState::Disabled), ["mrk-bbbb"]);
    assert_eq!(only(KeyState::Enabled), ["mrk-aaaa", "mrk-bbbb"]);
    assert!(only(KeyState::Creating).is_empty());
}

#[test]
fn tag_filter_matches_a_key_or_a_key_and_value_among_known_tags() {
    let tags = HashMap::from([
        (id(A), vec![Tag::new("team", "payments")]),
        (id(B), vec![Tag::new("team", "identity")]),
    ]);
    let with = |text: &str| {
        rows_with(
            RowQuery {
                tag: TagFilter::parse(text),
                ..RowQuery::default()
            },
            &tags,
            &|_| false,
        )
    };
    assert_eq!(
        with("team"),
        ["mrk-aaaa", "mrk-bbbb"],
        "C's tags are unknown"
    );
    assert_eq!(with("team=identity"), ["mrk-bbbb"]);
    assert_eq!(with(" team = payments "), ["mrk-aaaa"]);
    assert!(
        with("Team").is_empty(),
        "tag keys are case-sensitive in KMS"
    );
}

#[test]
fn blank_tag_filter_is_no_filter() {
    assert_eq!(TagFilter::parse("   "), None);
}

#[test]
fn missing_in_keeps_families_without_a_key_in_that_region() {
    let rows = rows(RowQuery {
        missing_in: Some(region("ap-southeast-2")),
        ..RowQuery::default()
    });
    assert_eq!(rows, ["mrk-bbbb", "mrk-cccc"]);
}

#[test]
fn only_with_findings_asks_the_audit() {
    let a = id(A);
    let rows = rows_with(
        RowQuery {
            only_with_findings: true,
            ..RowQuery::default()
        },
        &HashMap::new(),
        &|f| f == &a,
    );
    assert_eq!(rows, ["mrk-aaaa"]);
}

#[test]
fn sort_by_alias_puts_families_without_an_alias_last() {
    let rows = rows(RowQuery {
        sort: SortKey::Alias,
        ..RowQuery::default()
    });
    assert_eq!(rows, ["mrk-bbbb", "mrk-aaaa", "mrk-cccc"]);
}

#[test]
fn sort_by_coverage_puts_the_widest_family_first_and_descending_reverses() {
    let query = RowQuery {
        sort: SortKey::Coverage,
        ..RowQuery::default()
    };
    assert_eq!(rows(query.clone()), ["mrk-aaaa", "mrk-bbbb", "mrk-cccc"]);
    let reversed = rows(RowQuery {
        descending: true,
        ..query
    });
    assert_eq!(reversed, ["mrk-cccc", "mrk-bbbb", "mrk-aaaa"]);
}

#[test]
fn sort_by_region_puts_primaries_then_replicas_then_absent() {
    let rows = rows(RowQuery {
        sort: SortKey::Region(region("eu-west-1")),
        ..RowQuery::default()
    });
    assert_eq!(rows, ["mrk-cccc", "mrk-aaaa", "mrk-bbbb"]);
}

#[test]
fn filters_combine() {
    let rows = rows(RowQuery {
        search: "alias".into(),
        state: Some(KeyState::Disabled),
        ..RowQuery::default()
    });
    assert_eq!(rows, ["mrk-bbbb"]);
}
