//! Reading secrets and inputs, writing outputs.

use std::io::{Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::failure::Failure;

/// Largest secret file or stdin secret accepted.
const MAX_SECRET_LEN: usize = 64 * 1024;

/// Reads a secret file (key, pepper, CSRF secret). One trailing newline
/// (`\n` or `\r\n`) is not part of the secret.
pub fn read_secret_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    read_secret_file_limited(path, MAX_SECRET_LEN)
}

/// Largest keyring document read (thousands of keys; retired keys are kept).
pub const MAX_KEYRING_LEN: usize = 16 << 20;

/// [`read_secret_file`] with its own size limit.
pub fn read_secret_file_limited(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    if bytes.len() > limit {
        return Err(Failure::Usage(format!(
            "{}: larger than {limit} bytes; not a key file",
            path.display()
        )));
    }
    strip_newline(&mut bytes);
    if bytes.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: the file is empty",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Reads one secret line from stdin (an API key, a CSRF token), without its
/// line ending. `None` if it is not UTF-8 text or longer than any such
/// secret can be (the caller rejects it in its own words).
pub fn read_stdin_secret() -> Result<Option<Zeroizing<String>>, Failure> {
    match read_stdin_text(MAX_SECRET_LEN) {
        Err(Failure::Usage(m)) if m.starts_with("standard input is larger") => Ok(None),
        other => other,
    }
}

/// Reads stdin as one line of text of at most `limit` bytes (a longer input
/// is an error, never silently cut), without its line ending. `None` if it
/// is not UTF-8.
pub fn read_stdin_text(limit: usize) -> Result<Option<Zeroizing<String>>, Failure> {
    let mut bytes = read_stdin_all(limit)?;
    strip_newline(&mut bytes);
    Ok(std::str::from_utf8(&bytes)
        .ok()
        .map(|text| Zeroizing::new(text.to_owned())))
}

fn strip_newline(bytes: &mut Vec<u8>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

/// Writes `line` and one newline to stdout.
pub fn print_line(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(stdout_failure)
}

/// A failed write to stdout: a closed pipe (`hx ... | head -1`) ends the
/// command quietly with the status a shell reports for SIGPIPE, as coreutils
/// do; any other error is an I/O error.
fn stdout_failure(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::Status(128 + 13)
    } else {
        Failure::Usage(format!("standard output: {e}"))
    }
}

/// Writes a secret file atomically: a temporary file in the same directory
/// (created with mode 0600), written, flushed to disk, then renamed over
/// `path`, and the directory synced. A reader sees the old file or the new
/// one, never a mixture; a crash leaves no partial file under `path`.
pub fn write_secret_file_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    write_atomic(path, contents, false)
}

/// [`write_secret_file_atomic`] that fails if `path` exists, even when another
/// process creates it meanwhile (the rename itself refuses to replace it).
pub fn create_secret_file_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    write_atomic(path, contents, true)
}

/// Writes a file that holds nothing secret (a public key, a signature)
/// atomically, like [`write_secret_file_atomic`], readable by everyone
/// (mode 0644).
pub fn write_public_file_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    write_atomic_mode(path, contents, false, 0o644)
}

fn write_atomic(path: &Path, contents: &[u8], no_clobber: bool) -> Result<(), Failure> {
    write_atomic_mode(path, contents, no_clobber, 0o600)
}

fn write_atomic_mode(
    path: &Path,
    contents: &[u8],
    no_clobber: bool,
    mode: u32,
) -> Result<(), Failure> {
    let io_err = |e: std::io::Error| Failure::Usage(format!("{}: {e}", path.display()));
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".hx-")
        .tempfile_in(dir)
        .map_err(io_err)?;
    tmp.write_all(contents).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    set_mode(tmp.path(), mode).map_err(io_err)?;
    if no_clobber {
        tmp.persist_noclobber(path).map_err(|e| io_err(e.error))?;
    } else {
        tmp.persist(path).map_err(|e| io_err(e.error))?;
    }
    sync_dir(dir);
    Ok(())
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename in `dir` durable (best effort: not every platform can).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Reads all of stdin, up to `limit` bytes.
pub fn read_stdin_all(limit: usize) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("standard input: {e}")))?;
    if bytes.len() > limit {
        return Err(Failure::Usage(format!(
            "standard input is larger than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// Writes raw bytes to stdout.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_failure)
}
