//! "Encrypted configuration": `hx config …`.

use std::collections::{BTreeMap, HashMap};
#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use hx::config::{Config, Error, Opener};
use secrecy::ExposeSecret as _;
use zeroize::Zeroizing;

use crate::cmd::aead::MasterKeyArg;
use crate::cmd::kex::read_public_key;
use crate::failure::{CmdResult, Failure};
use crate::io::{read_stdin_all, write_secret_file_atomic, write_stdout};

/// How the file is opened.
#[derive(Args)]
pub struct OpenArgs {
    /// A keyring file that is one of the file's recipients (also
    /// `HX_KEYRING`). Preferred over `--identity` when both are given.
    #[arg(short, long, env = "HX_KEYRING")]
    keyring: Option<PathBuf>,
    /// A private key file of one of the file's recipients (also
    /// `HX_IDENTITY`): X25519, X-Wing or RSA (PEM/DER), an age identity file
    /// or an OpenSSH private key.
    #[arg(short, long, env = "HX_IDENTITY")]
    identity: Option<PathBuf>,
    #[command(flatten)]
    master: MasterKeyArg,
}

impl OpenArgs {
    fn opener(&self) -> Result<Option<Opener>, Failure> {
        // Read here, through the one secret-file check every command makes.
        if let Some(path) = &self.keyring {
            let (ring, _) = crate::cmd::aead::load_keyring(path, &self.master)?;
            return Ok(Some(Opener::Keyring(ring)));
        }
        if let Some(path) = &self.identity {
            // PEM/DER keys, age identity files and OpenSSH private keys
            let bytes = crate::io::read_secret_file(path)?;
            return Opener::identity_bytes(&bytes)
                .map(Some)
                .map_err(|e| Failure::Usage(format!("{}: {e}", crate::io::display(path))));
        }
        Ok(None)
    }

    fn require(&self) -> Result<Opener, Failure> {
        self.opener()?.ok_or_else(|| {
            Failure::Usage(
                "give --keyring KEYRING or --identity PRIV.pem (or HX_KEYRING / HX_IDENTITY)"
                    .into(),
            )
        })
    }
}

/// The file and how to open it.
#[derive(Args)]
pub struct FileArgs {
    /// The encrypted config file.
    file: PathBuf,
    #[command(flatten)]
    open: OpenArgs,
}

/// A file, a key path, and how to open the file.
#[derive(Args)]
pub struct KeyArgs {
    /// The encrypted config file.
    file: PathBuf,
    /// A dotted key path (`database.password`).
    key: String,
    #[command(flatten)]
    open: OpenArgs,
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Create an encrypted config; at least one way to open it: --keyring
    /// (also HX_KEYRING) and/or --recipient public keys.
    Init {
        /// Where to create it (not overwritten if it exists).
        file: PathBuf,
        /// Who can open the file: a public key file (X25519, X-Wing, RSA), an
        /// age recipient (`age1…`, `age1pq1…`) or OpenSSH public key
        /// (`ssh-ed25519 …`, `ssh-rsa …`), given as text or as a file.
        #[arg(long = "recipient", value_name = "RECIPIENT")]
        recipients: Vec<PathBuf>,
        #[command(flatten)]
        open: OpenArgs,
    },
    /// Set a value, read from standard input (one trailing newline
    /// stripped), or at a terminal asked for without echo, twice.
    Set {
        #[command(flatten)]
        key: KeyArgs,
        /// Accept an empty value (refused by default: an empty pipe is
        /// usually a mistake).
        #[arg(long)]
        allow_empty: bool,
        /// Keep the value in clear, under the file's MAC: for settings that
        /// are not secrets (ports, host names), readable in the file and in
        /// git diffs, changed by nobody without the key. Without it the
        /// value is sealed (also one that was kept in clear).
        #[arg(long)]
        plain: bool,
    },
    /// Print a value.
    Get(KeyArgs),
    /// Print the key paths, one per line.
    List(FileArgs),
    /// Remove a value.
    Rm(KeyArgs),
    /// New data key: every sealed value re-sealed, the key re-wrapped for every recipient.
    Rotate(FileArgs),
    /// Add or remove a public-key recipient (removal rotates the data key).
    #[command(subcommand)]
    Recipients(RecipientsCommand),
    /// Exit 0 if the file's MACs hold and every value opens, 1 otherwise.
    Verify(FileArgs),
    /// Print every value as shell assignments (env) or a JSON object.
    /// Values are single-quoted. A name that is not a shell identifier is
    /// refused; one that changes how programs are loaded or run (`PATH`,
    /// `LD_PRELOAD`, …) is refused unless allowed with --allow-env.
    Export {
        #[command(flatten)]
        file: FileArgs,
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The file's values only, without `HX__…` overrides from the
        /// environment (what a `git diff` textconv must show).
        #[arg(long)]
        no_overrides: bool,
        #[command(flatten)]
        allow: AllowEnvArg,
    },
    /// Git merge driver (`%O %A %B`): merges THEIRS into OURS entry by entry
    /// and writes OURS; exit 1 naming the key paths changed on both sides.
    Merge {
        /// The common ancestor (%O).
        base: PathBuf,
        /// Our version (%A), replaced by the result.
        ours: PathBuf,
        /// Their version (%B).
        theirs: PathBuf,
        #[command(flatten)]
        open: OpenArgs,
    },
    /// Run a command with every value in its environment
    /// (`database.password` → `DATABASE_PASSWORD`); exits with its status.
    ///
    /// Variables that change how a program is loaded or run (`LD_*`,
    /// `DYLD_*`, `PATH`, `BASH_ENV`, `PYTHONPATH`, `NODE_OPTIONS`, … the
    /// list is in docs/CLI.md) are refused unless named with --allow-env: anyone who
    /// can add a value to the file (every holder of a recipient's public
    /// key) could otherwise run code in CMD.
    Exec {
        /// The encrypted config file (or give several with -f).
        #[arg(required_unless_present = "files", conflicts_with = "files")]
        file: Option<PathBuf>,
        /// An encrypted config file; repeat for several: a later file's
        /// value wins over an earlier one's.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Let the files' values replace variables already set in the
        /// environment (by default the environment wins, so that a
        /// deployment can override a file).
        #[arg(long)]
        overload: bool,
        #[command(flatten)]
        open: OpenArgs,
        #[command(flatten)]
        allow: AllowEnvArg,
        /// The command and its arguments (after `--`).
        #[arg(required = true, last = true, value_name = "CMD")]
        command: Vec<std::ffi::OsString>,
    },
    /// Add every entry of a plaintext `.env` file (read as python-dotenv
    /// reads it, without variable expansion) or flat JSON object to the
    /// encrypted config; names are kept as written. SOURCE `-` is standard
    /// input.
    Import {
        /// The encrypted config file (created first with `config init`).
        file: PathBuf,
        /// The plaintext file to import.
        source: PathBuf,
        /// What SOURCE is.
        #[arg(long, value_enum, default_value = "env")]
        format: ImportFormat,
        #[command(flatten)]
        open: OpenArgs,
    },
    /// Edit the decrypted values in $VISUAL / $EDITOR: the plaintext lives in
    /// a private directory (0700, on tmpfs where there is one) and is
    /// removed when the editor exits or fails and on SIGINT/SIGTERM/SIGHUP
    /// (not the editor's own undo or backup copies); only values that
    /// changed are re-sealed.
    Edit(FileArgs),
    /// Register the merge driver and a diff textconv (`hx config export
    /// --format env`) in this repository's git config and .gitattributes;
    /// running it again changes nothing.
    GitSetup(GitSetupArgs),
}

