//! A grant as a plan's CreateGrant step carries it, and back: the same kind of grantee
//! (principal, service principal, legacy service), retiring principal and constraints, so a
//! grant copied by a plan is the grant it copies.

use serde_json::{Value, json};

use super::key::MrkId;

/// CreateGrant's parameters for the same grant on `id`.
pub(crate) fn grant_json(id: &MrkId, g: &super::parity::Grant) -> Value {
    use super::parity::GranteeKind;
    let grantee_field = match g.grantee_kind {
        GranteeKind::ServicePrincipal => "GranteeServicePrincipal",
        GranteeKind::Principal | GranteeKind::LegacyServicePrincipal => "GranteePrincipal",
    };
    let mut p = json!({
        "KeyId": id.as_str(),
        grantee_field: g.grantee,
        "Operations": g.operations,
    });
    let c = &g.constraints;
    if !c.subset.is_empty() || !c.equals.is_empty() || c.source_arn.is_some() {
        let mut out = json!({});
        if !c.subset.is_empty() {
            out["EncryptionContextSubset"] = json!(c.subset);
        }
        if !c.equals.is_empty() {
            out["EncryptionContextEquals"] = json!(c.equals);
        }
        if let Some(source) = &c.source_arn {
            out["SourceArn"] = json!(source);
        }
        p["Constraints"] = out;
    }
    if let Some(r) = &g.retiring {
        let field = match g.retiring_service {
            true => "RetiringServicePrincipal",
            false => "RetiringPrincipal",
        };
        p[field] = json!(r);
    }
    if let Some(n) = &g.name {
        p["Name"] = json!(n);
    }
    p
}

/// The grant a CreateGrant step's parameters describe.
pub fn grant_of(p: &Value) -> super::parity::Grant {
    let strings = |v: &Value| -> std::collections::BTreeMap<String, String> {
        v.as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect()
    };
    use super::parity::GranteeKind;
    let (grantee, grantee_kind) = match (
        p["GranteePrincipal"].as_str(),
        p["GranteeServicePrincipal"].as_str(),
    ) {
        (_, Some(service)) => (service, GranteeKind::ServicePrincipal),
        (Some(g), None) if g.ends_with(".amazonaws.com") => {
            (g, GranteeKind::LegacyServicePrincipal)
        }
        (Some(g), None) => (g, GranteeKind::Principal),
        (None, None) => ("", GranteeKind::Principal),
    };
    let retiring_service = p["RetiringServicePrincipal"].as_str();
    super::parity::Grant {
        id: String::new(),
        name: p["Name"].as_str().map(str::to_string),
        grantee: grantee.to_string(),
        grantee_kind,
        retiring: retiring_service
            .or(p["RetiringPrincipal"].as_str())
            .map(str::to_string),
        retiring_service: retiring_service.is_some(),
        operations: p["Operations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().map(str::to_string))
            .collect(),
        constraints: super::parity::GrantConstraints {
            subset: strings(&p["Constraints"]["EncryptionContextSubset"]),
            equals: strings(&p["Constraints"]["EncryptionContextEquals"]),
            source_arn: p["Constraints"]["SourceArn"].as_str().map(str::to_string),
        },
    }
}
