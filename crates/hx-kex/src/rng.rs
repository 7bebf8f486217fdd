//! Randomness for the `hpke` crate, drawn from the OS through hx-random
//! without a panic path: the bytes are drawn before the operation (where a
//! failure is an error), and an operation that asked for more than was
//! drawn, with the OS then failing, is reported as failed and its output
//! discarded.

use core::convert::Infallible;

use zeroize::Zeroizing;

use crate::{Error, Result};

/// More than any KEM here draws per operation (X-Wing: 64 bytes).
const PREFILL: usize = 128;

pub(crate) struct OsRandom {
    buf: Zeroizing<[u8; PREFILL]>,
    pos: usize,
    failure: Option<hx_random::Error>,
}

impl OsRandom {
    pub(crate) fn new() -> Result<Self> {
        let mut buf = Zeroizing::new([0u8; PREFILL]);
        hx_random::fill(buf.as_mut())?;
        Ok(Self {
            buf,
            pos: 0,
            failure: None,
        })
    }

    /// Whether every byte handed out was fresh OS randomness.
    pub(crate) fn check(mut self) -> Result<()> {
        self.failure
            .take()
            .map_or(Ok(()), |e| Err(Error::Random(e)))
    }
}

impl rand_core::TryRng for OsRandom {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Infallible> {
        rand_core::utils::next_word_via_fill(self)
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Infallible> {
        rand_core::utils::next_word_via_fill(self)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> core::result::Result<(), Infallible> {
        for byte in dest.iter_mut() {
            if self.pos == PREFILL {
                if let Err(e) = hx_random::fill(self.buf.as_mut()) {
                    self.failure.get_or_insert(e);
                }
                self.pos = 0;
            }
            *byte = self.buf[self.pos];
            self.pos += 1;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for OsRandom {}
