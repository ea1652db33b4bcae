//! The `verify` command: proof that a family's keys interoperate — the primary's data key
//! opened by every replica and each replica's by the primary. Exit 0 all interoperate, 1 some
//! do not, 2 the proof could not be made. Changes nothing (allowed with --read-only).

use super::error::CliError;
use super::settings::Session;
use crate::domain::verify::Verdict;
use crate::domain::{MrkId, Role};
use crate::jobs::{Runner, verify_family};
use crate::report::VerifyReport;

pub fn verify_command(
    runner: &Runner,
    session: &Session,
    key_id: &str,
    markdown: bool,
) -> Result<Verdict, CliError> {
    let id = MrkId::parse(key_id).ok_or_else(|| CliError::NotAFamily(key_id.to_string()))?;
    let (keys, _) = super::family::describe_family(runner, session, &id)?;
    let result = runner.block_on(verify_family(&session.clients, &keys));
    let verdict = match &result.unverifiable {
        Some(_) => Verdict::CouldNotCheck,
        None => result.verdict(),
    };
    let report = VerifyReport {
        schema_version: 1,
        key_id: id.as_str(),
        primary: keys
            .iter()
            .find(|k| k.role() == Role::Primary)
            .map(|k| k.region.to_string()),
        verdict,
        unverifiable: result.unverifiable.as_deref(),
        legs: &result.legs,
    };
    if let Some(why) = report.unverifiable {
        eprintln!("not verified: {why}");
    }
    let text = match markdown {
        true => report.markdown(),
        false => report.json()?,
    };
    super::output::write_report(None, &text)?;
    Ok(verdict)
}
