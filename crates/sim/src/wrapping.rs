//! Wrapping keys for imported key material (KMS_FACTS.md §3): GetParametersForImport hands out a
//! real RSA public key (DER `SubjectPublicKeyInfo`, as KMS does), and ImportKeyMaterial opens
//! what was wrapped under it with the matching private key. A boto3 user wraps with the
//! `cryptography` package exactly as for KMS; material wrapped for one Region does not open in
//! another, and the same material imported twice is recognised by its ID, never by its wrapping.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::key_wrap::{AES_256, KeyEncryptionKey, KeyWrapPadded};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};

use crate::error::Fault;

/// A wrapping algorithm KMS offers for RSA wrapping keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSAES_OAEP_SHA_1 / _256: the material itself, RSA-OAEP encrypted.
    Oaep { sha256: bool },
    /// RSA_AES_KEY_WRAP_SHA_1 / _256: an ephemeral AES-256 key, RSA-OAEP encrypted, followed by
    /// the material wrapped under it (AES key wrap with padding, RFC 5649).
    AesKeyWrap { sha256: bool },
}

impl Algorithm {
    /// The algorithm KMS names `name`; `None` for one the simulator does not model (SM2PKE, a
    /// China-Regions algorithm) or does not exist.
    pub fn parse(name: &str) -> Option<Algorithm> {
        match name {
            "RSAES_OAEP_SHA_1" => Some(Algorithm::Oaep { sha256: false }),
            "RSAES_OAEP_SHA_256" => Some(Algorithm::Oaep { sha256: true }),
            "RSA_AES_KEY_WRAP_SHA_1" => Some(Algorithm::AesKeyWrap { sha256: false }),
            "RSA_AES_KEY_WRAP_SHA_256" => Some(Algorithm::AesKeyWrap { sha256: true }),
            _ => None,
        }
    }

    fn oaep(self) -> &'static OaepAlgorithm {
        match self {
            Algorithm::Oaep { sha256: true } | Algorithm::AesKeyWrap { sha256: true } => {
                &OAEP_SHA256_MGF1SHA256
            }
            _ => &OAEP_SHA1_MGF1SHA1,
        }
    }
}

/// The RSA key sizes KMS offers as `WrappingKeySpec`.
pub fn key_size(spec: &str) -> Option<KeySize> {
    match spec {
        "RSA_2048" => Some(KeySize::Rsa2048),
        "RSA_3072" => Some(KeySize::Rsa3072),
        "RSA_4096" => Some(KeySize::Rsa4096),
        _ => None,
    }
}

/// One wrapping key pair, kept with the import token it was handed out with.
#[derive(Clone)]
pub struct WrappingKey {
    private: Arc<PrivateDecryptingKey>,
    pub algorithm: Algorithm,
}

impl std::fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.debug_struct("WrappingKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl WrappingKey {
    /// A fresh key pair of `size`, as every GetParametersForImport call makes one.
    pub fn generate(size: KeySize, algorithm: Algorithm) -> Result<WrappingKey, Fault> {
        let private = PrivateDecryptingKey::generate(size).map_err(|_| Fault::internal())?;
        Ok(WrappingKey {
            private: Arc::new(private),
            algorithm,
        })
    }

    /// The public key as DER `SubjectPublicKeyInfo`.
    pub fn public_der(&self) -> Result<Vec<u8>, Fault> {
        let der = self
            .private
            .public_key()
            .as_der()
            .map_err(|_| Fault::internal())?;
        Ok(der.as_ref().to_vec())
    }

    /// The material inside `wrapped`, or InvalidCiphertextException when it was not wrapped
    /// under this key with this algorithm.
    pub fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, Fault> {
        let refused = || {
            Fault::invalid_ciphertext(
                "The EncryptedKeyMaterial was not wrapped with the public key and wrapping algorithm of this import token.",
            )
        };
        let rsa = OaepPrivateDecryptingKey::new((*self.private).clone()).map_err(|_| refused())?;
        let size = rsa.key_size_bytes();
        let (head, tail) = match self.algorithm {
            Algorithm::Oaep { .. } => (wrapped, &[][..]),
            Algorithm::AesKeyWrap { .. } => wrapped.split_at_checked(size).ok_or_else(refused)?,
        };
        let mut out = vec![0u8; rsa.min_output_size()];
        let opened = rsa
            .decrypt(self.algorithm.oaep(), head, &mut out, None)
            .map_err(|_| refused())?
            .to_vec();
        match self.algorithm {
            Algorithm::Oaep { .. } => Ok(opened),
            Algorithm::AesKeyWrap { .. } => {
                let kek = KeyEncryptionKey::new(&AES_256, &opened).map_err(|_| refused())?;
                let mut material = vec![0u8; tail.len()];
                let len = kek
                    .unwrap_with_padding(tail, &mut material)
                    .map_err(|_| refused())?
                    .len();
                material.truncate(len);
                Ok(material)
            }
        }
    }
}

