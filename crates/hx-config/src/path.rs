//! Key paths: dotted names such as `database.password`.

use crate::{Error, Result};

/// The first segment reserved for the file's own header table.
pub const RESERVED_SEGMENT: &str = "hx";

/// Longest key path accepted, in bytes.
pub const MAX_PATH_LEN: usize = 512;

/// Most segments in a key path.
pub const MAX_PATH_DEPTH: usize = 16;

/// Checks a key path: one to [`MAX_PATH_DEPTH`] segments separated by `.`,
/// each a non-empty run of ASCII letters, digits, `_` and `-` (a TOML bare
/// key), and a first segment other than `hx`.
///
/// ```
/// assert!(hx_config::check_path("database.password").is_ok());
/// assert!(hx_config::check_path("database..password").is_err());
/// assert!(hx_config::check_path("hx.version").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidPath`] saying which rule the path breaks.
pub fn check_path(path: &str) -> Result<()> {
    let fail = |reason| {
        Err(Error::InvalidPath {
            path: printable(path),
            reason,
        })
    };
    if path.is_empty() {
        return fail("empty");
    }
    if path.len() > MAX_PATH_LEN {
        return fail("longer than 512 bytes");
    }
    let mut depth = 0;
    for segment in path.split('.') {
        depth += 1;
        if segment.is_empty() {
            return fail("empty segment (leading, trailing or doubled `.`)");
        }
        if !is_segment(segment) {
            return fail("segments are made of ASCII letters, digits, `_` and `-`");
        }
    }
    if depth > MAX_PATH_DEPTH {
        return fail("more than 16 segments");
    }
    if path.split('.').next() == Some(RESERVED_SEGMENT) {
        return fail("the first segment `hx` is reserved for the file header");
    }
    Ok(())
}

/// Whether `segment` is one path segment: a non-empty TOML bare key
/// (`A-Z a-z 0-9 _ -`).
pub(crate) fn is_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `prefix.segment`, or `segment` at the top.
pub(crate) fn join(prefix: &str, segment: &str) -> String {
    if prefix.is_empty() {
        segment.to_owned()
    } else {
        format!("{prefix}.{segment}")
    }
}

/// The environment variable name of a key path, as `hx config exec` sets it:
/// upper case, with `.` and `-` turned into `_` (`database.password` →
/// `DATABASE_PASSWORD`).
///
/// ```
/// assert_eq!(hx_config::env_name("stripe.api-key"), "STRIPE_API_KEY");
/// ```
#[must_use]
pub fn env_name(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'.' | b'-' => '_',
            b => char::from(b.to_ascii_uppercase()),
        })
        .collect()
}

/// The key path an override variable names: `HX__DATABASE__PASSWORD` →
/// `database.password` (prefix `HX__`, segments separated by `__`, lower
/// case). `None` for other variables.
///
/// ```
/// assert_eq!(
///     hx_config::override_path("HX__DATABASE__PASSWORD").as_deref(),
///     Some("database.password")
/// );
/// assert_eq!(hx_config::override_path("HOME"), None);
/// ```
#[must_use]
pub fn override_path(var: &str) -> Option<String> {
    let path = override_path_as_written(var)?.to_ascii_lowercase();
    check_path(&path).ok().map(|()| path)
}

/// The key path an override variable names, in the case it is written
/// (`HX__API_KEY` → `API_KEY`); `None` for other variables or invalid paths.
fn override_path_as_written(var: &str) -> Option<String> {
    let rest = var.strip_prefix("HX__")?;
    let path = rest.split("__").collect::<Vec<_>>().join(".");
    check_path(&path).ok().map(|()| path)
}

/// The key an override variable sets among `existing` keys: the key spelled
/// as the variable spells it, else the one key equal to it ignoring case
/// (so `HX__API_KEY` overrides a key written `API_KEY` or `Api_Key`), else
/// the lower-case [`override_path`]. `None` for other variables.
///
/// ```
/// let keys = ["API_KEY", "database.password"];
/// assert_eq!(hx_config::override_target("HX__API_KEY", keys).as_deref(), Some("API_KEY"));
/// assert_eq!(
///     hx_config::override_target("HX__DATABASE__PASSWORD", keys).as_deref(),
///     Some("database.password")
/// );
/// assert_eq!(hx_config::override_target("HX__NEW__KEY", keys).as_deref(), Some("new.key"));
/// ```
#[must_use]
pub fn override_target<'k>(
    var: &str,
    existing: impl IntoIterator<Item = &'k str>,
) -> Option<String> {
    let written = override_path_as_written(var)?;
    let mut exact = false;
    let mut folded = Vec::new();
    for key in existing {
        if key == written {
            exact = true;
        } else if key.eq_ignore_ascii_case(&written) {
            folded.push(key);
        }
    }
    if exact {
        return Some(written);
    }
    match folded.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => override_path(var),
    }
}

/// An existing path that makes `path` both a value and a table: a value at a
/// table above it (`a` for `a.b`) or a value below it (`a.b` for `a`).
pub(crate) fn table_conflict<'m, V>(
    map: &'m std::collections::BTreeMap<String, V>,
    path: &str,
) -> Option<&'m str> {
    let above = path
        .match_indices('.')
        .find_map(|(i, _)| map.get_key_value(&path[..i]).map(|(k, _)| k.as_str()));
    // Paths below `path` are exactly those in [path + ".", path + "/"):
    // `/` is the byte after `.`.
    above.or_else(|| {
        map.range(format!("{path}.")..format!("{path}/"))
            .next()
            .map(|(k, _)| k.as_str())
    })
}

/// A path for an error message: invalid paths are cut and escaped so that a
/// pasted value cannot flood or forge the message.
pub(crate) fn printable(path: &str) -> String {
    let mut out: String = path
        .chars()
        .take(64)
        .flat_map(char::escape_default)
        .collect();
    if path.chars().count() > 64 {
        out.push('…');
    }
    out
}
