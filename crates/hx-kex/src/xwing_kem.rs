//! X-Wing (draft-connolly-cfrg-xwing-kem; MLKEM768-X25519 of HPKE-PQ) with
//! the decapsulation key expanded once and ML-KEM-768 decapsulation and
//! X25519 on AWS-LC, plugged into the `hpke` crate through its `Kem` trait.
//!
//! The `hpke` crate's own X-Wing keeps only the 32-byte seed and expands it
//! (SHAKE256, ML-KEM key generation, an X25519 base-point multiplication) on
//! every decapsulation. Here a private key is expanded when it is made, the
//! expanded ML-KEM key handed to AWS-LC; encapsulation stays RustCrypto's
//! `ml-kem` (deterministic from the randomness HPKE's test vectors give),
//! with X25519 on AWS-LC. Checked against the X-Wing draft's and the
//! concrete-hybrid-KEMs vectors, HPKE-PQ's, and Python's `cryptography`.

use std::sync::Arc;

use aws_lc_rs::kem::{
    DecapsulationKey as AwsDecapsulationKey, EncapsulationKey as AwsEncapsulationKey, ML_KEM_768,
};
use hpke::hybrid_array::Array;
use hpke::hybrid_array::typenum::{Prod, Sum, U3, U32, U64, U1024, Unsigned};
use hpke::kem::SharedSecret;
use hpke::{Deserializable, HpkeError, Serializable};
#[allow(deprecated)]
use ml_kem::ExpandedKeyEncoding as _;
use ml_kem::{KeyExport as _, MlKem768};
use shake::{ExtendableOutput, Update, XofReader};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::x25519;

type U1216 = Sum<U1024, Prod<U64, U3>>;
type U1120 = Sum<Sum<U1024, U64>, U32>;

/// Bytes of an ML-KEM-768 encapsulation key and ciphertext.
const MLKEM_EK_LEN: usize = 1184;
const MLKEM_CT_LEN: usize = 1088;
/// X-Wing's domain separator, `\./` `/^\`.
const LABEL: [u8; 6] = [0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c];

/// The KEM, for `hpke`'s generic functions: ML-KEM-768 encapsulation on
/// AWS-LC.
pub(crate) struct XWingKem;

/// The same KEM encapsulating from the randomness it is given (RustCrypto's
/// deterministic ML-KEM encapsulation): for HPKE's test vectors only.
pub(crate) struct XWingKemDerand;

/// A public key: ML-KEM-768's encapsulation key (parsed once) and X25519's.
#[derive(Clone)]
pub(crate) struct PublicKey {
    bytes: Box<[u8; 1216]>,
    /// For encapsulation from given randomness (test vectors).
    mlkem: Arc<ml_kem::EncapsulationKey<MlKem768>>,
    /// For encapsulation on AWS-LC, its randomness from AWS-LC's generator
    /// (seeded from the operating system).
    aws: Arc<AwsEncapsulationKey>,
}

impl PublicKey {
    fn x25519(&self) -> &[u8] {
        &self.bytes[MLKEM_EK_LEN..]
    }
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "xwing::PublicKey({})", hex::encode(&self.bytes[..8]))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl Serializable for PublicKey {
    type OutputSize = U1216;

    fn write_exact(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.bytes[..]);
    }
}

impl Deserializable for PublicKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let bytes: [u8; 1216] = encoded
            .try_into()
            .map_err(|_| HpkeError::IncorrectInputLength(U1216::USIZE, encoded.len()))?;
        let ek = Array::try_from(&bytes[..MLKEM_EK_LEN]).map_err(|_| HpkeError::ValidationError)?;
        let mlkem = ml_kem::EncapsulationKey::<MlKem768>::new(&ek)
            .map_err(|_| HpkeError::ValidationError)?;
        let aws = AwsEncapsulationKey::new(&ML_KEM_768, &bytes[..MLKEM_EK_LEN])
            .map_err(|_| HpkeError::ValidationError)?;
        Ok(Self {
            bytes: Box::new(bytes),
            mlkem: Arc::new(mlkem),
            aws: Arc::new(aws),
        })
    }
}

/// A private key: the seed, and what it expands to, computed once.
#[derive(Clone)]
pub(crate) struct PrivateKey {
    seed: Zeroizing<[u8; 32]>,
    expanded: Arc<Expanded>,
}

