//! age keys (c2sp.org/age): identities `AGE-SECRET-KEY-1…` (X25519) and
//! `AGE-SECRET-KEY-PQ-1…` (ML-KEM-768 + X25519, X-Wing), recipients `age1…`
//! and `age1pq1…`, and the identity files `age-keygen` writes.
//!
//! These are encodings only: Bech32 (BIP 173) with the data part's length
//! unlimited, as the age specification says, so the 1,216-byte post-quantum
//! recipient fits. Deriving a recipient from an identity is key arithmetic,
//! done by hx-kex's key types.
//!
//! The text is strict, as age's own reader is: an identity is upper case
//! with the `AGE-SECRET-KEY-` prefix, a recipient lower case with `age`;
//! the checksum must match and the padding must be canonical (the encoding
//! is re-derived and compared), so every key has exactly one text form.
//!
//! ```
//! use hx_keys::age::{Identity, Recipient};
//! use hx_keys::Algorithm;
//!
//! // The age specification's example X25519 recipient.
//! let text = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
//! let recipient: Recipient = text.parse()?;
//! assert_eq!(recipient.algorithm(), Algorithm::X25519);
//! assert_eq!(recipient.to_string(), text);
//!
//! let identity: Identity =
//!     "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX".parse()?;
//! assert_eq!(identity.secret(), &[0x42; 32]);
//! assert_eq!(format!("{identity:?}"), "Identity { algorithm: X25519, secret: [REDACTED] }");
//! # Ok::<(), hx_keys::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Checksum, Fe32, Fe1024, Hrp};
use zeroize::Zeroizing;

use crate::{Algorithm, Error, Result, keyfile};

/// HRP of an X25519 identity.
pub const IDENTITY_PREFIX: &str = "AGE-SECRET-KEY-";
/// HRP of an ML-KEM-768 + X25519 (X-Wing) identity.
pub const PQ_IDENTITY_PREFIX: &str = "AGE-SECRET-KEY-PQ-";
/// HRP of an X25519 recipient.
pub const RECIPIENT_PREFIX: &str = "age";
/// HRP of an ML-KEM-768 + X25519 (X-Wing) recipient.
pub const PQ_RECIPIENT_PREFIX: &str = "age1pq";

/// Bytes of an identity of either kind: X25519's scalar, X-Wing's seed.
pub const IDENTITY_LEN: usize = 32;
/// Bytes of an X25519 recipient.
pub const X25519_RECIPIENT_LEN: usize = 32;
/// Bytes of an X-Wing recipient: ML-KEM-768's encapsulation key and X25519's.
pub const XWING_RECIPIENT_LEN: usize = 1216;

/// Most bytes of an identity file hx reads (`age-keygen` writes about 200
/// per key).
pub const MAX_IDENTITY_FILE: usize = 1024 * 1024;

/// BIP 173's Bech32 checksum without its code-length limit: the age
/// specification lifts the limit, and a post-quantum recipient is 1,959
/// characters long.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum AgeBech32 {}

impl Checksum for AgeBech32 {
    type MidstateRepr = u32;
    type CorrectionField = Fe1024;
    const ROOT_GENERATOR: Self::CorrectionField = Fe1024::new([Fe32::P, Fe32::X]);
    const ROOT_EXPONENTS: core::ops::RangeInclusive<usize> = 24..=26;
    const CODE_LENGTH: usize = usize::MAX;
    const CHECKSUM_LENGTH: usize = 6;
    // BIP 173's generator, as `bech32::Bech32` (and Bitcoin Core) has it.
    const GENERATOR_SH: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    const TARGET_RESIDUE: u32 = 1;
}

/// Encodes `data` as Bech32 under `hrp`, upper case if `upper`.
fn encode(hrp: &str, data: &[u8], upper: bool) -> Zeroizing<String> {
    // The prefixes are constants that parse; an unlimited code length
    // cannot be exceeded: neither error can happen.
    let encoded = Hrp::parse(hrp)
        .ok()
        .and_then(|hrp| bech32::encode_lower::<AgeBech32>(hrp, data).ok())
        .unwrap_or_default();
    let mut encoded = Zeroizing::new(encoded);
    if upper {
        encoded.make_ascii_uppercase();
    }
    encoded
}

