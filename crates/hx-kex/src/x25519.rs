//! X25519 key agreement (RFC 7748) with properly derived keys.
//!
//! [`StaticSecret::agree`] refuses all-zero shared secrets (a peer key of
//! low order); [`SharedSecret::derive`] turns the shared secret into keys
//! with HKDF-SHA256 bound to both public keys; [`client_session_keys`] and
//! [`server_session_keys`] give the pair of (receive, transmit) keys of
//! libsodium's `crypto_kx`, byte for byte.

use core::fmt;

use hx_digest::{Blake2Params, Blake2b, HkdfAlgorithm, Prk};
use hx_keys::Algorithm;
use hx_keys::keyfile::{self, KeyFile};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Bytes in a key (secret or public) and in a shared secret.
pub const KEY_LEN: usize = 32;
/// Most bytes [`SharedSecret::derive`] produces (255 blocks of HKDF-SHA256).
pub const MAX_DERIVED_LEN: usize = 255 * 32;

/// A long-term X25519 secret key. Zeroized on drop; `Debug` prints
/// `[REDACTED]`.
///
/// ```
/// use hx_kex::x25519::StaticSecret;
/// let alice = StaticSecret::generate()?;
/// let bob = StaticSecret::generate()?;
/// let a = alice.agree(&bob.public_key())?.derive(b"session v1", 32)?;
/// let b = bob.agree(&alice.public_key())?.derive(b"session v1", 32)?;
/// assert_eq!(*a, *b);
/// # Ok::<(), hx_kex::Error>(())
/// ```
pub struct StaticSecret {
    bytes: Zeroizing<[u8; KEY_LEN]>,
    public: PublicKey,
    /// The same key inside AWS-LC, parsed once (it wipes it when freed).
    backend: Option<aws_lc_rs::agreement::PrivateKey>,
}

