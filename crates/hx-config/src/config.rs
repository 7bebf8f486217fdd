//! [`Config`]: an open config file — read values, change them, save.

use core::fmt;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hx_kex::PublicKey;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::atomic;
use crate::crypto::{DataKey, FileKeys};
use crate::document::{Document, Entry, MAX_DOCUMENT_LEN, MAX_VALUE_LEN, RecipientEntry};
use crate::path::table_conflict;
use crate::recipient::{
    canonical_age_recipient, public_der, rewrap_for_primary, wrap_for_age, wrap_for_entry,
    wrap_for_keyring, wrap_for_public,
};
use crate::{Error, Opener, Result, Tamper, check_path};

/// A document opened with its data key: parsed, unwrapped and authenticated.
pub(crate) struct Opened {
    pub doc: Document,
    pub data_key: DataKey,
    pub keys: FileKeys,
}

impl Opened {
    /// Parses `text`, unwraps the data key with `opener` and checks both MACs.
    /// On a MAC failure, says which entry moved or broke when it can.
    pub(crate) fn open(text: &str, opener: &Opener) -> Result<Self> {
        let doc = Document::parse(text)?;
        let data_key = opener.unwrap(&doc.file_id, &doc.recipients)?;
        let keys = FileKeys::derive(&data_key, &doc.file_id)?;
        if let Err(tamper) = doc.verify_macs(keys.mac()) {
            return Err(Error::Tampered(match tamper {
                Tamper::Entries => diagnose(&doc, &keys),
                other => other,
            }));
        }
        Ok(Self {
            doc,
            data_key,
            keys,
        })
    }

    /// The value at `path`: opened if sealed, as it is if in clear.
    pub(crate) fn decrypt(&self, path: &str) -> Result<Zeroizing<Vec<u8>>> {
        match self.doc.entries.get(path) {
            None => Err(Error::NotFound(path.to_owned())),
            Some(Entry::Plain(text)) => Ok(Zeroizing::new(text.as_bytes().to_vec())),
            Some(Entry::Sealed(sealed)) => self
                .keys
                .open(path, sealed)
                .ok_or_else(|| Error::Tampered(Tamper::Value(path.to_owned()))),
        }
    }
}

/// The generation after `g`; TOML integers end at 2^63 - 1.
pub(crate) fn next_generation(g: u64) -> Result<u64> {
    g.checked_add(1)
        .filter(|&n| i64::try_from(n).is_ok())
        .ok_or(Error::TooLarge("the generation"))
}

/// Which entry explains a failed entries MAC: one whose value was sealed for
/// another path, or one that does not authenticate at all; otherwise the set
/// itself changed (entry added, removed or replaced by an older ciphertext).
///
/// The search for the path a value was sealed for is bounded (values up to
/// 16 KiB, at most 1,024 other paths) so that a crafted file cannot make the
/// diagnosis expensive; beyond that the value is reported as not opening.
fn diagnose(doc: &Document, keys: &FileKeys) -> Tamper {
    const MAX_PROBED_VALUE: usize = 16 << 10;
    const MAX_PROBED_PATHS: usize = 1024;
    let sealed_paths = || {
        doc.entries.iter().filter_map(|(path, entry)| match entry {
            Entry::Sealed(sealed) => Some((path, sealed)),
            Entry::Plain(_) => None,
        })
    };
    for (path, sealed) in sealed_paths() {
        if keys.open(path, sealed).is_some() {
            continue;
        }
        if sealed.len() > MAX_PROBED_VALUE {
            return Tamper::Value(path.clone());
        }
        for (other, _) in sealed_paths()
            .filter(|(p, _)| *p != path)
            .take(MAX_PROBED_PATHS)
        {
            if keys.open(other, sealed).is_some() {
                return Tamper::Moved {
                    path: path.clone(),
                    sealed_for: other.clone(),
                };
            }
        }
        return Tamper::Value(path.clone());
    }
    Tamper::Entries
}

