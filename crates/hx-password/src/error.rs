//! The one error type of `hx-password`.

use core::fmt;

/// Everything that can go wrong in `hx-password`.
///
/// A password that does not match is [`Error::Mismatch`] and nothing else.
/// A stored hash is input that an attacker may have written, so everything
/// wrong with one has its own precise variant, checked before any hashing
/// work is done; messages name the field that is wrong, never the salt, the
/// hash or the password.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The password does not match the stored hash.
    Mismatch,
    /// The stored hash is not in a form this crate reads; says which part is
    /// wrong.
    Malformed(String),
    /// The stored hash names a scheme or a variant this crate deliberately
    /// does not verify (bcrypt's `$2x$`, PBKDF2-SHA1, Argon2 associated
    /// data, …); names it.
    Unsupported(String),
    /// A stored hash's parameter is beyond the verifier's [`Limits`]: refused
    /// before any work is done.
    ///
    /// [`Limits`]: crate::Limits
    BeyondLimits {
        /// Which parameter (`"argon2 m (KiB)"`, `"pbkdf2 rounds"`, …).
        parameter: &'static str,
        /// Its value in the stored hash.
        value: u64,
        /// The largest the limits allow.
        limit: u64,
    },
    /// Parameters asked of a new hash are weaker than the floor for new
    /// hashes, or are not parameters this crate writes.
    WeakParameters {
        /// Which parameter.
        parameter: &'static str,
        /// The value asked for.
        value: u64,
        /// The smallest allowed value.
        minimum: u64,
    },
    /// The password cannot be hashed by this scheme as it is: longer than
    /// [`MAX_PASSWORD_LEN`], or, for bcrypt, longer than 72 bytes or holding
    /// a NUL byte (which bcrypt implementations disagree on). Says which,
    /// never the password.
    ///
    /// [`MAX_PASSWORD_LEN`]: crate::MAX_PASSWORD_LEN
    UnusablePassword(&'static str),
    /// The stored hash was made with a pepper the verifier does not hold, or
    /// the pepper given is too short or too long; says which.
    Pepper(&'static str),
    /// The operating system's random number generator failed (salts).
    Random(hx_random::Error),
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mismatch => f.write_str("the password does not match"),
            Self::Malformed(why) => write!(f, "malformed password hash: {why}"),
            Self::Unsupported(what) => write!(f, "unsupported password hash: {what}"),
            Self::BeyondLimits {
                parameter,
                value,
                limit,
            } => write!(
                f,
                "password hash parameter {parameter} = {value} is beyond the limit of {limit}"
            ),
            Self::WeakParameters {
                parameter,
                value,
                minimum,
            } => write!(
                f,
                "password hash parameter {parameter} = {value} is below the minimum of {minimum} for new hashes"
            ),
            Self::UnusablePassword(why) => write!(f, "unusable password: {why}"),
            Self::Pepper(why) => write!(f, "pepper: {why}"),
            Self::Random(err) => write!(f, "salt generation failed: {err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Random(err) => Some(err),
            _ => None,
        }
    }
}

impl From<hx_random::Error> for Error {
    fn from(err: hx_random::Error) -> Self {
        Self::Random(err)
    }
}

/// A [`Error::Malformed`] with a fixed reason.
pub(crate) fn malformed(why: &str) -> Error {
    Error::Malformed(why.to_owned())
}
