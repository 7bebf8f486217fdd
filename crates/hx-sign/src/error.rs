//! The one error type of `hx-sign`.

use core::fmt;

use crate::Algorithm;

/// Everything that can go wrong in `hx-sign`.
///
/// A signature that does not verify, for whatever reason (wrong length,
/// non-canonical encoding, small-order component, wrong key, altered
/// message), is the single [`Error::InvalidSignature`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The signature does not verify. Deliberately says no more.
    InvalidSignature,
    /// A key that does not parse or is not usable; says why, never showing
    /// key material.
    InvalidKey(&'static str),
    /// The key file is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY` or a legacy
    /// `Proc-Type: 4,ENCRYPTED` PEM); hx reads unencrypted keys only and
    /// protects them with file permissions.
    EncryptedKey,
    /// A well-formed key of an algorithm this operation does not support (for
    /// example an X25519 key given to `sign`).
    WrongKeyType {
        /// What the operation needs.
        expected: &'static str,
        /// What the key is.
        found: Algorithm,
    },
    /// A key whose algorithm identifier hx does not know; carries the OID in
    /// dotted form.
    UnsupportedAlgorithm(String),
    /// An RSA key outside the supported sizes (2048 to 8192 bits; generation
    /// offers 2048, 3072 and 4096).
    UnsupportedKeySize {
        /// The modulus size in bits.
        bits: usize,
    },
    /// The operating system's random number generator failed.
    Random(hx_random::Error),
    /// The cryptographic backend failed for a reason other than bad input
    /// (out of memory, random generator failure inside the backend).
    Backend,
    /// Another key-file problem reported by `hx-keys`.
    Key(hx_keys::Error),
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSignature => f.write_str("invalid signature"),
            // Key-file problems in hx-keys' words.
            Self::InvalidKey(why) => hx_keys::Error::InvalidKey(why).fmt(f),
            Self::EncryptedKey => hx_keys::Error::EncryptedKey.fmt(f),
            Self::WrongKeyType { expected, found } => hx_keys::Error::WrongKeyType {
                expected,
                found: *found,
            }
            .fmt(f),
            Self::UnsupportedAlgorithm(oid) => {
                hx_keys::Error::UnsupportedAlgorithm(oid.clone()).fmt(f)
            }
            Self::UnsupportedKeySize { bits } => {
                hx_keys::Error::UnsupportedKeySize { bits: *bits }.fmt(f)
            }
            Self::Random(e) => write!(f, "{e}"),
            Self::Backend => f.write_str("the cryptographic backend failed"),
            Self::Key(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Random(e) => Some(e),
            _ => None,
        }
    }
}

/// Key-file errors keep their meaning: the variants are the same.
impl From<hx_keys::Error> for Error {
    fn from(e: hx_keys::Error) -> Self {
        match e {
            hx_keys::Error::InvalidKey(why) => Self::InvalidKey(why),
            hx_keys::Error::EncryptedKey => Self::EncryptedKey,
            hx_keys::Error::WrongKeyType { expected, found } => {
                Self::WrongKeyType { expected, found }
            }
            hx_keys::Error::UnsupportedAlgorithm(oid) => Self::UnsupportedAlgorithm(oid),
            hx_keys::Error::UnsupportedKeySize { bits } => Self::UnsupportedKeySize { bits },
            // A variant added to hx-keys later.
            other => Self::Key(other),
        }
    }
}

impl From<hx_random::Error> for Error {
    fn from(e: hx_random::Error) -> Self {
        Self::Random(e)
    }
}

/// [`hx_keys::der::foreign_algorithm`] as this crate's error.
pub(crate) fn foreign_algorithm(oid: pkcs8::ObjectIdentifier, expected: &'static str) -> Error {
    hx_keys::der::foreign_algorithm(oid, expected).into()
}
