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
    /// Bytes of `buf` filled by the last refill.
    len: usize,
    pos: usize,
    /// How many bytes the next refill fetches.
    next_fill: usize,
}

impl ByteSource {
    /// A source whose first refill fetches about `expected` bytes (the cost of
    /// `getrandom` grows with the request), later ones a full buffer.
    pub(crate) fn with_hint(expected: usize) -> Self {
        Self {
            buf: [0; 1024],
            len: 0,
            pos: 0,
            next_fill: expected.clamp(32, 1024),
        }
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        if self.pos >= self.len {
            let chunk = self.buf.get_mut(..self.next_fill).unwrap_or_default();
            fill(chunk)?;
            self.len = chunk.len();
            self.pos = 0;
            self.next_fill = 1024;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Chi-square over `n` outcomes; returns the statistic.
    fn chi_square(n: usize, draws: usize, mut draw: impl FnMut() -> usize) -> f64 {
        let mut counts = vec![0u32; n];
        for _ in 0..draws {
            counts[draw()] += 1;
        }
        let expected = draws as f64 / n as f64;
        counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum()
    }

    #[test]
    fn below_256_is_uniform_for_awkward_sizes() {
        for n in [3usize, 62, 90, 200] {
            let mut s = ByteSource::with_hint(64);
            let chi2 = chi_square(n, 200 * n, || s.below_256(n).unwrap());
            // Mean n-1, standard deviation sqrt(2(n-1)): 6 sigma is far beyond chance.
            let limit = (n - 1) as f64 + 6.0 * (2.0 * (n - 1) as f64).sqrt();
            assert!(chi2 < limit, "n = {n}: chi-square {chi2} > {limit}");
        }
    }

    #[test]
    fn below_65536_is_uniform_over_the_word_list_size() {
        let mut s = ByteSource::with_hint(64);
        let n = 7776;
        let chi2 = chi_square(n, 50 * n, || s.below_65536(n).unwrap());
        let limit = (n - 1) as f64 + 6.0 * (2.0 * (n - 1) as f64).sqrt();
        assert!(chi2 < limit, "chi-square {chi2} > {limit}");
    }
}
