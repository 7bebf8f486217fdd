//! The hash algorithms hx knows by name.

/// A hash algorithm selectable at run time (for example from a command line).
///
/// Names are the ones `hx digest --alg` accepts; [`Algorithm::NAMES`] lists
/// them and parsing is case-insensitive.
///
/// # Example
/// ```
/// use hx_digest::Algorithm;
/// let alg: Algorithm = "sha3-256".parse()?;
/// assert_eq!(alg, Algorithm::Sha3_256);
/// assert_eq!(alg.output_len(), 32);
/// assert!("md5".parse::<Algorithm>().unwrap_err().to_string().contains("sha256"));
/// # Ok::<(), hx_digest::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum Algorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
    /// SHA3-256 (FIPS 202).
    Sha3_256,
    /// SHA3-384 (FIPS 202).
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    Sha3_512,
    /// BLAKE2b with a 512-bit output (RFC 7693).
    Blake2b512,
    /// BLAKE2b with a 256-bit output (RFC 7693).
    Blake2b256,
    /// BLAKE2s with a 256-bit output (RFC 7693).
    Blake2s256,
    /// BLAKE3 with its default 256-bit output.
    Blake3,
}

impl Algorithm {
    /// Every algorithm, in the order of [`Algorithm::NAMES`].
    pub const ALL: [Self; 10] = [
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
        Self::Sha3_256,
        Self::Sha3_384,
        Self::Sha3_512,
        Self::Blake2b512,
        Self::Blake2b256,
        Self::Blake2s256,
        Self::Blake3,
    ];

    /// Every accepted name, in the order of [`Algorithm::ALL`].
    pub const NAMES: &'static [&'static str] = &[
        "sha256",
        "sha384",
        "sha512",
        "sha3-256",
        "sha3-384",
        "sha3-512",
        "blake2b",
        "blake2b-256",
        "blake2s",
        "blake3",
    ];

    /// The canonical name (`sha256`, `sha3-256`, `blake2b`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sha3_256 => "sha3-256",
            Self::Sha3_384 => "sha3-384",
            Self::Sha3_512 => "sha3-512",
            Self::Blake2b512 => "blake2b",
            Self::Blake2b256 => "blake2b-256",
            Self::Blake2s256 => "blake2s",
            Self::Blake3 => "blake3",
        }
    }

    /// Output length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 | Self::Sha3_256 | Self::Blake2b256 | Self::Blake2s256 | Self::Blake3 => {
                32
            }
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 | Self::Blake2b512 => 64,
        }
    }
}

named_algorithm!(Algorithm);
