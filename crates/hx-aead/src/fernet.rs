//! Fernet (<https://github.com/fernet/spec>), byte-compatible with Python's
//! `cryptography.fernet`, for services migrating from it.
//!
//! `token = base64url(0x80 ‖ u64be(timestamp) ‖ iv[16] ‖ AES-128-CBC-PKCS7(ciphertext) ‖ HMAC-SHA256)`,
//! with padding, the MAC over everything before it under the first half of
//! the key, the encryption under the second half.

use core::fmt;

use aes::Aes128;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hx_digest::{HmacAlgorithm, HmacKey};
use zeroize::Zeroizing;

use crate::clock::{check_time, now};
use crate::{Error, Result};

/// Fernet's version byte.
const VERSION: u8 = 0x80;
/// How far in the future a token's timestamp may be (the spec's and Python's
/// `_MAX_CLOCK_SKEW`), in seconds.
pub const FERNET_MAX_CLOCK_SKEW: u64 = 60;
const HEADER_LEN: usize = 1 + 8 + 16;
const MAC_LEN: usize = 32;
const BLOCK: usize = 16;

/// A Fernet key: 16 bytes of HMAC key then 16 bytes of AES-128 key, written
/// as 44 characters of padded url-safe base64. Zeroized on drop; `Debug`
/// redacted.
///
/// # Example
/// ```
/// use hx_aead::FernetKey;
/// let key = FernetKey::generate()?;
/// let text = key.to_base64();
/// assert_eq!(text.len(), 44);
/// assert!(FernetKey::from_base64(&text).is_ok());
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct FernetKey(Zeroizing<[u8; 32]>);

impl FernetKey {
    /// A new random key.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        crate::backend::random_key().map(Self)
    }

    /// Wraps 32 raw key bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(Zeroizing::new(*bytes))
    }

    /// Parses the 44-character padded url-safe base64 form (what Python's
    /// `Fernet.generate_key()` returns). Surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if it is not exactly 32 bytes of url-safe base64.
    pub fn from_base64(text: &str) -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        let mut decoded = Zeroizing::new([0u8; 33]);
        let n = URL_SAFE
            .decode_slice(text.trim(), &mut decoded[..])
            .map_err(|_| Error::InvalidKey("a Fernet key is 32 bytes of url-safe base64"))?;
        if n != 32 {
            return Err(Error::InvalidKey(
                "a Fernet key is 32 bytes of url-safe base64",
            ));
        }
        bytes.copy_from_slice(&decoded[..32]);
        Ok(Self(bytes))
    }

    /// The 44-character text form. Secret.
    #[must_use]
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE.encode(&self.0[..]))
    }

    /// The raw key bytes. Secret.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for FernetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FernetKey([REDACTED])")
    }
}

/// Encrypts and decrypts Fernet tokens under one key.
///
/// # Example
/// ```
/// use hx_aead::{Fernet, FernetKey};
/// let f = Fernet::new(&FernetKey::generate()?)?;
/// let token = f.encrypt(b"secret message")?;
/// assert_eq!(&*f.decrypt(&token, None)?, b"secret message");
/// assert!(f.decrypt(&token[1..], None).is_err());
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct Fernet {
    mac: HmacKey,
    enc: Zeroizing<[u8; 16]>,
}

impl Fernet {
    /// Prepares `key`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the HMAC backend refuses the signing key
    /// (HMAC takes keys of any length, so this does not happen in practice).
    pub fn new(key: &FernetKey) -> Result<Self> {
        let (signing, encryption) = key.0.split_at(16);
        let mut enc = Zeroizing::new([0u8; 16]);
        enc.copy_from_slice(encryption);
        let mac = HmacKey::new(HmacAlgorithm::Sha256, signing)
            .map_err(|_| Error::InvalidKey("HMAC-SHA256 refused the signing key"))?;
        Ok(Self { mac, enc })
    }

