//! Input rules KMS enforces, with the error types and messages real KMS returns (KMS_FACTS.md).

use serde_json::Value;

use super::error::Fault;

pub const MAX_POLICY_BYTES: usize = 32_768;
pub const MAX_DESCRIPTION_CHARS: usize = 8_192;
pub const MAX_TAGS: usize = 50;

/// Key policy: at most 32 KB, only `\t \n \r` and U+0020–U+00FF, JSON with a `Statement`.
pub fn policy(text: &str) -> Result<(), Fault> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(Fault::malformed_policy(format!(
            "The key policy is {} bytes; the limit is {MAX_POLICY_BYTES}.",
            text.len()
        )));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return Err(Fault::malformed_policy(format!(
            "The key policy contains a character that is not allowed: U+{:04X}.",
            bad as u32
        )));
    }
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| Fault::malformed_policy(format!("The key policy is not valid JSON: {e}")))?;
    match doc.get("Statement") {
        Some(Value::Array(s)) if !s.is_empty() => Ok(()),
        Some(Value::Object(_)) => Ok(()),
        _ => Err(Fault::malformed_policy(
            "The key policy has no Statement.".to_string(),
        )),
    }
}

pub fn description(text: &str) -> Result<(), Fault> {
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Fault::validation(format!(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_DESCRIPTION_CHARS}"
        )));
    }
    Ok(())
}

/// A tag as KMS takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Parses and checks a `Tags` list: lengths (ValidationException), then reserved prefix,
/// duplicates and count (TagException).
pub fn tags(input: Option<&Value>) -> Result<Vec<Tag>, Fault> {
    let Some(list) = input else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| Fault::serialization("Tags must be a list"))?;
    let mut tags = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let n = i + 1;
        // Both members are required strings in the service model.
        let member =
            |name: &str| {
                item.get(name).and_then(Value::as_str).ok_or_else(|| {
                let camel = if name == "TagKey" { "tagKey" } else { "tagValue" };
                Fault::validation(format!(
                    "1 validation error detected: Value null at 'tags.{n}.member.{camel}' failed \
                     to satisfy constraint: Member must not be null"
                ))
            })
            };
        let key = member("TagKey")?;
        let value = member("TagValue")?;
        if key.is_empty() || key.chars().count() > 128 {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{key}' at 'tags.{n}.member.tagKey' failed to \
                 satisfy constraint: Member must have length {}",
                if key.is_empty() {
                    "greater than or equal to 1"
                } else {
                    "less than or equal to 128"
                }
            )));
        }
        if value.chars().count() > 256 {
            return Err(Fault::validation(format!(
                "1 validation error detected: Value '{value}' at 'tags.{n}.member.tagValue' failed \
                 to satisfy constraint: Member must have length less than or equal to 256"
            )));
        }
        tags.push(Tag {
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    check_tag_set(&tags)?;
    Ok(tags)
}

/// Rules on a whole tag set (also applied after TagResource merges new tags in).
pub fn check_tag_set(tags: &[Tag]) -> Result<(), Fault> {
    if tags.iter().any(|t| {
        t.key
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
    }) {
        return Err(Fault::tag("Tags beginning with aws: are reserved"));
    }
    let mut keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(Fault::tag("Duplicate tag keys"));
    }
    if tags.len() > MAX_TAGS {
        return Err(Fault::tag("Too many tags"));
    }
    Ok(())
}

/// The default key policy KMS attaches when `Policy` is omitted: the account root gets `kms:*`.
pub fn default_policy(partition: &str, account: &str) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:{partition}:iam::{account}:root") },
            "Action": "kms:*",
            "Resource": "*"
        }]
    }))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_rules() {
        assert!(policy(&default_policy("aws", "111122223333")).is_ok());
        assert_eq!(
            policy("{").unwrap_err().code,
            "MalformedPolicyDocumentException"
        );
        assert!(policy(r#"{"Statement":[{"Sid":"é"}]}"#).is_ok());
        assert!(policy(r#"{"Statement":[{"Sid":"☃"}]}"#).is_err());
        assert!(policy(r#"{"Version":"2012-10-17"}"#).is_err());
        let huge = format!(r#"{{"Statement":[{{"Sid":"{}"}}]}}"#, "a".repeat(33_000));
        assert!(policy(&huge).is_err());
    }

    #[test]
    fn tag_rules_match_recorded_kms_errors() {
        let reserved = tags(Some(&json!([{"TagKey": "AWS:x", "TagValue": ""}]))).unwrap_err();
        assert_eq!(reserved.code, "TagException");
        let dup = json!([{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]);
        assert_eq!(tags(Some(&dup)).unwrap_err().message, "Duplicate tag keys");
        let many: Vec<Value> = (0..51)
            .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": ""}))
            .collect();
        assert_eq!(
            tags(Some(&Value::Array(many))).unwrap_err().message,
            "Too many tags"
        );
        let long = json!([{"TagKey": "k".repeat(129), "TagValue": ""}]);
        assert_eq!(tags(Some(&long)).unwrap_err().code, "ValidationException");
    }
}
