//! `hx agree`, `hx pk encrypt`, `hx pk decrypt`, and the X25519 / X-Wing
//! half of `hx keygen` and `hx pubkey` (hx-kex).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hx::kex::x25519::{PublicKey as X25519Public, StaticSecret};
use hx::kex::{PrivateKey, PublicKey};
use hx::sign::Algorithm;

use crate::failure::{CmdResult, Failure};
use crate::io;

/// Largest input `hx pk` encrypts or decrypts in one shot (held in memory).
const MAX_MESSAGE_LEN: usize = 1 << 30;

#[derive(Args)]
pub struct AgreeArgs {
    /// Your X25519 private key (PEM).
    #[arg(long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// The peer's X25519 public key (PEM).
    #[arg(long, value_name = "PUB.pem")]
    peer: PathBuf,
    /// HKDF info: what the key is for (both sides must use the same).
    #[arg(long, value_name = "S", default_value = "")]
    info: String,
    /// Bytes of key to derive (1 to 8160).
    #[arg(long, value_name = "N", default_value_t = 32)]
    length: usize,
    /// Print the raw X25519 shared secret instead of a derived key.
    #[arg(long, conflicts_with_all = ["info", "length"])]
    raw: bool,
}

#[derive(Subcommand)]
pub enum PkCommand {
    /// Encrypt a file to a public key: HPKE for X25519/X-Wing keys
    /// (enc ‖ ciphertext, as Python's cryptography), RSA-OAEP-SHA256 for RSA.
    Encrypt(PkEncryptArgs),
    /// Decrypt a file made by `hx pk encrypt` (or Python's HPKE / OAEP).
    Decrypt(PkDecryptArgs),
}

#[derive(Args)]
pub struct PkEncryptArgs {
    /// Recipient's public key (PEM): X25519, X-Wing or RSA.
    #[arg(long, value_name = "PUB.pem")]
    to: PathBuf,
    /// HPKE info (RSA-OAEP label); the decrypting side must give the same.
    #[arg(long, value_name = "S", default_value = "")]
    info: String,
    /// Input file (`-` for standard input).
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Output file, written atomically.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct PkDecryptArgs {
    /// Your private key (PEM): X25519, X-Wing or RSA.
    #[arg(long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// HPKE info (RSA-OAEP label) given when encrypting.
    #[arg(long, value_name = "S", default_value = "")]
    info: String,
    /// Input file (`-` for standard input).
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Output file, written atomically with mode 0600 and only if the whole
    /// ciphertext authenticates.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

fn key_failure(path: &Path, e: &hx::kex::Error) -> Failure {
    Failure::Usage(format!("{}: {e}", path.display()))
}

/// An hx-kex private key from a file.
pub fn read_private_key(path: &Path) -> Result<PrivateKey, Failure> {
    let pem = io::read_secret_file(path)?;
    PrivateKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

/// An hx-kex public key from a file.
pub fn read_public_key(path: &Path) -> Result<PublicKey, Failure> {
    let pem = io::read_secret_file(path)?;
    PublicKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        return Ok(io::read_stdin_all(MAX_MESSAGE_LEN)?.to_vec());
    }
    let len = std::fs::metadata(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?
        .len();
    if len > MAX_MESSAGE_LEN as u64 {
        return Err(Failure::Usage(format!(
            "{}: larger than {MAX_MESSAGE_LEN} bytes; `hx pk` works in memory",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

/// `hx keygen` for X25519 and X-Wing: the private key, then its public key.
pub fn generate(algorithm: Algorithm) -> Result<(zeroize::Zeroizing<String>, String), Failure> {
    let usage = |e: hx::kex::Error| Failure::Usage(e.to_string());
    let key = PrivateKey::generate(algorithm).map_err(usage)?;
    let public = key.public_key().map_err(usage)?.to_pem().map_err(usage)?;
    Ok((key.to_pem().map_err(usage)?, public))
}

/// `hx pubkey` for X25519 and X-Wing keys.
pub fn public_pem(path: &Path) -> Result<String, Failure> {
    let key = read_private_key(path)?;
    key.public_key()
        .and_then(|k| k.to_pem())
        .map_err(|e| Failure::Usage(e.to_string()))
}

pub fn agree(args: &AgreeArgs) -> CmdResult {
    let pem = io::read_secret_file(&args.key)?;
    let key = StaticSecret::from_pem(&pem).map_err(|e| key_failure(&args.key, &e))?;
    let peer_pem = io::read_secret_file(&args.peer)?;
    let peer = X25519Public::from_pem(&peer_pem).map_err(|e| key_failure(&args.peer, &e))?;
    let shared = key
        .agree(&peer)
        .map_err(|e| Failure::Rejected(e.to_string()))?;
    let out = if args.raw {
        zeroize::Zeroizing::new(hex::encode(shared.expose_secret()))
    } else {
        let derived = shared
            .derive(args.info.as_bytes(), args.length)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        zeroize::Zeroizing::new(hex::encode(&*derived))
    };
    io::print_line(&out)
}

pub fn pk(command: PkCommand) -> CmdResult {
    match command {
        PkCommand::Encrypt(args) => {
            let key = read_public_key(&args.to)?;
            let plaintext = zeroize::Zeroizing::new(read_input(&args.input)?);
            let ciphertext =
                key.encrypt(args.info.as_bytes(), &plaintext)
                    .map_err(|e| match e {
                        hx::kex::Error::MessageTooLong { .. } => {
                            Failure::Usage(format!("{}: {e}", args.input.display()))
                        }
                        other => Failure::Usage(other.to_string()),
                    })?;
            io::write_public_file_atomic(&args.out, &ciphertext)
        }
        PkCommand::Decrypt(args) => {
            let key = read_private_key(&args.key)?;
            let ciphertext = read_input(&args.input)?;
            let plaintext = key
                .decrypt(args.info.as_bytes(), &ciphertext)
                .map_err(|e| Failure::Rejected(e.to_string()))?;
            io::write_secret_file_atomic(&args.out, &plaintext)
        }
    }
}
