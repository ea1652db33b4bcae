//! Errors in the AWS JSON shape (`{"__type": "...Exception", "message": "..."}`), so the SDK on the
//! other side yields its typed errors.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Fault {
    fn client(code: &'static str, message: impl Into<String>) -> Fault {
        Fault {
            status: 400,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Fault {
        Fault::client("NotFoundException", message)
    }
    pub fn already_exists(message: impl Into<String>) -> Fault {
        Fault::client("AlreadyExistsException", message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Fault {
        Fault::client("KMSInvalidStateException", message)
    }
    pub fn disabled(message: impl Into<String>) -> Fault {
        Fault::client("DisabledException", message)
    }
    pub fn unsupported(message: impl Into<String>) -> Fault {
        Fault::client("UnsupportedOperationException", message)
    }
    pub fn validation(message: impl Into<String>) -> Fault {
        Fault::client("ValidationException", message)
    }
    pub fn malformed_policy(message: impl Into<String>) -> Fault {
        Fault::client("MalformedPolicyDocumentException", message)
    }
    pub fn tag(message: impl Into<String>) -> Fault {
        Fault::client("TagException", message)
    }
    pub fn invalid_alias(message: impl Into<String>) -> Fault {
        Fault::client("InvalidAliasNameException", message)
    }
    pub fn invalid_import_token(message: impl Into<String>) -> Fault {
        Fault::client("InvalidImportTokenException", message)
    }
    pub fn expired_import_token(message: impl Into<String>) -> Fault {
        Fault::client("ExpiredImportTokenException", message)
    }
    pub fn incorrect_key_material(message: impl Into<String>) -> Fault {
        Fault::client("IncorrectKeyMaterialException", message)
    }
    pub fn invalid_mac(message: impl Into<String>) -> Fault {
        Fault::client("KMSInvalidMacException", message)
    }
    pub fn invalid_signature(message: impl Into<String>) -> Fault {
        Fault::client("KMSInvalidSignatureException", message)
    }
    pub fn invalid_grant_token(message: impl Into<String>) -> Fault {
        Fault::client("InvalidGrantTokenException", message)
    }
    /// A CloudTrail error, by its code.
    pub fn trail(code: &'static str, message: impl Into<String>) -> Fault {
        Fault::client(code, message)
    }
    pub fn incorrect_key(message: impl Into<String>) -> Fault {
        Fault::client("IncorrectKeyException", message)
    }
    pub fn invalid_ciphertext(message: impl Into<String>) -> Fault {
        Fault::client("InvalidCiphertextException", message)
    }
    pub fn invalid_key_usage(message: impl Into<String>) -> Fault {
        Fault::client("InvalidKeyUsageException", message)
    }
    pub fn limit_exceeded(message: impl Into<String>) -> Fault {
        Fault::client("LimitExceededException", message)
    }
    pub fn serialization(message: impl Into<String>) -> Fault {
        Fault::client("SerializationException", message)
    }
    pub fn invalid_marker(message: impl Into<String>) -> Fault {
        Fault::client("InvalidMarkerException", message)
    }
    pub fn unknown_operation(message: impl Into<String>) -> Fault {
        Fault::client("UnknownOperationException", message)
    }
    pub fn unrecognized_client(message: impl Into<String>) -> Fault {
        Fault::client("UnrecognizedClientException", message)
    }
    pub fn missing_auth(message: impl Into<String>) -> Fault {
        Fault::client("MissingAuthenticationTokenException", message)
    }
    pub fn access_denied(operation: &str) -> Fault {
        Fault::client(
            "AccessDeniedException",
            format!(
                "User: arn:aws:iam::111122223333:user/tester is not authorized to perform: kms:{operation}"
            ),
        )
    }
    pub fn expired_token() -> Fault {
        Fault::client(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
    }
    pub fn throttling() -> Fault {
        Fault::client("ThrottlingException", "Rate exceeded")
    }
    pub fn internal() -> Fault {
        Fault {
            status: 500,
            code: "KMSInternalException",
            message: "The request was rejected because an internal exception occurred.".into(),
        }
    }

    pub fn body(&self) -> String {
        serde_json::json!({ "__type": self.code, "message": self.message }).to_string()
    }
}

pub type OpResult = Result<serde_json::Value, Fault>;
