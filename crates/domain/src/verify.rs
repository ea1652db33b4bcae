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

/// What proves two keys of a family interoperate, by key usage: something only the family's
/// material makes, made with one key and checked with the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Symmetric encryption: GenerateDataKey, then Decrypt to the same bytes.
    DataKey,
    /// HMAC: GenerateMac, then VerifyMac.
    Mac { algorithm: &'static str },
    /// Signing: Sign, then Verify.
    Signature { algorithm: &'static str },
    /// ML-KEM: Encapsulate, then Decapsulate to the same shared secret.
    Encapsulation,
}

impl Proof {
    /// The two calls, as KMS names them.
    pub fn calls(self) -> (&'static str, &'static str) {
        match self {
            Proof::DataKey => ("GenerateDataKey", "Decrypt"),
            Proof::Mac { .. } => ("GenerateMac", "VerifyMac"),
            Proof::Signature { .. } => ("Sign", "Verify"),
            Proof::Encapsulation => ("Encapsulate", "Decapsulate"),
        }
    }

    /// What is made and checked, in words.
    pub fn what(self) -> &'static str {
        match self {
            Proof::DataKey => "a data key",
            Proof::Mac { .. } => "a MAC of a random message",
            Proof::Signature { .. } => "a signature of a random message",
            Proof::Encapsulation => "an encapsulated shared secret",
        }
    }
}

/// Why a family cannot be proved by this version (it is never passed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotProvable {
    #[error("the family's primary was not read")]
    NoPrimary,
    #[error(
        "{spec} keys ({usage}) are not checked by this version: it proves symmetric encryption, HMAC, signing and ML-KEM keys"
    )]
    Kind { spec: String, usage: String },
}

/// How `key` proves itself (by its spec and usage), or why this version cannot: asymmetric
/// encryption, key agreement and SM2 keys are not checked (never passed).
pub fn proof_for(key: &KeyInfo) -> Result<Proof, NotProvable> {
    if key.role() != Role::Primary {
        return Err(NotProvable::NoPrimary);
    }
    let spec = key.key_spec.as_str();
    let proof = match (key.key_usage.as_str(), spec) {
        ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT") => Some(Proof::DataKey),
        ("GENERATE_VERIFY_MAC", _) => mac_algorithm(spec).map(|algorithm| Proof::Mac { algorithm }),
        ("SIGN_VERIFY", _) => {
            signing_algorithm(spec).map(|algorithm| Proof::Signature { algorithm })
        }
        ("ENCAPSULATE_DECAPSULATE", s) if s.starts_with("ML_KEM_") => Some(Proof::Encapsulation),
        _ => None,
    };
    proof.ok_or_else(|| NotProvable::Kind {
        spec: spec.to_string(),
        usage: key.key_usage.clone(),
    })
}

/// The MAC algorithm of an HMAC key spec.
fn mac_algorithm(spec: &str) -> Option<&'static str> {
    match spec {
        "HMAC_224" => Some("HMAC_SHA_224"),
        "HMAC_256" => Some("HMAC_SHA_256"),
        "HMAC_384" => Some("HMAC_SHA_384"),
        "HMAC_512" => Some("HMAC_SHA_512"),
        _ => None,
    }
}

/// A signing algorithm a signing key of `spec` takes (SM2 is not checked).
fn signing_algorithm(spec: &str) -> Option<&'static str> {
    match spec {
        "RSA_2048" | "RSA_3072" | "RSA_4096" => Some("RSASSA_PSS_SHA_256"),
        "ECC_NIST_P256" | "ECC_SECG_P256K1" => Some("ECDSA_SHA_256"),
        "ECC_NIST_P384" => Some("ECDSA_SHA_384"),
        "ECC_NIST_P521" => Some("ECDSA_SHA_512"),
        "ECC_NIST_EDWARDS25519" => Some("ED25519_SHA_512"),
        "ML_DSA_44" | "ML_DSA_65" | "ML_DSA_87" => Some("ML_DSA_SHAKE_256"),
        _ => None,
    }
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

    #[test]
    fn each_key_usage_proves_itself_with_its_own_pair_of_calls() {
        use crate::test_keys::key;
        let mut k = key("us-east-1", Role::Primary, "us-east-1", &[]);
        assert_eq!(proof_for(&k), Ok(Proof::DataKey));
        (k.key_spec, k.key_usage) = ("HMAC_384".into(), "GENERATE_VERIFY_MAC".into());
        assert_eq!(
            proof_for(&k),
            Ok(Proof::Mac {
                algorithm: "HMAC_SHA_384"
            })
        );
        (k.key_spec, k.key_usage) = ("ML_DSA_65".into(), "SIGN_VERIFY".into());
        assert_eq!(proof_for(&k).map(|p| p.calls()), Ok(("Sign", "Verify")));
        (k.key_spec, k.key_usage) = ("ML_KEM_768".into(), "ENCAPSULATE_DECAPSULATE".into());
        assert_eq!(proof_for(&k), Ok(Proof::Encapsulation));
        (k.key_spec, k.key_usage) = ("ECC_NIST_P256".into(), "KEY_AGREEMENT".into());
        let why = proof_for(&k).map_err(|e| e.to_string()).unwrap_err();
        assert!(why.contains("not checked by this version"), "{why}");
    }
}
