//! Three-way merge of two edited versions of a config file — the git merge
//! driver behind `hx config merge BASE OURS THEIRS`.
//!
//! Both sides and their common ancestor are opened and authenticated, then
//! merged entry by entry on the *decrypted* values (compared in constant
//! time), so a side that rotated the data key still merges: a key changed on
//! one side only takes that side's value, a key changed identically on both
//! is taken once, and a key changed differently on both sides is a conflict,
//! named by its path; a value kept in clear and the same value sealed
//! differ. Recipients merge the same way (added or removed on one
//! side). The result is re-MAC'd under a data key that every party removed on
//! either side cannot know: ours if neither side rotated, the rotating side's
//! if one did, a fresh one if both did.

use std::collections::{BTreeMap, BTreeSet};

use zeroize::Zeroizing;

use crate::config::{Opened, next_generation};
use crate::crypto::{DataKey, FileKeys};
use crate::document::{Document, Entry, RecipientEntry};
use crate::path::table_conflict;
use crate::recipient::{wrap_for_entry, wrap_for_keyring};
use crate::{Error, Opener, Result};

/// What a merge produced.
#[derive(Debug)]
#[non_exhaustive]
pub struct Merged {
    /// The merged file, authenticated and ready to write. For a conflicting
    /// key it holds our side's value.
    pub text: String,
    /// Key paths changed differently on both sides (sorted); empty when the
    /// merge is clean.
    pub conflicts: Vec<String>,
}

