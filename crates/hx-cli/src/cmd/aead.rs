//! "Authenticated encryption": `hx key`, `seal`, `unseal`, `rotate-token`, `fernet`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hx::aead::{FernetKey, Keyring, MAX_TOKEN_PLAINTEXT, MasterKey, MultiFernet};

use crate::failure::{CmdResult, Failure};
use crate::io::{
    Access, Input, Output, print_line, read_secret_file, read_stdin_all, write_output,
    write_secret_file_atomic, write_stdout,
};

impl From<hx::aead::Error> for Failure {
    fn from(e: hx::aead::Error) -> Self {
        match e {
            hx::aead::Error::InvalidToken => Self::Rejected("invalid token".into()),
            other => Self::Usage(other.to_string()),
        }
    }
}

/// Where the master key of a sealed keyring comes from.
#[derive(Args, Clone)]
pub struct MasterKeyArg {
    /// File holding the master key that seals the keyring at rest (a keyring
    /// created with it is stored sealed). Also `HX_MASTER_KEY_FILE`.
    #[arg(long, env = "HX_MASTER_KEY_FILE")]
    master_key_file: Option<PathBuf>,
}

impl MasterKeyArg {
    pub(crate) fn load(&self) -> Result<Option<MasterKey>, Failure> {
        let Some(path) = &self.master_key_file else {
            return Ok(None);
        };
        let bytes = read_secret_file(path)?;
        let expected = "a master key file holds 32 random bytes as one line of base64url \
                        (make one with `hx token > FILE`, mode 0600)";
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Failure::Usage(format!("{}: not a master key: {expected}", path.display()))
        })?;
        MasterKey::from_base64(text)
            .map(Some)
            .map_err(|e| Failure::Usage(format!("{}: {e}; {expected}", path.display())))
    }
}

/// Loads a keyring; the master key is returned only when the keyring was
/// sealed, so a rewrite keeps the form it was found in.
pub(crate) fn load_keyring(
    path: &Path,
    master: &MasterKeyArg,
) -> Result<(Keyring, Option<MasterKey>), Failure> {
    let bytes = crate::io::read_secret_document(path, crate::io::MAX_KEYRING_LEN)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::Usage(format!("{}: not a keyring document", path.display())))?;
    if !Keyring::is_sealed_document(text) {
        let ring = Keyring::from_document(text)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        return Ok((ring, None));
    }
    let master = master.load()?;
    let ring = {
        let key = master.as_ref().ok_or_else(|| {
            Failure::Usage(format!(
                "{}: the keyring is sealed; give --master-key-file",
                path.display()
            ))
        })?;
        Keyring::from_sealed_document(text, key).map_err(|e| match e {
            hx::aead::Error::InvalidToken => Failure::Usage(format!(
                "{}: the master key does not open this keyring",
                path.display()
            )),
            other => Failure::Usage(format!("{}: {other}", path.display())),
        })?
    };
    Ok((ring, master))
}

/// The keyring file and, for a sealed one, its master key.
#[derive(Args)]
pub struct KeyringArg {
    /// The keyring file (also `HX_KEYRING`).
    #[arg(short, long, env = "HX_KEYRING")]
    keyring: PathBuf,
    #[command(flatten)]
    master: MasterKeyArg,
}

impl KeyringArg {
    fn load(&self) -> Result<Keyring, Failure> {
        load_keyring(&self.keyring, &self.master).map(|(ring, _)| ring)
    }

    /// Loads the keyring, applies `change`, and writes it back atomically in
    /// the form it was found in.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut Keyring) -> hx::aead::Result<T>,
    ) -> Result<T, Failure> {
        if crate::io::is_stdio(&self.keyring) {
            return Err(Failure::Usage(
                "a keyring read from standard input cannot be rewritten; name its file".into(),
            ));
        }
        // One writer at a time: the directory's lock (as hx config takes)
        // is held from reading the keyring to replacing it, so concurrent
        // `hx key` commands do not lose each other's keys.
        let dir = crate::io::parent_dir(&self.keyring);
        let lock = std::fs::File::open(dir)
            .and_then(|d| d.lock().map(|()| d))
            .map_err(|e| Failure::Usage(format!("{}: cannot lock: {e}", dir.display())))?;
        let (mut ring, master) = load_keyring(&self.keyring, &self.master)?;
        let result = change(&mut ring)?;
        save_keyring(&self.keyring, &ring, master.as_ref())?;
        drop(lock);
        Ok(result)
    }
}

