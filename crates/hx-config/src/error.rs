//! The one error type of hx-config. Messages name files, key paths and what
//! failed; they never contain a value, a key or a wrapped key.

use core::fmt;
use std::path::PathBuf;

/// What went wrong. Key paths are not secret (they are readable in the file);
/// values are, and never appear here.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading, writing or locking a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The document is not an hx config file of a version this build reads.
    Parse {
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A key path is not a dotted path of `[A-Za-z0-9_-]` segments, or uses
    /// the reserved first segment `hx`.
    InvalidPath {
        /// The path as given.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// No value at this key path.
    NotFound(String),
    /// A `.env` or JSON file to import is not one this crate reads; says
    /// where (a line number, a key), never a value.
    Import(String),
    /// A key path would be both a value and a table (`a` and `a.b`).
    PathConflict {
        /// The path being set.
        path: String,
        /// The existing path it collides with.
        existing: String,
    },
    /// The opener is not one of the file's recipients, or its key did not
    /// unwrap the data key.
    NotARecipient,
    /// The file was altered: see [`Tamper`].
    Tampered(Tamper),
    /// A key or identity file can be read by group or others.
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file changed on disk since this [`crate::Config`] read it (another
    /// writer saved first); nothing was written.
    ChangedOnDisk(PathBuf),
    /// The operation re-wraps the data key for the file's keyring recipient,
    /// which needs the keyring itself (open with it).
    KeyringNeeded,
    /// Removing this recipient would leave nobody able to open the file.
    LastRecipient,
    /// The recipient is already on the file.
    RecipientExists,
    /// No such recipient on the file.
    RecipientNotFound,
    /// A value is longer than [`crate::MAX_VALUE_LEN`] or the document longer
    /// than [`crate::MAX_DOCUMENT_LEN`].
    TooLarge(&'static str),
    /// A value cannot be used as asked (typed loading, environment names).
    Value {
        /// Key path (or environment variable) concerned.
        path: String,
        /// What is expected, never the value itself.
        reason: String,
    },
    /// A three-way merge changed the same key paths differently on both sides.
    MergeConflict(Vec<String>),
    /// The sealed-token layer refused a keyring or wrapped key.
    Aead(hx_aead::Error),
    /// The public-key layer refused a recipient key or wrapped key.
    Kex(hx_kex::Error),
    /// The age layer refused an age or OpenSSH recipient, identity or
    /// wrapped key.
    Age(hx_age::Error),
    /// The operating system's random generator failed.
    Random(hx_random::Error),
}

/// How a config file was found altered. Every variant is detected before any
/// value is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tamper {
    /// The header (file id, generation or recipient list) is not the one the
    /// MAC covers.
    Header,
    /// The set of entries is not the one the MAC covers: an entry was added,
    /// removed, or replaced by another ciphertext (for example one from an
    /// older generation of the file).
    Entries,
    /// The value at `path` was sealed for the key path `sealed_for`: values
    /// were swapped or moved between keys.
    Moved {
        /// Where the value is now.
        path: String,
        /// The key path it was sealed for.
        sealed_for: String,
    },
    /// The value at this path does not authenticate under the file's key.
    Value(String),
    /// The same key path appears twice.
    Duplicate(String),
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header => f.write_str(
                "the header (file id, generation or recipient list) does not match its MAC",
            ),
            Self::Entries => f.write_str(
                "the entries do not match the MAC: an entry was added, removed or replaced \
                 (for example by an older version)",
            ),
            Self::Moved { path, sealed_for } => write!(
                f,
                "the value at `{path}` was sealed for `{sealed_for}`: values were swapped or moved"
            ),
            Self::Value(path) => write!(f, "the value at `{path}` does not authenticate"),
            Self::Duplicate(path) => write!(f, "the key path `{path}` appears more than once"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Parse {
                line: Some(line),
                reason,
            } => write!(f, "not a valid hx config file (line {line}): {reason}"),
            Self::Parse { line: None, reason } => {
                write!(f, "not a valid hx config file: {reason}")
            }
            Self::InvalidPath { path, reason } => write!(f, "invalid key path `{path}`: {reason}"),
            Self::NotFound(path) => write!(f, "no value at `{path}`"),
            Self::Import(why) => write!(f, "cannot import: {why}"),
            Self::PathConflict { path, existing } => write!(
                f,
                "`{path}` conflicts with `{existing}`: a key path cannot be both a value and a table"
            ),
            Self::NotARecipient => f.write_str(
                "this key does not open the file: it is not one of the file's recipients",
            ),
            Self::Tampered(t) => write!(f, "the file was altered: {t}"),
            Self::InsecurePermissions { path, mode } => write!(
                f,
                "{}: readable by group or others (mode {:04o}); run `chmod 600 {}`",
                path.display(),
                mode & 0o7777,
                path.display()
            ),
            Self::ChangedOnDisk(path) => write!(
                f,
                "{}: changed on disk since it was opened (another writer saved first); \
                 nothing was written, open it again and retry",
                path.display()
            ),
            Self::KeyringNeeded => f.write_str(
                "the file has a keyring recipient: re-wrapping its data key needs the keyring \
                 (open with --keyring)",
            ),
            Self::LastRecipient => {
                f.write_str("refusing to remove the last recipient: nobody could open the file")
            }
            Self::RecipientExists => f.write_str("that recipient is already on the file"),
            Self::RecipientNotFound => f.write_str("that recipient is not on the file"),
            Self::TooLarge(what) => write!(f, "{what} is too large"),
            Self::Value { path, reason } => write!(f, "`{path}`: {reason}"),
            Self::MergeConflict(paths) => {
                write!(f, "conflicting changes to: {}", paths.join(", "))
            }
            Self::Aead(e) => write!(f, "keyring: {e}"),
            Self::Kex(e) => write!(f, "recipient key: {e}"),
            Self::Age(e) => write!(f, "age recipient or identity: {e}"),
            Self::Random(e) => write!(f, "random generator: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Aead(e) => Some(e),
            Self::Kex(e) => Some(e),
            Self::Age(e) => Some(e),
            Self::Random(e) => Some(e),
            _ => None,
        }
    }
}

impl From<hx_aead::Error> for Error {
    fn from(e: hx_aead::Error) -> Self {
        Self::Aead(e)
    }
}

impl From<hx_age::Error> for Error {
    fn from(e: hx_age::Error) -> Self {
        Self::Age(e)
    }
}

impl From<hx_kex::Error> for Error {
    fn from(e: hx_kex::Error) -> Self {
        Self::Kex(e)
    }
}

impl From<hx_random::Error> for Error {
    fn from(e: hx_random::Error) -> Self {
        Self::Random(e)
    }
}

/// Errors raised by the application's `Deserialize` impls during typed
/// loading. serde's own messages quote the offending value ("invalid type:
/// string \"hunter2\""), so every method that could carry one is replaced
/// by a message that names only what was expected.
impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        value_error("the value does not fit the field's type")
    }

    fn invalid_type(_unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        value_error(format!("expected {exp}"))
    }

    fn invalid_value(_unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        value_error(format!("expected {exp}"))
    }

    fn invalid_length(len: usize, exp: &dyn serde::de::Expected) -> Self {
        value_error(format!("{len} elements, expected {exp}"))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        value_error(format!("expected one of: {}", expected.join(", ")))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        value_error(format!(
            "unknown key `{field}`, expected one of: {}",
            expected.join(", ")
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        value_error(format!("missing key `{field}`"))
    }

    fn duplicate_field(field: &'static str) -> Self {
        value_error(format!("duplicate key `{field}`"))
    }
}

fn value_error(reason: impl Into<String>) -> Error {
    Error::Value {
        path: String::new(),
        reason: reason.into(),
    }
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
