//! RSA key documents: the modulus size, read from the DER itself (what
//! hx-sign and hx-kex check before handing a key to AWS-LC), and PKCS#1
//! structures taken apart and put together, for the OpenSSH key format.
//!
//! ```
//! // A PKCS#1 RSAPublicKey whose modulus is 2048 bits (the top bit set).
//! let mut n = vec![0x80u8];
//! n.resize(256, 0x01);
//! let mut der = vec![0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00];
//! der.extend_from_slice(&n);
//! der.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
//! assert_eq!(hx_keys::rsa::public_modulus_bits(&der)?, 2048);
//! # Ok::<(), hx_keys::Error>(())
//! ```

use crypto_bigint::{BoxedUint, NonZero};
use pkcs8::der::asn1::UintRef;
use pkcs8::der::{Decode as _, Encode as _, Reader as _, SliceReader};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Smallest modulus hx reads or makes, in bits.
pub const MIN_BITS: usize = 2048;
/// Largest modulus hx reads, in bits.
pub const MAX_BITS: usize = 8192;

/// The modulus size of a PKCS#1 `RSAPrivateKey`, refusing sizes outside
/// [`MIN_BITS`] to [`MAX_BITS`].
///
/// # Errors
/// [`Error::UnsupportedKeySize`] outside the range, [`Error::InvalidKey`]
/// for a document that is not an RSA private key.
pub fn private_modulus_bits(pkcs1: &[u8]) -> Result<usize> {
    match claimed_private_bits(pkcs1) {
        Some(bits) if (MIN_BITS..=MAX_BITS).contains(&bits) => Ok(bits),
        Some(bits) => Err(Error::UnsupportedKeySize { bits }),
        None => Err(Error::InvalidKey("malformed RSA private key")),
    }
}

/// The modulus size of a PKCS#1 `RSAPublicKey`, refusing sizes outside
/// [`MIN_BITS`] to [`MAX_BITS`].
///
/// # Errors
/// [`Error::UnsupportedKeySize`] outside the range, [`Error::InvalidKey`]
/// for a document that is not an RSA public key.
pub fn public_modulus_bits(pkcs1: &[u8]) -> Result<usize> {
    let modulus = (|| {
        let mut reader = SliceReader::new(pkcs1).ok()?;
        let modulus = reader
            .sequence(|r| {
                let modulus: UintRef<'_> = r.decode()?;
                let _exponent: UintRef<'_> = r.decode()?;
                Ok::<_, pkcs8::der::Error>(modulus)
            })
            .ok()?;
        reader.is_finished().then_some(modulus)
    })()
    .ok_or(Error::InvalidKey("malformed RSA public key"))?;
    let bits = bit_len(modulus.as_bytes()).ok_or(Error::InvalidKey("malformed RSA public key"))?;
    if (MIN_BITS..=MAX_BITS).contains(&bits) {
        Ok(bits)
    } else {
        Err(Error::UnsupportedKeySize { bits })
    }
}

/// The modulus size a PKCS#1 `RSAPrivateKey` claims (its second INTEGER),
/// or `None` if it does not parse that far.
#[must_use]
pub fn claimed_private_bits(pkcs1: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(pkcs1).ok()?;
    let modulus = reader
        .sequence(|r| {
            let _version: UintRef<'_> = r.decode()?;
            let modulus: UintRef<'_> = r.decode()?;
            r.read_slice(r.remaining_len())?;
            Ok::<_, pkcs8::der::Error>(modulus)
        })
        .ok()?;
    bit_len(modulus.as_bytes())
}

fn bit_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.first()?;
    Some(bytes.len() * 8 - first.leading_zeros() as usize)
}

/// The integers of a two-prime PKCS#1 `RSAPrivateKey`, big-endian without
/// leading zeros, borrowed from the document they were read from.
#[derive(Clone, Copy)]
pub struct PrivateParts<'a> {
    /// The modulus `n`.
    pub n: &'a [u8],
    /// The public exponent `e`.
    pub e: &'a [u8],
    /// The private exponent `d`.
    pub d: &'a [u8],
    /// The first prime `p`.
    pub p: &'a [u8],
    /// The second prime `q`.
    pub q: &'a [u8],
    /// `q⁻¹ mod p`, the CRT coefficient (OpenSSH's `iqmp`).
    pub q_inverse: &'a [u8],
}

impl core::fmt::Debug for PrivateParts<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PrivateParts([REDACTED])")
    }
}

