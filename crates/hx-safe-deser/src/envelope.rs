//! Envelopes: postcard payloads with a type tag and an optional MAC, decoded
//! only into types on an allow-list.
//!
//! ```text
//! "HXSD" | version 0x01 | MAC algorithm (1) | tag name length n (1) | tag name (n)
//!        | tag version (u16 BE) | payload length (u32 BE) | postcard payload | MAC (32, optional)
//! ```
//!
//! The MAC (HMAC-SHA256, or keyed BLAKE2b-256 with personalisation
//! `hx-safe-deser`) covers every byte before it. Decoding checks, in this
//! order: the input's size, the header, the MAC, the tag against the
//! [`Registry`], then decodes the payload under [`Limits`] and refuses
//! trailing bytes. `docs/FORMAT.md` has the byte-exact layout and vectors.

use core::fmt;

use hx_digest::{Blake2Params, Blake2b, HmacAlgorithm, HmacKey};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::bounded::{Budget, postcard_value};
use crate::error::shown;
use crate::{Error, Limits, Result};

/// The four bytes every envelope starts with.
pub const MAGIC: [u8; 4] = *b"HXSD";
/// The envelope format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// The length of a MAC, whichever the algorithm.
pub const MAC_LEN: usize = 32;
/// The longest type tag name.
pub const MAX_TAG_LEN: usize = 64;
/// BLAKE2b personalisation, for domain separation from other BLAKE2b MACs
/// made with the same key.
const BLAKE2B_PERSONA: &[u8] = b"hx-safe-deser";
/// The shortest MAC key accepted, in bytes.
pub const MIN_MAC_KEY_LEN: usize = 16;
/// The longest keyed BLAKE2b key.
pub const MAX_BLAKE2B_KEY_LEN: usize = 64;

/// A type's stable name and schema version in envelopes.
///
/// Names are 1 to 64 characters of `A-Z a-z 0-9 . _ : / -`; an invalid name
/// in a `const` fails to compile.
///
/// ```
/// use hx_safe_deser::envelope::Tag;
/// const USER: Tag = Tag::new("example.User", 2);
/// assert_eq!((USER.name(), USER.version()), ("example.User", 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    name: &'static str,
    version: u16,
}

impl Tag {
    /// A tag.
    ///
    /// # Panics
    /// If `name` is empty, longer than [`MAX_TAG_LEN`] or has a character
    /// outside the allowed set; in a `const` that is a compile error.
    #[must_use]
    pub const fn new(name: &'static str, version: u16) -> Self {
        assert!(valid_tag_name(name.as_bytes()), "invalid envelope tag name");
        Self { name, version }
    }

    /// The name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The schema version.
    #[must_use]
    pub const fn version(&self) -> u16 {
        self.version
    }

    fn matches(&self, name: &[u8], version: u16) -> bool {
        self.name.as_bytes() == name && self.version == version
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

const fn valid_tag_name(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > MAX_TAG_LEN {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        let c = name[i];
        if !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'/' | b'-')) {
            return false;
        }
        i += 1;
    }
    true
}

/// A type that travels in envelopes, under a stable [`Tag`].
///
/// ```
/// use hx_safe_deser::envelope::{Message, Tag};
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Ping { seq: u64 }
/// impl Message for Ping {
///     const TAG: Tag = Tag::new("example.Ping", 1);
/// }
/// ```
pub trait Message: Serialize + DeserializeOwned + 'static {
    /// The type's tag. Change the version when the schema changes.
    const TAG: Tag;
}

/// Which MAC an envelope carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MacAlgorithm {
    /// HMAC-SHA256 (RFC 2104), header byte `0x01`.
    HmacSha256,
    /// Keyed BLAKE2b with 32 bytes of output (RFC 7693), header byte `0x02`.
    Blake2b256,
}

impl MacAlgorithm {
    const fn id(self) -> u8 {
        match self {
            Self::HmacSha256 => 1,
            Self::Blake2b256 => 2,
        }
    }
}

/// A key that authenticates envelopes. Zeroized on drop; `Debug` shows only
/// the algorithm.
///
/// ```
/// use hx_safe_deser::envelope::MacKey;
/// let key = MacKey::hmac_sha256(&[7u8; 32])?;
/// assert!(format!("{key:?}").contains("[REDACTED]"));
/// assert!(MacKey::blake2b(b"too short").is_err());
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
pub struct MacKey {
    inner: MacKeyInner,
}

