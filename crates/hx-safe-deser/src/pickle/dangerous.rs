//! The globals `scan` calls dangerous, as data: modules that are dangerous
//! whole, single members of otherwise harmless modules, and CPython's table of
//! Python 2 names (`_compat_pickle`), which `pickle.Unpickler.find_class`
//! applies before it imports anything.
//!
//! The lists are the union of hx's own, picklescan 1.0.5's `_unsafe_globals`
//! and fickling 0.1.12's `UNSAFE_IMPORTS` (with its ML lists), plus a few
//! gadgets neither lists; each entry says why it is there. None of them is
//! needed by a plain `torch.save(state_dict)` or a NumPy array pickle
//! (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
//! `torch.*Storage`, `torch.serialization._get_layout`,
//! `numpy.core.multiarray._reconstruct`, `numpy.dtype`, `numpy.ndarray`):
//! those are "not allowed" by default, never "dangerous".
//!
//! Every table is sorted by module, then name (byte order), with no
//! duplicates.

/// Modules whose every member, and every submodule, is dangerous: `(module,
/// why)`. `os` covers `os.system` and `os.path.join` alike.
///
/// A submodule is listed only when its parent is not (`torch.hub`, not
/// `torch`); the picklescan and fickling entries that name a submodule of a
/// module listed here (`urllib.request`, `requests.api`,
/// `distutils.file_util`, `numpy.testing._private.utils`,
/// `torch._inductor.codecache`, ...) are covered by the parent. Python 2
/// names are listed where hx listed them or they are dangerous in Python 2
/// alone; the others are caught through [`COMPAT_IMPORT_MAPPING`].
pub(crate) const DANGEROUS_MODULES: &[(&str, &str)] = &[
    ("BaseHTTPServer", "network server (Python 2)"),
    ("CGIHTTPServer", "runs CGI scripts (Python 2)"),
    ("DocXMLRPCServer", "network server (Python 2)"),
    ("SimpleHTTPServer", "network server (Python 2)"),
    ("SimpleXMLRPCServer", "network server (Python 2)"),
    ("SocketServer", "network servers (Python 2)"),
    ("Tix", "runs Tcl, which runs shell commands (Python 2)"),
    ("Tkinter", "runs Tcl, which runs shell commands (Python 2)"),
    ("_aix_support", "runs shell commands"),
    ("_ctypes", "calls native code, reads and writes memory"),
    ("_dummy_thread", "calls arbitrary callables"),
    ("_frozen_importlib", "imports modules"),
    ("_frozen_importlib_external", "imports modules, loads files"),
    ("_functools", "calls arbitrary callables"),
    ("_imp", "imports modules, loads native code"),
    ("_multiprocessing", "process and IPC primitives"),
    ("_operator", "reaches attributes, calls arbitrary callables"),
    ("_osx_support", "runs shell commands"),
    ("_pickle", "unpickles nested data"),
    ("_posixsubprocess", "spawns processes"),
    ("_pyrepl", "runs shell commands (pager), runs code"),
    ("_signal", "installs signal handlers that call callables"),
    ("_sitebuiltins", "runs pydoc, reads files"),
    ("_socket", "network"),
    ("_sqlite3", "opens or creates database files"),
    ("_thread", "calls arbitrary callables in a new thread"),
    ("_tkinter", "runs Tcl, which runs shell commands"),
    ("aiohttp", "network"),
    ("antigravity", "opens a web browser when imported"),
    ("asynchat", "network"),
    ("asyncio", "runs coroutines, spawns processes, network"),
    ("asyncore", "network"),
    ("atexit", "calls arbitrary callables at exit"),
    ("bdb", "debugger: runs code strings"),
    ("cPickle", "unpickles nested data (Python 2)"),
    ("cProfile", "runs code strings"),
    ("cloudpickle", "builds functions from code, unpickles"),
    ("code", "runs code strings"),
    ("codeop", "compiles code"),
    ("commands", "runs shell commands (Python 2)"),
    ("compileall", "compiles code, writes files"),
    ("ctypes", "calls native code, reads and writes memory"),
    ("dbm", "opens or creates database files"),
    ("dill", "builds functions from code, unpickles"),
    ("distutils", "spawns processes, writes files"),
    ("doctest", "runs code from docstrings and files"),
    ("dummy_thread", "calls arbitrary callables (Python 2)"),
    ("ensurepip", "installs packages (runs pip)"),
    ("filecmp", "reads files"),
    ("fileinput", "reads and rewrites files"),
    ("ftplib", "network"),
    ("functools", "calls arbitrary callables"),
    ("gc", "reaches every live object"),
    ("glob", "lists files"),
    ("http", "network, servers"),
    ("httplib", "network (Python 2)"),
    ("idlelib", "runs code"),
    ("ihooks", "imports modules (Python 2)"),
    ("imaplib", "network, runs shell commands"),
    ("imp", "imports modules, loads source and native code"),
    ("importlib", "imports modules"),
    ("imputil", "imports modules (Python 2)"),
    ("inspect", "reaches attributes, frames and source"),
    ("joblib", "unpickles nested data, calls callables"),
    ("lib2to3", "unpickles data, evals strings"),
    ("linecache", "reads files, imports modules"),
    ("logging.config", "builds any class, reads files, listens"),
    ("logging.handlers", "writes files, network"),
    ("marshal", "loads code objects"),
    ("mmap", "maps files and memory"),
    ("multiprocessing", "spawns processes, calls callables"),
    ("new", "builds code objects and functions (Python 2)"),
    ("nntplib", "network"),
    ("nt", "runs shell commands, touches files (`os`)"),
    ("numpy.ctypeslib", "loads native libraries"),
    ("numpy.distutils", "spawns processes, writes files"),
    ("numpy.f2py", "compiles code, evals strings"),
    ("numpy.testing", "runs code strings, spawns processes"),
    ("operator", "reaches attributes, calls arbitrary callables"),
    ("os", "runs shell commands, touches files"),
    ("pathlib", "reads or writes files"),
    ("pdb", "debugger: runs code strings"),
    ("pexpect", "spawns processes"),
    ("pickle", "unpickles nested data"),
    ("pip", "installs packages, runs commands"),
    ("pipes", "runs shell commands"),
    ("pkgutil", "imports modules, resolves any global"),
    ("platform", "runs shell commands"),
    ("popen2", "runs shell commands (Python 2)"),
    ("poplib", "network"),
    ("posix", "runs shell commands, touches files (`os`)"),
    ("profile", "runs code strings"),
    ("pty", "spawns processes"),
    ("py_compile", "compiles code, writes files"),
    ("pydoc", "imports modules, runs shell commands"),
    ("requests", "network"),
    ("rexec", "runs code strings (Python 2)"),
    ("rlcompleter", "evals strings"),
    ("robotparser", "network (Python 2)"),
    ("runpy", "runs modules and files"),
    ("select", "waits on sockets and file descriptors"),
    ("selectors", "waits on sockets and file descriptors"),
    ("setuptools", "spawns processes, writes files"),
    ("shelve", "opens database files, unpickles"),
    ("shutil", "copies, moves and deletes files"),
    ("signal", "installs signal handlers that call callables"),
    ("site", "runs .pth files, changes import paths"),
    ("smtpd", "network server"),
    ("smtplib", "network"),
    ("socket", "network"),
    ("socketserver", "network servers"),
    ("sqlite3", "opens or creates database files"),
    ("ssl", "network"),
    ("subprocess", "spawns processes"),
    ("sys", "interpreter state: modules, exit, audit hooks"),
    ("syslog", "writes the system log"),
    ("tarfile", "reads and writes (extracts) files"),
    ("telnetlib", "network"),
    ("tempfile", "creates files"),
    ("test", "runs code, spawns processes"),
    ("thread", "calls arbitrary callables (Python 2)"),
    ("threading", "calls arbitrary callables in a new thread"),
    ("timeit", "runs code strings"),
    ("tkinter", "runs Tcl, which runs shell commands"),
    ("torch._dynamo", "compiles and runs code"),
    ("torch._inductor", "compiles and runs code"),
    ("torch.hub", "downloads and runs code"),
    ("torch.jit", "compiles and runs code"),
    ("torch.utils.bottleneck", "runs scripts under profilers"),
    ("torch.utils.collect_env", "runs shell commands"),
    ("trace", "runs code strings"),
    ("types", "builds code objects, functions and classes"),
    ("unittest", "imports and runs test modules"),
    ("urllib", "network"),
    ("urllib2", "network (Python 2)"),
    ("user", "runs ~/.pythonrc.py when imported (Python 2)"),
    ("uuid", "runs shell commands"),
    ("venv", "creates environments, runs pip"),
    ("webbrowser", "opens a web browser, runs commands"),
    ("xmlrpc", "network, servers"),
    ("xmlrpclib", "network (Python 2)"),
    ("zipfile", "reads and writes (extracts) files"),
    ("zipimport", "imports modules from zip files"),
];

