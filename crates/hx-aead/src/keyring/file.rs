//! Keyring files: read with their permissions checked and a size bound,
//! written atomically with mode 0600, sealed or not — what `hx key` does,
//! for library users.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::Path;

use zeroize::Zeroizing;

use super::{Keyring, MasterKey};
use crate::{Error, Result};

/// The largest keyring file read (thousands of keys; retired keys are kept
/// so ids are not reused).
pub const MAX_KEYRING_FILE_LEN: u64 = 16 << 20;

impl Keyring {
    /// Reads a keyring file written by [`Keyring::save`] or `hx key`: a
    /// plain document, or a sealed one opened with `master`.
    ///
    /// ```
    /// use hx_aead::{Keyring, MasterKey};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("app.ring");
    /// let master = MasterKey::generate()?;
    /// let ring = Keyring::generate()?;
    /// ring.save(&path, Some(&master))?;            // sealed at rest, mode 0600
    /// let again = Keyring::load(&path, Some(&master))?;
    /// assert_eq!(again.primary_id(), ring.primary_id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InsecurePermissions`] for a file that group or others can
    /// access (Unix), [`Error::Io`] if it cannot be read or is over
    /// [`MAX_KEYRING_FILE_LEN`], [`Error::Document`] if it does not parse,
    /// [`Error::InvalidKey`] for a sealed keyring without `master`, and
    /// [`Error::InvalidToken`] for a sealed one `master` does not open.
    pub fn load(path: impl AsRef<Path>, master: Option<&MasterKey>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path)?;
        check_private(path, &file)?;
        let mut bytes = Zeroizing::new(Vec::new());
        file.take(MAX_KEYRING_FILE_LEN + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_KEYRING_FILE_LEN {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "larger than a keyring file can be",
            )));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Document {
            line: 0,
            reason: "not UTF-8 text",
        })?;
        if !Self::is_sealed_document(text) {
            return Self::from_document(text);
        }
        let master = master.ok_or(Error::InvalidKey(
            "the keyring is sealed: a master key is needed",
        ))?;
        Self::from_sealed_document(text, master)
    }

    /// Writes the keyring to `path` atomically with mode 0600: a temporary
    /// file in the same directory, written, flushed to disk, renamed over
    /// `path`, and the directory flushed. A reader (or a crash) sees the old
    /// file or the new one, never a mixture. With `master` the document is
    /// sealed. See [`Keyring::load`] for an example.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written; [`Error::Random`] if
    /// sealing cannot draw its nonce.
    pub fn save(&self, path: impl AsRef<Path>, master: Option<&MasterKey>) -> Result<()> {
        let path = path.as_ref();
        let document = match master {
            Some(m) => Zeroizing::new(self.to_sealed_document(m)?),
            None => self.to_document(),
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut suffix = [0u8; 8];
        hx_random::fill(&mut suffix)?;
        let name = suffix.iter().fold(String::new(), |mut s, b| {
            s.push_str(&format!("{b:02x}"));
            s
        });
        let temp = dir.join(format!(".hx-keyring-{name}"));
        let written = options.open(&temp).and_then(|mut file| {
            file.write_all(document.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(e.into());
        }
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(unix)]
fn check_private(path: &Path, file: &File) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let mode = file.metadata()?.mode();
    if mode & 0o077 != 0 {
        return Err(Error::InsecurePermissions {
            path: path.to_owned(),
            mode: mode & 0o7777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &File) -> Result<()> {
    Ok(())
}
