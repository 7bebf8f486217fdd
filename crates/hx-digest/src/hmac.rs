//! HMAC (RFC 2104) over SHA-256, SHA-384, SHA-512 and SHA3-256, with
//! prepared keys and constant-time verification.

use core::fmt;

use digest::{KeyInit, Mac};
use hmac::Hmac;
use zeroize::Zeroizing;

use crate::{Error, Result, Tag};

/// The hash functions HMAC can be built on.
///
/// # Example
/// ```
/// use hx_digest::HmacAlgorithm;
/// assert_eq!("sha3-256".parse::<HmacAlgorithm>()?, HmacAlgorithm::Sha3_256);
/// # Ok::<(), hx_digest::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-384.
    Sha384,
    /// HMAC-SHA-512.
    Sha512,
    /// HMAC-SHA3-256.
    Sha3_256,
}

impl HmacAlgorithm {
    /// Every algorithm, in the order of [`HmacAlgorithm::NAMES`].
    pub const ALL: [Self; 4] = [Self::Sha256, Self::Sha384, Self::Sha512, Self::Sha3_256];
    /// Every accepted name.
    pub const NAMES: &'static [&'static str] = &["sha256", "sha384", "sha512", "sha3-256"];

    /// The canonical name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sha3_256 => "sha3-256",
        }
    }

    /// Length of a full tag in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 | Self::Sha3_256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

named_algorithm!(HmacAlgorithm);

/// The shortest truncated tag [`HmacKey::verify_truncated`] accepts, in bytes
/// (128 bits, as NIST SP 800-107 recommends as a floor).
pub const MIN_TRUNCATED_TAG_LEN: usize = 16;

#[derive(Clone)]
enum State {
    Sha256(Hmac<sha2::Sha256>),
    Sha384(Hmac<sha2::Sha384>),
    Sha512(Hmac<sha2::Sha512>),
    Sha3_256(Sha3Hmac),
}

/// An HMAC key, prepared once: the inner and outer padded key blocks are
/// already absorbed, so each MAC costs only the message and two finalisations.
///
/// The key material is zeroized on drop and `Debug` is redacted.
///
/// # Example
/// ```
/// use hx_digest::{HmacAlgorithm, HmacKey};
/// let key = HmacKey::new(HmacAlgorithm::Sha256, b"server-side secret")?;
/// let tag = key.sign(b"user=42");
/// assert!(key.verify(b"user=42", tag.as_bytes()).is_ok());
/// assert!(key.verify(b"user=43", tag.as_bytes()).is_err());
/// # Ok::<(), hx_digest::Error>(())
/// ```
pub struct HmacKey {
    algorithm: HmacAlgorithm,
    state: State,
}

impl HmacKey {
    /// Prepares `key` (any length; keys longer than the hash block are
    /// hashed first, as RFC 2104 says).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if the underlying implementation refuses the
    /// key length. HMAC defines every length, so with the current backends
    /// this does not happen; the `Result` keeps that promise out of the API.
    pub fn new(algorithm: HmacAlgorithm, key: &[u8]) -> Result<Self> {
        let state = match algorithm {
            HmacAlgorithm::Sha256 => State::Sha256(prepared(key)?),
            HmacAlgorithm::Sha384 => State::Sha384(prepared(key)?),
            HmacAlgorithm::Sha512 => State::Sha512(prepared(key)?),
            HmacAlgorithm::Sha3_256 => State::Sha3_256(Sha3Hmac::new(key)),
        };
        Ok(Self { algorithm, state })
    }

    /// The underlying hash.
    #[must_use]
    pub fn algorithm(&self) -> HmacAlgorithm {
        self.algorithm
    }

    /// MAC of `data`.
    #[must_use]
    pub fn sign(&self, data: &[u8]) -> Tag {
        // Clone only the active variant's state (not the whole enum), the
        // hot path for short messages.
        fn one_shot<M: Mac + Clone>(prepared: &M, data: &[u8]) -> Tag {
            let mut m = prepared.clone();
            m.update(data);
            Tag::from_hasher(&m.finalize().into_bytes())
        }
        match &self.state {
            State::Sha256(m) => one_shot(m, data),
            State::Sha384(m) => one_shot(m, data),
            State::Sha512(m) => one_shot(m, data),
            State::Sha3_256(m) => {
                let mut m = m.clone();
                m.update(data);
                Tag::from_hasher(&m.finalize()[..])
            }
        }
    }

    /// Checks a full-length `tag` over `data` in constant time.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for any mismatch, including a tag of the
    /// wrong length; the error does not say which.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<()> {
        if self.sign(data).ct_eq_bytes(tag) {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }

