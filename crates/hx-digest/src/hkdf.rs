//! HKDF (RFC 5869) over SHA-256 and SHA-512: extract, expand, or both.

use core::fmt;

use hkdf::Hkdf;
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Result};

/// The hash functions HKDF can be built on. Its text form is `sha256` or
/// `sha512`.
///
/// ```
/// use hx_digest::HkdfAlgorithm;
/// assert_eq!("SHA512".parse::<HkdfAlgorithm>()?, HkdfAlgorithm::Sha512);
/// assert_eq!(HkdfAlgorithm::Sha256.to_string(), "sha256");
/// # Ok::<(), hx_digest::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum HkdfAlgorithm {
    /// HKDF-SHA-256.
    Sha256,
    /// HKDF-SHA-512.
    Sha512,
}

impl HkdfAlgorithm {
    /// Hash (and pseudorandom key) length in bytes.
    #[must_use]
    pub const fn hash_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    /// The longest output `expand` can produce: 255 × the hash length.
    #[must_use]
    pub const fn max_output_len(self) -> usize {
        255 * self.hash_len()
    }

    /// Every algorithm, in order.
    pub const ALL: [Self; 2] = [Self::Sha256, Self::Sha512];
    /// Their names, for error messages.
    pub const NAMES: &'static [&'static str] = &["sha256", "sha512"];

    /// `sha256` or `sha512`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }
}

named_algorithm!(HkdfAlgorithm);

/// A pseudorandom key: the output of HKDF-Extract and the input of
/// HKDF-Expand. Secret: zeroized on drop, `Debug` redacted.
///
/// # Example
/// ```
/// use hx_digest::{HkdfAlgorithm, Prk};
/// let prk = Prk::extract(HkdfAlgorithm::Sha256, Some(b"salt"), b"input keying material");
/// let mut enc_key = [0u8; 32];
/// let mut mac_key = [0u8; 32];
/// prk.expand(b"app v1 encryption", &mut enc_key)?;
/// prk.expand(b"app v1 authentication", &mut mac_key)?;
/// assert_ne!(enc_key, mac_key);
/// # Ok::<(), hx_digest::Error>(())
/// ```
pub struct Prk {
    algorithm: HkdfAlgorithm,
    bytes: Zeroizing<[u8; 64]>,
    len: usize,
}

impl Prk {
    /// HKDF-Extract(salt, ikm). `None` uses the RFC's default salt (a string of
    /// zeros as long as the hash).
    #[must_use]
    pub fn extract(algorithm: HkdfAlgorithm, salt: Option<&[u8]>, ikm: &[u8]) -> Self {
        let mut bytes = Zeroizing::new([0u8; 64]);
        match algorithm {
            HkdfAlgorithm::Sha256 => {
                let (mut prk, _) = Hkdf::<sha2::Sha256>::extract(salt, ikm);
                copy_prefix(&mut bytes, &prk);
                prk.zeroize();
            }
            HkdfAlgorithm::Sha512 => {
                let (mut prk, _) = Hkdf::<sha2::Sha512>::extract(salt, ikm);
                copy_prefix(&mut bytes, &prk);
                prk.zeroize();
            }
        }
        Self {
            algorithm,
            bytes,
            len: algorithm.hash_len(),
        }
    }

    /// Uses `prk` as a pseudorandom key directly (expand-only HKDF, for keys
    /// that are already uniformly random).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `prk` is shorter than the hash length or
    /// longer than 64 bytes.
    ///
    /// # Example
    /// ```
    /// use hx_digest::{HkdfAlgorithm, Prk};
    /// let prk = Prk::from_bytes(HkdfAlgorithm::Sha256, &[7u8; 32])?;
    /// let mut okm = [0u8; 16];
    /// prk.expand(b"context", &mut okm)?;
    /// assert!(Prk::from_bytes(HkdfAlgorithm::Sha256, &[7u8; 16]).is_err());
    /// # Ok::<(), hx_digest::Error>(())
    /// ```
    pub fn from_bytes(algorithm: HkdfAlgorithm, prk: &[u8]) -> Result<Self> {
        crate::error::check_len("HKDF PRK", prk.len(), algorithm.hash_len(), 64)?;
        let mut bytes = Zeroizing::new([0u8; 64]);
        copy_prefix(&mut bytes, prk);
        Ok(Self {
            algorithm,
            bytes,
            len: prk.len(),
        })
    }

    /// The pseudorandom key bytes. Handle with care: this is secret.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// HKDF-Expand(prk, info) into `out`, which may be 1 to
    /// [`HkdfAlgorithm::max_output_len`] bytes long.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `out` is empty or too long.
    pub fn expand(&self, info: &[u8], out: &mut [u8]) -> Result<()> {
        let max = self.algorithm.max_output_len();
        crate::error::check_len("HKDF output", out.len(), 1, max)?;
        let got = out.len();
        let invalid = |_| Error::InvalidLength {
            what: "HKDF output",
            got,
            min: 1,
            max,
        };
        let prk = self.expose_secret();
        match self.algorithm {
            HkdfAlgorithm::Sha256 => Hkdf::<sha2::Sha256>::from_prk(prk)
                .map_err(|_| Error::InvalidLength {
                    what: "HKDF PRK",
                    got: prk.len(),
                    min: 32,
                    max: 64,
                })?
                .expand(info, out)
                .map_err(invalid),
            HkdfAlgorithm::Sha512 => Hkdf::<sha2::Sha512>::from_prk(prk)
                .map_err(|_| Error::InvalidLength {
                    what: "HKDF PRK",
                    got: prk.len(),
                    min: 64,
                    max: 64,
                })?
                .expand(info, out)
                .map_err(invalid),
        }
    }
}

impl fmt::Debug for Prk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prk")
            .field("algorithm", &self.algorithm)
            .field("bytes", &"[REDACTED]")
            .finish()
    }
}

fn copy_prefix(dst: &mut [u8; 64], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// Extract-then-expand in one call: `length` bytes of output keying material.
///
/// # Errors
/// [`Error::InvalidLength`] if `length` is 0 or above
/// [`HkdfAlgorithm::max_output_len`].
///
/// # Example
/// ```
/// use hx_digest::{HkdfAlgorithm, hkdf};
/// // RFC 5869 A.1
/// let ikm = [0x0b; 22];
/// let salt: Vec<u8> = (0x00..=0x0c).collect();
/// let info: Vec<u8> = (0xf0..=0xf9).collect();
/// let okm = hkdf(HkdfAlgorithm::Sha256, Some(&salt), &ikm, &info, 42)?;
/// assert_eq!(hex::encode(&okm[..8]), "3cb25f25faacd57a");
/// # Ok::<(), hx_digest::Error>(())
/// ```
pub fn hkdf(
    algorithm: HkdfAlgorithm,
    salt: Option<&[u8]>,
    ikm: &[u8],
    info: &[u8],
    length: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    crate::error::check_len("HKDF output", length, 1, algorithm.max_output_len())?;
    let mut okm = Zeroizing::new(vec![0u8; length]);
    Prk::extract(algorithm, salt, ikm).expand(info, &mut okm)?;
    Ok(okm)
}
