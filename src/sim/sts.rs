//! The one STS operation the app calls, GetCallerIdentity, in STS's Query protocol (a
//! form-encoded POST answered in XML), so `--demo` and the tests can name the identity in use
//! exactly as they would against AWS or moto.

/// Whether a form-encoded body asks for GetCallerIdentity.
pub fn is_get_caller_identity(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|text| {
        text.split('&')
            .any(|pair| pair == "Action=GetCallerIdentity")
    })
}

/// The answer for a caller signing with `access_key_id` in `account`: a user named after the
/// simulated account (the simulator has no IAM; the access key ID is not a secret).
pub fn caller_identity_xml(account: &str, request_id: &str) -> String {
    format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult>\
         <Arn>arn:aws:iam::{account}:user/kms-simulator-user</Arn>\
         <UserId>AIDAKMSSIMULATORUSER</UserId>\
         <Account>{account}</Account>\
         </GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>"
    )
}

/// An STS error in the Query protocol's XML shape.
pub fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_get_caller_identity_action_is_recognised() {
        assert!(is_get_caller_identity(
            b"Action=GetCallerIdentity&Version=2011-06-15"
        ));
        assert!(!is_get_caller_identity(
            b"Action=AssumeRole&Version=2011-06-15"
        ));
        assert!(!is_get_caller_identity(b"{\"KeyId\": \"x\"}"));
    }
}
