//! The decoding policy: how much untrusted input may cost.

/// Limits applied while decoding untrusted input, in the manner of Java's
/// JEP 290 filters (`maxbytes`, `maxdepth`, `maxarray`, ...). The same
/// `Limits` govern postcard envelopes, JSON and pickles, so one policy covers
/// every format a service accepts.
///
/// The defaults suit messages and documents of up to a megabyte; raise them
/// deliberately for larger inputs.
///
/// ```
/// use hx_safe_deser::Limits;
/// let strict = Limits { max_bytes: 4096, max_depth: 8, ..Limits::default() };
/// assert_eq!(strict.max_seq_len, Limits::default().max_seq_len);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest input accepted, in bytes; checked before anything is
    /// parsed. Default 1 MiB.
    pub max_bytes: usize,
    /// The deepest nesting of sequences, maps, structs, enums and options
    /// (pickles: containers). Default 64; a 2 MiB thread stack is ample for
    /// it.
    pub max_depth: usize,
    /// The most elements in one sequence or map (pickles: one container).
    /// Default 1,048,576.
    pub max_seq_len: usize,
    /// An upper bound on the memory the decoded value may take: each sequence
    /// or map element is charged its in-memory size; strings and byte
    /// strings their length (JSON) or, for postcard, the input's length once,
    /// up front, since they cannot copy more than that (pickles: each object
    /// its size plus its contents). Default 16 MiB.
    pub max_total_alloc: usize,
}

impl Limits {
    /// Default [`Limits::max_bytes`]: 1 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 1 << 20;
    /// Default [`Limits::max_depth`]: 64.
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// Default [`Limits::max_seq_len`]: 1,048,576.
    pub const DEFAULT_MAX_SEQ_LEN: usize = 1 << 20;
    /// Default [`Limits::max_total_alloc`]: 16 MiB.
    pub const DEFAULT_MAX_TOTAL_ALLOC: usize = 16 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_seq_len: Self::DEFAULT_MAX_SEQ_LEN,
            max_total_alloc: Self::DEFAULT_MAX_TOTAL_ALLOC,
        }
    }
}
