//! The config file (`config.toml` in the platform's config folder, or `--config FILE`): the
//! flags typed every day — profile, Regions, partition, baseline, accounts and role, state
//! folder — given once. A flag on the command line wins over the file. An unknown key or a bad
//! value is refused with its line, before any call.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::args::{Cli, Command, PartitionArg};
use super::error::CliError;

/// Why the config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, an unknown key, or a value of the wrong type (the message names the line).
    #[error("{0}")]
    Parse(#[from] toml::de::Error),
    /// A value the flag it stands for would refuse.
    #[error("{key} = \"{value}\": {why}")]
    BadValue {
        key: &'static str,
        value: String,
        why: String,
    },
    #[error("{0}")]
    Read(std::io::Error),
}

/// What the file may set, by the flags' own names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub profile: Option<String>,
    pub regions: Option<Vec<String>>,
    pub partition: Option<String>,
    pub baseline: Option<PathBuf>,
    pub accounts: Option<String>,
    pub assume_role: Option<String>,
    pub state_dir: Option<PathBuf>,
}

/// The file to read: `--config`, else the platform's (`~/.config/kms-replica-console/config.toml`
/// on Linux), which may be absent.
fn location(cli: &Cli) -> Option<(PathBuf, bool)> {
    if let Some(path) = &cli.config {
        return Some((path.clone(), true));
    }
    directories::ProjectDirs::from("", "", "kms-replica-console")
        .map(|dirs| (dirs.config_dir().join("config.toml"), false))
}

/// Reads the config file, and fills in every flag the command line left out.
pub fn apply_config(cli: &mut Cli) -> Result<(), CliError> {
    let Some((path, explicit)) = location(cli) else {
        return Ok(());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(()),
        Err(e) => {
            return Err(CliError::Config {
                path,
                source: ConfigError::Read(e),
            });
        }
    };
    parse(&text)
        .and_then(|file| fill(cli, file))
        .map_err(|source| CliError::Config { path, source })
}

/// The file's keys, or the parser's error with its line and column.
fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
    Ok(toml::from_str(text)?)
}

/// Sets each flag the command line did not give from the file, checking its value as the flag
/// would be.
fn fill(cli: &mut Cli, file: ConfigFile) -> Result<(), ConfigError> {
    if cli.profile.is_none() {
        cli.profile = file.profile;
    }
    if cli.regions.is_none() {
        cli.regions = file.regions.map(|r| r.join(","));
    }
    if cli.partition.is_none()
        && let Some(p) = file.partition
    {
        let parsed = <PartitionArg as clap::ValueEnum>::from_str(&p, true).map_err(|_| {
            ConfigError::BadValue {
                key: "partition",
                value: p.clone(),
                why: "expected aws, aws-cn or aws-us-gov".into(),
            }
        })?;
        cli.partition = Some(parsed);
    }
    if cli.accounts.is_none()
        && let Some(a) = file.accounts
    {
        let parsed =
            a.parse().map_err(
                |e: crate::domain::account::AccountError| ConfigError::BadValue {
                    key: "accounts",
                    value: a.clone(),
                    why: e.to_string(),
                },
            )?;
        cli.accounts = Some(parsed);
    }
    if cli.assume_role.is_none() {
        cli.assume_role = file.assume_role;
    }
    if cli.state_dir.is_none() && !cli.no_history {
        cli.state_dir = file.state_dir;
    }
    if let Some(baseline) = file.baseline {
        fill_baseline(cli, &baseline);
    }
    Ok(())
}

/// The baseline of the window and of `audit`, where the command line gave none (`plan` names
/// its own).
fn fill_baseline(cli: &mut Cli, baseline: &Path) {
    if cli.baseline.is_none() {
        cli.baseline = Some(baseline.to_path_buf());
    }
    if let Some(Command::Audit(args)) = &mut cli.command
        && args.baseline.is_none()
        && args.require_regions.is_none()
        && args.allow_regions.is_none()
    {
        args.baseline = Some(baseline.to_path_buf());
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::parse_from(std::iter::once("kms-replica-console").chain(args.iter().copied()))
    }

    #[test]
    fn the_file_fills_what_the_command_line_left_out_and_a_flag_wins() {
        let file = parse("profile = \"audit\"\nregions = [\"eu-west-1\", \"us-east-1\"]\nstate-dir = \"/tmp/kms\"\n").unwrap();
        let mut given = cli(&["--regions", "ap-southeast-2", "audit"]);
        fill(&mut given, file).unwrap();
        assert_eq!(
            given.regions.as_deref(),
            Some("ap-southeast-2"),
            "the flag wins"
        );
        assert_eq!(given.profile.as_deref(), Some("audit"));
        assert_eq!(given.state_dir.as_deref(), Some(Path::new("/tmp/kms")));
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let err = parse("profile = \"audit\"\nregion = [\"eu-west-1\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("region"), "{err}");
    }

    #[test]
    fn a_bad_value_is_refused_naming_it() {
        let err = parse("regions = \"eu-west-1\"\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let file = parse("partition = \"mars\"\n").unwrap();
        let err = fill(&mut cli(&["audit"]), file).unwrap_err().to_string();
        assert!(err.contains("partition = \"mars\""), "{err}");
    }

    #[test]
    fn no_history_on_the_command_line_is_not_undone_by_a_state_dir_in_the_file() {
        let file = parse("state-dir = \"/tmp/kms\"\n").unwrap();
        let mut given = cli(&["--no-history", "audit"]);
        fill(&mut given, file).unwrap();
        assert_eq!(given.state_dir, None);
    }
}
