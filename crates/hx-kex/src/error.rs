//! The one error type of `hx-kex`.

use core::fmt;

/// Everything that can go wrong in `hx-kex`.
///
/// Every ciphertext that fails to decrypt, for whatever reason (altered,
/// truncated, wrong key, wrong `info`, bad padding), is the single
/// [`Error::InvalidCiphertext`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The ciphertext did not decrypt. Deliberately says no more.
    InvalidCiphertext,
    /// The X25519 shared secret is all zero: the peer's public key is of low
    /// order, so the "agreement" would be known to anyone.
    NonContributory,
    /// A key that is not usable; says why, never showing key material.
    InvalidKey(&'static str),
    /// A key file that cannot be read (encrypted, wrong algorithm,
    /// unsupported, malformed).
    KeyFile(hx_keys::Error),
    /// The message is longer than the operation allows (RSA-OAEP).
    MessageTooLong {
        /// The largest message, in bytes.
        max: usize,
    },
    /// A requested output length outside what the operation can produce.
    InvalidLength(&'static str),
    /// The operating system's random number generator failed.
    Random(hx_random::Error),
    /// Reading or writing a stream failed.
    Io(std::io::Error),
    /// The cryptographic backend failed for a reason other than bad input.
    Backend,
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCiphertext => f.write_str("invalid ciphertext"),
            Self::NonContributory => f.write_str(
                "the X25519 shared secret is all zero (the peer's public key is of low order)",
            ),
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::KeyFile(e) => write!(f, "{e}"),
            Self::MessageTooLong { max } => {
                write!(f, "message too long for this key: at most {max} bytes")
            }
            Self::InvalidLength(why) => write!(f, "invalid length: {why}"),
            Self::Random(e) => write!(f, "{e}"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::Backend => f.write_str("the cryptographic backend failed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::KeyFile(e) => Some(e),
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

impl From<hx_keys::Error> for Error {
    fn from(e: hx_keys::Error) -> Self {
        Self::KeyFile(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<hx_aead::Error> for Error {
    fn from(e: hx_aead::Error) -> Self {
        match e {
            hx_aead::Error::Io(e) => Self::Io(e),
            hx_aead::Error::Random(e) => Self::Random(e),
            _ => Self::InvalidCiphertext,
        }
    }
}
