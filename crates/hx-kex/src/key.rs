//! Algorithm-agnostic keys for public-key encryption: read any key file hx
//! can encrypt to or decrypt with, and use the algorithm's one hx scheme —
//! HPKE for X25519 and X-Wing keys, RSA-OAEP-SHA256 for RSA keys.

use std::io::{Read, Write};

use hx_keys::Algorithm;
use hx_keys::keyfile::{self, KeyFile};
use zeroize::Zeroizing;

use crate::{Error, Result, hpke, rsa_oaep, x25519, xwing};

/// A private key for decryption (and, for X25519, agreement).
///
/// ```
/// use hx_kex::PrivateKey;
/// use hx_keys::Algorithm;
/// let key = PrivateKey::generate(Algorithm::X25519)?;
/// let ct = key.public_key()?.encrypt(b"info", b"secret")?;
/// assert_eq!(&key.decrypt(b"info", &ct)?[..], b"secret");
/// # Ok::<(), hx_kex::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateKey {
    /// X25519: HPKE suite [`hpke::Suite::X25519`], and `agree`.
    X25519(x25519::StaticSecret),
    /// X-Wing: HPKE suite [`hpke::Suite::XWing`].
    XWing(xwing::PrivateKey),
    /// RSA: OAEP-SHA256.
    Rsa(rsa_oaep::DecryptionKey),
}

impl PrivateKey {
    /// A new key: `X25519`, `XWing`, or `Rsa { bits }` with 2048/3072/4096.
    ///
    /// # Errors
    /// [`Error::KeyFile`] (wrong key type) for signature algorithms,
    /// [`Error::InvalidKey`] for other RSA sizes, [`Error::Random`] /
    /// [`Error::Backend`] if generation fails.
    pub fn generate(algorithm: Algorithm) -> Result<Self> {
        match algorithm {
            Algorithm::X25519 => Ok(Self::X25519(x25519::StaticSecret::generate()?)),
            Algorithm::XWing => Ok(Self::XWing(xwing::PrivateKey::generate()?)),
            Algorithm::Rsa { bits } => Ok(Self::Rsa(rsa_oaep::DecryptionKey::generate(bits)?)),
            found => Err(hx_keys::Error::WrongKeyType {
                expected: "an encryption key algorithm",
                found,
            }
            .into()),
        }
    }

    /// Reads a private key file (PEM or DER).
    ///
    /// # Errors
    /// [`Error::KeyFile`] for files that are not usable private keys of these
    /// algorithms (Ed25519 keys are a wrong key type), [`Error::InvalidKey`]
    /// for public keys.
    pub fn from_pem(input: &[u8]) -> Result<Self> {
        match keyfile::read(input)? {
            KeyFile::Private {
                algorithm: Algorithm::X25519,
                pkcs8,
            } => Ok(Self::X25519(x25519::StaticSecret::from_pkcs8_der(&pkcs8)?)),
            KeyFile::Private {
                algorithm: Algorithm::XWing,
                pkcs8,
            } => Ok(Self::XWing(xwing::PrivateKey::from_pkcs8_der(&pkcs8)?)),
            KeyFile::Private {
                algorithm: Algorithm::Rsa { .. },
                pkcs8,
            } => Ok(Self::Rsa(rsa_oaep::DecryptionKey::from_pkcs8_der(&pkcs8)?)),
            KeyFile::Private { algorithm, .. } => Err(hx_keys::Error::WrongKeyType {
                expected: "an X25519, X-Wing or RSA key",
                found: algorithm,
            }
            .into()),
            KeyFile::Public { .. } => Err(Error::InvalidKey(
                "this is a public key; a private key is needed",
            )),
        }
    }

    /// What the key is.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::X25519(_) => Algorithm::X25519,
            Self::XWing(_) => Algorithm::XWing,
            Self::Rsa(k) => Algorithm::Rsa { bits: k.bits() },
        }
    }

    /// The matching public key.
    ///
    /// # Errors
    /// [`Error::Backend`] if an RSA public key fails to re-encode.
    pub fn public_key(&self) -> Result<PublicKey> {
        Ok(match self {
            Self::X25519(k) => PublicKey::X25519(k.public_key()),
            Self::XWing(k) => PublicKey::XWing(k.public_key()),
            Self::Rsa(k) => PublicKey::Rsa(rsa_oaep::EncryptionKey::from_pem(
                k.encryption_key().to_pem().as_bytes(),
            )?),
        })
    }

    /// The PKCS#8 PEM encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        match self {
            Self::X25519(k) => k.to_pem(),
            Self::XWing(k) => k.to_pem(),
            Self::Rsa(k) => Ok(k.to_pem()),
        }
    }

    /// Decrypts what [`PublicKey::encrypt`] (or Python's HPKE / OAEP with
    /// the same parameters) made: HPKE single-shot with `info`, or RSA-OAEP
    /// with `info` as the label.
    ///
    /// # Errors
    /// [`Error::InvalidCiphertext`] for anything that does not decrypt.
    pub fn decrypt(&self, info: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            Self::X25519(k) => hpke::open(
                &hpke::PrivateKey::X25519(clone_x25519(k)),
                info,
                b"",
                ciphertext,
            ),
            Self::XWing(k) => {
                let key = hpke::PrivateKey::XWing(k.clone());
                hpke::open(&key, info, b"", ciphertext)
            }
            Self::Rsa(k) => k.decrypt(ciphertext, Some(info)),
        }
    }

    /// Decrypts what [`PublicKey::encrypt_stream`] made, writing the
    /// plaintext as each chunk authenticates.
    ///
    /// # Errors
    /// [`Error::InvalidCiphertext`] for anything that does not decrypt
    /// (keep the output only on `Ok`), [`Error::InvalidKey`] for an RSA key,
    /// [`Error::Io`] if reading or writing fails.
    pub fn decrypt_stream(
        &self,
        info: &[u8],
        reader: impl Read,
        writer: impl Write,
    ) -> Result<u64> {
        let key = match self {
            Self::X25519(k) => hpke::PrivateKey::X25519(clone_x25519(k)),
            Self::XWing(k) => hpke::PrivateKey::XWing(k.clone()),
            Self::Rsa(_) => return Err(Error::InvalidKey(NOT_A_STREAM_KEY)),
        };
        hpke::open_stream(&key, info, reader, writer)
    }
}

