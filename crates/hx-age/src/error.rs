//! The one error type of `hx-age`.

use core::fmt;

/// Everything that can go wrong reading or writing an age file. Messages
/// name the problem, never key material or plaintext; a stanza that fails
/// to open is not told apart from one addressed to someone else.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The header does not follow the format (names the part).
    InvalidHeader(&'static str),
    /// The file is of another age format version than v1.
    UnsupportedVersion,
    /// No identity given opens any stanza of the file.
    NoMatch,
    /// The header's MAC does not match: the header was changed (or a
    /// stanza was made for a different file key).
    HeaderMac,
    /// The payload does not authenticate: damaged, cut short, extended,
    /// reordered. Output already written must be discarded.
    Payload,
    /// The ASCII armor is not the strict PEM the format allows (names the
    /// part).
    Armor(&'static str),
    /// A scrypt stanza asks for more work than allowed (`2^log_n`
    /// iterations, above `2^max`): raise the limit only for files you
    /// trust.
    WorkFactor {
        /// The file's base-two logarithm of the work factor.
        log_n: u8,
        /// The largest allowed.
        max: u8,
    },
    /// A recipient or identity that cannot be used: unparseable text, a
    /// key of an unsupported type, an encrypted key file; says why.
    Key(hx_keys::Error),
    /// Recipients that cannot be mixed: a passphrase (scrypt) file has
    /// exactly one stanza, and post-quantum recipients are not mixed with
    /// classical ones unless asked.
    IncompatibleRecipients(&'static str),
    /// The operating system's random number generator failed.
    Random(hx_random::Error),
    /// A key-agreement or KEM operation failed for a reason other than
    /// the file (a recipient key the backend refuses, the generator).
    Kex(hx_kex::Error),
    /// A cryptographic backend failed for a reason other than bad input.
    Backend(&'static str),
    /// Reading or writing failed.
    Io(std::io::Error),
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidHeader(part) => write!(f, "invalid age header: {part}"),
            Self::UnsupportedVersion => {
                f.write_str("unsupported age format version (hx reads age-encryption.org/v1)")
            }
            Self::NoMatch => f.write_str("no identity matched any of the file's recipients"),
            Self::HeaderMac => {
                f.write_str("the age header's MAC does not match (the header was changed)")
            }
            Self::Payload => f.write_str(
                "the age payload does not authenticate (damaged, cut short or extended)",
            ),
            Self::Armor(part) => write!(f, "invalid age armor: {part}"),
            Self::WorkFactor { log_n, max } => write!(
                f,
                "the passphrase's scrypt work factor 2^{log_n} is above the limit 2^{max}"
            ),
            Self::Key(e) => write!(f, "{e}"),
            Self::IncompatibleRecipients(why) => f.write_str(why),
            Self::Random(e) => write!(f, "{e}"),
            Self::Kex(e) => write!(f, "{e}"),
            Self::Backend(what) => write!(f, "cryptographic backend failed: {what}"),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Key(e) => Some(e),
            Self::Random(e) => Some(e),
            Self::Kex(e) => Some(e),
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<hx_keys::Error> for Error {
    fn from(e: hx_keys::Error) -> Self {
        Self::Key(e)
    }
}

impl From<hx_random::Error> for Error {
    fn from(e: hx_random::Error) -> Self {
        Self::Random(e)
    }
}

impl From<hx_kex::Error> for Error {
    fn from(e: hx_kex::Error) -> Self {
        Self::Kex(e)
    }
}

/// An I/O error carrying an age error (a payload or armor failure found
/// while reading through `Read`) gives that error back.
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if !e.get_ref().is_some_and(|inner| inner.is::<Self>()) {
            return Self::Io(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<Self>()) {
            Some(Ok(age)) => *age,
            _ => Self::Backend("an I/O error lost its cause"),
        }
    }
}
