//! The file format (docs/FORMAT.md): a TOML document whose entries are dotted
//! key paths with sealed values, settings kept in clear under the MAC in an
//! `[hx.plain]` table, and an `[hx]` header table with the file id,
//! generation, MACs and recipients. Parsing is lenient about layout (any
//! TOML with the same meaning is read); writing is canonical (entries sorted
//! by path, one per line, the header last), so an edit changes one entry line
//! and the header.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hx_digest::HmacKey;

use crate::path::{RESERVED_SEGMENT, is_segment, join, printable, table_conflict};
use crate::{Error, Result, Tamper, check_path};

/// The newest format version this build reads and writes. A file is written
/// as version 2 only when it holds values in clear
/// ([`crate::Config::set_plain`]); otherwise as version 1, which every
/// earlier build reads.
pub const FORMAT_VERSION: u64 = 2;

/// The version of files with sealed values only.
const SEALED_ONLY_VERSION: u64 = 1;

/// Largest document read, in bytes.
pub const MAX_DOCUMENT_LEN: usize = 64 << 20;

/// Largest value stored, in bytes.
pub const MAX_VALUE_LEN: usize = 1 << 20;

/// Most recipients on one file.
pub const MAX_RECIPIENTS: usize = 256;

const HEADER_MAC_LABEL: &[u8] = b"hx-config v1 header\0";
const ENTRIES_MAC_LABEL: &[u8] = b"hx-config v1 entries\0";
/// Version 2's entries MAC: each entry carries its kind, so a sealed value
/// cannot be passed off as one in clear, nor the other way round.
const ENTRIES_V2_MAC_LABEL: &[u8] = b"hx-config v2 entries\0";

/// The header table that holds the values kept in clear.
const PLAIN_TABLE: &str = "plain";

pub(crate) const KEYRING_TYPE: &str = "keyring";
/// The recipient type of age recipients (`age1…`, `age1pq1…`) and OpenSSH
/// public keys (`ssh-ed25519 …`, `ssh-rsa …`): `public` is the recipient's
/// text, `wrapped` an age file holding the wrap info and the data key.
pub(crate) const AGE_TYPE: &str = "age";

/// One way to open the file: the data key wrapped for a keyring or a public
/// key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecipientEntry {
    /// `keyring`, or the public key's algorithm (`x25519`, `xwing`, `rsa-2048`…).
    pub kind: String,
    /// SubjectPublicKeyInfo DER of a public-key recipient; empty for a keyring.
    pub public: Vec<u8>,
    /// The wrapped data key: an hx sealed token (text) for a keyring, HPKE or
    /// RSA-OAEP ciphertext for a public key.
    pub wrapped: Vec<u8>,
}

impl RecipientEntry {
    pub(crate) fn is_keyring(&self) -> bool {
        self.kind == KEYRING_TYPE
    }

    fn sort_key(&self) -> (bool, &[u8]) {
        (!self.is_keyring(), &self.public)
    }
}

/// One value of the file.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Sealed: nonce ‖ ciphertext ‖ tag.
    Sealed(Vec<u8>),
    /// In clear (a setting that is not a secret), authenticated by the MAC.
    Plain(String),
}

impl Entry {
    /// The kind byte of the version 2 entries MAC.
    fn kind(&self) -> u8 {
        match self {
            Self::Sealed(_) => 0,
            Self::Plain(_) => 1,
        }
    }

    /// The bytes the entries MAC covers.
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Sealed(sealed) => sealed,
            Self::Plain(text) => text.as_bytes(),
        }
    }

    pub(crate) fn is_plain(&self) -> bool {
        matches!(self, Self::Plain(_))
    }
}

impl core::fmt::Debug for Entry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Sealed(sealed) => write!(f, "Sealed({} bytes)", sealed.len()),
            Self::Plain(text) => write!(f, "Plain({} bytes)", text.len()),
        }
    }
}

/// A parsed document: everything in the file, nothing decrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Document {
    pub file_id: [u8; 16],
    pub generation: u64,
    pub header_mac: [u8; 32],
    pub mac: [u8; 32],
    pub recipients: Vec<RecipientEntry>,
    pub entries: BTreeMap<String, Entry>,
}

