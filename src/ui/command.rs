//! What the panels ask the app to do. Panels never mutate deep state; the app applies commands in
//! one place, which keeps "who changed what" answerable and UI tests simple.

use crate::domain::Region;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Rescan every chosen Region.
    Refresh,
    /// Scan these Regions from now on (new ones are scanned at once).
    SetRegions(Vec<Region>),
}