enum MacKeyInner {
    Hmac(Box<HmacKey>),
    Blake2b(Zeroizing<Vec<u8>>),
}

impl MacKey {
    /// An HMAC-SHA256 key of at least [`MIN_MAC_KEY_LEN`] bytes.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a shorter key.
    pub fn hmac_sha256(key: &[u8]) -> Result<Self> {
        if key.len() < MIN_MAC_KEY_LEN {
            return Err(Error::InvalidKey("a MAC key needs at least 16 bytes"));
        }
        let key = HmacKey::new(HmacAlgorithm::Sha256, key)
            .map_err(|_| Error::InvalidKey("HMAC refused the key"))?;
        Ok(Self {
            inner: MacKeyInner::Hmac(Box::new(key)),
        })
    }

    /// A keyed BLAKE2b key of 16 to 64 bytes.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a key outside that range.
    pub fn blake2b(key: &[u8]) -> Result<Self> {
        if !(MIN_MAC_KEY_LEN..=MAX_BLAKE2B_KEY_LEN).contains(&key.len()) {
            return Err(Error::InvalidKey("a BLAKE2b MAC key needs 16 to 64 bytes"));
        }
        Ok(Self {
            inner: MacKeyInner::Blake2b(Zeroizing::new(key.to_vec())),
        })
    }

    /// The algorithm.
    #[must_use]
    pub fn algorithm(&self) -> MacAlgorithm {
        match self.inner {
            MacKeyInner::Hmac(_) => MacAlgorithm::HmacSha256,
            MacKeyInner::Blake2b(_) => MacAlgorithm::Blake2b256,
        }
    }

    fn blake2b_state(key: &[u8]) -> Result<Blake2b> {
        let params = Blake2Params::new(MAC_LEN).key(key).persona(BLAKE2B_PERSONA);
        Blake2b::new(&params).map_err(|_| Error::InvalidKey("BLAKE2b refused the key"))
    }

    fn tag(&self, data: &[u8]) -> Result<Vec<u8>> {
        match &self.inner {
            MacKeyInner::Hmac(key) => Ok(key.sign(data).as_bytes().to_vec()),
            MacKeyInner::Blake2b(key) => {
                let mut state = Self::blake2b_state(key)?;
                state.update(data);
                Ok(state.finalize().as_bytes().to_vec())
            }
        }
    }

    /// Constant-time check of `mac` over `data`.
    fn verify(&self, data: &[u8], mac: &[u8]) -> Result<()> {
        let verified = match &self.inner {
            MacKeyInner::Hmac(key) => key.verify(data, mac).is_ok(),
            MacKeyInner::Blake2b(key) => {
                let mut state = Self::blake2b_state(key)?;
                state.update(data);
                state.verify(mac).is_ok()
            }
        };
        if verified { Ok(()) } else { Err(Error::BadMac) }
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MacKey")
            .field("algorithm", &self.algorithm())
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// Encodes `value` as an envelope under its [`Message::TAG`], with a MAC when
/// a key is given.
///
/// # Errors
/// [`Error::Encode`] if serde refuses the value or the payload is over
/// 4 GiB; [`Error::InvalidKey`] never happens with keys built by [`MacKey`].
///
/// # Example
/// ```
/// use hx_safe_deser::envelope::{self, MacKey, Message, Registry, Tag};
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Ping { seq: u64 }
/// impl Message for Ping { const TAG: Tag = Tag::new("example.Ping", 1); }
///
/// let key = MacKey::hmac_sha256(&[7u8; 32])?;
/// let bytes = envelope::encode(&Ping { seq: 9 }, Some(&key))?;
/// let registry = Registry::<Ping>::only().with_mac_key(MacKey::hmac_sha256(&[7u8; 32])?);
/// assert_eq!(registry.decode::<Ping>(&bytes)?, Ping { seq: 9 });
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
pub fn encode<T: Message>(value: &T, mac: Option<&MacKey>) -> Result<Vec<u8>> {
    let payload = postcard::to_allocvec(value).map_err(|e| Error::Encode(e.to_string()))?;
    let payload_len =
        u32::try_from(payload.len()).map_err(|_| Error::Encode("payload over 4 GiB".to_owned()))?;
    let name = T::TAG.name.as_bytes();
    let mut out = Vec::with_capacity(header_len(name.len()) + payload.len() + MAC_LEN);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.push(mac.map_or(0, |k| k.algorithm().id()));
    // valid_tag_name bounds the length to MAX_TAG_LEN (64).
    out.push(u8::try_from(name.len()).map_err(|_| Error::Encode("tag name too long".to_owned()))?);
    out.extend_from_slice(name);
    out.extend_from_slice(&T::TAG.version.to_be_bytes());
    out.extend_from_slice(&payload_len.to_be_bytes());
    out.extend_from_slice(&payload);
    if let Some(key) = mac {
        let tag = key.tag(&out)?;
        out.extend_from_slice(&tag);
    }
    Ok(out)
}

/// Bytes before the payload for a tag name of `name_len` bytes.
const fn header_len(name_len: usize) -> usize {
    MAGIC.len() + 3 + name_len + 2 + 4
}

/// An envelope's header, read but not yet trusted.
struct Header<'a> {
    name: &'a [u8],
    version: u16,
    payload: &'a [u8],
}

impl Header<'_> {
    fn shown(&self) -> String {
        format!("{}@{}", shown(self.name), self.version)
    }
}

