//! Reading secrets and inputs, writing outputs: the conventions every
//! command follows, built once.
//!
//! - `-` names standard input or output wherever a file is named
//!   ([`is_stdio`], [`Input`], [`Output`]).
//! - Outputs are named only on success and never replace a file without
//!   `--force` ([`output`]).
//! - Secret files readable by group or others are refused
//!   ([`read_secret_file`]; `HX_KEY_PERMISSIONS=warn` makes it a warning).
//! - Every read into memory has a bound ([`read_bounded`]).
//! - A closed output pipe ends the command quietly ([`stdout_failure`]).

use std::io::{Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::failure::Failure;

pub mod output;
pub mod signals;

pub use output::{Access, Output, Replace, write_output};

/// Whether a file argument means standard input or output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a file argument is named in messages.
pub fn display(path: &Path) -> String {
    if is_stdio(path) {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// An input named on the command line: a file, or standard input for `-`.
/// Read errors name it.
pub struct Input {
    source: Source,
    len: Option<u64>,
    name: String,
}

enum Source {
    Stdin(std::io::Stdin),
    File(std::fs::File),
}

/// `path: message` as a usage or I/O failure.
pub fn path_failure(path: &Path, e: &dyn std::fmt::Display) -> Failure {
    Failure::Usage(format!("{}: {e}", path.display()))
}

impl Input {
    /// Opens `path` (`-`: standard input).
    pub fn open(path: &Path) -> Result<Self, Failure> {
        if is_stdio(path) {
            return Ok(Self {
                source: Source::Stdin(std::io::stdin()),
                len: None,
                name: display(path),
            });
        }
        let file = std::fs::File::open(path).map_err(|e| path_failure(path, &e))?;
        let meta = file.metadata().map_err(|e| path_failure(path, &e))?;
        if meta.is_dir() {
            return Err(path_failure(path, &"is a directory"));
        }
        Ok(Self {
            len: meta.is_file().then_some(meta.len()),
            source: Source::File(file),
            name: display(path),
        })
    }

    /// The input's length if it is a regular file.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// How messages name the input.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The open file, if the input is one (standard input is not).
    fn file(&self) -> Option<&std::fs::File> {
        match &self.source {
            Source::File(file) => Some(file),
            Source::Stdin(_) => None,
        }
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.source {
            Source::Stdin(stdin) => stdin.read(buf),
            Source::File(file) => file.read(buf),
        }
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.name)))
    }
}

/// An I/O error whose message names its file: a closed output pipe ends
/// the command quietly ([`stdout_failure`]), anything else is exit 2.
pub fn io_failure(e: &std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::Status(128 + 13)
    } else {
        Failure::Usage(e.to_string())
    }
}

/// Reads all of `path` (`-`: standard input) into memory, refusing more
/// than `limit` bytes before reading them: `what` says what the input is
/// (for the message), e.g. "signature".
pub fn read_bounded(path: &Path, limit: usize, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    read_limited(Input::open(path)?, path, limit, what)
}

/// [`read_bounded`] from an input already open.
fn read_limited(
    input: Input,
    path: &Path,
    limit: usize,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if input.len().is_some_and(|len| len > limit as u64) {
        return Err(too_large(path, limit, what));
    }
    // Sized up front where the length is known: growing would leave
    // unwiped copies of a secret in freed memory.
    let capacity = input
        .len()
        .map_or(0, |len| usize::try_from(len).unwrap_or(limit) + 1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    if bytes.len() > limit {
        return Err(too_large(path, limit, what));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: usize, what: &str) -> Failure {
    Failure::Usage(format!(
        "{}: larger than {limit} bytes; not a {what}",
        display(path)
    ))
}

/// Largest secret file or stdin secret accepted.
const MAX_SECRET_LEN: usize = 64 * 1024;

/// Reads a secret file (key, pepper, CSRF secret) after checking that
/// only its owner can read it ([`check_private`]). One trailing newline
/// (`\n` or `\r\n`) is not part of the secret.
pub fn read_secret_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    read_secret_file_limited(path, MAX_SECRET_LEN)
}

/// Reads a small file that holds nothing secret (a public key), with the
/// bound of a key file. One trailing newline is dropped as for secrets.
pub fn read_public_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    key_text(read_bounded(path, MAX_SECRET_LEN, "key file")?, path)
}

