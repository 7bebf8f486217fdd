//! The one error type of `hx-safe-deser`.

use core::fmt;

/// Everything that can go wrong while decoding untrusted input.
///
/// Each refusal is its own variant so that callers (and tests) can tell a
/// policy decision (a limit, a type or global that is not allowed) from
/// malformed input. Names that come from the input (type tags, pickle
/// globals) are shown escaped and shortened; payload bytes never are.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input is longer than [`Limits::max_bytes`](crate::Limits); refused
    /// before anything was parsed.
    TooLarge {
        /// The input's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Nesting deeper than [`Limits::max_depth`](crate::Limits).
    DepthLimit {
        /// The limit.
        max: usize,
    },
    /// A sequence, map or string with more elements than
    /// [`Limits::max_seq_len`](crate::Limits).
    SeqTooLong {
        /// The limit.
        max: usize,
    },
    /// Decoding would allocate more than
    /// [`Limits::max_total_alloc`](crate::Limits) bytes in total.
    AllocLimit {
        /// The limit.
        max: usize,
    },
    /// A varint that is not in its shortest form (postcard accepts these; hx
    /// does not, so every value has exactly one encoding).
    OverlongVarint,
    /// Bytes left over after the value.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The input ends in the middle of a value.
    Truncated,
    /// The input does not describe a value of the expected type.
    Malformed(String),
    /// Not an hx envelope (wrong magic bytes).
    BadMagic,
    /// An envelope format version this build does not read.
    UnsupportedVersion(u8),
    /// The envelope's MAC does not verify, is missing while a key is
    /// configured, or is present while none is. Deliberately says no more.
    BadMac,
    /// The envelope's type tag is not in the registry (the allow-list).
    NotAllowed {
        /// The tag as found in the input, escaped.
        tag: String,
    },
    /// The envelope holds an allowed type, but not the one asked for.
    UnexpectedType {
        /// The tag that was asked for.
        expected: String,
        /// The tag found in the input, escaped.
        found: String,
    },
    /// The value could not be encoded.
    Encode(String),
    /// A MAC key that is not usable (too short or too long); says why, never
    /// showing key material.
    InvalidKey(&'static str),
    /// A pickle needs a global (an import) that is not in the allow-list.
    ForbiddenGlobal {
        /// `module.name`, escaped.
        global: String,
    },
    /// A pickle opcode that hx never executes (persistent ids, extension
    /// codes, `BUILD`, out-of-band buffers).
    ForbiddenOpcode {
        /// The opcode's name in `pickletools`.
        name: &'static str,
        /// Its offset in the input.
        offset: usize,
    },
    /// A pickle that is malformed: unknown opcode, stack underflow, wrong
    /// operand types, bad text literal.
    Pickle {
        /// What is wrong.
        reason: &'static str,
        /// The offset of the opcode.
        offset: usize,
    },
    /// A pickle with more memo entries than allowed.
    MemoLimit {
        /// The limit.
        max: usize,
    },
    /// A pickle that names more distinct globals than
    /// [`pickle::scan`](crate::pickle::scan) lists.
    TooManyGlobals {
        /// The limit.
        max: usize,
    },
    /// Decoding a pickle would produce more than
    /// [`LoadOptions::with_max_output`](crate::pickle::LoadOptions::with_max_output)
    /// bytes once shared objects are expanded (a few bytes of pickle can
    /// refer to one list billions of times).
    OutputLimit {
        /// The limit.
        max: usize,
    },
    /// A model file whose container (zip archive, `.npy` header) cannot be
    /// read, or exceeds a bound of
    /// [`ArchiveLimits`](crate::pickle::ArchiveLimits); says what and which
    /// member.
    Archive(String),
    /// A pickle whose objects refer to themselves, which a value tree cannot
    /// hold.
    Recursive,
    /// Reading the input failed.
    Io(std::io::Error),
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// At most this many characters of an input-supplied name go into a message.
const NAME_SHOWN: usize = 80;

/// `name` escaped for a message and shortened to [`NAME_SHOWN`] characters.
pub(crate) fn shown(name: &[u8]) -> String {
    let text = String::from_utf8_lossy(name);
    let mut out: String = text
        .chars()
        .take(NAME_SHOWN)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > NAME_SHOWN {
        out.push_str("...");
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len, max } => {
                write!(f, "input of {len} bytes is over the limit of {max} bytes")
            }
            Self::DepthLimit { max } => write!(f, "nesting deeper than the limit of {max}"),
            Self::SeqTooLong { max } => {
                write!(f, "a sequence longer than the limit of {max} elements")
            }
            Self::AllocLimit { max } => {
                write!(
                    f,
                    "decoding would allocate more than the limit of {max} bytes"
                )
            }
            Self::OverlongVarint => f.write_str("a varint is not in its shortest form"),
            Self::TrailingBytes { count } => write!(f, "{count} trailing bytes after the value"),
            Self::Truncated => f.write_str("the input ends in the middle of a value"),
            Self::Malformed(why) => write!(f, "malformed input: {why}"),
            Self::BadMagic => f.write_str("not an hx envelope"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported envelope version {v}"),
            Self::BadMac => f.write_str("invalid envelope MAC"),
            Self::NotAllowed { tag } => write!(f, "type \"{tag}\" is not in the allow-list"),
            Self::UnexpectedType { expected, found } => {
                write!(f, "expected type \"{expected}\", found \"{found}\"")
            }
            Self::Encode(why) => write!(f, "cannot encode: {why}"),
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::ForbiddenGlobal { global } => {
                write!(f, "the pickle imports {global}, which is not allowed")
            }
            Self::ForbiddenOpcode { name, offset } => {
                write!(
                    f,
                    "the pickle uses {name} (at byte {offset}), which hx never executes"
                )
            }
            Self::Pickle { reason, offset } => {
                write!(f, "malformed pickle at byte {offset}: {reason}")
            }
            Self::MemoLimit { max } => write!(f, "the pickle has more than {max} memo entries"),
            Self::TooManyGlobals { max } => {
                write!(f, "the pickle names more than {max} distinct globals")
            }
            Self::OutputLimit { max } => write!(
                f,
                "the decoded value would be larger than the limit of {max} bytes"
            ),
            Self::Archive(why) => write!(f, "model file: {why}"),
            Self::Recursive => f.write_str("the pickle holds an object that contains itself"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}
