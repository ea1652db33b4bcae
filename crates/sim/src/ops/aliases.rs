//! ListAliases, CreateAlias, DeleteAlias. Aliases are per Region and never replicated.

use serde_json::{Value, json};

use super::{page, required};
use crate::error::{Fault, OpResult};
use crate::model::{Alias, Kms, State};

impl Kms {
    pub(super) fn list_aliases(&self, region: &str, input: &Value) -> OpResult {
        let only = match super::optional(input, "KeyId") {
            Some(_) => Some(self.target(region, input)?),
            None => None,
        };
        let items: Vec<(String, Value)> = self
            .aliases
            .range((region.to_string(), String::new())..)
            .take_while(|((r, _), _)| r == region)
            .filter(|(_, a)| only.as_ref().is_none_or(|id| *id == a.target))
            .map(|((_, name), a)| {
                (
                    name.clone(),
                    json!({
                        "AliasName": name,
                        "AliasArn": self.alias_arn(region, name),
                        "TargetKeyId": a.target,
                        "CreationDate": a.created,
                        "LastUpdatedDate": a.created,
                    }),
                )
            })
            .collect();
        let (aliases, next) = page(&items, input)?;
        let mut out = json!({ "Aliases": aliases, "Truncated": next.is_some() });
        if let Some(marker) = next {
            out["NextMarker"] = json!(marker);
        }
        Ok(out)
    }

    pub(super) fn create_alias(&mut self, region: &str, input: &Value, now: f64) -> OpResult {
        let name = required(input, "AliasName")?;
        check_alias_name(name)?;
        let target = required(input, "TargetKeyId")?;
        if target.starts_with("alias/") || target.contains(":alias/") {
            return Err(Fault::validation(
                "TargetKeyId must be a key ID or key ARN, not an alias.",
            ));
        }
        let id = self.resolve(region, target)?;
        let key = self.get(region, &id)?;
        if matches!(
            key.state,
            State::PendingDeletion | State::PendingReplicaDeletion
        ) {
            return Err(super::invalid_state(key));
        }
        let slot = (region.to_string(), name.to_string());
        if self.aliases.contains_key(&slot) {
            return Err(Fault::already_exists(format!(
                "An alias with the name {} already exists",
                self.alias_arn(region, name)
            )));
        }
        self.aliases.insert(
            slot,
            Alias {
                target: id,
                created: now,
            },
        );
        Ok(json!({}))
    }

    pub(super) fn delete_alias(&mut self, region: &str, input: &Value) -> OpResult {
        let name = required(input, "AliasName")?;
        match self.aliases.remove(&(region.to_string(), name.to_string())) {
            Some(_) => Ok(json!({})),
            None => Err(Fault::not_found(format!(
                "Alias {} is not found.",
                self.alias_arn(region, name)
            ))),
        }
    }
}

fn check_alias_name(name: &str) -> Result<(), Fault> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err(Fault::invalid_alias(
            "Alias must start with the prefix \"alias/\".",
        ));
    };
    if rest.starts_with("aws/") {
        return Err(Fault::invalid_alias(
            "Alias must not begin with the reserved prefix \"alias/aws/\".",
        ));
    }
    let valid = !rest.is_empty()
        && name.len() <= 256
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'));
    if !valid {
        return Err(Fault::validation(format!(
            "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )));
    }
    Ok(())
}