/// An encrypted config file, open for reading and editing.
///
/// Values are decrypted one at a time when asked for ([`Config::get`]);
/// opening checks the MACs over the header and every entry, so a value is
/// never returned from a file that was altered. Changes stay in memory until
/// [`Config::save`], which replaces the file atomically under a lock and
/// refuses to overwrite a version saved meanwhile by another writer.
///
/// # Example
/// ```
/// use hx_config::{Config, Opener};
/// use secrecy::ExposeSecret;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("prod.hxc");
/// let opener = Opener::Keyring(hx_aead::Keyring::generate()?);
///
/// let mut config = Config::create(&path, &opener, &[])?;
/// config.set("database.password", "correct horse")?;
/// config.save()?;
///
/// let config = Config::open(&path, &opener)?;
/// assert_eq!(config.get("database.password")?.expose_secret(), "correct horse");
/// assert_eq!(config.keys().collect::<Vec<_>>(), ["database.password"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Config<'o> {
    path: PathBuf,
    opener: Option<&'o Opener>,
    opened: Opened,
    /// MAC of the version read from disk (to detect a concurrent save).
    read_mac: [u8; 32],
    dirty: bool,
}

impl fmt::Debug for Config<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("generation", &self.opened.doc.generation)
            .field("entries", &self.opened.doc.entries.len())
            .field("values", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// What can be read from a config file without any key: its key paths (they
/// are in clear by design), generation and recipients. Nothing here is
/// authenticated until the file is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// The file's generation as written.
    pub generation: u64,
    /// The key paths, sorted.
    pub paths: Vec<String>,
    /// The recipients.
    pub recipients: Vec<RecipientInfo>,
}

/// Parses a config file's text without opening it.
///
/// ```
/// let text = "a.b = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"\n";
/// assert!(hx_config::inspect(text).is_err()); // no [hx] header
/// ```
///
/// # Errors
/// [`Error::Parse`] and the parse-level [`Error::Tampered`]
/// (`Tamper::Duplicate`).
pub fn inspect(text: &str) -> Result<Inspection> {
    let doc = Document::parse(text)?;
    Ok(Inspection {
        generation: doc.generation,
        paths: doc.entries.keys().cloned().collect(),
        recipients: recipient_infos(&doc),
    })
}

fn recipient_infos(doc: &Document) -> Vec<RecipientInfo> {
    doc.recipients
        .iter()
        .map(|r| RecipientInfo {
            kind: r.kind.clone(),
            fingerprint: if r.is_keyring() {
                String::new()
            } else {
                hx_digest::hash(hx_digest::Algorithm::Sha256, &r.public).to_hex()
            },
        })
        .collect()
}

/// A recipient as [`Config::recipients`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientInfo {
    /// `keyring`, `x25519`, `xwing` or `rsa-<bits>`.
    pub kind: String,
    /// Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER
    /// (empty for the keyring).
    pub fingerprint: String,
}

/// The error for a text that is not an age recipient or OpenSSH public key.
fn not_age() -> Error {
    Error::Age(hx_age::Error::Key(hx_keys::Error::InvalidKey(
        "not an age recipient (age1…, age1pq1…) or OpenSSH public key (ssh-ed25519, ssh-rsa)",
    )))
}

impl<'o> Config<'o> {
    /// Creates a new, empty config file at `path` (which must not exist),
    /// openable by `opener` (a keyring becomes a recipient; an identity's
    /// public key does) and by each of `recipients`.
    ///
    /// # Errors
    /// [`Error::LastRecipient`] if nobody could open the file,
    /// [`Error::RecipientExists`] for a key given twice, [`Error::Io`] if
    /// `path` exists or cannot be written.
    pub fn create(
        path: impl AsRef<Path>,
        opener: &'o Opener,
        recipients: &[PublicKey],
    ) -> Result<Self> {
        Self::create_for(path, Some(opener), recipients)
    }