fn save_keyring(path: &Path, ring: &Keyring, master: Option<&MasterKey>) -> CmdResult {
    match master {
        Some(m) => write_secret_file_atomic(path, ring.to_sealed_document(m)?.as_bytes()),
        None => write_secret_file_atomic(path, ring.to_document().as_bytes()),
    }
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create a keyring with one primary key (file mode 0600).
    New {
        /// Where to write it (mode 0600).
        #[arg(short, long)]
        out: PathBuf,
        #[command(flatten)]
        master: MasterKeyArg,
        #[command(flatten)]
        force: crate::cmd::ForceArg,
    },
    /// Add a new key that opens tokens but does not seal yet (deploy the
    /// keyring everywhere, then `promote` it). Prints its id.
    Add {
        #[command(flatten)]
        ring: KeyringArg,
        /// Add the Fernet key in this file (a line as `hx fernet key`
        /// prints) as a decrypt-only legacy key instead: `hx unseal` then
        /// opens Fernet tokens under it and `hx rotate-token` migrates them.
        #[arg(long, value_name = "FILE")]
        fernet_key_file: Option<PathBuf>,
    },
    /// Make a key the primary (the one that seals); the old primary keeps opening.
    Promote {
        #[command(flatten)]
        ring: KeyringArg,
        /// The key id (see `hx key list`).
        #[arg(long)]
        id: u32,
    },
    /// Add a new primary key; older keys keep decrypting.
    Rotate {
        #[command(flatten)]
        ring: KeyringArg,
    },
    /// Retire a key: tokens under it stop opening.
    Retire {
        #[command(flatten)]
        ring: KeyringArg,
        /// The key id (see `hx key list`).
        #[arg(long)]
        id: u32,
    },
    /// List key ids, states, kinds and creation dates (never key bytes).
    List {
        #[command(flatten)]
        ring: KeyringArg,
    },
}

