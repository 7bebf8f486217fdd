//! The one source of randomness: the operating system, through `getrandom`.
//!
//! hx keeps no user-space generator state, so there is nothing to reseed and
//! nothing a `fork` could duplicate.

use zeroize::Zeroize;

use crate::Result;

/// Fills `buf` with bytes from the operating system's CSPRNG.
///
/// # Errors
/// [`Error::OsRandom`](crate::Error::OsRandom) if the OS generator fails
/// (practically never on a supported platform).
///
/// # Example
/// ```
/// let mut nonce = [0u8; 24];
/// hx_random::fill(&mut nonce)?;
/// # Ok::<(), hx_random::Error>(())
/// ```
pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf)?;
    Ok(())
}

/// Bytes fetched from the OS in batches, handed out one at a time, for the
/// rejection sampling of characters and words. Zeroized on drop.
pub(crate) struct ByteSource {
    buf: [u8; 1024],
    pos: usize,
}

impl ByteSource {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; 1024],
            pos: 1024,
        }
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        if self.pos >= self.buf.len() {
            fill(&mut self.buf)?;
            self.pos = 0;
        }
        let b = self.buf.get(self.pos).copied().unwrap_or(0);
        if let Some(slot) = self.buf.get_mut(self.pos) {
            *slot = 0;
        }
        self.pos += 1;
        Ok(b)
    }

    /// A uniform index in `0..n` for `1 <= n <= 256`, by rejection sampling.
    pub(crate) fn below_256(&mut self, n: usize) -> Result<usize> {
        debug_assert!((1..=256).contains(&n));
        let limit = 256 - 256 % n; // largest multiple of n that fits in a byte
        loop {
            let b = usize::from(self.byte()?);
            if b < limit {
                return Ok(b % n);
            }
        }
    }

    /// A uniform index in `0..n` for `1 <= n <= 65536`, by rejection sampling.
    pub(crate) fn below_65536(&mut self, n: usize) -> Result<usize> {
        debug_assert!((1..=65536).contains(&n));
        let limit = 65536 - 65536 % n;
        loop {
            let v = usize::from(self.byte()?) << 8 | usize::from(self.byte()?);
            if v < limit {
                return Ok(v % n);
            }
        }
    }
}

impl Drop for ByteSource {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}
