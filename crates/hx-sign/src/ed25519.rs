//! Ed25519 (RFC 8032) with strict verification.
//!
//! What "strict" means here, case by case, is the validation table in
//! `docs/SIGNATURES.md`: a signature is accepted only if `s` is canonical
//! (`s < ℓ`), `R` is the canonical encoding of a point that is not of small
//! order, and `[s]B = R + [k]A` holds exactly (cofactorless); the public key
//! must be the canonical encoding of a point in the prime-order subgroup.
//! That is ed25519-dalek's `verify_strict` plus stricter key validation.
//! [`verify_batch`] accepts exactly the same set (see its docs).

use core::fmt;

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::Signer as _;
use pkcs8::der::Decode;
use pkcs8::der::asn1::OctetStringRef;
use zeroize::Zeroizing;

use crate::{Error, Result};
use hx_keys::der::{self as encoding, Document, OID_ED25519};

/// Bytes in a signing key seed.
pub const SECRET_KEY_LEN: usize = 32;
/// Bytes in an encoded public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Bytes in a signature.
pub const SIGNATURE_LEN: usize = 64;

/// DER prefix of an Ed25519 PKCS#8 v1 document (RFC 8410 §7), before the
/// 32-byte seed; the form OpenSSL and Python's `cryptography` write.
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// DER prefix of an Ed25519 SubjectPublicKeyInfo, before the 32-byte key.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// An Ed25519 signing key. It always derives its own public key: no API pairs
/// a secret with a caller-supplied public key.
///
/// Zeroized on drop; `Debug` prints `[REDACTED]`.
///
/// ```
/// use hx_sign::ed25519::SigningKey;
/// let key = SigningKey::generate()?;
/// let sig = key.sign(b"release v1.2.3");
/// key.verifying_key().verify(b"release v1.2.3", &sig)?;
/// assert!(key.verifying_key().verify(b"release v1.2.4", &sig).is_err());
/// # Ok::<(), hx_sign::Error>(())
/// ```
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// A new key from the operating system's random generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        let mut seed = Zeroizing::new([0u8; SECRET_KEY_LEN]);
        hx_random::fill(seed.as_mut())?;
        Ok(Self::from_bytes(&seed))
    }

    /// The key with this 32-byte seed (RFC 8032's private key).
    ///
    /// ```
    /// let key = hx_sign::ed25519::SigningKey::from_bytes(&[7u8; 32]);
    /// assert_eq!(*key.to_bytes(), [7u8; 32]);
    /// ```
    #[must_use]
    pub fn from_bytes(seed: &[u8; SECRET_KEY_LEN]) -> Self {
        Self {
            inner: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; SECRET_KEY_LEN]> {
        Zeroizing::new(self.inner.to_bytes())
    }

    /// The public key.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            inner: self.inner.verifying_key(),
        }
    }

    /// Signs `message` (pure Ed25519, deterministic).
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.inner.sign(message).to_bytes())
    }

    /// Reads a PKCS#8 document (v1, or v2 whose public key must match the one
    /// the seed derives).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is malformed or its public key does not
    /// match; [`Error::WrongKeyType`] / [`Error::UnsupportedAlgorithm`] if it
    /// holds another algorithm.
    ///
    /// ```
    /// use hx_sign::ed25519::SigningKey;
    /// let key = SigningKey::generate()?;
    /// let again = SigningKey::from_pkcs8_der(&key.to_pkcs8_der())?;
    /// assert_eq!(again.verifying_key(), key.verifying_key());
    /// # Ok::<(), hx_sign::Error>(())
    /// ```
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let (oid, info) = encoding::pkcs8_algorithm(der)?;
        if oid != OID_ED25519 {
            return Err(crate::error::foreign_algorithm(oid, "an Ed25519 key"));
        }
        if info.algorithm.parameters.is_some() {
            return Err(Error::InvalidKey(
                "Ed25519 algorithm identifier with parameters",
            ));
        }
        let seed = <&OctetStringRef>::from_der(info.private_key.as_bytes())
            .map_err(|_| Error::InvalidKey("malformed Ed25519 private key"))?;
        let seed: &[u8; SECRET_KEY_LEN] = seed
            .as_bytes()
            .try_into()
            .map_err(|_| Error::InvalidKey("Ed25519 private key is not 32 bytes"))?;
        let key = Self::from_bytes(seed);
        if let Some(public) = info.public_key
            && public.raw_bytes() != key.verifying_key().as_bytes()
        {
            return Err(Error::InvalidKey(
                "PKCS#8 public key does not match the private key",
            ));
        }
        Ok(key)
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8).
    ///
    /// # Errors
    /// As [`SigningKey::from_pkcs8_der`], plus [`Error::EncryptedKey`] and
    /// [`Error::InvalidKey`] for other PEM documents.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match encoding::decode(pem)? {
            (Some(Document::Pkcs8), der) => Self::from_pkcs8_der(&der),
            _ => Err(Error::InvalidKey("expected a PEM PRIVATE KEY (PKCS#8)")),
        }
    }

    /// The PKCS#8 v1 DER encoding (as OpenSSL writes it).
    #[must_use]
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let mut der = Zeroizing::new(Vec::with_capacity(PKCS8_PREFIX.len() + SECRET_KEY_LEN));
        der.extend_from_slice(&PKCS8_PREFIX);
        der.extend_from_slice(self.inner.as_bytes());
        der
    }

    /// The PKCS#8 PEM encoding (`-----BEGIN PRIVATE KEY-----`).
    #[must_use]
    pub fn to_pem(&self) -> Zeroizing<String> {
        encoding::to_pem("PRIVATE KEY", &self.to_pkcs8_der())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ed25519::SigningKey([REDACTED])")
    }
}

