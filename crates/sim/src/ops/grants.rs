//! Grants (KMS_FACTS.md, "Grants, rotation"): Regional, per key, never copied to replicas.
//! CreateGrant, ListGrants, RevokeGrant, RetireGrant, validated as KMS does.

use serde_json::{Value, json};

use super::{optional, page, required};
use crate::error::{Fault, OpResult};
use crate::model::{Grant, Kms, State};

/// The operations a grant may allow.
const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

impl Kms {
    pub(super) fn create_grant(&mut self, region: &str, input: &Value, now: f64) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        match key.state {
            State::Enabled => {}
            State::Disabled => {
                return Err(Fault::disabled(format!("{} is disabled.", key.arn)));
            }
            _ => return Err(super::invalid_state(key)),
        }
        let (grantee, grantee_service) = one_of(input, "GranteePrincipal", "GranteeServicePrincipal")?
            .ok_or_else(|| {
                Fault::validation(
                    "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy \
                     constraint: Member must not be null (give GranteePrincipal or GranteeServicePrincipal)",
                )
            })?;
        let retiring = one_of(input, "RetiringPrincipal", "RetiringServicePrincipal")?;
        let operations = operations(input.get("Operations"))?;
        let constraints = constraints(input.get("Constraints"))?;
        // KMS_FACTS §2: a service grantee needs the SourceArn constraint and a retiring principal.
        if grantee_service {
            let has_source = constraints
                .as_ref()
                .is_some_and(|c| c.get("SourceArn").is_some());
            if !has_source || retiring.is_none() {
                return Err(Fault::validation(
                    "A grant to a service principal needs Constraints.SourceArn and a retiring \
                     principal (RetiringPrincipal or RetiringServicePrincipal).",
                ));
            }
        }
        let name = optional(input, "Name").map(grant_name).transpose()?;
        let (retiring, retiring_service) = match retiring {
            Some((p, service)) => (Some(p), service),
            None => (None, false),
        };
        let grant = Grant {
            id: self.grant_id(),
            token: String::new(),
            name,
            grantee,
            grantee_service,
            retiring,
            retiring_service,
            operations,
            constraints,
            created: now,
        };
        let grants = self
            .grants
            .entry((region.to_string(), id.clone()))
            .or_default();
        // A retried CreateGrant with the same name and parameters returns the same grant.
        if let Some(same) = grants
            .iter()
            .find(|g| g.name.is_some() && g.name == grant.name && same_parameters(g, &grant))
        {
            return Ok(json!({ "GrantId": same.id, "GrantToken": same.token }));
        }
        let grant = Grant {
            token: grant_token(&grant.id),
            ..grant
        };
        let out = json!({ "GrantId": grant.id, "GrantToken": grant.token });
        grants.push(grant);
        Ok(out)
    }

    pub(super) fn list_grants(&self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let key = self.get(region, &id)?;
        if let Some(Value::Number(n)) = input.get("Limit")
            && !(1..=100).contains(&n.as_u64().unwrap_or(0))
        {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
                 Member must have value between 1 and 100"
            )));
        }
        let by_id = optional(input, "GrantId");
        let by_grantee = one_of(input, "GranteePrincipal", "GranteeServicePrincipal")?;
        let items: Vec<(String, Value)> = self
            .grants
            .get(&(region.to_string(), id.clone()))
            .into_iter()
            .flatten()
            .filter(|g| by_id.is_none_or(|want| g.id == want))
            .filter(|g| {
                by_grantee.as_ref().is_none_or(|(want, service)| {
                    g.grantee == *want && g.grantee_service == *service
                })
            })
            .map(|g| (g.id.clone(), self.grant_json(&key.arn, g)))
            .collect();
        let mut sorted = items;
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let (grants, next) = page(&sorted, input)?;
        let mut out = json!({ "Grants": grants, "Truncated": next.is_some() });
        if let Some(marker) = next {
            out["NextMarker"] = json!(marker);
        }
        Ok(out)
    }

    pub(super) fn revoke_grant(&mut self, region: &str, input: &Value) -> OpResult {
        let id = self.target(region, input)?;
        let arn = self.get(region, &id)?.arn.clone();
        let grant_id = required(input, "GrantId")?;
        self.remove_grant(region, &id, |g| g.id == grant_id)
            .ok_or_else(|| Fault::not_found(format!("Grant ID {grant_id} not found on {arn}")))?;
        Ok(json!({}))
    }

    pub(super) fn retire_grant(&mut self, region: &str, input: &Value) -> OpResult {
        if let Some(token) = optional(input, "GrantToken") {
            let owner = self
                .grants
                .iter()
                .find(|((r, _), grants)| r == region && grants.iter().any(|g| g.token == token))
                .map(|((_, id), _)| id.clone())
                .ok_or_else(|| Fault::invalid_grant_token("The grant token is not valid."))?;
            self.remove_grant(region, &owner, |g| g.token == token);
            return Ok(json!({}));
        }
        let id = self.target(region, input).map_err(|_| {
            Fault::validation("RetireGrant needs a GrantToken, or a KeyId and a GrantId.")
        })?;
        let grant_id = required(input, "GrantId")?;
        self.remove_grant(region, &id, |g| g.id == grant_id)
            .ok_or_else(|| Fault::not_found(format!("Grant ID {grant_id} not found")))?;
        Ok(json!({}))
    }

    fn remove_grant(
        &mut self,
        region: &str,
        id: &str,
        matches: impl Fn(&Grant) -> bool,
    ) -> Option<Grant> {
        let grants = self.grants.get_mut(&(region.to_string(), id.to_string()))?;
        let at = grants.iter().position(matches)?;
        Some(grants.remove(at))
    }

    fn grant_json(&self, key_arn: &str, g: &Grant) -> Value {
        let mut out = json!({
            "KeyId": key_arn,
            "GrantId": g.id,
            "CreationDate": g.created,
            "IssuingAccount": format!("arn:aws:iam::{}:root", self.account),
            "Operations": g.operations,
        });
        let grantee_field = match g.grantee_service {
            true => "GranteeServicePrincipal",
            false => "GranteePrincipal",
        };
        out[grantee_field] = json!(g.grantee);
        if let Some(name) = &g.name {
            out["Name"] = json!(name);
        }
        if let Some(retiring) = &g.retiring {
            let field = match g.retiring_service {
                true => "RetiringServicePrincipal",
                false => "RetiringPrincipal",
            };
            out[field] = json!(retiring);
        }
        if let Some(constraints) = &g.constraints {
            out["Constraints"] = constraints.clone();
        }
        out
    }

    /// 64 hex digits, as KMS's grant IDs.
    fn grant_id(&mut self) -> String {
        let a = self.new_key_id(false).replace('-', "");
        let b = self.new_key_id(false).replace('-', "");
        format!("{a}{b}")
    }
}

