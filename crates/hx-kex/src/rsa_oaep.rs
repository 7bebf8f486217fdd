//! RSA-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1) on AWS-LC, whose
//! decryption is constant time with blinding. The `rsa` crate (and its Marvin
//! advisory, RUSTSEC-2023-0071) is not used, as in hx-sign.

use core::fmt;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{
    OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use hx_keys::Algorithm;
use hx_keys::keyfile::{self, KeyFile};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// An RSA private key (2048–8192 bits) that decrypts RSA-OAEP-SHA256.
pub struct DecryptionKey {
    inner: OaepPrivateDecryptingKey,
    public: EncryptionKey,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl DecryptionKey {
    /// A new key of 2048, 3072 or 4096 bits.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for other sizes, [`Error::Backend`] if AWS-LC fails.
    pub fn generate(bits: usize) -> Result<Self> {
        let size = match bits {
            2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
            3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
            4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
            _ => {
                return Err(Error::InvalidKey(
                    "RSA keys are generated with 2048, 3072 or 4096 bits",
                ));
            }
        };
        Self::new(PrivateDecryptingKey::generate(size).map_err(|_| Error::Backend)?)
    }

    fn new(key: PrivateDecryptingKey) -> Result<Self> {
        let bits = key.key_size_bits();
        if !(2048..=8192).contains(&bits) {
            return Err(hx_keys::Error::UnsupportedKeySize { bits }.into());
        }
        let pkcs8 = Zeroizing::new(key.as_der().map_err(|_| Error::Backend)?.as_ref().to_vec());
        let public = EncryptionKey::new(key.public_key())?;
        let inner = OaepPrivateDecryptingKey::new(key).map_err(|_| Error::InvalidKey("RSA key"))?;
        Ok(Self {
            inner,
            public,
            pkcs8,
        })
    }

    /// Reads a PKCS#8 DER document holding an `rsaEncryption` key.
    ///
    /// # Errors
    /// [`Error::KeyFile`] for other algorithms or sizes outside 2048–8192
    /// bits, [`Error::InvalidKey`] if AWS-LC refuses it.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        match keyfile::read(der)? {
            KeyFile::Private {
                algorithm: Algorithm::Rsa { .. },
                pkcs8,
            } => Self::new(
                PrivateDecryptingKey::from_pkcs8(&pkcs8)
                    .map_err(|_| Error::InvalidKey("malformed or inconsistent RSA private key"))?,
            ),
            KeyFile::Private { algorithm, .. } => Err(hx_keys::Error::WrongKeyType {
                expected: "an RSA key",
                found: algorithm,
            }
            .into()),
            KeyFile::Public { .. } => Err(Error::InvalidKey(
                "this is a public key; a private key is needed",
            )),
        }
    }

    /// Reads a PEM `PRIVATE KEY` or `RSA PRIVATE KEY`.
    ///
    /// # Errors
    /// As [`DecryptionKey::from_pkcs8_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        Self::from_pkcs8_der(pem)
    }

    /// The public key.
    #[must_use]
    pub fn encryption_key(&self) -> &EncryptionKey {
        &self.public
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.inner.key_size_bits()
    }

    /// Decrypts an RSA-OAEP-SHA256 ciphertext, with an optional label.
    ///
    /// # Errors
    /// [`Error::InvalidCiphertext`] for any ciphertext that does not decrypt.
    pub fn decrypt(&self, ciphertext: &[u8], label: Option<&[u8]>) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![0u8; self.inner.min_output_size()]);
        let len = self
            .inner
            .decrypt(
                &OAEP_SHA256_MGF1SHA256,
                ciphertext,
                &mut out,
                label.filter(|l| !l.is_empty()),
            )
            .map_err(|_| Error::InvalidCiphertext)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// The PKCS#8 PEM encoding.
    #[must_use]
    pub fn to_pem(&self) -> Zeroizing<String> {
        keyfile::private_pem(&self.pkcs8)
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rsa_oaep::DecryptionKey({} bits, [REDACTED])",
            self.bits()
        )
    }
}

/// An RSA public key that encrypts RSA-OAEP-SHA256.
pub struct EncryptionKey {
    inner: OaepPublicEncryptingKey,
    spki: Vec<u8>,
}

impl EncryptionKey {
    fn new(key: PublicEncryptingKey) -> Result<Self> {
        let spki = key.as_der().map_err(|_| Error::Backend)?.as_ref().to_vec();
        let inner = OaepPublicEncryptingKey::new(key).map_err(|_| Error::InvalidKey("RSA key"))?;
        Ok(Self { inner, spki })
    }

    /// Reads a SubjectPublicKeyInfo (or PKCS#1) RSA public key, PEM or DER.
    ///
    /// # Errors
    /// [`Error::KeyFile`] for other algorithms or sizes outside 2048–8192 bits.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match keyfile::read(pem)? {
            KeyFile::Public {
                algorithm: Algorithm::Rsa { .. },
                spki,
            } => Self::new(
                PublicEncryptingKey::from_der(&spki)
                    .map_err(|_| Error::InvalidKey("malformed RSA public key"))?,
            ),
            KeyFile::Public { algorithm, .. } => Err(hx_keys::Error::WrongKeyType {
                expected: "an RSA key",
                found: algorithm,
            }
            .into()),
            KeyFile::Private { .. } => Err(Error::InvalidKey(
                "this is a private key; a public key is needed",
            )),
        }
    }

    /// The longest message this key encrypts: modulus bytes − 66.
    #[must_use]
    pub fn max_message_len(&self) -> usize {
        self.inner.max_plaintext_size(&OAEP_SHA256_MGF1SHA256)
    }

    /// Encrypts `message` with RSA-OAEP-SHA256 and an optional label.
    ///
    /// # Errors
    /// [`Error::MessageTooLong`] beyond [`EncryptionKey::max_message_len`],
    /// [`Error::Backend`] if AWS-LC fails.
    pub fn encrypt(&self, message: &[u8], label: Option<&[u8]>) -> Result<Vec<u8>> {
        let max = self.max_message_len();
        if message.len() > max {
            return Err(Error::MessageTooLong { max });
        }
        let mut out = vec![0u8; self.inner.ciphertext_size()];
        let len = self
            .inner
            .encrypt(
                &OAEP_SHA256_MGF1SHA256,
                message,
                &mut out,
                label.filter(|l| !l.is_empty()),
            )
            .map_err(|_| Error::Backend)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// The SubjectPublicKeyInfo PEM encoding.
    #[must_use]
    pub fn to_pem(&self) -> String {
        keyfile::public_pem(&self.spki)
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rsa_oaep::EncryptionKey({} bits)",
            self.inner.key_size_bits()
        )
    }
}
