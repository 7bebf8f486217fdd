//! Python pickles, read without ever executing them.
//!
//! [`load`] runs a pickle virtual machine whose only effects are building
//! data ([`Value`]: `None`, `bool`, `int` of any size, `float`, `str`,
//! `bytes`, `bytearray`, `list`, `tuple`, `dict`, `set`, `frozenset`), for
//! protocols 0 to 5. Every opcode that imports or calls — `GLOBAL`,
//! `STACK_GLOBAL`, `INST`, `OBJ`, `REDUCE`, `NEWOBJ`, `NEWOBJ_EX` — is refused
//! unless the global is on the allow-list *and* hx has its own safe
//! [`Constructor`] for it; `BUILD`, `EXT1/2/4`, `PERSID`, `BINPERSID` and
//! out-of-band buffers are always refused. [`Limits`] bound size, depth,
//! container lengths and allocation, [`LoadOptions::with_max_memo`] the memo.
//!
//! [`scan`] lists every global a pickle would import, with a [`Verdict`],
//! without building anything (like picklescan or fickling); it follows
//! constant strings through the stack and the memo so that `STACK_GLOBAL`
//! names are resolved, and reads files of any size through a buffer.
//!
//! ```
//! use hx_safe_deser::pickle::{self, LoadOptions, Value, Verdict};
//! use hx_safe_deser::Error;
//!
//! // pickle.dumps({"a": [1, 2.5, None]}, protocol=4)
//! let data = b"\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94]\x94(K\x01G\x40\x04\x00\x00\x00\x00\x00\x00Nes.";
//! let value = pickle::load(data, &LoadOptions::default())?;
//! assert_eq!(value.to_json(), r#"{"a":[1,2.5,null]}"#);
//!
//! // The classic attack: os.system through __reduce__.
//! let evil = b"cos\nsystem\n(S'echo pwned'\ntR.";
//! assert!(matches!(pickle::load(evil, &LoadOptions::default()), Err(Error::ForbiddenGlobal { .. })));
//! let report = pickle::scan(evil, &LoadOptions::default());
//! assert_eq!(report.globals[0].verdict, Verdict::Dangerous);
//! assert!(!report.is_safe());
//! # Ok::<(), Error>(())
//! ```

mod construct;
mod dangerous;
mod globals;
mod json;
mod keys;
mod load;
#[cfg(feature = "models")]
mod model;
mod ops;
mod scan;
mod text;
mod value;

use std::collections::BTreeSet;
use std::io::Read;

pub use self::globals::{Constructor, Profile, Verdict};
#[cfg(feature = "models")]
pub use self::model::{ArchiveLimits, Format, MemberReport, ModelReport, scan_model};
pub use self::value::{BigInt, Value};
use crate::{Error, Limits, Result};

/// What [`load`] and [`scan`] accept: the [`Limits`], the memo size and the
/// allow-list of globals.
///
/// The default allow-list holds what Python writes for plain data —
/// `builtins.set`, `builtins.frozenset`, `builtins.bytearray`,
/// `builtins.bytes` and `_codecs.encode` (bytes in protocols 0 to 2) — and
/// nothing else.
///
/// ```
/// use hx_safe_deser::pickle::{Constructor, LoadOptions};
/// let options = LoadOptions::default().allow("collections.OrderedDict")?;
/// assert!(options.allows(Constructor::OrderedDict));
/// // There is no safe stand-in for os.system, so it cannot be allowed.
/// assert!(LoadOptions::default().allow("os.system").is_err());
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    limits: Limits,
    max_memo: usize,
    max_output: usize,
    allowed: BTreeSet<Constructor>,
    profiles: BTreeSet<Profile>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_memo: Self::DEFAULT_MAX_MEMO,
            max_output: Self::DEFAULT_MAX_OUTPUT,
            allowed: globals::PLAIN_DATA.iter().copied().collect(),
            profiles: BTreeSet::new(),
        }
    }
}

impl LoadOptions {
    /// Default memo size: 1,048,576 entries.
    pub const DEFAULT_MAX_MEMO: usize = 1 << 20;

    /// Default output limit: 64 MiB.
    pub const DEFAULT_MAX_OUTPUT: usize = 64 << 20;