/// Decodes Bech32 text whose prefix must be `hrp` exactly (case included),
/// returning the data; refuses anything but the one canonical encoding.
fn decode(text: &str, hrp: &str, what: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let invalid = Error::InvalidKey(what);
    let checked = CheckedHrpstring::new::<AgeBech32>(text).map_err(|_| invalid.clone())?;
    // The hrp as written: `bech32` compares case-insensitively.
    let written = text.get(..hrp.len()).ok_or_else(|| invalid.clone())?;
    if written != hrp || checked.hrp().as_str().len() != hrp.len() {
        return Err(invalid);
    }
    let data = Zeroizing::new(checked.byte_iter().collect::<Vec<u8>>());
    let upper = hrp.bytes().any(|b| b.is_ascii_uppercase());
    // Non-zero or overlong padding decodes to the same bytes: re-encode.
    if encode(hrp, &data, upper).as_bytes() != text.as_bytes() {
        return Err(invalid);
    }
    Ok(data)
}

/// An age identity: the secret that opens files sent to its recipient.
///
/// Zeroized on drop; `Debug` shows `[REDACTED]`. It has no `Display`, so
/// that it cannot slip into a log through `{}`:
/// [`to_encoded`](Self::to_encoded) returns the text, zeroized on drop.
///
/// ```
/// use hx_keys::age::Identity;
/// use hx_keys::Algorithm;
/// let identity = Identity::new(Algorithm::XWing, [7; 32])?;
/// let text = identity.to_encoded();
/// assert!(text.starts_with("AGE-SECRET-KEY-PQ-1"));
/// assert_eq!(text.parse::<Identity>()?.secret(), &[7; 32]);
/// # Ok::<(), hx_keys::Error>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    algorithm: Algorithm,
    secret: Zeroizing<[u8; IDENTITY_LEN]>,
}

impl Identity {
    /// An identity of `algorithm` ([`Algorithm::X25519`] or
    /// [`Algorithm::XWing`]) from its 32 secret bytes (X25519's scalar,
    /// X-Wing's seed).
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for another algorithm.
    pub fn new(algorithm: Algorithm, secret: [u8; IDENTITY_LEN]) -> Result<Self> {
        let secret = Zeroizing::new(secret);
        match algorithm {
            Algorithm::X25519 | Algorithm::XWing => Ok(Self { algorithm, secret }),
            found => Err(Error::WrongKeyType {
                expected: "an X25519 or X-Wing key",
                found,
            }),
        }
    }

    /// An X25519 identity from its 32-byte scalar.
    #[must_use]
    pub fn x25519(secret: [u8; IDENTITY_LEN]) -> Self {
        Self {
            algorithm: Algorithm::X25519,
            secret: Zeroizing::new(secret),
        }
    }

    /// An X-Wing (ML-KEM-768 + X25519) identity from its 32-byte seed.
    #[must_use]
    pub fn xwing(seed: [u8; IDENTITY_LEN]) -> Self {
        Self {
            algorithm: Algorithm::XWing,
            secret: Zeroizing::new(seed),
        }
    }

    /// [`Algorithm::X25519`] or [`Algorithm::XWing`].
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The 32 secret bytes.
    #[must_use]
    pub fn secret(&self) -> &[u8; IDENTITY_LEN] {
        &self.secret
    }

