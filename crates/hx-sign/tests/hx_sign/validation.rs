//! The Ed25519 validation table of docs/SIGNATURES.md, case by case, in the
//! manner of ed25519-dalek's `validation_criteria` and "Taming the many
//! EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020): crafted signatures and keys
//! with non-canonical encodings and small-order components, each with the
//! answer hx gives for single and batch verification.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use hx_sign::ed25519::{Signature, SigningKey, VerifyingKey, verify_batch};
use hx_sign::{Error, PublicKey};
use sha2::{Digest, Sha512};

/// ℓ, the order of the prime subgroup, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Encodings of the eight small-order points (canonical) plus the
/// non-canonical encodings of small-order points (y + p).
fn small_order_encodings() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    // Identity (y = 1), order-2 point (y = -1), order-4 points (y = 0, both
    // signs of x), order-8 points (four, found by decompression below).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let zero = [0u8; 32];
    let mut zero_neg = [0u8; 32];
    zero_neg[31] = 0x80;
    out.extend([identity, minus_one, zero, zero_neg]);
    // The order-8 points: T with 2T of order 4; search the torsion subgroup
    // via multiples of a known order-8 encoding (from RFC 8032 errata lists).
    let t8 = hex_array("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
    let p8 = CompressedEdwardsY(t8).decompress().unwrap();
    assert!(p8.is_small_order() && Scalar::from(4u64) * p8 != EdwardsPoint::default());
    for i in [1u64, 3, 5, 7] {
        out.push((Scalar::from(i) * p8).compress().to_bytes());
    }
    // Non-canonical encodings y + p for y = 0 and y = 1 (both x signs).
    for y in [0u8, 1] {
        let mut enc = [0xffu8; 32];
        enc[0] = 0xed + y;
        enc[31] = 0x7f;
        out.push(enc);
        enc[31] = 0xff;
        out.push(enc);
    }
    out
}

fn hex_array(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

struct Signer {
    a: Scalar,
    public: [u8; 32],
}

impl Signer {
    /// RFC 8032 key expansion, done by hand so the tests can sign with
    /// crafted `R` and keys.
    fn from_seed(seed: [u8; 32]) -> (Self, SigningKey) {
        let h = Sha512::digest(seed);
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(&h[..32]);
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        let a = Scalar::from_bytes_mod_order(scalar);
        let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
        (Self { a, public }, SigningKey::from_bytes(&seed))
    }

    fn challenge(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
        let h: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(a)
            .chain_update(m)
            .finalize()
            .into();
        Scalar::from_bytes_mod_order_wide(&h)
    }

    /// A signature whose `R` is `[r]B + extra`, with `s = r + k·a`.
    fn sign_with(&self, r: Scalar, extra: EdwardsPoint, public: &[u8; 32], m: &[u8]) -> [u8; 64] {
        let big_r = (EdwardsPoint::mul_base(&r) + extra).compress().to_bytes();
        let k = Self::challenge(&big_r, public, m);
        let s = r + k * self.a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }
}

fn accepts(key: &VerifyingKey, m: &[u8], sig: &[u8; 64]) -> (bool, bool) {
    let sig = Signature::from_bytes(sig).unwrap();
    (
        key.verify(m, &sig).is_ok(),
        verify_batch(&[(m, &sig, key)]).is_ok(),
    )
}

/// Row 1: an honest signature verifies, alone and in a batch.
#[test]
fn row1_honest_signature_accepted() {
    let (_, key) = Signer::from_seed([1; 32]);
    let sig = key.sign(b"m");
    assert_eq!(
        accepts(&key.verifying_key(), b"m", &sig.to_bytes()),
        (true, true)
    );
}

/// Row 2: `s` replaced by `s + ℓ` (the classic malleability) is refused.
#[test]
fn row2_non_canonical_s_rejected() {
    let (_, key) = Signer::from_seed([2; 32]);
    let mut sig = key.sign(b"m").to_bytes();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(sig[32 + i]) + u16::from(ELL[i]) + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0, "s + ℓ fits in 256 bits for any canonical s");
    assert_eq!(accepts(&key.verifying_key(), b"m", &sig), (false, false));
    // The top three bits set: rejected before any arithmetic.
    let mut high = key.sign(b"m").to_bytes();
    high[63] |= 0xe0;
    assert_eq!(accepts(&key.verifying_key(), b"m", &high), (false, false));
}

