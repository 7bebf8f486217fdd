//! The algorithms of the keys hx reads and makes.

use core::fmt;
use core::str::FromStr;

use crate::{Error, Result};

/// A key algorithm, as read from a key file or asked of `generate`.
///
/// Its text form is the one `hx keygen --alg` takes: `ed25519`, `rsa-2048`
/// (any size for a parsed key), `x25519`, `xwing`.
///
/// ```
/// use hx_keys::Algorithm;
/// let alg: Algorithm = "rsa-3072".parse()?;
/// assert_eq!(alg, Algorithm::Rsa { bits: 3072 });
/// assert_eq!(alg.to_string(), "rsa-3072");
/// # Ok::<(), hx_keys::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032) signatures.
    Ed25519,
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// X25519 (RFC 7748) key agreement; read by `hx-kex`, not a signing key.
    X25519,
    /// X-Wing (ML-KEM-768 + X25519) hybrid KEM; read by `hx-kex`, not a signing key.
    XWing,
}

impl Algorithm {
    /// Whether keys of this algorithm make signatures.
    ///
    /// ```
    /// assert!(hx_keys::Algorithm::Ed25519.signs());
    /// assert!(!hx_keys::Algorithm::X25519.signs());
    /// ```
    #[must_use]
    pub fn signs(self) -> bool {
        matches!(self, Self::Ed25519 | Self::Rsa { .. })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ed25519 => f.write_str("ed25519"),
            Self::Rsa { bits } => write!(f, "rsa-{bits}"),
            Self::X25519 => f.write_str("x25519"),
            Self::XWing => f.write_str("xwing"),
        }
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.to_ascii_lowercase();
        match s.as_str() {
            "ed25519" => Ok(Self::Ed25519),
            "x25519" => Ok(Self::X25519),
            "xwing" => Ok(Self::XWing),
            _ => {
                let bits = s
                    .strip_prefix("rsa-")
                    .and_then(|b| b.parse::<usize>().ok())
                    .ok_or(Error::InvalidKey(
                        "unknown algorithm (expected ed25519, x25519, xwing or rsa-BITS)",
                    ))?;
                Ok(Self::Rsa { bits })
            }
        }
    }
}
