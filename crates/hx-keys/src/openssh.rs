//! OpenSSH keys: public-key lines (`ssh-ed25519 AAAA… comment`,
//! `ssh-rsa AAAA…`, as in `id_ed25519.pub` and `authorized_keys`) and
//! `openssh-key-v1` private keys (`-----BEGIN OPENSSH PRIVATE KEY-----`),
//! unencrypted; an encrypted one is refused with [`Error::EncryptedKey`].
//!
//! Each converts to and from the DER documents hx's other key files hold
//! (PKCS#8 and SubjectPublicKeyInfo), so an SSH key works wherever a PEM key
//! does. Parsing is RustCrypto's `ssh-key`, which checks the checksums,
//! padding and public/private consistency of the private-key format.
//!
//! ```
//! use hx_keys::openssh::PublicKey;
//! use hx_keys::Algorithm;
//!
//! let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti foo@bar.com";
//! let key: PublicKey = line.parse()?;
//! assert_eq!(key.algorithm(), Algorithm::Ed25519);
//! assert_eq!(key.comment(), "foo@bar.com");
//! assert_eq!(key.to_string(), line);
//! assert!(key.fingerprint().starts_with("SHA256:"));
//! # Ok::<(), hx_keys::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use ssh_key::private::{Ed25519Keypair, KeypairData, RsaKeypair, RsaPrivateKey};
use ssh_key::public::{Ed25519PublicKey, KeyData, RsaPublicKey};
use ssh_key::{HashAlg, LineEnding, Mpint};
use zeroize::Zeroizing;

use crate::{Algorithm, Error, Result, keyfile, rsa};

/// Most bytes of a public-key line hx reads (an RSA-8192 line is about
/// 1.4 KB; comments are short).
pub const MAX_PUBLIC_LINE: usize = 16 * 1024;

/// An OpenSSH public key, Ed25519 or RSA, with its comment.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub struct PublicKey {
    key: ssh_key::PublicKey,
    algorithm: Algorithm,
}

/// A comment that is not UTF-8 (OpenSSH stores bytes) is replaced by its
/// lossy UTF-8 form, so that every key has one text form.
fn utf8_comment(comment: &ssh_key::Comment) -> Option<String> {
    match String::from_utf8_lossy(comment.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(fixed) => Some(fixed),
    }
}

impl PublicKey {
    fn from_ssh(mut key: ssh_key::PublicKey) -> Result<Self> {
        if let Some(fixed) = utf8_comment(key.comment()) {
            key.set_comment(fixed);
        }
        let algorithm = match key.key_data() {
            KeyData::Ed25519(_) => Algorithm::Ed25519,
            KeyData::Rsa(rsa) => Algorithm::Rsa {
                bits: rsa::public_modulus_bits(&pkcs1_public(rsa)?)?,
            },
            other => return Err(unsupported(other.algorithm().as_str())),
        };
        Ok(Self { key, algorithm })
    }