impl Document {
    /// The version the document is written as: 2 if it holds a value in
    /// clear, else 1.
    pub(crate) fn version(&self) -> u64 {
        if self.entries.values().any(Entry::is_plain) {
            FORMAT_VERSION
        } else {
            SEALED_ONLY_VERSION
        }
    }

    /// Sorts the recipients into their canonical order.
    pub(crate) fn normalize(&mut self) {
        self.recipients
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// The header MAC input: label ‖ file id ‖ generation ‖ recipients.
    fn header_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(HEADER_MAC_LABEL);
        out.extend_from_slice(&self.file_id);
        out.extend_from_slice(&self.generation.to_be_bytes());
        put_len(&mut out, self.recipients.len());
        for r in &self.recipients {
            put_field(&mut out, r.kind.as_bytes());
            put_field(&mut out, &r.public);
            put_field(&mut out, &r.wrapped);
        }
        out
    }

    /// Computes both MACs and stores them.
    pub(crate) fn seal_macs(&mut self, key: &HmacKey) {
        self.normalize();
        let (header, entries) = self.compute_macs(key);
        self.header_mac = header;
        self.mac = entries;
    }

    fn compute_macs(&self, key: &HmacKey) -> ([u8; 32], [u8; 32]) {
        let header = to32(key.sign(&self.header_bytes()).as_bytes());
        let with_kinds = self.version() == FORMAT_VERSION;
        let mut stream = key.start();
        stream.update(if with_kinds {
            ENTRIES_V2_MAC_LABEL
        } else {
            ENTRIES_MAC_LABEL
        });
        stream.update(&header);
        let mut buf = Vec::with_capacity(8);
        put_len(&mut buf, self.entries.len());
        stream.update(&buf);
        for (path, entry) in &self.entries {
            buf.clear();
            put_len(&mut buf, path.len());
            stream.update(&buf);
            stream.update(path.as_bytes());
            buf.clear();
            if with_kinds {
                buf.push(entry.kind());
            }
            put_len(&mut buf, entry.bytes().len());
            stream.update(&buf);
            stream.update(entry.bytes());
        }
        (header, to32(stream.finalize().as_bytes()))
    }

    /// Checks both MACs in constant time: the header first, then the entries.
    pub(crate) fn verify_macs(&self, key: &HmacKey) -> core::result::Result<(), Tamper> {
        let (header, entries) = self.compute_macs(key);
        if !hx_digest::ct_eq(&header, &self.header_mac) {
            return Err(Tamper::Header);
        }
        if !hx_digest::ct_eq(&entries, &self.mac) {
            return Err(Tamper::Entries);
        }
        Ok(())
    }

    /// The canonical text of the document.
    pub(crate) fn render(&self) -> String {
        let mut sorted = self.recipients.clone();
        sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut out = String::with_capacity(
            256 + self
                .entries
                .iter()
                .map(|(p, v)| p.len() + v.bytes().len() * 4 / 3 + 8)
                .sum::<usize>(),
        );
        out.push_str(
            "# hx encrypted config (docs/FORMAT.md): key paths are readable, values are sealed.\n\
             # Edit with `hx config set|rm`; merge with `hx config merge` (see docs/CONFIG.md).\n",
        );
        for (path, entry) in &self.entries {
            if let Entry::Sealed(sealed) = entry {
                out.push_str(path);
                out.push_str(" = \"");
                URL_SAFE_NO_PAD.encode_string(sealed, &mut out);
                out.push_str("\"\n");
            }
        }
        let version = self.version();
        if version == FORMAT_VERSION {
            out.push_str(
                "\n# Not secret: in clear, but under the MAC (`hx config set --plain`).\n",
            );
            out.push_str("[hx.plain]\n");
            for (path, entry) in &self.entries {
                if let Entry::Plain(text) = entry {
                    out.push_str(path);
                    out.push_str(" = ");
                    push_basic_string(&mut out, text);
                    out.push('\n');
                }
            }
        }
        let _ = write!(
            out,
            "\n[hx]\nversion = {version}\nfile = \"{}\"\ngeneration = {}\nheader_mac = \"{}\"\nmac = \"{}\"\n",
            URL_SAFE_NO_PAD.encode(self.file_id),
            self.generation,
            URL_SAFE_NO_PAD.encode(self.header_mac),
            URL_SAFE_NO_PAD.encode(self.mac),
        );
        for r in &sorted {
            let _ = write!(out, "\n[[hx.recipient]]\ntype = \"{}\"\n", r.kind);
            if !r.is_keyring() {
                let _ = writeln!(out, "public = \"{}\"", URL_SAFE_NO_PAD.encode(&r.public));
            }
            if r.is_keyring() {
                // The token is already text (`hx1.` + base64url).
                let _ = writeln!(out, "wrapped = \"{}\"", String::from_utf8_lossy(&r.wrapped));
            } else {
                let _ = writeln!(out, "wrapped = \"{}\"", URL_SAFE_NO_PAD.encode(&r.wrapped));
            }
        }
        out
    }

