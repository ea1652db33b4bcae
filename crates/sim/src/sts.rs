//! STS's Query-protocol answers (XML), so `--demo` and the tests can name the identity in use
//! and enter the organization's accounts exactly as they would against AWS or moto.

/// GetCallerIdentity's answer for a caller in `account` signing as `arn` (the simulator has no
/// IAM: static credentials are a user of the management account, AssumeRole's an assumed role).
pub fn caller_identity_xml(account: &str, arn: &str, request_id: &str) -> String {
    format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult>\
         <Arn>{arn}</Arn>\
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
