//! Tag rules KMS enforces (keys 1–128 characters, values 0–256, unique keys, no `aws:` prefix in
//! any case, at most 50), checked row by row so the editor can mark each bad row with its reason.

use std::collections::HashMap;

pub const MAX_TAGS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagProblem {
    #[error("the key is empty")]
    EmptyKey,
    #[error("the key is {0} characters; at most 128")]
    KeyTooLong(usize),
    #[error("the value is {0} characters; at most 256")]
    ValueTooLong(usize),
    #[error("keys beginning with aws: are reserved for AWS")]
    Reserved,
    #[error("the key is used by another row")]
    Duplicate,
}

/// The verdict on a list of tag rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCheck {
    /// One entry per row, in order.
    pub rows: Vec<Option<TagProblem>>,
    /// More than 50 rows.
    pub too_many: bool,
}

impl TagCheck {
    pub fn is_valid(&self) -> bool {
        !self.too_many && self.rows.iter().all(Option::is_none)
    }
}

pub fn check_tags(tags: &[Tag]) -> TagCheck {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for tag in tags {
        *seen.entry(tag.key.as_str()).or_default() += 1;
    }
    let rows = tags
        .iter()
        .map(|tag| {
            let key_len = tag.key.chars().count();
            let value_len = tag.value.chars().count();
            if key_len == 0 {
                Some(TagProblem::EmptyKey)
            } else if key_len > 128 {
                Some(TagProblem::KeyTooLong(key_len))
            } else if value_len > 256 {
                Some(TagProblem::ValueTooLong(value_len))
            } else if tag
                .key
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
            {
                Some(TagProblem::Reserved)
            } else if seen.get(tag.key.as_str()).copied().unwrap_or(0) > 1 {
                Some(TagProblem::Duplicate)
            } else {
                None
            }
        })
        .collect();
    TagCheck {
        rows,
        too_many: tags.len() > MAX_TAGS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aws_prefix_in_any_case_is_reserved() {
        let check = check_tags(&[Tag::new("AWS:team", "x"), Tag::new("aws:env", "y")]);
        assert_eq!(
            check.rows,
            [Some(TagProblem::Reserved), Some(TagProblem::Reserved)]
        );
    }

    #[test]
    fn duplicate_keys_mark_every_row_that_shares_them() {
        let check = check_tags(&[
            Tag::new("env", "a"),
            Tag::new("team", "b"),
            Tag::new("env", "c"),
        ]);
        assert_eq!(
            check.rows,
            [
                Some(TagProblem::Duplicate),
                None,
                Some(TagProblem::Duplicate)
            ]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let check = check_tags(&[
            Tag::new("", "v"),
            Tag::new("k".repeat(129), ""),
            Tag::new("é".repeat(128), "v".repeat(257)),
            Tag::new("ü".repeat(128), "ü".repeat(256)),
        ]);
        assert_eq!(
            check.rows,
            [
                Some(TagProblem::EmptyKey),
                Some(TagProblem::KeyTooLong(129)),
                Some(TagProblem::ValueTooLong(257)),
                None
            ]
        );
    }

    #[test]
    fn fifty_one_tags_are_too_many() {
        let tags: Vec<Tag> = (0..51).map(|i| Tag::new(format!("k{i}"), "")).collect();
        assert!(check_tags(&tags).too_many);
        assert!(check_tags(&tags[..50]).is_valid());
    }
}
