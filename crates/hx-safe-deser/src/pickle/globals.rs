//! The globals a pickle may name: the catalog of safe constructors hx
//! implements itself, and the verdicts `scan` gives.

use core::fmt;

/// A Python callable that hx can stand in for with its own, side-effect-free
/// code. Only these can be allowed; every other global is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Constructor {
    /// `builtins.set` (`__builtin__.set` in protocols 0 to 2).
    Set,
    /// `builtins.frozenset`.
    FrozenSet,
    /// `builtins.bytearray`.
    ByteArray,
    /// `builtins.bytes` (how protocols 0 to 2 write an empty `bytes`).
    Bytes,
    /// `_codecs.encode(text, "latin1")`: how protocols 0 to 2 write `bytes`.
    CodecsEncode,
    /// `collections.OrderedDict`, decoded as a dict.
    OrderedDict,
    /// `decimal.Decimal`, decoded as its text.
    Decimal,
    /// `datetime.datetime`, decoded as ISO 8601 text.
    DateTime,
    /// `datetime.date`, decoded as ISO 8601 text.
    Date,
    /// `datetime.time`, decoded as ISO 8601 text.
    Time,
    /// `datetime.timedelta`, decoded as its `str()`.
    TimeDelta,
    /// `datetime.timezone`, decoded as its `str()` (or the offset of a
    /// datetime or time).
    TimeZone,
}

/// Every `module.name` hx has a safe constructor for.
const CATALOG: &[(&str, &str, Constructor)] = &[
    ("builtins", "set", Constructor::Set),
    ("__builtin__", "set", Constructor::Set),
    ("builtins", "frozenset", Constructor::FrozenSet),
    ("__builtin__", "frozenset", Constructor::FrozenSet),
    ("builtins", "bytearray", Constructor::ByteArray),
    ("__builtin__", "bytearray", Constructor::ByteArray),
    ("builtins", "bytes", Constructor::Bytes),
    ("__builtin__", "bytes", Constructor::Bytes),
    ("_codecs", "encode", Constructor::CodecsEncode),
    ("collections", "OrderedDict", Constructor::OrderedDict),
    ("decimal", "Decimal", Constructor::Decimal),
    ("datetime", "datetime", Constructor::DateTime),
    ("datetime", "date", Constructor::Date),
    ("datetime", "time", Constructor::Time),
    ("datetime", "timedelta", Constructor::TimeDelta),
    ("datetime", "timezone", Constructor::TimeZone),
];

/// Allowed by default: what Python itself writes for plain data (sets,
/// frozensets, bytearrays, and `bytes` in protocols 0 to 2).
pub(crate) const PLAIN_DATA: &[Constructor] = &[
    Constructor::Set,
    Constructor::FrozenSet,
    Constructor::ByteArray,
    Constructor::Bytes,
    Constructor::CodecsEncode,
];

impl Constructor {
    /// The constructor hx has for `module.name`, if any.
    #[must_use]
    pub fn lookup(module: &str, name: &str) -> Option<Self> {
        CATALOG
            .iter()
            .find(|(m, n, _)| *m == module && *n == name)
            .map(|&(_, _, c)| c)
    }

    /// The constructor for a dotted `module.name` (the module may contain
    /// dots; the name is after the last one).
    #[must_use]
    pub fn parse(global: &str) -> Option<Self> {
        let (module, name) = global.rsplit_once('.')?;
        Self::lookup(module, name)
    }

    /// The canonical `module.name`.
    #[must_use]
    pub fn global(self) -> &'static str {
        match self {
            Self::Set => "builtins.set",
            Self::FrozenSet => "builtins.frozenset",
            Self::ByteArray => "builtins.bytearray",
            Self::Bytes => "builtins.bytes",
            Self::CodecsEncode => "_codecs.encode",
            Self::OrderedDict => "collections.OrderedDict",
            Self::Decimal => "decimal.Decimal",
            Self::DateTime => "datetime.datetime",
            Self::Date => "datetime.date",
            Self::Time => "datetime.time",
            Self::TimeDelta => "datetime.timedelta",
            Self::TimeZone => "datetime.timezone",
        }
    }
}

