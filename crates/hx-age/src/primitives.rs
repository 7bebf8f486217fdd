//! The file key and the few constructions every stanza type shares:
//! HKDF-SHA-256, the header MAC, and the body seal (ChaCha20-Poly1305 with a
//! zero nonce under a single-use wrap key).

use core::fmt;

use hx_aead::hazmat::ChaCha20Poly1305;
use hx_digest::{HkdfAlgorithm, HmacAlgorithm, HmacKey, Prk};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Bytes of a file key.
pub const FILE_KEY_LEN: usize = 16;
/// Bytes of a stanza body that wraps a file key (the key and a tag).
pub(crate) const WRAPPED_LEN: usize = FILE_KEY_LEN + 16;

/// The 128-bit key of one file, wrapped in every stanza. Zeroized on drop;
/// `Debug` shows `[REDACTED]`.
#[derive(Clone)]
pub struct FileKey(Zeroizing<[u8; FILE_KEY_LEN]>);

impl FileKey {
    /// A new key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        let mut key = Zeroizing::new([0u8; FILE_KEY_LEN]);
        hx_random::fill(key.as_mut())?;
        Ok(Self(key))
    }

    /// The key with these bytes (for an [`crate::Identity`] that unwrapped
    /// them).
    #[must_use]
    pub fn from_bytes(bytes: [u8; FILE_KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The key's bytes.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; FILE_KEY_LEN] {
        &self.0
    }

    /// `HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header")`.
    fn header_key(&self) -> Result<HmacKey> {
        let key = hkdf(&[], self.expose_secret(), b"header")?;
        HmacKey::new(HmacAlgorithm::Sha256, key.as_ref()).map_err(|_| Error::Backend("HMAC key"))
    }

    /// The header MAC over `authenticated` (the header up to `---`).
    pub(crate) fn header_mac(&self, authenticated: &[u8]) -> Result<[u8; 32]> {
        self.header_key()?
            .sign(authenticated)
            .as_bytes()
            .try_into()
            .map_err(|_| Error::Backend("HMAC length"))
    }

    /// Checks the header MAC in constant time.
    pub(crate) fn verify_header_mac(&self, authenticated: &[u8], mac: &[u8; 32]) -> Result<()> {
        self.header_key()?
            .verify(authenticated, mac)
            .map_err(|_| Error::HeaderMac)
    }

    /// The payload key for `nonce`.
    pub(crate) fn payload_key(&self, nonce: &[u8; 16]) -> Result<Zeroizing<[u8; 32]>> {
        hkdf(nonce, self.expose_secret(), b"payload")
    }
}

impl fmt::Debug for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileKey([REDACTED])")
    }
}

/// HKDF-SHA-256 with 32 bytes of output.
pub(crate) fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    Prk::extract(HkdfAlgorithm::Sha256, Some(salt), ikm)
        .expand(info, out.as_mut())
        .map_err(|_| Error::Backend("HKDF"))?;
    Ok(out)
}

/// A stanza body: the file key sealed under `wrap_key` (single use, so the
/// zero nonce is safe).
pub(crate) fn seal_file_key(wrap_key: &[u8; 32], file_key: &FileKey) -> Result<Vec<u8>> {
    let aead = ChaCha20Poly1305::new(wrap_key).map_err(|_| Error::Backend("ChaCha20-Poly1305"))?;
    let mut body = file_key.expose_secret().to_vec();
    let tag = aead
        .seal_in_place(&[0; 12], b"", &mut body)
        .map_err(|_| Error::Backend("ChaCha20-Poly1305"))?;
    body.extend_from_slice(&tag);
    Ok(body)
}

/// The file key in a stanza body, if `wrap_key` opens it. The caller has
/// checked that the body is [`WRAPPED_LEN`] bytes.
pub(crate) fn open_file_key(wrap_key: &[u8; 32], body: &[u8]) -> Option<FileKey> {
    let aead = ChaCha20Poly1305::new(wrap_key).ok()?;
    let (sealed, tag) = body.split_at_checked(FILE_KEY_LEN)?;
    let tag: &[u8; 16] = tag.try_into().ok()?;
    let mut key = Zeroizing::new([0u8; FILE_KEY_LEN]);
    key.copy_from_slice(sealed);
    aead.open_in_place(&[0; 12], b"", key.as_mut(), tag).ok()?;
    Some(FileKey(key))
}
