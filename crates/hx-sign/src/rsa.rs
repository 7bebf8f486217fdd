//! RSA signatures: RSA-PSS with SHA-256 (RFC 8017 §8.1) to sign and verify,
//! PKCS#1 v1.5 with SHA-256 to verify legacy signatures only.
//!
//! Every RSA operation runs on AWS-LC (through `aws-lc-rs`), whose private-key
//! operations are constant time with blinding. The pure-Rust `rsa` crate is
//! not used: its 0.10 release still carries the Marvin timing advisory
//! (RUSTSEC-2023-0071), which covers signing as well as decryption. See
//! `SECURITY.md`.
//!
//! Keys below 2048 bits are refused, and so are keys above 8192 bits (whose
//! verification cost is an easy denial of service).

use core::fmt;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{
    self as lc, KeyPair as _, RsaPssSaltLength, VerificationAlgorithm as _,
};
use zeroize::Zeroizing;

use hx_keys::der::{self as encoding, Document, OID_RSA};

use crate::{Error, Result};

pub use hx_keys::rsa::{MAX_BITS, MIN_BITS};
/// The PSS salt length hx signs with: the SHA-256 output length, as RFC 8017
/// recommends and as Python's `PSS.DIGEST_LENGTH` does.
pub const PSS_SALT_LEN: usize = 32;

/// The SHA-256 of a message, computed as it is read: RSA signs and verifies
/// messages of any size through it in constant memory
/// ([`SigningKey::sign_pss_sha256_digest`],
/// [`VerifyingKey::verify_pss_sha256_digest`],
/// [`VerifyingKey::verify_pkcs1v15_sha256_digest`]). The signatures are the
/// ones the message itself gives.
///
/// ```
/// use hx_sign::rsa::{MessageDigest, SigningKey};
/// let key = SigningKey::generate(2048)?;
/// let message = vec![7u8; 100_000];
/// let digest = MessageDigest::sha256_reader(&message[..])?;
/// let signature = key.sign_pss_sha256_digest(&digest)?;
/// key.verifying_key().verify_pss_sha256(&message, &signature)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MessageDigest(aws_lc_rs::digest::Digest);

impl MessageDigest {
    /// SHA-256 of everything `reader` yields.
    ///
    /// # Errors
    /// The reader's I/O error.
    pub fn sha256_reader(mut reader: impl std::io::Read) -> std::io::Result<Self> {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok(Self(context.finish())),
                Ok(n) => context.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// SHA-256 of `message`.
    #[must_use]
    pub fn sha256(message: &[u8]) -> Self {
        Self(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            message,
        ))
    }
}

impl fmt::Debug for MessageDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageDigest(SHA-256)")
    }
}

/// An RSA private key that signs with RSA-PSS-SHA256.
///
/// AWS-LC holds the key and wipes it when it is freed; `Debug` prints
/// `[REDACTED]`.
///
/// ```
/// use hx_sign::rsa::SigningKey;
/// let key = SigningKey::generate(2048)?;
/// let sig = key.sign_pss_sha256(b"invoice 2026-11-29")?;
/// key.verifying_key().verify_pss_sha256(b"invoice 2026-11-29", &sig)?;
/// # Ok::<(), hx_sign::Error>(())
/// ```
pub struct SigningKey {
    inner: aws_lc_rs::rsa::KeyPair,
    public: VerifyingKey,
}

impl SigningKey {
    /// A new key of `bits` bits: 2048, 3072 or 4096.
    ///
    /// # Errors
    /// [`Error::UnsupportedKeySize`] for other sizes, [`Error::Backend`] if
    /// AWS-LC fails.
    pub fn generate(bits: usize) -> Result<Self> {
        let size = match bits {
            2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
            3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
            4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
            _ => return Err(Error::UnsupportedKeySize { bits }),
        };
        let inner = aws_lc_rs::rsa::KeyPair::generate(size).map_err(|_| Error::Backend)?;
        Self::checked(inner)
    }

