//! Where a command's text goes: a file the user named (written 0600), or standard output.

use std::io::Write as _;
use std::path::Path;

/// Writes `text` to `output`, or to standard output without one (ending with a newline).
pub fn write_report(output: Option<&Path>, text: &str) -> Result<(), String> {
    match output {
        Some(path) => crate::jobs::write_private(path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            write!(out, "{text}").map_err(|e| format!("cannot write the report: {e}"))?;
            if !text.ends_with('\n') {
                writeln!(out).map_err(|e| format!("cannot write the report: {e}"))?;
            }
            Ok(())
        }
    }
}
