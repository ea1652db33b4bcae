//! The files a user hands the app and the ones it writes for them. Plans (which carry whole key
//! policies), their journals and audit reports are created 0600 and tightened to it when they
//! already exist, so another user of the machine never reads a policy or a finding from them.
//! Files read (a baseline, a plan) are refused beyond a size before they are parsed, so a huge
//! file is an error, not gigabytes of memory.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

/// Why a file handed to the app could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the {what} {} is {size} bytes; at most {max} bytes ({} MiB) are read: is it the right file?",
        path.display(),
        max / (1024 * 1024)
    )]
    TooBig {
        what: &'static str,
        path: PathBuf,
        size: u64,
        max: u64,
    },
}

/// The text of `path` (a `what`: "baseline", "plan"), refused when larger than `max` bytes.
pub fn read_bounded(path: &Path, max: u64, what: &'static str) -> Result<String, ReadError> {
    let cannot = |source: std::io::Error| ReadError::Io {
        what,
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(cannot)?;
    let too_big = |size: u64| ReadError::TooBig {
        what,
        path: path.to_path_buf(),
        size,
        max,
    };
    let size = file.metadata().map_err(cannot)?.len();
    if size > max {
        return Err(too_big(size));
    }
    // A file that grows while it is read (or a FIFO) is held to the same bound.
    let mut text = String::new();
    file.take(max + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > max {
        return Err(too_big(text.len() as u64));
    }
    Ok(text)
}

/// Opens `path` for writing, created 0600 (Unix), truncated unless `append`.
pub fn open_private(path: &Path, append: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    if append {
        options.append(true);
    } else {
        options.truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Writes `text` to `path` (replacing it), readable by its owner only.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = open_private(path, false)?;
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_file_beyond_the_bound_is_refused_before_it_is_read() {
        let path = std::env::temp_dir().join(format!("kms-rc-big-{}", fastrand::u64(..)));
        std::fs::write(&path, "x".repeat(2048)).unwrap();
        let err = read_bounded(&path, 1024, "baseline").unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooBig {
                    size: 2048,
                    max: 1024,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("2048 bytes"), "{err}");
        assert_eq!(read_bounded(&path, 4096, "baseline").unwrap().len(), 2048);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_new_file_and_an_existing_open_one_both_end_0600() {
        let dir = std::env::temp_dir().join(format!("kms-rc-private-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let fresh = dir.join("fresh");
        let old = dir.join("old");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&fresh, "plan").unwrap();
        write_private(&old, "plan").unwrap();
        for path in [&fresh, &old] {
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            assert_eq!(std::fs::read_to_string(path).unwrap(), "plan");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