    /// The key in SSH's wire encoding (RFC 4253 §6.6): what an SSH agent,
    /// a certificate or age's SSH stanza tag hashes.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn from_wire(blob: &[u8]) -> Result<Self> {
        let key = ssh_key::PublicKey::from_bytes(blob)
            .map_err(|_| Error::InvalidKey("malformed SSH public key"))?;
        Self::from_ssh(key)
    }

    /// The key in SSH's wire encoding (RFC 4253 §6.6).
    ///
    /// ```
    /// # let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";
    /// let key: hx_keys::openssh::PublicKey = line.parse()?;
    /// let blob = key.to_wire()?;
    /// assert_eq!(&blob[4..15], b"ssh-ed25519");
    /// assert_eq!(hx_keys::openssh::PublicKey::from_wire(&blob)?, key);
    /// # Ok::<(), hx_keys::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn to_wire(&self) -> Result<Vec<u8>> {
        self.key
            .to_bytes()
            .map_err(|_| Error::InvalidKey("SSH public key does not encode"))
    }

    /// [`Algorithm::Ed25519`] or [`Algorithm::Rsa`].
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The comment (often `user@host`), empty if there is none.
    #[must_use]
    pub fn comment(&self) -> &str {
        self.key.comment().as_str_lossy()
    }

    /// The same key with another comment.
    #[must_use]
    pub fn with_comment(mut self, comment: &str) -> Self {
        self.key.set_comment(comment);
        self
    }

    /// The SHA-256 fingerprint as `ssh-keygen -l` prints it
    /// (`SHA256:` and unpadded base64).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The raw public key: Ed25519's 32 bytes, or RSA's PKCS#1
    /// `RSAPublicKey`.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn public_key(&self) -> Result<Vec<u8>> {
        match self.key.key_data() {
            KeyData::Ed25519(key) => Ok(key.0.to_vec()),
            KeyData::Rsa(key) => pkcs1_public(key),
            _ => Err(Error::InvalidKey("unsupported SSH key")),
        }
    }

    /// The key as a SubjectPublicKeyInfo document.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn to_spki(&self) -> Result<Vec<u8>> {
        keyfile::encode_spki(self.algorithm, &self.public_key()?)
    }

    /// The Ed25519 or RSA key of a SubjectPublicKeyInfo document, with
    /// `comment`.
    ///
    /// ```
    /// use hx_keys::{keyfile, openssh::PublicKey, Algorithm};
    /// let spki = keyfile::encode_spki(Algorithm::Ed25519, &[0x11; 32])?;
    /// let key = PublicKey::from_spki(&spki, "me@example")?;
    /// assert!(key.to_string().starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
    /// assert_eq!(key.to_spki()?, spki);
    /// # Ok::<(), hx_keys::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for a key of another algorithm, the errors of
    /// [`keyfile::spki_public_key`] for a malformed one.
    pub fn from_spki(spki: &[u8], comment: &str) -> Result<Self> {
        let data = match spki_algorithm(spki)? {
            Algorithm::Ed25519 => {
                let bytes = keyfile::spki_public_key(spki, Algorithm::Ed25519)?;
                let key = <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| Error::InvalidKey("Ed25519 public key of the wrong length"))?;
                KeyData::Ed25519(Ed25519PublicKey(key))
            }
            rsa_alg => {
                let pkcs1 = keyfile::spki_public_key(spki, rsa_alg)?;
                rsa::public_modulus_bits(&pkcs1)?;
                let (n, e) = rsa::decode_public(&pkcs1)?;
                KeyData::Rsa(
                    RsaPublicKey::new(Mpint::from_positive_bytes(e), Mpint::from_positive_bytes(n))
                        .map_err(|_| Error::InvalidKey("malformed RSA public key"))?,
                )
            }
        };
        Self::from_ssh(ssh_key::PublicKey::new(data, comment))
    }
}

impl FromStr for PublicKey {
    type Err = Error;

    /// Parses one public-key line: `ssh-ed25519` or `ssh-rsa`, base64 of
    /// the wire encoding (which must name the same type), an optional
    /// comment; surrounding whitespace and a line end are allowed.
    fn from_str(line: &str) -> Result<Self> {
        if line.len() > MAX_PUBLIC_LINE {
            return Err(Error::InvalidKey("SSH public key line longer than 16 KiB"));
        }
        let line = line.trim();
        if line.contains(['\n', '\r']) {
            return Err(Error::InvalidKey("more than one line"));
        }
        let name = line.split_ascii_whitespace().next().unwrap_or_default();
        let key = ssh_key::PublicKey::from_openssh(line).map_err(|_| match name {
            "ssh-ed25519" | "ssh-rsa" => Error::InvalidKey("malformed SSH public key"),
            n if n.starts_with("ssh-") || n.starts_with("ecdsa-") || n.starts_with("sk-") => {
                unsupported(n)
            }
            _ => Error::InvalidKey("not an SSH public key (ssh-ed25519 AAAA… or ssh-rsa AAAA…)"),
        })?;
        Self::from_ssh(key)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key.to_openssh().map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.to_string()).finish()
    }
}