/// `hx config git-setup`: how the drivers it registers open files.
#[derive(Args)]
pub struct GitSetupArgs {
    /// The files the drivers apply to, as a .gitattributes pattern.
    #[arg(long, default_value = "*.hxc")]
    pattern: String,
    /// A keyring the drivers open files with, written into the repository's
    /// git config (without it they use HX_KEYRING / HX_IDENTITY when git
    /// runs them).
    #[arg(long, value_name = "KEYRING", conflicts_with = "identity")]
    keyring: Option<String>,
    /// A private key file the drivers open files with, as --keyring.
    #[arg(long, value_name = "PRIV.pem")]
    identity: Option<String>,
}

#[derive(Subcommand)]
pub enum RecipientsCommand {
    /// Wrap the data key for another public key.
    Add {
        /// The encrypted config file.
        file: PathBuf,
        /// A public key file, an age recipient or an OpenSSH public key (text
        /// or file).
        #[arg(value_name = "RECIPIENT")]
        public: PathBuf,
        #[command(flatten)]
        open: OpenArgs,
    },
    /// Remove a public key and rotate the data key.
    Rm {
        /// The encrypted config file.
        file: PathBuf,
        /// A public key file, an age recipient or an OpenSSH public key (text
        /// or file).
        #[arg(value_name = "RECIPIENT")]
        public: PathBuf,
        #[command(flatten)]
        open: OpenArgs,
    },
}

/// `--allow-env NAME`: lets one variable that changes how programs are
/// loaded or run through.
#[derive(Args)]
pub struct AllowEnvArg {
    /// Let the variable NAME through although it changes how programs are
    /// loaded or run (repeat for several).
    #[arg(long = "allow-env", value_name = "NAME")]
    names: Vec<String>,
}

/// Variables that change how a program is loaded or run: the dynamic
/// loader's, the shells' start-up and parsing, and the interpreters' module
/// paths and options. Exact names.
pub const LOADER_VARIABLES: &[&str] = &[
    "PATH",
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "IFS",
    "CDPATH",
    "GLOBIGNORE",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "LOCPATH",
    "NLSPATH",
    "NIS_PATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    "TMPDIR",
    "TZDIR",
    "GETCONF_DIR",
    "CLASSPATH",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "SSH_ASKPASS",
    "RUSTC_WRAPPER",
    "IRBRC",
];

