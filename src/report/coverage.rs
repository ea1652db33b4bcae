//! The coverage matrix as JSON: every Region's scan status, then every family with one cell per
//! Region, in the grid's column order.

use serde::Serialize;

use crate::domain::key::format_utc;
use crate::domain::{Cell, Estate, Problem, Region, Role};

#[derive(Debug, Serialize)]
pub struct CoverageReport {
    pub regions: Vec<RegionReport>,
    pub families: Vec<FamilyReport>,
}

#[derive(Debug, Serialize)]
pub struct RegionReport {
    pub region: Region,
    pub partition: &'static str,
    pub status: crate::domain::RegionRead,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

#[derive(Debug, Serialize)]
pub struct FamilyReport {
    pub key_id: String,
    /// The account the family is in (its identity is account and key ID).
    pub account: Option<String>,
    pub alias: Option<String>,
    pub key_spec: Option<String>,
    pub key_usage: Option<String>,
    pub primary_region: Option<String>,
    pub cells: Vec<CellReport>,
}

/// One family's cell in one Region. `cell` says which of the grid's states it is.
#[derive(Debug, Serialize)]
pub struct CellReport {
    pub region: Region,
    pub cell: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

impl CellReport {
    fn bare(region: Region, cell: &'static str) -> CellReport {
        CellReport {
            region,
            cell,
            state: None,
            arn: None,
            created: None,
            problem: None,
        }
    }

    fn from_cell(region: Region, cell: Cell<'_>) -> CellReport {
        match cell {
            Cell::Primary(k) | Cell::Replica(k) => CellReport {
                state: Some(k.state.to_string()),
                arn: Some(k.arn.clone()),
                created: k.created.map(format_utc),
                ..CellReport::bare(
                    region,
                    if matches!(cell, Cell::Primary(_)) {
                        "primary"
                    } else {
                        "replica"
                    },
                )
            },
            Cell::Absent => CellReport::bare(region, "absent"),
            Cell::Reported { role, arn } => CellReport {
                arn: Some(arn.to_string()),
                ..CellReport::bare(
                    region,
                    match role {
                        Role::Primary => "reported-primary",
                        Role::Replica => "reported-replica",
                    },
                )
            },
            Cell::Unknown(problem) => CellReport {
                problem: Some(problem.clone()),
                ..CellReport::bare(region, "unknown")
            },
            Cell::Scanning => CellReport::bare(region, "not-scanned"),
        }
    }
}

pub fn coverage_report(estate: &Estate) -> CoverageReport {
    let regions = estate
        .regions()
        .iter()
        .map(|r| {
            let (status, problem) = estate.status(*r).word_and_problem();
            let problem = problem.cloned();
            RegionReport {
                region: *r,
                partition: r.partition().arn_name(),
                status,
                problem,
            }
        })
        .collect();
    let families = estate
        .families()
        .map(|(id, family)| FamilyReport {
            key_id: id.to_string(),
            account: None,
            alias: family.first_alias().map(str::to_string),
            key_spec: family
                .spec_and_usage()
                .map(|(s, _)| s.to_string())
                .filter(|s| !s.is_empty()),
            key_usage: family
                .spec_and_usage()
                .map(|(_, u)| u.to_string())
                .filter(|u| !u.is_empty()),
            primary_region: family.primary_region(),
            cells: estate
                .regions()
                .iter()
                .map(|r| CellReport::from_cell(*r, estate.cell(id, *r)))
                .collect(),
        })
        .collect();
    CoverageReport { regions, families }
}