    /// Parses a document (no key needed; nothing is authenticated yet).
    pub(crate) fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_DOCUMENT_LEN {
            return Err(Error::TooLarge("the document"));
        }
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        let mut entries = BTreeMap::new();
        let mut header = None;
        for (key, value) in table {
            if key == RESERVED_SEGMENT {
                header = Some(value);
            } else {
                flatten("", &key, value, Kind::Sealed, &mut entries)?;
            }
        }
        let header = match header {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err(parse_error("`hx` must be a table")),
            None => return Err(parse_error("no [hx] header table")),
        };
        parse_header(header, entries)
    }
}

fn parse_header(mut h: toml::Table, mut entries: BTreeMap<String, Entry>) -> Result<Document> {
    let version = take_int(&mut h, "version")?;
    if version != SEALED_ONLY_VERSION && version != FORMAT_VERSION {
        return Err(parse_error(format!(
            "format version {version}; this build reads versions {SEALED_ONLY_VERSION} and \
             {FORMAT_VERSION}"
        )));
    }
    if version == FORMAT_VERSION {
        let plain = match h.remove(PLAIN_TABLE) {
            Some(toml::Value::Table(t)) => t,
            _ => {
                return Err(parse_error(
                    "a version 2 file holds its values in clear in an [hx.plain] table",
                ));
            }
        };
        // into the same map: a path both sealed and in clear is a duplicate
        for (key, value) in plain {
            flatten("", &key, value, Kind::Plain, &mut entries)?;
        }
        // `a` sealed and `a.b` in clear: TOML does not see it, paths must.
        if let Some((path, existing)) = entries
            .keys()
            .find_map(|p| table_conflict(&entries, p).map(|e| (p, e)))
        {
            return Err(parse_error(format!(
                "`{}` is both a value and a table (`{}`)",
                printable(path),
                printable(existing)
            )));
        }
    }
    let file_id = take_fixed::<16>(&mut h, "file")?;
    let generation = take_int(&mut h, "generation")?;
    let header_mac = take_fixed::<32>(&mut h, "header_mac")?;
    let mac = take_fixed::<32>(&mut h, "mac")?;
    let recipients = match h.remove("recipient") {
        Some(toml::Value::Array(items)) => items,
        Some(_) => return Err(parse_error("`hx.recipient` must be an array of tables")),
        None => return Err(parse_error("no [[hx.recipient]]: nobody can open the file")),
    };
    if let Some(key) = h.keys().next() {
        return Err(parse_error(format!("unknown header field `hx.{key}`")));
    }
    if recipients.is_empty() {
        return Err(parse_error("no [[hx.recipient]]: nobody can open the file"));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(Error::TooLarge("the recipient list"));
    }
    let recipients = recipients
        .into_iter()
        .map(parse_recipient)
        .collect::<Result<Vec<_>>>()?;
    if recipients.iter().filter(|r| r.is_keyring()).count() > 1 {
        return Err(parse_error("more than one keyring recipient"));
    }
    let mut doc = Document {
        file_id,
        generation,
        header_mac,
        mac,
        recipients,
        entries,
    };
    // One spelling per file, and the version the MAC binds: version 2
    // exactly when values are in clear (an [hx.plain] table of empty tables
    // holds none).
    if doc.version() != version {
        return Err(parse_error(
            "a version 2 file without values in [hx.plain] (a version 1 file has none)",
        ));
    }
    doc.normalize();
    if doc
        .recipients
        .windows(2)
        .any(|w| w[0].public == w[1].public)
    {
        return Err(parse_error("a recipient appears twice"));
    }
    Ok(doc)
}

