//! Sealed tokens under a rotating keyring (docs/FORMAT.md, "hx sealed token"
//! and "Keyring document").

use core::fmt;
use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::backend::XChaCha;
use crate::clock::{check_time, now};
use crate::{Error, Fernet, FernetKey, Result};

/// Text prefix of a sealed token.
pub const TOKEN_PREFIX: &str = "hx1.";
/// Version byte of the binary token.
const TOKEN_VERSION: u8 = 0x01;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// version ‖ key id ‖ issued-at ‖ nonce.
const HEADER_LEN: usize = 1 + 4 + 8 + NONCE_LEN;
/// How far in the future a token's issue time may be before it is refused,
/// in seconds (allowance for clocks that disagree between machines).
pub const MAX_CLOCK_SKEW: u64 = 60;
/// Largest plaintext a token may carry (16 MiB); use [`crate`]'s streaming
/// for more.
pub const MAX_TOKEN_PLAINTEXT: usize = 16 << 20;

/// The life-cycle state of a key in a [`Keyring`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub enum KeyState {
    /// Seals new tokens and opens old ones. Exactly one key is primary.
    Primary,
    /// Opens tokens; can be promoted to primary.
    Active,
    /// Opens nothing; kept so its id is not reused and the history is visible.
    Retired,
}

impl KeyState {
    /// `primary`, `active` or `retired`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for KeyState {
    type Err = Error;

    /// Parses `primary`, `active` or `retired`.
    fn from_str(s: &str) -> Result<Self> {
        [Self::Primary, Self::Active, Self::Retired]
            .into_iter()
            .find(|state| state.name() == s)
            .ok_or(Error::Document {
                line: 0,
                reason: "state is not primary, active or retired",
            })
    }
}

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub enum KeyKind {
    /// An XChaCha20-Poly1305 key for hx sealed tokens.
    XChaCha20Poly1305,
    /// A Fernet key, decrypt-only, for migrating Fernet tokens with
    /// [`Keyring::rotate`].
    FernetLegacy,
}

impl KeyKind {
    /// `xchacha20poly1305` or `fernet`, as keyring documents name them.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::XChaCha20Poly1305 => "xchacha20poly1305",
            Self::FernetLegacy => "fernet",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for KeyKind {
    type Err = Error;

    /// Parses `xchacha20poly1305` or `fernet`.
    fn from_str(s: &str) -> Result<Self> {
        [Self::XChaCha20Poly1305, Self::FernetLegacy]
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or(Error::Document {
                line: 0,
                reason: "kind is not xchacha20poly1305 or fernet",
            })
    }
}

/// What [`Keyring::list`] shows of a key: never its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyInfo {
    /// The key id carried in every token it seals.
    pub id: u32,
    /// Life-cycle state.
    pub state: KeyState,
    /// What the key is for.
    pub kind: KeyKind,
    /// Creation time, Unix seconds.
    pub created: u64,
}

enum Material {
    XChaCha(XChaCha),
    Fernet { key: FernetKey, fernet: Box<Fernet> },
}

struct Entry {
    info: KeyInfo,
    material: Material,
}

/// A set of keys with ids and states: seals with the primary, opens with any
/// non-retired key found by the id in the token (one hash lookup, whatever
/// the number of keys), and re-seals old tokens under the primary.
///
/// # Example
/// ```
/// use hx_aead::Keyring;
/// let mut ring = Keyring::generate()?;
/// let token = ring.seal(b"user=42", b"session-cookie")?;
/// assert_eq!(&*ring.open(&token, b"session-cookie", Some(3600))?, b"user=42");
/// assert!(ring.open(&token, b"csrf", None).is_err()); // context is bound
///
/// let old_primary = ring.primary_id();
/// let new_primary = ring.add()?;
/// ring.promote(new_primary)?;
/// let rotated = ring.rotate(&token, b"session-cookie")?;
/// ring.retire(old_primary)?;
/// assert!(ring.open(&token, b"session-cookie", None).is_err());
/// assert_eq!(&*ring.open(&rotated, b"session-cookie", None)?, b"user=42");
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct Keyring {
    entries: Vec<Entry>,
    index: HashMap<u32, usize>,
    primary: u32,
}