impl StaticSecret {
    /// A new key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        hx_random::fill(bytes.as_mut())?;
        Ok(Self::from_bytes(&bytes))
    }

    /// The key of an age X25519 identity (`AGE-SECRET-KEY-1…`).
    ///
    /// ```
    /// use hx_kex::x25519::StaticSecret;
    /// let identity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX".parse()?;
    /// let key = StaticSecret::from_age(&identity)?;
    /// assert_eq!(
    ///     key.public_key().to_age().to_string(),
    ///     "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"
    /// );
    /// assert_eq!(*key.to_age().to_encoded(), *identity.to_encoded());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::KeyFile`] for a post-quantum identity.
    pub fn from_age(identity: &hx_keys::age::Identity) -> Result<Self> {
        Ok(Self::from_bytes(identity.secret_of(Algorithm::X25519)?))
    }

    /// The key as an age X25519 identity.
    #[must_use]
    pub fn to_age(&self) -> hx_keys::age::Identity {
        // An X25519 identity of 32 bytes is always valid.
        hx_keys::age::Identity::x25519(*self.bytes)
    }

    /// The key with these 32 bytes (clamped when used, as RFC 7748 says).
    #[must_use]
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        use aws_lc_rs::agreement;
        // AWS-LC derives the public key fastest; it cannot fail for 32
        // bytes, and if it ever did, curve25519-dalek gives the same answer.
        let backend = agreement::PrivateKey::from_private_key(&agreement::X25519, bytes).ok();
        #[allow(unused_mut)]
        let mut public = backend
            .as_ref()
            .and_then(|k| k.compute_public_key().ok())
            .and_then(|p| <[u8; KEY_LEN]>::try_from(p.as_ref()).ok())
            .map_or_else(
                || x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*bytes)),
                x25519_dalek::PublicKey::from,
            )
            .to_bytes();
        // The public key is published: under the constant-time check it is
        // not secret, although it is computed from the secret.
        #[cfg(hx_ct_check)]
        hx_digest::ct_check::declassify(&mut public);
        Self {
            bytes: Zeroizing::new(*bytes),
            public: PublicKey(x25519_dalek::PublicKey::from(public)),
            backend,
        }
    }

    /// The 32 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        self.bytes.clone()
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// The shared secret with `peer`.
    ///
    /// The scalar multiplication runs on AWS-LC (its X25519 is constant time
    /// and about twice as fast here as `x25519-dalek`'s Montgomery ladder;
    /// docs/PERFORMANCE.md); the public key is derived with `curve25519-dalek`'s
    /// base-point tables.
    ///
    /// # Errors
    /// [`Error::NonContributory`] if it is all zero (a low-order peer key).
    pub fn agree(&self, peer: &PublicKey) -> Result<SharedSecret> {
        use aws_lc_rs::agreement;
        let parsed;
        let key = match &self.backend {
            Some(key) => key,
            None => {
                parsed = agreement::PrivateKey::from_private_key(
                    &agreement::X25519,
                    self.bytes.as_ref(),
                )
                .map_err(|_| Error::Backend)?;
                &parsed
            }
        };
        let mut raw = Zeroizing::new([0u8; KEY_LEN]);
        // AWS-LC refuses an all-zero result (RFC 7748 §6.1's check); that is
        // the only way this fails for a 32-byte peer key.
        agreement::agree(
            key,
            agreement::UnparsedPublicKey::new(&agreement::X25519, peer.as_bytes()),
            Error::NonContributory,
            |secret| {
                raw.as_mut()
                    .get_mut(..secret.len())
                    .ok_or(Error::Backend)?
                    .copy_from_slice(secret);
                Ok(())
            },
        )?;
        SharedSecret::new(raw, &self.public, peer)
    }

    /// Reads a PKCS#8 DER document (`id-X25519`, RFC 8410).
    ///
    /// # Errors
    /// [`Error::KeyFile`] if it is malformed or of another algorithm.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let inner = keyfile::pkcs8_private_key(der, Algorithm::X25519)?;
        // RFC 8410: CurvePrivateKey ::= OCTET STRING (32 bytes).
        match inner.as_slice() {
            [0x04, 0x20, key @ ..] if key.len() == KEY_LEN => {
                let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
                bytes.copy_from_slice(key);
                Ok(Self::from_bytes(&bytes))
            }
            _ => Err(Error::InvalidKey(
                "X25519 private key is not a 32-byte OCTET STRING",
            )),
        }
    }

    /// Reads a PEM `PRIVATE KEY`.
    ///
    /// # Errors
    /// As [`StaticSecret::from_pkcs8_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match keyfile::read(pem)? {
            KeyFile::Private { pkcs8, .. } => Self::from_pkcs8_der(&pkcs8),
            KeyFile::Public { .. } => Err(Error::InvalidKey(
                "this is a public key; a private key is needed",
            )),
        }
    }

    /// The PKCS#8 DER encoding (as OpenSSL writes it).
    ///
    /// # Errors
    /// Never in practice ([`Error::KeyFile`] if encoding failed).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let mut inner = Zeroizing::new(vec![0x04, 0x20]);
        inner.extend_from_slice(self.bytes.as_ref());
        Ok(keyfile::encode_pkcs8(Algorithm::X25519, &inner)?)
    }

    /// The PKCS#8 PEM encoding.
    ///
    /// # Errors
    /// As [`StaticSecret::to_pkcs8_der`].
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        Ok(keyfile::private_pem(&self.to_pkcs8_der()?))
    }
}

impl fmt::Debug for StaticSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::StaticSecret([REDACTED])")
    }
}

/// A one-use X25519 secret: [`EphemeralSecret::agree`] consumes it, so it
/// cannot be reused by mistake.
pub struct EphemeralSecret(StaticSecret);