fn parse_recipient(value: toml::Value) -> Result<RecipientEntry> {
    let toml::Value::Table(mut t) = value else {
        return Err(parse_error("`hx.recipient` must be an array of tables"));
    };
    let kind = match t.remove("type") {
        Some(toml::Value::String(s)) if is_kind(&s) => s,
        Some(_) => {
            return Err(parse_error(
                "recipient `type` is `keyring`, `age`, `x25519`, `xwing` or `rsa-<bits>`",
            ));
        }
        None => return Err(parse_error("recipient without `type`")),
    };
    let (public, wrapped) = if kind == KEYRING_TYPE {
        match t.remove("wrapped") {
            // Only the characters of a token, so the canonical text (which
            // writes it as a TOML basic string, unescaped) reads back.
            Some(toml::Value::String(s))
                if s.strip_prefix(hx_aead::TOKEN_PREFIX).is_some_and(|body| {
                    body.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                }) =>
            {
                (Vec::new(), s.into_bytes())
            }
            _ => return Err(parse_error("keyring recipient: `wrapped` is an hx1. token")),
        }
    } else {
        (
            take_b64(&mut t, "public", "hx.recipient.public")?,
            take_b64(&mut t, "wrapped", "hx.recipient.wrapped")?,
        )
    };
    if let Some(key) = t.keys().next() {
        return Err(parse_error(format!("unknown recipient field `{key}`")));
    }
    if kind == AGE_TYPE
        && crate::recipient::canonical_age_recipient(&public).as_deref() != Some(&public[..])
    {
        return Err(parse_error(
            "age recipient: `public` is an age recipient or OpenSSH public key, canonical",
        ));
    }
    Ok(RecipientEntry {
        kind,
        public,
        wrapped,
    })
}

/// `keyring`, `x25519`, `xwing`, or `rsa-<bits>` with the canonical decimal
/// size hx accepts for RSA keys (2048 to 8192).
fn is_kind(s: &str) -> bool {
    matches!(s, "keyring" | "age" | "x25519" | "xwing")
        || s.strip_prefix("rsa-").is_some_and(|bits| {
            bits.parse::<usize>()
                .is_ok_and(|b| (2048..=8192).contains(&b) && b.to_string() == bits)
        })
}

/// Which table [`flatten`] reads: the sealed values at the top level, or
/// the values in clear of `[hx.plain]`.
#[derive(Clone, Copy)]
enum Kind {
    Sealed,
    Plain,
}

/// Adds the entries of one TOML key to `out`. Every TOML key must be one
/// path segment (a quoted key containing `.` is refused), so each path has
/// exactly one spelling and TOML's own duplicate-key rule covers paths.
fn flatten(
    prefix: &str,
    key: &str,
    value: toml::Value,
    kind: Kind,
    out: &mut BTreeMap<String, Entry>,
) -> Result<()> {
    if !is_segment(key) {
        return Err(parse_error(format!(
            "the key `{}` is not a path segment (A-Z a-z 0-9 _ -)",
            printable(key)
        )));
    }
    let path = join(prefix, key);
    match value {
        toml::Value::String(text) => {
            check_path(&path)?;
            let entry = match kind {
                Kind::Plain => plain_entry(&path, text)?,
                Kind::Sealed => sealed_entry(&path, &text)?,
            };
            if out.contains_key(&path) {
                return Err(Error::Tampered(Tamper::Duplicate(path)));
            }
            out.insert(path, entry);
            Ok(())
        }
        toml::Value::Table(table) => {
            if path.split('.').count() >= crate::path::MAX_PATH_DEPTH {
                return Err(parse_error(format!(
                    "`{}` is nested too deeply",
                    printable(&path)
                )));
            }
            for (inner, value) in table {
                flatten(&path, &inner, value, kind, out)?;
            }
            Ok(())
        }
        _ => Err(parse_error(format!(
            "the value at `{}` is not a {} string",
            printable(&path),
            match kind {
                Kind::Sealed => "sealed",
                Kind::Plain => "TOML",
            }
        ))),
    }
}

