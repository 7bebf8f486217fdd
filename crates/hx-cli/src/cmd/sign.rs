//! `hx keygen`, `hx pubkey`, `hx sign`, `hx verify`: key files and
//! signatures (hx-sign).

use std::path::{Path, PathBuf};

use clap::Args;
use hx::sign::{Algorithm, PrivateKey, PublicKey};

use crate::failure::{CmdResult, Failure};
use crate::io;

/// Largest message `hx sign` / `hx verify` read into memory for Ed25519
/// (which reads its message twice, so the whole message is held); RSA
/// streams messages of any size.
const MAX_MESSAGE_LEN: usize = 1 << 30;

#[derive(Args)]
pub struct KeygenArgs {
    /// Key algorithm: ed25519, x25519, xwing, rsa-2048, rsa-3072 or rsa-4096.
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// Private key file to create (PKCS#8 PEM, mode 0600).
    #[arg(short, long, value_name = "PRIV.pem")]
    out: PathBuf,
    /// Also write the public key (SubjectPublicKeyInfo PEM) here.
    #[arg(long, value_name = "PUB.pem")]
    pub_out: Option<PathBuf>,
    #[command(flatten)]
    force: crate::cmd::ForceArg,
}

#[derive(Args)]
pub struct PubkeyArgs {
    /// Private key file (PEM).
    #[arg(short, long, value_name = "PRIV.pem")]
    key: PathBuf,
}

#[derive(Args)]
pub struct SignArgs {
    /// Private key file (PEM): Ed25519, or RSA (signs RSA-PSS-SHA256, salt 32).
    #[arg(short, long, value_name = "PRIV.pem")]
    key: PathBuf,
    /// File to sign (`-`: standard input).
    #[arg(short, long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Where to write the raw signature bytes (`-`: standard output).
    #[arg(short, long, value_name = "SIG")]
    out: PathBuf,
    #[command(flatten)]
    force: crate::cmd::ForceArg,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Public key file (PEM).
    #[arg(long = "pub", value_name = "PUB.pem")]
    public: PathBuf,
    /// Signed file (`-`: standard input).
    #[arg(short, long = "in", value_name = "FILE")]
    input: PathBuf,
    /// Raw signature bytes (`-`: standard input).
    #[arg(short, long, value_name = "SIG")]
    sig: PathBuf,
    /// RSA signature scheme: pss (SHA-256, salt 32, as `hx sign` makes) or
    /// pkcs1v15 (SHA-256, as `openssl dgst -sha256 -sign` makes by default).
    #[arg(long, value_enum, default_value_t = Scheme::Pss, ignore_case = true)]
    scheme: Scheme,
}

/// RSA signature schemes `hx verify` accepts.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheme {
    /// RSA-PSS with SHA-256 and a 32-byte salt.
    Pss,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Pkcs1v15,
}

/// The largest signature of any key hx reads (RSA-8192: 1,024 bytes).
const MAX_SIGNATURE_LEN: usize = hx::sign::rsa::MAX_BITS / 8;

/// A key file that cannot be used is a usage error (exit 2) naming the file.
fn key_failure(path: &Path, e: &hx::sign::Error) -> Failure {
    Failure::Usage(format!("{}: {e}", path.display()))
}