struct Expanded {
    /// ML-KEM-768's decapsulation key inside AWS-LC (which wipes it when
    /// freed).
    mlkem: AwsDecapsulationKey,
    x25519: x25519::StaticSecret,
    public: PublicKey,
}

impl PrivateKey {
    /// Expands a seed: SHAKE256(seed, 96) gives ML-KEM's (d, z) and the
    /// X25519 key.
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Result<Self, HpkeError> {
        let mut expanded = Zeroizing::new([0u8; 96]);
        let mut shake = shake::Shake256::default();
        shake.update(seed);
        shake.finalize_xof().read(expanded.as_mut());
        let mlkem_seed = Zeroizing::new(
            ml_kem::Seed::try_from(&expanded[..64]).map_err(|_| HpkeError::ValidationError)?,
        );
        let dk = ml_kem::DecapsulationKey::<MlKem768>::from_seed(*mlkem_seed);
        #[allow(deprecated)]
        let dk_bytes = Zeroizing::new(dk.to_expanded_bytes());
        let mlkem = AwsDecapsulationKey::new(&ML_KEM_768, dk_bytes.as_slice())
            .map_err(|_| HpkeError::ValidationError)?;
        let x25519_secret: [u8; 32] = expanded[64..]
            .try_into()
            .map_err(|_| HpkeError::ValidationError)?;
        let x25519 = x25519::StaticSecret::from_bytes(&x25519_secret);
        let mut public = [0u8; 1216];
        public[..MLKEM_EK_LEN].copy_from_slice(&dk.encapsulation_key().to_bytes());
        public[MLKEM_EK_LEN..].copy_from_slice(x25519.public_key().as_bytes());
        let public = PublicKey::from_bytes(&public)?;
        Ok(Self {
            seed: Zeroizing::new(*seed),
            expanded: Arc::new(Expanded {
                mlkem,
                x25519,
                public,
            }),
        })
    }
}

impl ConstantTimeEq for PrivateKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.seed.as_slice().ct_eq(other.seed.as_slice())
    }
}

impl Serializable for PrivateKey {
    type OutputSize = U32;

    fn write_exact(&self, buf: &mut [u8]) {
        buf.copy_from_slice(self.seed.as_ref());
    }
}

impl Deserializable for PrivateKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let seed: [u8; 32] = encoded
            .try_into()
            .map_err(|_| HpkeError::IncorrectInputLength(32, encoded.len()))?;
        let seed = Zeroizing::new(seed);
        Self::from_seed(&seed)
    }
}

/// An encapsulated key: ML-KEM's ciphertext, then X25519's share.
#[derive(Clone)]
pub(crate) struct EncappedKey(Box<[u8; 1120]>);

impl Serializable for EncappedKey {
    type OutputSize = U1120;

    fn write_exact(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.0[..]);
    }
}

impl Deserializable for EncappedKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let bytes: [u8; 1120] = encoded
            .try_into()
            .map_err(|_| HpkeError::IncorrectInputLength(1120, encoded.len()))?;
        Ok(Self(Box::new(bytes)))
    }
}

/// `SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ label)`.
fn combiner<K: hpke::Kem<NSecret = U32>>(
    ss_m: &[u8],
    ss_x: &[u8],
    ct_x: &[u8],
    pk_x: &[u8],
) -> SharedSecret<K> {
    let mut input = Zeroizing::new(Vec::with_capacity(32 * 4 + LABEL.len()));
    for part in [ss_m, ss_x, ct_x, pk_x, &LABEL[..]] {
        input.extend_from_slice(part);
    }
    let digest = hx_digest::hash(hx_digest::Algorithm::Sha3_256, &input);
    let mut out: Array<u8, U32> = Array::default();
    out.copy_from_slice(digest.as_bytes());
    SharedSecret(out)
}

