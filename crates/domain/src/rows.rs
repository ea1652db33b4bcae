//! Which families the grid shows, and in what order: the search, the filters and the sort,
//! applied to the estate.
//!
//! Pure, so the UI can cache the result (recomputing only when the query or the estate changes,
//! which keeps typing in the search box smooth at 10,000 families) and tests need no egui.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::estate::{Cell, Estate, Family, KeyEntry};
use super::key::{KeyState, MrkId, Role};
use super::region::Region;
use super::tags::Tag;

/// What the grid is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    KeyId,
    /// The row's label alias (families without one last).
    Alias,
    /// How many Regions hold a key of the family.
    Coverage,
    /// The family's cell in one Region: primaries, then replicas, then keys reported or
    /// unreadable there, then absent.
    Region(Region),
}

impl SortKey {
    pub fn label(self) -> String {
        match self {
            SortKey::KeyId => "Key ID".into(),
            SortKey::Alias => "Alias".into(),
            SortKey::Coverage => "Regions covered".into(),
            SortKey::Region(r) => format!("Cell in {r}"),
        }
    }
}

/// A tag filter as typed: `key` (any value) or `key=value`, both case-sensitive as in KMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    pub value: Option<String>,
}

impl TagFilter {
    /// `None` for blank input.
    pub fn parse(text: &str) -> Option<TagFilter> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(match text.split_once('=') {
            Some((key, value)) => TagFilter {
                key: key.trim().to_string(),
                value: Some(value.trim().to_string()),
            },
            None => TagFilter {
                key: text.to_string(),
                value: None,
            },
        })
    }

    pub fn matches(&self, tags: &[Tag]) -> bool {
        tags.iter()
            .any(|t| t.key == self.key && self.value.as_ref().is_none_or(|v| &t.value == v))
    }
}

/// Everything that decides the grid's rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowQuery {
    /// Part of the key ID or of any alias, case-insensitive.
    pub search: String,
    /// Some key of the family is in this state.
    pub state: Option<KeyState>,
    /// The family's tags (its primary's) match.
    pub tag: Option<TagFilter>,
    /// The family has no key in this Region.
    pub missing_in: Option<Region>,
    /// Only families with audit findings.
    pub only_with_findings: bool,
    pub sort: SortKey,
    pub descending: bool,
}

impl RowQuery {
    /// True when every family is shown in the estate's own order (key ID, ascending).
    pub fn is_identity(&self) -> bool {
        self.search.trim().is_empty()
            && self.state.is_none()
            && self.tag.is_none()
            && self.missing_in.is_none()
            && !self.only_with_findings
            && self.sort == SortKey::KeyId
            && !self.descending
    }
}

/// What the filters need besides the estate: facts fetched later than the scan.
pub struct RowFacts<'a> {
    /// Tags per family (its primary's), for the families whose tags have been read.
    pub tags: &'a HashMap<MrkId, Vec<Tag>>,
    /// Families with audit findings.
    pub findings: &'a dyn Fn(&MrkId) -> bool,
}

/// The families to show, in order.
pub fn select_rows(estate: &Estate, query: &RowQuery, facts: &RowFacts<'_>) -> Vec<MrkId> {
    let search = query.search.trim().to_lowercase();
    let mut rows: Vec<(&MrkId, &Family)> = estate
        .families()
        .filter(|(id, family)| search.is_empty() || matches_search(id, family, &search))
        .filter(|(_, family)| {
            query
                .state
                .as_ref()
                .is_none_or(|state| family.described().any(|k| &k.state == state))
        })
        .filter(|(id, _)| {
            query
                .tag
                .as_ref()
                .is_none_or(|filter| facts.tags.get(*id).is_some_and(|tags| filter.matches(tags)))
        })
        .filter(|(id, _)| {
            query
                .missing_in
                .is_none_or(|r| !matches!(estate.cell(id, r), Cell::Primary(_) | Cell::Replica(_)))
        })
        .filter(|(id, _)| !query.only_with_findings || (facts.findings)(id))
        .collect();
    // Families come out of the estate in key ID order; a stable sort keeps that as the tie-break.
    match query.sort {
        SortKey::KeyId => {}
        SortKey::Alias => rows.sort_by(|a, b| by_alias(a.1, b.1)),
        SortKey::Coverage => {
            rows.sort_by_cached_key(|(_, f)| std::cmp::Reverse(f.described().count()))
        }
        SortKey::Region(region) => rows.sort_by_cached_key(|(_, f)| cell_rank(f, region)),
    }
    if query.descending {
        rows.reverse();
    }
    rows.into_iter().map(|(id, _)| id.clone()).collect()
}

/// Aliases of Regions no longer scanned were dropped with them, so every alias left counts.
/// The key spec counts too ("ml_dsa", "hmac", "edwards"): a family's spec is its keys'.
fn matches_search(id: &MrkId, family: &Family, search: &str) -> bool {
    contains_lowercase(id.as_str(), search)
        || family.all_aliases().any(|a| contains_lowercase(a, search))
        || family
            .described()
            .next()
            .is_some_and(|k| contains_lowercase(&k.key_spec, search))
}

/// `haystack.to_lowercase().contains(needle)` without allocating for ASCII text (key IDs and
/// alias names are ASCII), which is most of the search's cost at 10,000 families.
fn contains_lowercase(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

fn by_alias(a: &Family, b: &Family) -> Ordering {
    match (a.first_alias(), b.first_alias()) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The order of a Region's cells when sorting by that Region, from the family alone (a whole
/// Region that failed ranks every family alike, so its status does not matter here).
fn cell_rank(family: &Family, region: Region) -> u8 {
    match family.entry(region) {
        Some(KeyEntry::Described(k)) if k.role() == Role::Primary => 0,
        Some(KeyEntry::Described(_)) => 1,
        Some(KeyEntry::Failed { .. }) => 3,
        None if family.reported_in(region).is_some() => 2,
        None => 4,
    }
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
