//! API keys in the GitHub/Stripe style: a readable prefix, 196 bits of
//! base62 randomness and a CRC32 checksum, stored only as a keyed hash.

use core::fmt;
use core::str::FromStr;

use hx_digest::{HmacAlgorithm, HmacKey};
use zeroize::Zeroizing;

use crate::error::check_len;
use crate::os::ByteSource;
use crate::{Error, Result};

/// The base62 alphabet, in the order GitHub's tokens use.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Random base62 characters in a key: 33 × log2(62) ≈ 196.5 bits.
pub const API_KEY_RANDOM_CHARS: usize = 33;
/// Checksum characters: CRC32 in fixed-width base62 (62⁶ > 2³²).
pub const API_KEY_CHECKSUM_CHARS: usize = 6;
/// Longest prefix, in characters.
pub const MAX_PREFIX_LEN: usize = 32;
/// The regular expression secret scanners can use to find hx API keys with
/// any prefix. For one prefix `P`, use `\bP_[0-9A-Za-z]{39}\b`.
pub const API_KEY_REGEX: &str = r"\b[a-z][a-z0-9_]{0,31}_[0-9A-Za-z]{39}\b";

const BODY_CHARS: usize = API_KEY_RANDOM_CHARS + API_KEY_CHECKSUM_CHARS;
const STORED_HASH_LABEL: &str = "hmac-sha256:";

/// An API key: `prefix_` ‖ 33 random base62 characters ‖ 6-character base62
/// CRC32 of everything before it.
///
/// The checksum lets a service reject a mistyped or truncated key offline,
/// without a database lookup, and lets secret scanners tell real keys from
/// look-alikes. It is not a MAC: authenticity comes from comparing
/// [`ApiKey::hash`] with what you stored.
///
/// `Debug` is redacted and the text is zeroized on drop.
///
/// # Example
/// ```
/// use hx_random::{ApiKey, Pepper};
///
/// let key = ApiKey::generate("acme")?;          // show this to the user once
/// let pepper = Pepper::from_bytes(b"a long server-side secret from a file")?;
/// let stored = key.hash(&pepper);               // store only this
///
/// let presented = ApiKey::parse(key.expose_secret())?; // format and checksum, offline
/// presented.verify(&pepper, &stored)?;          // constant-time match
/// assert!(ApiKey::parse("acme_not-a-key").is_err());
/// # Ok::<(), hx_random::Error>(())
/// ```
pub struct ApiKey {
    text: Zeroizing<String>,
    prefix_len: usize,
}

impl ApiKey {
    /// Generates a new key under `prefix`.
    ///
    /// A prefix is 1 to 32 characters of lowercase ASCII letters, digits and
    /// underscores; it starts with a letter and does not end with an
    /// underscore (`ghp`, `sk_live`, `acme`).
    ///
    /// # Errors
    /// [`Error::InvalidPrefix`] saying what is wrong with the prefix;
    /// [`Error::OsRandom`] if the OS generator fails.
    pub fn generate(prefix: &str) -> Result<Self> {
        check_prefix(prefix)?;
        let mut text = Zeroizing::new(String::with_capacity(prefix.len() + 1 + BODY_CHARS));
        text.push_str(prefix);
        text.push('_');
        // 62/256 of bytes are rejected: 33 characters need about 44 bytes.
        let mut source = ByteSource::with_hint(48);
        for _ in 0..API_KEY_RANDOM_CHARS {
            let i = source.below_256(BASE62.len())?;
            text.push(char::from(BASE62.get(i).copied().unwrap_or(b'0')));
        }
        let checksum = crc32fast::hash(text.as_bytes());
        text.push_str(&base62_u32(checksum));
        Ok(Self {
            text,
            prefix_len: prefix.len(),
        })
    }