/// An OpenSSH private key (`openssh-key-v1`, unencrypted), Ed25519 or RSA,
/// with its comment. `Debug` shows `[REDACTED]`; the key material is
/// zeroized on drop.
///
/// ```
/// use hx_keys::openssh::PrivateKey;
/// use hx_keys::{keyfile, Algorithm};
///
/// // An Ed25519 seed as PKCS#8, out as an OpenSSH key file and back.
/// let mut field = vec![0x04, 0x20];
/// field.extend_from_slice(&[0x5a; 32]);
/// let pkcs8 = keyfile::encode_pkcs8(Algorithm::Ed25519, &field)?;
/// let key = PrivateKey::from_pkcs8(&pkcs8, "deploy@ci")?;
/// let text = key.to_openssh()?;
/// assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
/// let again = PrivateKey::from_openssh(text.as_bytes())?;
/// assert_eq!(*again.to_pkcs8()?, *pkcs8);
/// assert_eq!(again.public_key().comment(), "deploy@ci");
/// # Ok::<(), hx_keys::Error>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    key: ssh_key::PrivateKey,
    public: PublicKey,
}

impl PrivateKey {
    fn from_ssh(mut key: ssh_key::PrivateKey) -> Result<Self> {
        if key.is_encrypted() {
            return Err(Error::EncryptedKey);
        }
        if let Some(fixed) = utf8_comment(key.comment()) {
            key.set_comment(fixed);
        }
        match key.key_data() {
            KeypairData::Ed25519(_) | KeypairData::Rsa(_) => {}
            _ => {
                let algorithm = key.algorithm();
                return Err(unsupported(algorithm.as_str()));
            }
        }
        let public = PublicKey::from_ssh(key.public_key().clone())?;
        Ok(Self { key, public })
    }

    /// Reads an OpenSSH private key file.
    ///
    /// # Errors
    /// [`Error::EncryptedKey`] for a key protected by a passphrase,
    /// [`Error::UnsupportedKeyType`] for ECDSA, DSA or security-key types,
    /// [`Error::UnsupportedKeySize`] for RSA outside 2048–8192 bits,
    /// [`Error::InvalidKey`] for anything malformed.
    pub fn from_openssh(text: &[u8]) -> Result<Self> {
        if text.len() > crate::der::MAX_KEY_FILE {
            return Err(Error::InvalidKey("key file larger than 64 KiB"));
        }
        let key = ssh_key::PrivateKey::from_openssh(text).map_err(|e| match e {
            ssh_key::Error::Encrypted => Error::EncryptedKey,
            _ => Error::InvalidKey("malformed OpenSSH private key"),
        })?;
        Self::from_ssh(key)
    }