/// The allow-list of types an envelope may hold, with the [`Limits`] and the
/// MAC key that decoding enforces. `E` is what [`Registry::decode_any`]
/// returns: usually an enum with one variant per allowed type.
///
/// ```
/// use hx_safe_deser::envelope::{self, Message, Registry, Tag};
/// use hx_safe_deser::Error;
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Login { user: String }
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Logout { user: String }
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Shutdown;
/// impl Message for Login { const TAG: Tag = Tag::new("auth.Login", 1); }
/// impl Message for Logout { const TAG: Tag = Tag::new("auth.Logout", 1); }
/// impl Message for Shutdown { const TAG: Tag = Tag::new("admin.Shutdown", 1); }
///
/// #[derive(Debug, PartialEq)]
/// enum Event { Login(Login), Logout(Logout) }
///
/// let registry = Registry::new().allow(Event::Login).allow(Event::Logout);
/// let bytes = envelope::encode(&Logout { user: "ada".into() }, None)?;
/// assert_eq!(registry.decode_any(&bytes)?, Event::Logout(Logout { user: "ada".into() }));
///
/// // Like `find_class` in a restricted unpickler: not on the list, not decoded.
/// let bytes = envelope::encode(&Shutdown, None)?;
/// assert!(matches!(registry.decode_any(&bytes), Err(Error::NotAllowed { .. })));
/// # Ok::<(), Error>(())
/// ```
pub struct Registry<E> {
    limits: Limits,
    mac: Option<MacKey>,
    entries: Vec<Entry<E>>,
}

type DecodeFn<E> = Box<dyn Fn(&[u8], &Budget) -> Result<E> + Send + Sync>;

struct Entry<E> {
    tag: Tag,
    decode: DecodeFn<E>,
}