/// An Ed25519 public key, validated when it is made: the canonical encoding
/// of a curve point in the prime-order subgroup (so neither of small order
/// nor with a small-order component).
///
/// ```
/// use hx_sign::ed25519::VerifyingKey;
/// // The identity point (small order) is refused.
/// let mut identity = [0u8; 32];
/// identity[0] = 1;
/// assert!(VerifyingKey::from_bytes(&identity).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyingKey {
    inner: ed25519_dalek::VerifyingKey,
}

impl VerifyingKey {
    /// Reads a 32-byte public key.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is not 32 bytes, not a point, not
    /// canonically encoded, of small order (a weak key, for which signatures
    /// can be forged) or with a small-order component.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bytes: &[u8; PUBLIC_KEY_LEN] = bytes
            .try_into()
            .map_err(|_| Error::InvalidKey("Ed25519 public key is not 32 bytes"))?;
        let point = CompressedEdwardsY(*bytes)
            .decompress()
            .ok_or(Error::InvalidKey("Ed25519 public key is not a curve point"))?;
        if point.compress().as_bytes() != bytes {
            return Err(Error::InvalidKey(
                "Ed25519 public key is not canonically encoded",
            ));
        }
        if point.is_small_order() {
            return Err(Error::InvalidKey("weak Ed25519 public key (small order)"));
        }
        // An honest key is a multiple of the base point. A key with a
        // small-order component only comes from a signer playing games (its
        // signatures verify or not depending on the hash, and batch and
        // single verification could disagree), so it is refused.
        if !point.is_torsion_free() {
            return Err(Error::InvalidKey(
                "Ed25519 public key has a small-order component",
            ));
        }
        let inner = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| Error::InvalidKey("Ed25519 public key is not a curve point"))?;
        Ok(Self { inner })
    }

    /// The 32-byte encoding.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        self.inner.as_bytes()
    }

    /// Verifies `signature` over `message`, strictly (see the module docs).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it does not verify, whatever the reason.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<()> {
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.inner
            .verify_strict(message, &sig)
            .map_err(|_| Error::InvalidSignature)
    }

    /// Reads a SubjectPublicKeyInfo DER document.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is malformed or the key is weak,
    /// [`Error::WrongKeyType`] / [`Error::UnsupportedAlgorithm`] for other
    /// algorithms.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let (oid, info) = encoding::spki_algorithm(der)?;
        if oid != OID_ED25519 {
            return Err(crate::error::foreign_algorithm(oid, "an Ed25519 key"));
        }
        if info.algorithm.parameters.is_some() {
            return Err(Error::InvalidKey(
                "Ed25519 algorithm identifier with parameters",
            ));
        }
        let bytes = info
            .subject_public_key
            .as_bytes()
            .ok_or(Error::InvalidKey("Ed25519 public key has unused bits"))?;
        Self::from_bytes(bytes)
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    ///
    /// # Errors
    /// As [`VerifyingKey::from_spki_der`], plus [`Error::InvalidKey`] for
    /// other PEM documents.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        match encoding::decode(pem)? {
            (Some(Document::Spki), der) => Self::from_spki_der(&der),
            _ => Err(Error::InvalidKey(
                "expected a PEM PUBLIC KEY (SubjectPublicKeyInfo)",
            )),
        }
    }

    /// The SubjectPublicKeyInfo DER encoding.
    #[must_use]
    pub fn to_spki_der(&self) -> Vec<u8> {
        [&SPKI_PREFIX[..], self.as_bytes()].concat()
    }

    /// The SubjectPublicKeyInfo PEM encoding (`-----BEGIN PUBLIC KEY-----`).
    #[must_use]
    pub fn to_pem(&self) -> String {
        encoding::to_pem("PUBLIC KEY", &self.to_spki_der()).to_string()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ed25519::VerifyingKey({})", hex::encode(self.as_bytes()))
    }
}

/// Every canonical encoding (either sign bit) of the eight points of small
/// order: y ∈ {0, 1, −1, ±y₈}. Together with refusing y ≥ p this decides, on
/// bytes alone, what decompressing `R` and testing it would decide (checked
/// against the curve arithmetic in the tests).
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 10] = [
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x80,
    ],
    [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x80,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x85,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0xfa,
    ],
];