/// How many tokens of a batch depend on each key; see [`Keyring::usage`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyUsage {
    /// Authentic tokens per key id.
    pub by_key: BTreeMap<u32, usize>,
    /// Tokens that did not authenticate (including those under retired keys).
    pub invalid: usize,
}

impl Keyring {
    /// A new keyring holding one random primary key.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        let mut ring = Self {
            entries: Vec::new(),
            index: HashMap::new(),
            primary: 0,
        };
        let id = ring.add()?;
        ring.promote(id)?;
        Ok(ring)
    }

    fn fresh_id(&self) -> Result<u32> {
        loop {
            let mut b = [0u8; 4];
            hx_random::fill(&mut b)?;
            let id = u32::from_be_bytes(b);
            if id != 0 && !self.index.contains_key(&id) {
                return Ok(id);
            }
        }
    }

    fn insert(&mut self, info: KeyInfo, material: Material) -> Result<()> {
        if info.id == 0 || self.index.contains_key(&info.id) {
            return Err(Error::Keyring("key ids are unique and non-zero"));
        }
        self.index.insert(info.id, self.entries.len());
        self.entries.push(Entry { info, material });
        Ok(())
    }

    /// Adds a new random key as [`KeyState::Active`] (not primary): deploy
    /// the keyring everywhere first, then [`Keyring::promote`] it, so every
    /// reader can open tokens under it before any are made.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn add(&mut self) -> Result<u32> {
        let bytes = crate::backend::random_key()?;
        let id = self.fresh_id()?;
        self.insert_xchacha(id, KeyState::Active, now(), bytes)?;
        Ok(id)
    }

    fn insert_xchacha(
        &mut self,
        id: u32,
        state: KeyState,
        created: u64,
        bytes: Zeroizing<[u8; 32]>,
    ) -> Result<()> {
        let info = KeyInfo {
            id,
            state,
            kind: KeyKind::XChaCha20Poly1305,
            created,
        };
        self.insert(info, Material::XChaCha(XChaCha::new(&bytes)))
    }

    /// Adds a Fernet key as a decrypt-only legacy key, so
    /// [`Keyring::rotate_fernet`] turns Fernet tokens into hx tokens.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn add_fernet_legacy(&mut self, key: FernetKey) -> Result<u32> {
        let id = self.fresh_id()?;
        self.insert_fernet(id, KeyState::Active, now(), key)?;
        Ok(id)
    }

    fn insert_fernet(
        &mut self,
        id: u32,
        state: KeyState,
        created: u64,
        key: FernetKey,
    ) -> Result<()> {
        let fernet = Box::new(Fernet::new(&key)?);
        let info = KeyInfo {
            id,
            state,
            kind: KeyKind::FernetLegacy,
            created,
        };
        self.insert(info, Material::Fernet { key, fernet })
    }

    fn entry(&self, id: u32) -> Result<&Entry> {
        self.index
            .get(&id)
            .and_then(|&i| self.entries.get(i))
            .ok_or(Error::Keyring("no key with that id"))
    }

    fn entry_mut(&mut self, id: u32) -> Result<&mut Entry> {
        let i = *self
            .index
            .get(&id)
            .ok_or(Error::Keyring("no key with that id"))?;
        self.entries
            .get_mut(i)
            .ok_or(Error::Keyring("no key with that id"))
    }

    /// Makes `id` the primary key; the previous primary becomes active.
    ///
    /// # Errors
    /// [`Error::Keyring`] for an unknown, retired or Fernet key.
    pub fn promote(&mut self, id: u32) -> Result<()> {
        let entry = self.entry(id)?;
        if entry.info.kind != KeyKind::XChaCha20Poly1305 {
            return Err(Error::Keyring("a Fernet legacy key can only decrypt"));
        }
        if entry.info.state == KeyState::Retired {
            return Err(Error::Keyring("a retired key cannot be promoted"));
        }
        let old = self.primary;
        if old != id
            && let Ok(previous) = self.entry_mut(old)
        {
            previous.info.state = KeyState::Active;
        }
        self.entry_mut(id)?.info.state = KeyState::Primary;
        self.primary = id;
        Ok(())
    }

    /// Retires `id`: tokens under it no longer open.
    ///
    /// # Errors
    /// [`Error::Keyring`] for an unknown key or the primary.
    pub fn retire(&mut self, id: u32) -> Result<()> {
        if id == self.primary {
            return Err(Error::Keyring(
                "the primary key cannot be retired; promote another first",
            ));
        }
        self.entry_mut(id)?.info.state = KeyState::Retired;
        Ok(())
    }

    /// Adds a new key and promotes it at once (what `hx key rotate` does).
    /// Prefer [`Keyring::add`] then [`Keyring::promote`] when several
    /// services share the keyring.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn rotate_primary(&mut self) -> Result<u32> {
        let id = self.add()?;
        self.promote(id)?;
        Ok(id)
    }

    /// The primary key's id.
    #[must_use]
    pub fn primary_id(&self) -> u32 {
        self.primary
    }

    /// Every key's id, state, kind and creation time (never its bytes).
    #[must_use]
    pub fn list(&self) -> Vec<KeyInfo> {
        self.entries.iter().map(|e| e.info).collect()
    }

    /// The bytes of a sealing key that may open data (not retired), for the
    /// streaming format's key derivation.
    pub(crate) fn sealing_key_bytes(&self, id: u32) -> Result<&[u8; 32]> {
        let entry = self.entry(id).map_err(|_| Error::InvalidToken)?;
        match &entry.material {
            Material::XChaCha(cipher) if entry.info.state != KeyState::Retired => {
                Ok(cipher.bytes())
            }
            _ => Err(Error::InvalidToken),
        }
    }

    fn primary_cipher(&self) -> Result<&XChaCha> {
        match &self.entry(self.primary)?.material {
            Material::XChaCha(cipher) => Ok(cipher),
            Material::Fernet { .. } => Err(Error::Keyring("the primary key is not a sealing key")),
        }
    }

    /// Seals `plaintext`, binding `context` (may be empty) as associated data.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the plaintext exceeds [`MAX_TOKEN_PLAINTEXT`];
    /// [`Error::Random`] if the OS generator fails.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<String> {
        self.seal_at(plaintext, context, now())
    }

    /// [`Keyring::seal`] with `issued_at` (Unix seconds) as the token's time.
    ///
    /// # Errors
    /// As [`Keyring::seal`].
    pub fn seal_at(&self, plaintext: &[u8], context: &[u8], issued_at: u64) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        hx_random::fill(&mut nonce)?;
        self.seal_with_nonce(plaintext, context, issued_at, &nonce)
    }

    pub(crate) fn seal_with_nonce(
        &self,
        plaintext: &[u8],
        context: &[u8],
        issued_at: u64,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String> {
        let raw = self.seal_raw(plaintext, context, issued_at, nonce)?;
        let mut text = String::with_capacity(TOKEN_PREFIX.len() + (raw.len() * 4).div_ceil(3));
        text.push_str(TOKEN_PREFIX);
        URL_SAFE_NO_PAD.encode_string(&raw, &mut text);
        Ok(text)
    }

    /// Seals `plaintext` into the binary token (docs/FORMAT.md), without the
    /// text prefix and base64: for databases and protocols that carry bytes.
    ///
    /// # Errors
    /// As [`Keyring::seal`].
    ///
    /// # Example
    /// ```
    /// let ring = hx_aead::Keyring::generate()?;
    /// let token = ring.seal_bytes(b"blob", b"table=users")?;
    /// assert_eq!(&*ring.open_bytes(&token, b"table=users", None)?, b"blob");
    /// # Ok::<(), hx_aead::Error>(())
    /// ```
    pub fn seal_bytes(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        hx_random::fill(&mut nonce)?;
        self.seal_raw(plaintext, context, now(), &nonce)
    }

    fn seal_raw(
        &self,
        plaintext: &[u8],
        context: &[u8],
        issued_at: u64,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Vec<u8>> {
        if plaintext.len() > MAX_TOKEN_PLAINTEXT {
            return Err(Error::InvalidKey(
                "plaintext larger than a token may carry; stream it",
            ));
        }
        let cipher = self.primary_cipher()?;
        let mut raw = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        raw.push(TOKEN_VERSION);
        raw.extend_from_slice(&self.primary.to_be_bytes());
        raw.extend_from_slice(&issued_at.to_be_bytes());
        raw.extend_from_slice(nonce);
        raw.extend_from_slice(plaintext);
        let (header, body) = raw.split_at_mut(HEADER_LEN);
        let tag = with_associated_data(header, context, |aad| cipher.seal(nonce, aad, body))?;
        raw.extend_from_slice(&tag);
        Ok(raw)
    }

    /// Opens a binary token made by [`Keyring::seal_bytes`]; the same checks
    /// as [`Keyring::open`].
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure.
    pub fn open_bytes(
        &self,
        token: &[u8],
        context: &[u8],
        ttl: Option<u64>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let opened = self.authenticate_raw(token, context)?;
        check_time(opened.issued_at, ttl, now(), MAX_CLOCK_SKEW)?;
        Ok(opened.plaintext)
    }

    /// Opens a binary token where it lies, without copying it: the body of
    /// `token` is decrypted in place and returned as a slice of it. For large
    /// payloads in a buffer you own; that buffer then holds the plaintext, so
    /// wipe it (for example with `zeroize`) when it is secret. On any failure
    /// the body is wiped before [`Error::InvalidToken`] is returned, so no
    /// unauthenticated or expired plaintext is left in the buffer.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure, as [`Keyring::open`].
    ///
    /// # Example
    /// ```
    /// let ring = hx_aead::Keyring::generate()?;
    /// let mut token = ring.seal_bytes(b"large row", b"table=users")?;
    /// let plaintext = ring.open_bytes_in_place(&mut token, b"table=users", None)?;
    /// assert_eq!(plaintext, b"large row");
    /// # Ok::<(), hx_aead::Error>(())
    /// ```
    pub fn open_bytes_in_place<'t>(
        &self,
        token: &'t mut [u8],
        context: &[u8],
        ttl: Option<u64>,
    ) -> Result<&'t mut [u8]> {
        let header = self.open_in_place(token, context)?;
        let end = token.len() - TAG_LEN;
        let body = token.get_mut(HEADER_LEN..end).ok_or(Error::InvalidToken)?;
        if check_time(header.issued_at, ttl, now(), MAX_CLOCK_SKEW).is_err() {
            body.fill(0);
            return Err(Error::InvalidToken);
        }
        Ok(body)
    }

    /// Opens `token` sealed with the same `context`, refusing it if it was
    /// issued more than `ttl` seconds ago (when given) or more than
    /// [`MAX_CLOCK_SKEW`] seconds in the future.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure, whatever its cause.
    pub fn open(
        &self,
        token: &str,
        context: &[u8],
        ttl: Option<u64>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.open_at(token, context, ttl, now())
    }

    /// [`Keyring::open`] as if the time were `now`.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure.
    pub fn open_at(
        &self,
        token: &str,
        context: &[u8],
        ttl: Option<u64>,
        now: u64,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let opened = self.authenticate(token, context)?;
        check_time(opened.issued_at, ttl, now, MAX_CLOCK_SKEW)?;
        Ok(opened.plaintext)
    }

    /// The issue time of an authentic token (checked first; no TTL applied).
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if it does not authenticate.
    pub fn extract_timestamp(&self, token: &str, context: &[u8]) -> Result<u64> {
        self.authenticate(token, context).map(|o| o.issued_at)
    }

    /// Re-seals `token` under the primary key, keeping its issue time; a token
    /// already under the primary is returned unchanged.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if it does not authenticate.
    pub fn rotate(&self, token: &str, context: &[u8]) -> Result<String> {
        let opened = self.authenticate(token, context)?;
        if opened.key_id == self.primary {
            return Ok(token.to_owned());
        }
        self.seal_at(&opened.plaintext, context, opened.issued_at)
    }

    /// Migrates a Fernet token opened by one of the legacy keys
    /// ([`Keyring::add_fernet_legacy`]) into an hx token sealed with
    /// `context`, keeping its timestamp. Fernet tokens carry no context: the
    /// caller vouches that `context` is the token's purpose.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if no legacy key authenticates it.
    pub fn rotate_fernet(&self, token: &str, context: &[u8]) -> Result<String> {
        let opened = self.authenticate_fernet(token)?;
        self.seal_at(&opened.plaintext, context, opened.issued_at)
    }

    /// Opens a Fernet token with the legacy keys, with the Fernet spec's TTL
    /// and 60-second skew rules. Fernet tokens are not bound to any context:
    /// use this only where any Fernet token under these keys is acceptable.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure.
    pub fn open_fernet(&self, token: &str, ttl: Option<u64>) -> Result<Zeroizing<Vec<u8>>> {
        self.open_fernet_at(token, ttl, now())
    }

    /// [`Keyring::open_fernet`] as if the time were `now`.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for every failure.
    pub fn open_fernet_at(
        &self,
        token: &str,
        ttl: Option<u64>,
        now: u64,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let opened = self.authenticate_fernet(token)?;
        check_time(opened.issued_at, ttl, now, crate::FERNET_MAX_CLOCK_SKEW)?;
        Ok(opened.plaintext)
    }

    /// Counts, for a batch of tokens, how many each key opens — run it over
    /// stored tokens before retiring a key.
    #[must_use]
    pub fn usage<'a>(&self, tokens: impl IntoIterator<Item = &'a str>, context: &[u8]) -> KeyUsage {
        let mut usage = KeyUsage::default();
        for token in tokens {
            match self.authenticate(token, context) {
                Ok(o) => *usage.by_key.entry(o.key_id).or_insert(0) += 1,
                Err(_) => usage.invalid += 1,
            }
        }
        usage
    }

    /// Authenticates an hx token. Fernet tokens are not accepted here: they
    /// carry no context, so they open only through the explicit legacy calls.
    fn authenticate(&self, token: &str, context: &[u8]) -> Result<Opened> {
        let body = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(Error::InvalidToken)?;
        self.authenticate_hx(body, context)
    }

    /// Authenticates a Fernet token with the legacy keys (not retired).
    fn authenticate_fernet(&self, token: &str) -> Result<Opened> {
        for entry in &self.entries {
            if let (Material::Fernet { fernet, .. }, true) =
                (&entry.material, entry.info.state != KeyState::Retired)
                && let Ok((issued_at, raw)) = fernet.authenticate(token)
            {
                // Authentic under this key: a decryption failure is final.
                let plaintext = fernet.decrypt_authenticated(&raw)?;
                return Ok(Opened {
                    key_id: entry.info.id,
                    issued_at,
                    plaintext,
                });
            }
        }
        Err(Error::InvalidToken)
    }

    /// Decodes the base64 body and decrypts it in the decoded buffer: one
    /// buffer from base64 to plaintext.
    fn authenticate_hx(&self, body: &str, context: &[u8]) -> Result<Opened> {
        let mut raw = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(body.as_bytes())
                .map_err(|_| Error::InvalidToken)?,
        );
        let header = self.open_in_place(&mut raw, context)?;
        let end = raw.len() - TAG_LEN;
        raw.copy_within(HEADER_LEN..end, 0);
        raw.truncate(end - HEADER_LEN);
        Ok(Opened {
            key_id: header.key_id,
            issued_at: header.issued_at,
            plaintext: raw,
        })
    }

    /// Authenticates a borrowed binary token and decrypts it into a new
    /// buffer (one copy of the ciphertext, decrypted in place).
    fn authenticate_raw(&self, raw: &[u8], context: &[u8]) -> Result<Opened> {
        let (header, cipher) = self.header(raw)?;
        let ciphertext = raw
            .get(HEADER_LEN..raw.len() - TAG_LEN)
            .ok_or(Error::InvalidToken)?;
        let mut plaintext = Zeroizing::new(ciphertext.to_vec());
        let head = raw.get(..HEADER_LEN).ok_or(Error::InvalidToken)?;
        open_body(
            cipher,
            &header,
            head,
            context,
            &mut plaintext,
            &tag_bytes(raw)?,
        )?;
        Ok(Opened {
            key_id: header.key_id,
            issued_at: header.issued_at,
            plaintext,
        })
    }

    /// Authenticates the binary token in `token` and decrypts its body in
    /// place (`token[HEADER_LEN..len - TAG_LEN]`). On failure the body is
    /// wiped, so no unauthenticated plaintext stays behind.
    fn open_in_place(&self, token: &mut [u8], context: &[u8]) -> Result<Header> {
        let (header, cipher) = self.header(token)?;
        let tag = tag_bytes(token)?;
        let len = token.len();
        let (head, rest) = token.split_at_mut(HEADER_LEN);
        let body = rest
            .get_mut(..len - HEADER_LEN - TAG_LEN)
            .ok_or(Error::InvalidToken)?;
        open_body(cipher, &header, head, context, body, &tag)?;
        Ok(header)
    }

    /// Parses a binary token's header and finds its key: the token must be
    /// long enough, of this version, under a known sealing key not retired.
    fn header(&self, raw: &[u8]) -> Result<(Header, &XChaCha)> {
        if raw.len() < HEADER_LEN + TAG_LEN || raw.first() != Some(&TOKEN_VERSION) {
            return Err(Error::InvalidToken);
        }
        let header = Header {
            key_id: u32::from_be_bytes(array(raw.get(1..5))?),
            issued_at: u64::from_be_bytes(array(raw.get(5..13))?),
            nonce: array(raw.get(13..HEADER_LEN))?,
        };
        let entry = self
            .index
            .get(&header.key_id)
            .and_then(|&i| self.entries.get(i))
            .ok_or(Error::InvalidToken)?;
        match &entry.material {
            Material::XChaCha(cipher) if entry.info.state != KeyState::Retired => {
                Ok((header, cipher))
            }
            _ => Err(Error::InvalidToken),
        }
    }
}

