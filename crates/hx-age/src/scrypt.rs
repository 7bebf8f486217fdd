//! The scrypt recipient type: a passphrase. A file encrypted to one has
//! exactly one stanza; its work factor is bounded when decrypting.

use std::collections::BTreeSet;

use zeroize::Zeroizing;

use crate::format::{Stanza, decode_exact, encode_arg};
use crate::primitives::{FileKey, WRAPPED_LEN, open_file_key, seal_file_key};
use crate::{Error, Result};

/// The type of a passphrase stanza.
pub const STANZA_TAG: &str = "scrypt";
const TAG: &str = STANZA_TAG;
/// The label only a passphrase recipient carries, so that it stays alone.
pub(crate) const LABEL: &str = "scrypt: only stanza of its file";
const SALT_LABEL: &[u8] = b"age-encryption.org/v1/scrypt";

/// The work factor hx encrypts with, as age does: 2^18 (about a second).
pub const DEFAULT_LOG_N: u8 = 18;
/// The largest work factor a file may ask of the reader unless the caller
/// allows more: 2^22 (about 4 GiB·s of work), age's default limit, so that a
/// file cannot make the reader spin for minutes.
pub const DEFAULT_MAX_LOG_N: u8 = 22;

/// A passphrase, zeroized on drop; `Debug` shows `[REDACTED]`.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// The passphrase of these bytes (UTF-8 text as typed, without a
    /// trailing line end).
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    fn wrap_key(&self, salt: &[u8; 16], log_n: u8) -> Result<Zeroizing<[u8; 32]>> {
        let mut full_salt = SALT_LABEL.to_vec();
        full_salt.extend_from_slice(salt);
        let params = ::scrypt::Params::new(log_n, 8, 1)
            .map_err(|_| Error::InvalidHeader("scrypt work factor"))?;
        let mut key = Zeroizing::new([0u8; 32]);
        ::scrypt::scrypt(&self.0, &full_salt, &params, key.as_mut())
            .map_err(|_| Error::Backend("scrypt"))?;
        Ok(key)
    }
}

impl core::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Passphrase([REDACTED])")
    }
}

/// Encrypts to a passphrase.
///
/// ```
/// use hx_age::scrypt::{Passphrase, Recipient};
/// let recipient = Recipient::new(Passphrase::new(b"correct horse".to_vec())).with_log_n(10);
/// # let _ = recipient;
/// ```
#[derive(Debug)]
pub struct Recipient {
    passphrase: Passphrase,
    log_n: u8,
}

impl Recipient {
    /// A recipient with the default work factor, 2^[`DEFAULT_LOG_N`].
    #[must_use]
    pub fn new(passphrase: Passphrase) -> Self {
        Self {
            passphrase,
            log_n: DEFAULT_LOG_N,
        }
    }

    /// The same with the work factor 2^`log_n` (tests use small ones).
    #[must_use]
    pub fn with_log_n(mut self, log_n: u8) -> Self {
        self.log_n = log_n;
        self
    }
}

impl crate::Recipient for Recipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<Vec<Stanza>> {
        let mut salt = [0u8; 16];
        hx_random::fill(&mut salt)?;
        let wrap_key = self.passphrase.wrap_key(&salt, self.log_n)?;
        let body = seal_file_key(&wrap_key, file_key)?;
        Ok(vec![Stanza::new(
            vec![TAG.into(), encode_arg(&salt), self.log_n.to_string()],
            body,
        )?])
    }

    /// A label no other recipient has: a passphrase stanza stays alone.
    fn labels(&self) -> BTreeSet<String> {
        BTreeSet::from([LABEL.to_owned()])
    }
}

/// Decrypts with a passphrase, refusing work factors above a limit.
#[derive(Debug)]
pub struct Identity {
    passphrase: Passphrase,
    max_log_n: u8,
}

impl Identity {
    /// An identity allowing work factors up to 2^[`DEFAULT_MAX_LOG_N`].
    #[must_use]
    pub fn new(passphrase: Passphrase) -> Self {
        Self {
            passphrase,
            max_log_n: DEFAULT_MAX_LOG_N,
        }
    }

    /// The same allowing work factors up to 2^`max_log_n`.
    #[must_use]
    pub fn with_max_log_n(mut self, max_log_n: u8) -> Self {
        self.max_log_n = max_log_n;
        self
    }
}

impl crate::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        if stanza.tag() != TAG {
            return None;
        }
        Some(self.unwrap(stanza))
    }
}

impl Identity {
    fn unwrap(&self, stanza: &Stanza) -> Result<FileKey> {
        let [salt, log_n] = stanza.args() else {
            return Err(Error::InvalidHeader("scrypt stanza arguments"));
        };
        let salt =
            decode_exact::<16>(salt.as_bytes()).ok_or(Error::InvalidHeader("scrypt salt"))?;
        let log_n = work_factor(log_n).ok_or(Error::InvalidHeader("scrypt work factor"))?;
        if stanza.body().len() != WRAPPED_LEN {
            return Err(Error::InvalidHeader("scrypt stanza body length"));
        }
        // Bounded before any work is done.
        if log_n > self.max_log_n {
            return Err(Error::WorkFactor {
                log_n,
                max: self.max_log_n,
            });
        }
        let wrap_key = self.passphrase.wrap_key(&salt, log_n)?;
        open_file_key(&wrap_key, stanza.body()).ok_or(Error::NoMatch)
    }
}

/// `^[1-9][0-9]*$`, at most 2^63 iterations.
fn work_factor(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'1'..=b'9')) || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.parse::<u8>().ok().filter(|&n| n < 64)
}