    /// Reads a PKCS#8 DER document holding an `rsaEncryption` key.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is malformed or inconsistent,
    /// [`Error::UnsupportedKeySize`] outside 2048–8192 bits,
    /// [`Error::WrongKeyType`] / [`Error::UnsupportedAlgorithm`] for other
    /// algorithms.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let (oid, info) = encoding::pkcs8_algorithm(der)?;
        if oid != OID_RSA {
            return Err(crate::error::foreign_algorithm(oid, "an RSA key"));
        }
        let inner = aws_lc_rs::rsa::KeyPair::from_pkcs8(der)
            .map_err(|_| refusal(info.private_key.as_bytes()))?;
        Self::checked(inner)
    }

    /// Reads a PKCS#1 `RSAPrivateKey` DER document (OpenSSL's "traditional"
    /// format).
    ///
    /// # Errors
    /// As [`SigningKey::from_pkcs8_der`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let inner = aws_lc_rs::rsa::KeyPair::from_der(der).map_err(|_| refusal(der))?;
        Self::checked(inner)
    }

    fn checked(inner: aws_lc_rs::rsa::KeyPair) -> Result<Self> {
        let public = VerifyingKey::from_pkcs1_der(inner.public_key().as_ref())?;
        Ok(Self { inner, public })
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    ///
    /// # Errors
    /// As [`SigningKey::from_pkcs8_der`], plus [`Error::EncryptedKey`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match encoding::decode(pem)? {
            (Some(Document::Pkcs8), der) => Self::from_pkcs8_der(&der),
            (Some(Document::Pkcs1Private), der) => Self::from_pkcs1_der(&der),
            _ => Err(Error::InvalidKey(
                "expected a PEM PRIVATE KEY or RSA PRIVATE KEY",
            )),
        }
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.public.bits
    }

    /// The public key.
    #[must_use]
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// Signs `message` with RSA-PSS, SHA-256, MGF1-SHA-256 and a 32-byte
    /// random salt. The signature is as long as the modulus.
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails.
    pub fn sign_pss_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.inner.public_modulus_len()];
        // aws-lc-rs draws the salt from AWS-LC's own generator (seeded by the
        // OS) and ignores this argument.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.inner
            .sign(&lc::RSA_PSS_SHA256, &rng, message, &mut sig)
            .map_err(|_| Error::Backend)?;
        Ok(sig)
    }

    /// [`SigningKey::sign_pss_sha256`] of the message `digest` was computed
    /// over: the same kind of signature, for a message of any size.
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails.
    pub fn sign_pss_sha256_digest(&self, digest: &MessageDigest) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.inner.public_modulus_len()];
        self.inner
            .sign_digest(&lc::RSA_PSS_SHA256, &digest.0, &mut sig)
            .map_err(|_| Error::Backend)?;
        Ok(sig)
    }

    /// The PKCS#8 DER encoding.
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails to encode.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let der = self.inner.as_der().map_err(|_| Error::Backend)?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// The PKCS#8 PEM encoding (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails to encode.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        Ok(encoding::to_pem("PRIVATE KEY", &self.to_pkcs8_der()?))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rsa::SigningKey({} bits, [REDACTED])", self.public.bits)
    }
}

/// An RSA public key (2048–8192 bits) that verifies RSA-PSS-SHA256 and
/// legacy PKCS#1 v1.5 SHA-256 signatures.
#[derive(Clone)]
pub struct VerifyingKey {
    /// PKCS#1 `RSAPublicKey` DER.
    pkcs1: Vec<u8>,
    bits: usize,
    /// Parsed once for the common case (PSS, salt length 32).
    pss: lc::ParsedPublicKey,
    components: aws_lc_rs::rsa::PublicKeyComponents<Vec<u8>>,
}

