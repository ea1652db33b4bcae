//! The baseline: which Regions a family's keys must (and may) be in, the rules that add Regions
//! by alias, tag or account, and what a replica should carry of its primary (`[replicas]`) — the
//! TOML file `audit`, `plan` and the window read. The audit and the plan both read it; neither
//! reads the other for it.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::estate::Family;
use super::region::Region;
use super::tags::Tag;

/// The largest baseline file read (4 MiB): a baseline of hundreds of rules is a few KB; anything
/// larger is refused before it is parsed.
pub const MAX_BASELINE_BYTES: u64 = 4 * 1024 * 1024;

/// Which Regions must hold (and may hold) a family's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub require_regions: Vec<Region>,
    /// `None`: any Region is allowed.
    pub allow_regions: Option<Vec<Region>>,
    pub rules: Vec<BaselineRule>,
    /// What a replica should carry, for `plan` (the `[replicas]` table).
    pub replicas: ReplicaRules,
}

/// Extra required Regions for the families whose alias or tag matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRule {
    /// An alias pattern with `*` wildcards, e.g. `alias/payments-*`.
    pub alias: Option<String>,
    /// `key=value` (value may use `*`), matched against the primary's tags.
    pub tag: Option<String>,
    /// Only families in this account (the account of their keys' ARNs).
    pub account: Option<super::account::AccountId>,
    pub require_regions: Vec<Region>,
    /// What the matching families' replicas should carry, field by field over `[replicas]`.
    pub replicas: ReplicaOverride,
}

/// `*` matches any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

impl BaselineRule {
    pub fn matches(&self, family: &Family, primary_tags: Option<&[Tag]>) -> bool {
        let alias_ok = self.alias.as_ref().is_none_or(|pattern| {
            family
                .described()
                .flat_map(|k| family.aliases_in(k.region))
                .any(|a| wildcard_match(pattern, a))
        });
        let tag_ok = self.tag.as_ref().is_none_or(|spec| {
            let (key, value) = spec.split_once('=').unwrap_or((spec.as_str(), "*"));
            primary_tags
                .unwrap_or(&[])
                .iter()
                .any(|t| t.key == key && wildcard_match(value, &t.value))
        });
        let account_ok = self.account.as_ref().is_none_or(|account| {
            family
                .described()
                .any(|k| super::account::account_of_arn(&k.arn) == Some(account.as_str()))
        });
        alias_ok && tag_ok && account_ok
    }
}

/// What a replica should carry of its primary: copied, or left as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Carry {
    CopyPrimary,
    #[default]
    Keep,
}

/// What to do with a key in a Region the baseline does not allow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disallowed {
    #[default]
    Report,
    ScheduleDeletion,
    /// AWS's way: disable now; a later plan schedules the deletion once the key has been quiet
    /// (no DisabledException, no use) for a week.
    Retire,
}

/// The baseline's `[replicas]` table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicaRules {
    pub policy: Carry,
    pub tags: Carry,
    pub description: Carry,
    pub aliases: Carry,
    /// Grants are Regional: `copy-primary` creates on each replica the primary's grants it
    /// lacks (never revokes one it has).
    pub grants: Carry,
    pub disallowed: Disallowed,
}

/// A rule's `replicas` table: only the fields it names replace `[replicas]`'s, for the
/// families the rule matches (later rules win).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicaOverride {
    pub policy: Option<Carry>,
    pub tags: Option<Carry>,
    pub description: Option<Carry>,
    pub aliases: Option<Carry>,
    pub grants: Option<Carry>,
    pub disallowed: Option<Disallowed>,
}

impl ReplicaRules {
    /// These rules with `o`'s fields where it names them.
    pub fn with(self, o: ReplicaOverride) -> ReplicaRules {
        ReplicaRules {
            policy: o.policy.unwrap_or(self.policy),
            tags: o.tags.unwrap_or(self.tags),
            description: o.description.unwrap_or(self.description),
            aliases: o.aliases.unwrap_or(self.aliases),
            grants: o.grants.unwrap_or(self.grants),
            disallowed: o.disallowed.unwrap_or(self.disallowed),
        }
    }

    /// What a family's replicas should carry: `[replicas]`, then each matching rule's table.
    pub fn for_family(
        baseline: &Baseline,
        family: &Family,
        primary_tags: Option<&[Tag]>,
    ) -> ReplicaRules {
        baseline
            .rules
            .iter()
            .filter(|rule| rule.matches(family, primary_tags))
            .fold(baseline.replicas, |rules, rule| rules.with(rule.replicas))
    }
}

impl Baseline {
    /// The Regions `family` must have a key in: the baseline's own, plus those of every rule
    /// its aliases or its primary's tags (when known) match.
    pub fn required_for(&self, family: &Family, primary_tags: Option<&[Tag]>) -> BTreeSet<Region> {
        let mut required: BTreeSet<Region> = self.require_regions.iter().copied().collect();
        for rule in &self.rules {
            if rule.matches(family, primary_tags) {
                required.extend(rule.require_regions.iter().copied());
            }
        }
        required
    }