/// Prefixes of variables that change how a program is loaded or run.
pub const LOADER_PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "BASH_FUNC_",
    "GCONV_",
    "GLIBC_",
    "MALLOC_",
    "PYTHON",
    "PERL",
    "RUBY",
    "NODE_",
    "NPM_CONFIG_",
    "JAVA_",
    "_JAVA_",
    "JDK_JAVA_",
    "GIT_",
    "LUA_",
    "DOTNET_",
    "CORECLR_",
    "PHP_INI_",
];

/// Whether the variable `name` changes how programs are loaded or run.
pub fn changes_how_programs_run(name: &str) -> bool {
    LOADER_VARIABLES.contains(&name) || LOADER_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether `name` is a shell identifier (`[A-Za-z_][A-Za-z0-9_]*`).
fn is_shell_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// A `.env` file: `KEY=value` lines, `export`, quotes, escapes in
    /// double quotes, multi-line quoted values, `#` comments.
    Env,
    /// A flat JSON object of strings (numbers and booleans as written).
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// `NAME='value'` lines, for a POSIX shell.
    Env,
    /// A JSON object nested by key path.
    Json,
}

/// A failure about `path`: rejected input (altered file, not a recipient,
/// merge conflict) exits 1, the rest 2.
fn failure(path: &Path, e: Error) -> Failure {
    // These already name their file.
    let message = if matches!(
        e,
        Error::Io { .. } | Error::InsecurePermissions { .. } | Error::ChangedOnDisk(_)
    ) {
        e.to_string()
    } else {
        format!("{}: {e}", path.display())
    };
    match e {
        Error::Tampered(_)
        | Error::NotARecipient
        | Error::Parse { .. }
        | Error::NotFound(_)
        | Error::MergeConflict(_)
        | Error::Value { .. } => Failure::Rejected(message),
        _ => Failure::Usage(message),
    }
}

pub fn config(command: ConfigCommand) -> CmdResult {
    match command {
        ConfigCommand::Init {
            file,
            recipients,
            open,
        } => {
            let mut keys = Vec::new();
            let mut ages = Vec::new();
            for arg in &recipients {
                match read_recipient(arg)? {
                    Recipient::Key(key) => keys.push(key),
                    Recipient::Age(text) => ages.push(text),
                }
            }
            let ages: Vec<&str> = ages.iter().map(String::as_str).collect();
            let opener = open.opener()?;
            if opener.is_none() && keys.is_empty() && ages.is_empty() {
                return Err(Failure::Usage(
                    "give --keyring KEYRING and/or --recipient PUB.pem: nobody could open the file"
                        .into(),
                ));
            }
            Config::create_with_age(rewritable(&file)?, opener.as_ref(), &keys, &ages)
                .map_err(|e| failure(&file, e))?;
            Ok(())
        }
        ConfigCommand::Set {
            key: args,
            allow_empty,
            plain,
        } => {
            let opener = args.open.require()?;
            let value = read_value(&args.key)?;
            if value.is_empty() && !allow_empty {
                return Err(Failure::Usage(
                    "an empty value is refused (give --allow-empty if it is meant)".into(),
                ));
            }
            let mut switched = None;
            edit_with(&args.file, &opener, |c| {
                // a key that changes kind is said so: a secret set with
                // --plain by mistake is in clear in the file from now on
                if c.contains(&args.key) && c.is_plain(&args.key) != plain {
                    switched = Some(if plain {
                        "was sealed, is now in clear (--plain)"
                    } else {
                        "was in clear, is now sealed"
                    });
                }
                if plain {
                    c.set_plain(&args.key, &value)
                } else {
                    c.set(&args.key, &value)
                }
            })?;
            if let Some(what) = switched {
                eprintln!("hx: {}: `{}` {what}", args.file.display(), args.key);
            }
            Ok(())
        }
        ConfigCommand::Get(args) => {
            let opener = args.open.require()?;
            let config =
                Config::open(readable(&args.file)?, &opener).map_err(|e| failure(&args.file, e))?;
            // HX__ variables override, exactly as export, exec and the
            // library apply them
            let values = hx::config::apply_overrides(
                config.values().map_err(|e| failure(&args.file, e))?,
                hx::config::override_vars(),
            )
            .map_err(|e| failure(&args.file, e))?;
            let value = values
                .iter()
                .find(|(path, _)| *path == args.key)
                .map(|(_, v)| v)
                .ok_or_else(|| failure(&args.file, Error::NotFound(args.key.clone())))?;
            let mut out = Zeroizing::new(value.expose_secret().as_bytes().to_vec());
            out.push(b'\n');
            write_stdout(&out)
        }
        ConfigCommand::List(args) => {
            let opener = args.open.require()?;
            let config =
                Config::open(readable(&args.file)?, &opener).map_err(|e| failure(&args.file, e))?;
            let mut out = String::new();
            for key in config.keys() {
                out.push_str(key);
                out.push('\n');
            }
            write_stdout(out.as_bytes())
        }
        ConfigCommand::Rm(args) => edit(&args.file, &args.open, |c| c.remove(&args.key)),
        ConfigCommand::Rotate(args) => edit(&args.file, &args.open, |c| c.rotate()),
        ConfigCommand::Recipients(RecipientsCommand::Add { file, public, open }) => {
            match read_recipient(&public)? {
                Recipient::Key(key) => edit(&file, &open, |c| c.add_recipient(&key)),
                Recipient::Age(text) => edit(&file, &open, |c| c.add_age_recipient(&text)),
            }
        }
        ConfigCommand::Recipients(RecipientsCommand::Rm { file, public, open }) => {
            match read_recipient(&public)? {
                Recipient::Key(key) => edit(&file, &open, |c| c.remove_recipient(&key)),
                Recipient::Age(text) => edit(&file, &open, |c| c.remove_age_recipient(&text)),
            }
        }
        ConfigCommand::Verify(args) => {
            let opener = args.open.require()?;
            let config =
                Config::open(readable(&args.file)?, &opener).map_err(|e| failure(&args.file, e))?;
            let count = config.verify().map_err(|e| failure(&args.file, e))?;
            eprintln!(
                "hx: {}: OK ({count} values, generation {})",
                args.file.display(),
                config.generation()
            );
            Ok(())
        }
        ConfigCommand::Export {
            file,
            format,
            no_overrides,
            allow,
        } => export(&file, format, no_overrides, &allow),
        ConfigCommand::Merge {
            base,
            ours,
            theirs,
            open,
        } => merge(&base, &ours, &theirs, &open),
        ConfigCommand::Exec {
            file,
            files,
            overload,
            open,
            allow,
            command,
        } => {
            let files: Vec<PathBuf> = file.into_iter().chain(files).collect();
            exec(&files, &open, overload, &allow, &command)
        }
        ConfigCommand::GitSetup(args) => git_setup(&args),
        ConfigCommand::Edit(args) => edit_in_editor(&args),
        ConfigCommand::Import {
            file,
            source,
            format,
            open,
        } => import(&file, &source, format, &open),
    }
}

