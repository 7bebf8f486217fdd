//! A [`figment`] provider (feature `figment`): the values of an encrypted
//! config file merged into a figment configuration, in one line.
//!
//! Figment keeps values in its own (not zeroized) strings: decode secrets
//! into `secrecy::SecretString` fields and drop the `Figment` early.

use std::path::PathBuf;

use figment::value::{Dict, Map, Value};
use figment::{Error as FigmentError, Metadata, Profile, Provider};
use secrecy::ExposeSecret as _;

use crate::{Config, Opener};

/// The values of an encrypted config file, as a figment [`Provider`] for the
/// default profile, nested by key path (`database.password` →
/// `{ database: { password } }`).
///
/// # Example
/// ```
/// use figment::Figment;
/// use hx_config::figment::EncryptedFile;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.hxc");
/// let opener = hx_config::Opener::Keyring(hx_aead::Keyring::generate()?);
/// let mut config = hx_config::Config::create(&path, &opener, &[])?;
/// config.set("database.password", "hunter2")?;
/// config.save()?;
///
/// let figment = Figment::new().merge(EncryptedFile::new(&path, &opener));
/// let password: secrecy::SecretString = figment.extract_inner("database.password")?;
/// # use secrecy::ExposeSecret;
/// assert_eq!(password.expose_secret(), "hunter2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct EncryptedFile<'o> {
    path: PathBuf,
    opener: &'o Opener,
}

impl<'o> EncryptedFile<'o> {
    /// A provider for the file at `path`, opened with `opener` when figment
    /// asks for its data.
    pub fn new(path: impl Into<PathBuf>, opener: &'o Opener) -> Self {
        Self {
            path: path.into(),
            opener,
        }
    }
}

impl Provider for EncryptedFile<'_> {
    fn metadata(&self) -> Metadata {
        Metadata::named("hx encrypted config").source(self.path.display().to_string())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, FigmentError> {
        let config =
            Config::open(&self.path, self.opener).map_err(|e| FigmentError::from(e.to_string()))?;
        let mut root = Dict::new();
        for (path, value) in config
            .values()
            .map_err(|e| FigmentError::from(e.to_string()))?
        {
            let mut table = &mut root;
            let mut segments = path.split('.').peekable();
            while let Some(segment) = segments.next() {
                if segments.peek().is_none() {
                    table.insert(
                        segment.to_owned(),
                        Value::from(value.expose_secret().to_owned()),
                    );
                    break;
                }
                let entry = table
                    .entry(segment.to_owned())
                    .or_insert_with(|| Value::from(Dict::new()));
                match entry {
                    Value::Dict(_, inner) => table = inner,
                    _ => return Err(FigmentError::from(format!("`{path}`: path conflict"))),
                }
            }
        }
        Ok(Profile::Default.collect(root))
    }
}
