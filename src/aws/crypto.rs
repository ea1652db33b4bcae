//! The two cryptographic calls `verify` makes: GenerateDataKey with one key of a family and
//! Decrypt with another. The plaintext data key stays in this process, is compared, and is
//! wiped; it is never logged, shown or sent anywhere but KMS.

use aws_sdk_kms::primitives::Blob;

use super::{KmsError, RegionClient};

/// A data key as GenerateDataKey returned it: its plaintext (wiped when dropped) and the
/// ciphertext that carries it.
pub struct DataKey {
    plaintext: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl DataKey {
    /// Whether `other` is this key's plaintext.
    pub fn opens_to(&self, other: &[u8]) -> bool {
        self.plaintext == other
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.plaintext.fill(0);
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<plaintext withheld>)")
    }
}

impl RegionClient {
    /// GenerateDataKey (32 bytes) with the key `key_arn` of this Region.
    pub async fn generate_data_key(&self, key_arn: &str) -> Result<DataKey, KmsError> {
        let out = self
            .sdk()
            .generate_data_key()
            .key_id(key_arn)
            .number_of_bytes(32)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        Ok(DataKey {
            plaintext: out.plaintext.map(Blob::into_inner).unwrap_or_default(),
            ciphertext: out
                .ciphertext_blob
                .map(Blob::into_inner)
                .unwrap_or_default(),
        })
    }

    /// Decrypt of `ciphertext` with the key `key_arn` of this Region (named, so KMS answers
    /// IncorrectKeyException rather than trying another key). The plaintext is returned to be
    /// compared, and wiped by the caller.
    pub async fn decrypt_with(
        &self,
        key_arn: &str,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let out = self
            .sdk()
            .decrypt()
            .key_id(key_arn)
            .ciphertext_blob(Blob::new(ciphertext.to_vec()))
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(self.region(), e))?;
        Ok(out.plaintext.map(Blob::into_inner).unwrap_or_default())
    }
}