/// A value for `config set`: standard input without its one line ending,
/// or at a terminal asked for without echo, twice.
fn read_value(key: &str) -> Result<Zeroizing<String>, Failure> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        return crate::io::ask_secret(
            &format!("Value for {key}: "),
            Some(&format!("Again, for {key}: ")),
            "value",
            "the two values differ",
        );
    }
    let mut value = read_stdin_all(hx::config::MAX_VALUE_LEN + 2)?;
    crate::io::strip_newline(&mut value);
    let text = std::str::from_utf8(&value)
        .map_err(|_| Failure::Usage("the value on standard input is not UTF-8".into()))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// The file a command only reads: `-` is standard input.
fn readable(path: &Path) -> Result<std::borrow::Cow<'_, Path>, Failure> {
    if !crate::io::is_stdio(path) {
        return Ok(path.into());
    }
    if cfg!(unix) {
        Ok(Path::new("/dev/stdin").into())
    } else {
        Err(Failure::Usage(
            "-: reading a config from standard input needs a Unix system; name the file".into(),
        ))
    }
}

/// The file a command writes: never `-` (nothing is written to a file of
/// that name, and standard input cannot be rewritten in place).
fn rewritable(path: &Path) -> Result<&Path, Failure> {
    if crate::io::is_stdio(path) {
        return Err(Failure::Usage(
            "-: this command rewrites its config file in place; name the file".into(),
        ));
    }
    Ok(path)
}

/// Opens, applies `change`, saves.
fn edit(
    file: &Path,
    open: &OpenArgs,
    change: impl FnOnce(&mut Config<'_>) -> hx::config::Result<()>,
) -> CmdResult {
    edit_with(file, &open.require()?, change)
}

fn edit_with(
    file: &Path,
    opener: &Opener,
    change: impl FnOnce(&mut Config<'_>) -> hx::config::Result<()>,
) -> CmdResult {
    let mut config = Config::open(rewritable(file)?, opener).map_err(|e| failure(file, e))?;
    change(&mut config).map_err(|e| failure(file, e))?;
    config.save().map_err(|e| failure(file, e))
}

fn export(
    args: &FileArgs,
    format: ExportFormat,
    no_overrides: bool,
    allow: &AllowEnvArg,
) -> CmdResult {
    let opener = args.open.require()?;
    let config =
        Config::open(readable(&args.file)?, &opener).map_err(|e| failure(&args.file, e))?;
    let vars = if no_overrides {
        Vec::new()
    } else {
        hx::config::override_vars()
    };
    let values =
        hx::config::apply_overrides(config.values().map_err(|e| failure(&args.file, e))?, vars)
            .map_err(|e| failure(&args.file, e))?;
    // One buffer, reserved up front so that it does not move (and leave
    // copies of the values behind) while it fills; wiped on drop.
    let size: usize = values
        .iter()
        .map(|(p, v)| p.len() * 2 + v.expose_secret().len() * 6 + 8)
        .sum();
    let mut out = Zeroizing::new(Vec::with_capacity(size + 64));
    match format {
        ExportFormat::Env => {
            for (name, value) in env_pairs(&args.file, &values, allow)? {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"='");
                for (i, part) in value.split('\'').enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b"'\\''");
                    }
                    out.extend_from_slice(part.as_bytes());
                }
                out.extend_from_slice(b"'\n");
            }
        }
        ExportFormat::Json => {
            let mut root = JsonNode::Table(BTreeMap::new());
            for (path, value) in &values {
                root.insert(path, value.expose_secret());
            }
            serde_json::to_writer(&mut *out, &root)
                .map_err(|e| Failure::Usage(format!("JSON output: {e}")))?;
            out.push(b'\n');
        }
    }
    write_stdout(&out)
}