/// The names of the builtins module: Python 3's `builtins`, Python 2's
/// `__builtin__`, and `__builtins__` (a pickle can name it though it is not
/// importable). A `(module, name)` with any of these as `module` matches a
/// [`DANGEROUS_GLOBALS`] entry under any of them.
pub(crate) const BUILTINS_ALIASES: &[&str] = &["__builtin__", "__builtins__", "builtins"];

/// Single members that are dangerous in modules that are not dangerous
/// whole: `(module, name, why)`. A `name` with a dot is a protocol 4
/// qualified name (`ShapeEnv.evaluate_guards_expression`), which
/// `find_class` resolves attribute by attribute.
///
/// The builtins are under `builtins`, or under `__builtin__` for those only
/// Python 2 has (`apply`, `execfile`, `file`, `raw_input`, `reduce`,
/// `reload`); see [`BUILTINS_ALIASES`]. `copy_reg` (Python 2) repeats
/// `copyreg`.
pub(crate) const DANGEROUS_GLOBALS: &[(&str, &str, &str)] = &[
    ("__builtin__", "apply", "calls arbitrary callables"),
    ("__builtin__", "execfile", "runs a file"),
    ("__builtin__", "file", "opens files"),
    ("__builtin__", "raw_input", "reads standard input"),
    ("__builtin__", "reduce", "calls arbitrary callables"),
    ("__builtin__", "reload", "re-imports modules"),
    ("_io", "FileIO", "reads or writes files"),
    ("_io", "open", "reads or writes files"),
    ("_io", "open_code", "reads files"),
    ("builtins", "__build_class__", "calls arbitrary callables"),
    ("builtins", "__import__", "imports modules"),
    ("builtins", "__loader__", "imports modules"),
    ("builtins", "breakpoint", "starts a debugger"),
    ("builtins", "classmethod", "wraps arbitrary callables"),
    ("builtins", "compile", "compiles code"),
    ("builtins", "delattr", "deletes any attribute"),
    ("builtins", "eval", "runs code strings"),
    ("builtins", "exec", "runs code strings"),
    ("builtins", "exit", "ends the process"),
    ("builtins", "getattr", "reaches any attribute"),
    ("builtins", "globals", "reaches module namespaces"),
    ("builtins", "hasattr", "runs attribute getters"),
    ("builtins", "help", "runs pydoc"),
    ("builtins", "input", "reads standard input"),
    ("builtins", "locals", "reaches namespaces"),
    ("builtins", "memoryview", "reaches raw memory"),
    ("builtins", "object", "its dunders reach any attribute"),
    ("builtins", "open", "reads or writes files"),
    ("builtins", "property", "wraps arbitrary callables"),
    ("builtins", "quit", "ends the process"),
    ("builtins", "setattr", "sets any attribute"),
    ("builtins", "staticmethod", "wraps arbitrary callables"),
    ("builtins", "super", "reaches base-class attributes"),
    ("builtins", "type", "builds classes"),
    ("builtins", "vars", "reaches namespaces"),
    ("bz2", "BZ2File", "reads or writes files"),
    ("bz2", "open", "reads or writes files"),
    ("codecs", "open", "reads or writes files"),
    ("copy_reg", "__newobj__", "calls any class's __new__"),
    ("copy_reg", "_reconstructor", "constructs any class"),
    ("copy_reg", "add_extension", "rebinds extension codes"),
    ("copyreg", "__newobj__", "calls any class's __new__"),
    ("copyreg", "__newobj_ex__", "calls any class's __new__"),
    ("copyreg", "_reconstructor", "constructs any class"),
    ("copyreg", "add_extension", "rebinds extension codes"),
    ("gzip", "GzipFile", "reads or writes files"),
    ("gzip", "open", "reads or writes files"),
    ("io", "FileIO", "reads or writes files"),
    ("io", "open", "reads or writes files"),
    ("io", "open_code", "reads files"),
    ("logging", "FileHandler", "creates files"),
    ("logging", "basicConfig", "creates files"),
    ("lzma", "LZMAFile", "reads or writes files"),
    ("lzma", "open", "reads or writes files"),
    ("numpy", "load", "unpickles a file"),
    ("pandas", "read_pickle", "unpickles a file"),
    ("pandas.io.pickle", "read_pickle", "unpickles a file"),
    ("tokenize", "open", "reads files"),
    ("torch", "compile", "compiles and runs code"),
    ("torch", "load", "unpickles a file"),
    (
        "torch.distributed.elastic.rendezvous.api",
        "basichandlers",
        "unpickles nested data",
    ),
    (
        "torch.fx.experimental.symbolic_shapes",
        "ShapeEnv.evaluate_guards_expression",
        "evals strings",
    ),
    ("torch.serialization", "load", "unpickles a file"),
    ("torch.storage", "_load_from_bytes", "unpickles nested data"),
    (
        "torch.utils._config_module",
        "ConfigModule",
        "unpickles nested data",
    ),
    (
        "torch.utils._config_module",
        "ConfigModule.load_config",
        "unpickles nested data",
    ),
    (
        "torch.utils.data.datapipes.utils.decoder",
        "basichandlers",
        "unpickles nested data",
    ),
];

