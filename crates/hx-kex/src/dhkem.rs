//! DHKEM(X25519, HKDF-SHA256), RFC 9180 §4.1, with the X25519 operations on
//! AWS-LC, plugged into the `hpke` crate through its `Kem` trait. The `hpke`
//! crate's own DHKEM runs on `x25519-dalek`, whose Montgomery ladder is about
//! half as fast here; the key schedule, AEAD and contexts stay the crate's.
//! Checked byte for byte against RFC 9180 A.2 (all four modes, sender and
//! receiver) and Python's `cryptography`.

use core::fmt;

use hpke::hybrid_array::Array;
use hpke::hybrid_array::typenum::U32;
use hpke::kem::SharedSecret;
use hpke::{Deserializable, HpkeError, Serializable};
use hx_digest::{HkdfAlgorithm, Prk};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::x25519;

/// RFC 9180 KEM identifier of DHKEM(X25519, HKDF-SHA256).
const KEM_ID: u16 = 0x0020;
/// "KEM" ‖ I2OSP(kem_id, 2).
const SUITE_ID: [u8; 5] = [b'K', b'E', b'M', 0x00, 0x20];

/// The KEM, for `hpke`'s generic functions.
pub(crate) struct X25519Kem;

/// A private key with its public key, derived once.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct PrivateKey {
    secret: [u8; 32],
    #[zeroize(skip)]
    public: [u8; 32],
}

impl PrivateKey {
    pub(crate) fn from_static(key: &x25519::StaticSecret) -> Self {
        Self {
            secret: *key.to_bytes(),
            public: *key.public_key().as_bytes(),
        }
    }

    fn from_secret(secret: &[u8; 32]) -> Self {
        let key = x25519::StaticSecret::from_bytes(secret);
        Self::from_static(&key)
    }

    fn static_secret(&self) -> x25519::StaticSecret {
        x25519::StaticSecret::from_bytes(&self.secret)
    }
}

impl ConstantTimeEq for PrivateKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.secret.ct_eq(&other.secret)
    }
}

impl Serializable for PrivateKey {
    type OutputSize = U32;

    fn write_exact(&self, buf: &mut [u8]) {
        if let Some(out) = buf.get_mut(..32) {
            out.copy_from_slice(&self.secret);
        }
    }
}

impl Deserializable for PrivateKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let secret: Zeroizing<[u8; 32]> = Zeroizing::new(
            encoded
                .try_into()
                .map_err(|_| HpkeError::IncorrectInputLength(32, encoded.len()))?,
        );
        Ok(Self::from_secret(&secret))
    }
}

/// A public key (also the encapsulated key: `enc` is the ephemeral public key).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PublicKey(pub(crate) [u8; 32]);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dhkem::PublicKey({})", hex::encode(self.0))
    }
}

impl Serializable for PublicKey {
    type OutputSize = U32;

    fn write_exact(&self, buf: &mut [u8]) {
        if let Some(out) = buf.get_mut(..32) {
            out.copy_from_slice(&self.0);
        }
    }
}

impl Deserializable for PublicKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        encoded
            .try_into()
            .map(Self)
            .map_err(|_| HpkeError::IncorrectInputLength(32, encoded.len()))
    }
}

/// `LabeledExtract(salt = "", label, ikm)`.
fn labeled_extract(label: &[u8], ikm: &[&[u8]]) -> Prk {
    let mut labeled = Zeroizing::new(Vec::with_capacity(
        64 + ikm.iter().map(|p| p.len()).sum::<usize>(),
    ));
    labeled.extend_from_slice(b"HPKE-v1");
    labeled.extend_from_slice(&SUITE_ID);
    labeled.extend_from_slice(label);
    for part in ikm {
        labeled.extend_from_slice(part);
    }
    Prk::extract(HkdfAlgorithm::Sha256, None, &labeled)
}

