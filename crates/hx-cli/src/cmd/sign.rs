//! `hx keygen`, `hx pubkey`, `hx sign`, `hx verify`: key files and
//! signatures (hx-sign).

use std::path::{Path, PathBuf};

use clap::Args;
use hx::sign::{Algorithm, PrivateKey, PublicKey};

use crate::failure::{CmdResult, Failure};
use crate::io;

/// Largest file `hx sign` / `hx verify` read into memory (Ed25519 reads its
/// message twice, so the whole message is held).
const MAX_MESSAGE_LEN: usize = 1 << 30;

#[derive(Args)]
pub struct KeygenArgs {
    /// Key algorithm: ed25519, x25519, xwing, rsa-2048, rsa-3072 or rsa-4096.
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// Private key file to create (PKCS#8 PEM, mode 0600); must not exist.
    #[arg(long, value_name = "PRIV.pem")]
    out: PathBuf,
    /// Also write the public key (SubjectPublicKeyInfo PEM) here.
    #[arg(long, value_name = "PUB.pem")]
    pub_out: Option<PathBuf>,
}

#[derive(Args)]
pub struct PubkeyArgs {
    /// Private key file (PEM).
    #[arg(long, value_name = "PRIV.pem")]
    key: PathBuf,
}

#[derive(Args)]
pub struct SignArgs {
    /// Private key file (PEM): Ed25519, or RSA (signs RSA-PSS-SHA256, salt 32).
    #[arg(long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// File to sign (`-` for standard input).
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Where to write the raw signature bytes.
    #[arg(long, value_name = "SIG")]
    out: PathBuf,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Public key file (PEM).
    #[arg(long = "pub", value_name = "PUB.pem")]
    public: PathBuf,
    /// Signed file (`-` for standard input).
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Raw signature bytes.
    #[arg(long, value_name = "SIG")]
    sig: PathBuf,
}

/// A key file that cannot be used is a usage error (exit 2) naming the file.
fn key_failure(path: &Path, e: &hx::sign::Error) -> Failure {
    Failure::Usage(format!("{}: {e}", path.display()))
}

pub fn read_private_key(path: &Path) -> Result<PrivateKey, Failure> {
    let pem = io::read_secret_file(path)?;
    PrivateKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

fn read_public_key(path: &Path) -> Result<PublicKey, Failure> {
    let pem = io::read_secret_file(path)?;
    PublicKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

fn read_message(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        return Ok(io::read_stdin_all(MAX_MESSAGE_LEN)?.to_vec());
    }
    let len = std::fs::metadata(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?
        .len();
    if len > MAX_MESSAGE_LEN as u64 {
        return Err(Failure::Usage(format!(
            "{}: larger than {MAX_MESSAGE_LEN} bytes; sign a digest of it instead (hx digest)",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
}

pub fn keygen(args: &KeygenArgs) -> CmdResult {
    let algorithm: Algorithm = args
        .alg
        .parse()
        .map_err(|e: hx::sign::Error| Failure::Usage(e.to_string()))?;
    if args.out.exists() {
        return Err(Failure::Usage(format!(
            "{}: already exists; hx keygen never overwrites a key",
            args.out.display()
        )));
    }
    let (private, public) = if algorithm.signs() {
        let key = PrivateKey::generate(algorithm).map_err(|e| Failure::Usage(e.to_string()))?;
        let private = key.to_pem().map_err(|e| Failure::Usage(e.to_string()))?;
        let public = key
            .public_key()
            .to_pem()
            .map_err(|e| Failure::Usage(e.to_string()))?;
        (private, public)
    } else {
        crate::cmd::kex::generate(algorithm)?
    };
    io::create_secret_file_atomic(&args.out, private.as_bytes())?;
    if let Some(path) = &args.pub_out {
        io::write_public_file_atomic(path, public.as_bytes())?;
    }
    eprintln!(
        "hx: wrote {algorithm} private key to {}",
        args.out.display()
    );
    Ok(())
}

pub fn pubkey(args: &PubkeyArgs) -> CmdResult {
    let pem = io::read_secret_file(&args.key)?;
    let public = match PrivateKey::from_pem(&pem) {
        Ok(key) => key
            .public_key()
            .to_pem()
            .map_err(|e| Failure::Usage(e.to_string()))?,
        // X25519 and X-Wing keys belong to hx-kex.
        Err(hx::sign::Error::WrongKeyType { .. }) => crate::cmd::kex::public_pem(&args.key)?,
        Err(e) => return Err(key_failure(&args.key, &e)),
    };
    io::write_stdout(public.as_bytes())
}

pub fn sign(args: &SignArgs) -> CmdResult {
    let key = read_private_key(&args.key)?;
    let message = read_message(&args.input)?;
    let signature = key
        .sign(&message)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    io::write_public_file_atomic(&args.out, &signature)
}

pub fn verify(args: &VerifyArgs) -> CmdResult {
    let key = read_public_key(&args.public)?;
    let signature = std::fs::read(&args.sig)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.sig.display())))?;
    let message = read_message(&args.input)?;
    match key.verify(&message, &signature) {
        Ok(()) => {
            eprintln!("hx: valid {} signature", key.algorithm());
            Ok(())
        }
        Err(e) => Err(Failure::Rejected(e.to_string())),
    }
}