    /// The 32 secret bytes of an identity that must be of `algorithm`.
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] if it is of the other algorithm.
    pub fn secret_of(&self, algorithm: Algorithm) -> Result<&[u8; IDENTITY_LEN]> {
        same(self.algorithm, algorithm).map(|()| &*self.secret)
    }

    /// The identity's text, `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`.
    #[must_use]
    pub fn to_encoded(&self) -> Zeroizing<String> {
        encode(self.prefix(), self.secret.as_slice(), true)
    }

    /// The identity as a PKCS#8 document, as hx's other key files hold it.
    ///
    /// ```
    /// use hx_keys::{age::Identity, keyfile, Algorithm};
    /// let identity = Identity::new(Algorithm::X25519, [9; 32])?;
    /// let pkcs8 = identity.to_pkcs8()?;
    /// assert_eq!(Identity::from_pkcs8(&pkcs8)?.secret(), &[9; 32]);
    /// # Ok::<(), hx_keys::Error>(())
    /// ```
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        match self.algorithm {
            // RFC 8410: the privateKey field holds an OCTET STRING.
            Algorithm::X25519 => {
                let mut field = Zeroizing::new(vec![0x04, 0x20]);
                field.extend_from_slice(self.secret.as_slice());
                keyfile::encode_pkcs8(Algorithm::X25519, &field)
            }
            // The X-Wing draft: the privateKey field is the seed itself.
            _ => keyfile::encode_pkcs8(Algorithm::XWing, self.secret.as_slice()),
        }
    }

    /// The identity held by an X25519 or X-Wing PKCS#8 document.
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for a key of another algorithm,
    /// [`Error::InvalidKey`] for a malformed one.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let (oid, _) = crate::der::pkcs8_algorithm(pkcs8)?;
        let algorithm = if oid == crate::der::OID_XWING {
            Algorithm::XWing
        } else {
            Algorithm::X25519
        };
        let field = keyfile::pkcs8_private_key(pkcs8, algorithm)?;
        let secret = match algorithm {
            Algorithm::X25519 => field.strip_prefix(&[0x04, 0x20][..]),
            _ => Some(&field[..]),
        };
        let secret = secret
            .and_then(|s| <[u8; IDENTITY_LEN]>::try_from(s).ok())
            .ok_or(Error::InvalidKey("private key of the wrong length"))?;
        Self::new(algorithm, secret)
    }

    fn prefix(&self) -> &'static str {
        match self.algorithm {
            Algorithm::X25519 => IDENTITY_PREFIX,
            _ => PQ_IDENTITY_PREFIX,
        }
    }
}

impl FromStr for Identity {
    type Err = Error;

    /// Parses `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`.
    fn from_str(text: &str) -> Result<Self> {
        const WHAT: &str = "not an age identity (AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…)";
        let (algorithm, prefix) = if text.starts_with("AGE-SECRET-KEY-PQ-1") {
            (Algorithm::XWing, PQ_IDENTITY_PREFIX)
        } else {
            (Algorithm::X25519, IDENTITY_PREFIX)
        };
        let data = decode(text, prefix, WHAT)?;
        let secret = <[u8; IDENTITY_LEN]>::try_from(&data[..])
            .map_err(|_| Error::InvalidKey("age identity of the wrong length"))?;
        Self::new(algorithm, secret)
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("algorithm", &self.algorithm)
            .field("secret", &format_args!("[REDACTED]"))
            .finish()
    }
}

/// An age recipient: the public key files are encrypted to.
///
/// ```
/// use hx_keys::age::Recipient;
/// use hx_keys::Algorithm;
/// let recipient = Recipient::new(Algorithm::X25519, vec![1; 32])?;
/// let text = recipient.to_string();
/// assert!(text.starts_with("age1"));
/// assert_eq!(text.parse::<Recipient>()?, recipient);
/// # Ok::<(), hx_keys::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub struct Recipient {
    algorithm: Algorithm,
    public: Vec<u8>,
}

impl Recipient {
    /// A recipient of `algorithm` from its public key: 32 bytes for
    /// X25519, 1,216 for X-Wing (ML-KEM-768's key, then X25519's).
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for another algorithm, [`Error::InvalidKey`]
    /// for a key of the wrong length.
    pub fn new(algorithm: Algorithm, public: Vec<u8>) -> Result<Self> {
        let len = match algorithm {
            Algorithm::X25519 => X25519_RECIPIENT_LEN,
            Algorithm::XWing => XWING_RECIPIENT_LEN,
            found => {
                return Err(Error::WrongKeyType {
                    expected: "an X25519 or X-Wing key",
                    found,
                });
            }
        };
        if public.len() != len {
            return Err(Error::InvalidKey("age recipient of the wrong length"));
        }
        Ok(Self { algorithm, public })
    }

    /// An X25519 recipient from its 32-byte public key.
    #[must_use]
    pub fn x25519(public: [u8; X25519_RECIPIENT_LEN]) -> Self {
        Self {
            algorithm: Algorithm::X25519,
            public: public.to_vec(),
        }
    }

