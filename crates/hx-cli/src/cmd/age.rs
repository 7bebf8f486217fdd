//! `hx age` and `hx age keygen`: the age file format with the flags of the
//! `age` and `age-keygen` commands (docs/CLI.md), except that an existing
//! output is never replaced without `--force`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hx::age::{self as age, Decryptor, Encryptor, Identity, Recipient};
use zeroize::Zeroizing;

use crate::cmd::ForceArg;
use crate::failure::{CmdResult, Failure};
use crate::io::{Access, Input, Output, display, read_secret_file};

/// `hx age`: encrypt (the default), `-d` decrypt, or `keygen`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AgeArgs {
    #[command(subcommand)]
    command: Option<AgeCommand>,
    /// Encrypt (the default).
    #[arg(short, long, conflicts_with = "decrypt")]
    encrypt: bool,
    /// Decrypt.
    #[arg(short, long)]
    decrypt: bool,
    /// Encrypt to this recipient: age1…, age1pq1…, ssh-ed25519 …, ssh-rsa …
    /// (repeatable).
    #[arg(short, long = "recipient", value_name = "RECIPIENT")]
    recipients: Vec<String>,
    /// Encrypt to the recipients listed in this file, one per line (`#`
    /// comments and blank lines ignored; repeatable).
    #[arg(short = 'R', long = "recipients-file", value_name = "PATH")]
    recipients_files: Vec<PathBuf>,
    /// Decrypt with this identity file: age identities or an OpenSSH
    /// private key (repeatable).
    #[arg(short, long = "identity", value_name = "PATH")]
    identities: Vec<PathBuf>,
    /// Encrypt to a passphrase (read from --passphrase-file, or asked on
    /// the terminal without echo, twice).
    #[arg(short, long)]
    passphrase: bool,
    /// Read the passphrase from this file (0600; one trailing newline is not
    /// part of it).
    #[arg(long, value_name = "PATH")]
    passphrase_file: Option<PathBuf>,
    /// The largest scrypt work factor (as a power of two) a passphrase file
    /// may ask for when decrypting.
    #[arg(long, value_name = "LOG2", default_value_t = age::scrypt::DEFAULT_MAX_LOG_N)]
    max_work_factor: u8,
    /// Write the ASCII armor (PEM) instead of binary.
    #[arg(short, long)]
    armor: bool,
    #[command(flatten)]
    out: OutArgs,
    /// Read from this file (default: standard input).
    #[arg(value_name = "INPUT", default_value = "-")]
    input: PathBuf,
}

/// The subcommands of `hx age`.
#[derive(clap::Subcommand)]
pub enum AgeCommand {
    /// Generate an identity (file 0600) as age-keygen writes it, or print
    /// the recipients of identities (-y).
    Keygen(KeygenArgs),
}

/// `hx age keygen`.
#[derive(clap::Args)]
pub struct KeygenArgs {
    /// A post-quantum identity (ML-KEM-768 + X25519: AGE-SECRET-KEY-PQ-1…).
    #[arg(long, conflicts_with = "convert")]
    pq: bool,
    /// Print the recipient of each identity in this file instead.
    #[arg(short = 'y', value_name = "IDENTITY_FILE")]
    convert: Option<PathBuf>,
    #[command(flatten)]
    out: OutArgs,
}

/// The output of `hx age` and `hx age keygen`: `-o/--out` as every hx
/// command has it, `--output` as age and age-keygen spell it, `--force`.
#[derive(clap::Args)]
pub struct OutArgs {
    /// Write to this file (default: standard output); decrypted files and
    /// identities are created 0600.
    #[arg(
        short,
        long = "out",
        visible_alias = "output",
        value_name = "OUT",
        default_value = "-"
    )]
    output: PathBuf,
    #[command(flatten)]
    force: ForceArg,
}

/// Largest recipients file read.
const MAX_RECIPIENTS_FILE: usize = 1 << 20;

