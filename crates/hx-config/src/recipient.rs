//! Who can open a file: the data key is wrapped once per recipient — sealed
//! as an hx token by a keyring (symmetric), or encrypted to a public key
//! (HPKE with X25519 or X-Wing, RSA-OAEP for RSA keys).

use core::fmt;
use std::path::Path;

use hx_aead::{Keyring, MasterKey};
use hx_kex::{PrivateKey, PublicKey};
use hx_keys::keyfile::{self, KeyFile};
use zeroize::Zeroizing;

use crate::crypto::{DataKey, wrap_info};
use crate::document::{AGE_TYPE, KEYRING_TYPE, RecipientEntry};
use crate::{Error, Result, Tamper};

/// Largest key or keyring file read.
const MAX_KEY_FILE_LEN: u64 = 16 << 20;

/// What opens a config file: a keyring that is one of its recipients, or the
/// private key (identity) of one of its public-key recipients.
///
/// # Example
/// ```
/// use hx_config::{Config, Opener};
/// let dir = tempfile::tempdir()?;
/// let opener = Opener::Keyring(hx_aead::Keyring::generate()?);
/// let mut config = Config::create(dir.path().join("app.hxc"), &opener, &[])?;
/// config.set("database.password", "hunter2")?;
/// config.save()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
pub enum Opener {
    /// A keyring (`hx key new`): opens files it is a recipient of, and can
    /// re-wrap their data key when it rotates.
    Keyring(Keyring),
    /// A private key (`hx keygen --alg x25519|xwing|rsa-*`).
    Identity(PrivateKey),
    /// age identities (an `age-keygen` file, `AGE-SECRET-KEY-1…` or
    /// `AGE-SECRET-KEY-PQ-1…`) or an OpenSSH private key: opens the file's
    /// `age` recipients they match.
    Age(Vec<Box<dyn hx_age::Identity + Send + Sync>>),
}

impl fmt::Debug for Opener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keyring(_) => f.write_str("Opener::Keyring([REDACTED])"),
            Self::Identity(_) => f.write_str("Opener::Identity([REDACTED])"),
            Self::Age(_) => f.write_str("Opener::Age([REDACTED])"),
        }
    }
}