    /// [`Algorithm::X25519`] or [`Algorithm::XWing`].
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key's bytes.
    #[must_use]
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// The public key's bytes, of a recipient that must be of `algorithm`.
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] if it is of the other algorithm.
    pub fn public_key_of(&self, algorithm: Algorithm) -> Result<&[u8]> {
        same(self.algorithm, algorithm).map(|()| self.public.as_slice())
    }

    /// The recipient as a SubjectPublicKeyInfo document.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if encoding failed).
    pub fn to_spki(&self) -> Result<Vec<u8>> {
        keyfile::encode_spki(self.algorithm, &self.public)
    }

    /// The recipient held by an X25519 or X-Wing SubjectPublicKeyInfo
    /// document.
    ///
    /// # Errors
    /// [`Error::WrongKeyType`] for a key of another algorithm,
    /// [`Error::InvalidKey`] for a malformed one.
    pub fn from_spki(spki: &[u8]) -> Result<Self> {
        let (oid, _) = crate::der::spki_algorithm(spki)?;
        let algorithm = if oid == crate::der::OID_XWING {
            Algorithm::XWing
        } else {
            Algorithm::X25519
        };
        Self::new(algorithm, keyfile::spki_public_key(spki, algorithm)?)
    }

    fn prefix(&self) -> &'static str {
        match self.algorithm {
            Algorithm::X25519 => RECIPIENT_PREFIX,
            _ => PQ_RECIPIENT_PREFIX,
        }
    }
}

impl FromStr for Recipient {
    type Err = Error;

    /// Parses `age1…` or `age1pq1…`.
    fn from_str(text: &str) -> Result<Self> {
        const WHAT: &str = "not an age recipient (age1… or age1pq1…)";
        let (algorithm, prefix) = if text.starts_with("age1pq1") {
            (Algorithm::XWing, PQ_RECIPIENT_PREFIX)
        } else {
            (Algorithm::X25519, RECIPIENT_PREFIX)
        };
        let data = decode(text, prefix, WHAT)?;
        Self::new(algorithm, data.to_vec())
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode(self.prefix(), &self.public, false))
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Recipient").field(&self.to_string()).finish()
    }
}

/// `Ok` if a key of `found` is what is needed.
fn same(found: Algorithm, needed: Algorithm) -> Result<()> {
    if found == needed {
        return Ok(());
    }
    let expected = match needed {
        Algorithm::XWing => "an X-Wing (post-quantum) age key",
        _ => "an X25519 age key",
    };
    Err(Error::WrongKeyType { expected, found })
}

/// Reads an identity file as age does: one identity per line, blank lines
/// and lines starting with `#` ignored (`age-keygen` writes its comments
/// there), LF or CRLF line ends.
///
/// ```
/// let file = concat!(
///     "# created: 2026-12-02T00:00:00Z\n",
///     "# public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n",
///     "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n",
/// );
/// let identities = hx_keys::age::read_identity_file(file.as_bytes())?;
/// assert_eq!(identities.len(), 1);
/// # Ok::<(), hx_keys::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidKey`] naming the first line that is not an identity (its
/// number, never its text), or if the file holds no identity, is not UTF-8
/// or is larger than [`MAX_IDENTITY_FILE`].
pub fn read_identity_file(text: &[u8]) -> Result<Vec<Identity>> {
    if text.len() > MAX_IDENTITY_FILE {
        return Err(Error::InvalidKey("identity file larger than 1 MiB"));
    }
    let text = core::str::from_utf8(text)
        .map_err(|_| Error::InvalidKey("identity file is not UTF-8 text"))?;
    let mut identities = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.parse::<Identity>() {
            Ok(identity) => identities.push(identity),
            Err(_) => return Err(Error::InvalidIdentityLine { line: number + 1 }),
        }
    }
    if identities.is_empty() {
        return Err(Error::InvalidKey("the identity file holds no identity"));
    }
    Ok(identities)
}

/// Whether `text` looks like an age identity or identity file (after any
/// comment lines, an `AGE-SECRET-KEY-` line), for callers that sniff a key
/// file's format.
#[must_use]
pub fn looks_like_identity_file(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| !line.is_empty() && !line.starts_with(b"#"))
        .is_some_and(|line| line.starts_with(IDENTITY_PREFIX.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_constants_are_consistent() {
        AgeBech32::sanity_check();
    }
}
