//! Where a command's text goes: a file the user named (written 0600), or standard output.

use std::io::Write as _;
use std::path::Path;

use super::error::CliError;

/// Writes `text` to `output`, or to standard output without one (ending with a newline).
pub fn write_report(output: Option<&Path>, text: &str) -> Result<(), CliError> {
    match output {
        Some(path) => crate::jobs::write_private(path, text).map_err(|source| CliError::Write {
            path: path.to_path_buf(),
            source,
        }),
        None => {
            let mut out = std::io::stdout().lock();
            write!(out, "{text}").map_err(CliError::Stdout)?;
            if !text.ends_with('\n') {
                writeln!(out).map_err(CliError::Stdout)?;
            }
            Ok(())
        }
    }
}