    /// Whether a key may be in `region` (every Region is, without an allow list).
    pub fn allows(&self, region: Region) -> bool {
        self.allow_regions
            .as_ref()
            .is_none_or(|allowed| allowed.contains(&region))
    }

    /// True when the baseline asks nothing (no grid marks, no summary against it).
    pub fn is_empty(&self) -> bool {
        self.require_regions.is_empty() && self.allow_regions.is_none() && self.rules.is_empty()
    }

    /// True when no plan can come of it: no Region required or disallowed, no rule, and every
    /// replica property left as it is.
    pub fn asks_nothing(&self) -> bool {
        self.is_empty() && self.replicas == ReplicaRules::default()
    }
}

/// A baseline file that cannot be used, with what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    #[error("the baseline is not valid TOML: {0}")]
    Toml(String),
    #[error("the baseline names {0}")]
    Region(#[from] super::region::UnknownRegion),
    #[error("rule {0} needs an alias, a tag or an account to match")]
    EmptyRule(usize),
    #[error("rule {0}: account {1}")]
    Account(usize, crate::account::AccountError),
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    require_regions: Vec<String>,
    allow_regions: Option<Vec<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleFile>,
    #[serde(default)]
    replicas: ReplicaRules,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    alias: Option<String>,
    tag: Option<String>,
    account: Option<String>,
    #[serde(default)]
    require_regions: Vec<String>,
    #[serde(default)]
    replicas: ReplicaOverride,
}

/// A parse error quotes the offending line; a line of a generated file can be megabytes long,
/// so each line of the message is cut to what a person can read.
fn short_lines(message: &str) -> String {
    const MAX: usize = 160;
    message
        .lines()
        .map(|line| match line.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn regions(names: &[String]) -> Result<Vec<Region>, super::region::UnknownRegion> {
    names.iter().map(|n| n.parse()).collect()
}

impl Baseline {
    /// Reads a baseline:
    ///
    /// ```toml
    /// require_regions = ["us-east-1", "eu-west-1"]
    /// allow_regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
    /// [[rule]]
    /// alias = "alias/payments-*"     # or: tag = "data-class=confidential", account = "ID"
    /// require_regions = ["ap-southeast-2"]
    /// ```
    pub fn from_toml(text: &str) -> Result<Baseline, BaselineError> {
        let file: BaselineFile =
            toml::from_str(text).map_err(|e| BaselineError::Toml(short_lines(&e.to_string())))?;
        let mut rules = Vec::new();
        for (i, rule) in file.rules.into_iter().enumerate() {
            if rule.alias.is_none() && rule.tag.is_none() && rule.account.is_none() {
                return Err(BaselineError::EmptyRule(i + 1));
            }
            let account = rule
                .account
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| BaselineError::Account(i + 1, e))?;
            rules.push(BaselineRule {
                alias: rule.alias,
                tag: rule.tag,
                account,
                require_regions: regions(&rule.require_regions)?,
                replicas: rule.replicas,
            });
        }
        Ok(Baseline {
            require_regions: regions(&file.require_regions)?,
            allow_regions: file.allow_regions.as_deref().map(regions).transpose()?,
            rules,
            replicas: file.replicas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_shell_globs() {
        assert!(wildcard_match("alias/pay*", "alias/payments"));
        assert!(wildcard_match("*ments", "alias/payments"));
        assert!(wildcard_match("a*b*c", "a-x-b-y-c"));
        assert!(!wildcard_match("alias/pay*", "alias/ledger"));
        assert!(wildcard_match("exact", "exact") && !wildcard_match("exact", "exactly"));
    }

    #[test]
    fn a_baseline_file_gives_required_allowed_and_rules() {
        let b = Baseline::from_toml(
            "require_regions = [\"us-east-1\"]\nallow_regions = [\"us-east-1\", \"eu-west-1\"]\n\
             [[rule]]\ntag = \"data-class=confidential\"\nrequire_regions = [\"eu-west-1\"]\n",
        )
        .unwrap();
        assert_eq!(b.require_regions.len(), 1);
        assert_eq!(b.allow_regions.map(|a| a.len()), Some(2));
        assert_eq!(b.rules[0].tag.as_deref(), Some("data-class=confidential"));
    }

    #[test]
    fn an_unknown_region_or_an_empty_rule_is_refused() {
        assert!(matches!(
            Baseline::from_toml("require_regions = [\"mars-1\"]"),
            Err(BaselineError::Region(_))
        ));
        assert_eq!(
            Baseline::from_toml("[[rule]]\nrequire_regions = []"),
            Err(BaselineError::EmptyRule(1))
        );
        assert!(matches!(
            Baseline::from_toml("require = 1"),
            Err(BaselineError::Toml(_))
        ));
    }

    #[test]
    fn a_parse_error_on_a_huge_line_quotes_only_a_readable_part_of_it() {
        let huge = format!("require_regions = [{}", "[".repeat(200_000));
        let Err(BaselineError::Toml(message)) = Baseline::from_toml(&huge) else {
            panic!("a deep array is not a baseline");
        };
        assert!(message.len() < 2_000, "{} bytes", message.len());
    }
}
