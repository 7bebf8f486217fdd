//! RSA key sizes, read from the DER itself (no arithmetic backend): what
//! hx-sign and hx-kex check before handing a key to AWS-LC.
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

use pkcs8::der::asn1::UintRef;
use pkcs8::der::{Reader as _, SliceReader};

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
