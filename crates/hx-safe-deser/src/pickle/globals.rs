//! The globals a pickle may name: the catalog of safe constructors hx
//! implements itself, and the verdicts `scan` gives.

use core::fmt;

use super::dangerous::{
    BUILTINS_ALIASES, COMPAT_IMPORT_MAPPING, COMPAT_NAME_MAPPING, DANGEROUS_GLOBALS,
    DANGEROUS_MODULES,
};

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

/// A named set of globals that [`scan`](super::scan) calls allowed for one
/// kind of file, beyond the allow-list: what a benign file of that kind
/// names. [`load`](super::load) still refuses them (hx has no stand-in
/// that builds a tensor or an array); the profile only says that scanning
/// found nothing but the file format's own machinery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Profile {
    /// What `torch.save(state_dict)` writes: `collections.OrderedDict`,
    /// `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`,
    /// the typed storage classes (`torch.FloatStorage`, ...), and the
    /// persistent ids through which `torch.load` finds storages.
    PyTorch,
    /// What `numpy.save` writes for an object array:
    /// `numpy.core.multiarray._reconstruct` (`numpy._core` in NumPy 2),
    /// `numpy.ndarray`, `numpy.dtype`, `numpy.core.multiarray.scalar`.
    NumPy,
}

/// The storage classes `torch.save` names (`torch/storage.py`).
const TORCH_STORAGES: &[&str] = &[
    "BFloat16Storage",
    "BoolStorage",
    "ByteStorage",
    "CharStorage",
    "ComplexDoubleStorage",
    "ComplexFloatStorage",
    "DoubleStorage",
    "FloatStorage",
    "HalfStorage",
    "IntStorage",
    "LongStorage",
    "QInt32Storage",
    "QInt8Storage",
    "QUInt2x4Storage",
    "QUInt4x2Storage",
    "QUInt8Storage",
    "ShortStorage",
];

impl Profile {
    /// Whether the profile covers `module.name`.
    #[must_use]
    pub fn covers(self, module: &str, name: &str) -> bool {
        match self {
            Self::PyTorch => match module {
                "collections" => name == "OrderedDict",
                "torch._utils" => matches!(name, "_rebuild_tensor_v2" | "_rebuild_parameter"),
                "torch" => TORCH_STORAGES.contains(&name),
                _ => false,
            },
            Self::NumPy => match module {
                "numpy.core.multiarray" | "numpy._core.multiarray" => {
                    matches!(name, "_reconstruct" | "scalar")
                }
                "numpy" => matches!(name, "ndarray" | "dtype"),
                _ => false,
            },
        }
    }

    /// Whether files of this kind use persistent ids (PyTorch's storages).
    #[must_use]
    pub fn uses_persistent_ids(self) -> bool {
        self == Self::PyTorch
    }

    /// The profile's name on the command line (`torch`, `numpy`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PyTorch => "torch",
            Self::NumPy => "numpy",
        }
    }

    /// The profile named `name` (`torch`, `numpy`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "torch" | "pytorch" => Some(Self::PyTorch),
            "numpy" => Some(Self::NumPy),
            _ => None,
        }
    }
}

/// What `scan` thinks of one global. Its text form is the word `hx pickle
/// scan` prints.
///
/// ```
/// use hx_safe_deser::pickle::Verdict;
/// assert_eq!("not-allowed".parse::<Verdict>()?, Verdict::NotAllowed);
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
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

impl core::str::FromStr for Verdict {
    type Err = crate::Error;

    /// Parses `allowed`, `not-allowed`, `dangerous` or `unresolved`.
    fn from_str(s: &str) -> crate::Result<Self> {
        [
            Self::Allowed,
            Self::NotAllowed,
            Self::Dangerous,
            Self::Unresolved,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| {
            crate::Error::Malformed(
                "unknown verdict (allowed, not-allowed, dangerous or unresolved)".into(),
            )
        })
    }
}