fn same_parameters(a: &Grant, b: &Grant) -> bool {
    a.grantee == b.grantee
        && a.grantee_service == b.grantee_service
        && a.retiring == b.retiring
        && a.retiring_service == b.retiring_service
        && a.operations == b.operations
        && a.constraints == b.constraints
}

/// An opaque token that names the grant (not a secret of anyone's: KMS returns it to the
/// grant's creator).
fn grant_token(id: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("simulated-grant-token:{id}"))
}

/// At most one of the principal field `arn_field` and the service-principal field
/// `service_field` (KMS_FACTS §2): the principal given, and whether it came as a service.
fn one_of(
    input: &Value,
    arn_field: &str,
    service_field: &str,
) -> Result<Option<(String, bool)>, Fault> {
    let camel = |f: &str| {
        let mut chars = f.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    };
    match (optional(input, arn_field), optional(input, service_field)) {
        (Some(_), Some(_)) => Err(Fault::validation(format!(
            "Give {arn_field} or {service_field}, not both."
        ))),
        (Some(p), None) => Ok(Some((principal(p, &camel(arn_field))?, false))),
        (None, Some(s)) => Ok(Some((service_principal(s, &camel(service_field))?, true))),
        (None, None) => Ok(None),
    }
}

/// A service principal: `name.amazonaws.com` or a Regional `region.name.amazonaws.com`
/// (`^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$`, 1–128).
fn service_principal(p: &str, field: &str) -> Result<String, Fault> {
    let labels: Vec<&str> = p.split('.').collect();
    let ok = (1..=128).contains(&p.len())
        && labels.len() >= 3
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    match ok {
        true => Ok(p.to_string()),
        false => Err(Fault::validation(format!(
            "1 validation error detected: Value '{p}' at '{field}' failed to satisfy constraint: \
             Member must be a service principal (name.amazonaws.com)"
        ))),
    }
}

