//! The one error type of `hx-keys`.

use core::fmt;

use crate::Algorithm;

/// Everything that can go wrong reading or writing a key file. Messages say
/// what is wrong and never show key material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A key that does not parse or is not usable; says why.
    InvalidKey(&'static str),
    /// The key file is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY` or a legacy
    /// `Proc-Type: 4,ENCRYPTED` PEM); hx reads unencrypted keys only and
    /// protects them with file permissions.
    EncryptedKey,
    /// A well-formed key of an algorithm this operation does not support (for
    /// example an X25519 key where a signing key is needed).
    WrongKeyType {
        /// What the operation needs.
        expected: &'static str,
        /// What the key is.
        found: Algorithm,
    },
    /// A key whose algorithm identifier hx does not know; carries the OID in
    /// dotted form.
    UnsupportedAlgorithm(String),
    /// An SSH key of a type hx does not read (ECDSA, DSA, security keys);
    /// carries the type's name (`ecdsa-sha2-nistp256`, …).
    UnsupportedKeyType(String),
    /// A line of an age identity file that is not an identity; carries the
    /// line's number (1-based), never its text.
    InvalidIdentityLine {
        /// The line number, from 1.
        line: usize,
    },
    /// An RSA key outside the supported sizes (2048 to 8192 bits; generation
    /// offers 2048, 3072 and 4096).
    UnsupportedKeySize {
        /// The modulus size in bits.
        bits: usize,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// The OID of `id-ecPublicKey` (EC keys of any curve).
const OID_EC: &str = "1.2.840.10045.2.1";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::EncryptedKey => f.write_str(
                "the key is encrypted; hx reads unencrypted PKCS#8 keys (protect the file with permissions)",
            ),
            Self::WrongKeyType { expected, found } => {
                write!(f, "wrong key type: need {expected}, found {found}")
            }
            Self::UnsupportedAlgorithm(oid) if oid == OID_EC => write!(
                f,
                "EC (ECDSA/ECDH) keys are not supported (OID {oid}); hx reads Ed25519, X25519, X-Wing and RSA keys"
            ),
            Self::UnsupportedAlgorithm(oid) => write!(
                f,
                "unsupported key algorithm (OID {oid}); hx reads Ed25519, X25519, X-Wing and RSA keys"
            ),
            Self::UnsupportedKeyType(name) => write!(
                f,
                "unsupported SSH key type {name}; hx reads ssh-ed25519 and ssh-rsa keys"
            ),
            Self::InvalidIdentityLine { line } => write!(
                f,
                "line {line} of the identity file is not an age identity (AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…)"
            ),
            Self::UnsupportedKeySize { bits } => write!(
                f,
                "unsupported RSA key size: {bits} bits (hx reads RSA keys of 2048 to 8192 bits and generates rsa-2048, rsa-3072 or rsa-4096)"
            ),
        }
    }
}

impl std::error::Error for Error {}