    /// Encrypts `data` with the current time as the token's timestamp.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn encrypt(&self, data: &[u8]) -> Result<String> {
        self.encrypt_at_time(data, now())
    }

    /// Encrypts `data` with `timestamp` (Unix seconds) as the token's time.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn encrypt_at_time(&self, data: &[u8], timestamp: u64) -> Result<String> {
        let mut iv = [0u8; 16];
        hx_random::fill(&mut iv)?;
        Ok(self.encrypt_with_iv(data, timestamp, &iv))
    }

    pub(crate) fn encrypt_with_iv(&self, data: &[u8], timestamp: u64, iv: &[u8; 16]) -> String {
        let padded_len = (data.len() / BLOCK + 1) * BLOCK;
        let mut raw = Vec::with_capacity(HEADER_LEN + padded_len + MAC_LEN);
        raw.push(VERSION);
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(iv);
        raw.extend_from_slice(data);
        raw.resize(HEADER_LEN + padded_len, 0);
        let body = raw.get_mut(HEADER_LEN..).unwrap_or_default();
        let encryptor = cbc::Encryptor::<Aes128>::new(&(*self.enc).into(), &(*iv).into());
        // The buffer holds exactly the padded length, so padding cannot fail.
        let _ = encryptor.encrypt_padded::<Pkcs7>(body, data.len());
        let tag = self.mac.sign(&raw);
        raw.extend_from_slice(tag.as_bytes());
        URL_SAFE.encode(&raw)
    }

    /// Decrypts `token`, refusing it if it is older than `ttl` seconds (when
    /// given) or more than [`FERNET_MAX_CLOCK_SKEW`] seconds in the future.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for any failure.
    pub fn decrypt(&self, token: &str, ttl: Option<u64>) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_at_time(token, ttl, now())
    }

    /// [`Fernet::decrypt`] as if the time were `now` (Unix seconds).
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for any failure.
    pub fn decrypt_at_time(
        &self,
        token: &str,
        ttl: Option<u64>,
        now: u64,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (timestamp, raw) = self.authenticate(token)?;
        check_time(timestamp, ttl, now, FERNET_MAX_CLOCK_SKEW)?;
        self.decrypt_authenticated(&raw)
    }

    /// The timestamp of an authentic token (it is checked first).
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if the token does not authenticate.
    pub fn extract_timestamp(&self, token: &str) -> Result<u64> {
        self.authenticate(token).map(|(timestamp, _)| timestamp)
    }

    /// Decodes and checks the MAC (constant time); returns the timestamp and
    /// the raw token.
    pub(crate) fn authenticate(&self, token: &str) -> Result<(u64, Vec<u8>)> {
        let raw = URL_SAFE
            .decode(token.as_bytes())
            .map_err(|_| Error::InvalidToken)?;
        let body_len = raw
            .len()
            .checked_sub(HEADER_LEN + MAC_LEN)
            .ok_or(Error::InvalidToken)?;
        if raw.first() != Some(&VERSION) || body_len == 0 || !body_len.is_multiple_of(BLOCK) {
            return Err(Error::InvalidToken);
        }
        let (signed, tag) = raw.split_at(raw.len() - MAC_LEN);
        self.mac
            .verify(signed, tag)
            .map_err(|_| Error::InvalidToken)?;
        let mut ts = [0u8; 8];
        ts.copy_from_slice(raw.get(1..9).ok_or(Error::InvalidToken)?);
        Ok((u64::from_be_bytes(ts), raw))
    }

    /// Decrypts an already authenticated raw token.
    pub(crate) fn decrypt_authenticated(&self, raw: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(raw.get(9..HEADER_LEN).ok_or(Error::InvalidToken)?);
        let body = raw
            .get(HEADER_LEN..raw.len() - MAC_LEN)
            .ok_or(Error::InvalidToken)?;
        let mut buf = Zeroizing::new(body.to_vec());
        let decryptor = cbc::Decryptor::<Aes128>::new(&(*self.enc).into(), &iv.into());
        let len = decryptor
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| Error::InvalidToken)?
            .len();
        buf.truncate(len);
        Ok(buf)
    }
}

impl fmt::Debug for Fernet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fernet([REDACTED])")
    }
}

/// Several Fernet keys: encrypts with the first, decrypts with any, and
/// re-encrypts old tokens under the first with [`MultiFernet::rotate`] —
/// Python's `MultiFernet`.
///
/// # Example
/// ```
/// use hx_aead::{Fernet, FernetKey, MultiFernet};
/// let old = FernetKey::generate()?;
/// let token = Fernet::new(&old)?.encrypt(b"data")?;
/// let new = FernetKey::generate()?;
/// let multi = MultiFernet::new(&[new, old])?;
/// let rotated = multi.rotate(&token)?;
/// assert_eq!(&*multi.decrypt(&rotated, None)?, b"data");
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct MultiFernet {
    fernets: Vec<Fernet>,
}

impl MultiFernet {
    /// Prepares `keys`; the first encrypts.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if `keys` is empty.
    pub fn new(keys: &[FernetKey]) -> Result<Self> {
        if keys.is_empty() {
            return Err(Error::InvalidKey("MultiFernet needs at least one key"));
        }
        Ok(Self {
            fernets: keys.iter().map(Fernet::new).collect::<Result<_>>()?,
        })
    }

    fn primary(&self) -> Result<&Fernet> {
        self.fernets
            .first()
            .ok_or(Error::InvalidKey("MultiFernet needs at least one key"))
    }

    /// Encrypts with the first key.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn encrypt(&self, data: &[u8]) -> Result<String> {
        self.primary()?.encrypt(data)
    }

    /// Encrypts with the first key at `timestamp`.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn encrypt_at_time(&self, data: &[u8], timestamp: u64) -> Result<String> {
        self.primary()?.encrypt_at_time(data, timestamp)
    }

    /// Decrypts with whichever key authenticates the token.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if none does, or the time checks fail.
    pub fn decrypt(&self, token: &str, ttl: Option<u64>) -> Result<Zeroizing<Vec<u8>>> {
        self.decrypt_at_time(token, ttl, now())
    }

    /// [`MultiFernet::decrypt`] as if the time were `now`.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for any failure.
    pub fn decrypt_at_time(
        &self,
        token: &str,
        ttl: Option<u64>,
        now: u64,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (fernet, timestamp, raw) = self.authenticate(token)?;
        check_time(timestamp, ttl, now, FERNET_MAX_CLOCK_SKEW)?;
        fernet.decrypt_authenticated(&raw)
    }

    /// The timestamp of a token that one of the keys authenticates.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if none does.
    pub fn extract_timestamp(&self, token: &str) -> Result<u64> {
        self.authenticate(token).map(|(_, timestamp, _)| timestamp)
    }

    /// Re-encrypts `token` under the first key, keeping its timestamp (no TTL
    /// is applied, as in Python).
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if no key authenticates it.
    pub fn rotate(&self, token: &str) -> Result<String> {
        let (fernet, timestamp, raw) = self.authenticate(token)?;
        let data = fernet.decrypt_authenticated(&raw)?;
        self.primary()?.encrypt_at_time(&data, timestamp)
    }

    fn authenticate(&self, token: &str) -> Result<(&Fernet, u64, Vec<u8>)> {
        self.fernets
            .iter()
            .find_map(|f| f.authenticate(token).ok().map(|(ts, raw)| (f, ts, raw)))
            .ok_or(Error::InvalidToken)
    }
}

impl fmt::Debug for MultiFernet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MultiFernet([REDACTED; {}])", self.fernets.len())
    }
}
