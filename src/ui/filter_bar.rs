//! The grid's filter bar (search, state, tag, sort) and the rows it selects, cached.
//!
//! Why cached: selecting and sorting 10,000 families takes a few milliseconds, too much to repeat
//! every frame; the rows are recomputed only when the query, the estate or the facts behind the
//! filters (tags, findings) change.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::command::Command;
use crate::domain::audit::PropsMap;
use crate::domain::rows::{RowFacts, RowQuery, SortKey, TagFilter, select_rows};
use crate::domain::{Estate, KeyState, MrkId, Region, Role, Tag};

/// Longest search text kept: a key ID is 36 characters and an alias at most 256. Typing past it
/// does nothing, so no amount of typing (or pasting) can grow the layout and search work
/// without bound (10,000 characters once took the GUI to gigabytes).
pub const SEARCH_LIMIT: usize = 256;

/// The search field's ID, for Ctrl+F.
pub fn search_id() -> egui::Id {
    egui::Id::unique("family-search")
}
/// A tag filter is `key=value`: a key of at most 128 characters and a value of at most 256.
const TAG_FILTER_LIMIT: usize = 128 + 1 + 256;

const STATES: [KeyState; 8] = [
    KeyState::Creating,
    KeyState::Enabled,
    KeyState::Disabled,
    KeyState::PendingDeletion,
    KeyState::PendingReplicaDeletion,
    KeyState::PendingImport,
    KeyState::Updating,
    KeyState::Unavailable,
];

/// What the rows were computed from.
#[derive(PartialEq)]
struct Inputs {
    query: RowQuery,
    estate: u64,
    findings: u64,
    tags: u64,
}

#[derive(Default)]
pub struct FilterBar {
    pub query: RowQuery,
    tag_text: String,
    /// Tags of each family's primary, as far as they have been read (tag filter, audit).
    tags: HashMap<MrkId, Vec<Tag>>,
    tags_revision: u64,
    tag_errors: usize,
    cached: Option<(Inputs, Option<Vec<MrkId>>)>,
    /// How many primaries' tags are unknown, for the estate and tags revisions it was counted at
    /// (the button shows it every frame; counting walks every family).
    unknown_count: Option<((u64, u64), usize)>,
}

impl FilterBar {
    /// Primary tags known so far, by family.
    pub fn known_tags(&self) -> &HashMap<MrkId, Vec<Tag>> {
        &self.tags
    }

    /// Changes whenever `known_tags` does.
    pub fn tags_revision(&self) -> u64 {
        self.tags_revision
    }

    /// Folds the primaries' tags read for the filter in.
    pub fn absorb_tags(&mut self, tags: HashMap<MrkId, Vec<Tag>>, unreadable: usize) {
        self.tags.extend(tags);
        self.tag_errors = unreadable;
        self.tags_revision += 1;
    }

    /// Takes the primaries' tags the audit read, so the tag filter needs no second fetch.
    pub fn absorb_audit_props(&mut self, estate: &Estate, props: &PropsMap) {
        let mut added = false;
        for ((id, region), key) in props {
            let (Some(tags), Some(family)) = (&key.tags, estate.family(id)) else {
                continue;
            };
            if family.primary_region().as_deref() == Some(region.name()) {
                self.tags.insert(id.clone(), tags.clone());
                added = true;
            }
        }
        if added {
            self.tags_revision += 1;
        }
    }

    /// The primaries whose tags are not known yet (what "Read tags of N primaries" reads).
    pub fn unknown_primaries(&self, estate: &Estate) -> Vec<(MrkId, Region)> {
        estate
            .families()
            .filter(|(id, _)| !self.tags.contains_key(*id))
            .filter_map(|(id, family)| {
                let primary = family.described().find(|k| k.role() == Role::Primary)?;
                Some((id.clone(), primary.region))
            })
            .collect()
    }

    /// Sorts by `key`; the same key again reverses the order.
    pub fn sort_by(&mut self, key: SortKey) {
        if self.query.sort == key {
            self.query.descending = !self.query.descending;
        } else {
            self.query.sort = key;
            self.query.descending = false;
        }
    }

    /// The families to show, in order; `None` when it is every family in the estate's order.
    /// Selects the rows again if the query, the estate, the findings or the tags changed since
    /// they were last selected; `rows` then gives them.
    pub fn update_rows(
        &mut self,
        estate: &Estate,
        markers: &HashMap<MrkId, crate::ui::audit_panel::FamilyMarker>,
        findings_revision: u64,
    ) {
        let inputs = Inputs {
            query: self.query.clone(),
            estate: estate.revision(),
            findings: findings_revision,
            tags: self.tags_revision,
        };
        if self.cached.as_ref().is_none_or(|(was, _)| *was != inputs) {
            let rows = (!inputs.query.is_identity()).then(|| {
                let findings = |id: &MrkId| markers.contains_key(id);
                let facts = RowFacts {
                    tags: &self.tags,
                    findings: &findings,
                };
                select_rows(estate, &inputs.query, &facts)
            });
            self.cached = Some((inputs, rows));
        }
    }