/// Python 2 module names and the Python 3 modules `find_class` imports
/// instead: `(python2, python3)`.
///
/// `pickle.Unpickler.find_class` applies [`COMPAT_NAME_MAPPING`] to
/// `(module, name)`, or else this table to `module`, when the pickle's
/// protocol is below 3 and `fix_imports` is on (the default), so
/// `copy_reg._reconstructor` loads `copyreg._reconstructor` and
/// `commands.getoutput` loads `subprocess.getoutput`. A scan should judge
/// both the name as written and the name as mapped, whatever the protocol.
//
// Copied from CPython 3.11's Lib/_compat_pickle.py (`IMPORT_MAPPING`, after
// its non-mutual `update`), Copyright (c) 2001-2023 Python Software
// Foundation, under the Python Software Foundation License Version 2.
pub(crate) const COMPAT_IMPORT_MAPPING: &[(&str, &str)] = &[
    ("BaseHTTPServer", "http.server"),
    ("CGIHTTPServer", "http.server"),
    ("ConfigParser", "configparser"),
    ("Cookie", "http.cookies"),
    ("Dialog", "tkinter.dialog"),
    ("DocXMLRPCServer", "xmlrpc.server"),
    ("FileDialog", "tkinter.filedialog"),
    ("HTMLParser", "html.parser"),
    ("Queue", "queue"),
    ("ScrolledText", "tkinter.scrolledtext"),
    ("SimpleDialog", "tkinter.simpledialog"),
    ("SimpleHTTPServer", "http.server"),
    ("SimpleXMLRPCServer", "xmlrpc.server"),
    ("SocketServer", "socketserver"),
    ("StringIO", "io"),
    ("Tix", "tkinter.tix"),
    ("Tkconstants", "tkinter.constants"),
    ("Tkdnd", "tkinter.dnd"),
    ("Tkinter", "tkinter"),
    ("UserDict", "collections"),
    ("UserList", "collections"),
    ("UserString", "collections"),
    ("__builtin__", "builtins"),
    ("_abcoll", "collections.abc"),
    ("_elementtree", "xml.etree.ElementTree"),
    ("_winreg", "winreg"),
    ("anydbm", "dbm"),
    ("cPickle", "pickle"),
    ("cStringIO", "io"),
    ("commands", "subprocess"),
    ("cookielib", "http.cookiejar"),
    ("copy_reg", "copyreg"),
    ("dbhash", "dbm.bsd"),
    ("dbm", "dbm.ndbm"),
    ("dumbdbm", "dbm.dumb"),
    ("dummy_thread", "_dummy_thread"),
    ("gdbm", "dbm.gnu"),
    ("htmlentitydefs", "html.entities"),
    ("httplib", "http.client"),
    ("markupbase", "_markupbase"),
    ("repr", "reprlib"),
    ("robotparser", "urllib.robotparser"),
    ("test.test_support", "test.support"),
    ("thread", "_thread"),
    ("tkColorChooser", "tkinter.colorchooser"),
    ("tkCommonDialog", "tkinter.commondialog"),
    ("tkFileDialog", "tkinter.filedialog"),
    ("tkFont", "tkinter.font"),
    ("tkMessageBox", "tkinter.messagebox"),
    ("tkSimpleDialog", "tkinter.simpledialog"),
    ("ttk", "tkinter.ttk"),
    ("urllib2", "urllib.request"),
    ("urlparse", "urllib.parse"),
    ("whichdb", "dbm"),
    ("xmlrpclib", "xmlrpc.client"),
];

