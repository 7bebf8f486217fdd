//! "Tokens, keys, passwords": `hx token`, `apikey`, `password`, `passphrase`, `csrf`.

use std::path::PathBuf;

use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use hx::random::{
    ApiKey, ApiKeyHash, CsrfKey, DEFAULT_PASSWORD_LEN, DEFAULT_TOKEN_BYTES, DEFAULT_WORDS,
    Passphrase, PasswordPolicy, Pepper, token_bytes,
};
use zeroize::Zeroizing;

use crate::failure::{CmdResult, Failure};
use crate::io::{print_line, read_secret_file, read_stdin_secret};

/// Text encodings for `hx token`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Encoding {
    /// URL-safe base64 without padding (Python's `secrets.token_urlsafe`).
    Urlsafe,
    /// Lowercase hexadecimal.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

#[derive(Args)]
pub struct TokenArgs {
    /// Number of random bytes (1 to 65536).
    #[arg(long, default_value_t = DEFAULT_TOKEN_BYTES)]
    bytes: usize,
    /// Text encoding.
    #[arg(long, value_enum, default_value_t = Encoding::Urlsafe)]
    encoding: Encoding,
}

pub fn token(args: &TokenArgs) -> CmdResult {
    let raw = token_bytes(args.bytes)?;
    let text = Zeroizing::new(match args.encoding {
        Encoding::Urlsafe => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&*raw),
        Encoding::Hex => hex::encode(&*raw),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(&*raw),
    });
    print_line(&text)
}

#[derive(Subcommand)]
pub enum ApikeyCommand {
    /// Print a new API key `P_<random><checksum>`.
    New {
        /// Prefix: lowercase letters, digits and '_', starting with a letter.
        #[arg(long)]
        prefix: String,
    },
    /// Read a key on stdin; exit 0 if its format and checksum are valid, 1 otherwise.
    Check,
    /// Read a key on stdin and print the value to store (HMAC-SHA256 under the pepper).
    Hash {
        /// File holding the server-side pepper (at least 16 bytes).
        #[arg(short = 'k', long)]
        pepper_file: PathBuf,
    },
    /// Read a key on stdin; exit 0 if it matches the stored hash.
    Verify {
        /// File holding the server-side pepper.
        #[arg(short = 'k', long)]
        pepper_file: PathBuf,
        /// The stored value (`hmac-sha256:<hex>`), as printed by `hx apikey hash`.
        #[arg(long)]
        hash: String,
    },
}

fn invalid_api_key() -> Failure {
    Failure::Rejected("invalid API key".into())
}

fn read_api_key() -> Result<ApiKey, Failure> {
    let text = read_stdin_secret()?.ok_or_else(invalid_api_key)?;
    ApiKey::parse(&text).map_err(|_| invalid_api_key())
}

fn read_pepper(path: &std::path::Path) -> Result<Pepper, Failure> {
    let bytes = read_secret_file(path)?;
    Pepper::from_bytes(&bytes).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

pub fn apikey(command: ApikeyCommand) -> CmdResult {
    match command {
        ApikeyCommand::New { prefix } => {
            let key = ApiKey::generate(&prefix)?;
            print_line(key.expose_secret())
        }
        ApikeyCommand::Check => read_api_key().map(drop),
        ApikeyCommand::Hash { pepper_file } => {
            let pepper = read_pepper(&pepper_file)?;
            let key = read_api_key()?;
            print_line(&key.hash(&pepper).to_string())
        }
        ApikeyCommand::Verify { pepper_file, hash } => {
            let pepper = read_pepper(&pepper_file)?;
            let stored: ApiKeyHash = hash.parse()?;
            let key = read_api_key()?;
            key.verify(&pepper, &stored).map_err(|_| invalid_api_key())
        }
    }
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PasswordArgs {
    /// Hash or verify a password instead of generating one.
    #[command(subcommand)]
    action: Option<crate::cmd::password::PasswordCommand>,
    /// Length in characters.
    #[arg(long, default_value_t = DEFAULT_PASSWORD_LEN)]
    length: usize,
    /// No symbols (letters and digits only).
    #[arg(long, conflicts_with = "symbols")]
    no_symbols: bool,
    /// The symbol set to draw from (default: !#$%&()*+,-./:;<=>?@[]^_{|}~).
    #[arg(long)]
    symbols: Option<String>,
    /// Leave out look-alike characters (I l 1 O 0 o |).
    #[arg(long)]
    no_ambiguous: bool,
    /// Also print the password's entropy in bits to stderr.
    #[arg(long)]
    show_entropy: bool,
}

pub fn password(args: PasswordArgs) -> CmdResult {
    if let Some(action) = args.action {
        return crate::cmd::password::password(action);
    }
    let mut policy = PasswordPolicy::new(args.length).exclude_ambiguous(args.no_ambiguous);
    if args.no_symbols {
        policy = policy.without_symbols();
    } else if let Some(set) = &args.symbols {
        policy = policy.symbols(set);
    }
    let password = policy.generate()?;
    if args.show_entropy {
        eprintln!("entropy: {:.1} bits", password.entropy_bits());
    }
    print_line(password.expose_secret())
}

#[derive(Args)]
pub struct PassphraseArgs {
    /// Number of words (at least 5, for 64 bits).
    #[arg(long, default_value_t = DEFAULT_WORDS)]
    words: usize,
    /// Separator between words.
    #[arg(long, default_value = "-")]
    separator: String,
    /// Also print the passphrase's entropy in bits to stderr.
    #[arg(long)]
    show_entropy: bool,
}

pub fn passphrase(args: &PassphraseArgs) -> CmdResult {
    let p = Passphrase::generate(args.words, &args.separator)?;
    if args.show_entropy {
        eprintln!("entropy: {:.1} bits", p.entropy_bits());
    }
    print_line(p.expose_secret())
}

#[derive(Subcommand)]
pub enum CsrfCommand {
    /// Print a new CSRF token bound to the session.
    New {
        /// File holding the server's CSRF secret (at least 32 bytes).
        #[arg(short = 'k', long)]
        secret_file: PathBuf,
        /// The session identifier the token is bound to.
        #[arg(long)]
        session: String,
    },
    /// Read a token on stdin; exit 0 if it is valid for the session.
    Verify {
        /// File holding the server's CSRF secret.
        #[arg(short = 'k', long)]
        secret_file: PathBuf,
        /// The session identifier the token must be bound to.
        #[arg(long)]
        session: String,
    },
}

pub fn csrf(command: CsrfCommand) -> CmdResult {
    let (secret_file, session) = match &command {
        CsrfCommand::New {
            secret_file,
            session,
        }
        | CsrfCommand::Verify {
            secret_file,
            session,
        } => (secret_file, session),
    };
    let secret = read_secret_file(secret_file)?;
    let key = CsrfKey::from_bytes(&secret)
        .map_err(|e| Failure::Usage(format!("{}: {e}", secret_file.display())))?;
    match command {
        CsrfCommand::New { .. } => print_line(&key.issue(session)?),
        CsrfCommand::Verify { .. } => {
            let invalid = || Failure::Rejected("invalid CSRF token".into());
            let token = read_stdin_secret()?.ok_or_else(invalid)?;
            key.verify(session, &token).map_err(|_| invalid())
        }
    }
}