/// The values nested by key path, borrowed (serialised straight into the
/// output buffer, never copied into JSON strings).
#[derive(serde::Serialize)]
#[serde(untagged)]
enum JsonNode<'a> {
    Leaf(&'a str),
    Table(BTreeMap<&'a str, JsonNode<'a>>),
}

impl<'a> JsonNode<'a> {
    fn insert(&mut self, path: &'a str, value: &'a str) {
        let Self::Table(table) = self else { return };
        match path.split_once('.') {
            None => {
                table.insert(path, Self::Leaf(value));
            }
            Some((head, rest)) => table
                .entry(head)
                .or_insert_with(|| Self::Table(BTreeMap::new()))
                .insert(rest, value),
        }
    }
}

/// `(NAME, value)` for every value; two paths with the same variable name
/// are refused rather than one silently winning.
/// Names that are not shell identifiers, and names that change how
/// programs run (unless in `allow`), are refused.
fn env_pairs(
    file: &Path,
    values: &[(String, secrecy::SecretString)],
    allow: &AllowEnvArg,
) -> Result<Vec<(String, Zeroizing<String>)>, Failure> {
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(values.len());
    let mut out = Vec::with_capacity(values.len());
    for (path, value) in values {
        let name = hx::config::env_name(path);
        if !is_shell_identifier(&name) {
            return Err(Failure::Rejected(format!(
                "{}: `{path}` maps to {name:?}, which is not a variable name (letters, digits and _, not starting with a digit)",
                file.display()
            )));
        }
        if changes_how_programs_run(&name) && !allow.names.contains(&name) {
            return Err(Failure::Rejected(format!(
                "{}: `{path}` would set {name}, which changes how programs are loaded or run; \
                 refused (give --allow-env {name} if the file is meant to set it)",
                file.display()
            )));
        }
        if let Some(other) = seen.insert(name.clone(), path) {
            return Err(Failure::Usage(format!(
                "{}: `{other}` and `{path}` both map to the variable {name}",
                file.display()
            )));
        }
        if value.expose_secret().contains('\0') {
            return Err(Failure::Usage(format!(
                "{}: the value of `{path}` contains a NUL byte and cannot be an environment variable",
                file.display()
            )));
        }
        out.push((name, Zeroizing::new(value.expose_secret().to_owned())));
    }
    Ok(out)
}

/// Runs CMD with the values of `files` (a later file's value wins; a
/// variable already in the environment wins unless `overload`; `HX__…`
/// overrides applied to every file).
fn exec(
    files: &[PathBuf],
    open: &OpenArgs,
    overload: bool,
    allow: &AllowEnvArg,
    command: &[std::ffi::OsString],
) -> CmdResult {
    let opener = open.require()?;
    // variable name → (key path, value); a later file wins
    let mut merged: BTreeMap<String, (String, Zeroizing<String>)> = BTreeMap::new();
    for file in files {
        let config = Config::open(readable(file)?, &opener).map_err(|e| failure(file, e))?;
        let values = config.values().map_err(|e| failure(file, e))?;
        let paths: HashMap<String, &str> = values
            .iter()
            .map(|(p, _)| (hx::config::env_name(p), p.as_str()))
            .collect();
        for (name, value) in env_pairs(file, &values, allow)? {
            let path = paths.get(&name).copied().unwrap_or_default().to_owned();
            merged.insert(name, (path, value));
        }
    }
    // the HX__ overrides, once, over what the files give together
    let last = files.last().map_or(Path::new("-"), PathBuf::as_path);
    for (var, value) in hx::config::override_vars() {
        let Some(path) =
            hx::config::override_target(&var, merged.values().map(|(p, _)| p.as_str()))
        else {
            continue;
        };
        let values = [(path.clone(), secrecy::SecretString::from(value.as_str()))];
        for (name, value) in env_pairs(last, &values, allow)? {
            merged.insert(name, (path.clone(), value));
        }
    }
    let pairs: Vec<(String, Zeroizing<String>)> = merged
        .into_iter()
        .filter(|(name, _)| overload || std::env::var_os(name).is_none())
        .map(|(name, (_, value))| (name, value))
        .collect();
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| Failure::Usage("no command given after --".into()))?;
    let status = std::process::Command::new(program)
        .args(rest)
        .envs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()
        .map_err(|e| Failure::Usage(format!("{}: {e}", program.to_string_lossy())))?;
    drop(pairs);
    let code = status.code().unwrap_or_else(|| {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            128 + status.signal().unwrap_or(0)
        }
        #[cfg(not(unix))]
        {
            1
        }
    });
    match u8::try_from(code) {
        Ok(0) => Ok(()),
        Ok(code) => Err(Failure::Status(code)),
        // Outside 0..=255 (not on Unix): a failure all the same.
        Err(_) => Err(Failure::Status(1)),
    }
}

