//! The keyring document: versioned, checksummed text, optionally sealed by a
//! master key (docs/FORMAT.md, "Keyring document").

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hx_digest::{Algorithm, hash};
use zeroize::Zeroizing;

use super::{KeyKind, KeyState, Keyring, Material};
use crate::backend::XChaCha;
use crate::{Error, FernetKey, Result};

const HEADER: &str = "hx-keyring 1";
const SEALED_HEADER: &str = "hx-keyring-sealed 1";
const NONCE_LEN: usize = 24;

/// A 256-bit key that seals a keyring document at rest. Zeroized on drop;
/// `Debug` redacted.
///
/// # Example
/// ```
/// use hx_aead::{Keyring, MasterKey};
/// let master = MasterKey::generate()?;
/// let ring = Keyring::generate()?;
/// let sealed = ring.to_sealed_document(&master)?;
/// let back = Keyring::from_sealed_document(&sealed, &master)?;
/// assert_eq!(back.list(), ring.list());
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A new random master key.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        crate::backend::random_key().map(Self)
    }

    /// Wraps 32 key bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(Zeroizing::new(*bytes))
    }

    /// Parses the 43-character url-safe base64 form (surrounding whitespace
    /// ignored).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless it is exactly 32 bytes of base64url.
    pub fn from_base64(text: &str) -> Result<Self> {
        decode_key(text.trim()).map(Self).ok_or(Error::InvalidKey(
            "a master key is 32 bytes of url-safe base64",
        ))
    }

    /// The text form. Secret.
    #[must_use]
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(URL_SAFE_NO_PAD.encode(&self.0[..]))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

