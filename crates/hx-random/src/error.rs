//! The one error type of `hx-random`.

use core::fmt;

/// Everything that can go wrong in `hx-random`.
///
/// Messages explain configuration mistakes precisely, but every failure to
/// accept a presented secret (API key, CSRF token) is one opaque variant.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The operating system's random number generator failed.
    OsRandom(getrandom::Error),
    /// A size was outside its allowed range.
    InvalidLength {
        /// Which size.
        what: &'static str,
        /// The size that was given.
        got: usize,
        /// The smallest allowed value.
        min: usize,
        /// The largest allowed value.
        max: usize,
    },
    /// An API key prefix that hx will not generate keys under; says why.
    InvalidPrefix(&'static str),
    /// An API key was malformed, had a wrong checksum, or did not match its
    /// stored hash. Deliberately says no more.
    InvalidApiKey,
    /// A stored API key hash was not in the `hmac-sha256:<hex>` form.
    InvalidStoredHash,
    /// A CSRF token was malformed or did not verify. Deliberately says no more.
    InvalidCsrfToken,
    /// A password policy that no password can satisfy, or that cannot be
    /// sampled from efficiently; says why.
    ImpossiblePolicy(String),
    /// A password or passphrase policy whose outputs would carry fewer bits of
    /// entropy than the floor.
    WeakPolicy {
        /// The policy's entropy in bits.
        bits: f64,
        /// The floor ([`MIN_ENTROPY_BITS`](crate::MIN_ENTROPY_BITS)).
        min_bits: f64,
    },
    /// A separator or symbol set with characters hx does not allow; says why.
    InvalidCharacters(&'static str),
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OsRandom(e) => write!(f, "operating system random number generator failed: {e}"),
            Self::InvalidLength {
                what,
                got,
                min,
                max,
            } => write!(f, "invalid {what} {got}: must be from {min} to {max}"),
            Self::InvalidPrefix(why) => write!(f, "invalid API key prefix: {why}"),
            Self::InvalidApiKey => f.write_str("invalid API key"),
            Self::InvalidStoredHash => {
                f.write_str("invalid stored API key hash: expected hmac-sha256:<64 hex digits>")
            }
            Self::InvalidCsrfToken => f.write_str("invalid CSRF token"),
            Self::ImpossiblePolicy(why) => write!(f, "impossible password policy: {why}"),
            Self::WeakPolicy { bits, min_bits } => write!(
                f,
                "weak policy: {bits:.1} bits of entropy, at least {min_bits:.0} required"
            ),
            Self::InvalidCharacters(why) => write!(f, "invalid characters: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::OsRandom(e) => Some(e),
            _ => None,
        }
    }
}

impl From<getrandom::Error> for Error {
    fn from(e: getrandom::Error) -> Self {
        Self::OsRandom(e)
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