    /// The families to show, in order, when a filter or sort is on; `None` shows all.
    pub fn rows(&self) -> Option<&[MrkId]> {
        self.cached.as_ref().and_then(|(_, rows)| rows.as_deref())
    }

    /// How many families the last drawn frame showed.
    pub fn shown(&self, estate: &Estate) -> usize {
        match &self.cached {
            Some((_, Some(rows))) => rows.len(),
            _ => estate.family_count(),
        }
    }

    /// The families the last drawn frame showed, in order.
    pub fn shown_rows(&self, estate: &Estate) -> Vec<MrkId> {
        match &self.cached {
            Some((_, Some(rows))) => rows.clone(),
            _ => estate.families().map(|(id, _)| id.clone()).collect(),
        }
    }

    /// Search, state, tag and sort controls, in one row above the grid.
    /// `reading_tags`: the primaries' tags are being read.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        estate: &Estate,
        reading_tags: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| {
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.query.search)
                    .id(search_id())
                    .char_limit(SEARCH_LIMIT)
                    .hint_text("Search key ID or alias")
                    .desired_width(200.0),
            );
            search.widget_info(|| egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search"));
            search.on_hover_text(
                "Part of a key ID, an alias or a key spec (ml_dsa, ml_kem, edwards, hmac), in any case",
            );
            ui.separator();
            self.state_choice(ui);
            ui.separator();
            self.tag_field(ui, estate, reading_tags, commands);
            ui.separator();
            self.sort_choice(ui, estate);
        });
    }

    fn state_choice(&mut self, ui: &mut Ui) {
        let shown = self
            .query
            .state
            .as_ref()
            .map_or("any state".to_string(), |s| s.to_string());
        super::captioned_combo(ui, "State", shown, |ui| {
            ui.selectable_value(&mut self.query.state, None, "any state");
            for state in STATES {
                let label = state.to_string();
                ui.selectable_value(&mut self.query.state, Some(state), label);
            }
        });
    }

    fn tag_field(
        &mut self,
        ui: &mut Ui,
        estate: &Estate,
        reading: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.label("Tag");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut self.tag_text)
                .char_limit(TAG_FILTER_LIMIT)
                .hint_text("key or key=value")
                .desired_width(140.0),
        );
        edit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Tag filter"));
        if edit.changed() {
            self.query.tag = TagFilter::parse(&self.tag_text);
        }
        if self.query.tag.is_none() {
            return;
        }
        if reading {
            // A still label, not a spinner: a spinner repaints every frame while it shows.
            ui.small("reading tags…");
            return;
        }
        let at = (estate.revision(), self.tags_revision);
        let unknown = match self.unknown_count {
            Some((counted_at, n)) if counted_at == at => n,
            _ => {
                let n = self.unknown_primaries(estate).len();
                self.unknown_count = Some((at, n));
                n
            }
        };
        if unknown > 0 {
            let read = ui
                .button(format!(
                    "Read tags of {}",
                    super::count(unknown, "primary", "primaries")
                ))
                .on_hover_text(
                    "The scan does not read tags (one ListResourceTags call per key). The \
                     filter matches the families whose tags are known; read the rest now.",
                );
            if read.clicked() {
                commands.push(Command::ReadTags);
            }
        }
        if self.tag_errors > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                RichText::new(format!("{} unreadable", self.tag_errors)).small(),
            )
            .on_hover_text("ListResourceTags failed for these keys; they never match the filter.");
        }
    }

    fn sort_choice(&mut self, ui: &mut Ui, estate: &Estate) {
        let mut sort = self.query.sort;
        super::captioned_combo(ui, "Sort by", sort.label(), |ui| {
            for key in [SortKey::KeyId, SortKey::Alias, SortKey::Coverage] {
                ui.selectable_value(&mut sort, key, key.label());
            }
            for region in estate.regions() {
                let key = SortKey::Region(*region);
                ui.selectable_value(&mut sort, key, key.label());
            }
        });
        if sort != self.query.sort {
            self.query.sort = sort;
            self.query.descending = false;
        }
        let arrow = if self.query.descending {
            "descending"
        } else {
            "ascending"
        };
        if ui
            .button(arrow)
            .on_hover_text("Reverse the order")
            .clicked()
        {
            self.query.descending = !self.query.descending;
        }
    }
}
