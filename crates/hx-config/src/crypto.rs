//! The file's keys: a random 256-bit data key per file generation, from which
//! HKDF-SHA256 derives the value key (XChaCha20-Poly1305) and the MAC key
//! (HMAC-SHA256), both salted with the file id. See docs/FORMAT.md.

use core::fmt;

use hx_aead::hazmat::{ChaChaVariant, chacha_open, chacha_seal};
use hx_digest::{HkdfAlgorithm, HmacAlgorithm, HmacKey, Prk};
use zeroize::Zeroizing;

use crate::Result;

/// Domain separation strings (docs/FORMAT.md).
pub(crate) const VALUE_KEY_INFO: &[u8] = b"hx-config v1 value key";
pub(crate) const MAC_KEY_INFO: &[u8] = b"hx-config v1 mac key";
pub(crate) const VALUE_AD: &[u8] = b"hx-config v1 value\0";
pub(crate) const WRAP_INFO: &[u8] = b"hx-config v1 wrap\0";

/// Nonce bytes at the front of a sealed value.
pub(crate) const NONCE_LEN: usize = 24;
/// Tag bytes at the end of a sealed value.
pub(crate) const TAG_LEN: usize = 16;

/// The data key of one file generation.
pub(crate) struct DataKey(pub(crate) Zeroizing<[u8; 32]>);

impl DataKey {
    pub(crate) fn generate() -> Result<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        hx_random::fill(&mut key[..])?;
        Ok(Self(key))
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(*bytes)))
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

/// The keys derived from a data key for one file.
pub(crate) struct FileKeys {
    value: Zeroizing<[u8; 32]>,
    mac: HmacKey,
}

impl fmt::Debug for FileKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileKeys([REDACTED])")
    }
}

impl FileKeys {
    pub(crate) fn derive(data_key: &DataKey, file_id: &[u8; 16]) -> Result<Self> {
        let prk = Prk::extract(HkdfAlgorithm::Sha256, Some(file_id), &data_key.0[..]);
        let mut value = Zeroizing::new([0u8; 32]);
        let mut mac = Zeroizing::new([0u8; 32]);
        prk.expand(VALUE_KEY_INFO, &mut value[..])
            .and_then(|()| prk.expand(MAC_KEY_INFO, &mut mac[..]))
            .map_err(|_| crate::Error::TooLarge("HKDF output"))?;
        let mac = HmacKey::new(HmacAlgorithm::Sha256, &mac[..])
            .map_err(|_| crate::Error::TooLarge("HMAC key"))?;
        Ok(Self { value, mac })
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext` for `path`, with a fresh
    /// random nonce.
    pub(crate) fn seal(&self, path: &str, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        hx_random::fill(&mut nonce)?;
        self.seal_with_nonce(path, plaintext, &nonce)
    }

    pub(crate) fn seal_with_nonce(
        &self,
        path: &str,
        plaintext: &[u8],
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Vec<u8>> {
        let ad = value_ad(path);
        let body = chacha_seal(
            ChaChaVariant::XChaCha20Poly1305,
            &self.value[..],
            nonce,
            &ad,
            plaintext,
        )?;
        let mut out = Vec::with_capacity(NONCE_LEN + body.len());
        out.extend_from_slice(nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// The plaintext of a sealed value, if it authenticates for `path`.
    pub(crate) fn open(&self, path: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        chacha_open(
            ChaChaVariant::XChaCha20Poly1305,
            &self.value[..],
            nonce,
            &value_ad(path),
            body,
        )
        .ok()
    }

    pub(crate) fn mac(&self) -> &HmacKey {
        &self.mac
    }
}

fn value_ad(path: &str) -> Vec<u8> {
    let mut ad = Vec::with_capacity(VALUE_AD.len() + path.len());
    ad.extend_from_slice(VALUE_AD);
    ad.extend_from_slice(path.as_bytes());
    ad
}

/// The HPKE `info` / keyring context that binds a wrapped data key to its
/// file.
pub(crate) fn wrap_info(file_id: &[u8; 16]) -> Vec<u8> {
    let mut info = WRAP_INFO.to_vec();
    info.extend_from_slice(file_id);
    info
}
