//! Algorithm-agnostic keys: read any supported key file, learn what it is,
//! sign or verify with the algorithm's one hx scheme (Ed25519, or RSA-PSS
//! with SHA-256 and a 32-byte salt).

use core::fmt;

use zeroize::Zeroizing;

use crate::{Algorithm, Error, Result, ed25519, rsa};
use hx_keys::der::{self as encoding, OID_ED25519, OID_RSA};
use hx_keys::keyfile::{self, KeyFile};

/// A private key of any signature algorithm hx supports.
///
/// ```
/// use hx_sign::{Algorithm, PrivateKey, PublicKey};
/// let key = PrivateKey::generate(Algorithm::Ed25519)?;
/// let pem = key.to_pem()?;
/// let again = PrivateKey::from_pem(pem.as_bytes())?;
/// assert_eq!(again.algorithm(), Algorithm::Ed25519);
///
/// let sig = again.sign(b"hello")?;
/// let public = PublicKey::from_pem(key.public_key().to_pem()?.as_bytes())?;
/// public.verify(b"hello", &sig)?;
/// # Ok::<(), hx_sign::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateKey {
    /// An Ed25519 signing key.
    Ed25519(ed25519::SigningKey),
    /// An RSA signing key.
    Rsa(rsa::SigningKey),
}

impl PrivateKey {
    /// A new key: `Ed25519` or `Rsa { bits }` with 2048, 3072 or 4096 bits.
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for an algorithm that does not sign,
    /// [`Error::UnsupportedKeySize`] for other RSA sizes, [`Error::Random`] /
    /// [`Error::Backend`] if generation fails.
    pub fn generate(algorithm: Algorithm) -> Result<Self> {
        match algorithm {
            Algorithm::Ed25519 => Ok(Self::Ed25519(ed25519::SigningKey::generate()?)),
            Algorithm::Rsa { bits } => Ok(Self::Rsa(rsa::SigningKey::generate(bits)?)),
            found => Err(Error::WrongKeyType {
                expected: "a signature algorithm",
                found,
            }),
        }
    }

    /// Reads a private key file: PEM `PRIVATE KEY` (PKCS#8) or
    /// `RSA PRIVATE KEY` (PKCS#1), or the same as bare DER.
    ///
    /// # Errors
    /// [`Error::EncryptedKey`] for encrypted keys, [`Error::InvalidKey`] for
    /// malformed ones, [`Error::WrongKeyType`] for X25519 / X-Wing keys,
    /// [`Error::UnsupportedAlgorithm`] for others, [`Error::UnsupportedKeySize`]
    /// for RSA keys outside 2048–8192 bits.
    pub fn from_pem(input: &[u8]) -> Result<Self> {
        match keyfile::read(input)? {
            KeyFile::Private { pkcs8, .. } => Self::from_pkcs8_der(&pkcs8),
            KeyFile::Public { .. } => Err(Error::InvalidKey(
                "this is a public key; a private key is needed",
            )),
        }
    }

    /// Reads a PKCS#8 DER document.
    ///
    /// # Errors
    /// As [`PrivateKey::from_pem`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let (oid, _) = encoding::pkcs8_algorithm(der)?;
        if oid == OID_ED25519 {
            Ok(Self::Ed25519(ed25519::SigningKey::from_pkcs8_der(der)?))
        } else if oid == OID_RSA {
            Ok(Self::Rsa(rsa::SigningKey::from_pkcs8_der(der)?))
        } else {
            Err(crate::error::foreign_algorithm(oid, "a signing key"))
        }
    }

    /// What the key is.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::Ed25519,
            Self::Rsa(k) => Algorithm::Rsa { bits: k.bits() },
        }
    }

    /// The matching public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            Self::Rsa(k) => PublicKey::Rsa(k.verifying_key().clone()),
        }
    }

    /// Signs `message`: Ed25519, or RSA-PSS-SHA256 with a 32-byte salt.
    ///
    /// # Errors
    /// [`Error::Backend`] if the RSA backend fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match self {
            Self::Ed25519(k) => Ok(k.sign(message).to_bytes().to_vec()),
            Self::Rsa(k) => k.sign_pss_sha256(message),
        }
    }

    /// The PKCS#8 PEM encoding.
    ///
    /// # Errors
    /// [`Error::Backend`] if the RSA backend fails to encode.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        match self {
            Self::Ed25519(k) => Ok(k.to_pem()),
            Self::Rsa(k) => k.to_pem(),
        }
    }
}

/// A public key of any signature algorithm hx supports.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum PublicKey {
    /// An Ed25519 verifying key.
    Ed25519(ed25519::VerifyingKey),
    /// An RSA verifying key.
    Rsa(rsa::VerifyingKey),
}

impl PublicKey {
    /// Reads a public key file: PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or
    /// `RSA PUBLIC KEY` (PKCS#1), SubjectPublicKeyInfo as bare DER, or an
    /// OpenSSH public-key line (`ssh-ed25519 …`, `ssh-rsa …`).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed or weak keys and for private keys,
    /// [`Error::WrongKeyType`] for X25519 / X-Wing keys,
    /// [`Error::UnsupportedAlgorithm`] for others, [`Error::UnsupportedKeySize`]
    /// for RSA keys outside 2048–8192 bits.
    ///
    /// ```
    /// let err = hx_sign::PublicKey::from_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    /// assert!(matches!(err, Err(hx_sign::Error::InvalidKey(_))));
    /// ```
    pub fn from_pem(input: &[u8]) -> Result<Self> {
        match keyfile::read(input)? {
            KeyFile::Public { spki, .. } => Self::from_spki_der(&spki),
            KeyFile::Private { .. } => Err(Error::InvalidKey(
                "this is a private key; give the public key (hx pubkey prints it)",
            )),
        }
    }

    /// Reads a SubjectPublicKeyInfo DER document.
    ///
    /// # Errors
    /// As [`PublicKey::from_pem`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let (oid, _) = encoding::spki_algorithm(der)?;
        if oid == OID_ED25519 {
            Ok(Self::Ed25519(ed25519::VerifyingKey::from_spki_der(der)?))
        } else if oid == OID_RSA {
            Ok(Self::Rsa(rsa::VerifyingKey::from_spki_der(der)?))
        } else {
            Err(crate::error::foreign_algorithm(
                oid,
                "a signature verification key",
            ))
        }
    }

    /// What the key is.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::Ed25519,
            Self::Rsa(k) => Algorithm::Rsa { bits: k.bits() },
        }
    }

    /// Verifies `signature` over `message`: strict Ed25519, or
    /// RSA-PSS-SHA256 with a 32-byte salt.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        match self {
            Self::Ed25519(k) => k.verify(message, &ed25519::Signature::from_bytes(signature)?),
            Self::Rsa(k) => k.verify_pss_sha256(message, signature),
        }
    }

    /// The SubjectPublicKeyInfo PEM encoding.
    ///
    /// # Errors
    /// [`Error::Backend`] if the RSA backend fails to encode.
    pub fn to_pem(&self) -> Result<String> {
        match self {
            Self::Ed25519(k) => Ok(k.to_pem()),
            Self::Rsa(k) => k.to_pem(),
        }
    }
}

hx_keys::pem_text_form!(PublicKey);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ed25519(k) => k.fmt(f),
            Self::Rsa(k) => k.fmt(f),
        }
    }
}