impl Opener {
    /// Reads a keyring file (`hx key new`), sealed by `master` or not. The
    /// file must not be readable by group or others.
    ///
    /// # Errors
    /// [`Error::InsecurePermissions`] for a file readable by others,
    /// [`Error::Io`] if it cannot be read, [`Error::Aead`] for a document
    /// that is not a keyring, or is sealed and `master` is missing or wrong.
    pub fn keyring_file(path: impl AsRef<Path>, master: Option<&MasterKey>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = read_private_file(path)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Parse {
            line: None,
            reason: format!("{}: not a keyring document", path.display()),
        })?;
        let ring = if Keyring::is_sealed_document(text) {
            let master = master.ok_or(Error::Aead(hx_aead::Error::InvalidKey(
                "the keyring is sealed: a master key is needed",
            )))?;
            Keyring::from_sealed_document(text, master)?
        } else {
            Keyring::from_document(text)?
        };
        Ok(Self::Keyring(ring))
    }

    /// Reads a private key file (PEM or DER). The file must not be readable
    /// by group or others.
    ///
    /// # Errors
    /// [`Error::InsecurePermissions`], [`Error::Io`], or [`Error::Kex`] for a
    /// file that is not an X25519, X-Wing or RSA private key.
    pub fn identity_file(path: impl AsRef<Path>) -> Result<Self> {
        let bytes = read_private_file(path.as_ref())?;
        Self::identity_bytes(&bytes)
    }

    /// An opener from a private key file's content: age identities and
    /// OpenSSH private keys give [`Opener::Age`], PEM/DER keys
    /// [`Opener::Identity`].
    ///
    /// # Errors
    /// [`Error::Age`] for an unusable age or OpenSSH key, [`Error::Kex`] for
    /// a PEM/DER key that is not an X25519, X-Wing or RSA private key.
    pub fn identity_bytes(bytes: &[u8]) -> Result<Self> {
        let is_age = hx_keys::openssh::looks_like_private_key(bytes)
            || std::str::from_utf8(bytes).is_ok_and(|t| {
                t.lines()
                    .any(|l| l.trim_start().starts_with("AGE-SECRET-KEY-"))
            });
        if is_age {
            return Ok(Self::Age(hx_age::read_identities(bytes)?));
        }
        Ok(Self::Identity(PrivateKey::from_pem(bytes)?))
    }

    /// The opener named by the environment: `HX_KEYRING` (a keyring file,
    /// sealed ones with the master key in the file `HX_MASTER_KEY_FILE`), else
    /// `HX_IDENTITY` (a private key file). `None` if neither is set.
    ///
    /// # Errors
    /// As [`Opener::keyring_file`] and [`Opener::identity_file`].
    pub fn from_env() -> Result<Option<Self>> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// [`Opener::from_env`] with the variables looked up by `var`.
    ///
    /// ```
    /// let none = hx_config::Opener::from_vars(|_| None)?;
    /// assert!(none.is_none());
    /// # Ok::<(), hx_config::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Opener::from_env`].
    pub fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<Option<Self>> {
        if let Some(path) = var("HX_KEYRING") {
            let master = match var("HX_MASTER_KEY_FILE") {
                Some(file) => Some(read_master_key(Path::new(&file))?),
                None => None,
            };
            return Self::keyring_file(path, master.as_ref()).map(Some);
        }
        if let Some(path) = var("HX_IDENTITY") {
            return Self::identity_file(path).map(Some);
        }
        Ok(None)
    }

    pub(crate) fn keyring(&self) -> Option<&Keyring> {
        match self {
            Self::Keyring(k) => Some(k),
            Self::Identity(_) | Self::Age(_) => None,
        }
    }

    /// Unwraps the data key from the recipient entry that belongs to this
    /// opener.
    pub(crate) fn unwrap(
        &self,
        file_id: &[u8; 16],
        recipients: &[RecipientEntry],
    ) -> Result<DataKey> {
        let info = wrap_info(file_id);
        match self {
            Self::Keyring(ring) => {
                for r in recipients.iter().filter(|r| r.is_keyring()) {
                    let token = std::str::from_utf8(&r.wrapped).map_err(|_| header_tampered())?;
                    if let Ok(key) = ring.open(token, &info, None) {
                        return DataKey::from_slice(&key).ok_or_else(header_tampered);
                    }
                    // Sealed by one of this keyring's keys yet not opening:
                    // the entry or the file id was altered.
                    let ours = token_key_id(token).is_some_and(|id| {
                        ring.list()
                            .iter()
                            .any(|k| k.id == id && k.state != hx_aead::KeyState::Retired)
                    });
                    if ours {
                        return Err(header_tampered());
                    }
                }
                Err(Error::NotARecipient)
            }
            Self::Identity(key) => {
                let public = public_der(&key.public_key()?)?;
                let entry = recipients
                    .iter()
                    .find(|r| !r.is_keyring() && r.public == public)
                    .ok_or(Error::NotARecipient)?;
                let data_key = key
                    .decrypt(&info, &entry.wrapped)
                    .map_err(|_| header_tampered())?;
                DataKey::from_slice(&data_key).ok_or_else(header_tampered)
            }
            Self::Age(identities) => {
                let refs: Vec<&dyn hx_age::Identity> = identities
                    .iter()
                    .map(|i| &**i as &dyn hx_age::Identity)
                    .collect();
                for entry in recipients.iter().filter(|r| r.kind == AGE_TYPE) {
                    let opened = hx_age::Decryptor::new(&entry.wrapped[..])
                        .and_then(|d| d.decrypt(&refs))
                        .and_then(|mut reader| {
                            let mut payload = Zeroizing::new(Vec::new());
                            std::io::Read::read_to_end(&mut reader, &mut payload)?;
                            Ok(payload)
                        });
                    match opened {
                        Err(hx_age::Error::NoMatch) => {}
                        Err(_) => return Err(header_tampered()),
                        Ok(payload) => {
                            let key = payload
                                .strip_prefix(&info[..])
                                .ok_or_else(header_tampered)?;
                            return DataKey::from_slice(key).ok_or_else(header_tampered);
                        }
                    }
                }
                Err(Error::NotARecipient)
            }
        }
    }
}

/// The canonical text of an age recipient or OpenSSH public key (`age1…`,
/// `age1pq1…`, `ssh-ed25519 <base64>`, `ssh-rsa <base64>`, without a
/// comment), if `text` is one hx-age accepts.
pub(crate) fn canonical_age_recipient(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let canonical = if text.starts_with("ssh-") {
        let mut fields = text.split_whitespace();
        format!("{} {}", fields.next()?, fields.next()?)
    } else {
        text.to_owned()
    };
    hx_age::parse_recipient(&canonical).ok()?;
    Some(canonical.into_bytes())
}

/// The `age` recipient entry for `data_key`: an age file to the recipient
/// whose plaintext is the wrap info (binding the file id) and the data key.
pub(crate) fn wrap_for_age(
    recipient: &[u8],
    file_id: &[u8; 16],
    data_key: &DataKey,
) -> Result<RecipientEntry> {
    let text = std::str::from_utf8(recipient).map_err(|_| header_tampered())?;
    let to = hx_age::parse_recipient(text)?;
    let mut payload = Zeroizing::new(wrap_info(file_id));
    payload.extend_from_slice(&data_key.0[..]);
    let mut wrapped = Vec::new();
    hx_age::Encryptor::with_recipients(vec![to])?.encrypt(&payload[..], &mut wrapped)?;
    Ok(RecipientEntry {
        kind: AGE_TYPE.to_owned(),
        public: recipient.to_vec(),
        wrapped,
    })
}

