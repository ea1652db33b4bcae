//! Proof that a family's keys interoperate, which is what a multi-Region key promises (KMS_FACTS
//! §5): a data key made by the primary opens with every replica, and one made by each replica
//! opens with the primary. Not a reading of configuration: the calls are made. Pure: which legs
//! to run and what their outcomes mean; `jobs` runs them.

use serde::Serialize;

use super::key::{KeyInfo, Role};
use super::region::Region;

/// How one leg (made in `from`, opened in `to`) ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum LegOutcome {
    /// Opened, to the same bytes.
    Interoperates,
    /// KMS refused, or opened to other bytes: the keys do not interoperate (a disabled
    /// replica, other material, a key pending import…).
    Refused(String),
    /// The check itself could not be made (access denied, throttled, unreachable).
    NotChecked(String),
}

/// One direction between two keys of the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leg {
    pub from: Region,
    pub to: Region,
    #[serde(flatten)]
    pub outcome: LegOutcome,
}

/// What `verify` says of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    AllInteroperate,
    SomeDoNot,
    CouldNotCheck,
}

/// The legs to run: the primary to each replica, each replica back to the primary.
pub fn legs(primary: Region, replicas: &[Region]) -> Vec<(Region, Region)> {
    replicas
        .iter()
        .map(|r| (primary, *r))
        .chain(replicas.iter().map(|r| (*r, primary)))
        .collect()
}

/// Why this family cannot be verified (yet), or `None` when it can: symmetric encryption keys
/// are checked with GenerateDataKey and Decrypt; MACs, signatures and encapsulated secrets are
/// not checked by this version.
pub fn unverifiable(primary: &KeyInfo) -> Option<String> {
    if primary.role() != Role::Primary {
        return Some("the family's primary was not read".into());
    }
    (primary.key_spec != "SYMMETRIC_DEFAULT" || primary.key_usage != "ENCRYPT_DECRYPT").then(|| {
        format!(
            "verify checks symmetric encryption keys (a data key made and opened); {} keys ({}) are not checked by this version",
            primary.key_spec, primary.key_usage
        )
    })
}

/// The verdict over every leg: a refusal anywhere means the keys do not all interoperate; else
/// a leg not checked means the proof is incomplete; else all interoperate.
pub fn verdict(legs: &[Leg]) -> Verdict {
    if legs
        .iter()
        .any(|l| matches!(l.outcome, LegOutcome::Refused(_)))
    {
        Verdict::SomeDoNot
    } else if legs.is_empty()
        || legs
            .iter()
            .any(|l| matches!(l.outcome, LegOutcome::NotChecked(_)))
    {
        Verdict::CouldNotCheck
    } else {
        Verdict::AllInteroperate
    }
}

/// What one Region's cell says: ✓ when both its legs interoperate, else the first problem.
pub fn region_outcome(legs: &[Leg], region: Region) -> Option<&LegOutcome> {
    let mine: Vec<&Leg> = legs
        .iter()
        .filter(|l| l.from == region || l.to == region)
        .collect();
    mine.iter()
        .map(|l| &l.outcome)
        .find(|o| **o != LegOutcome::Interoperates)
        .or_else(|| mine.first().map(|l| &l.outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str) -> Region {
        name.parse().unwrap()
    }

    fn leg(from: &str, to: &str, outcome: LegOutcome) -> Leg {
        Leg {
            from: r(from),
            to: r(to),
            outcome,
        }
    }

    #[test]
    fn the_primary_goes_to_each_replica_and_each_replica_back() {
        assert_eq!(
            legs(r("us-east-1"), &[r("eu-west-1"), r("ap-southeast-2")]),
            vec![
                (r("us-east-1"), r("eu-west-1")),
                (r("us-east-1"), r("ap-southeast-2")),
                (r("eu-west-1"), r("us-east-1")),
                (r("ap-southeast-2"), r("us-east-1")),
            ]
        );
    }

    #[test]
    fn a_refusal_anywhere_says_some_do_not_and_an_unchecked_leg_says_could_not_check() {
        let ok = || LegOutcome::Interoperates;
        let all = [
            leg("us-east-1", "eu-west-1", ok()),
            leg("eu-west-1", "us-east-1", ok()),
        ];
        assert_eq!(verdict(&all), Verdict::AllInteroperate);
        let unchecked = [
            leg("us-east-1", "eu-west-1", ok()),
            leg(
                "eu-west-1",
                "us-east-1",
                LegOutcome::NotChecked("AccessDenied".into()),
            ),
        ];
        assert_eq!(verdict(&unchecked), Verdict::CouldNotCheck);
        let refused = [
            leg(
                "us-east-1",
                "eu-west-1",
                LegOutcome::Refused("DisabledException".into()),
            ),
            leg(
                "eu-west-1",
                "us-east-1",
                LegOutcome::NotChecked("AccessDenied".into()),
            ),
        ];
        assert_eq!(verdict(&refused), Verdict::SomeDoNot);
        assert_eq!(
            verdict(&[]),
            Verdict::CouldNotCheck,
            "nothing checked is no proof"
        );
        assert_eq!(
            region_outcome(&refused, r("eu-west-1")),
            Some(&LegOutcome::Refused("DisabledException".into()))
        );
    }
}