    /// At most `bytes` of decoded output ([`Error::OutputLimit`] beyond):
    /// for [`load`], the memory of the value tree; for [`load_json`], the
    /// JSON text. Objects the pickle shares are counted each time they
    /// appear in the output, so a few bytes of pickle cannot expand into
    /// gigabytes.
    ///
    /// ```
    /// use hx_safe_deser::pickle::{self, LoadOptions};
    /// use hx_safe_deser::Error;
    /// // None, then "pair the top with itself" 24 times: 2^24 Nones.
    /// let mut bomb = b"N".to_vec();
    /// for _ in 0..24 {
    ///     bomb.extend_from_slice(b"2\x86");
    /// }
    /// bomb.push(b'.');
    /// let options = LoadOptions::default().with_max_output(1 << 20);
    /// assert!(matches!(pickle::load_json(&bomb, &options), Err(Error::OutputLimit { .. })));
    /// ```
    #[must_use]
    pub fn with_max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// Decode under `limits`.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// At most `max_memo` memo entries for [`load`] ([`Error::MemoLimit`]
    /// beyond). [`scan`] keeps a memo of any size in bounded memory
    /// instead: strings are tracked in the first 2 Mi entries, so a global
    /// built from a later one comes out [`Verdict::Unresolved`].
    #[must_use]
    pub fn with_max_memo(mut self, max_memo: usize) -> Self {
        self.max_memo = max_memo;
        self
    }

    /// Allows `module.name` (for example `collections.OrderedDict`,
    /// `datetime.datetime`, `decimal.Decimal`).
    ///
    /// # Errors
    /// [`Error::ForbiddenGlobal`] if hx has no safe [`Constructor`] for it:
    /// only those can be allowed.
    pub fn allow(mut self, global: &str) -> Result<Self> {
        let constructor = Constructor::parse(global).ok_or_else(|| Error::ForbiddenGlobal {
            global: crate::error::shown(global.as_bytes()),
        })?;
        self.allowed.insert(constructor);
        Ok(self)
    }

    /// Allows `constructor`.
    #[must_use]
    pub fn allow_constructor(mut self, constructor: Constructor) -> Self {
        self.allowed.insert(constructor);
        self
    }

    /// Lets [`scan`] call the globals of `profile` allowed (and, for
    /// PyTorch, its persistent ids). [`load`] is not changed: it still
    /// refuses every global it has no constructor for.
    ///
    /// ```
    /// use hx_safe_deser::pickle::{self, LoadOptions, Profile};
    /// let data = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00.";
    /// assert!(!pickle::scan(data, &LoadOptions::default()).is_safe());
    /// let torch = LoadOptions::default().with_profile(Profile::PyTorch);
    /// assert!(pickle::scan(data, &torch).is_safe());
    /// assert!(pickle::load(data, &torch).is_err());
    /// ```
    #[must_use]
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profiles.insert(profile);
        self
    }

    /// Whether a profile lets [`scan`] allow `module.name`.
    fn profile_covers(&self, module: &str, name: &str) -> bool {
        self.profiles.iter().any(|p| p.covers(module, name))
    }

    /// Whether a profile lets [`scan`] allow persistent ids.
    fn persistent_ids_allowed(&self) -> bool {
        self.profiles.iter().any(|p| p.uses_persistent_ids())
    }

    /// Refuses everything, including the plain-data constructors.
    #[must_use]
    pub fn deny_all(mut self) -> Self {
        self.allowed.clear();
        self
    }

    /// Whether `constructor` is allowed.
    #[must_use]
    pub fn allows(&self, constructor: Constructor) -> bool {
        self.allowed.contains(&constructor)
    }

    /// The limits.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// Decodes a pickle (protocols 0 to 5) into a [`Value`] without executing
/// anything.
///
/// # Errors
/// [`Error::TooLarge`] before parsing; [`Error::ForbiddenGlobal`] for an
/// import not on the allow-list, [`Error::ForbiddenOpcode`] for opcodes hx
/// never runs; [`Error::DepthLimit`], [`Error::SeqTooLong`],
/// [`Error::AllocLimit`], [`Error::MemoLimit`]; [`Error::Recursive`] for an
/// object that contains itself; [`Error::Truncated`],
/// [`Error::TrailingBytes`] or [`Error::Pickle`] for malformed input.
pub fn load(input: &[u8], options: &LoadOptions) -> Result<Value> {
    load::load(input, options)
}