fn merge(base: &Path, ours: &Path, theirs: &Path, open: &OpenArgs) -> CmdResult {
    rewritable(ours)?;
    let opener = open.require()?;
    let read = |p: &Path| -> Result<String, Failure> {
        let bytes = crate::io::read_bounded(p, hx::config::MAX_DOCUMENT_LEN, "config file")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            Failure::Rejected(format!("{}: not a config file (not UTF-8)", p.display()))
        })
    };
    let merged =
        hx::config::merge(&read(base)?, &read(ours)?, &read(theirs)?, &opener).map_err(|e| {
            // Name the side that is damaged, not always OURS.
            let damaged = [theirs, ours, base]
                .into_iter()
                .find(|p| Config::open(p, &opener).and_then(|c| c.verify()).is_err());
            failure(damaged.unwrap_or(ours), e)
        })?;
    write_secret_file_atomic(ours, merged.text.as_bytes())?;
    if merged.conflicts.is_empty() {
        return Ok(());
    }
    let names: BTreeMap<&str, ()> = merged.conflicts.iter().map(|p| (p.as_str(), ())).collect();
    let list: Vec<String> = names.keys().map(|p| format!("`{p}`")).collect();
    Err(Failure::Rejected(format!(
        "{}: conflicting changes to {} (kept our value; set the right one with `hx config set`)",
        ours.display(),
        list.join(", ")
    )))
}

/// `hx config git-setup`: the merge driver and the diff textconv in the
/// repository's git config (set, so idempotent) and one .gitattributes
/// line for `pattern` (added only if missing).
fn git_setup(args: &GitSetupArgs) -> CmdResult {
    let git = |git_args: &[&str]| -> Result<String, Failure> {
        let out = std::process::Command::new("git")
            .args(git_args)
            .output()
            .map_err(|e| Failure::Usage(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(Failure::Usage(format!(
                "git {}: {}",
                git_args.first().copied().unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    };
    let root = PathBuf::from(git(&["rev-parse", "--show-toplevel"]).map_err(|_| {
        Failure::Usage("not inside a git repository (run it in the repository)".into())
    })?);
    let pattern = &args.pattern;
    if pattern.is_empty()
        || pattern
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#')
        || pattern.starts_with(['!', '"'])
        || pattern.starts_with("[attr]")
    {
        return Err(Failure::Usage(
            "--pattern: a .gitattributes pattern (no spaces or #, not starting with !, \" or [attr])"
                .into(),
        ));
    }
    // git runs the drivers from the top of the work tree: an absolute path
    let absolute = |path: &str| -> Result<String, Failure> {
        let full = std::fs::canonicalize(path)
            .map_err(|e| crate::io::path_failure(Path::new(path), &e))?;
        full.to_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::Usage(format!("{}: not a UTF-8 path", full.display())))
    };
    let open = match (&args.keyring, &args.identity) {
        (Some(k), _) => format!(" --keyring {}", shell_quote(&absolute(k)?)),
        (None, Some(i)) => format!(" --identity {}", shell_quote(&absolute(i)?)),
        (None, None) => String::new(),
    };
    // in a merge driver git expands %O, %A, %B, %L, %P and %%
    let merge_open = open.replace('%', "%%");
    let settings = [
        ("merge.hx-config.name", "hx encrypted config".to_owned()),
        (
            "merge.hx-config.driver",
            format!("hx config merge{merge_open} %O %A %B"),
        ),
        (
            "diff.hx-config.textconv",
            format!("hx config export --format env --no-overrides{open}"),
        ),
    ];
    for (name, value) in &settings {
        git(&["config", "--local", name, value])?;
    }
    let attributes = root.join(".gitattributes");
    // bounded, as every read of a file hx is handed
    let existing = if attributes.exists() {
        let bytes = crate::io::read_bounded(&attributes, 1 << 20, ".gitattributes")?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| Failure::Usage(format!("{}: not UTF-8 text", attributes.display())))?
    } else {
        String::new()
    };
    let line = format!("{pattern} merge=hx-config diff=hx-config");
    let present = existing.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.first() == Some(&pattern.as_str())
            && words.contains(&"merge=hx-config")
            && words.contains(&"diff=hx-config")
    });
    if !present {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&line);
        text.push('\n');
        crate::io::write_output(
            &attributes,
            text.as_bytes(),
            crate::io::Access::Public,
            crate::io::Replace::Allowed,
        )?;
    }
    eprintln!(
        "hx: git config: merge.hx-config.driver, diff.hx-config.textconv set; {}: {}",
        attributes.display(),
        if present {
            "already has the line"
        } else {
            "line added"
        }
    );
    Ok(())
}

