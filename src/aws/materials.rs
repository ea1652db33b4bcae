//! The calls on imported key material: ListKeyRotations with ALL_KEY_MATERIAL (every material a
//! key holds), GetParametersForImport + ImportKeyMaterial with the material wrapped here, under
//! the public key KMS returned, so it never leaves this process in the clear, and
//! DeleteImportedKeyMaterial of one material.

use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
use aws_sdk_kms::operation::RequestId;
use aws_sdk_kms::types::{
    AlgorithmSpec, ExpirationModelType, ImportState, ImportType, IncludeKeyMaterial,
    WrappingKeySpec,
};
use aws_smithy_types::{Blob, DateTime};
use zeroize::Zeroizing;

use super::pages::PageTokens;
use super::{KmsError, RegionClient};
use crate::domain::MrkId;
use crate::domain::material::{Expiry, ImportStep, KeyMaterial, MaterialState};

/// What KMS answered to one ImportKeyMaterial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialImported {
    pub material_id: String,
    pub request_id: Option<String>,
}

impl RegionClient {
    /// Every key material the key holds in this Region, oldest first.
    pub async fn key_materials(&self, key_id: &MrkId) -> Result<Vec<KeyMaterial>, KmsError> {
        let mut materials = Vec::new();
        let mut pages = PageTokens::new("ListKeyRotations");
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .sdk()
                .list_key_rotations()
                .key_id(key_id.as_str())
                .include_key_material(IncludeKeyMaterial::AllKeyMaterial)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| KmsError::from_sdk(self.region(), e))?;
            materials.extend(page.rotations().iter().filter_map(|r| {
                Some(KeyMaterial {
                    id: r.key_material_id()?.to_string(),
                    state: MaterialState::from_api(r.key_material_state()?.as_str()),
                    imported: r.import_state() != Some(&ImportState::PendingImport),
                    valid_to: r.valid_to().map(|d| d.secs()),
                    description: r.key_material_description().map(str::to_string),
                })
            }));
            marker = pages
                .next(page.next_marker(), page.truncated())
                .map_err(|e| self.listing_error(e))?;
            if marker.is_none() {
                return Ok(materials);
            }
        }
    }

    /// Imports `material` into the key in this Region: a fresh wrapping key from
    /// GetParametersForImport (RSA_4096, RSAES_OAEP_SHA_256), the material wrapped under it
    /// here, then ImportKeyMaterial as `step` says.
    pub async fn import_material(
        &self,
        key_id: &MrkId,
        material: &Zeroizing<Vec<u8>>,
        step: &ImportStep,
        expiry: Expiry,
    ) -> Result<MaterialImported, KmsError> {
        let region = self.region();
        let params = self
            .sdk()
            .get_parameters_for_import()
            .key_id(key_id.as_str())
            .wrapping_algorithm(AlgorithmSpec::RsaesOaepSha256)
            .wrapping_key_spec(WrappingKeySpec::Rsa4096)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(region, e))?;
        let (Some(token), Some(public)) = (params.import_token(), params.public_key()) else {
            return Err(KmsError::Other {
                region,
                detail: "GetParametersForImport returned no import token or public key".into(),
            });
        };
        let wrapped = wrap(public.as_ref(), material).ok_or_else(|| KmsError::Other {
            region,
            detail: "the public key GetParametersForImport returned is not an RSA key this \
                     version can wrap with"
                .into(),
        })?;
        let mut call = self
            .sdk()
            .import_key_material()
            .key_id(key_id.as_str())
            .import_token(token.clone())
            .encrypted_key_material(Blob::new(wrapped));
        call = match step {
            ImportStep::New => call.import_type(ImportType::NewKeyMaterial),
            ImportStep::Existing { material_id } => call
                .import_type(ImportType::ExistingKeyMaterial)
                .key_material_id(material_id),
        };
        call = match expiry {
            Expiry::Never => call.expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire),
            Expiry::At(secs) => call
                .expiration_model(ExpirationModelType::KeyMaterialExpires)
                .valid_to(DateTime::from_secs(secs)),
        };
        let out = call
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(region, e))?;
        Ok(MaterialImported {
            material_id: out.key_material_id().unwrap_or_default().to_string(),
            request_id: out.request_id().map(str::to_string),
        })
    }
}

impl RegionClient {
    /// DeleteImportedKeyMaterial of material `material_id` of the key in this Region; returns
    /// KMS's request ID. A primary's pending material goes from its replicas too (KMS does it).
    pub async fn delete_material(
        &self,
        key_id: &MrkId,
        material_id: &str,
    ) -> Result<Option<String>, KmsError> {
        self.sdk()
            .delete_imported_key_material()
            .key_id(key_id.as_str())
            .key_material_id(material_id)
            .send()
            .await
            .map(|out| out.request_id().map(str::to_string))
            .map_err(|e| KmsError::from_sdk(self.region(), e))
    }
}

/// RSAES_OAEP_SHA_256 of `material` under the DER `SubjectPublicKeyInfo` `public`.
fn wrap(public: &[u8], material: &[u8]) -> Option<Vec<u8>> {
    let key = OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public).ok()?).ok()?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let sealed = key
        .encrypt(&OAEP_SHA256_MGF1SHA256, material, &mut out, None)
        .ok()?;
    Some(sealed.to_vec())
}
