//! Fixed-capacity output values: [`Digest`] for hashes, [`Tag`] for MACs.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use zeroize::Zeroize;

use crate::{Error, Result};

/// The largest output any hx-digest function returns by value (BLAKE2b-512,
/// SHA-512, SHA3-512).
pub const MAX_OUTPUT_LEN: usize = 64;

macro_rules! output_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            bytes: [u8; MAX_OUTPUT_LEN],
            len: u8,
        }

        impl $name {
            /// Wraps `bytes` (1 to 64 of them).
            ///
            /// # Errors
            /// [`Error::InvalidLength`] if `bytes` is empty or longer than 64.
            pub fn from_slice(bytes: &[u8]) -> Result<Self> {
                crate::error::check_len(stringify!($name), bytes.len(), 1, MAX_OUTPUT_LEN)?;
                let mut out = Self { bytes: [0; MAX_OUTPUT_LEN], len: 0 };
                out.bytes[..bytes.len()].copy_from_slice(bytes);
                out.len = u8::try_from(bytes.len()).map_err(|_| Error::InvalidLength {
                    what: stringify!($name),
                    got: bytes.len(),
                    min: 1,
                    max: MAX_OUTPUT_LEN,
                })?;
                Ok(out)
            }

            /// Wraps output that an hx hasher produced (at most 64 bytes, never
            /// empty); longer input is cut to 64 bytes rather than failing.
            pub(crate) fn from_hasher(bytes: &[u8]) -> Self {
                let n = bytes.len().min(MAX_OUTPUT_LEN);
                let mut out = Self { bytes: [0; MAX_OUTPUT_LEN], len: 0 };
                out.bytes[..n].copy_from_slice(&bytes[..n]);
                out.len = u8::try_from(n).unwrap_or(u8::MAX);
                out
            }

            /// The output bytes.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                &self.bytes[..usize::from(self.len)]
            }

            /// Number of bytes.
            #[must_use]
            pub fn len(&self) -> usize {
                usize::from(self.len)
            }

            /// Always `false`: outputs have at least one byte.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// Lowercase hexadecimal.
            #[must_use]
            pub fn to_hex(&self) -> String {
                hex::encode(self.as_bytes())
            }

            /// Standard base64 with padding (RFC 4648 §4).
            #[must_use]
            pub fn to_base64(&self) -> String {
                STANDARD.encode(self.as_bytes())
            }

            /// URL-safe base64 without padding (RFC 4648 §5).
            #[must_use]
            pub fn to_base64url(&self) -> String {
                URL_SAFE_NO_PAD.encode(self.as_bytes())
            }

            /// Parses hexadecimal (either case).
            ///
            /// # Errors
            /// [`Error::InvalidEncoding`] for non-hex text, [`Error::InvalidLength`]
            /// for an empty or over-long value.
            pub fn from_hex(text: &str) -> Result<Self> {
                let bytes = hex::decode(text).map_err(|_| Error::InvalidEncoding("hex"))?;
                Self::from_slice(&bytes)
            }

            /// Parses standard base64 with padding.
            ///
            /// # Errors
            /// [`Error::InvalidEncoding`] for invalid base64, [`Error::InvalidLength`]
            /// for an empty or over-long value.
            pub fn from_base64(text: &str) -> Result<Self> {
                let bytes = STANDARD
                    .decode(text)
                    .map_err(|_| Error::InvalidEncoding("base64"))?;
                Self::from_slice(&bytes)
            }

            /// Compares with raw bytes in constant time (length may leak).
            #[must_use]
            pub fn ct_eq_bytes(&self, other: &[u8]) -> bool {
                crate::ct_eq(self.as_bytes(), other)
            }
        }

        impl PartialEq for $name {
            /// Constant time in the contents.
            fn eq(&self, other: &Self) -> bool {
                crate::ct_eq(self.as_bytes(), other.as_bytes())
            }
        }

        impl Eq for $name {}

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                self.as_bytes()
            }
        }

        impl core::fmt::LowerHex for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.bytes.zeroize();
            }
        }
    };
}

output_type! {
    /// The output of a hash function.
    ///
    /// Compares in constant time; [`Display`](core::fmt::Display) and
    /// [`Debug`](core::fmt::Debug) print lowercase hex, since a digest of public
    /// data is public.
    ///
    /// # Example
    /// ```
    /// use hx_digest::{Algorithm, hash};
    /// let d = hash(Algorithm::Sha256, b"abc");
    /// assert_eq!(d.to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /// assert_eq!(d.len(), 32);
    /// assert_eq!(d.to_string().parse::<hx_digest::Digest>()?, d);
    /// # Ok::<(), hx_digest::Error>(())
    /// ```
    #[cfg_attr(
        feature = "serde",
        derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
    )]
    Digest
}

output_type! {
    /// The output of a MAC (HMAC, keyed BLAKE2, keyed BLAKE3).
    ///
    /// Compares in constant time. `Debug` is redacted: a tag over a secret
    /// message under a secret key should not end up in logs by accident. Use
    /// [`Tag::to_hex`] when you mean to print it.
    ///
    /// # Example
    /// ```
    /// use hx_digest::{HmacAlgorithm, HmacKey};
    /// let key = HmacKey::new(HmacAlgorithm::Sha256, b"key")?;
    /// let tag = key.sign(b"The quick brown fox jumps over the lazy dog");
    /// assert_eq!(tag.to_hex(), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    /// assert_eq!(format!("{tag:?}"), "Tag([REDACTED])");
    /// # Ok::<(), hx_digest::Error>(())
    /// ```
    Tag
}

impl core::fmt::Display for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl core::str::FromStr for Digest {
    type Err = Error;

    /// Hex, as `Display` writes it (either case).
    fn from_str(text: &str) -> Result<Self> {
        Self::from_hex(text)
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl core::fmt::Debug for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Tag([REDACTED])")
    }
}