pub fn age(args: &AgeArgs) -> CmdResult {
    match &args.command {
        Some(AgeCommand::Keygen(keygen_args)) => keygen(keygen_args),
        None if args.decrypt => decrypt(args),
        None => encrypt(args),
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

/// A library error as a command failure: a file that does not open is
/// exit 1 (rejected), a key or flag problem exit 2.
fn failure(e: age::Error, input: &Path, output: &Output) -> Failure {
    let name = display(input);
    let written = if output.is_stdout() {
        "output already written to standard output must be discarded"
    } else {
        "no output written"
    };
    match e {
        age::Error::Io(e) => crate::io::io_failure(&e),
        age::Error::Key(_) | age::Error::IncompatibleRecipients(_) | age::Error::Kex(_) => {
            usage(e.to_string())
        }
        age::Error::Payload => Failure::Rejected(format!("{name}: {e}; {written}")),
        e => Failure::Rejected(format!("{name}: {e}")),
    }
}

fn encrypt(args: &AgeArgs) -> CmdResult {
    if !args.identities.is_empty() {
        return Err(usage("-i is for decrypting (-d)"));
    }
    let passphrase = args.passphrase || args.passphrase_file.is_some();
    let mut recipients: Vec<Box<dyn Recipient + Send + Sync>> = Vec::new();
    for text in &args.recipients {
        recipients.push(age::parse_recipient(text).map_err(|e| usage(format!("-r: {e}")))?);
    }
    for path in &args.recipients_files {
        let text = crate::io::read_bounded(path, MAX_RECIPIENTS_FILE, "recipients file")?;
        let text = std::str::from_utf8(&text)
            .map_err(|_| usage(format!("{}: not UTF-8 text", display(path))))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            recipients.push(
                age::parse_recipient(line)
                    .map_err(|e| usage(format!("{} line {}: {e}", display(path), n + 1)))?,
            );
        }
    }
    let encryptor = match (passphrase, recipients.is_empty()) {
        (true, true) => Encryptor::with_passphrase(read_passphrase(args, true)?),
        (true, false) => {
            return Err(usage("a passphrase cannot be combined with recipients"));
        }
        (false, true) => {
            return Err(usage(
                "no recipient: give -r RECIPIENT, -R FILE or -p (see hx age --help)",
            ));
        }
        (false, false) => {
            Encryptor::with_recipients(recipients).map_err(|e| usage(e.to_string()))?
        }
    };
    let input = Input::open(&args.input)?;
    let mut output = Output::create(&args.out.output, Access::Public, args.out.force.replace())?;
    let mut reader = crate::progress::Reader::over(input);
    let result = if args.armor {
        encryptor.encrypt_armored(&mut reader, &mut output)
    } else {
        encryptor.encrypt(&mut reader, &mut output)
    };
    drop(reader);
    match result {
        Ok(_) => output.commit(),
        Err(e) => Err(failure(e, &args.input, &output)),
    }
}

/// The identities of one `-i` file (read with the secret-file checks).
fn read_identities(path: &Path) -> Result<Vec<Box<dyn Identity + Send + Sync>>, Failure> {
    let bytes = read_secret_file(path)?;
    age::read_identities(&bytes).map_err(|e| usage(format!("{}: {e}", display(path))))
}

fn decrypt(args: &AgeArgs) -> CmdResult {
    if !args.recipients.is_empty() || !args.recipients_files.is_empty() || args.armor {
        return Err(usage("-r, -R and -a are for encrypting"));
    }
    let mut identities: Vec<Box<dyn Identity>> = Vec::new();
    for path in &args.identities {
        for identity in read_identities(path)? {
            identities.push(identity);
        }
    }
    let input = Input::open(&args.input)?;
    let reader = crate::progress::Reader::over(input);
    let decryptor = Decryptor::new(reader).map_err(|e| match e {
        age::Error::Io(e) => crate::io::io_failure(&e),
        e => Failure::Rejected(format!("{}: {e}", display(&args.input))),
    })?;
    if decryptor.is_passphrase() {
        if !identities.is_empty() {
            return Err(Failure::Rejected(format!(
                "{}: encrypted to a passphrase, not to an identity (use -p or --passphrase-file)",
                display(&args.input)
            )));
        }
        identities.push(Box::new(
            age::scrypt::Identity::new(read_passphrase(args, false)?)
                .with_max_log_n(args.max_work_factor),
        ));
    } else if identities.is_empty() {
        return Err(usage("no identity: give -i IDENTITY_FILE"));
    }
    let refs: Vec<&dyn Identity> = identities.iter().map(AsRef::as_ref).collect();
    // The output is created only once the file opened: nothing is left for
    // a file that no identity opens.
    let mut output = Output::create(&args.out.output, Access::Secret, args.out.force.replace())?;
    match decryptor.decrypt_to(&refs, &mut output) {
        Ok(_) => output.commit(),
        Err(e) => Err(failure(e, &args.input, &output)),
    }
}

/// The passphrase: from `--passphrase-file`, or asked on the terminal
/// without echo (twice when encrypting). Never from an argument.
fn read_passphrase(args: &AgeArgs, confirm: bool) -> Result<age::scrypt::Passphrase, Failure> {
    let text = if let Some(path) = &args.passphrase_file {
        read_secret_file(path)?
    } else {
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Err(usage(
                "no terminal to ask the passphrase on: use --passphrase-file",
            ));
        }
        let passphrase = crate::io::ask_secret(
            "Passphrase: ",
            confirm.then_some("Confirm passphrase: "),
            "passphrase",
            "the passphrases do not match",
        )?;
        Zeroizing::new(passphrase.as_bytes().to_vec())
    };
    if text.is_empty() {
        return Err(usage("an empty passphrase is not allowed"));
    }
    Ok(age::scrypt::Passphrase::new(text.to_vec()))
}

fn keygen(args: &KeygenArgs) -> CmdResult {
    if let Some(path) = &args.convert {
        return convert(path);
    }
    let (identity, recipient) = if args.pq {
        let key = age::pq::Identity::generate().map_err(|e| usage(e.to_string()))?;
        (key.to_age().to_encoded(), key.to_recipient().to_string())
    } else {
        let key = age::x25519::Identity::generate().map_err(|e| usage(e.to_string()))?;
        (key.to_age().to_encoded(), key.to_recipient().to_string())
    };
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    let text = Zeroizing::new(format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        *identity
    ));
    let mut output = Output::create(&args.out.output, Access::Secret, args.out.force.replace())?;
    output
        .write_all(text.as_bytes())
        .map_err(|e| output.failure(&e))?;
    let to_file = !output.is_stdout();
    output.commit()?;
    if to_file {
        eprintln!("Public key: {recipient}");
    }
    Ok(())
}

/// `-y`: the recipient of each identity in the file.
fn convert(path: &Path) -> CmdResult {
    let bytes = read_secret_file(path)?;
    let bad = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", display(path)));
    let mut lines = String::new();
    for identity in hx::keys::age::read_identity_file(&bytes).map_err(|e| bad(&e))? {
        lines.push_str(&age::recipient_of(&identity).map_err(|e| bad(&e))?);
        lines.push('\n');
    }
    crate::io::write_stdout(lines.as_bytes())
}