impl<E: 'static> Default for Registry<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> fmt::Debug for Registry<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("limits", &self.limits)
            .field("mac", &self.mac)
            .field(
                "allowed",
                &self.entries.iter().map(|e| e.tag).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl<T: Message> Registry<T> {
    /// A registry that allows exactly one type.
    #[must_use]
    pub fn only() -> Self {
        Self::new().allow::<T>(core::convert::identity)
    }
}

impl<E: 'static> Registry<E> {
    /// An empty allow-list with default [`Limits`] and no MAC.
    #[must_use]
    pub fn new() -> Self {
        Self {
            limits: Limits::default(),
            mac: None,
            entries: Vec::new(),
        }
    }

    /// Decode under `limits`.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Require envelopes to carry a MAC made with `key` (and refuse any
    /// without one).
    #[must_use]
    pub fn with_mac_key(mut self, key: MacKey) -> Self {
        self.mac = Some(key);
        self
    }

    /// Allows `T`, turned into `E` by `into` (typically an enum variant's
    /// constructor). Allowing a tag twice keeps the later entry.
    #[must_use]
    pub fn allow<T: Message>(mut self, into: fn(T) -> E) -> Self {
        self.entries.retain(|e| e.tag != T::TAG);
        self.entries.push(Entry {
            tag: T::TAG,
            decode: Box::new(move |payload, budget| postcard_value::<T>(payload, budget).map(into)),
        });
        self
    }

    /// Whether `tag` is on the allow-list.
    #[must_use]
    pub fn is_allowed(&self, tag: Tag) -> bool {
        self.entries.iter().any(|e| e.tag == tag)
    }

    /// The limits decoding enforces.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Encodes `value` with this registry's MAC key, if it has one.
    ///
    /// # Errors
    /// As [`encode`].
    pub fn encode<T: Message>(&self, value: &T) -> Result<Vec<u8>> {
        encode(value, self.mac.as_ref())
    }

    /// Decodes an envelope that must hold a `T` (itself on the allow-list).
    ///
    /// # Errors
    /// In the order checked: [`Error::TooLarge`]; [`Error::BadMagic`],
    /// [`Error::UnsupportedVersion`], [`Error::Truncated`],
    /// [`Error::TrailingBytes`] or [`Error::Malformed`] for the header;
    /// [`Error::BadMac`]; [`Error::NotAllowed`] or [`Error::UnexpectedType`];
    /// then the errors of [`crate::bounded::from_postcard`].
    pub fn decode<T: Message>(&self, input: &[u8]) -> Result<T> {
        let header = self.open(input)?;
        let found = self.entry(&header)?;
        if found.tag != T::TAG {
            return Err(Error::UnexpectedType {
                expected: T::TAG.to_string(),
                found: header.shown(),
            });
        }
        let budget = Budget::new(self.limits);
        postcard_value::<T>(header.payload, &budget)
    }

    /// Decodes an envelope holding any allowed type, as `E`.
    ///
    /// # Errors
    /// As [`Registry::decode`], without [`Error::UnexpectedType`].
    pub fn decode_any(&self, input: &[u8]) -> Result<E> {
        let header = self.open(input)?;
        let entry = self.entry(&header)?;
        let budget = Budget::new(self.limits);
        (entry.decode)(header.payload, &budget)
    }

    fn entry(&self, header: &Header<'_>) -> Result<&Entry<E>> {
        self.entries
            .iter()
            .find(|e| e.tag.matches(header.name, header.version))
            .ok_or_else(|| Error::NotAllowed {
                tag: header.shown(),
            })
    }

    /// Size, header, MAC: everything before the tag is looked at.
    fn open<'a>(&self, input: &'a [u8]) -> Result<Header<'a>> {
        if input.len() > self.limits.max_bytes {
            return Err(Error::TooLarge {
                len: input.len(),
                max: self.limits.max_bytes,
            });
        }
        let mut reader = Reader(input);
        let magic = reader.take(MAGIC.len())?;
        if magic != MAGIC {
            return Err(Error::BadMagic);
        }
        let version = reader.byte()?;
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let mac_id = reader.byte()?;
        let name_len = usize::from(reader.byte()?);
        let name = reader.take(name_len)?;
        if !valid_tag_name(name) {
            return Err(Error::Malformed("invalid type tag".to_owned()));
        }
        let tag_version = u16::from_be_bytes([reader.byte()?, reader.byte()?]);
        let len_bytes = reader.take(4)?;
        let payload_len =
            u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        let payload_len = usize::try_from(payload_len).map_err(|_| Error::Truncated)?;
        let payload = reader.take(payload_len)?;
        let expected_id = self.mac.as_ref().map_or(0, |k| k.algorithm().id());
        let mac_len = if mac_id == 0 { 0 } else { MAC_LEN };
        // The MAC (if any) must end the input exactly.
        match reader.0.len().cmp(&mac_len) {
            core::cmp::Ordering::Less => return Err(Error::Truncated),
            core::cmp::Ordering::Greater => {
                return Err(Error::TrailingBytes {
                    count: reader.0.len() - mac_len,
                });
            }
            core::cmp::Ordering::Equal => {}
        }
        if mac_id != expected_id {
            return Err(Error::BadMac);
        }
        if let Some(key) = &self.mac {
            let signed = input.len() - MAC_LEN;
            key.verify(&input[..signed], &input[signed..])?;
        }
        Ok(Header {
            name,
            version: tag_version,
            payload,
        })
    }
}

/// A cursor over untrusted bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(Error::Truncated);
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
}
