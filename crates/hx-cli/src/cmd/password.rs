//! `hx password hash` and `hx password verify` (hx-password). The password
//! is read from standard input, or asked for without echo at a terminal;
//! never from an argument.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use hx::password::{
    Algorithm, Argon2Variant, Error, MAX_PASSWORD_LEN, MAX_STORED_LEN, Params, Pepper, Policy,
};
use zeroize::Zeroizing;

use crate::failure::{CmdResult, Failure};
use crate::io::{display, print_line, read_bounded, read_secret_file, read_stdin_all};

#[derive(Subcommand)]
pub enum PasswordCommand {
    /// Hash a password (stdin, or a prompt without echo) into a PHC string.
    Hash(HashArgs),
    /// Check a password (stdin, or a prompt) against a stored hash: exit 0
    /// if it matches, 1 if not, 2 if the hash is malformed or beyond the
    /// limits.
    Verify(VerifyArgs),
}

/// The policy new hashes are made under.
#[derive(Args)]
pub struct PolicyArgs {
    /// The scheme of new hashes: argon2id, scrypt, pbkdf2-sha256,
    /// pbkdf2-sha512 or bcrypt.
    #[arg(long, default_value = "argon2id", value_parser = parse_algorithm)]
    alg: Algorithm,
    /// Argon2id memory in KiB (default 65536: 64 MiB).
    #[arg(long, value_name = "KIB")]
    m: Option<u32>,
    /// Argon2id passes (default 3).
    #[arg(long, value_name = "N")]
    t: Option<u32>,
    /// Argon2id lanes, computed in parallel (default 4).
    #[arg(long, value_name = "N")]
    p: Option<u32>,
    /// A file holding the pepper, a secret mixed into every hash and kept
    /// apart from them (at least 16 bytes; 0600).
    #[arg(long, value_name = "FILE")]
    pepper_file: Option<PathBuf>,
}

fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    match text.parse() {
        Ok(Algorithm::Argon2i | Algorithm::Argon2d) => {
            Err("argon2i and argon2d are verified, not written: use argon2id".to_owned())
        }
        Ok(algorithm) => Ok(algorithm),
        Err(_) => Err("one of argon2id, scrypt, pbkdf2-sha256, pbkdf2-sha512, bcrypt".to_owned()),
    }
}

impl PolicyArgs {
    fn policy(&self) -> Result<Policy, Failure> {
        let mut params = self.alg.recommended().map_err(usage)?;
        match &mut params {
            Params::Argon2 {
                variant: Argon2Variant::Argon2id,
                m_kib,
                t,
                p,
            } => {
                *m_kib = self.m.unwrap_or(*m_kib);
                *t = self.t.unwrap_or(*t);
                *p = self.p.unwrap_or(*p);
            }
            _ if self.m.is_some() || self.t.is_some() || self.p.is_some() => {
                return Err(Failure::Usage(
                    "--m, --t and --p are Argon2id's parameters".to_owned(),
                ));
            }
            _ => {}
        }
        let mut policy = Policy::new(params).map_err(usage)?;
        if let Some(path) = &self.pepper_file {
            let bytes = read_secret_file(path)?;
            policy = policy.with_pepper(Pepper::from_bytes(&bytes).map_err(usage)?);
        }
        Ok(policy)
    }
}

#[derive(Args)]
pub struct HashArgs {
    #[command(flatten)]
    policy: PolicyArgs,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The stored hash: a PHC string, bcrypt, passlib, Django or Werkzeug.
    #[arg(
        long,
        value_name = "HASH",
        required_unless_present = "hash_file",
        conflicts_with = "hash_file"
    )]
    hash: Option<String>,
    /// Read the stored hash from a file instead (one line; keeps it out of
    /// the process list and the shell's history).
    #[arg(long, value_name = "FILE")]
    hash_file: Option<PathBuf>,
    /// If the password matches and the stored hash is not what the policy
    /// (--alg, --m, --t, --p) would write now, print a new hash to store.
    #[arg(long)]
    rehash: bool,
    #[command(flatten)]
    policy: PolicyArgs,
    /// A file holding an earlier pepper, still accepted (hashes made with
    /// it are rehashed under --pepper-file's).
    #[arg(long, value_name = "FILE", requires = "pepper_file")]
    previous_pepper_file: Option<PathBuf>,
}

pub fn password(command: PasswordCommand) -> CmdResult {
    match command {
        PasswordCommand::Hash(args) => {
            let policy = args.policy.policy()?;
            let password = read_password(true)?;
            if password.is_empty() {
                return Err(Failure::Usage(
                    "an empty password is not allowed".to_owned(),
                ));
            }
            let hash = policy.hash(&password).map_err(usage)?;
            print_line(&hash)
        }
        PasswordCommand::Verify(args) => {
            let mut policy = args.policy.policy()?;
            if let Some(path) = &args.previous_pepper_file {
                let bytes = read_secret_file(path)?;
                policy = policy.with_previous_pepper(Pepper::from_bytes(&bytes).map_err(usage)?);
            }
            let stored = stored_hash(&args)?;
            let password = read_password(false)?;
            let result = if args.rehash {
                policy.verify_and_upgrade(&password, &stored)
            } else {
                policy.verify(&password, &stored).map(|()| None)
            };
            match result {
                Ok(None) => Ok(()),
                Ok(Some(new)) => print_line(&new),
                Err(Error::Mismatch) => {
                    Err(Failure::Rejected("the password does not match".to_owned()))
                }
                Err(e @ Error::UnusablePassword(_)) => Err(Failure::Rejected(e.to_string())),
                Err(e) => Err(usage(e)),
            }
        }
    }
}

/// The stored hash, from `--hash` or the one line of `--hash-file`.
fn stored_hash(args: &VerifyArgs) -> Result<String, Failure> {
    match (&args.hash, &args.hash_file) {
        (Some(hash), _) => Ok(hash.clone()),
        (None, Some(path)) => {
            let mut bytes = read_bounded(path, MAX_STORED_LEN + 2, "stored hash")?;
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            String::from_utf8(bytes.to_vec())
                .map_err(|_| Failure::Usage(format!("{}: not UTF-8 text", display(path))))
        }
        (None, None) => Err(Failure::Usage(
            "--hash or --hash-file is required".to_owned(),
        )),
    }
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

/// The password: standard input without its line ending, or at a terminal
/// asked for without echo (twice when it is a new one).
fn read_password(confirm: bool) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if std::io::stdin().is_terminal() {
        let password = crate::io::ask_secret(
            "Password: ",
            confirm.then_some("Confirm password: "),
            "password",
            "the passwords do not match",
        )?;
        return Ok(Zeroizing::new(password.as_bytes().to_vec()));
    }
    let mut bytes = read_stdin_all(MAX_PASSWORD_LEN + 2).map_err(|e| match e {
        Failure::Usage(m) if m.starts_with("standard input is larger") => Failure::Usage(format!(
            "the password on standard input is longer than {MAX_PASSWORD_LEN} bytes"
        )),
        other => other,
    })?;
    crate::io::strip_newline(&mut bytes);
    Ok(bytes)
}
