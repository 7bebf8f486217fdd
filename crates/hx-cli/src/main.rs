//! `hx`: the command-line face of the hx crates. Argument parsing and I/O
//! only; every cryptographic decision is made in the libraries.
//!
//! Exit status: 0 success, 1 the check failed or the input was rejected,
//! 2 usage or I/O error.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;
mod examples;
mod failure;
mod io;
mod progress;

/// hx: security building blocks for services that handle secrets.
///
/// Secrets are never taken from the command line: keys, peppers and keys to
/// check are read from files or standard input. Secret files may end with one
/// newline, which is not part of the secret.
#[derive(Parser)]
#[command(name = "hx", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    /// No progress bars (they are drawn only on a terminal anyway); with
    /// `digest --check`, no line for files that verify.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a random token (url-safe base64 without padding by default).
    Token(cmd::random::TokenArgs),
    /// Create, check, hash and verify API keys.
    #[command(subcommand)]
    Apikey(cmd::random::ApikeyCommand),
    /// Print a random password with at least one of each enabled class;
    /// `hx password hash|verify` to hash and check passwords.
    Password(cmd::random::PasswordArgs),
    /// Print a passphrase from the EFF large word list.
    Passphrase(cmd::random::PassphraseArgs),
    /// Issue and verify CSRF tokens (signed double submit).
    #[command(subcommand)]
    Csrf(cmd::random::CsrfCommand),
    /// Print or check file digests, like sha256sum.
    Digest(cmd::digest::DigestArgs),
    /// Print the HMAC of a file or standard input.
    Hmac(cmd::digest::HmacArgs),
    /// Manage a keyring: new, rotate, retire, list.
    #[command(subcommand)]
    Key(cmd::aead::KeyCommand),
    /// Seal stdin into a token under the keyring's primary key.
    Seal(cmd::aead::SealArgs),
    /// Open a token on stdin; exit 1 on any invalid token.
    Unseal(cmd::aead::UnsealArgs),
    /// Re-seal a token on stdin under the primary key, keeping its timestamp.
    RotateToken(cmd::aead::SealArgs),
    /// Encrypt a file of any size, streamed (no output is left on failure).
    Encrypt(cmd::aead::FileArgs),
    /// Decrypt a file made by `hx encrypt` (no output is left on failure).
    Decrypt(cmd::aead::FileArgs),
    /// Encrypt and decrypt age files (age's flags): to age, post-quantum
    /// and SSH recipients or a passphrase; `hx age keygen` for identities.
    Age(cmd::age::AgeArgs),
    /// Fernet keys and tokens, compatible with Python's cryptography.
    #[command(subcommand)]
    Fernet(cmd::aead::FernetCommand),
    /// Generate a key pair: PKCS#8 private key (0600), optional public key.
    Keygen(cmd::sign::KeygenArgs),
    /// Print the public key (SubjectPublicKeyInfo PEM) of a private key.
    Pubkey(cmd::sign::PubkeyArgs),
    /// Sign a file: raw Ed25519 or RSA-PSS-SHA256 signature bytes.
    Sign(cmd::sign::SignArgs),
    /// Verify a signature; exit 0 valid, 1 invalid.
    Verify(cmd::sign::VerifyArgs),
    /// Print a key derived from an X25519 agreement (HKDF-SHA256), in hex.
    Agree(cmd::kex::AgreeArgs),
    /// Public-key encryption: HPKE (X25519, X-Wing) or RSA-OAEP.
    #[command(subcommand)]
    Pk(cmd::kex::PkCommand),
    /// Python pickles, scanned and decoded without executing anything.
    #[command(subcommand)]
    Pickle(cmd::pickle::PickleCommand),
    /// Encrypted config files: init, set, get, list, rm, rotate, recipients,
    /// verify, export, merge (a git merge driver), exec.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Walk through hx's capabilities with real values; exit 0 only if every step verified.
    Tour,
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    disable_core_dumps();
    let matches = examples::attach(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    progress::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Token(args) => cmd::random::token(&args),
        Command::Apikey(command) => cmd::random::apikey(command),
        Command::Password(args) => cmd::random::password(args),
        Command::Passphrase(args) => cmd::random::passphrase(&args),
        Command::Csrf(command) => cmd::random::csrf(command),
        Command::Digest(args) => cmd::digest::digest(&args),
        Command::Hmac(args) => cmd::digest::hmac(&args),
        Command::Key(command) => cmd::aead::key(command),
        Command::Seal(args) => cmd::aead::seal(&args),
        Command::Unseal(args) => cmd::aead::unseal(&args),
        Command::RotateToken(args) => cmd::aead::rotate_token(&args),
        Command::Encrypt(args) => cmd::aead::encrypt_file(&args),
        Command::Decrypt(args) => cmd::aead::decrypt_file(&args),
        Command::Age(args) => cmd::age::age(&args),
        Command::Fernet(command) => cmd::aead::fernet(command),
        Command::Keygen(args) => cmd::sign::keygen(&args),
        Command::Pubkey(args) => cmd::sign::pubkey(&args),
        Command::Sign(args) => cmd::sign::sign(&args),
        Command::Verify(args) => cmd::sign::verify(&args),
        Command::Agree(args) => cmd::kex::agree(&args),
        Command::Pk(command) => cmd::kex::pk(command),
        Command::Pickle(command) => cmd::pickle::pickle(command),
        Command::Config(command) => cmd::config::config(command),
        Command::Tour => cmd::tour::run(),
        Command::Completions { shell } => {
            // Generated in memory: clap_complete panics on a failed write,
            // and a closed pipe must end the command quietly.
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut examples::attach(Cli::command()),
                "hx",
                &mut script,
            );
            io::write_stdout(&script)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// A crash must not write the process's memory — keys, plaintexts — to a
/// core file: the soft and hard core size limits go to zero before anything
/// else runs (and a failure to lower them is not fatal: there is nothing
/// secret in memory yet).
fn disable_core_dumps() {
    #[cfg(unix)]
    {
        let _ = rlimit::setrlimit(rlimit::Resource::CORE, 0, 0);
    }
}