/// A key file's content without its one trailing newline; empty is an
/// error.
fn key_text(mut bytes: Zeroizing<Vec<u8>>, path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    strip_newline(&mut bytes);
    nonempty(bytes, path)
}

/// An empty key file is an error.
fn nonempty(bytes: Zeroizing<Vec<u8>>, path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if bytes.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: the file is empty",
            display(path)
        )));
    }
    Ok(bytes)
}

/// The environment variable that turns the permission refusal into a
/// warning (`HX_KEY_PERMISSIONS=warn`), for platforms that mount secrets
/// readable by all (Kubernetes' default 0644).
pub const KEY_PERMISSIONS_ENV: &str = "HX_KEY_PERMISSIONS";

/// Refuses a secret file that group or others can read, naming the file
/// and the fix; with `HX_KEY_PERMISSIONS=warn`, warns instead. The one
/// check every command that reads a secret makes.
pub fn check_private(path: &Path, file: &std::fs::File) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let mode = file.metadata().map_err(|e| path_failure(path, &e))?.mode();
        if mode & 0o077 != 0 {
            let message = format!(
                "{}: secret file open to group or others (mode {:04o}); run `chmod 600 {}`",
                path.display(),
                mode & 0o7777,
                path.display()
            );
            if warn_only() {
                eprintln!("hx: warning: {message} ({KEY_PERMISSIONS_ENV}=warn)");
            } else {
                return Err(Failure::Usage(format!(
                    "{message}, or set {KEY_PERMISSIONS_ENV}=warn where secrets are mounted readable"
                )));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, file);
    Ok(())
}

/// Whether `HX_KEY_PERMISSIONS=warn` is set.
pub fn warn_only() -> bool {
    std::env::var_os(KEY_PERMISSIONS_ENV).is_some_and(|v| v == "warn")
}

/// Largest keyring document read (thousands of keys; retired keys are kept).
pub const MAX_KEYRING_LEN: usize = 16 << 20;

/// [`read_secret_file`] with its own size limit.
/// `-` reads the secret from standard input (no permission to check).
pub fn read_secret_file_limited(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, Failure> {
    key_text(read_secret_document(path, limit)?, path)
}

/// A secret document (a keyring) read whole, as it is, after the
/// permission check; at most `limit` bytes.
pub fn read_secret_document(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let input = Input::open(path)?;
    // The file checked is the file read (one open).
    if let Some(file) = input.file() {
        check_private(path, file)?;
    }
    nonempty(read_limited(input, path, limit, "key file")?, path)
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

/// Drops one line ending (`\n` or `\r\n`) from the end of `bytes`.
pub fn strip_newline(bytes: &mut Vec<u8>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

/// Asks for a secret on the terminal without echo; with `again`, asks a
/// second time and refuses a difference with `mismatch`. `what` names the
/// secret when the terminal cannot be read.
pub fn ask_secret(
    label: &str,
    again: Option<&str>,
    what: &str,
    mismatch: &str,
) -> Result<Zeroizing<String>, Failure> {
    let ask = |label: &str| {
        rpassword::prompt_password(label)
            .map(Zeroizing::new)
            .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))
    };
    let first = ask(label)?;
    if let Some(again) = again
        && *ask(again)? != *first
    {
        return Err(Failure::Usage(mismatch.to_owned()));
    }
    Ok(first)
}

/// Writes `line` and one newline to stdout.
pub fn print_line(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| stdout_failure(&e))
}

/// A failed write to stdout: a closed pipe (`hx ... | head -1`) ends the
/// command quietly with the status a shell reports for SIGPIPE, as coreutils
/// do; any other error is an I/O error.
pub fn stdout_failure(e: &std::io::Error) -> Failure {
    match io_failure(e) {
        Failure::Usage(m) => Failure::Usage(format!("standard output: {m}")),
        closed => closed,
    }
}

/// Rewrites a file a command owns (a keyring after `hx key rotate`)
/// atomically with mode 0600: see [`Output`].
/// A symbolic link is followed: the file it names is replaced, and the link
/// stays.
pub fn write_secret_file_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let target = if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
        std::fs::canonicalize(path).map_err(|e| path_failure(path, &e))?
    } else {
        path.to_owned()
    };
    write_output(&target, contents, Access::Secret, Replace::Allowed)
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
        .map_err(|e| stdout_failure(&e))
}
