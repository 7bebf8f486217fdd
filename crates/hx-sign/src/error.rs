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
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSignature => f.write_str("invalid signature"),
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::EncryptedKey => f.write_str(
                "the key is encrypted; hx reads unencrypted PKCS#8 keys (protect the file with permissions)",
            ),
            Self::WrongKeyType { expected, found } => {
                write!(f, "wrong key type: need {expected}, found {found}")
            }
            Self::UnsupportedAlgorithm(oid) if oid == "1.2.840.10045.2.1" => write!(
                f,
                "EC (ECDSA/ECDH) keys are not supported (OID {oid}); hx reads Ed25519, X25519, X-Wing and RSA keys"
            ),
            Self::UnsupportedAlgorithm(oid) => write!(
                f,
                "unsupported key algorithm (OID {oid}); hx reads Ed25519, X25519, X-Wing and RSA keys"
            ),
            Self::UnsupportedKeySize { bits } => write!(
                f,
                "unsupported RSA key size: {bits} bits (hx reads RSA keys of 2048 to 8192 bits and generates rsa-2048, rsa-3072 or rsa-4096)"
            ),
            Self::Random(e) => write!(f, "{e}"),
            Self::Backend => f.write_str("the cryptographic backend failed"),
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

impl From<hx_random::Error> for Error {
    fn from(e: hx_random::Error) -> Self {
        Self::Random(e)
    }
}
