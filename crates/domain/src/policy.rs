//! Key policy rules KMS enforces, checked before any call so the user sees the problem where they
//! typed it: size, allowed characters, JSON, statements.

/// KMS's limit on a key policy document.
pub const MAX_POLICY_BYTES: usize = 32_768;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy is {0} bytes; KMS accepts at most 32,768")]
    TooLarge(usize),
    #[error(
        "line {line}, column {column}: character U+{code:04X} is not allowed (KMS accepts tab, \
         newline, carriage return and U+0020–U+00FF)"
    )]
    BadCharacter {
        line: usize,
        column: usize,
        code: u32,
    },
    #[error("line {line}, column {column}: not valid JSON: {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the policy must be a JSON object")]
    NotObject,
    #[error("the policy needs a \"Statement\" with at least one statement")]
    NoStatement,
}

impl PolicyError {
    /// Where in the text the problem is, for pointing at it in the editor.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            PolicyError::BadCharacter { line, column, .. }
            | PolicyError::NotJson { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }
}

/// Checks a policy as KMS would before accepting it.
pub fn validate_policy(text: &str) -> Result<serde_json::Value, PolicyError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(PolicyError::TooLarge(text.len()));
    }
    for (line_index, line) in text.split('\n').enumerate() {
        if let Some((col, c)) = line
            .chars()
            .enumerate()
            .find(|(_, c)| !matches!(c, '\t' | '\r' | '\u{20}'..='\u{ff}'))
        {
            return Err(PolicyError::BadCharacter {
                line: line_index + 1,
                column: col + 1,
                code: c as u32,
            });
        }
    }
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| PolicyError::NotJson {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let object = doc.as_object().ok_or(PolicyError::NotObject)?;
    // IAM's grammar allows one statement object as well as an array of them.
    match object.get("Statement") {
        Some(serde_json::Value::Array(list)) if !list.is_empty() => Ok(doc),
        Some(serde_json::Value::Object(_)) => Ok(doc),
        _ => Err(PolicyError::NoStatement),
    }
}

/// Pretty-prints a valid policy (the editor's "format" button).
pub fn format_policy(text: &str) -> Result<String, PolicyError> {
    let doc = validate_policy(text)?;
    serde_json::to_string_pretty(&doc).map_err(|e| PolicyError::NotJson {
        line: 0,
        column: 0,
        message: e.to_string(),
    })
}

/// serde_json appends " at line L column C"; the error carries those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

    #[test]
    fn a_valid_policy_passes() {
        assert!(validate_policy(VALID).is_ok());
    }

    #[test]
    fn broken_json_reports_line_and_column() {
        let err = validate_policy("{\n  \"Statement\": [\n  }").unwrap_err();
        let (line, column) = err.position().unwrap();
        assert_eq!(line, 3);
        assert!(column >= 3, "{err}");
        assert!(err.to_string().starts_with("line 3, column"));
    }

    #[test]
    fn characters_outside_latin_1_are_refused_with_their_position() {
        let err = validate_policy("{\"Statement\": [{\"Sid\": \"☃\"}]}").unwrap_err();
        assert_eq!(
            err,
            PolicyError::BadCharacter {
                line: 1,
                column: 25,
                code: 0x2603
            }
        );
    }

    #[test]
    fn a_policy_over_32_kib_is_too_large() {
        let big = format!(
            r#"{{"Statement":[{{"Sid":"{}"}}]}}"#,
            "a".repeat(MAX_POLICY_BYTES)
        );
        assert!(matches!(
            validate_policy(&big),
            Err(PolicyError::TooLarge(_))
        ));
    }

    #[test]
    fn a_policy_without_statements_is_refused() {
        assert_eq!(
            validate_policy(r#"{"Version":"2012-10-17"}"#),
            Err(PolicyError::NoStatement)
        );
        assert_eq!(
            validate_policy(r#"{"Statement":[]}"#),
            Err(PolicyError::NoStatement)
        );
        assert_eq!(validate_policy("[1]"), Err(PolicyError::NotObject));
    }

    #[test]
    fn formatting_pretty_prints_and_keeps_the_meaning() {
        let pretty = format_policy(VALID).unwrap();
        assert!(pretty.contains("\n  \"Statement\""));
        assert_eq!(
            validate_policy(&pretty).unwrap(),
            validate_policy(VALID).unwrap()
        );
    }
}
