//! Test fixtures shared by the domain's specifications: one key of one family, as DescribeKey
//! would report it.

use super::estate::{Estate, KeyEntry, RegionScan};
use super::key::{KeyInfo, KeyState, MrkId, MultiRegionConfig, RelatedKey, Role};

/// The family every fixture key belongs to.
pub const ID: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";

pub fn arn(region: &str) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/{ID}")
}

fn related(region: &str) -> RelatedKey {
    RelatedKey {
        arn: arn(region),
        region: region.to_string(),
    }
}

/// The key of family `ID` in `region`, Enabled, whose configuration names `primary` and
/// `replicas`.
pub fn key(region: &str, role: Role, primary: &str, replicas: &[&str]) -> KeyInfo {
    KeyInfo {
        key_id: MrkId::parse(ID).unwrap_or_else(|| unreachable!("ID is a valid mrk- ID")),
        region: region.parse().unwrap_or_else(|e| panic!("{e}")),
        arn: arn(region),
        state: KeyState::Enabled,
        enabled: true,
        description: String::new(),
        key_spec: "SYMMETRIC_DEFAULT".into(),
        key_usage: "ENCRYPT_DECRYPT".into(),
        origin: "AWS_KMS".into(),
        created: Some(0),
        deletion_date: None,
        valid_to: None,
        expiration_model: None,
        multi_region: Some(MultiRegionConfig {
            role,
            primary: Some(related(primary)),
            replicas: replicas.iter().map(|r| related(r)).collect(),
        }),
    }
}

/// As `key`, in `state`, with the usual family: primary in us-east-1, replicas in eu-west-1 and
/// ap-southeast-2.
pub fn key_in_state(region: &str, role: Role, state: KeyState) -> KeyInfo {
    KeyInfo {
        state,
        ..key(region, role, "us-east-1", &["eu-west-1", "ap-southeast-2"])
    }
}

/// An estate of two Regions holding the family, primary in us-east-1 and replica in eu-west-1,
/// each Region with `aliases` naming its key.
pub fn pair_estate(aliases: &[&str]) -> Estate {
    let regions = ["us-east-1", "eu-west-1"].map(|r| r.parse().unwrap_or_else(|e| panic!("{e}")));
    let mut estate = Estate::new(regions.to_vec());
    for (region, role) in regions.into_iter().zip([Role::Primary, Role::Replica]) {
        let scan = RegionScan {
            keys: vec![KeyEntry::Described(Box::new(key(
                region.name(),
                role,
                "us-east-1",
                &["eu-west-1"],
            )))],
            aliases: aliases.iter().map(|a| (a.to_string(), ID.into())).collect(),
        };
        estate.apply_scan(region, scan);
    }
    estate
}