    /// [`Config::create`] without an opener: the file is encrypted to
    /// `recipients` only (its creator may hold none of their private keys).
    ///
    /// # Errors
    /// As [`Config::create`].
    pub fn create_for(
        path: impl AsRef<Path>,
        opener: Option<&'o Opener>,
        recipients: &[PublicKey],
    ) -> Result<Self> {
        Self::create_with_age(path, opener, recipients, &[])
    }

    /// [`Config::create_for`] with age recipients and OpenSSH public keys
    /// too (see [`Config::add_age_recipient`]).
    ///
    /// # Errors
    /// As [`Config::create`]; [`Error::Age`] for a text that is not an age
    /// recipient or OpenSSH public key.
    pub fn create_with_age(
        path: impl AsRef<Path>,
        opener: Option<&'o Opener>,
        recipients: &[PublicKey],
        age_recipients: &[&str],
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut file_id = [0u8; 16];
        hx_random::fill(&mut file_id)?;
        let data_key = DataKey::generate()?;
        let keys = FileKeys::derive(&data_key, &file_id)?;
        let mut entries: Vec<RecipientEntry> = Vec::new();
        let mut publics: Vec<Vec<u8>> = Vec::new();
        match opener {
            Some(Opener::Keyring(ring)) => {
                entries.push(wrap_for_keyring(ring, &file_id, &data_key)?);
            }
            Some(Opener::Identity(key)) => publics.push(public_der(&key.public_key()?)?),
            // age identities name no recipient by themselves: give them as
            // recipients (`Config::add_age_recipient`)
            Some(Opener::Age(_)) | None => {}
        }
        for key in recipients {
            let der = public_der(key)?;
            if publics.contains(&der) {
                return Err(Error::RecipientExists);
            }
            publics.push(der);
        }
        for der in &publics {
            entries.push(wrap_for_public(der, &file_id, &data_key)?);
        }
        let mut ages: Vec<Vec<u8>> = Vec::new();
        for text in age_recipients {
            let canonical = canonical_age_recipient(text.as_bytes()).ok_or_else(not_age)?;
            if ages.contains(&canonical) {
                return Err(Error::RecipientExists);
            }
            entries.push(wrap_for_age(&canonical, &file_id, &data_key)?);
            ages.push(canonical);
        }
        if entries.is_empty() {
            return Err(Error::LastRecipient);
        }
        let mut doc = Document {
            file_id,
            generation: 1,
            header_mac: [0; 32],
            mac: [0; 32],
            recipients: entries,
            entries: BTreeMap::new(),
        };
        doc.seal_macs(keys.mac());
        let _lock = atomic::lock_dir(&path)?;
        atomic::write(&path, doc.render().as_bytes(), true)?;
        let read_mac = doc.mac;
        Ok(Self {
            path,
            opener,
            opened: Opened {
                doc,
                data_key,
                keys,
            },
            read_mac,
            dirty: false,
        })
    }

    /// Opens the config file at `path` with `opener`, checking its MACs.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Parse`] for a missing or malformed file,
    /// [`Error::NotARecipient`] if `opener` is not one of its recipients,
    /// [`Error::Tampered`] saying what was altered.
    pub fn open(path: impl AsRef<Path>, opener: &'o Opener) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let text = atomic::read_text(&path, MAX_DOCUMENT_LEN)?;
        let opened = Opened::open(&text, opener)?;
        Ok(Self {
            path,
            opener: Some(opener),
            read_mac: opened.doc.mac,
            opened,
            dirty: false,
        })
    }