    /// Checks the format and checksum of a presented key.
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`] for anything malformed, whatever the reason.
    pub fn parse(text: &str) -> Result<Self> {
        let split = text
            .len()
            .checked_sub(BODY_CHARS + 1)
            .ok_or(Error::InvalidApiKey)?;
        let (prefix, rest) = text.split_at_checked(split).ok_or(Error::InvalidApiKey)?;
        let body = rest.strip_prefix('_').ok_or(Error::InvalidApiKey)?;
        check_prefix(prefix).map_err(|_| Error::InvalidApiKey)?;
        if body.len() != BODY_CHARS || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::InvalidApiKey);
        }
        let (covered, checksum) = text
            .split_at_checked(text.len() - API_KEY_CHECKSUM_CHARS)
            .ok_or(Error::InvalidApiKey)?;
        // The checksum is public (it is part of the key's text), so an
        // ordinary comparison is fine here; the secret comparison is in `verify`.
        if base62_u32(crc32fast::hash(covered.as_bytes())) != checksum {
            return Err(Error::InvalidApiKey);
        }
        Ok(Self {
            text: Zeroizing::new(text.to_owned()),
            prefix_len: prefix.len(),
        })
    }

    /// The prefix (not secret).
    #[must_use]
    pub fn prefix(&self) -> &str {
        self.text.get(..self.prefix_len).unwrap_or_default()
    }

    /// The whole key. Secret: show it to its owner once, never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The value to store: HMAC-SHA256 of the key under the server's
    /// `pepper`, as `hmac-sha256:<hex>`. A leaked table of these does not let
    /// anyone use or brute-force the keys without the pepper.
    #[must_use]
    pub fn hash(&self, pepper: &Pepper) -> ApiKeyHash {
        let tag = pepper.key.sign(self.text.as_bytes());
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(tag.as_bytes().get(..32).unwrap_or(&[0; 32]));
        ApiKeyHash(bytes)
    }

    /// Checks this key against a stored hash, in constant time.
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`] if it does not match.
    pub fn verify(&self, pepper: &Pepper, stored: &ApiKeyHash) -> Result<()> {
        pepper
            .key
            .verify(self.text.as_bytes(), &stored.0)
            .map_err(|_| Error::InvalidApiKey)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("prefix", &self.prefix())
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

fn check_prefix(prefix: &str) -> Result<()> {
    let bytes = prefix.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_PREFIX_LEN {
        return Err(Error::InvalidPrefix("must be 1 to 32 characters"));
    }
    if !bytes.first().is_some_and(u8::is_ascii_lowercase) {
        return Err(Error::InvalidPrefix("must start with a lowercase letter"));
    }
    if bytes.last() == Some(&b'_') {
        return Err(Error::InvalidPrefix("must not end with '_'"));
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
    {
        return Err(Error::InvalidPrefix(
            "may hold only lowercase letters, digits and '_'",
        ));
    }
    Ok(())
}

/// `v` in base62, fixed width 6, most significant digit first.
fn base62_u32(mut v: u32) -> String {
    let mut digits = [b'0'; API_KEY_CHECKSUM_CHARS];
    for d in digits.iter_mut().rev() {
        let i = (v % 62) as usize;
        *d = BASE62.get(i).copied().unwrap_or(b'0');
        v /= 62;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// What to store for an API key: its HMAC-SHA256 under the pepper.
/// Compares in constant time.
///
/// # Example
/// ```
/// use hx_random::ApiKeyHash;
/// let text = format!("hmac-sha256:{}", "ab".repeat(32));
/// let stored: ApiKeyHash = text.parse()?;
/// assert_eq!(stored.to_string(), text);
/// # Ok::<(), hx_random::Error>(())
/// ```
#[derive(Clone)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub struct ApiKeyHash([u8; 32]);

impl FromStr for ApiKey {
    type Err = Error;

    /// As [`ApiKey::parse`] (the key is a secret: it has no `Display`).
    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl fmt::Display for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{STORED_HASH_LABEL}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyHash({self})")
    }
}

impl FromStr for ApiKeyHash {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let hex_part = s
            .trim()
            .strip_prefix(STORED_HASH_LABEL)
            .ok_or(Error::InvalidStoredHash)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_part, &mut bytes).map_err(|_| Error::InvalidStoredHash)?;
        Ok(Self(bytes))
    }
}

impl PartialEq for ApiKeyHash {
    fn eq(&self, other: &Self) -> bool {
        hx_digest::ct_eq(&self.0, &other.0)
    }
}

impl Eq for ApiKeyHash {}

/// The server-side secret API key hashes are keyed with. Keep it out of the
/// database that holds the hashes (a file, a secrets manager, an env var).
///
/// At least 16 bytes; generate one with [`Pepper::generate`] or `hx token`.
/// Zeroized on drop, `Debug` redacted.
pub struct Pepper {
    key: HmacKey,
}

/// The shortest pepper accepted, in bytes.
pub const MIN_PEPPER_LEN: usize = 16;

impl Pepper {
    /// Wraps pepper bytes (read from a file or a secret store).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if shorter than [`MIN_PEPPER_LEN`] or longer
    /// than 4 KiB.
    ///
    /// # Example
    /// ```
    /// assert!(hx_random::Pepper::from_bytes(b"too short").is_err());
    /// assert!(hx_random::Pepper::from_bytes(&[7u8; 32]).is_ok());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        check_len("pepper length in bytes", bytes.len(), MIN_PEPPER_LEN, 4096)?;
        let key = HmacKey::new(HmacAlgorithm::Sha256, bytes).map_err(|_| Error::InvalidLength {
            what: "pepper length in bytes",
            got: bytes.len(),
            min: MIN_PEPPER_LEN,
            max: 4096,
        })?;
        Ok(Self { key })
    }

    /// A new random 32-byte pepper.
    ///
    /// # Errors
    /// [`Error::OsRandom`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        Self::from_bytes(&crate::token_bytes(32)?)
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper([REDACTED])")
    }
}