/// `text` in single quotes for `sh` (git runs drivers through it).
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `hx config import`: every entry of SOURCE set in FILE, in one save.
fn import(file: &Path, source: &Path, format: ImportFormat, open: &OpenArgs) -> CmdResult {
    let opener = open.require()?;
    let bytes = crate::io::read_bounded(source, hx::config::MAX_DOCUMENT_LEN, "file to import")?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure::Rejected(format!("{}: not UTF-8 text", crate::io::display(source)))
    })?;
    let refused = |why: String| Failure::Rejected(format!("{}: {why}", crate::io::display(source)));
    // (key, value, where it came from) in the file's order
    let mut entries: Vec<(String, Zeroizing<String>, String)> = Vec::new();
    let mut skipped = Vec::new();
    match format {
        ImportFormat::Env => {
            for entry in hx::config::dotenv::parse(text).map_err(|e| refused(e.to_string()))? {
                match entry.value {
                    Some(value) => entries.push((
                        entry.key,
                        Zeroizing::new(value),
                        format!("line {}", entry.line),
                    )),
                    None => skipped.push(entry.key),
                }
            }
        }
        ImportFormat::Json => {
            let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
                .map_err(|e| refused(format!("not a JSON object (line {})", e.line())))?;
            for (key, value) in object {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => {
                        return Err(refused(format!(
                            "`{}` is not a string, an integer or a boolean (a flat object is imported; quote other numbers)",
                            key.escape_debug()
                        )));
                    }
                };
                let at = format!("key `{}`", key.escape_debug());
                entries.push((key, Zeroizing::new(value), at));
            }
        }
    }
    let mut config = Config::open(rewritable(file)?, &opener).map_err(|e| failure(file, e))?;
    let count = entries.len();
    for (key, value, at) in &entries {
        config.set(key, value).map_err(|e| match e {
            Error::InvalidPath { reason, .. } => refused(format!(
                "{at}: `{}` is not a key path ({reason})",
                key.escape_debug()
            )),
            other => failure(file, other),
        })?;
    }
    config.save().map_err(|e| failure(file, e))?;
    eprintln!(
        "hx: {}: imported {count} value{} from {}",
        file.display(),
        if count == 1 { "" } else { "s" },
        crate::io::display(source)
    );
    for key in skipped {
        eprintln!(
            "hx: {}: `{}` has no value (no `=`) and was not imported",
            crate::io::display(source),
            key.escape_debug()
        );
    }
    Ok(())
}

#[cfg(unix)]
/// Where `config edit` puts the plaintext: a new private directory under
/// `$XDG_RUNTIME_DIR` or `/dev/shm` (memory, not disk) where there is one,
/// else the temporary directory; registered for removal on a signal.
fn private_dir(cleanup: &crate::io::signals::Cleanup) -> Result<tempfile::TempDir, Failure> {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .or_else(|| Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir()))
        .unwrap_or_else(std::env::temp_dir);
    cleanup
        .track(
            || {
                tempfile::Builder::new()
                    .prefix("hx-config-edit-")
                    .permissions(std::fs::Permissions::from_mode(0o700))
                    .tempdir_in(&base)
            },
            tempfile::TempDir::path,
        )
        .map_err(|e| crate::io::path_failure(&base, &e))
}

/// The values as the TOML the editor shows: one `path = "value"` line each,
/// those kept in clear marked so (`in_clear` holds their paths).
fn editable_text(
    file: &Path,
    values: &[(String, secrecy::SecretString)],
    in_clear: &[&str],
) -> Zeroizing<String> {
    let mut text = Zeroizing::new(format!(
        "# hx config edit {}: the decrypted values, saved when the editor exits.\n\
         # One `key.path = \"value\"` line per value; delete a line to remove its key.\n\
         # Changed values are re-sealed, except those marked `# in clear` (set --plain),\n\
         # which stay in clear: put no secret there. New keys are sealed.\n\
         # This file is removed afterwards; nothing is saved if it is not valid TOML.\n",
        file.display()
    ));
    for (path, value) in values {
        let quoted =
            Zeroizing::new(toml::Value::String(value.expose_secret().to_owned()).to_string());
        text.push_str(path);
        text.push_str(" = ");
        text.push_str(&quoted);
        if in_clear.contains(&path.as_str()) {
            text.push_str("   # in clear");
        }
        text.push('\n');
    }
    text
}

/// The edited TOML back into flat paths and values; the error names a line,
/// never text from the file.
fn parse_edited(text: &str) -> Result<BTreeMap<String, Zeroizing<String>>, String> {
    fn flatten(
        prefix: &str,
        table: toml::Table,
        out: &mut BTreeMap<String, Zeroizing<String>>,
    ) -> Result<(), String> {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            let text = match value {
                toml::Value::Table(inner) => {
                    flatten(&path, inner, out)?;
                    continue;
                }
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::Array(_) => {
                    return Err(format!(
                        "`{}` is an array: values are strings",
                        path.escape_debug()
                    ));
                }
            };
            out.insert(path, Zeroizing::new(text));
        }
        Ok(())
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        format!("line {line} is not valid TOML")
    })?;
    let mut out = BTreeMap::new();
    flatten("", table, &mut out)?;
    // what `set` would refuse, refused while the editor can still fix it
    for (path, value) in &out {
        if let Err(e) = hx::config::check_path(path) {
            return Err(e.to_string());
        }
        if value.len() > hx::config::MAX_VALUE_LEN {
            return Err(format!("the value of `{path}` is larger than 1 MiB"));
        }
    }
    Ok(out)
}

