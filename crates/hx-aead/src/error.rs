//! The one error type of `hx-aead`.

use core::fmt;

/// Everything that can go wrong in `hx-aead`.
///
/// Every token that fails to authenticate, for whatever reason (a flipped
/// bit, truncation, bad encoding, unknown version or key id, retired key,
/// wrong context, expired, from the future), is the single
/// [`Error::InvalidToken`]: the error never tells an attacker which check
/// failed, and no plaintext is released.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The token did not authenticate. Deliberately says no more.
    InvalidToken,
    /// A key could not be used; says why, never showing key material.
    InvalidKey(&'static str),
    /// The operating system's random number generator failed.
    Random(hx_random::Error),
    /// Reading or writing a stream failed.
    Io(std::io::Error),
    /// A keyring operation that is not allowed (unknown key id, retiring the
    /// primary, promoting a decrypt-only key); says which.
    Keyring(&'static str),
    /// A keyring document that does not parse; names the line and the
    /// problem, never the key material.
    Document {
        /// 1-based line number (0 for the document as a whole).
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A keyring file that group or others can access
    /// ([`crate::Keyring::load`]): fix with `chmod 600`.
    InsecurePermissions {
        /// The file.
        path: std::path::PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidToken => f.write_str("invalid token"),
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::Random(e) => write!(f, "{e}"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::Keyring(why) => write!(f, "keyring: {why}"),
            Self::Document { line: 0, reason } => write!(f, "keyring document: {reason}"),
            Self::Document { line, reason } => write!(f, "keyring document, line {line}: {reason}"),
            Self::InsecurePermissions { path, mode } => write!(
                f,
                "{}: keyring open to group or others (mode {mode:04o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Random(e) => Some(e),
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<hx_random::Error> for Error {
    fn from(e: hx_random::Error) -> Self {
        Self::Random(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}