pub fn read_private_key(path: &Path) -> Result<PrivateKey, Failure> {
    let pem = io::read_secret_file(path)?;
    PrivateKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

fn read_public_key(path: &Path) -> Result<PublicKey, Failure> {
    let pem = io::read_public_file(path)?;
    PublicKey::from_pem(&pem).map_err(|e| key_failure(path, &e))
}

fn read_message(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    io::read_bounded(
        path,
        MAX_MESSAGE_LEN,
        "message hx signs in memory; sign its digest instead (hx digest)",
    )
}

pub fn keygen(args: &KeygenArgs) -> CmdResult {
    let algorithm: Algorithm = args
        .alg
        .parse()
        .map_err(|e: hx::keys::Error| Failure::Usage(e.to_string()))?;
    if args
        .pub_out
        .as_deref()
        .is_some_and(|p| same_file(p, &args.out))
    {
        return Err(Failure::Usage(format!(
            "{}: --out and --pub-out name the same file",
            args.out.display()
        )));
    }
    // Both outputs are opened before the work (an RSA key takes seconds):
    // an existing file is refused before anything is generated.
    let mut private_out = io::Output::create(&args.out, io::Access::Secret, args.force.replace())?;
    let mut public_out = match &args.pub_out {
        Some(path) => Some(io::Output::create(
            path,
            io::Access::Public,
            args.force.replace(),
        )?),
        None => None,
    };
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
    use std::io::Write as _;
    private_out
        .write_all(private.as_bytes())
        .map_err(|e| private_out.failure(&e))?;
    // The public key is named first: if naming the private key then fails,
    // what is left is a public key, never a private key without its record.
    if let Some(mut out) = public_out.take() {
        out.write_all(public.as_bytes())
            .map_err(|e| out.failure(&e))?;
        out.commit()?;
    }
    private_out.commit()?;
    if !io::is_stdio(&args.out) {
        eprintln!(
            "hx: wrote {algorithm} private key to {}",
            args.out.display()
        );
    }
    Ok(())
}

/// Whether two paths name one file: the same text, or the same file name
/// in the same directory once links in the directories are resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let resolve = |p: &Path| {
        std::fs::canonicalize(io::parent_dir(p))
            .ok()
            .map(|dir| dir.join(p.file_name().unwrap_or_default()))
    };
    matches!((resolve(a), resolve(b)), (Some(x), Some(y)) if x == y)
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
    // Refused before the work if it exists.
    let mut out = io::Output::create(&args.out, io::Access::Public, args.force.replace())?;
    let signature = match &key {
        // RSA-PSS signs the SHA-256 of the message: any size, streamed.
        PrivateKey::Rsa(k) => k.sign_pss_sha256_digest(&stream_digest(&args.input)?),
        // Ed25519 reads its message twice: held in memory, bounded.
        _ => key.sign(&read_message(&args.input)?),
    }
    .map_err(|e| Failure::Usage(e.to_string()))?;
    std::io::Write::write_all(&mut out, &signature).map_err(|e| out.failure(&e))?;
    out.commit()
}

/// The SHA-256 of an input of any size, read once (with progress on a
/// terminal).
fn stream_digest(path: &Path) -> Result<hx::sign::rsa::MessageDigest, Failure> {
    let input = crate::progress::Reader::over(io::Input::open(path)?);
    hx::sign::rsa::MessageDigest::sha256_reader(input).map_err(|e| io::io_failure(&e))
}

pub fn verify(args: &VerifyArgs) -> CmdResult {
    let key = read_public_key(&args.public)?;
    if io::is_stdio(&args.sig) && io::is_stdio(&args.input) {
        return Err(Failure::Usage(
            "--sig and --in cannot both be standard input".into(),
        ));
    }
    let signature = io::read_bounded(&args.sig, MAX_SIGNATURE_LEN, "signature")?;
    let verdict = match (&key, args.scheme) {
        // RSA checks the SHA-256 of the message: any size, streamed.
        (PublicKey::Rsa(k), Scheme::Pkcs1v15) => {
            k.verify_pkcs1v15_sha256_digest(&stream_digest(&args.input)?, &signature)
        }
        (PublicKey::Rsa(k), Scheme::Pss) => {
            k.verify_pss_sha256_digest(&stream_digest(&args.input)?, &signature)
        }
        (_, Scheme::Pss) => key.verify(&read_message(&args.input)?, &signature),
        (_, Scheme::Pkcs1v15) => {
            return Err(Failure::Usage(format!(
                "{}: --scheme applies to RSA keys; this is an {} key",
                args.public.display(),
                key.algorithm()
            )));
        }
    };
    match verdict {
        Ok(()) => {
            eprintln!("hx: valid {} signature", key.algorithm());
            Ok(())
        }
        Err(e) if matches!(key, PublicKey::Rsa(_)) && args.scheme == Scheme::Pss => {
            Err(Failure::Rejected(format!(
                "{e} (checked as RSA-PSS-SHA256; a signature from `openssl dgst -sign` \
                 is PKCS#1 v1.5: try --scheme pkcs1v15)"
            )))
        }
        Err(e) => Err(Failure::Rejected(e.to_string())),
    }
}