fn decode_key(text: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut buf = Zeroizing::new([0u8; 33]);
    let n = URL_SAFE_NO_PAD.decode_slice(text, &mut buf[..]).ok()?;
    if n != 32 {
        return None;
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(buf.get(..32)?);
    Some(key)
}

fn doc_err(line: usize, reason: &'static str) -> Error {
    Error::Document { line, reason }
}

impl Keyring {
    /// The plain keyring document. **Secret**: it holds every key; store it
    /// with mode 0600 (the `hx` command does) or seal it with
    /// [`Keyring::to_sealed_document`].
    #[must_use]
    pub fn to_document(&self) -> Zeroizing<String> {
        // Sized up front: growing would leave unwiped copies of key lines.
        let mut doc = Zeroizing::new(String::with_capacity(64 + 128 * self.entries.len()));
        doc.push_str(HEADER);
        doc.push('\n');
        for entry in &self.entries {
            let key_text = Zeroizing::new(match &entry.material {
                Material::XChaCha(cipher) => URL_SAFE_NO_PAD.encode(cipher.bytes()),
                Material::Fernet { key, .. } => URL_SAFE_NO_PAD.encode(key.expose_secret()),
            });
            let i = entry.info;
            doc.push_str(&format!(
                "key {} {} {} {} ",
                i.id,
                i.state.name(),
                i.kind.name(),
                i.created
            ));
            doc.push_str(&key_text);
            doc.push('\n');
        }
        let checksum = hash(Algorithm::Sha256, doc.as_bytes());
        doc.push_str("checksum sha256:");
        doc.push_str(&checksum.to_hex());
        doc.push('\n');
        doc
    }

    /// Parses a plain keyring document.
    ///
    /// # Errors
    /// [`Error::Document`] naming the line and the problem (never the key
    /// bytes): wrong header or version, malformed key line, duplicate id, not
    /// exactly one primary, bad or missing checksum.
    pub fn from_document(text: &str) -> Result<Self> {
        // As strict as docs/FORMAT.md: lines end with LF alone, the
        // checksum is the last line, numbers are canonical decimals.
        if text.contains('\r') {
            return Err(doc_err(0, "lines must end with LF alone (no CR)"));
        }
        let checksum_at = text
            .rfind("checksum sha256:")
            .ok_or(doc_err(0, "no checksum line"))?;
        let (covered, checksum_line) = text.split_at(checksum_at);
        let expected = checksum_line
            .strip_suffix('\n')
            .and_then(|l| l.strip_prefix("checksum sha256:"))
            .ok_or(doc_err(
                0,
                "the checksum line must be the last line, ending with LF",
            ))?;
        if expected.len() != 64
            || !expected
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(doc_err(0, "checksum is not 64 lowercase hex digits"));
        }
        if !covered.ends_with('\n')
            || !hash(Algorithm::Sha256, covered.as_bytes())
                .ct_eq_bytes(&hex::decode(expected).map_err(|_| doc_err(0, "checksum is not hex"))?)
        {
            return Err(doc_err(0, "checksum mismatch: the document is damaged"));
        }
        let mut lines = covered.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, HEADER)) => {}
            Some((_, l)) if l.starts_with("hx-keyring ") => {
                return Err(doc_err(1, "unsupported keyring version"));
            }
            _ => return Err(doc_err(1, "not an hx keyring (expected \"hx-keyring 1\")")),
        }
        let mut ring = Self {
            entries: Vec::new(),
            index: std::collections::HashMap::new(),
            primary: 0,
        };
        for (n, line) in lines {
            let fields: Vec<&str> = line.split(' ').collect();
            let [tag, id, state, kind, created, key] = fields[..] else {
                return Err(doc_err(n, "expected: key ID STATE KIND CREATED KEY"));
            };
            if tag != "key" {
                return Err(doc_err(n, "expected: key ID STATE KIND CREATED KEY"));
            }
            let id: u32 =
                canonical(id).ok_or(doc_err(n, "key id is not a canonical decimal number"))?;
            let created: u64 = canonical(created).ok_or(doc_err(
                n,
                "creation time is not a canonical decimal number",
            ))?;
            let state: KeyState = state
                .parse()
                .map_err(|_| doc_err(n, "state is not primary, active or retired"))?;
            let kind: KeyKind = kind
                .parse()
                .map_err(|_| doc_err(n, "kind is not xchacha20poly1305 or fernet"))?;
            let bytes = decode_key(key).ok_or(doc_err(n, "key is not 32 bytes of base64url"))?;
            let inserted = match kind {
                KeyKind::XChaCha20Poly1305 => ring.insert_xchacha(id, state, created, bytes),
                KeyKind::FernetLegacy if state != KeyState::Primary => {
                    ring.insert_fernet(id, state, created, FernetKey::from_bytes(&bytes))
                }
                KeyKind::FernetLegacy => return Err(doc_err(n, "a Fernet key cannot be primary")),
            };
            inserted.map_err(|_| doc_err(n, "duplicate or zero key id"))?;
            if state == KeyState::Primary {
                if ring.primary != 0 {
                    return Err(doc_err(n, "more than one primary key"));
                }
                ring.primary = id;
            }
        }
        if ring.primary == 0 {
            return Err(doc_err(0, "no primary key"));
        }
        Ok(ring)
    }

    /// The keyring document sealed with XChaCha20-Poly1305 under `master`.
    ///
    /// # Errors
    /// [`Error::Random`] if the OS generator fails.
    pub fn to_sealed_document(&self, master: &MasterKey) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        hx_random::fill(&mut nonce)?;
        let plain = self.to_document();
        let mut buf = Zeroizing::new(plain.as_bytes().to_vec());
        let tag = XChaCha::new(&master.0).seal(&nonce, SEALED_HEADER.as_bytes(), &mut buf)?;
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&buf);
        raw.extend_from_slice(&tag);
        Ok(format!(
            "{SEALED_HEADER}\n{}\n",
            URL_SAFE_NO_PAD.encode(raw)
        ))
    }

    /// Opens and parses a sealed keyring document.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if it does not open under `master` (wrong key
    /// or tampered), [`Error::Document`] if it is not a sealed document or
    /// what it holds does not parse.
    pub fn from_sealed_document(text: &str, master: &MasterKey) -> Result<Self> {
        let mut lines = text.lines();
        if lines.next() != Some(SEALED_HEADER) {
            return Err(doc_err(
                1,
                "not a sealed hx keyring (expected \"hx-keyring-sealed 1\")",
            ));
        }
        let body = lines.next().ok_or(doc_err(2, "missing sealed body"))?;
        if lines.any(|l| !l.is_empty()) {
            return Err(doc_err(3, "unexpected text after the sealed body"));
        }
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| doc_err(2, "sealed body is not base64url"))?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(Error::InvalidToken);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::InvalidToken)?;
        let tag: [u8; 16] = tag.try_into().map_err(|_| Error::InvalidToken)?;
        let mut buf = Zeroizing::new(ct.to_vec());
        XChaCha::new(&master.0)
            .open(&nonce, SEALED_HEADER.as_bytes(), &mut buf, &tag)
            .map_err(|_| Error::InvalidToken)?;
        let text =
            std::str::from_utf8(&buf).map_err(|_| doc_err(0, "sealed keyring is not text"))?;
        Self::from_document(text)
    }

    /// Whether `text` looks like a sealed keyring document (to pick the
    /// parser).
    #[must_use]
    pub fn is_sealed_document(text: &str) -> bool {
        text.starts_with(SEALED_HEADER)
    }
}

/// A decimal number written the one way `to_document` writes it: digits
/// only, no sign, no leading zero (except `0` itself).
fn canonical<T: std::str::FromStr + ToString>(field: &str) -> Option<T> {
    let value: T = field.parse().ok()?;
    (value.to_string() == field).then_some(value)
}