/// The fields of a binary token's header.
struct Header {
    key_id: u32,
    issued_at: u64,
    nonce: [u8; NONCE_LEN],
}

/// Decrypts a token's `body` in place if `tag` authenticates it with the
/// header bytes `head` and the caller's context; wipes `body` otherwise.
fn open_body(
    cipher: &XChaCha,
    header: &Header,
    head: &[u8],
    context: &[u8],
    body: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<()> {
    let opened = with_associated_data(head, context, |aad| {
        cipher.open(&header.nonce, aad, body, tag)
    });
    if opened.is_err() {
        body.fill(0);
        return Err(Error::InvalidToken);
    }
    Ok(())
}

fn tag_bytes(raw: &[u8]) -> Result<[u8; TAG_LEN]> {
    array(
        raw.len()
            .checked_sub(TAG_LEN)
            .and_then(|start| raw.get(start..)),
    )
}

struct Opened {
    key_id: u32,
    issued_at: u64,
    plaintext: Zeroizing<Vec<u8>>,
}

fn array<const N: usize>(bytes: Option<&[u8]>) -> Result<[u8; N]> {
    bytes
        .and_then(|b| b.try_into().ok())
        .ok_or(Error::InvalidToken)
}

/// Calls `f` with the associated data: the fixed-length header, then the
/// caller's context (on the stack when short, as it usually is).
fn with_associated_data<T>(header: &[u8], context: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    let mut stack = [0u8; HEADER_LEN + 256];
    let len = header.len() + context.len();
    if let Some(buf) = stack.get_mut(..len) {
        let (h, c) = buf.split_at_mut(header.len());
        h.copy_from_slice(header);
        c.copy_from_slice(context);
        return f(buf);
    }
    let mut aad = Vec::with_capacity(len);
    aad.extend_from_slice(header);
    aad.extend_from_slice(context);
    f(&aad)
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("primary", &self.primary)
            .field("keys", &self.list())
            .field("material", &"[REDACTED]")
            .finish()
    }
}

mod document;
mod file;
pub use document::MasterKey;
pub use file::MAX_KEYRING_FILE_LEN;
