//! What the window remembers between runs, through eframe's storage: the Regions chosen, the
//! baseline file last loaded, and whether the findings and history panels were open. The
//! window's size and the grid's column widths are egui's own state, which eframe keeps too.
//! Nothing of a run (estate, findings, promises) and nothing secret is remembered.

use serde::{Deserialize, Serialize};

use crate::domain::Region;

/// The key eframe's storage keeps it under.
pub const STORAGE_KEY: &str = "kms-replica-console";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// Region names, as the Region chooser last applied them.
    pub regions: Vec<String>,
    /// The baseline file last loaded (offered again, never loaded unasked).
    pub baseline_path: Option<String>,
    pub findings_open: bool,
    pub history_open: bool,
}

impl Remembered {
    /// The Regions to open on: those given on the command line, else the ones remembered
    /// (unknown names dropped), else `default`.
    pub fn regions(&self, given: bool, default: Vec<Region>) -> Vec<Region> {
        if given {
            return default;
        }
        let remembered: Vec<Region> = self.regions.iter().filter_map(|r| r.parse().ok()).collect();
        match remembered.is_empty() {
            true => default,
            false => remembered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str) -> Region {
        name.parse().unwrap()
    }

    #[test]
    fn the_remembered_regions_open_the_window_unless_the_command_line_names_some() {
        let remembered = Remembered {
            regions: vec![
                "eu-west-1".into(),
                "mars-north-1".into(),
                "us-east-1".into(),
            ],
            ..Remembered::default()
        };
        let default = vec![region("ap-southeast-2")];
        assert_eq!(
            remembered.regions(false, default.clone()),
            [region("eu-west-1"), region("us-east-1")],
            "an unknown name is dropped"
        );
        assert_eq!(remembered.regions(true, default.clone()), default);
        assert_eq!(
            Remembered::default().regions(false, default.clone()),
            default
        );
    }

    #[test]
    fn what_an_older_or_newer_build_stored_still_reads() {
        let older: Remembered = serde_json::from_str(r#"{"regions":["us-east-1"]}"#).unwrap();
        assert_eq!(older.regions, ["us-east-1"]);
        assert!(!older.findings_open);
        let newer: Remembered =
            serde_json::from_str(r#"{"history_open":true,"column_order":[3,1]}"#).unwrap();
        assert!(newer.history_open);
    }
}