    /// Checks a tag truncated to its leftmost `tag.len()` bytes (RFC 2104 §5),
    /// which must be at least [`MIN_TRUNCATED_TAG_LEN`].
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for any mismatch or a tag shorter than
    /// [`MIN_TRUNCATED_TAG_LEN`] or longer than the full output.
    pub fn verify_truncated(&self, data: &[u8], tag: &[u8]) -> Result<()> {
        let full = self.sign(data);
        let ok = tag.len() >= MIN_TRUNCATED_TAG_LEN
            && full
                .as_bytes()
                .get(..tag.len())
                .is_some_and(|prefix| crate::ct_eq(prefix, tag));
        if ok {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }

    /// Starts a streaming MAC under this key.
    #[must_use]
    pub fn start(&self) -> HmacStream {
        HmacStream {
            state: self.state.clone(),
        }
    }
}

fn prepared<D>(key: &[u8]) -> Result<Hmac<D>>
where
    Hmac<D>: KeyInit,
    D: digest::block_api::EagerHash,
{
    <Hmac<D> as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidLength {
        what: "HMAC key",
        got: key.len(),
        min: 0,
        max: usize::MAX,
    })
}

/// HMAC-SHA3-256 with both padded-key states absorbed up front.
///
/// `hmac::Hmac` needs an eager block hash, which SHA-3 (a sponge) is not, and
/// `hmac::SimpleHmac` keeps the outer padded key in a field it never zeroizes.
/// This is RFC 2104 over the `sha3` crate's states, which zeroize on drop;
/// the Wycheproof HMAC-SHA3-256 vectors and Python's `hmac` check it.
#[derive(Clone)]
struct Sha3Hmac {
    inner: sha3::Sha3_256,
    outer: sha3::Sha3_256,
}

impl Sha3Hmac {
    /// SHA3-256's rate: its HMAC block size (FIPS 202, NIST SP 800-224).
    const BLOCK_LEN: usize = 136;

    fn new(key: &[u8]) -> Self {
        use sha3::Digest as _;
        let mut block = Zeroizing::new([0u8; Self::BLOCK_LEN]);
        if key.len() > Self::BLOCK_LEN {
            let mut hashed: [u8; 32] = sha3::Sha3_256::digest(key).into();
            for (b, k) in block.iter_mut().zip(hashed.iter()) {
                *b = *k;
            }
            zeroize::Zeroize::zeroize(&mut hashed);
        } else {
            for (b, k) in block.iter_mut().zip(key) {
                *b = *k;
            }
        }
        let mut pad = Zeroizing::new([0u8; Self::BLOCK_LEN]);
        for (p, b) in pad.iter_mut().zip(block.iter()) {
            *p = b ^ 0x36;
        }
        let inner = sha3::Sha3_256::new_with_prefix(&pad[..]);
        for (p, b) in pad.iter_mut().zip(block.iter()) {
            *p = b ^ 0x5c;
        }
        let outer = sha3::Sha3_256::new_with_prefix(&pad[..]);
        Self { inner, outer }
    }

    fn update(&mut self, data: &[u8]) {
        sha3::Digest::update(&mut self.inner, data);
    }

    fn finalize(self) -> Zeroizing<[u8; 32]> {
        use sha3::Digest as _;
        let Self { inner, mut outer } = self;
        let inner_hash: Zeroizing<[u8; 32]> = Zeroizing::new(inner.finalize().into());
        outer.update(&inner_hash[..]);
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&outer.finalize());
        out
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("algorithm", &self.algorithm)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// A MAC in progress; see [`HmacKey::start`].
///
/// # Example
/// ```
/// use hx_digest::{HmacAlgorithm, HmacKey};
/// let key = HmacKey::new(HmacAlgorithm::Sha512, b"k")?;
/// let mut s = key.start();
/// s.update(b"part one, ");
/// s.update(b"part two");
/// assert_eq!(s.finalize(), key.sign(b"part one, part two"));
/// # Ok::<(), hx_digest::Error>(())
/// ```
#[derive(Clone)]
pub struct HmacStream {
    state: State,
}

impl HmacStream {
    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Sha256(m) => m.update(data),
            State::Sha384(m) => m.update(data),
            State::Sha512(m) => m.update(data),
            State::Sha3_256(m) => m.update(data),
        }
    }

    /// Finishes and returns the tag.
    #[must_use]
    pub fn finalize(self) -> Tag {
        match self.state {
            State::Sha256(m) => Tag::from_hasher(&m.finalize().into_bytes()),
            State::Sha384(m) => Tag::from_hasher(&m.finalize().into_bytes()),
            State::Sha512(m) => Tag::from_hasher(&m.finalize().into_bytes()),
            State::Sha3_256(m) => Tag::from_hasher(&m.finalize()[..]),
        }
    }

    /// Finishes and compares with a full-length `tag` in constant time.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for any mismatch.
    pub fn verify(self, tag: &[u8]) -> Result<()> {
        if self.finalize().ct_eq_bytes(tag) {
            Ok(())
        } else {
            Err(Error::VerificationFailed)
        }
    }
}

impl_write_via_update!(HmacStream);

impl fmt::Debug for HmacStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacStream([REDACTED])")
    }
}
