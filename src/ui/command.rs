//! What the panels ask the app to do. Panels never mutate deep state; the app applies commands in
//! one place, which keeps "who changed what" answerable and UI tests simple.

use crate::domain::lifecycle::KeyAction;
use crate::domain::{MrkId, Region, ReplicateRequest};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Rescan every chosen Region, describing every key again.
    Refresh,
    /// List every Region again and describe only what may have changed.
    RefreshChanges,
    /// Scan these Regions from now on (new ones are scanned at once).
    SetRegions(Vec<Region>),
    /// Show (or hide) a family's details panel.
    Select(Option<MrkId>),
    /// Open the Replicate dialog for a family's primary.
    OpenReplicate(MrkId),
    /// Make these ReplicateKey calls (already confirmed by the user).
    Replicate(Vec<ReplicateRequest>),
    /// Retry a failed replication for one Region.
    RetryReplicate(MrkId, Region),
    /// Ask for confirmation of a lifecycle action on the family's key in a Region.
    ConfirmAction(MrkId, Region, KeyAction),
    /// Make the lifecycle call (already confirmed by the user).
    Act(MrkId, Region, KeyAction),
    /// Rebuild the KMS clients from the profile or credential chain, then rescan.
    ReloadCredentials,
    /// Run the audit on what the grid shows.
    RunAudit,
    /// Read the tags of every family primary whose tags are not known (for the tag filter).
    ReadTags,
    /// Sort the grid by this; the same key again reverses the order.
    Sort(crate::domain::rows::SortKey),
    /// Read this TOML baseline and hold the grid and the audit to it.
    LoadBaseline(String),
    /// Save the audit report to this file in this format.
    ExportAudit(String, crate::domain::audit::ReportFormat),
    /// Ask for confirmation of copying a primary's grant to the family's key in a Region.
    ConfirmCopyGrant(MrkId, Region, crate::domain::parity::Grant),
    /// Make the CreateGrant call (already confirmed by the user).
    CopyGrant(MrkId, Region, crate::domain::parity::Grant),
    /// Plan the calls that would fix the findings (from what the audit read).
    MakePlan,
    /// Read a plan file into the plan view.
    LoadPlan(String),
    /// Write this plan to this file (for review, or `apply` later).
    SavePlan(crate::domain::plan::Plan, String),
    /// Write this plan to this file and carry it out (already confirmed by the user).
    ApplyPlan(crate::domain::plan::Plan, String),
    /// Open (or reload) the history panel: read the snapshots.
    OpenHistory,
    /// Read the family's CloudTrail trail.
    ReadTrail(MrkId),
    /// Open the retirement of the family's key in a Region.
    OpenRetire(MrkId, Region),
    /// Ask to verify the family's keys against each other (a confirmation first).
    ConfirmVerify(MrkId),
    /// Verify the family's keys against each other (confirmed).
    Verify(MrkId),
    /// Open the import of key material into the family (a confirmation is part of it).
    OpenImport(MrkId),
    /// Import the 32-byte material in this file into the family: NEW into its primary, then
    /// EXISTING into each replica (confirmed).
    ImportMaterial(MrkId, std::path::PathBuf, crate::domain::material::Expiry),
    /// Ask to delete one key material of the family's key in a Region (confirmed twice).
    ConfirmDeleteMaterial(MrkId, Region, crate::domain::material::KeyMaterial),
    /// DeleteImportedKeyMaterial of this material ID (confirmed).
    DeleteMaterial(MrkId, Region, String),
    /// Compare the grid with this snapshot and mark what changed.
    ChangesSince(i64),
    /// Work in this account (by its place in the window): panels, dialogs and calls use its
    /// credentials from now on.
    WorkInAccount(usize),
    /// Collapse or expand an account's section of the grid.
    ToggleAccount(usize),
    /// Show only this account's section (`None`: every account).
    FilterAccount(Option<usize>),
}