impl EphemeralSecret {
    /// A new key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        StaticSecret::generate().map(Self)
    }

    /// The public key to send to the peer.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }

    /// The shared secret with `peer`; the secret key is gone afterwards.
    ///
    /// # Errors
    /// [`Error::NonContributory`] if it is all zero.
    pub fn agree(self, peer: &PublicKey) -> Result<SharedSecret> {
        self.0.agree(peer)
    }
}

impl fmt::Debug for EphemeralSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::EphemeralSecret([REDACTED])")
    }
}

/// An X25519 public key (any 32 bytes; low-order keys are refused at
/// agreement, where the all-zero result shows them).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub struct PublicKey(x25519_dalek::PublicKey);

impl PublicKey {
    /// Reads a 32-byte public key.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is not 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| Error::InvalidKey("X25519 public key is not 32 bytes"))?;
        Ok(Self(x25519_dalek::PublicKey::from(bytes)))
    }

    /// The 32 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
    }

    /// The key of an age X25519 recipient (`age1…`).
    ///
    /// # Errors
    /// [`Error::KeyFile`] for a post-quantum recipient.
    pub fn from_age(recipient: &hx_keys::age::Recipient) -> Result<Self> {
        Self::from_bytes(recipient.public_key_of(Algorithm::X25519)?)
    }

    /// The key as an age recipient (`age1…`).
    #[must_use]
    pub fn to_age(&self) -> hx_keys::age::Recipient {
        hx_keys::age::Recipient::x25519(*self.as_bytes())
    }

    /// Reads a SubjectPublicKeyInfo DER document.
    ///
    /// # Errors
    /// [`Error::KeyFile`] if it is malformed or of another algorithm.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        Self::from_bytes(&keyfile::spki_public_key(der, Algorithm::X25519)?)
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
    /// Never in practice ([`Error::KeyFile`] if encoding failed).
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        Ok(keyfile::encode_spki(Algorithm::X25519, self.as_bytes())?)
    }

    /// The SubjectPublicKeyInfo PEM encoding.
    ///
    /// # Errors
    /// As [`PublicKey::to_spki_der`].
    pub fn to_pem(&self) -> Result<String> {
        Ok(keyfile::public_pem(&self.to_spki_der()?))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "x25519::PublicKey({})", hex::encode(self.as_bytes()))
    }
}

/// The result of an agreement: the raw X25519 output and the two public
/// keys, from which [`SharedSecret::derive`] makes keys. Zeroized on drop.
pub struct SharedSecret {
    secret: Zeroizing<[u8; KEY_LEN]>,
    /// The two public keys in ascending byte order, so both sides agree on
    /// the salt whoever computes it.
    salt: [u8; 2 * KEY_LEN],
}

impl SharedSecret {
    fn new(raw: Zeroizing<[u8; KEY_LEN]>, ours: &PublicKey, theirs: &PublicKey) -> Result<Self> {
        // Checked again here, whatever the backend: an all-zero secret is
        // known to everyone.
        // In constant time: an early exit would tell how many leading bytes
        // of the secret are zero.
        if hx_digest::ct_eq(&raw[..], &[0u8; KEY_LEN]) {
            return Err(Error::NonContributory);
        }
        let (low, high) = if ours.as_bytes() <= theirs.as_bytes() {
            (ours, theirs)
        } else {
            (theirs, ours)
        };
        let mut salt = [0u8; 2 * KEY_LEN];
        salt[..KEY_LEN].copy_from_slice(low.as_bytes());
        salt[KEY_LEN..].copy_from_slice(high.as_bytes());
        Ok(Self { secret: raw, salt })
    }