/// The entry for a public-key or age recipient (not a keyring).
pub(crate) fn wrap_for_entry(
    kind: &str,
    public: &[u8],
    file_id: &[u8; 16],
    data_key: &DataKey,
) -> Result<RecipientEntry> {
    if kind == AGE_TYPE {
        wrap_for_age(public, file_id, data_key)
    } else {
        wrap_for_public(public, file_id, data_key)
    }
}

/// The key id of an hx sealed token (docs/FORMAT.md: `hx1.` then base64url
/// of version ‖ key id, big-endian u32 ‖ …), unauthenticated.
fn token_key_id(token: &str) -> Option<u32> {
    use base64::Engine as _;
    let body = token.strip_prefix(hx_aead::TOKEN_PREFIX)?;
    let head = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body.get(..8)?)
        .ok()?;
    Some(u32::from_be_bytes(head.get(1..5)?.try_into().ok()?))
}

fn header_tampered() -> Error {
    Error::Tampered(Tamper::Header)
}

/// The keyring recipient entry for `data_key`. Wrapped keys carry issue time
/// 0: they have no lifetime, and the file should not reveal when it was
/// written.
pub(crate) fn wrap_for_keyring(
    ring: &Keyring,
    file_id: &[u8; 16],
    data_key: &DataKey,
) -> Result<RecipientEntry> {
    let token = ring.seal_at(&data_key.0[..], &wrap_info(file_id), 0)?;
    Ok(RecipientEntry {
        kind: KEYRING_TYPE.to_owned(),
        public: Vec::new(),
        wrapped: token.into_bytes(),
    })
}

/// A keyring entry re-wrapped under the keyring's current primary key (the
/// same entry if it already is).
pub(crate) fn rewrap_for_primary(
    ring: &Keyring,
    file_id: &[u8; 16],
    entry: &RecipientEntry,
) -> Result<RecipientEntry> {
    let token = std::str::from_utf8(&entry.wrapped).map_err(|_| header_tampered())?;
    let rotated = ring
        .rotate(token, &wrap_info(file_id))
        .map_err(|_| Error::NotARecipient)?;
    Ok(RecipientEntry {
        wrapped: rotated.into_bytes(),
        ..entry.clone()
    })
}

/// The public-key recipient entry for `data_key`.
pub(crate) fn wrap_for_public(
    public: &[u8],
    file_id: &[u8; 16],
    data_key: &DataKey,
) -> Result<RecipientEntry> {
    let (kind, key) = parse_public(public)?;
    let wrapped = key.encrypt(&wrap_info(file_id), &data_key.0[..])?;
    Ok(RecipientEntry {
        kind,
        public: public.to_vec(),
        wrapped,
    })
}

/// The SubjectPublicKeyInfo DER of a public key (the recipient's identity in
/// the file).
///
/// # Errors
/// [`Error::Kex`] if the key cannot be encoded.
pub fn public_der(key: &PublicKey) -> Result<Vec<u8>> {
    let pem = key.to_pem()?;
    match keyfile::read(pem.as_bytes()).map_err(hx_kex::Error::from)? {
        KeyFile::Public { spki, .. } => Ok(spki),
        KeyFile::Private { .. } => Err(Error::Kex(hx_kex::Error::InvalidKey("not a public key"))),
    }
}

fn parse_public(der: &[u8]) -> Result<(String, PublicKey)> {
    let key = PublicKey::from_pem(der)?;
    let algorithm = match keyfile::read(der).map_err(hx_kex::Error::from)? {
        KeyFile::Public { algorithm, .. } => algorithm,
        KeyFile::Private { .. } => {
            return Err(Error::Kex(hx_kex::Error::InvalidKey("not a public key")));
        }
    };
    Ok((algorithm.to_string(), key))
}

/// Reads a key or keyring file after checking that only its owner can read
/// it.
fn read_private_file(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(crate::error::io(path))?;
    check_private_mode(path, &file)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(crate::error::io(path))?;
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(Error::TooLarge("the key file"));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn check_private_mode(path: &Path, file: &std::fs::File) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let mode = file.metadata().map_err(crate::error::io(path))?.mode();
    if mode & 0o077 != 0 {
        return Err(Error::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_mode(_path: &Path, _file: &std::fs::File) -> Result<()> {
    Ok(())
}

/// Reads a master key file (base64url, as `hx key new --master-key-file`
/// writes it).
fn read_master_key(path: &Path) -> Result<MasterKey> {
    let bytes = read_private_file(path)?;
    let text = std::str::from_utf8(&bytes).unwrap_or("").trim();
    MasterKey::from_base64(text).map_err(Error::Aead)
}