/// A `(module, name)` pair.
pub(crate) type Global = (&'static str, &'static str);

/// Python 2 globals and the Python 3 globals `find_class` loads instead:
/// `((module, name), (module, name))`; see [`COMPAT_IMPORT_MAPPING`] for
/// when. It takes precedence over that table: `__builtin__.reduce` loads
/// `functools.reduce`, not `builtins.reduce`. The Python 2 `exceptions`
/// classes that keep their name in `builtins` are left out: no builtin
/// exception class is dangerous.
//
// Copied from CPython 3.11's Lib/_compat_pickle.py (`NAME_MAPPING`, with the
// entries its loop adds for `multiprocessing`'s exceptions and its
// non-mutual `update`), Copyright (c) 2001-2023 Python Software Foundation,
// under the Python Software Foundation License Version 2.
pub(crate) const COMPAT_NAME_MAPPING: &[(Global, Global)] = &[
    (
        ("UserDict", "IterableUserDict"),
        ("collections", "UserDict"),
    ),
    (("UserDict", "UserDict"), ("collections", "UserDict")),
    (("UserList", "UserList"), ("collections", "UserList")),
    (("UserString", "UserString"), ("collections", "UserString")),
    (("__builtin__", "basestring"), ("builtins", "str")),
    (("__builtin__", "intern"), ("sys", "intern")),
    (("__builtin__", "long"), ("builtins", "int")),
    (("__builtin__", "reduce"), ("functools", "reduce")),
    (("__builtin__", "unichr"), ("builtins", "chr")),
    (("__builtin__", "unicode"), ("builtins", "str")),
    (("__builtin__", "xrange"), ("builtins", "range")),
    (
        ("_multiprocessing", "Connection"),
        ("multiprocessing.connection", "Connection"),
    ),
    (("_socket", "fromfd"), ("socket", "fromfd")),
    (("exceptions", "StandardError"), ("builtins", "Exception")),
    (("itertools", "ifilter"), ("builtins", "filter")),
    (("itertools", "ifilterfalse"), ("itertools", "filterfalse")),
    (("itertools", "imap"), ("builtins", "map")),
    (("itertools", "izip"), ("builtins", "zip")),
    (("itertools", "izip_longest"), ("itertools", "zip_longest")),
    (
        ("multiprocessing", "AuthenticationError"),
        ("multiprocessing.context", "AuthenticationError"),
    ),
    (
        ("multiprocessing", "BufferTooShort"),
        ("multiprocessing.context", "BufferTooShort"),
    ),
    (
        ("multiprocessing", "ProcessError"),
        ("multiprocessing.context", "ProcessError"),
    ),
    (
        ("multiprocessing", "TimeoutError"),
        ("multiprocessing.context", "TimeoutError"),
    ),
    (
        ("multiprocessing.forking", "Popen"),
        ("multiprocessing.popen_fork", "Popen"),
    ),
    (
        ("multiprocessing.process", "Process"),
        ("multiprocessing.context", "Process"),
    ),
    (("socket", "_socketobject"), ("socket", "SocketType")),
    (
        ("urllib", "ContentTooShortError"),
        ("urllib.error", "ContentTooShortError"),
    ),
    (("urllib", "getproxies"), ("urllib.request", "getproxies")),
    (
        ("urllib", "pathname2url"),
        ("urllib.request", "pathname2url"),
    ),
    (("urllib", "quote"), ("urllib.parse", "quote")),
    (("urllib", "quote_plus"), ("urllib.parse", "quote_plus")),
    (("urllib", "unquote"), ("urllib.parse", "unquote")),
    (("urllib", "unquote_plus"), ("urllib.parse", "unquote_plus")),
    (
        ("urllib", "url2pathname"),
        ("urllib.request", "url2pathname"),
    ),
    (("urllib", "urlcleanup"), ("urllib.request", "urlcleanup")),
    (("urllib", "urlencode"), ("urllib.parse", "urlencode")),
    (("urllib", "urlopen"), ("urllib.request", "urlopen")),
    (("urllib", "urlretrieve"), ("urllib.request", "urlretrieve")),
    (("urllib2", "HTTPError"), ("urllib.error", "HTTPError")),
    (("urllib2", "URLError"), ("urllib.error", "URLError")),
    (("whichdb", "whichdb"), ("dbm", "whichdb")),
];