/// `LabeledExpand(prk, label, info, 32)`.
fn labeled_expand(
    prk: &Prk,
    label: &[u8],
    info: &[&[u8]],
) -> Result<Zeroizing<[u8; 32]>, HpkeError> {
    let mut labeled = Vec::with_capacity(64 + info.iter().map(|p| p.len()).sum::<usize>());
    labeled.extend_from_slice(&32u16.to_be_bytes());
    labeled.extend_from_slice(b"HPKE-v1");
    labeled.extend_from_slice(&SUITE_ID);
    labeled.extend_from_slice(label);
    for part in info {
        labeled.extend_from_slice(part);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    prk.expand(&labeled, out.as_mut())
        .map_err(|_| HpkeError::KdfOutputTooLong)?;
    Ok(out)
}

/// `DH(sk, pk)`, refusing the all-zero output (RFC 9180 §7.1.4).
fn dh(sk: &PrivateKey, pk: &[u8; 32], error: HpkeError) -> Result<Zeroizing<[u8; 32]>, HpkeError> {
    let peer = x25519::PublicKey::from_bytes(pk).map_err(|_| error)?;
    let shared = sk.static_secret().agree(&peer).map_err(|_| error)?;
    Ok(Zeroizing::new(*shared.expose_secret()))
}

/// `ExtractAndExpand(dh, kem_context)`.
fn extract_and_expand(
    dh: &[&[u8]],
    kem_context: &[&[u8]],
) -> Result<SharedSecret<X25519Kem>, HpkeError> {
    let prk = labeled_extract(b"eae_prk", dh);
    let secret = labeled_expand(&prk, b"shared_secret", kem_context)?;
    Ok(SharedSecret(Array::from(*secret)))
}

impl hpke::Kem for X25519Kem {
    type PublicKey = PublicKey;
    type PrivateKey = PrivateKey;
    type EncappedKey = PublicKey;
    type NSecret = U32;
    const KEM_ID: u16 = KEM_ID;

    fn sk_to_pk(sk: &PrivateKey) -> PublicKey {
        PublicKey(sk.public)
    }

    /// RFC 9180 §7.1.3 for X25519: `sk = LabeledExpand(LabeledExtract("",
    /// "dkp_prk", ikm), "sk", "", 32)`.
    fn derive_keypair(ikm: &[u8]) -> (PrivateKey, PublicKey) {
        let prk = labeled_extract(b"dkp_prk", &[ikm]);
        // Expanding 32 bytes from SHA-256 cannot fail.
        let secret = labeled_expand(&prk, b"sk", &[]).unwrap_or_else(|_| Zeroizing::new([0u8; 32]));
        let sk = PrivateKey::from_secret(&secret);
        let pk = PublicKey(sk.public);
        (sk, pk)
    }

    fn decap(
        sk_recip: &PrivateKey,
        pk_sender_id: Option<&PublicKey>,
        encapped_key: &PublicKey,
    ) -> Result<SharedSecret<Self>, HpkeError> {
        let dh_e = dh(sk_recip, &encapped_key.0, HpkeError::DecapError)?;
        match pk_sender_id {
            None => extract_and_expand(&[dh_e.as_ref()], &[&encapped_key.0, &sk_recip.public]),
            Some(pk_s) => {
                let dh_s = dh(sk_recip, &pk_s.0, HpkeError::DecapError)?;
                extract_and_expand(
                    &[dh_e.as_ref(), dh_s.as_ref()],
                    &[&encapped_key.0, &sk_recip.public, &pk_s.0],
                )
            }
        }
    }

    fn encap_with_rng(
        pk_recip: &PublicKey,
        sender_id_keypair: Option<(&PrivateKey, &PublicKey)>,
        csprng: &mut impl rand_core::CryptoRng,
    ) -> Result<(SharedSecret<Self>, PublicKey), HpkeError> {
        let (sk_e, pk_e) = Self::gen_keypair_with_rng(csprng);
        let dh_e = dh(&sk_e, &pk_recip.0, HpkeError::EncapError)?;
        let secret = match sender_id_keypair {
            None => extract_and_expand(&[dh_e.as_ref()], &[&pk_e.0, &pk_recip.0])?,
            Some((sk_s, pk_s)) => {
                let dh_s = dh(sk_s, &pk_recip.0, HpkeError::EncapError)?;
                extract_and_expand(
                    &[dh_e.as_ref(), dh_s.as_ref()],
                    &[&pk_e.0, &pk_recip.0, &pk_s.0],
                )?
            }
        };
        Ok((secret, pk_e))
    }
}