/// A value in clear of `[hx.plain]`, at most [`MAX_VALUE_LEN`] bytes.
fn plain_entry(path: &str, text: String) -> Result<Entry> {
    if text.len() > MAX_VALUE_LEN {
        return Err(parse_error(format!(
            "the value at `{}` is larger than 1 MiB",
            printable(path)
        )));
    }
    Ok(Entry::Plain(text))
}

/// A sealed value: base64url of nonce ‖ ciphertext ‖ tag, with a
/// ciphertext of at most [`MAX_VALUE_LEN`] bytes.
fn sealed_entry(path: &str, text: &str) -> Result<Entry> {
    let sealed = URL_SAFE_NO_PAD.decode(text.as_bytes()).map_err(|_| {
        parse_error(format!(
            "the value at `{}` is not a sealed value (base64url)",
            printable(path)
        ))
    })?;
    let overhead = crate::crypto::NONCE_LEN + crate::crypto::TAG_LEN;
    if sealed.len() < overhead || sealed.len() > MAX_VALUE_LEN + overhead {
        return Err(parse_error(format!(
            "the value at `{}` has the wrong length for a sealed value",
            printable(path)
        )));
    }
    Ok(Entry::Sealed(sealed))
}

/// Writes `text` as a TOML basic string, one way only: `"` and `\` escaped
/// as `\"` and `\\`, the controls TOML names by letter as `\b \t \n \f \r`,
/// every other ASCII control (U+0000–U+001F, U+007F) as `\uXXXX`, the rest
/// as it is.
fn push_basic_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && (c as u32) < 0x80 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn take_int(h: &mut toml::Table, key: &str) -> Result<u64> {
    match h.remove(key) {
        // TOML integers are i64: 1 ..= 2^63 - 1.
        Some(toml::Value::Integer(i)) => u64::try_from(i)
            .ok()
            .filter(|&i| i > 0)
            .ok_or_else(|| parse_error(format!("`hx.{key}` must be a positive integer"))),
        _ => Err(parse_error(format!("`hx.{key}` missing or not an integer"))),
    }
}

fn take_b64(h: &mut toml::Table, key: &str, label: &str) -> Result<Vec<u8>> {
    match h.remove(key) {
        Some(toml::Value::String(s)) => URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .map_err(|_| parse_error(format!("`{label}` is not base64url"))),
        _ => Err(parse_error(format!("`{label}` missing or not a string"))),
    }
}

fn take_fixed<const N: usize>(h: &mut toml::Table, key: &str) -> Result<[u8; N]> {
    take_b64(h, key, &format!("hx.{key}"))?
        .try_into()
        .map_err(|_| parse_error(format!("`hx.{key}` must be {N} bytes")))
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // Lengths are bounded by MAX_DOCUMENT_LEN, far below u32::MAX.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn to32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes[..32]);
    out
}

fn parse_error(reason: impl Into<String>) -> Error {
    Error::Parse {
        line: None,
        reason: reason.into(),
    }
}

/// A TOML syntax error with its line; a duplicated key is reported as
/// tampering with the key path of the offending line.
fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let line_start = e.span().map(|span| {
        let before = text.get(..span.start).unwrap_or_default();
        before.rfind('\n').map_or(0, |i| i + 1)
    });
    let line = e.span().map(|span| {
        text.get(..span.start)
            .unwrap_or_default()
            .matches('\n')
            .count()
            + 1
    });
    if e.message().contains("duplicate key")
        && let Some(start) = line_start
    {
        let rest = text.get(start..).unwrap_or_default();
        let key = rest.split(['=', '\n']).next().unwrap_or("").trim();
        if check_path(key).is_ok() {
            return Error::Tampered(Tamper::Duplicate(key.to_owned()));
        }
    }
    // toml's message can quote the input; keep only its first line, which
    // names the problem, and cut it short.
    let reason: String = e
        .message()
        .lines()
        .next()
        .unwrap_or("syntax error")
        .chars()
        .take(120)
        .collect();
    Error::Parse { line, reason }
}