/// An Ed25519 signature: 64 bytes, `R ‖ s`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// Reads a 64-byte signature. Only the length is checked here; everything
    /// else is checked by verification.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if it is not 64 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| Error::InvalidSignature)
    }

    /// The 64 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0
    }

    /// `R` must be the canonical encoding of a point not of small order:
    /// what `verify_strict` requires and batch equations do not check.
    /// Decided on the bytes (no point decompression, which would cost as
    /// much again as the batch saves).
    fn r_is_strict(&self) -> bool {
        let mut r = [0u8; 32];
        r.copy_from_slice(&self.0[..32]);
        r_encoding_is_strict(&r)
    }
}

/// Whether `r` is a canonical encoding (y < p) that is not one of a
/// small-order point.
pub(crate) fn r_encoding_is_strict(r: &[u8; 32]) -> bool {
    // y ≥ p = 2²⁵⁵ − 19 only for y = p..2²⁵⁵−1: top byte 0x7f (sign masked),
    // the middle all 0xff, the low byte ≥ 0xed.
    let y_non_canonical =
        r[31] & 0x7f == 0x7f && r[1..31].iter().all(|&b| b == 0xff) && r[0] >= 0xed;
    !y_non_canonical && !SMALL_ORDER_ENCODINGS.contains(r)
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ed25519::Signature({})", hex::encode(self.0))
    }
}

/// Verifies many `(message, signature, key)` triples at once, about twice as
/// fast per signature as [`VerifyingKey::verify`] for batches of 64.
///
/// Accepts a batch only if every signature passes the strict checks that
/// [`VerifyingKey::verify`] makes before its equation (canonical `s`,
/// canonical `R` not of small order, key validated on construction) and the
/// batch equation holds; otherwise each triple is verified alone and the
/// result is that of the first failure. An empty batch verifies.
///
/// One difference from single verification remains, and only the holder of
/// the signing key can cause it: batch equations combine signatures with
/// random 128-bit weights, so a signer who deliberately adds a small-order
/// component to `R` produces a signature that single verification always
/// rejects but a batch may accept. Signatures from honest signers, and any
/// signature an attacker without the signing key can make, get the same
/// answer from both. Use [`VerifyingKey::verify`] where every verifier must
/// agree bit for bit with every other (consensus).
///
/// # Errors
/// [`Error::InvalidSignature`] if any signature does not verify.
///
/// ```
/// use hx_sign::ed25519::{SigningKey, verify_batch};
/// let keys: Vec<_> = (0..4).map(|_| SigningKey::generate()).collect::<Result<_, _>>()?;
/// let sigs: Vec<_> = keys.iter().map(|k| k.sign(b"audit log #7")).collect();
/// let pubs: Vec<_> = keys.iter().map(SigningKey::verifying_key).collect();
/// let batch: Vec<_> = sigs.iter().zip(&pubs).map(|(s, k)| (&b"audit log #7"[..], s, k)).collect();
/// verify_batch(&batch)?;
/// # Ok::<(), hx_sign::Error>(())
/// ```
pub fn verify_batch(items: &[(&[u8], &Signature, &VerifyingKey)]) -> Result<()> {
    if items.iter().any(|(_, sig, _)| !sig.r_is_strict()) {
        return Err(Error::InvalidSignature);
    }
    let messages: Vec<&[u8]> = items.iter().map(|(m, _, _)| *m).collect();
    let signatures: Vec<ed25519_dalek::Signature> = items
        .iter()
        .map(|(_, s, _)| ed25519_dalek::Signature::from_bytes(&s.0))
        .collect();
    let keys: Vec<ed25519_dalek::VerifyingKey> = items.iter().map(|(_, _, k)| k.inner).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
        return Ok(());
    }
    // The batch failed: a signature is invalid (or, negligibly, the weights
    // hit a degenerate combination). Single verification decides.
    items.iter().try_for_each(|(m, s, k)| k.verify(m, s))
}

#[cfg(test)]
mod tests {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use proptest::prelude::*;

    use super::r_encoding_is_strict;

    /// The reference: decompress, re-encode, test the order.
    fn reference(r: &[u8; 32]) -> Option<bool> {
        CompressedEdwardsY(*r)
            .decompress()
            .map(|p| p.compress().as_bytes() == r && !p.is_small_order())
    }

    #[test]
    fn byte_check_matches_curve_arithmetic_on_edge_encodings() {
        let mut checked = 0;
        for y_low in 0u8..=255 {
            for top in [0x00u8, 0x7f, 0x80, 0xff] {
                for middle in [0x00u8, 0xff] {
                    let mut r = [middle; 32];
                    r[0] = y_low;
                    r[31] = top;
                    if let Some(expected) = reference(&r) {
                        assert_eq!(r_encoding_is_strict(&r), expected, "{r:02x?}");
                        checked += 1;
                    }
                }
            }
        }
        for enc in super::SMALL_ORDER_ENCODINGS {
            assert_eq!(reference(&enc), Some(false), "{enc:02x?}");
        }
        assert!(checked > 500, "{checked}");
    }

    proptest! {
        #[test]
        fn byte_check_matches_curve_arithmetic(r in any::<[u8; 32]>()) {
            if let Some(expected) = reference(&r) {
                prop_assert_eq!(r_encoding_is_strict(&r), expected);
            }
        }
    }
}