    /// The key as an OpenSSH private key file (LF line ends), as
    /// `ssh-keygen` writes it unencrypted.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn to_openssh(&self) -> Result<Zeroizing<String>> {
        self.key
            .to_openssh(LineEnding::LF)
            .map_err(|_| Error::InvalidKey("OpenSSH private key does not encode"))
    }

    /// [`Algorithm::Ed25519`] or [`Algorithm::Rsa`].
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.public.algorithm
    }

    /// The public half, with the key's comment.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key as a PKCS#8 document: Ed25519's seed, or RSA's PKCS#1
    /// `RSAPrivateKey` with the CRT exponents (which OpenSSH does not
    /// store) computed.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for an RSA key whose primes are malformed.
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        match self.key.key_data() {
            KeypairData::Ed25519(pair) => {
                let mut field = Zeroizing::new(vec![0x04, 0x20]);
                field.extend_from_slice(pair.private.as_ref());
                keyfile::encode_pkcs8(Algorithm::Ed25519, &field)
            }
            KeypairData::Rsa(pair) => {
                let private = pair.private();
                let public = pair.public();
                let pkcs1 = rsa::encode_private(&rsa::PrivateParts {
                    n: part(public.n())?,
                    e: part(public.e())?,
                    d: part(private.d())?,
                    p: part(private.p())?,
                    q: part(private.q())?,
                    q_inverse: part(private.iqmp())?,
                })?;
                keyfile::encode_pkcs8(self.algorithm(), &pkcs1)
            }
            _ => Err(Error::InvalidKey("unsupported SSH key")),
        }
    }

    /// An OpenSSH private key from an Ed25519 or RSA PKCS#8 document, with
    /// `comment`; the public half is derived (Ed25519) or read (RSA).
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for another algorithm, the errors of
    /// [`keyfile::pkcs8_private_key`] and [`rsa::decode_private`] for a
    /// malformed key.
    pub fn from_pkcs8(pkcs8: &[u8], comment: &str) -> Result<Self> {
        let data = match keyfile::read(pkcs8)? {
            keyfile::KeyFile::Private {
                algorithm: Algorithm::Ed25519,
                pkcs8,
            } => {
                let field = keyfile::pkcs8_private_key(&pkcs8, Algorithm::Ed25519)?;
                let seed = field
                    .strip_prefix(&[0x04, 0x20][..])
                    .and_then(|s| <&[u8; 32]>::try_from(s).ok())
                    .ok_or(Error::InvalidKey("Ed25519 private key of the wrong length"))?;
                KeypairData::Ed25519(Ed25519Keypair::from_seed(seed))
            }
            keyfile::KeyFile::Private {
                algorithm: algorithm @ Algorithm::Rsa { .. },
                pkcs8,
            } => {
                let pkcs1 = keyfile::pkcs8_private_key(&pkcs8, algorithm)?;
                let parts = rsa::decode_private(&pkcs1)?;
                let bad = |_| Error::InvalidKey("malformed RSA private key");
                let public = RsaPublicKey::new(
                    Mpint::from_positive_bytes(parts.e),
                    Mpint::from_positive_bytes(parts.n),
                )
                .map_err(bad)?;
                let private = RsaPrivateKey::new(
                    Mpint::from_positive_bytes(parts.d),
                    Mpint::from_positive_bytes(parts.q_inverse),
                    Mpint::from_positive_bytes(parts.p),
                    Mpint::from_positive_bytes(parts.q),
                )
                .map_err(bad)?;
                KeypairData::Rsa(RsaKeypair::new(public, private).map_err(bad)?)
            }
            keyfile::KeyFile::Private { algorithm, .. } => {
                return Err(Error::WrongKeyType {
                    expected: "an Ed25519 or RSA key",
                    found: algorithm,
                });
            }
            keyfile::KeyFile::Public { .. } => {
                return Err(Error::InvalidKey(
                    "a public key where a private key is needed",
                ));
            }
        };
        let key = ssh_key::PrivateKey::new(data, comment)
            .map_err(|_| Error::InvalidKey("OpenSSH private key does not encode"))?;
        Self::from_ssh(key)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .field("private", &format_args!("[REDACTED]"))
            .finish()
    }
}

/// The first line of an OpenSSH private key file.
pub const PRIVATE_KEY_BEGIN: &[u8] = b"-----BEGIN OPENSSH PRIVATE KEY-----";

/// Whether `text` looks like an OpenSSH private key file.
#[must_use]
pub fn looks_like_private_key(text: &[u8]) -> bool {
    text.trim_ascii_start().starts_with(PRIVATE_KEY_BEGIN)
}

/// Whether `text` looks like an OpenSSH public-key line of a type hx reads.
#[must_use]
pub fn looks_like_public_key(text: &[u8]) -> bool {
    let text = text.trim_ascii_start();
    text.starts_with(b"ssh-ed25519 ") || text.starts_with(b"ssh-rsa ")
}

/// The magnitude of a positive SSH integer.
fn part(m: &Mpint) -> Result<&[u8]> {
    m.as_positive_bytes()
        .ok_or(Error::InvalidKey("malformed RSA key"))
}

fn pkcs1_public(key: &RsaPublicKey) -> Result<Vec<u8>> {
    let bad = || Error::InvalidKey("malformed RSA public key");
    rsa::encode_public(
        key.n().as_positive_bytes().ok_or_else(bad)?,
        key.e().as_positive_bytes().ok_or_else(bad)?,
    )
}

fn spki_algorithm(spki: &[u8]) -> Result<Algorithm> {
    let (oid, _) = crate::der::spki_algorithm(spki)?;
    if oid == crate::der::OID_ED25519 {
        Ok(Algorithm::Ed25519)
    } else if oid == crate::der::OID_RSA {
        Ok(Algorithm::Rsa { bits: 0 })
    } else {
        Err(crate::der::foreign_algorithm(oid, "an Ed25519 or RSA key"))
    }
}

fn unsupported(name: &str) -> Error {
    Error::UnsupportedKeyType(
        name.chars()
            .filter(char::is_ascii_graphic)
            .take(64)
            .collect(),
    )
}
