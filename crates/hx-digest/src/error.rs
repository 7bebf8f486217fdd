//! The one error type of `hx-digest`.

use core::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in `hx-digest`.
///
/// Messages name the problem and, for I/O, the file; they never contain key
/// material, digests of secrets, or which byte of a MAC differed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An algorithm name that hx does not know. Carries the name given and the
    /// list of valid names so a user can correct it.
    UnknownAlgorithm {
        /// The name that was asked for.
        name: String,
        /// Every name that would have been accepted.
        valid: &'static [&'static str],
    },
    /// A parameter had a length outside its allowed range (for example a
    /// BLAKE2b output of 0 or 65 bytes, or an HKDF output longer than
    /// 255 × the hash length).
    InvalidLength {
        /// Which parameter.
        what: &'static str,
        /// The length that was given.
        got: usize,
        /// The smallest allowed value.
        min: usize,
        /// The largest allowed value.
        max: usize,
    },
    /// A MAC did not verify. Deliberately opaque: it does not say whether the
    /// length or the contents differed.
    VerificationFailed,
    /// Text that should have been hex or base64 was not.
    InvalidEncoding(&'static str),
    /// Reading input failed.
    Io {
        /// The file being read, if the input was a file.
        path: Option<PathBuf>,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownAlgorithm { name, valid } => {
                write!(f, "unknown algorithm {name:?}; valid: {}", valid.join(", "))
            }
            Self::InvalidLength {
                what,
                got,
                min,
                max,
            } => write!(
                f,
                "invalid {what} length {got}: must be from {min} to {max}"
            ),
            Self::VerificationFailed => f.write_str("verification failed"),
            Self::InvalidEncoding(what) => write!(f, "invalid {what} encoding"),
            Self::Io {
                path: Some(path),
                source,
            } => write!(f, "{}: {source}", path.display()),
            Self::Io { path: None, source } => write!(f, "read error: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub(crate) fn check_len(what: &'static str, got: usize, min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&got) {
        Ok(())
    } else {
        Err(Error::InvalidLength {
            what,
            got,
            min,
            max,
        })
    }
}