impl VerifyingKey {
    /// Reads a SubjectPublicKeyInfo DER document holding an `rsaEncryption`
    /// key.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is malformed, [`Error::UnsupportedKeySize`]
    /// outside 2048–8192 bits, [`Error::WrongKeyType`] /
    /// [`Error::UnsupportedAlgorithm`] for other algorithms.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let (oid, info) = encoding::spki_algorithm(der)?;
        if oid != OID_RSA {
            return Err(crate::error::foreign_algorithm(oid, "an RSA key"));
        }
        let pkcs1 = info
            .subject_public_key
            .as_bytes()
            .ok_or(Error::InvalidKey("RSA public key has unused bits"))?;
        Self::from_pkcs1_der(pkcs1)
    }

    /// Reads a PKCS#1 `RSAPublicKey` DER document.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_spki_der`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let bits = public_modulus_bits(der)?;
        let key = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|_| Error::InvalidKey("malformed RSA public key"))?;
        let pkcs1 = key.as_ref().to_vec();
        let pss = lc::ParsedPublicKey::new(&lc::RSA_PSS_2048_8192_SHA256, &pkcs1)
            .map_err(|_| Error::InvalidKey("RSA public key rejected (exponent or modulus)"))?;
        let components = aws_lc_rs::rsa::PublicKeyComponents::from(&key);
        Ok(Self {
            pkcs1,
            bits,
            pss,
            components,
        })
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY`
    /// (PKCS#1).
    ///
    /// # Errors
    /// As [`VerifyingKey::from_spki_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match encoding::decode(pem)? {
            (Some(Document::Spki), der) => Self::from_spki_der(&der),
            (Some(Document::Pkcs1Public), der) => Self::from_pkcs1_der(&der),
            _ => Err(Error::InvalidKey(
                "expected a PEM PUBLIC KEY or RSA PUBLIC KEY",
            )),
        }
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Verifies an RSA-PSS signature with SHA-256, MGF1-SHA-256 and a 32-byte
    /// salt (what [`SigningKey::sign_pss_sha256`] and Python's
    /// `PSS(MGF1(SHA256()), PSS.DIGEST_LENGTH)` make).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify.
    pub fn verify_pss_sha256(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        self.pss
            .verify_sig(message, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// Verifies an RSA-PSS-SHA256 signature made with another salt length
    /// (0 for deterministic PSS, for example).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify (including a salt
    /// length other than `salt_len`).
    pub fn verify_pss_sha256_with_salt_len(
        &self,
        message: &[u8],
        signature: &[u8],
        salt_len: usize,
    ) -> Result<()> {
        let salt_len = u16::try_from(salt_len).map_err(|_| Error::InvalidSignature)?;
        let params =
            lc::RSA_PSS_2048_8192_SHA256.with_pss_salt_length(RsaPssSaltLength::Custom(salt_len));
        self.components
            .verify(&params, message, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// Verifies a PKCS#1 v1.5 SHA-256 signature. For legacy signatures only:
    /// hx never makes them.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify.
    pub fn verify_pkcs1v15_sha256(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        lc::RSA_PKCS1_2048_8192_SHA256
            .verify_sig(&self.pkcs1, message, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// [`VerifyingKey::verify_pss_sha256`] of the message `digest` was
    /// computed over.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify.
    pub fn verify_pss_sha256_digest(&self, digest: &MessageDigest, signature: &[u8]) -> Result<()> {
        self.pss
            .verify_digest_sig(&digest.0, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// [`VerifyingKey::verify_pkcs1v15_sha256`] of the message `digest` was
    /// computed over (legacy signatures only).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify.
    pub fn verify_pkcs1v15_sha256_digest(
        &self,
        digest: &MessageDigest,
        signature: &[u8],
    ) -> Result<()> {
        lc::UnparsedPublicKey::new(&lc::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1)
            .verify_digest(&digest.0, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// The SubjectPublicKeyInfo DER encoding.
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails to encode.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        let key = aws_lc_rs::rsa::PublicKey::from_der(&self.pkcs1).map_err(|_| Error::Backend)?;
        let der = key.as_der().map_err(|_| Error::Backend)?;
        Ok(der.as_ref().to_vec())
    }

    /// The SubjectPublicKeyInfo PEM encoding (`-----BEGIN PUBLIC KEY-----`).
    ///
    /// # Errors
    /// [`Error::Backend`] if AWS-LC fails to encode.
    pub fn to_pem(&self) -> Result<String> {
        Ok(encoding::to_pem("PUBLIC KEY", &self.to_spki_der()?).to_string())
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.pkcs1 == other.pkcs1
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rsa::VerifyingKey({} bits)", self.bits)
    }
}

/// The modulus size of a PKCS#1 `RSAPublicKey` (see [`hx_keys::rsa`]).
fn public_modulus_bits(pkcs1: &[u8]) -> Result<usize> {
    Ok(hx_keys::rsa::public_modulus_bits(pkcs1)?)
}

/// Why AWS-LC refused a PKCS#1 `RSAPrivateKey`: its size if that is outside
/// the supported range (AWS-LC refuses small keys itself), else malformed.
fn refusal(pkcs1: &[u8]) -> Error {
    match hx_keys::rsa::claimed_private_bits(pkcs1) {
        Some(bits) if !(MIN_BITS..=MAX_BITS).contains(&bits) => Error::UnsupportedKeySize { bits },
        _ => Error::InvalidKey("malformed or inconsistent RSA private key"),
    }
}
