//! The ChaCha20-Poly1305 implementation hx runs: ring's assembly (feature
//! `ring`, the default) or RustCrypto's portable one. XChaCha20-Poly1305 is
//! built on either as draft-irtf-cfrg-xchacha defines it: ChaCha20-Poly1305
//! under the subkey `HChaCha20(key, nonce[0..16])` with the nonce
//! `0^4 ‖ nonce[16..24]` (HChaCha20 from RustCrypto's `chacha20`).

use zeroize::Zeroizing;

use crate::{Error, Result};

/// 32 fresh key bytes from the OS (every hx-aead key type is 256 bits).
pub(crate) fn random_key() -> Result<Zeroizing<[u8; 32]>> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    hx_random::fill(&mut bytes[..])?;
    Ok(bytes)
}

/// Tag length of both AEADs.
pub(crate) const TAG_LEN: usize = 16;

/// A ChaCha20-Poly1305 key, set up once.
pub(crate) struct ChaCha {
    #[cfg(feature = "ring")]
    key: ring::aead::LessSafeKey,
    #[cfg(not(feature = "ring"))]
    key: chacha20poly1305::ChaCha20Poly1305,
}

impl ChaCha {
    pub(crate) fn new(key: &[u8; 32]) -> Result<Self> {
        #[cfg(feature = "ring")]
        {
            let unbound = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, key)
                .map_err(|_| Error::InvalidKey("ChaCha20-Poly1305 keys are 32 bytes"))?;
            Ok(Self {
                key: ring::aead::LessSafeKey::new(unbound),
            })
        }
        #[cfg(not(feature = "ring"))]
        {
            use chacha20poly1305::aead::KeyInit;
            Ok(Self {
                key: chacha20poly1305::ChaCha20Poly1305::new(key.into()),
            })
        }
    }

    /// Encrypts `buf` in place; returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        #[cfg(feature = "ring")]
        {
            use ring::aead::{Aad, Nonce};
            let tag = self
                .key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(*nonce),
                    Aad::from(aad),
                    buf,
                )
                .map_err(|_| Error::InvalidKey("message too long for ChaCha20-Poly1305"))?;
            tag.as_ref()
                .try_into()
                .map_err(|_| Error::InvalidKey("unexpected tag length"))
        }
        #[cfg(not(feature = "ring"))]
        {
            use chacha20poly1305::aead::AeadInOut;
            let tag = self
                .key
                .encrypt_inout_detached(nonce.into(), aad, buf.into())
                .map_err(|_| Error::InvalidKey("message too long for ChaCha20-Poly1305"))?;
            Ok(tag.into())
        }
    }

    /// Decrypts `buf` in place if `tag` authenticates it (with `aad`).
    pub(crate) fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<()> {
        #[cfg(feature = "ring")]
        {
            use ring::aead::{Aad, Nonce};
            self.key
                .open_in_place_separate_tag(
                    Nonce::assume_unique_for_key(*nonce),
                    Aad::from(aad),
                    ring::aead::Tag::from(*tag),
                    buf,
                    0..,
                )
                .map(|_| ())
                .map_err(|_| Error::InvalidToken)
        }
        #[cfg(not(feature = "ring"))]
        {
            use chacha20poly1305::aead::AeadInOut;
            self.key
                .decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into())
                .map_err(|_| Error::InvalidToken)
        }
    }
}

/// An XChaCha20-Poly1305 key. Zeroized on drop.
pub(crate) struct XChaCha {
    key: Zeroizing<[u8; 32]>,
}

impl XChaCha {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        Self {
            key: Zeroizing::new(*key),
        }
    }

    /// The key bytes. Secret.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The per-message ChaCha20-Poly1305 key and nonce.
    fn derive(&self, nonce: &[u8; 24]) -> Result<(ChaCha, [u8; 12])> {
        let (prefix, suffix) = nonce.split_at(16);
        let prefix: &[u8; 16] = prefix.try_into().map_err(|_| Error::InvalidToken)?;
        let mut subkey: Zeroizing<[u8; 32]> = Zeroizing::new(
            chacha20::hchacha::<chacha20::R20>(&(*self.key).into(), &(*prefix).into()).into(),
        );
        let mut short = [0u8; 12];
        short[4..].copy_from_slice(suffix);
        let cipher = ChaCha::new(&subkey);
        zeroize::Zeroize::zeroize(&mut *subkey);
        Ok((cipher?, short))
    }

    pub(crate) fn seal(
        &self,
        nonce: &[u8; 24],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let (cipher, short) = self.derive(nonce)?;
        cipher.seal(&short, aad, buf)
    }

    pub(crate) fn open(
        &self,
        nonce: &[u8; 24],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<()> {
        let (cipher, short) = self.derive(nonce)?;
        cipher.open(&short, aad, buf, tag)
    }
}