pub fn key(command: KeyCommand) -> CmdResult {
    match command {
        KeyCommand::New { out, master, force } => {
            crate::io::output::refuse_existing(&out, force.replace())?;
            let ring = Keyring::generate()?;
            let document = match master.load()? {
                Some(m) => zeroize::Zeroizing::new(ring.to_sealed_document(&m)?),
                None => ring.to_document(),
            };
            write_output(&out, document.as_bytes(), Access::Secret, force.replace())?;
            if !crate::io::is_stdio(&out) {
                print_line(&ring.primary_id().to_string())?;
            }
            Ok(())
        }
        KeyCommand::Add {
            ring,
            fernet_key_file: None,
        } => print_line(&ring.update(Keyring::add)?.to_string()),
        KeyCommand::Add {
            ring,
            fernet_key_file: Some(path),
        } => {
            let bytes = read_secret_file(&path)?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| Failure::Usage(format!("{}: not a Fernet key", path.display())))?;
            let key = FernetKey::from_base64(text.trim())
                .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            print_line(&ring.update(|r| r.add_fernet_legacy(key))?.to_string())
        }
        KeyCommand::Promote { ring, id } => ring.update(|r| r.promote(id)),
        KeyCommand::Rotate { ring } => {
            print_line(&ring.update(Keyring::rotate_primary)?.to_string())
        }
        KeyCommand::Retire { ring, id } => ring.update(|r| r.retire(id)),
        KeyCommand::List { ring } => {
            for k in ring.load()?.list() {
                let kind = match k.kind {
                    hx::aead::KeyKind::FernetLegacy => "fernet",
                    _ => "xchacha20poly1305",
                };
                print_line(&format!(
                    "{:<10}  {:<8}  {:<18}  {}",
                    k.id,
                    k.state.name(),
                    kind,
                    utc_date(k.created)
                ))?;
            }
            Ok(())
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (civil-from-days, proleptic Gregorian).
fn utc_date(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[derive(Args)]
pub struct SealArgs {
    #[command(flatten)]
    ring: KeyringArg,
    /// Context bound to the token as associated data (must match to open).
    #[arg(long, default_value = "")]
    context: String,
}

pub fn seal(args: &SealArgs) -> CmdResult {
    let ring = args.ring.load()?;
    let plaintext = read_stdin_all(MAX_TOKEN_PLAINTEXT)?;
    print_line(&ring.seal(&plaintext, args.context.as_bytes())?)
}

#[derive(Args)]
pub struct UnsealArgs {
    #[command(flatten)]
    ring: KeyringArg,
    /// The context the token was sealed with.
    #[arg(long, default_value = "")]
    context: String,
    /// Refuse tokens older than this many seconds.
    #[arg(long)]
    ttl: Option<u64>,
}

/// The longest token text accepted on stdin: the base64 of the largest
/// token, with room for its header and a line ending.
const MAX_TOKEN_TEXT: usize = MAX_TOKEN_PLAINTEXT / 3 * 4 + 4096;

fn read_token() -> Result<zeroize::Zeroizing<String>, Failure> {
    crate::io::read_stdin_text(MAX_TOKEN_TEXT)?
        .ok_or_else(|| Failure::Rejected("invalid token".into()))
}

/// Whether a token is a Fernet token rather than an hx one (hx tokens
/// start with `hx1.`; Fernet tokens are base64url of a 0x80 version byte).
fn is_fernet(token: &str) -> bool {
    !token.starts_with(hx::aead::TOKEN_PREFIX) && token.starts_with("gAAAAA")
}

pub fn unseal(args: &UnsealArgs) -> CmdResult {
    let ring = args.ring.load()?;
    let token = read_token()?;
    let plaintext = if is_fernet(&token) {
        // A Fernet token under a legacy key of the keyring. It carries no
        // context, so none may be asked for.
        if !args.context.is_empty() {
            return Err(Failure::Usage(
                "a Fernet token carries no context: open it without --context, or migrate it with `hx rotate-token --context`".into(),
            ));
        }
        ring.open_fernet(&token, args.ttl)?
    } else {
        ring.open(&token, args.context.as_bytes(), args.ttl)?
    };
    // seal never makes more; a longer plaintext is not a token of ours.
    if plaintext.len() > MAX_TOKEN_PLAINTEXT {
        return Err(hx::aead::Error::InvalidToken.into());
    }
    write_stdout(&plaintext)
}

/// Re-seals under the primary key, keeping the timestamp; a Fernet token
/// under a legacy key of the keyring becomes an hx token sealed with
/// `--context` (the caller vouches for it: Fernet tokens carry none).
pub fn rotate_token(args: &SealArgs) -> CmdResult {
    let ring = args.ring.load()?;
    let token = read_token()?;
    let rotated = if is_fernet(&token) {
        ring.rotate_fernet(&token, args.context.as_bytes())?
    } else {
        ring.rotate(&token, args.context.as_bytes())?
    };
    print_line(&rotated)
}

#[derive(Subcommand)]
pub enum FernetCommand {
    /// Print a new Fernet key, or write it to a file (mode 0600).
    Key {
        /// Write the key here instead of standard output.
        #[arg(short, long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        force: crate::cmd::ForceArg,
    },
    /// Encrypt stdin with the first key of F.
    Encrypt {
        /// File with one or more Fernet keys, one per line; the first encrypts.
        #[arg(short, long)]
        key_file: PathBuf,
    },
    /// Decrypt a token on stdin with any key of F.
    Decrypt {
        /// File with one or more Fernet keys, one per line.
        #[arg(short, long)]
        key_file: PathBuf,
        /// Refuse tokens older than this many seconds.
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Re-encrypt a token on stdin under the first key, keeping its timestamp.
    Rotate {
        /// File with one or more Fernet keys, one per line; the first encrypts.
        #[arg(short, long)]
        key_file: PathBuf,
    },
}

fn load_fernet_keys(path: &Path) -> Result<MultiFernet, Failure> {
    let bytes = read_secret_file(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::Usage(format!("{}: not a Fernet key file", path.display())))?;
    let keys = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            FernetKey::from_base64(l)
                .map_err(|e| Failure::Usage(format!("{}, line {}: {e}", path.display(), n + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    MultiFernet::new(&keys).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

pub fn fernet(command: FernetCommand) -> CmdResult {
    match command {
        FernetCommand::Key { out: None, .. } => print_line(&FernetKey::generate()?.to_base64()),
        FernetCommand::Key {
            out: Some(out),
            force,
        } => {
            let line =
                zeroize::Zeroizing::new(format!("{}\n", *FernetKey::generate()?.to_base64()));
            write_output(&out, line.as_bytes(), Access::Secret, force.replace())
        }
        FernetCommand::Encrypt { key_file } => {
            let keys = load_fernet_keys(&key_file)?;
            let data = read_stdin_all(MAX_TOKEN_PLAINTEXT)?;
            print_line(&keys.encrypt(&data)?)
        }
        FernetCommand::Decrypt { key_file, ttl } => {
            let keys = load_fernet_keys(&key_file)?;
            let token = read_token()?;
            write_stdout(&keys.decrypt(&token, ttl)?)
        }
        FernetCommand::Rotate { key_file } => {
            let keys = load_fernet_keys(&key_file)?;
            let token = read_token()?;
            print_line(&keys.rotate(&token)?)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc_date(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(super::utc_date(951_782_400), "2000-02-29T00:00:00Z");
    }
}

#[derive(Args)]
pub struct FileArgs {
    #[command(flatten)]
    ring: KeyringArg,
    /// Input file (`-`: standard input).
    input: PathBuf,
    /// Output file (`-`: standard output), named only once the whole
    /// stream has succeeded, so a failure or an interruption leaves none.
    output: PathBuf,
    #[command(flatten)]
    force: crate::cmd::ForceArg,
}

pub fn encrypt_file(args: &FileArgs) -> CmdResult {
    let ring = args.ring.load()?;
    transform_file(args, Access::Public, |reader, writer| {
        hx::aead::stream::encrypt(&ring, reader, writer)
    })
}

pub fn decrypt_file(args: &FileArgs) -> CmdResult {
    let ring = args.ring.load()?;
    transform_file(args, Access::Secret, |reader, writer| {
        hx::aead::stream::decrypt(&ring, reader, writer)
    })
}

/// Streams `input` through `op` into the output. A file output is named
/// only on success; standard output receives each chunk once its tag has
/// been checked, and a stream found damaged or cut short later ends the
/// command with status 1.
fn transform_file(
    args: &FileArgs,
    access: Access,
    op: impl FnOnce(&mut dyn std::io::Read, &mut dyn std::io::Write) -> hx::aead::Result<u64>,
) -> CmdResult {
    let input = Input::open(&args.input)?;
    let mut output = Output::create(&args.output, access, args.force.replace())?;
    // The stream functions read and write whole 64 KiB chunks themselves: no
    // extra buffering (and copying) layer.
    let mut reader = crate::progress::Reader::over(input);
    let result = op(&mut reader, &mut output);
    drop(reader);
    match result {
        Ok(_) => output.commit(),
        Err(hx::aead::Error::Io(e)) => Err(crate::io::io_failure(&e)),
        Err(hx::aead::Error::InvalidToken) => Err(Failure::Rejected(format!(
            "{}: not authentic under this keyring (damaged, truncated or another key); {}",
            crate::io::display(&args.input),
            if output.is_stdout() {
                "output already written to standard output must be discarded"
            } else {
                "no output written"
            }
        ))),
        Err(e) => Err(e.into()),
    }
}
