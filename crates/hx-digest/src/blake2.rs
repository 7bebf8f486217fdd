//! BLAKE2b and BLAKE2s with every RFC 7693 parameter chosen at run time:
//! output length, key, salt and personalisation.

use blake2::{Blake2bVarCore, Blake2sVarCore};
use digest::block_api::{Buffer, UpdateCore, VariableOutputCore};
use zeroize::Zeroize;

use crate::error::check_len;
use crate::{Digest, Result};

/// Parameters for [`Blake2b`] and [`Blake2s`].
///
/// The limits differ per variant: BLAKE2b takes outputs of 1–64 bytes, keys of
/// up to 64 bytes and salt/personalisation of up to 16 bytes; BLAKE2s takes
/// 1–32, 32 and 8. Shorter salts and personalisations are zero-padded, as in
/// the reference implementation and Python's `hashlib`.
///
/// # Example
/// ```
/// use hx_digest::{Blake2Params, Blake2b};
/// let params = Blake2Params::new(32).key(b"secret key").salt(b"salt").persona(b"app v1");
/// let mut h = Blake2b::new(&params)?;
/// h.update(b"message");
/// assert_eq!(h.finalize().len(), 32);
/// # Ok::<(), hx_digest::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Blake2Params<'a> {
    output_len: usize,
    key: &'a [u8],
    salt: &'a [u8],
    persona: &'a [u8],
}

impl<'a> Blake2Params<'a> {
    /// Unkeyed hashing with `output_len` bytes of output.
    #[must_use]
    pub const fn new(output_len: usize) -> Self {
        Self {
            output_len,
            key: &[],
            salt: &[],
            persona: &[],
        }
    }

    /// Keyed hashing (a MAC). An empty key means unkeyed.
    #[must_use]
    pub const fn key(mut self, key: &'a [u8]) -> Self {
        self.key = key;
        self
    }

    /// Salt.
    #[must_use]
    pub const fn salt(mut self, salt: &'a [u8]) -> Self {
        self.salt = salt;
        self
    }

    /// Personalisation (domain separation string).
    #[must_use]
    pub const fn persona(mut self, persona: &'a [u8]) -> Self {
        self.persona = persona;
        self
    }
}

impl core::fmt::Debug for Blake2Params<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Blake2Params")
            .field("output_len", &self.output_len)
            .field("keyed", &!self.key.is_empty())
            .finish_non_exhaustive()
    }
}

macro_rules! blake2_hasher {
    ($(#[$doc:meta])* $name:ident, $core:ty, $block:expr, $max_out:expr, $max_salt:expr, $label:literal) => {
        $(#[$doc])*
        ///
        /// The state and the buffer (which may hold the padded key block)
        /// zeroize themselves on drop (the `digest` crate's `zeroize` feature).
        #[derive(Clone)]
        pub struct $name {
            core: $core,
            buffer: Buffer<$core>,
            output_len: usize,
        }

        impl $name {
            /// Largest output, key length and block size, in bytes.
            pub const MAX_OUTPUT_LEN: usize = $max_out;
            /// Largest salt and personalisation, in bytes.
            pub const MAX_SALT_LEN: usize = $max_salt;

            /// Starts a hash with `params`.
            ///
            /// # Errors
            /// [`Error::InvalidLength`](crate::Error::InvalidLength) naming the
            /// parameter that is out of range.
            pub fn new(params: &Blake2Params<'_>) -> Result<Self> {
                check_len(concat!($label, " output"), params.output_len, 1, $max_out)?;
                check_len(concat!($label, " key"), params.key.len(), 0, $max_out)?;
                check_len(concat!($label, " salt"), params.salt.len(), 0, $max_salt)?;
                check_len(concat!($label, " personalisation"), params.persona.len(), 0, $max_salt)?;
                let core = <$core>::new_with_params(
                    params.salt,
                    params.persona,
                    params.key.len(),
                    params.output_len,
                );
                let buffer = if params.key.is_empty() {
                    Buffer::<$core>::default()
                } else {
                    // RFC 7693 §3.3: a keyed hash starts with the key padded to a block.
                    let mut block = [0u8; $block];
                    block[..params.key.len()].copy_from_slice(params.key);
                    let buffer = Buffer::<$core>::new(&block);
                    block.zeroize();
                    buffer
                };
                Ok(Self { core, buffer, output_len: params.output_len })
            }

            /// Unkeyed hashing with a fixed output length chosen by hx itself
            /// (32 or 64 bytes); lengths beyond the maximum are clamped.
            pub(crate) fn unkeyed(output_len: usize) -> Self {
                let output_len = output_len.clamp(1, $max_out);
                Self {
                    core: <$core>::new_with_params(&[], &[], 0, output_len),
                    buffer: Buffer::<$core>::default(),
                    output_len,
                }
            }

            /// Absorbs `data`.
            pub fn update(&mut self, data: &[u8]) {
                let core = &mut self.core;
                self.buffer.digest_blocks(data, |blocks| core.update_blocks(blocks));
            }

            /// Finishes and returns the output.
            #[must_use]
            pub fn finalize(mut self) -> Digest {
                let mut full = digest::Output::<$core>::default();
                self.core.finalize_variable_core(&mut self.buffer, &mut full);
                // TRUNC_SIDE is Left: the output is the first `output_len` bytes.
                let out = Digest::from_hasher(full.get(..self.output_len).unwrap_or(&full));
                full.zeroize();
                out
            }

            /// Finishes and compares with `expected` in constant time (for keyed use).
            ///
            /// # Errors
            /// [`Error::VerificationFailed`](crate::Error::VerificationFailed),
            /// whatever the reason.
            pub fn verify(self, expected: &[u8]) -> Result<()> {
                if self.finalize().ct_eq_bytes(expected) {
                    Ok(())
                } else {
                    Err(crate::Error::VerificationFailed)
                }
            }
        }

        impl_write_via_update!($name);

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("output_len", &self.output_len)
                    .finish_non_exhaustive()
            }
        }

    };
}

blake2_hasher!(
    /// BLAKE2b (RFC 7693), optimised for 64-bit platforms.
    ///
    /// # Example
    /// ```
    /// use hx_digest::{Blake2Params, Blake2b};
    /// let mut h = Blake2b::new(&Blake2Params::new(64))?;
    /// h.update(b"abc");
    /// assert!(h.finalize().to_hex().starts_with("ba80a53f981c4d0d"));
    /// # Ok::<(), hx_digest::Error>(())
    /// ```
    Blake2b, Blake2bVarCore, 128, 64, 16, "BLAKE2b"
);

blake2_hasher!(
    /// BLAKE2s (RFC 7693), optimised for 8- to 32-bit platforms.
    ///
    /// # Example
    /// ```
    /// use hx_digest::{Blake2Params, Blake2s};
    /// let mut h = Blake2s::new(&Blake2Params::new(32))?;
    /// h.update(b"abc");
    /// assert!(h.finalize().to_hex().starts_with("508c5e8c327c14e2"));
    /// # Ok::<(), hx_digest::Error>(())
    /// ```
    Blake2s, Blake2sVarCore, 64, 32, 8, "BLAKE2s"
);