impl fmt::Display for Constructor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.global())
    }
}

/// What `scan` thinks of one global.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// In the allow-list: hx has a safe constructor for it.
    Allowed,
    /// Not in the allow-list, and not known to be dangerous.
    NotAllowed,
    /// Known to run code, spawn processes, touch files or the network, or
    /// reach arbitrary attributes (`os.system`, `builtins.eval`,
    /// `subprocess.Popen`, `builtins.getattr`, ...).
    Dangerous,
    /// The pickle computes the name at load time (`STACK_GLOBAL` on values
    /// that are not constant strings) or uses an extension code: what it
    /// imports cannot be known without running it.
    Unresolved,
}

impl Verdict {
    /// The word `hx pickle scan` prints.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::NotAllowed => "not-allowed",
            Self::Dangerous => "dangerous",
            Self::Unresolved => "unresolved",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Top-level modules whose every member can run code or reach the system.
const DANGEROUS_MODULES: &[&str] = &[
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "shutil",
    "socket",
    "runpy",
    "importlib",
    "pickle",
    "_pickle",
    "cPickle",
    "marshal",
    "pty",
    "webbrowser",
    "ctypes",
    "code",
    "codeop",
    "commands",
    "popen2",
    "platform",
    "multiprocessing",
    "asyncio",
    "pip",
    "urllib",
    "urllib2",
    "requests",
    "http",
    "httplib",
    "ftplib",
    "telnetlib",
    "smtplib",
    "io",
    "_io",
    "tempfile",
    "pathlib",
    "glob",
    "signal",
    "threading",
    "_thread",
    "thread",
    "functools",
    "operator",
    "types",
    "inspect",
    "pydoc",
    "timeit",
    "bdb",
    "pdb",
    "trace",
    "sqlite3",
    "zipimport",
    "torch.hub",
    "numpy.testing",
];

/// Members of `builtins` that run code or reach arbitrary attributes.
const DANGEROUS_BUILTINS: &[&str] = &[
    "eval",
    "exec",
    "execfile",
    "compile",
    "getattr",
    "setattr",
    "delattr",
    "__import__",
    "open",
    "file",
    "input",
    "raw_input",
    "breakpoint",
    "globals",
    "locals",
    "vars",
    "apply",
    "reload",
    "help",
    "memoryview",
    "type",
    "object",
    "super",
    "classmethod",
    "staticmethod",
    "property",
];

/// The verdict for `module.name` under an allow-list check `allowed`.
pub(crate) fn verdict(module: &str, name: &str, allowed: impl Fn(Constructor) -> bool) -> Verdict {
    if let Some(constructor) = Constructor::lookup(module, name)
        && allowed(constructor)
    {
        return Verdict::Allowed;
    }
    // The module itself or a submodule of it (`os`, `os.path`).
    let within = |m: &str| {
        module
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    let dangerous = DANGEROUS_MODULES.iter().any(|m| within(m))
        || (matches!(module, "builtins" | "__builtin__" | "__builtins__")
            && DANGEROUS_BUILTINS.contains(&name));
    if dangerous {
        Verdict::Dangerous
    } else {
        Verdict::NotAllowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let all = |_| true;
        assert_eq!(verdict("os", "system", all), Verdict::Dangerous);
        assert_eq!(verdict("os.path", "join", all), Verdict::Dangerous);
        assert_eq!(verdict("builtins", "eval", all), Verdict::Dangerous);
        assert_eq!(verdict("__builtin__", "getattr", all), Verdict::Dangerous);
        assert_eq!(verdict("subprocess", "Popen", all), Verdict::Dangerous);
        assert_eq!(verdict("builtins", "set", all), Verdict::Allowed);
        assert_eq!(verdict("builtins", "set", |_| false), Verdict::NotAllowed);
        assert_eq!(verdict("mymodule", "Thing", all), Verdict::NotAllowed);
        assert_eq!(
            Constructor::parse("collections.OrderedDict"),
            Some(Constructor::OrderedDict)
        );
        assert_eq!(Constructor::parse("os.system"), None);
    }
}
