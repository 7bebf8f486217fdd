//! Deterministic construction for the fixed-input vectors of docs/FORMAT.md.
//! Real files never reuse a nonce or choose their data key; these functions
//! exist so that the format can be checked byte for byte.

use std::collections::BTreeMap;

use hx_aead::Keyring;

use crate::crypto::{DataKey, FileKeys, wrap_info};
use crate::document::{Document, Entry, KEYRING_TYPE, RecipientEntry};
use crate::{Result, check_path};

/// The inputs a config file's randomness would otherwise supply.
pub struct FixedInputs<'a> {
    /// The file id.
    pub file_id: [u8; 16],
    /// The data key.
    pub data_key: [u8; 32],
    /// The generation written.
    pub generation: u64,
    /// Nonce of the keyring's wrapped data key.
    pub wrap_nonce: [u8; 24],
    /// `(key path, value, nonce)` of each sealed entry.
    pub values: &'a [(&'a str, &'a str, [u8; 24])],
    /// `(key path, value)` of each entry kept in clear (none: a version 1
    /// file).
    pub plain: &'a [(&'a str, &'a str)],
}

impl core::fmt::Debug for FixedInputs<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FixedInputs([REDACTED])")
    }
}

/// The canonical text of a config file with one keyring recipient, built
/// from fixed inputs. Nonces must never repeat under one key in real use.
///
/// # Errors
/// [`crate::Error::InvalidPath`] for a bad key path; sealing errors.
pub fn document_with_fixed_inputs(keyring: &Keyring, inputs: &FixedInputs<'_>) -> Result<String> {
    let data_key = DataKey(zeroize::Zeroizing::new(inputs.data_key));
    let keys = FileKeys::derive(&data_key, &inputs.file_id)?;
    let token = hx_aead::hazmat::keyring_seal_with_nonce(
        keyring,
        &inputs.data_key,
        &wrap_info(&inputs.file_id),
        0,
        &inputs.wrap_nonce,
    )?;
    let mut entries = BTreeMap::new();
    for (path, value, nonce) in inputs.values {
        check_path(path)?;
        entries.insert(
            (*path).to_owned(),
            Entry::Sealed(keys.seal_with_nonce(path, value.as_bytes(), nonce)?),
        );
    }
    for (path, value) in inputs.plain {
        check_path(path)?;
        entries.insert((*path).to_owned(), Entry::Plain((*value).to_owned()));
    }
    let mut doc = Document {
        file_id: inputs.file_id,
        generation: inputs.generation,
        header_mac: [0; 32],
        mac: [0; 32],
        recipients: vec![RecipientEntry {
            kind: KEYRING_TYPE.to_owned(),
            public: Vec::new(),
            wrapped: token.into_bytes(),
        }],
        entries,
    };
    doc.seal_macs(keys.mac());
    Ok(doc.render())
}

/// The canonical text of a parsed document, as a save writes it (the MACs
/// are copied, not recomputed): what the fuzz target checks is a fixed
/// point.
///
/// # Errors
/// As [`crate::inspect`].
pub fn canonical(text: &str) -> Result<String> {
    Ok(Document::parse(text)?.render())
}

/// Opens a config file's text (no file involved) and decrypts every value:
/// the checks of [`crate::Config::open`] and [`crate::Config::verify`], for
/// the fuzz target and tests.
///
/// # Errors
/// As [`crate::Config::open`] and [`crate::Config::verify`].
pub fn open_text(
    text: &str,
    opener: &crate::Opener,
) -> Result<Vec<(String, zeroize::Zeroizing<Vec<u8>>)>> {
    let opened = crate::config::Opened::open(text, opener)?;
    opened
        .doc
        .entries
        .keys()
        .map(|path| Ok((path.clone(), opened.decrypt(path)?)))
        .collect()
}
