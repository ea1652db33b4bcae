//! The calls behind parity: grants (ListGrants, CreateGrant) and rotation
//! (GetKeyRotationStatus, ListKeyRotations, Enable/DisableKeyRotation, RotateKeyOnDemand).

use aws_sdk_kms::operation::RequestId;
use aws_sdk_kms::types::{GrantConstraints as KmsConstraints, GrantOperation, RotationType};

use super::pages::PageTokens;
use super::{KmsError, RegionClient};
use crate::domain::MrkId;
use crate::domain::parity::{Grant, GrantConstraints, GranteeKind, RotationStatus};

impl RegionClient {
    /// Every grant on the key in this Region (ListGrants, every page).
    pub async fn grants(&self, key_id: &MrkId) -> Result<Vec<Grant>, KmsError> {
        let mut grants = Vec::new();
        let mut pages = PageTokens::new("ListGrants");
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .sdk()
                .list_grants()
                .key_id(key_id.as_str())
                .limit(100)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region(), e))?;
            grants.extend(out.grants().iter().map(|g| {
                let (grantee, grantee_kind) =
                    match (g.grantee_service_principal(), g.grantee_principal()) {
                        (Some(service), _) => (service, GranteeKind::ServicePrincipal),
                        (None, Some(p)) if p.ends_with(".amazonaws.com") => {
                            (p, GranteeKind::LegacyServicePrincipal)
                        }
                        (None, p) => (p.unwrap_or_default(), GranteeKind::Principal),
                    };
                Grant {
                    id: g.grant_id().unwrap_or_default().to_string(),
                    name: g.name().filter(|n| !n.is_empty()).map(str::to_string),
                    grantee: grantee.to_string(),
                    grantee_kind,
                    retiring: g
                        .retiring_service_principal()
                        .or(g.retiring_principal())
                        .map(str::to_string),
                    retiring_service: g.retiring_service_principal().is_some(),
                    operations: g
                        .operations()
                        .iter()
                        .map(|o| o.as_str().to_string())
                        .collect(),
                    constraints: g
                        .constraints()
                        .map(|c| GrantConstraints {
                            subset: sorted(c.encryption_context_subset()),
                            equals: sorted(c.encryption_context_equals()),
                            source_arn: c.source_arn().map(str::to_string),
                        })
                        .unwrap_or_default(),
                }
            }));
            marker = pages
                .next(out.next_marker(), out.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                return Ok(grants);
            }
        }
    }

    /// The family's rotation as this key reports it, with its past rotations.
    pub async fn rotation_status(&self, key_id: &MrkId) -> Result<RotationStatus, KmsError> {
        let at = |e| KmsError::from_sdk(self.region(), e);
        let out = self
            .sdk()
            .get_key_rotation_status()
            .key_id(key_id.as_str())
            .send()
            .await
            .map_err(at)?;
        let mut status = RotationStatus {
            enabled: out.key_rotation_enabled(),
            period_days: out.rotation_period_in_days(),
            next_rotation: out.next_rotation_date().map(|d| d.secs()),
            on_demand_started: out.on_demand_rotation_start_date().map(|d| d.secs()),
            rotations: Vec::new(),
        };
        let mut pages = PageTokens::new("ListKeyRotations");
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .sdk()
                .list_key_rotations()
                .key_id(key_id.as_str())
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region(), e))?;
            status.rotations.extend(page.rotations().iter().map(|r| {
                (
                    r.rotation_type() == Some(&RotationType::OnDemand),
                    r.rotation_date().map(|d| d.secs()).unwrap_or_default(),
                )
            }));
            marker = pages
                .next(page.next_marker(), page.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                return Ok(status);
            }
        }
    }

    /// CreateGrant of the same grant (grantee, operations, constraints, retiring principal,
    /// name) on the key in this Region; returns the request ID.
    pub async fn create_grant(
        &self,
        key_id: &MrkId,
        grant: &Grant,
    ) -> Result<Option<String>, KmsError> {
        let c = &grant.constraints;
        let constraints = (!c.subset.is_empty() || !c.equals.is_empty() || c.source_arn.is_some())
            .then(|| {
                KmsConstraints::builder()
                    .set_encryption_context_subset(non_empty(&c.subset))
                    .set_encryption_context_equals(non_empty(&c.equals))
                    .set_source_arn(c.source_arn.clone())
                    .build()
            });
        // The same kind of field the grant was read from: a service-principal grant is copied
        // as one, a legacy grant as the GranteePrincipal it was.
        let service = grant.grantee_kind == GranteeKind::ServicePrincipal;
        let mut call = self.sdk().create_grant().key_id(key_id.as_str());
        call = match service {
            true => call.grantee_service_principal(&grant.grantee),
            false => call.grantee_principal(&grant.grantee),
        };
        call = match grant.retiring_service {
            true => call.set_retiring_service_principal(grant.retiring.clone()),
            false => call.set_retiring_principal(grant.retiring.clone()),
        };
        let out = call
            .set_operations(Some(
                grant
                    .operations
                    .iter()
                    .map(|o| GrantOperation::from(o.as_str()))
                    .collect(),
            ))
            .set_constraints(constraints)
            .set_name(grant.name.clone())
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        Ok(out.request_id().map(str::to_string))
    }

    /// EnableKeyRotation with a period (`Some(days)`), or DisableKeyRotation (`None`), on the
    /// primary; returns the request ID.
    pub async fn set_rotation(
        &self,
        key_id: &MrkId,
        period_days: Option<i32>,
    ) -> Result<Option<String>, KmsError> {
        let region = self.region();
        match period_days {
            Some(days) => self
                .sdk()
                .enable_key_rotation()
                .key_id(key_id.as_str())
                .rotation_period_in_days(days)
                .send()
                .await
                .map(|o| o.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            None => self
                .sdk()
                .disable_key_rotation()
                .key_id(key_id.as_str())
                .send()
                .await
                .map(|o| o.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
        }
    }

    /// RotateKeyOnDemand on the primary; returns the request ID.
    pub async fn rotate_on_demand(&self, key_id: &MrkId) -> Result<Option<String>, KmsError> {
        self.sdk()
            .rotate_key_on_demand()
            .key_id(key_id.as_str())
            .send()
            .await
            .map(|o| o.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }
}

fn sorted(
    map: Option<&std::collections::HashMap<String, String>>,
) -> std::collections::BTreeMap<String, String> {
    map.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn non_empty(
    map: &std::collections::BTreeMap<String, String>,
) -> Option<std::collections::HashMap<String, String>> {
    (!map.is_empty()).then(|| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}