    /// The file this config was read from and is saved to.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's generation: 1 when created, one more at every save.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.opened.doc.generation
    }

    /// The key paths, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.opened.doc.entries.keys().map(String::as_str)
    }

    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.opened.doc.entries.len()
    }

    /// Whether the file holds no value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.opened.doc.entries.is_empty()
    }

    /// Whether there is a value at `path`.
    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        self.opened.doc.entries.contains_key(path)
    }

    /// The value at `path`, decrypted.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Tampered`] if the value does not
    /// authenticate (a recipient wrote a corrupt entry); [`Error::Value`] if
    /// it is not UTF-8.
    pub fn get(&self, path: &str) -> Result<SecretString> {
        let bytes = self.opened.decrypt(path)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Value {
            path: path.to_owned(),
            reason: "not UTF-8 text".into(),
        })?;
        Ok(SecretString::from(text))
    }

    /// Every value, decrypted, by key path.
    ///
    /// # Errors
    /// As [`Config::get`].
    pub fn values(&self) -> Result<Vec<(String, SecretString)>> {
        self.keys()
            .map(|p| Ok((p.to_owned(), self.get(p)?)))
            .collect()
    }

    /// Decrypts every value (the check `hx config verify` makes) and returns
    /// how many there are.
    ///
    /// # Errors
    /// [`Error::Tampered`] naming the first value that does not open.
    pub fn verify(&self) -> Result<usize> {
        for path in self.keys() {
            self.opened.decrypt(path)?;
        }
        Ok(self.len())
    }

    /// Sets the value at `path`, sealed now (a value that was kept in clear
    /// is sealed from now on); written by [`Config::save`].
    ///
    /// # Errors
    /// [`Error::InvalidPath`], [`Error::PathConflict`] if `path` is a table
    /// above or below an existing value, [`Error::TooLarge`] beyond
    /// [`crate::MAX_VALUE_LEN`].
    pub fn set(&mut self, path: &str, value: &str) -> Result<()> {
        self.check_settable(path, value)?;
        let sealed = self.opened.keys.seal(path, value.as_bytes())?;
        self.opened
            .doc
            .entries
            .insert(path.to_owned(), Entry::Sealed(sealed));
        self.dirty = true;
        Ok(())
    }

    /// Sets the value at `path` in clear: a setting that is not a secret
    /// (a port, a host name) that anyone who can read the file may read,
    /// and that nobody without the file's key can change, remove or move
    /// unnoticed, as the MAC covers it like every other entry. [`Config::get`]
    /// and everything built on it read it as any value; [`Config::set`]
    /// seals it again. A file holding values in clear is written as format
    /// version 2.
    ///
    /// # Example
    /// ```
    /// use hx_config::{Config, Opener};
    /// use secrecy::ExposeSecret;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("app.hxc");
    /// let opener = Opener::Keyring(hx_aead::Keyring::generate()?);
    /// let mut config = Config::create(&path, &opener, &[])?;
    /// config.set_plain("database.port", "5432")?;
    /// config.set("database.password", "correct horse")?;
    /// config.save()?;
    ///
    /// assert!(std::fs::read_to_string(&path)?.contains("database.port = \"5432\""));
    /// let config = Config::open(&path, &opener)?;
    /// assert!(config.is_plain("database.port"));
    /// assert_eq!(config.get("database.port")?.expose_secret(), "5432");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Config::set`].
    pub fn set_plain(&mut self, path: &str, value: &str) -> Result<()> {
        self.check_settable(path, value)?;
        self.opened
            .doc
            .entries
            .insert(path.to_owned(), Entry::Plain(value.to_owned()));
        self.dirty = true;
        Ok(())
    }

    /// Whether the value at `path` is kept in clear ([`Config::set_plain`]);
    /// false for a sealed value and for a path with no value.
    #[must_use]
    pub fn is_plain(&self, path: &str) -> bool {
        self.opened
            .doc
            .entries
            .get(path)
            .is_some_and(Entry::is_plain)
    }

    fn check_settable(&self, path: &str, value: &str) -> Result<()> {
        check_path(path)?;
        if value.len() > MAX_VALUE_LEN {
            return Err(Error::TooLarge("the value"));
        }
        if !self.contains(path)
            && let Some(existing) = self.conflicting(path)
        {
            return Err(Error::PathConflict {
                path: path.to_owned(),
                existing: existing.to_owned(),
            });
        }
        Ok(())
    }

    fn conflicting(&self, path: &str) -> Option<&str> {
        table_conflict(&self.opened.doc.entries, path)
    }

    /// Removes the value at `path`.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub fn remove(&mut self, path: &str) -> Result<()> {
        self.opened
            .doc
            .entries
            .remove(path)
            .ok_or_else(|| Error::NotFound(path.to_owned()))?;
        self.dirty = true;
        Ok(())
    }

    /// A new data key: every sealed value is re-sealed and the key
    /// re-wrapped for every recipient, so a copy of the old key opens
    /// nothing written from now on. Values in clear stay as they are.
    ///
    /// # Errors
    /// [`Error::KeyringNeeded`] if the file has a keyring recipient and this
    /// config was not opened with that keyring; [`Error::Tampered`] if a
    /// value does not open.
    pub fn rotate(&mut self) -> Result<()> {
        let data_key = DataKey::generate()?;
        let file_id = self.opened.doc.file_id;
        let keys = FileKeys::derive(&data_key, &file_id)?;
        let mut recipients = Vec::with_capacity(self.opened.doc.recipients.len());
        for r in &self.opened.doc.recipients {
            recipients.push(if r.is_keyring() {
                let ring = self
                    .opener
                    .and_then(Opener::keyring)
                    .ok_or(Error::KeyringNeeded)?;
                wrap_for_keyring(ring, &file_id, &data_key)?
            } else {
                wrap_for_entry(&r.kind, &r.public, &file_id, &data_key)?
            });
        }
        let mut entries = BTreeMap::new();
        for (path, entry) in &self.opened.doc.entries {
            let entry = match entry {
                Entry::Sealed(_) => {
                    let value = self.opened.decrypt(path)?;
                    Entry::Sealed(keys.seal(path, &value)?)
                }
                Entry::Plain(_) => entry.clone(),
            };
            entries.insert(path.clone(), entry);
        }
        self.opened.doc.recipients = recipients;
        self.opened.doc.entries = entries;
        self.opened.data_key = data_key;
        self.opened.keys = keys;
        self.dirty = true;
        Ok(())
    }

    /// The file's recipients.
    #[must_use]
    pub fn recipients(&self) -> Vec<RecipientInfo> {
        recipient_infos(&self.opened.doc)
    }

    /// Adds a public-key recipient: the current data key is wrapped for it
    /// (it can read every value, including those already written).
    ///
    /// # Errors
    /// [`Error::RecipientExists`], [`Error::Kex`] for an unusable key.
    pub fn add_recipient(&mut self, key: &PublicKey) -> Result<()> {
        let der = public_der(key)?;
        if self.opened.doc.recipients.iter().any(|r| r.public == der) {
            return Err(Error::RecipientExists);
        }
        let entry = wrap_for_public(&der, &self.opened.doc.file_id, &self.opened.data_key)?;
        self.opened.doc.recipients.push(entry);
        self.opened.doc.normalize();
        self.dirty = true;
        Ok(())
    }

    /// Adds `ring` as the file's keyring recipient.
    ///
    /// # Errors
    /// [`Error::RecipientExists`] if the file already has a keyring recipient.
    pub fn add_keyring(&mut self, ring: &hx_aead::Keyring) -> Result<()> {
        if self
            .opened
            .doc
            .recipients
            .iter()
            .any(RecipientEntry::is_keyring)
        {
            return Err(Error::RecipientExists);
        }
        let entry = wrap_for_keyring(ring, &self.opened.doc.file_id, &self.opened.data_key)?;
        self.opened.doc.recipients.push(entry);
        self.opened.doc.normalize();
        self.dirty = true;
        Ok(())
    }

    /// Removes a public-key recipient and rotates the data key
    /// ([`Config::rotate`]), so the removed party cannot read values written
    /// from now on. (What it could read before, it may have kept.)
    ///
    /// # Errors
    /// [`Error::RecipientNotFound`], [`Error::LastRecipient`], or those of
    /// [`Config::rotate`].
    pub fn remove_recipient(&mut self, key: &PublicKey) -> Result<()> {
        let der = public_der(key)?;
        self.remove_recipient_by(&der)
    }

    /// Adds an age recipient (`age1…`, post-quantum `age1pq1…`) or an
    /// OpenSSH public key (`ssh-ed25519 …`, `ssh-rsa …`, its comment
    /// dropped): the data key is wrapped for it as an age file (hx-age), so
    /// the identity that opens the team's age files opens this file.
    ///
    /// # Example
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let ring = hx_config::Opener::Keyring(hx_aead::Keyring::generate()?);
    /// let mut config = hx_config::Config::create(dir.path().join("app.hxc"), &ring, &[])?;
    /// config.add_age_recipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")?;
    /// config.save()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Age`] if `recipient` is not one; [`Error::RecipientExists`].
    pub fn add_age_recipient(&mut self, recipient: &str) -> Result<()> {
        let canonical = canonical_age_recipient(recipient.as_bytes()).ok_or_else(not_age)?;
        if self
            .opened
            .doc
            .recipients
            .iter()
            .any(|r| r.public == canonical)
        {
            return Err(Error::RecipientExists);
        }
        let entry = wrap_for_age(&canonical, &self.opened.doc.file_id, &self.opened.data_key)?;
        self.opened.doc.recipients.push(entry);
        self.opened.doc.normalize();
        self.dirty = true;
        Ok(())
    }

    /// Removes an age or OpenSSH recipient and rotates the data key, as
    /// [`Config::remove_recipient`] does.
    ///
    /// # Errors
    /// As [`Config::remove_recipient`]; [`Error::Age`] if `recipient` is not
    /// one.
    pub fn remove_age_recipient(&mut self, recipient: &str) -> Result<()> {
        let canonical = canonical_age_recipient(recipient.as_bytes()).ok_or_else(not_age)?;
        self.remove_recipient_by(&canonical)
    }

    fn remove_recipient_by(&mut self, der: &[u8]) -> Result<()> {
        let der = der.to_vec();
        let recipients = &mut self.opened.doc.recipients;
        let index = recipients
            .iter()
            .position(|r| !r.is_keyring() && r.public == der)
            .ok_or(Error::RecipientNotFound)?;
        if recipients.len() == 1 {
            return Err(Error::LastRecipient);
        }
        let removed = recipients.remove(index);
        if let Err(e) = self.rotate() {
            self.opened.doc.recipients.push(removed);
            self.opened.doc.normalize();
            return Err(e);
        }
        Ok(())
    }

    /// Whether there are changes not yet saved.
    #[must_use]
    pub fn is_modified(&self) -> bool {
        self.dirty
    }

    /// Writes the changes: the generation goes up by one, the MACs are
    /// recomputed, a keyring recipient is re-wrapped under the keyring's
    /// current primary key, and the file is replaced atomically (temporary
    /// file, fsync, rename, fsync of the directory; mode 0600) while holding
    /// the directory's writer lock. Does nothing if nothing changed.
    ///
    /// # Errors
    /// [`Error::ChangedOnDisk`] if another writer saved since this config was
    /// read (nothing is written); [`Error::Io`].
    pub fn save(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let _lock = atomic::lock_dir(&self.path)?;
        let text = match atomic::read_text(&self.path, MAX_DOCUMENT_LEN) {
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::ChangedOnDisk(self.path.clone()));
            }
            other => other?,
        };
        let current =
            Document::parse(&text).map_err(|_| Error::ChangedOnDisk(self.path.clone()))?;
        if current.mac != self.read_mac {
            return Err(Error::ChangedOnDisk(self.path.clone()));
        }
        atomic::remove_stale_temps(&self.path);
        let mut doc = self.opened.doc.clone();
        if let Some(ring) = self.opener.and_then(Opener::keyring) {
            for r in &mut doc.recipients {
                if r.is_keyring()
                    && let Ok(rewrapped) = rewrap_for_primary(ring, &doc.file_id, r)
                {
                    *r = rewrapped;
                }
            }
        }
        doc.generation = next_generation(doc.generation)?;
        doc.seal_macs(self.opened.keys.mac());
        atomic::write(&self.path, doc.render().as_bytes(), false)?;
        self.read_mac = doc.mac;
        self.opened.doc = doc;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod crash_tests {
    //! The save and rotate paths stopped at every filesystem step, as if the
    //! process died there (and, mid-write, with a truncated temporary file):
    //! the file must then open with exactly the old or exactly the new
    //! content, and no plaintext may be anywhere in the directory.

    use std::collections::BTreeMap;

    use secrecy::ExposeSecret as _;

    use super::Config;
    use crate::Opener;
    use crate::atomic::{STEPS, Step, fault};

    fn snapshot(config: &Config<'_>) -> BTreeMap<String, String> {
        config
            .values()
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_owned()))
            .collect()
    }

    fn assert_no_plaintext(dir: &std::path::Path, secrets: &[String]) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for secret in secrets {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "plaintext found on disk"
                );
            }
        }
    }

    fn run(rotate: bool, step: Step, truncate: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.hxc");
        let opener = Opener::Keyring(hx_aead::Keyring::generate().unwrap());
        let mut secrets = Vec::new();
        let mut config = Config::create(&path, &opener, &[]).unwrap();
        for i in 0..20 {
            let value = format!("old-secret-{i}-{}", "x".repeat(i));
            config.set(&format!("service{i}.password"), &value).unwrap();
            secrets.push(value);
        }
        config.save().unwrap();
        let old = snapshot(&config);

        let mut config = Config::open(&path, &opener).unwrap();
        if rotate {
            config.rotate().unwrap();
        } else {
            for i in 0..10 {
                let value = format!("new-secret-{i}");
                config.set(&format!("service{i}.password"), &value).unwrap();
                secrets.push(value);
            }
            config.remove("service19.password").unwrap();
            config.set("extra.token", "new-extra-token").unwrap();
            secrets.push("new-extra-token".into());
        }
        let new = snapshot(&config);
        fault::arm(step, truncate);
        let crashed = config.save();
        fault::disarm();
        assert!(
            crashed.is_err(),
            "{step:?}: the injected crash did not happen"
        );

        let reopened = Config::open(&path, &opener).expect("the file must still open");
        let now = snapshot(&reopened);
        let expect_new = matches!(step, Step::SyncDir);
        assert_eq!(
            now,
            if expect_new { new.clone() } else { old.clone() },
            "{step:?}"
        );
        assert_eq!(now.len(), if expect_new { new.len() } else { old.len() });
        assert_no_plaintext(dir.path(), &secrets);

        // The next writer cleans up and saves normally.
        let mut config = Config::open(&path, &opener).unwrap();
        config.set("after.crash", "after-crash-value").unwrap();
        config.save().unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["app.hxc"], "stale temporary files were left");
    }

    #[test]
    fn the_generation_stops_where_toml_integers_end() {
        let max = u64::try_from(i64::MAX).unwrap();
        assert_eq!(super::next_generation(max - 1).unwrap(), max);
        assert!(super::next_generation(max).is_err());
    }

    #[test]
    fn save_survives_a_crash_at_every_step() {
        for step in STEPS {
            run(false, step, false);
        }
        run(false, Step::SyncTemp, true);
        run(false, Step::Rename, true);
    }

    #[test]
    fn rotate_survives_a_crash_at_every_step() {
        for step in STEPS {
            run(true, step, false);
        }
        run(true, Step::SyncTemp, true);
        run(true, Step::Rename, true);
    }
}