/// Row 3: `R` of small order (all eight points and their non-canonical
/// encodings), for any `s`, is refused.
#[test]
fn row3_small_order_r_rejected() {
    let (signer, key) = Signer::from_seed([3; 32]);
    let public = key.verifying_key();
    for enc in small_order_encodings() {
        // s chosen so the cofactored equation holds: s = k·a, R small order.
        let k = Signer::challenge(&enc, &signer.public, b"m");
        let s = k * signer.a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&enc);
        sig[32..].copy_from_slice(s.as_bytes());
        assert_eq!(
            accepts(&public, b"m", &sig),
            (false, false),
            "R = {}",
            hex::encode(enc)
        );
    }
}

/// Row 4: weak keys (small order, canonical or not) are refused when read,
/// so nothing can be verified against them.
#[test]
fn row4_small_order_keys_refused() {
    for enc in small_order_encodings() {
        assert!(
            matches!(VerifyingKey::from_bytes(&enc), Err(Error::InvalidKey(_))),
            "A = {}",
            hex::encode(enc)
        );
        // And in SubjectPublicKeyInfo form through the generic reader.
        let der = [&hex::decode("302a300506032b6570032100").unwrap()[..], &enc].concat();
        assert!(PublicKey::from_spki_der(&der).is_err());
    }
}

/// Row 5: keys with a small-order component (`[a]B + T`) are refused: with
/// them, whether an honest-looking signature verifies depends on the parity
/// of the hash, and batch and single verification could disagree.
#[test]
fn row5_mixed_order_keys_refused() {
    let (signer, key) = Signer::from_seed([5; 32]);
    let a_point = EdwardsPoint::mul_base(&signer.a);
    assert_eq!(
        a_point.compress().to_bytes(),
        *key.verifying_key().as_bytes()
    );
    for enc in small_order_encodings().into_iter().take(8).skip(1) {
        let t = CompressedEdwardsY(enc).decompress().unwrap();
        let mixed = (a_point + t).compress().to_bytes();
        assert!(matches!(
            VerifyingKey::from_bytes(&mixed),
            Err(Error::InvalidKey(_))
        ));
    }
}

/// Row 6: a non-canonical `R` encoding (y + p) of an otherwise fine point
/// is refused: single verification compares encodings, batch checks first.
#[test]
fn row6_non_canonical_r_rejected() {
    let (signer, key) = Signer::from_seed([6; 32]);
    // Find y < 19 (so y + p < 2^255 is an alternative encoding) that is on
    // the curve and not of small order.
    let mut found = 0;
    for y in 2u8..19 {
        for sign in [0u8, 0x80] {
            let mut canonical = [0u8; 32];
            canonical[0] = y;
            canonical[31] = sign;
            let Some(point) = CompressedEdwardsY(canonical).decompress() else {
                continue;
            };
            if point.is_small_order() {
                continue;
            }
            let mut alt = [0xffu8; 32];
            alt[0] = 0xed + y;
            alt[31] = 0x7f | sign;
            assert_eq!(CompressedEdwardsY(alt).decompress().unwrap(), point);
            // s = k·a with R given, which satisfies no equation: what
            // matters is that both paths refuse before or at comparison.
            let k = Signer::challenge(&alt, &signer.public, b"m");
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&alt);
            sig[32..].copy_from_slice((k * signer.a).as_bytes());
            assert_eq!(accepts(&key.verifying_key(), b"m", &sig), (false, false));
            found += 1;
        }
    }
    assert!(found > 0, "no non-canonical test point found");
}

/// Row 7: a non-canonical key encoding is refused even when the point is
/// fine.
#[test]
fn row7_non_canonical_key_refused() {
    let mut found = 0;
    for y in 2u8..19 {
        let mut canonical = [0u8; 32];
        canonical[0] = y;
        let Some(point) = CompressedEdwardsY(canonical).decompress() else {
            continue;
        };
        let mut alt = [0xffu8; 32];
        alt[0] = 0xed + y;
        alt[31] = 0x7f;
        assert_eq!(CompressedEdwardsY(alt).decompress().unwrap(), point);
        assert!(VerifyingKey::from_bytes(&alt).is_err());
        found += 1;
    }
    assert!(found > 0);
}

