//! The cryptographic calls `verify` makes, by key usage: something made with one key of a
//! family (a data key, a MAC, a signature, an encapsulated secret) and checked with another.
//! A plaintext data key or shared secret stays in this process, is compared, and is wiped; it
//! is never logged, shown or sent anywhere but KMS.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{
    EncapsulationAlgorithmSpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
};

use zeroize::Zeroizing;

use super::{KmsError, RegionClient};
use crate::domain::verify::Proof;

/// What one key made for another to check: the secret it keeps here (a data key's or shared
/// secret's plaintext, wiped when dropped; empty for a MAC or signature), the message, and what
/// carries the proof to the other key (ciphertext, MAC, signature, encapsulated secret).
pub struct Made {
    secret: Zeroizing<Vec<u8>>,
    message: Vec<u8>,
    pub carrier: Vec<u8>,
}

impl std::fmt::Debug for Made {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Made(<secret withheld>)")
    }
}

fn blob_of(b: Option<&Blob>) -> Vec<u8> {
    b.map(|b| b.as_ref().to_vec()).unwrap_or_default()
}

impl RegionClient {
    /// Makes `proof` with the key `key_arn` of this Region.
    pub async fn make_proof(&self, key_arn: &str, proof: Proof) -> Result<Made, KmsError> {
        let message: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
        let sdk = self.sdk();
        let (secret, carrier) = match proof {
            Proof::DataKey => {
                let out = sdk
                    .generate_data_key()
                    .key_id(key_arn)
                    .number_of_bytes(32)
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                (
                    out.plaintext.map(Blob::into_inner).unwrap_or_default(),
                    out.ciphertext_blob
                        .map(Blob::into_inner)
                        .unwrap_or_default(),
                )
            }
            Proof::Mac { algorithm } => {
                let out = sdk
                    .generate_mac()
                    .key_id(key_arn)
                    .message(Blob::new(message.clone()))
                    .mac_algorithm(MacAlgorithmSpec::from(algorithm))
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                (Vec::new(), blob_of(out.mac()))
            }
            Proof::Signature { algorithm } => {
                let out = sdk
                    .sign()
                    .key_id(key_arn)
                    .message(Blob::new(message.clone()))
                    .message_type(MessageType::Raw)
                    .signing_algorithm(SigningAlgorithmSpec::from(algorithm))
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                (Vec::new(), blob_of(out.signature()))
            }
            Proof::Encapsulation => {
                let out = sdk
                    .encapsulate()
                    .key_id(key_arn)
                    .encapsulation_algorithm(EncapsulationAlgorithmSpec::MlKem)
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                (
                    blob_of(out.shared_secret()),
                    blob_of(out.shared_secret_ciphertext_blob()),
                )
            }
        };
        Ok(Made {
            secret: Zeroizing::new(secret),
            message,
            carrier,
        })
    }

    /// Checks `made` with the key `key_arn` of this Region: whether it opened to the same
    /// secret (data key, shared secret) or was found valid (MAC, signature). An invalid MAC or
    /// signature is KMS's exception, returned as the error it is.
    pub async fn check_proof(
        &self,
        key_arn: &str,
        proof: Proof,
        made: &Made,
    ) -> Result<bool, KmsError> {
        let sdk = self.sdk();
        match proof {
            Proof::DataKey => {
                // Named, so KMS answers IncorrectKeyException rather than trying another key.
                let out = sdk
                    .decrypt()
                    .key_id(key_arn)
                    .ciphertext_blob(Blob::new(made.carrier.clone()))
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                let plaintext =
                    Zeroizing::new(out.plaintext.map(Blob::into_inner).unwrap_or_default());
                Ok(*plaintext == *made.secret)
            }
            Proof::Mac { algorithm } => sdk
                .verify_mac()
                .key_id(key_arn)
                .message(Blob::new(made.message.clone()))
                .mac(Blob::new(made.carrier.clone()))
                .mac_algorithm(MacAlgorithmSpec::from(algorithm))
                .send()
                .await
                .map(|out| out.mac_valid())
                .map_err(|e| KmsError::from_sdk(self.region(), e)),
            Proof::Signature { algorithm } => sdk
                .verify()
                .key_id(key_arn)
                .message(Blob::new(made.message.clone()))
                .message_type(MessageType::Raw)
                .signature(Blob::new(made.carrier.clone()))
                .signing_algorithm(SigningAlgorithmSpec::from(algorithm))
                .send()
                .await
                .map(|out| out.signature_valid())
                .map_err(|e| KmsError::from_sdk(self.region(), e)),
            Proof::Encapsulation => {
                let out = sdk
                    .decapsulate()
                    .key_id(key_arn)
                    .encapsulation_algorithm(EncapsulationAlgorithmSpec::MlKem)
                    .shared_secret_ciphertext_blob(Blob::new(made.carrier.clone()))
                    .send()
                    .await
                    .map_err(|e| KmsError::from_sdk(self.region(), e))?;
                let secret = Zeroizing::new(blob_of(out.shared_secret()));
                Ok(*secret == *made.secret)
            }
        }
    }
}
