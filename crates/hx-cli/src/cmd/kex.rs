//! `hx agree`, `hx pk encrypt`, `hx pk decrypt`, and the X25519 / X-Wing
//! half of `hx keygen` and `hx pubkey` (hx-kex).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hx::kex::x25519::{PublicKey as X25519Public, StaticSecret};
use hx::kex::{PrivateKey, PublicKey};
use hx::sign::Algorithm;

use crate::failure::{CmdResult, Failure};
use crate::io;

/// Largest input `hx pk` encrypts or decrypts in one shot (held in memory,
/// as single-shot HPKE and Python's `cryptography` require); `--stream`
/// has no limit.
const MAX_MESSAGE_LEN: usize = 1 << 30;

#[derive(Args)]
pub struct AgreeArgs {
    /// Your X25519 private key (PEM).
    #[arg(short, long, value_name = "PRIV.pem")]
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
    #[arg(short = 'r', long, value_name = "PUB.pem")]
    to: PathBuf,
    /// HPKE info (RSA-OAEP label); the decrypting side must give the same.
    #[arg(long, value_name = "S", default_value = "")]
    info: String,
    /// Input file (`-`: standard input).
    #[arg(short, long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Output file (`-`: standard output), named only on success.
    #[arg(short, long, value_name = "FILE")]
    out: PathBuf,
    /// Encrypt as an HPKE stream (a sealed data key, then 64 KiB chunks):
    /// any size in bounded memory, read by `hx pk decrypt` only. Without
    /// it the output is single-shot HPKE as Python's cryptography reads
    /// it, for inputs up to 1 GiB. X25519 and X-Wing keys.
    #[arg(long)]
    stream: bool,
    #[command(flatten)]
    force: crate::cmd::ForceArg,
}

#[derive(Args)]
pub struct PkDecryptArgs {
    /// Your private key (PEM): X25519, X-Wing or RSA.
    #[arg(short, long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// HPKE info (RSA-OAEP label) given when encrypting.
    #[arg(long, value_name = "S", default_value = "")]
    info: String,
    /// Input file (`-`: standard input): single-shot HPKE, RSA-OAEP, or an
    /// HPKE stream (recognised by its header).
    #[arg(short, long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Output file (`-`: standard output), mode 0600, named only if the
    /// whole ciphertext authenticates. A stream decrypted to standard
    /// output releases each chunk once its tag is checked and exits 1 if
    /// the stream then turns out damaged or cut short.
    #[arg(short, long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    force: crate::cmd::ForceArg,
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
    let pem = io::read_public_file(path)?;
    PublicKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
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
    let peer_pem = io::read_public_file(&args.peer)?;
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
        PkCommand::Encrypt(args) => pk_encrypt(&args),
        PkCommand::Decrypt(args) => pk_decrypt(&args),
    }
}

fn pk_encrypt(args: &PkEncryptArgs) -> CmdResult {
    let key = read_public_key(&args.to)?;
    let mut out = io::Output::create(&args.out, io::Access::Public, args.force.replace())?;
    if args.stream {
        let input = crate::progress::Reader::over(io::Input::open(&args.input)?);
        key.encrypt_stream(args.info.as_bytes(), input, &mut out)
            .map_err(|e| match e {
                hx::kex::Error::Io(e) => io::io_failure(&e),
                other => Failure::Usage(format!("{}: {other}", args.to.display())),
            })?;
        return out.commit();
    }
    let plaintext = read_message(&args.input)?;
    let ciphertext = key
        .encrypt(args.info.as_bytes(), &plaintext)
        .map_err(|e| match e {
            hx::kex::Error::MessageTooLong { .. } => {
                Failure::Usage(format!("{}: {e}", io::display(&args.input)))
            }
            other => Failure::Usage(other.to_string()),
        })?;
    out.write_all(&ciphertext).map_err(|e| out.failure(&e))?;
    out.commit()
}

fn pk_decrypt(args: &PkDecryptArgs) -> CmdResult {
    let key = read_private_key(&args.key)?;
    let mut out = io::Output::create(&args.out, io::Access::Secret, args.force.replace())?;
    let mut input = io::Input::open(&args.input)?;
    // A stream is told by its header; anything else is one ciphertext.
    let prefix = hx::kex::hpke::STREAM_PREFIX;
    let mut head = Vec::with_capacity(prefix.len());
    (&mut input)
        .take(prefix.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| io::io_failure(&e))?;
    let to_stdout = out.is_stdout();
    let rejected = || {
        Failure::Rejected(format!(
            "{}: invalid ciphertext: it does not decrypt with this key and info (damaged, or for another key){}",
            io::display(&args.input),
            if to_stdout {
                "; output already written must be discarded"
            } else {
                ""
            }
        ))
    };
    if head == prefix {
        let whole = std::io::Cursor::new(head).chain(crate::progress::Reader::over(input));
        return match key.decrypt_stream(args.info.as_bytes(), whole, &mut out) {
            Ok(_) => out.commit(),
            Err(hx::kex::Error::Io(e)) => Err(io::io_failure(&e)),
            Err(_) => Err(rejected()),
        };
    }
    let mut ciphertext = zeroize::Zeroizing::new(head);
    input
        .take(MAX_MESSAGE_LEN as u64 + 1)
        .read_to_end(&mut ciphertext)
        .map_err(|e| io::io_failure(&e))?;
    if ciphertext.len() > MAX_MESSAGE_LEN {
        return Err(Failure::Usage(format!(
            "{}: larger than {MAX_MESSAGE_LEN} bytes; not a single-shot ciphertext",
            io::display(&args.input)
        )));
    }
    let plaintext = key
        .decrypt(args.info.as_bytes(), &ciphertext)
        .map_err(|_| rejected())?;
    out.write_all(&plaintext).map_err(|e| out.failure(&e))?;
    out.commit()
}

fn read_message(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    io::read_bounded(
        path,
        MAX_MESSAGE_LEN,
        "message for single-shot encryption (use --stream)",
    )
}