macro_rules! xwing_kem {
    ($kem:ty, $encapsulate:expr) => {
        impl hpke::Kem for $kem {
            type PublicKey = PublicKey;
            type PrivateKey = PrivateKey;
            type EncappedKey = EncappedKey;
            type NSecret = U32;
            const KEM_ID: u16 = 0x647a;

            fn sk_to_pk(sk: &PrivateKey) -> PublicKey {
                sk.expanded.public.clone()
            }

            /// HPKE-PQ's `DeriveKeyPair` (a SHAKE256 labeled derivation of the
            /// seed), as the `hpke` crate computes it, then the seed expanded here.
            fn derive_keypair(ikm: &[u8]) -> (PrivateKey, PublicKey) {
                let (theirs, _) = <hpke::kem::XWing as hpke::Kem>::derive_keypair(ikm);
                let seed = Zeroizing::new(<[u8; 32]>::from(theirs.to_bytes()));
                // Every 32-byte seed expands: no other key is ever returned.
                let sk = PrivateKey::from_seed(&seed).unwrap_or_else(|_| unreachable_key());
                let pk = sk.expanded.public.clone();
                (sk, pk)
            }

            fn decap(
                sk_recip: &PrivateKey,
                pk_sender_id: Option<&PublicKey>,
                encapped_key: &EncappedKey,
            ) -> Result<SharedSecret<Self>, HpkeError> {
                if pk_sender_id.is_some() {
                    return Err(HpkeError::DecapError);
                }
                let (ct_m, ct_x) = encapped_key.0.split_at(MLKEM_CT_LEN);
                let ss_m = sk_recip
                    .expanded
                    .mlkem
                    .decapsulate(ct_m.into())
                    .map_err(|_| HpkeError::DecapError)?;
                let share =
                    x25519::PublicKey::from_bytes(ct_x).map_err(|_| HpkeError::DecapError)?;
                // A low-order share (an all-zero X25519 secret) is refused.
                let ss_x = sk_recip
                    .expanded
                    .x25519
                    .agree(&share)
                    .map_err(|_| HpkeError::DecapError)?;
                Ok(combiner(
                    ss_m.as_ref(),
                    ss_x.expose_secret(),
                    ct_x,
                    sk_recip.expanded.public.x25519(),
                ))
            }

            fn encap_with_rng(
                pk_recip: &PublicKey,
                sender_id_keypair: Option<(&PrivateKey, &PublicKey)>,
                csprng: &mut impl rand_core::CryptoRng,
            ) -> Result<(SharedSecret<Self>, EncappedKey), HpkeError> {
                if sender_id_keypair.is_some() {
                    return Err(HpkeError::EncapError);
                }
                // X-Wing's EncapsulateDerand: 32 bytes for ML-KEM, 32 for X25519.
                let mut randomness = Zeroizing::new([0u8; 64]);
                csprng.fill_bytes(randomness.as_mut());
                let (ct_m, ss_m): (Vec<u8>, Zeroizing<Vec<u8>>) =
                    $encapsulate(pk_recip, &randomness)?;
                let ephemeral_bytes: [u8; 32] = randomness[32..]
                    .try_into()
                    .map_err(|_| HpkeError::EncapError)?;
                let ephemeral = x25519::StaticSecret::from_bytes(&ephemeral_bytes);
                let ct_x = ephemeral.public_key();
                let pk_x = x25519::PublicKey::from_bytes(pk_recip.x25519())
                    .map_err(|_| HpkeError::EncapError)?;
                let ss_x = ephemeral.agree(&pk_x).map_err(|_| HpkeError::EncapError)?;
                let mut enc = Box::new([0u8; 1120]);
                enc[..MLKEM_CT_LEN].copy_from_slice(&ct_m);
                enc[MLKEM_CT_LEN..].copy_from_slice(ct_x.as_bytes());
                let secret = combiner(
                    &ss_m,
                    ss_x.expose_secret(),
                    ct_x.as_bytes(),
                    pk_recip.x25519(),
                );
                Ok((secret, EncappedKey(enc)))
            }
        }
    };
}

xwing_kem!(XWingKem, |pk: &PublicKey, _randomness: &[u8; 64]| {
    let (ct, ss) = pk.aws.encapsulate().map_err(|_| HpkeError::EncapError)?;
    Ok::<_, HpkeError>((ct.as_ref().to_vec(), Zeroizing::new(ss.as_ref().to_vec())))
});

xwing_kem!(XWingKemDerand, |pk: &PublicKey, randomness: &[u8; 64]| {
    let m = Zeroizing::new(
        ml_kem::B32::try_from(&randomness[..32]).map_err(|_| HpkeError::EncapError)?,
    );
    let (ct, ss) = pk.mlkem.encapsulate_deterministic(&m);
    Ok::<_, HpkeError>((ct.to_vec(), Zeroizing::new(ss.to_vec())))
});

#[allow(clippy::panic)]
fn unreachable_key() -> PrivateKey {
    panic!("a 32-byte X-Wing seed always expands")
}