/// Wraps `material` under the DER public key `public` with RSAES_OAEP_SHA_256, as a KMS user
/// does: the simulator's own seed imports material through the API like anyone else.
pub fn wrap_oaep_sha256(public: &[u8], material: &[u8]) -> Option<Vec<u8>> {
    let key = OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public).ok()?).ok()?;
    let mut out = vec![0u8; key.ciphertext_size()];
    let sealed = key
        .encrypt(&OAEP_SHA256_MGF1SHA256, material, &mut out, None)
        .ok()?;
    Some(sealed.to_vec())
}

/// The ID KMS gives key material: derived from the key ID and the material, so the same
/// material imported into two related keys has one ID and other material another (64
/// lowercase hex digits, KMS's `BackingKeyIdType`).
pub fn material_id(key_id: &str, material: &[u8]) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(b"kms-replica-sim key material\0");
    ctx.update(key_id.as_bytes());
    ctx.update(&[0]);
    ctx.update(material);
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(algorithm: Algorithm) -> WrappingKey {
        WrappingKey::generate(KeySize::Rsa2048, algorithm).unwrap()
    }

    #[test]
    fn material_wrapped_with_the_public_key_opens_with_the_private_one() {
        let k = key(Algorithm::Oaep { sha256: true });
        let wrapped = wrap_oaep_sha256(&k.public_der().unwrap(), &[7u8; 32]).unwrap();
        assert_eq!(k.unwrap(&wrapped).unwrap(), vec![7u8; 32]);
    }

    #[test]
    fn material_wrapped_for_another_wrapping_key_is_invalid_ciphertext() {
        let (a, b) = (
            key(Algorithm::Oaep { sha256: true }),
            key(Algorithm::Oaep { sha256: true }),
        );
        let wrapped = wrap_oaep_sha256(&a.public_der().unwrap(), &[7u8; 32]).unwrap();
        let refused = b.unwrap(&wrapped).unwrap_err();
        assert_eq!(refused.code, "InvalidCiphertextException");
    }

    #[test]
    fn material_wrapped_with_sha256_does_not_open_as_sha1() {
        let k = key(Algorithm::Oaep { sha256: false });
        let wrapped = wrap_oaep_sha256(&k.public_der().unwrap(), &[7u8; 32]).unwrap();
        assert!(k.unwrap(&wrapped).is_err());
    }

    #[test]
    fn a_material_id_is_64_lowercase_hex_bound_to_key_and_material() {
        let id = material_id("mrk-1", &[1u8; 32]);
        assert_eq!(id.len(), 64);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
        assert_eq!(id, material_id("mrk-1", &[1u8; 32]));
        assert_ne!(id, material_id("mrk-1", &[2u8; 32]));
        assert_ne!(id, material_id("mrk-2", &[1u8; 32]));
    }
}
