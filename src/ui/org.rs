//! The accounts of an organization-wide window: one section of the grid per account, under a
//! header row that names it (ID, name, how it was entered, families and findings, or why it
//! could not be read) and collapses it.
//!
//! The account being worked in lives in the `App`'s own fields (inventory, audit,
//! filters, coverage), so every panel and dialog acts through that account's clients; the
//! others wait in their slots with everything that belongs to them, their scans still
//! running. Acting on another account's family first makes that account the one worked in
//! (`app/accounts.rs`). This module draws and holds; it does not know the App.

use std::collections::BTreeMap;

use egui::Ui;

use super::audit_panel::AuditPanel;
use super::command::Command;
use super::filter_bar::FilterBar;
use super::grid::{self, GridContext};
use crate::domain::Region;
use crate::domain::account::Account;
use crate::domain::coverage::{RegionCoverage, region_coverage};
use crate::jobs::{EstateView, Inventory};

/// Estate, baseline and known-tags revisions a derived view was computed at.
pub(crate) type Revisions = (u64, u64, u64);

/// Everything that belongs to one account and follows it when another is worked in.
pub struct AccountState {
    pub inventory: Inventory,
    pub audit: AuditPanel,
    pub filters: FilterBar,
    pub coverage: Option<(Revisions, BTreeMap<Region, RegionCoverage>)>,
}

impl AccountState {
    pub fn new(inventory: Inventory) -> AccountState {
        AccountState {
            inventory,
            audit: AuditPanel::default(),
            filters: FilterBar::default(),
            coverage: None,
        }
    }
}

/// One account of the window.
pub struct AccountSlot {
    pub account: Account,
    /// The account's state while another is worked in; `None` for the account worked in (its
    /// state is the App's) and for an account that could not be entered.
    pub parked: Option<AccountState>,
    /// Whether it could be entered (its families can be read).
    pub entered: bool,
    pub collapsed: bool,
}

impl AccountSlot {
    pub fn new(account: Account, inventory: Option<Inventory>) -> AccountSlot {
        AccountSlot {
            entered: inventory.is_some(),
            parked: inventory.map(AccountState::new),
            account,
            collapsed: false,
        }
    }
}

/// Each Region's coverage for `estate_view`'s estate, recounted only when the estate, the
/// baseline or the known tags change.
fn update_coverage(
    cache: &mut Option<(Revisions, BTreeMap<Region, RegionCoverage>)>,
    estate_view: &dyn EstateView,
    baseline: (&crate::domain::baseline::Baseline, u64),
    filters: &FilterBar,
) {
    let at = (
        estate_view.estate().revision(),
        baseline.1,
        filters.tags_revision(),
    );
    if cache.as_ref().is_none_or(|(seen, _)| *seen != at) {
        let counted = region_coverage(estate_view.estate(), baseline.0, filters.known_tags());
        *cache = Some((at, counted));
    }
}

/// What one account's grid is drawn from: its own estate and the work on it, audit, filters and coverage.
pub struct GridParts<'a> {
    pub estate_view: &'a dyn EstateView,
    pub audit: &'a AuditPanel,
    pub filters: &'a mut FilterBar,
    pub coverage: &'a mut Option<(Revisions, BTreeMap<Region, RegionCoverage>)>,
    pub selected: Option<&'a crate::domain::MrkId>,
    pub changed: &'a std::collections::HashMap<(crate::domain::MrkId, Region), String>,
    /// The keyboard's cell (the account worked in only).
    pub cursor: Option<&'a grid::GridCursor>,
    /// The Usage view (the account worked in only).
    pub usage: Option<&'a grid::UsageView>,
}

/// Draws one account's grid (`section`: its place among several accounts'), the rows and the
/// coverage brought up to date first (both cached on what they are computed from).
pub fn show_grid(
    ui: &mut Ui,
    parts: GridParts<'_>,
    baseline: (&crate::domain::baseline::Baseline, u64),
    read_only: bool,
    section: Option<usize>,
    commands: &mut Vec<Command>,
) {
    let GridParts {
        estate_view,
        audit,
        filters,
        coverage,
        selected,
        changed,
        cursor,
        usage,
    } = parts;
    update_coverage(coverage, estate_view, baseline, filters);
    filters.update_rows(estate_view.estate(), &audit.family_markers, audit.revision);
    let no_coverage = BTreeMap::new();
    let context = GridContext {
        selected,
        read_only,
        rows: filters.rows(),
        sort: (filters.query.sort, filters.query.descending),
        markers: &audit.family_markers,
        cell_markers: &audit.cell_markers,
        changed,
        props: audit.props(),
        baseline: baseline.0,
        tags: filters.known_tags(),
        coverage: coverage.as_ref().map_or(&no_coverage, |(_, c)| c),
        section,
        cursor,
        usage,
    };
    grid::show(ui, estate_view, &context, commands);
}