/// Row 8: `R` with a small-order component, made by the signer itself
/// (`R = [r]B + T`, `s = r + k·a`). Single verification always refuses it.
/// Batch verification may accept it for some messages (the documented
/// difference; only the key holder can make such a signature), and never
/// accepts a batch in which another signature is bad.
#[test]
fn row8_signer_crafted_mixed_r() {
    let (signer, key) = Signer::from_seed([8; 32]);
    let public = key.verifying_key();
    let t2 = CompressedEdwardsY(small_order_encodings()[1])
        .decompress()
        .unwrap();
    let mut batch_accepted = 0;
    for i in 0u32..32 {
        let m = i.to_le_bytes();
        let sig = signer.sign_with(Scalar::from(u64::from(i) + 1000), t2, &signer.public, &m);
        let (single, batch) = accepts(&public, &m, &sig);
        assert!(!single, "single verification accepted a mixed-order R");
        batch_accepted += usize::from(batch);
        // With an honest-but-bad companion signature the batch fails.
        let bad = Signature::from_bytes(&key.sign(b"other").to_bytes()).unwrap();
        let crafted = Signature::from_bytes(&sig).unwrap();
        assert!(verify_batch(&[(&m, &crafted, &public), (b"wrong", &bad, &public)]).is_err());
    }
    eprintln!("batch accepted {batch_accepted}/32 signer-crafted mixed-order R");
}

/// Row 9: a signature that is not 64 bytes is a typed error.
#[test]
fn row9_wrong_length_rejected() {
    for len in [0, 63, 65, 128] {
        assert!(matches!(
            Signature::from_bytes(&vec![0; len]),
            Err(Error::InvalidSignature)
        ));
    }
    let key = SigningKey::from_bytes(&[9; 32]);
    assert!(matches!(
        key.verifying_key_pem_roundtrip().verify(b"m", &[0u8; 63]),
        Err(Error::InvalidSignature)
    ));
}

trait PemRoundtrip {
    fn verifying_key_pem_roundtrip(&self) -> PublicKey;
}

impl PemRoundtrip for SigningKey {
    fn verifying_key_pem_roundtrip(&self) -> PublicKey {
        PublicKey::from_pem(self.verifying_key().to_pem().as_bytes()).unwrap()
    }
}

/// Batches mixing every row: the batch answer equals "all singles accept".
#[test]
fn batch_equals_all_singles_on_mixed_batches() {
    let keys: Vec<SigningKey> = (0u8..16)
        .map(|i| SigningKey::from_bytes(&[i + 100; 32]))
        .collect();
    let pubs: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
    let msgs: Vec<Vec<u8>> = (0u8..16).map(|i| vec![i; usize::from(i) * 7]).collect();
    let good: Vec<Signature> = keys.iter().zip(&msgs).map(|(k, m)| k.sign(m)).collect();
    let items: Vec<_> = (0..16)
        .map(|i| (msgs[i].as_slice(), &good[i], &pubs[i]))
        .collect();
    verify_batch(&items).unwrap();
    verify_batch(&[]).unwrap();
    // Each single corruption (bit flips in R, in s, wrong message, wrong key)
    // makes the batch fail.
    for i in 0..16 {
        for bit in [0usize, 255, 256, 300, 511] {
            let mut bytes = good[i].to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let bad = Signature::from_bytes(&bytes).unwrap();
            let mut items = items.clone();
            items[i].1 = &bad;
            assert!(verify_batch(&items).is_err(), "sig {i} bit {bit}");
        }
        let mut items = items.clone();
        items[i].2 = &pubs[(i + 1) % 16];
        assert!(verify_batch(&items).is_err());
        let mut items2 = (0..16)
            .map(|j| (msgs[j].as_slice(), &good[j], &pubs[j]))
            .collect::<Vec<_>>();
        items2[i].0 = b"tampered";
        assert!(verify_batch(&items2).is_err());
    }
}