/// Decodes a pickle (as [`load`] does) straight into the JSON form of
/// [`Value::to_json`], without building the value tree: the text is at most
/// [`LoadOptions::with_max_output`] bytes, and no recursion follows the
/// pickle's nesting.
///
/// ```
/// use hx_safe_deser::pickle::{self, LoadOptions};
/// // {1: "a", 1.0: "b", True: "c"} by hand: one key, as Python makes it.
/// let data = b"}(K\x01\x8c\x01aG?\xf0\x00\x00\x00\x00\x00\x00\x8c\x01b\x88\x8c\x01cu.";
/// assert_eq!(pickle::load_json(data, &LoadOptions::default())?, r#"{"$dict":[[1,"c"]]}"#);
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
///
/// # Errors
/// As [`load`], and [`Error::OutputLimit`].
pub fn load_json(input: &[u8], options: &LoadOptions) -> Result<String> {
    load::load_json(input, options)
}

/// One global a pickle names, with how often and where it first appears.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Finding {
    /// The module (`?` when unresolved).
    pub module: String,
    /// The attribute (`?` when unresolved; the code for an extension).
    pub name: String,
    /// What hx thinks of it.
    pub verdict: Verdict,
    /// How many times the pickle names it.
    pub count: u64,
    /// The offset of the first opcode that names it.
    pub offset: u64,
    /// That opcode (`GLOBAL`, `STACK_GLOBAL`, `INST`, `EXT`).
    pub opcode: &'static str,
}

impl Finding {
    /// `module.name` as it can be shown to a person: backslashes, control
    /// characters and invisible or direction-changing characters escaped as
    /// `\u{...}`, so that a name can neither forge a line of output nor
    /// look like another name.
    ///
    /// ```
    /// use hx_safe_deser::pickle::{self, LoadOptions};
    /// // A global whose name holds a newline and a forged verdict.
    /// let report = pickle::scan(b"\x8c\x02os\x8c\x1esystem allowed\nf: builtins.set\x93.", &LoadOptions::default());
    /// assert_eq!(report.globals[0].global(), "os.system allowed\\u{a}f: builtins.set");
    /// ```
    #[must_use]
    pub fn global(&self) -> String {
        let mut out = String::with_capacity(self.module.len() + self.name.len() + 1);
        escape_into(&mut out, &self.module);
        out.push('.');
        escape_into(&mut out, &self.name);
        out
    }
}

/// `text` with everything that could mislead a reader escaped, as
/// [`Finding::global`] escapes names: for member names and other text
/// taken from a file.
///
/// ```
/// assert_eq!(hx_safe_deser::pickle::escaped("a\nb\u{202e}"), "a\\u{a}b\\u{202e}");
/// ```
#[must_use]
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends `text` to `out` with everything that could mislead a reader
/// escaped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        let invisible = matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}');
        if c == '\\' || c.is_control() || invisible {
            use core::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
}

/// What [`scan`] found.
#[derive(Debug)]
pub struct Report {
    /// Every distinct global, in order of first appearance.
    pub globals: Vec<Finding>,
    /// How many complete pickles the input holds (files may hold several).
    pub pickles: usize,
    /// How many bytes were scanned.
    pub bytes: u64,
    /// The first thing wrong with the input (malformed, truncated, over a
    /// limit), if any. What comes before it is still listed.
    pub problem: Option<Error>,
}

impl Report {
    /// Whether loading is safe: every global allowed, and nothing wrong with
    /// the input.
    #[must_use]
    pub fn is_safe(&self) -> bool {
        self.problem.is_none() && self.globals.iter().all(|f| f.verdict == Verdict::Allowed)
    }
}

/// Lists every global the pickles in `input` would import.
///
/// Never fails: problems with the input are in [`Report::problem`].
#[must_use]
pub fn scan(input: &[u8], options: &LoadOptions) -> Report {
    let mut src = ops::SliceSource::new(input);
    match scan::scan(&mut src, options) {
        Ok(report) => report,
        Err(e) => Report {
            globals: Vec::new(),
            pickles: 0,
            bytes: 0,
            problem: Some(e),
        },
    }
}

/// [`scan`] over a reader, for files of any size: memory stays bounded by a
/// 1 MiB buffer and the tracking state.
///
/// # Errors
/// [`Error::Io`] if reading fails.
pub fn scan_reader<R: Read>(reader: R, options: &LoadOptions) -> Result<Report> {
    let mut src = ops::ReaderSource::new(reader);
    scan::scan(&mut src, options)
}