/// Merges `ours` and `theirs`, two versions of one config file edited from
/// the common ancestor `base` (empty text when there is none).
///
/// # Example
/// ```
/// use hx_config::{Config, Opener, merge};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.hxc");
/// let opener = Opener::Keyring(hx_aead::Keyring::generate()?);
/// let mut config = Config::create(&path, &opener, &[])?;
/// config.set("a", "1")?;
/// config.save()?;
/// let base = std::fs::read_to_string(&path)?;
///
/// config.set("b", "ours")?;
/// config.save()?;
/// let ours = std::fs::read_to_string(&path)?;
///
/// std::fs::write(&path, &base)?;
/// let mut config = Config::open(&path, &opener)?;
/// config.set("c", "theirs")?;
/// config.save()?;
/// let theirs = std::fs::read_to_string(&path)?;
///
/// let merged = merge(&base, &ours, &theirs, &opener)?;
/// assert!(merged.conflicts.is_empty());
/// std::fs::write(&path, &merged.text)?;
/// let config = Config::open(&path, &opener)?;
/// assert_eq!(config.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Any error of [`crate::Config::open`] for one of the three versions;
/// [`Error::Parse`] if they are not versions of the same file (file ids
/// differ); [`Error::KeyringNeeded`] if the merge must re-wrap the data key
/// for a keyring recipient and `opener` is not that keyring.
pub fn merge(base: &str, ours: &str, theirs: &str, opener: &Opener) -> Result<Merged> {
    let ours = Opened::open(ours, opener)?;
    let theirs = Opened::open(theirs, opener)?;
    let base = if base.trim().is_empty() {
        None
    } else {
        Some(Opened::open(base, opener)?)
    };
    let file_id = ours.doc.file_id;
    if theirs.doc.file_id != file_id || base.as_ref().is_some_and(|b| b.doc.file_id != file_id) {
        return Err(Error::Parse {
            line: None,
            reason: "the three versions are not of the same file (their file ids differ)".into(),
        });
    }

    // Which data key the result uses, and which sides' ciphertexts and
    // wrapped keys stay valid under it.
    let same = |a: &Opened, b: &Opened| hx_digest::ct_eq(&a.data_key.0[..], &b.data_key.0[..]);
    let base_key_of = |side: &Opened| base.as_ref().is_some_and(|b| same(side, b));
    enum KeySource {
        Ours,
        Theirs,
        Fresh,
    }
    // Without a base, a side that rotated cannot be told apart: fresh key.
    let source = if same(&ours, &theirs) || !base_key_of(&ours) && base_key_of(&theirs) {
        KeySource::Ours
    } else if base_key_of(&ours) {
        KeySource::Theirs
    } else {
        KeySource::Fresh
    };
    let fresh;
    let (data_key, keys, reuse_ours, reuse_theirs): (&DataKey, &FileKeys, bool, bool) = match source
    {
        KeySource::Ours => (&ours.data_key, &ours.keys, true, same(&ours, &theirs)),
        KeySource::Theirs => (&theirs.data_key, &theirs.keys, false, true),
        KeySource::Fresh => {
            let key = DataKey::generate()?;
            let keys = FileKeys::derive(&key, &file_id)?;
            fresh = (key, keys);
            (&fresh.0, &fresh.1, false, false)
        }
    };

    // Values.
    let mut paths: BTreeSet<&String> = ours.doc.entries.keys().collect();
    paths.extend(theirs.doc.entries.keys());
    if let Some(b) = &base {
        paths.extend(b.doc.entries.keys());
    }
    let mut entries = BTreeMap::new();
    let mut conflicts = Vec::new();
    for path in paths {
        let o = value(&ours, path)?;
        let t = value(&theirs, path)?;
        let b = match &base {
            Some(b) => value(b, path)?,
            None => None,
        };
        let take_theirs = if equal(&o, &t) || equal(&t, &b) {
            false
        } else if equal(&o, &b) {
            true
        } else {
            conflicts.push(path.clone());
            false
        };
        let (side, reuse, plain) = if take_theirs {
            (&theirs, reuse_theirs, t)
        } else {
            (&ours, reuse_ours, o)
        };
        let Some((_, plain)) = plain else { continue };
        let entry = match side.doc.entries.get(path.as_str()) {
            Some(Entry::Plain(text)) => Entry::Plain(text.clone()),
            Some(Entry::Sealed(sealed)) if reuse => Entry::Sealed(sealed.clone()),
            _ => Entry::Sealed(keys.seal(path, &plain)?),
        };
        entries.insert(path.clone(), entry);
    }

    // Recipients, by identity (the keyring, or a public key).
    let identities = |o: Option<&Opened>| -> BTreeSet<Vec<u8>> {
        o.map(|o| o.doc.recipients.iter().map(|r| r.public.clone()).collect())
            .unwrap_or_default()
    };
    let (ro, rt, rb) = (
        identities(Some(&ours)),
        identities(Some(&theirs)),
        identities(base.as_ref()),
    );
    let same_keys = same(&ours, &theirs);
    let mut recipients = Vec::new();
    for id in ro.union(&rt) {
        let in_result = match (ro.contains(id), rt.contains(id)) {
            (true, true) => true,
            // Added on one side, or kept on one and removed on the other.
            // Without a base that cannot be told apart: a recipient on one
            // side only stays only if neither side rotated the data key (a
            // removal always rotates).
            (true, false) | (false, true) => match &base {
                Some(_) => !rb.contains(id),
                None => same_keys,
            },
            (false, false) => false,
        };
        if !in_result {
            continue;
        }
        let existing = |side: &Opened| -> Option<RecipientEntry> {
            side.doc
                .recipients
                .iter()
                .find(|r| &r.public == id)
                .cloned()
        };
        let entry = match (reuse_ours.then(|| existing(&ours)).flatten())
            .or_else(|| reuse_theirs.then(|| existing(&theirs)).flatten())
        {
            Some(entry) => entry,
            None if id.is_empty() => {
                let ring = opener.keyring().ok_or(Error::KeyringNeeded)?;
                wrap_for_keyring(ring, &file_id, data_key)?
            }
            None => {
                let kind = [&ours, &theirs]
                    .into_iter()
                    .find_map(existing)
                    .map(|r| r.kind)
                    .unwrap_or_default();
                wrap_for_entry(&kind, id, &file_id, data_key)?
            }
        };
        recipients.push(entry);
    }
    if recipients.is_empty() {
        return Err(Error::LastRecipient);
    }

    // Each side is a valid file, but together they may make a path both a
    // value and a table (ours adds `a`, theirs `a.b`): keep ours, and name
    // their path as a conflict.
    let clashing: Vec<String> = entries
        .keys()
        .filter(|p| !ours.doc.entries.contains_key(*p))
        .filter(|p| table_conflict(&entries, p).is_some())
        .cloned()
        .collect();
    for path in clashing {
        entries.remove(&path);
        conflicts.push(path);
    }
    conflicts.sort();
    conflicts.dedup();

    let mut doc = Document {
        file_id,
        generation: next_generation(ours.doc.generation.max(theirs.doc.generation))?,
        header_mac: [0; 32],
        mac: [0; 32],
        recipients,
        entries,
    };
    doc.seal_macs(keys.mac());
    Ok(Merged {
        text: doc.render(),
        conflicts,
    })
}

/// A side's value at a path: whether it is kept in clear, and the value.
type SideValue = Option<(bool, Zeroizing<Vec<u8>>)>;

fn value(side: &Opened, path: &str) -> Result<SideValue> {
    let in_clear = side.doc.entries.get(path).is_some_and(Entry::is_plain);
    match side.decrypt(path) {
        Ok(v) => Ok(Some((in_clear, v))),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn equal(a: &SideValue, b: &SideValue) -> bool {
    match (a, b) {
        (Some((a_clear, a)), Some((b_clear, b))) => a_clear == b_clear && hx_digest::ct_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}
