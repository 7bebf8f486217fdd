//! X-Wing keys (draft-connolly-cfrg-xwing-kem): the hybrid ML-KEM-768 +
//! X25519 KEM used by [`crate::hpke`]'s post-quantum suite.
//!
//! The private key is a 32-byte seed (PKCS#8 under `id-XWing`,
//! 1.3.6.1.4.1.62253.25722, the seed itself as the `privateKey` contents);
//! the public key is the 1216-byte ML-KEM-768 encapsulation key followed by
//! the X25519 public key (SubjectPublicKeyInfo, the bytes themselves).

use core::fmt;

use hpke::{Deserializable as _, Serializable as _};
use hx_keys::Algorithm;
use hx_keys::keyfile::{self, KeyFile};
use zeroize::Zeroizing;

use crate::{Error, Result};

pub(crate) type Kem = crate::xwing_kem::XWingKem;
type KemPrivate = <Kem as hpke::Kem>::PrivateKey;
type KemPublic = <Kem as hpke::Kem>::PublicKey;

/// Bytes in a private key (the seed).
pub const SEED_LEN: usize = 32;
/// Bytes in a public key.
pub const PUBLIC_KEY_LEN: usize = 1216;

/// An X-Wing private key. The seed is zeroized on drop; `Debug` prints
/// `[REDACTED]`. The key is expanded once, when it is made (ML-KEM-768's
/// decapsulation key, on AWS-LC); clones share the expansion.
#[derive(Clone)]
pub struct PrivateKey {
    seed: Zeroizing<[u8; SEED_LEN]>,
    pub(crate) inner: Box<KemPrivate>,
}

impl PrivateKey {
    /// A new key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; SEED_LEN]);
        hx_random::fill(seed.as_mut())?;
        Self::from_seed(&seed)
    }

    /// The key with this seed.
    ///
    /// # Errors
    /// Never for a 32-byte seed ([`Error::InvalidKey`] otherwise).
    pub fn from_seed(seed: &[u8; SEED_LEN]) -> Result<Self> {
        let inner = KemPrivate::from_bytes(seed).map_err(|_| Error::InvalidKey("X-Wing seed"))?;
        Ok(Self {
            seed: Zeroizing::new(*seed),
            inner: Box::new(inner),
        })
    }

    /// The key of an age post-quantum identity (`AGE-SECRET-KEY-PQ-1…`),
    /// whose 32 bytes are the X-Wing seed.
    ///
    /// # Errors
    /// [`Error::KeyFile`] for an X25519 identity.
    pub fn from_age(identity: &hx_keys::age::Identity) -> Result<Self> {
        Self::from_seed(identity.secret_of(Algorithm::XWing)?)
    }

    /// The key as an age post-quantum identity.
    #[must_use]
    pub fn to_age(&self) -> hx_keys::age::Identity {
        hx_keys::age::Identity::xwing(*self.seed)
    }

    /// The seed.
    #[must_use]
    pub fn to_seed(&self) -> Zeroizing<[u8; SEED_LEN]> {
        self.seed.clone()
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: Box::new(<Kem as hpke::Kem>::sk_to_pk(&self.inner)),
        }
    }

    /// Reads a PKCS#8 DER document.
    ///
    /// # Errors
    /// [`Error::KeyFile`] for another algorithm, [`Error::InvalidKey`] if the
    /// seed is not 32 bytes.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let seed = keyfile::pkcs8_private_key(der, Algorithm::XWing)?;
        let seed: &[u8; SEED_LEN] = seed
            .as_slice()
            .try_into()
            .map_err(|_| Error::InvalidKey("X-Wing seed is not 32 bytes"))?;
        Self::from_seed(seed)
    }

    /// Reads a PEM `PRIVATE KEY`.
    ///
    /// # Errors
    /// As [`PrivateKey::from_pkcs8_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match keyfile::read(pem)? {
            KeyFile::Private { pkcs8, .. } => Self::from_pkcs8_der(&pkcs8),
            KeyFile::Public { .. } => Err(Error::InvalidKey(
                "this is a public key; a private key is needed",
            )),
        }
    }

    /// The PKCS#8 DER encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(keyfile::encode_pkcs8(Algorithm::XWing, self.seed.as_ref())?)
    }

    /// The PKCS#8 PEM encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        Ok(keyfile::private_pem(&self.to_pkcs8_der()?))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("xwing::PrivateKey([REDACTED])")
    }
}

/// An X-Wing public key (1216 bytes).
#[derive(Clone)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub struct PublicKey {
    pub(crate) inner: Box<KemPublic>,
}

impl PublicKey {
    /// Reads the 1216-byte encoding.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is not 1216 bytes or not a valid ML-KEM
    /// encapsulation key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != PUBLIC_KEY_LEN {
            return Err(Error::InvalidKey("X-Wing public key is not 1216 bytes"));
        }
        let inner =
            KemPublic::from_bytes(bytes).map_err(|_| Error::InvalidKey("X-Wing public key"))?;
        Ok(Self {
            inner: Box::new(inner),
        })
    }

    /// The 1216-byte encoding.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes().to_vec()
    }

    /// The key of an age post-quantum recipient (`age1pq1…`).
    ///
    /// # Errors
    /// [`Error::KeyFile`] for an X25519 recipient, [`Error::InvalidKey`] if
    /// it is not a valid ML-KEM encapsulation key.
    pub fn from_age(recipient: &hx_keys::age::Recipient) -> Result<Self> {
        Self::from_bytes(recipient.public_key_of(Algorithm::XWing)?)
    }

    /// The key as an age post-quantum recipient (`age1pq1…`).
    ///
    /// ```
    /// use hx_kex::xwing::PrivateKey;
    /// let key = PrivateKey::generate()?;
    /// let recipient = key.public_key().to_age()?;
    /// assert!(recipient.to_string().starts_with("age1pq1"));
    /// let identity = key.to_age();
    /// assert_eq!(PrivateKey::from_age(&identity)?.public_key().to_bytes(), key.public_key().to_bytes());
    /// # Ok::<(), hx_kex::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice (the encoding is always 1,216 bytes).
    pub fn to_age(&self) -> Result<hx_keys::age::Recipient> {
        Ok(hx_keys::age::Recipient::new(
            Algorithm::XWing,
            self.to_bytes(),
        )?)
    }

    /// Reads a SubjectPublicKeyInfo DER document.
    ///
    /// # Errors
    /// As [`PublicKey::from_bytes`], plus [`Error::KeyFile`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        Self::from_bytes(&keyfile::spki_public_key(der, Algorithm::XWing)?)
    }

    /// Reads a PEM `PUBLIC KEY`.
    ///
    /// # Errors
    /// As [`PublicKey::from_spki_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match keyfile::read(pem)? {
            KeyFile::Public { spki, .. } => Self::from_spki_der(&spki),
            KeyFile::Private { .. } => Err(Error::InvalidKey(
                "this is a private key; a public key is needed",
            )),
        }
    }

    /// The SubjectPublicKeyInfo DER encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        Ok(keyfile::encode_spki(Algorithm::XWing, &self.to_bytes())?)
    }

    /// The SubjectPublicKeyInfo PEM encoding.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pem(&self) -> Result<String> {
        Ok(keyfile::public_pem(&self.to_spki_der()?))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "xwing::PublicKey({}…)",
            hex::encode(&self.to_bytes()[..8])
        )
    }
}

hx_keys::pem_text_form!(PublicKey);