    /// `len` bytes of key: HKDF-SHA256 with the shared secret as input key
    /// material, the two public keys (ascending) as salt and `info` as info
    /// (docs/FORMAT.md, "X25519 derived keys").
    ///
    /// # Errors
    /// [`Error::InvalidLength`] unless `1 <= len <= 8160`.
    pub fn derive(&self, info: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        if len == 0 || len > MAX_DERIVED_LEN {
            return Err(Error::InvalidLength(
                "derived key length must be 1 to 8160 bytes",
            ));
        }
        let mut out = Zeroizing::new(vec![0u8; len]);
        Prk::extract(
            HkdfAlgorithm::Sha256,
            Some(&self.salt),
            self.secret.as_ref(),
        )
        .expand(info, &mut out)
        .map_err(|_| Error::InvalidLength("derived key length must be 1 to 8160 bytes"))?;
        Ok(out)
    }

    /// The raw X25519 output. Use [`SharedSecret::derive`] for keys; this is
    /// for protocols that do their own derivation.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        &self.secret
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::SharedSecret([REDACTED])")
    }
}

/// A pair of session keys, as libsodium's `crypto_kx` makes them: one to
/// receive with, one to transmit with. Zeroized on drop.
pub struct SessionKeys {
    receive: Zeroizing<[u8; KEY_LEN]>,
    transmit: Zeroizing<[u8; KEY_LEN]>,
}

impl SessionKeys {
    /// The key for data from the peer.
    #[must_use]
    pub fn receive(&self) -> &[u8; KEY_LEN] {
        &self.receive
    }

    /// The key for data to the peer.
    #[must_use]
    pub fn transmit(&self) -> &[u8; KEY_LEN] {
        &self.transmit
    }
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::SessionKeys([REDACTED])")
    }
}

/// BLAKE2b-512(q ‖ client_pk ‖ server_pk), split: what `crypto_kx` hashes.
fn kx_split(
    q: &SharedSecret,
    client: &PublicKey,
    server: &PublicKey,
) -> Result<([u8; 32], [u8; 32])> {
    let mut h = Blake2b::new(&Blake2Params::new(64)).map_err(|_| Error::Backend)?;
    h.update(q.expose_secret());
    h.update(client.as_bytes());
    h.update(server.as_bytes());
    let digest = h.finalize();
    let bytes = digest.as_bytes();
    let mut first = [0u8; 32];
    let mut second = [0u8; 32];
    first.copy_from_slice(bytes.get(..32).ok_or(Error::Backend)?);
    second.copy_from_slice(bytes.get(32..64).ok_or(Error::Backend)?);
    Ok((first, second))
}

/// The client's session keys with `server` (libsodium's
/// `crypto_kx_client_session_keys`): receive = first half, transmit = second.
///
/// # Errors
/// [`Error::NonContributory`] for a low-order server key.
///
/// ```
/// use hx_kex::x25519::{StaticSecret, client_session_keys, server_session_keys};
/// let client = StaticSecret::generate()?;
/// let server = StaticSecret::generate()?;
/// let c = client_session_keys(&client, &server.public_key())?;
/// let s = server_session_keys(&server, &client.public_key())?;
/// assert_eq!(c.transmit(), s.receive());
/// assert_eq!(c.receive(), s.transmit());
/// # Ok::<(), hx_kex::Error>(())
/// ```
pub fn client_session_keys(client: &StaticSecret, server: &PublicKey) -> Result<SessionKeys> {
    let q = client.agree(server)?;
    let (rx, tx) = kx_split(&q, &client.public_key(), server)?;
    Ok(SessionKeys {
        receive: Zeroizing::new(rx),
        transmit: Zeroizing::new(tx),
    })
}

/// The server's session keys with `client` (libsodium's
/// `crypto_kx_server_session_keys`): transmit = first half, receive = second.
///
/// # Errors
/// [`Error::NonContributory`] for a low-order client key.
pub fn server_session_keys(server: &StaticSecret, client: &PublicKey) -> Result<SessionKeys> {
    let q = server.agree(client)?;
    let (tx, rx) = kx_split(&q, client, &server.public_key())?;
    Ok(SessionKeys {
        receive: Zeroizing::new(rx),
        transmit: Zeroizing::new(tx),
    })
}

hx_keys::pem_text_form!(PublicKey);