/// The verdict for `module.name` under an allow-list check `allowed`.
///
/// A global is dangerous if it is, as written or as `find_class` maps a
/// Python 2 name: in a module listed whole (or a submodule of one), a
/// listed member (builtins under any of their names), a qualified name
/// that reaches a dunder attribute (`OrderedDict.__getattribute__`), or in
/// a `__main__` module (importing one runs a program).
pub(crate) fn verdict(module: &str, name: &str, allowed: impl Fn(Constructor) -> bool) -> Verdict {
    if let Some(constructor) = Constructor::lookup(module, name)
        && allowed(constructor)
    {
        return Verdict::Allowed;
    }
    let mapped = python2_name(module, name);
    if dangerous(module, name) || mapped.is_some_and(|(m, n)| dangerous(m, n)) {
        Verdict::Dangerous
    } else {
        Verdict::NotAllowed
    }
}

/// What `pickle.Unpickler.find_class` imports for a Python 2 name
/// (protocols 0 to 2), if it maps it.
fn python2_name<'a>(module: &'a str, name: &'a str) -> Option<(&'a str, &'a str)> {
    if let Some(&(_, to)) = COMPAT_NAME_MAPPING
        .iter()
        .find(|(from, _)| *from == (module, name))
    {
        return Some(to);
    }
    COMPAT_IMPORT_MAPPING
        .iter()
        .find(|(from, _)| *from == module)
        .map(|&(_, to)| (to, name))
}

fn dangerous(module: &str, name: &str) -> bool {
    // The module or any package above it (`os.path` is in `os`).
    let whole = module
        .match_indices('.')
        .map(|(i, _)| &module[..i])
        .chain(core::iter::once(module))
        .any(|m| DANGEROUS_MODULES.iter().any(|(d, _)| *d == m));
    let main = module.split('.').any(|part| part == "__main__");
    // A qualified name (protocol 4) is looked up attribute by attribute.
    let first = name.split('.').next().unwrap_or(name);
    let dunder = name
        .split('.')
        .skip(1)
        .any(|part| part.starts_with("__") && part.ends_with("__"));
    let builtins = BUILTINS_ALIASES.contains(&module);
    let member = DANGEROUS_GLOBALS.iter().any(|(m, n, _)| {
        (*m == module || (builtins && BUILTINS_ALIASES.contains(m))) && (*n == name || *n == first)
    });
    whole || main || dunder || member
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
        // Python 2 names as find_class maps them, and qualified names.
        assert_eq!(verdict("__builtin__", "reduce", all), Verdict::Dangerous);
        assert_eq!(verdict("commands", "getoutput", all), Verdict::Dangerous);
        assert_eq!(
            verdict("copy_reg", "_reconstructor", all),
            Verdict::Dangerous
        );
        assert_eq!(
            verdict("collections", "OrderedDict.__getattribute__", all),
            Verdict::Dangerous
        );
        assert_eq!(verdict("builtins", "eval.x", all), Verdict::Dangerous);
        assert_eq!(verdict("pkg.__main__", "f", all), Verdict::Dangerous);
        for (module, name) in [
            ("_operator", "methodcaller"),
            ("_operator", "attrgetter"),
            ("_functools", "reduce"),
            ("functools", "partial"),
            ("_posixsubprocess", "fork_exec"),
            ("pkgutil", "resolve_name"),
            ("cProfile", "run"),
            ("profile", "run"),
            ("doctest", "debug_script"),
            ("imp", "load_source"),
            ("copyreg", "_reconstructor"),
            ("linecache", "getline"),
            ("distutils.spawn", "spawn"),
            ("torch._inductor.codecache", "compile_file"),
            ("numpy.f2py", "compile"),
            ("SimpleHTTPServer", "test"),
        ] {
            assert_eq!(
                verdict(module, name, all),
                Verdict::Dangerous,
                "{module}.{name}"
            );
        }
        // What a plain torch.save(state_dict) and NumPy need is not
        // dangerous (only not allowed by default).
        for (module, name) in [
            ("collections", "OrderedDict"),
            ("torch._utils", "_rebuild_tensor_v2"),
            ("torch._utils", "_rebuild_parameter"),
            ("torch", "FloatStorage"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy", "dtype"),
            ("numpy", "ndarray"),
        ] {
            assert_eq!(
                verdict(module, name, |_| false),
                Verdict::NotAllowed,
                "{module}.{name}"
            );
        }
        assert_eq!(
            Constructor::parse("collections.OrderedDict"),
            Some(Constructor::OrderedDict)
        );
        assert_eq!(Constructor::parse("os.system"), None);
    }
}