/// Streams are HPKE's: RSA-OAEP encrypts small messages only.
const NOT_A_STREAM_KEY: &str =
    "streams need an X25519 or X-Wing key (RSA-OAEP encrypts small messages only)";

fn clone_x25519(k: &x25519::StaticSecret) -> x25519::StaticSecret {
    x25519::StaticSecret::from_bytes(&k.to_bytes())
}

/// A public key to encrypt to. Its text form is PEM; it is read from any
/// text [`PublicKey::from_pem`] reads (PEM, an age recipient `age1…` or
/// `age1pq1…`).
#[derive(Debug)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum PublicKey {
    /// X25519: HPKE suite [`hpke::Suite::X25519`].
    X25519(x25519::PublicKey),
    /// X-Wing: HPKE suite [`hpke::Suite::XWing`].
    XWing(xwing::PublicKey),
    /// RSA: OAEP-SHA256.
    Rsa(rsa_oaep::EncryptionKey),
}

impl PublicKey {
    /// Reads a public key file (PEM or DER).
    ///
    /// # Errors
    /// As [`PrivateKey::from_pem`].
    pub fn from_pem(input: &[u8]) -> Result<Self> {
        match keyfile::read(input)? {
            KeyFile::Public {
                algorithm: Algorithm::X25519,
                spki,
            } => Ok(Self::X25519(x25519::PublicKey::from_spki_der(&spki)?)),
            KeyFile::Public {
                algorithm: Algorithm::XWing,
                spki,
            } => Ok(Self::XWing(xwing::PublicKey::from_spki_der(&spki)?)),
            KeyFile::Public {
                algorithm: Algorithm::Rsa { .. },
                spki,
            } => Ok(Self::Rsa(rsa_oaep::EncryptionKey::from_pem(&spki)?)),
            KeyFile::Public { algorithm, .. } => Err(hx_keys::Error::WrongKeyType {
                expected: "an X25519, X-Wing or RSA key",
                found: algorithm,
            }
            .into()),
            KeyFile::Private { .. } => Err(Error::InvalidKey(
                "this is a private key; give the public key (hx pubkey prints it)",
            )),
        }
    }

    /// The SubjectPublicKeyInfo PEM encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pem(&self) -> Result<String> {
        match self {
            Self::X25519(k) => k.to_pem(),
            Self::XWing(k) => k.to_pem(),
            Self::Rsa(k) => Ok(k.to_pem()),
        }
    }

    /// Encrypts `plaintext`: HPKE single-shot (`enc ‖ ciphertext`) with
    /// `info`, or RSA-OAEP-SHA256 with `info` as the label.
    ///
    /// # Errors
    /// [`Error::MessageTooLong`] for RSA beyond its limit, [`Error::Random`]
    /// if the OS generator fails.
    pub fn encrypt(&self, info: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::X25519(k) => hpke::seal(&hpke::PublicKey::X25519(*k), info, b"", plaintext),
            Self::XWing(k) => hpke::seal(&hpke::PublicKey::XWing(k.clone()), info, b"", plaintext),
            Self::Rsa(k) => k.encrypt(plaintext, Some(info)),
        }
    }

    /// Encrypts a stream of any size in bounded memory: an HPKE stream
    /// ([`hpke::seal_stream`]) with `info`. X25519 and X-Wing keys only.
    ///
    /// ```
    /// use hx_kex::{PrivateKey, hpke};
    /// let me = PrivateKey::generate(hx_keys::Algorithm::X25519)?;
    /// let mut sealed = Vec::new();
    /// me.public_key()?.encrypt_stream(b"backup", &[7u8; 100_000][..], &mut sealed)?;
    /// assert!(sealed.starts_with(hpke::STREAM_PREFIX));
    /// let mut opened = Vec::new();
    /// me.decrypt_stream(b"backup", &sealed[..], &mut opened)?;
    /// assert_eq!(opened, [7u8; 100_000]);
    /// # Ok::<(), hx_kex::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for an RSA key, [`Error::Io`] if reading or
    /// writing fails, [`Error::Random`] if the OS generator fails.
    pub fn encrypt_stream(
        &self,
        info: &[u8],
        reader: impl Read,
        writer: impl Write,
    ) -> Result<u64> {
        let key = match self {
            Self::X25519(k) => hpke::PublicKey::X25519(*k),
            Self::XWing(k) => hpke::PublicKey::XWing(k.clone()),
            Self::Rsa(_) => return Err(Error::InvalidKey(NOT_A_STREAM_KEY)),
        };
        hpke::seal_stream(&key, info, reader, writer)
    }
}

hx_keys::pem_text_form!(PublicKey);