/// An AWS principal: an ARN (account root, role, user, assumed role) or a service principal.
fn principal(p: &str, field: &str) -> Result<String, Fault> {
    let arn_ok = p.starts_with("arn:")
        && p.split(':').count() >= 6
        && p.split(':')
            .nth(4)
            .is_some_and(|acct| acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()));
    let service_ok = p.ends_with(".amazonaws.com") && !p.contains(char::is_whitespace);
    if (arn_ok || service_ok) && p.len() <= 256 {
        Ok(p.to_string())
    } else {
        Err(Fault::validation(format!(
            "1 validation error detected: Value '{p}' at '{field}' failed to satisfy constraint: \
             Member must be a valid principal (an IAM ARN or a service principal)"
        )))
    }
}

fn operations(value: Option<&Value>) -> Result<Vec<String>, Fault> {
    let list = value.and_then(Value::as_array).filter(|l| !l.is_empty()).ok_or_else(|| {
        Fault::validation(
            "1 validation error detected: Value null at 'operations' failed to satisfy constraint: \
             Member must not be null",
        )
    })?;
    let mut out = Vec::new();
    for op in list {
        match op.as_str().filter(|o| GRANT_OPERATIONS.contains(o)) {
            Some(o) if !out.iter().any(|x: &String| x == o) => out.push(o.to_string()),
            Some(_) => {}
            None => {
                return Err(Fault::validation(format!(
                    "1 validation error detected: Value '{op}' at 'operations' failed to satisfy \
                     constraint: Member must satisfy enum value set: [{}]",
                    GRANT_OPERATIONS.join(", ")
                )));
            }
        }
    }
    Ok(out)
}

fn constraints(value: Option<&Value>) -> Result<Option<Value>, Fault> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = || {
        Fault::validation(
            "Constraints takes EncryptionContextSubset or EncryptionContextEquals, each a map of \
             strings, and SourceArn, an ARN",
        )
    };
    let object = value.as_object().ok_or_else(bad)?;
    let mut kept = serde_json::Map::new();
    for (name, map) in object {
        if name == "SourceArn" {
            let arn = map.as_str().filter(|a| source_arn_ok(a)).ok_or_else(bad)?;
            kept.insert(name.clone(), json!(arn));
            continue;
        }
        let ok_name = name == "EncryptionContextSubset" || name == "EncryptionContextEquals";
        let ok_map = map
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string));
        if !ok_name || !ok_map {
            return Err(bad());
        }
        // KMS_FACTS (grants): an empty map is treated as not specified, so a grant with
        // `EncryptionContextEquals: {}` is the grant with no constraint.
        if map.as_object().is_some_and(|m| !m.is_empty()) {
            kept.insert(name.clone(), map.clone());
        }
    }
    Ok((!kept.is_empty()).then_some(Value::Object(kept)))
}

/// `^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`, 20–512 characters.
fn source_arn_ok(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let label = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    (20..=512).contains(&arn.len())
        && matches!(parts[..], ["arn", partition, service, region, account, resource]
            if partition.starts_with("aws") && label(partition) && !service.is_empty()
                && label(service) && label(region) && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit()) && !resource.is_empty())
}

fn grant_name(name: &str) -> Result<String, Fault> {
    let ok = (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(Fault::validation(format!(
            "1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )))
    }
}