/// Runs `$VISUAL`, `$EDITOR` or `vi` on `path` through `sh`, as git does
/// (so that `EDITOR="code --wait"` works).
fn run_editor(path: &Path) -> Result<(), Failure> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| Failure::Usage(format!("cannot run the editor: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "the editor ({editor}) failed ({status}); nothing changed"
        )))
    }
}

/// `hx config edit` off Unix: the private directory and the signal
/// cleanup it relies on are Unix's.
#[cfg(not(unix))]
fn edit_in_editor(_args: &FileArgs) -> CmdResult {
    Err(Failure::Usage("config edit needs a Unix system".into()))
}

/// `hx config edit`.
#[cfg(unix)]
fn edit_in_editor(args: &FileArgs) -> CmdResult {
    use std::io::Write as _;
    let opener = args.open.require()?;
    let file = rewritable(&args.file)?;
    let mut config = Config::open(file, &opener).map_err(|e| failure(file, e))?;
    let before: BTreeMap<String, Zeroizing<String>> = config
        .values()
        .map_err(|e| failure(file, e))?
        .into_iter()
        .map(|(k, v)| (k, Zeroizing::new(v.expose_secret().to_owned())))
        .collect();
    let cleanup = crate::io::signals::Cleanup::arm();
    let dir = private_dir(&cleanup)?;
    let plain = dir.path().join("config.toml");
    {
        let values: Vec<(String, secrecy::SecretString)> = before
            .iter()
            .map(|(k, v)| (k.clone(), secrecy::SecretString::from(v.as_str())))
            .collect();
        let in_clear: Vec<&str> = config.keys().filter(|k| config.is_plain(k)).collect();
        let text = editable_text(file, &values, &in_clear);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&plain)
            .map_err(|e| crate::io::path_failure(&plain, &e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| crate::io::path_failure(&plain, &e))?;
    }
    let after = loop {
        run_editor(&plain)?;
        let text = Zeroizing::new(
            std::fs::read_to_string(&plain).map_err(|e| crate::io::path_failure(&plain, &e))?,
        );
        match parse_edited(&text) {
            Ok(values) => break values,
            Err(why) => {
                eprint!("hx: {why}: [r]e-open the editor, or [a]bort with nothing changed? ");
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                let read = std::io::stdin().read_line(&mut answer).unwrap_or(0);
                if read == 0 || !answer.trim().eq_ignore_ascii_case("r") {
                    return Err(Failure::Usage(format!(
                        "{}: edit aborted ({why}); nothing changed",
                        file.display()
                    )));
                }
            }
        }
    };
    // the plaintext goes now; a failure to remove it is reported
    let dir_path = dir.path().to_owned();
    dir.close().map_err(|e| {
        Failure::Usage(format!(
            "{}: could not remove the plaintext: {e}; remove it by hand",
            dir_path.display()
        ))
    })?;
    drop(cleanup);
    let mut changed = 0usize;
    let mut changed_in_clear = Vec::new();
    // removals first, so that `db` can become `db.url`
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        config.remove(path).map_err(|e| failure(file, e))?;
        changed += 1;
    }
    for (path, value) in &after {
        if before.get(path).map(|v| v.as_str()) != Some(value.as_str()) {
            // a value kept in clear stays in clear
            if config.is_plain(path) {
                changed_in_clear.push(path.as_str());
                config.set_plain(path, value)
            } else {
                config.set(path, value)
            }
            .map_err(|e| failure(file, e))?;
            changed += 1;
        }
    }
    if changed == 0 {
        eprintln!("hx: {}: no changes", file.display());
        return Ok(());
    }
    config.save().map_err(|e| failure(file, e))?;
    eprintln!(
        "hx: {}: {changed} value{} changed, the others kept as they were",
        file.display(),
        if changed == 1 { "" } else { "s" }
    );
    if !changed_in_clear.is_empty() {
        eprintln!(
            "hx: {}: kept in clear (set --plain): {}",
            file.display(),
            changed_in_clear.join(", ")
        );
    }
    Ok(())
}

/// A recipient as `config init --recipient` and `config recipients` take
/// it.
enum Recipient {
    /// An X25519, X-Wing or RSA public key (PEM/DER file).
    Key(hx::kex::PublicKey),
    /// An age recipient or OpenSSH public key, wrapped for as an age file.
    Age(String),
}

/// `age1…` and `ssh-…` given as text, or a file holding one (the first line
/// that is not blank or a `#` comment: an age recipients file, an
/// `id_ed25519.pub`), or a PEM/DER public key file.
fn read_recipient(arg: &Path) -> Result<Recipient, Failure> {
    let is_age = |t: &str| t.starts_with("age1") || t.starts_with("ssh-");
    if let Some(text) = arg.to_str()
        && is_age(text)
    {
        return Ok(Recipient::Age(text.to_owned()));
    }
    let bytes = crate::io::read_public_file(arg)?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
        && is_age(line)
    {
        return Ok(Recipient::Age(line.to_owned()));
    }
    read_public_key(arg).map(Recipient::Key)
}