/// Reads a two-prime PKCS#1 `RSAPrivateKey` (version 0) into its parts;
/// the CRT exponents are checked for presence and dropped.
///
/// # Errors
/// [`Error::InvalidKey`] for anything else (multi-prime keys included).
pub fn decode_private(pkcs1: &[u8]) -> Result<PrivateParts<'_>> {
    let integers = Vec::<UintRef<'_>>::from_der(pkcs1)
        .map_err(|_| Error::InvalidKey("malformed RSA private key"))?;
    match integers.as_slice() {
        [version, n, e, d, p, q, _dp, _dq, q_inverse] if matches!(version.as_bytes(), [] | [0]) => {
            Ok(PrivateParts {
                n: n.as_bytes(),
                e: e.as_bytes(),
                d: d.as_bytes(),
                p: p.as_bytes(),
                q: q.as_bytes(),
                q_inverse: q_inverse.as_bytes(),
            })
        }
        _ => Err(Error::InvalidKey(
            "not a two-prime RSA private key (PKCS#1 version 0)",
        )),
    }
}

/// Writes a two-prime PKCS#1 `RSAPrivateKey` from its parts, computing the
/// CRT exponents `d mod (p−1)` and `d mod (q−1)` in constant time (OpenSSH
/// keys do not carry them).
///
/// # Errors
/// [`Error::InvalidKey`] if a prime is zero or one, or a part too long.
pub fn encode_private(parts: &PrivateParts<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let dp = crt_exponent(parts.d, parts.p)?;
    let dq = crt_exponent(parts.d, parts.q)?;
    let integers = [
        &[0][..],
        parts.n,
        parts.e,
        parts.d,
        parts.p,
        parts.q,
        &dp,
        &dq,
        parts.q_inverse,
    ];
    sequence_of_integers(&integers)
}

/// Writes a PKCS#1 `RSAPublicKey`.
///
/// # Errors
/// [`Error::InvalidKey`] if a part is too long.
pub fn encode_public(n: &[u8], e: &[u8]) -> Result<Vec<u8>> {
    sequence_of_integers(&[n, e]).map(|der| der.to_vec())
}

/// Reads a PKCS#1 `RSAPublicKey` into `(n, e)`.
///
/// # Errors
/// [`Error::InvalidKey`] if it is not one.
pub fn decode_public(pkcs1: &[u8]) -> Result<(&[u8], &[u8])> {
    let integers = Vec::<UintRef<'_>>::from_der(pkcs1)
        .map_err(|_| Error::InvalidKey("malformed RSA public key"))?;
    match integers.as_slice() {
        [n, e] => Ok((n.as_bytes(), e.as_bytes())),
        _ => Err(Error::InvalidKey("malformed RSA public key")),
    }
}

/// A SEQUENCE of INTEGERs: a PKCS#1 structure has no other fields.
fn sequence_of_integers(integers: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>> {
    let integers = integers
        .iter()
        .map(|i| UintRef::new(i))
        .collect::<core::result::Result<Vec<_>, _>>()
        .map_err(|_| Error::InvalidKey("RSA key part too long"))?;
    integers
        .to_der()
        .map(Zeroizing::new)
        .map_err(|_| Error::InvalidKey("RSA key part too long"))
}

/// `d mod (prime − 1)`, constant-time in the values.
fn crt_exponent(d: &[u8], prime: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let bad = || Error::InvalidKey("malformed RSA private key");
    let precision = |bytes: &[u8]| {
        u32::try_from(bytes.len().div_ceil(8) * 64)
            .ok()
            .filter(|&bits| bits > 0)
            .ok_or_else(bad)
    };
    // Every intermediate is secret: each is zeroized when dropped.
    let d = Zeroizing::new(BoxedUint::from_be_slice(d, precision(d)?).map_err(|_| bad())?);
    let prime =
        Zeroizing::new(BoxedUint::from_be_slice(prime, precision(prime)?).map_err(|_| bad())?);
    let minus_one = prime.wrapping_sub(BoxedUint::one_with_precision(prime.bits_precision()));
    let modulus = Zeroizing::new(
        Option::<NonZero<BoxedUint>>::from(NonZero::new(minus_one)).ok_or_else(bad)?,
    );
    let rem = Zeroizing::new(d.rem(&modulus));
    Ok(Zeroizing::new(rem.to_be_bytes().into_vec()))
}
