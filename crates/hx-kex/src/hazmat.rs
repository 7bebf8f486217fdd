//! Operations with caller-chosen randomness, for test vectors only. Reusing
//! an ephemeral input reuses the encapsulated key and every derived key.

use crate::Result;
use crate::hpke::{Psk, PublicKey, Sender};
use crate::x25519::StaticSecret;

/// [`crate::hpke::sender_with_mode`] with the KEM's randomness given: RFC 9180's
/// `ikmE` for DHKEM(X25519) (32 bytes, run through DeriveKeyPair), the raw
/// 64-byte encapsulation randomness for X-Wing.
///
/// # Errors
/// As [`crate::hpke::sender`].
pub fn hpke_sender_with_randomness(
    recipient: &PublicKey,
    info: &[u8],
    psk: Option<Psk<'_>>,
    auth: Option<&StaticSecret>,
    randomness: &[u8],
) -> Result<(Vec<u8>, Sender)> {
    let mut rng = FixedRandomness {
        bytes: randomness,
        pos: 0,
    };
    crate::hpke::sender_with_rng(recipient, info, psk, auth, &mut rng, true)
}

/// Serves fixed bytes, then zeros.
struct FixedRandomness<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl rand_core::TryRng for FixedRandomness<'_> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        rand_core::utils::next_word_via_fill(self)
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        rand_core::utils::next_word_via_fill(self)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> core::result::Result<(), Self::Error> {
        for b in dest {
            *b = self.bytes.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for FixedRandomness<'_> {}

/// X-Wing decapsulation alone (no HPKE): the KEM's 32-byte shared secret,
/// for the X-Wing draft's and the concrete-hybrid-KEMs test vectors.
///
/// # Errors
/// [`crate::Error::InvalidCiphertext`] for a ciphertext that is not 1,120
/// bytes or whose X25519 share is of low order.
pub fn xwing_decapsulate(
    key: &crate::xwing::PrivateKey,
    ciphertext: &[u8],
) -> Result<zeroize::Zeroizing<[u8; 32]>> {
    use hpke::{Deserializable as _, Kem as _};
    type Kem = crate::xwing::Kem;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(ciphertext)
        .map_err(|_| crate::Error::InvalidCiphertext)?;
    let secret = Kem::decap(&key.inner, None, &enc).map_err(|_| crate::Error::InvalidCiphertext)?;
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    out.copy_from_slice(secret.0.as_slice());
    Ok(out)
}
