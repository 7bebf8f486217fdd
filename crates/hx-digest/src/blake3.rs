//! BLAKE3 in its three modes: hash, keyed hash (a MAC) and key derivation.

use core::fmt;

use zeroize::{Zeroize, Zeroizing};

use crate::{Digest, Error, Result, Tag};

/// Length of a BLAKE3 key in bytes.
pub const BLAKE3_KEY_LEN: usize = 32;

/// A 256-bit key for [`blake3_keyed_hash`] and [`Blake3Mac`]. Zeroized on drop,
/// `Debug` redacted, compared in constant time.
///
/// # Example
/// ```
/// use hx_digest::{Blake3Key, blake3_keyed_hash};
/// let key = Blake3Key::from_bytes(&[0x42; 32]);
/// let tag = blake3_keyed_hash(&key, b"message");
/// assert_eq!(tag.len(), 32);
/// assert_eq!(format!("{key:?}"), "Blake3Key([REDACTED])");
/// ```
pub struct Blake3Key(Zeroizing<[u8; BLAKE3_KEY_LEN]>);

impl Blake3Key {
    /// Wraps 32 key bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; BLAKE3_KEY_LEN]) -> Self {
        Self(Zeroizing::new(*bytes))
    }

    /// The key bytes. Handle with care: this is secret.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; BLAKE3_KEY_LEN] {
        &self.0
    }
}

impl TryFrom<&[u8]> for Blake3Key {
    type Error = Error;

    fn try_from(bytes: &[u8]) -> Result<Self> {
        let array: [u8; BLAKE3_KEY_LEN] = bytes.try_into().map_err(|_| Error::InvalidLength {
            what: "BLAKE3 key",
            got: bytes.len(),
            min: BLAKE3_KEY_LEN,
            max: BLAKE3_KEY_LEN,
        })?;
        let key = Self::from_bytes(&array);
        let mut array = array;
        array.zeroize();
        Ok(key)
    }
}

impl PartialEq for Blake3Key {
    fn eq(&self, other: &Self) -> bool {
        crate::ct_eq(&self.0[..], &other.0[..])
    }
}

impl Eq for Blake3Key {}

impl fmt::Debug for Blake3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Blake3Key([REDACTED])")
    }
}

/// BLAKE3 keyed hash of `data`: a MAC.
#[must_use]
pub fn blake3_keyed_hash(key: &Blake3Key, data: &[u8]) -> Tag {
    Tag::from_hasher(blake3::keyed_hash(key.expose_secret(), data).as_bytes())
}

/// BLAKE3 key derivation: a 32-byte key for `context` from `key_material`.
///
/// `context` should be a hard-coded, globally unique, application-specific
/// string such as `"example.com 2026-11-28 session tokens v1"`.
///
/// # Example
/// ```
/// use hx_digest::blake3_derive_key;
/// let a = blake3_derive_key("hx docs 2026 encryption", b"master secret");
/// let b = blake3_derive_key("hx docs 2026 signing", b"master secret");
/// assert_ne!(*a, *b);
/// ```
#[must_use]
pub fn blake3_derive_key(context: &str, key_material: &[u8]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(blake3::derive_key(context, key_material))
}

/// A streaming BLAKE3 keyed hash.
///
/// # Example
/// ```
/// use hx_digest::{Blake3Key, Blake3Mac, blake3_keyed_hash};
/// let key = Blake3Key::from_bytes(&[1; 32]);
/// let mut mac = Blake3Mac::new(&key);
/// mac.update(b"hello ");
/// mac.update(b"world");
/// assert_eq!(mac.finalize(), blake3_keyed_hash(&key, b"hello world"));
/// ```
#[derive(Clone)]
pub struct Blake3Mac(Box<blake3::Hasher>);

impl Blake3Mac {
    /// Starts a keyed hash.
    #[must_use]
    pub fn new(key: &Blake3Key) -> Self {
        Self(Box::new(blake3::Hasher::new_keyed(key.expose_secret())))
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// Finishes and returns the 32-byte tag.
    #[must_use]
    pub fn finalize(&self) -> Tag {
        Tag::from_hasher(self.0.finalize().as_bytes())
    }

    /// Finishes and compares with `tag` in constant time.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for any mismatch.
    pub fn verify(&self, tag: &[u8]) -> Result<()> {
        if self.finalize().ct_eq_bytes(tag) {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }
}

impl_write_via_update!(Blake3Mac);

impl Drop for Blake3Mac {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Blake3Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Blake3Mac([REDACTED])")
    }
}

/// BLAKE3 extendable output: fills `out` (any length) with the XOF of `data`.
///
/// # Example
/// ```
/// let mut out = [0u8; 100];
/// hx_digest::blake3_xof(b"seed", &mut out);
/// assert_eq!(&out[..32], hx_digest::hash(hx_digest::Algorithm::Blake3, b"seed").as_bytes());
/// ```
pub fn blake3_xof(data: &[u8], out: &mut [u8]) {
    let mut h = blake3::Hasher::new();
    h.update(data);
    h.finalize_xof().fill(out);
}

/// Returns a [`Digest`] of `data` under BLAKE3 (same as
/// `hash(Algorithm::Blake3, data)`, without the dispatch).
#[must_use]
pub fn blake3_hash(data: &[u8]) -> Digest {
    Digest::from_hasher(blake3::hash(data).as_bytes())
}
