//! The age header: the version line, recipient stanzas and the MAC line,
//! read strictly by the specification's ABNF and written canonically.
//!
//! ```text
//! age-encryption.org/v1
//! -> X25519 XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE
//! qRS0AMjdjPvZ/WT08U2KL4G+PIooA3hy38SvLpvaC1E
//! --- HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s
//! ```

use std::io::BufRead;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::{Error, Result};

/// The version line of the one format version this crate reads and writes.
pub const VERSION_LINE: &str = "age-encryption.org/v1";
/// The prefix every age version line starts with.
const VERSION_PREFIX: &[u8] = b"age-encryption.org/";
/// Characters of a full body line.
const BODY_COLUMNS: usize = 64;
/// Most bytes a header may have: thousands of post-quantum stanzas fit.
pub const MAX_HEADER_LEN: usize = 16 * 1024 * 1024;
/// Most stanzas a header may have.
pub const MAX_STANZAS: usize = 65_536;

/// One recipient stanza: its arguments (the first names its type) and its
/// body.
///
/// ```
/// use hx_age::Stanza;
/// let stanza = Stanza::new(vec!["X25519".into(), "AAAA".into()], vec![1; 32])?;
/// assert_eq!(stanza.tag(), "X25519");
/// # Ok::<(), hx_age::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stanza {
    args: Vec<String>,
    body: Vec<u8>,
}

impl Stanza {
    /// A stanza with these arguments (at least one, each non-empty visible
    /// ASCII) and body.
    ///
    /// # Errors
    /// [`Error::InvalidHeader`] if an argument is not allowed.
    pub fn new(args: Vec<String>, body: Vec<u8>) -> Result<Self> {
        if args.is_empty() || !args.iter().all(|a| valid_argument(a.as_bytes())) {
            return Err(Error::InvalidHeader("stanza argument"));
        }
        Ok(Self { args, body })
    }

    /// The first argument: the stanza's type (`X25519`, `scrypt`, …).
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.args[0]
    }

    /// The arguments after the type.
    #[must_use]
    pub fn args(&self) -> &[String] {
        &self.args[1..]
    }

    /// The decoded body.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"->");
        for arg in &self.args {
            out.push(b' ');
            out.extend_from_slice(arg.as_bytes());
        }
        out.push(b'\n');
        let body = STANDARD_NO_PAD.encode(&self.body);
        let mut lines = body.as_bytes().chunks(BODY_COLUMNS);
        let mut last_len = 0;
        for line in &mut lines {
            out.extend_from_slice(line);
            out.push(b'\n');
            last_len = line.len();
        }
        // A body ends with a line shorter than 64 columns, which may be empty.
        if last_len == BODY_COLUMNS || body.is_empty() {
            out.push(b'\n');
        }
    }
}

fn valid_argument(arg: &[u8]) -> bool {
    !arg.is_empty() && arg.iter().all(|c| (0x21..=0x7e).contains(c))
}

/// A parsed header: its stanzas, its MAC, and the bytes the MAC covers.
#[derive(Clone, Debug)]
pub struct Header {
    stanzas: Vec<Stanza>,
    mac: [u8; 32],
    /// The header up to and including `---`.
    authenticated: Vec<u8>,
}

impl Header {
    /// The header's stanzas, in order.
    #[must_use]
    pub fn stanzas(&self) -> &[Stanza] {
        &self.stanzas
    }

    /// The MAC the header carries.
    #[must_use]
    pub fn mac(&self) -> &[u8; 32] {
        &self.mac
    }

    /// The bytes the MAC covers: the header up to and including `---`.
    #[must_use]
    pub fn authenticated_bytes(&self) -> &[u8] {
        &self.authenticated
    }

    /// The header's encoding, as it was read (the canonical one: reading
    /// accepts nothing else).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.authenticated, &self.mac)
    }

    /// Reads a header from `input`, leaving it at the first payload byte.
    ///
    /// # Errors
    /// [`Error::UnsupportedVersion`] for another format version,
    /// [`Error::InvalidHeader`] for anything the ABNF does not allow (it
    /// names the part, never the content), [`Error::Io`] if reading fails.
    pub fn read(input: &mut impl BufRead) -> Result<Self> {
        let mut reader = Lines {
            input,
            read: 0,
            authenticated: Vec::new(),
        };
        let version = reader.line()?;
        if version != VERSION_LINE.as_bytes() {
            return Err(if version.starts_with(VERSION_PREFIX) {
                Error::UnsupportedVersion
            } else {
                Error::InvalidHeader("not an age file (no version line)")
            });
        }
        let mut stanzas = Vec::new();
        loop {
            let line = reader.line()?;
            if let Some(rest) = line.strip_prefix(b"---") {
                let Some(mac) = rest.strip_prefix(b" ") else {
                    return Err(Error::InvalidHeader("MAC line"));
                };
                let mac = decode_exact::<32>(mac).ok_or(Error::InvalidHeader("MAC line"))?;
                if stanzas.is_empty() {
                    return Err(Error::InvalidHeader("no recipient stanza"));
                }
                // The MAC covers the header up to `---`, not the space after.
                let covered = reader.authenticated.len() - line.len() - 1 + 3;
                reader.authenticated.truncate(covered);
                return Ok(Self {
                    stanzas,
                    mac,
                    authenticated: reader.authenticated,
                });
            }
            let Some(args) = line.strip_prefix(b"-> ") else {
                return Err(Error::InvalidHeader("expected a stanza or the MAC line"));
            };
            let args: Vec<String> = args
                .split(|&c| c == b' ')
                .map(|a| {
                    valid_argument(a)
                        .then(|| String::from_utf8_lossy(a).into_owned())
                        .ok_or(Error::InvalidHeader("stanza argument"))
                })
                .collect::<Result<_>>()?;
            let mut body = String::new();
            loop {
                let line = reader.line()?;
                if line.len() > BODY_COLUMNS {
                    return Err(Error::InvalidHeader("stanza body line longer than 64"));
                }
                if !line
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
                {
                    return Err(Error::InvalidHeader("stanza body is not base64"));
                }
                body.push_str(&String::from_utf8_lossy(&line));
                if line.len() < BODY_COLUMNS {
                    break;
                }
            }
            let body = STANDARD_NO_PAD
                .decode(&body)
                .map_err(|_| Error::InvalidHeader("stanza body is not canonical base64"))?;
            if stanzas.len() == MAX_STANZAS {
                return Err(Error::InvalidHeader("more than 65,536 stanzas"));
            }
            stanzas.push(Stanza { args, body });
        }
    }

    /// A header of `stanzas` whose MAC `mac_of` computes over the
    /// authenticated bytes.
    pub(crate) fn seal(
        stanzas: Vec<Stanza>,
        mac_of: impl FnOnce(&[u8]) -> Result<[u8; 32]>,
    ) -> Result<Self> {
        let mut authenticated = Vec::new();
        authenticated.extend_from_slice(VERSION_LINE.as_bytes());
        authenticated.push(b'\n');
        for stanza in &stanzas {
            stanza.write(&mut authenticated);
        }
        authenticated.extend_from_slice(b"---");
        let mac = mac_of(&authenticated)?;
        Ok(Self {
            stanzas,
            mac,
            authenticated,
        })
    }
}

fn encode(authenticated: &[u8], mac: &[u8; 32]) -> Vec<u8> {
    let mut out = authenticated.to_vec();
    out.push(b' ');
    out.extend_from_slice(STANDARD_NO_PAD.encode(mac).as_bytes());
    out.push(b'\n');
    out
}

/// Canonical unpadded base64 of exactly `N` bytes.
pub(crate) fn decode_exact<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    STANDARD_NO_PAD.decode(text).ok()?.try_into().ok()
}

/// Canonical unpadded base64 of an argument.
pub(crate) fn decode_arg(text: &str) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(text).ok()
}

/// Unpadded base64, as arguments and bodies are written.
pub(crate) fn encode_arg(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// Reads LF-terminated lines, keeping every byte for the MAC, bounded.
struct Lines<'a, R> {
    input: &'a mut R,
    read: usize,
    authenticated: Vec<u8>,
}

impl<R: BufRead> Lines<'_, R> {
    /// The next line without its LF; a line without one is an error (the
    /// header always ends with an LF).
    fn line(&mut self) -> Result<Vec<u8>> {
        let mut line = Vec::new();
        loop {
            let buf = self.input.fill_buf().map_err(Error::from)?;
            if buf.is_empty() {
                return Err(Error::InvalidHeader("the header is cut short"));
            }
            let (take, done) = match buf.iter().position(|&c| c == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if self.read + take > MAX_HEADER_LEN {
                return Err(Error::InvalidHeader("header larger than 16 MiB"));
            }
            line.extend_from_slice(&buf[..take]);
            self.input.consume(take);
            self.read += take;
            if done {
                self.authenticated.extend_from_slice(&line);
                line.pop();
                return Ok(line);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_written_header_reads_back() {
        let stanzas = vec![
            Stanza::new(vec!["a".into()], vec![]).unwrap(),
            Stanza::new(vec!["b".into(), "c".into()], vec![7; 48]).unwrap(),
            Stanza::new(vec!["d".into()], vec![9; 100]).unwrap(),
        ];
        let header = Header::seal(stanzas.clone(), |_| Ok([5; 32])).unwrap();
        let bytes = header.to_bytes();
        let mut input = &bytes[..];
        let again = Header::read(&mut input).unwrap();
        assert!(input.is_empty());
        assert_eq!(again.stanzas(), &stanzas[..]);
        assert_eq!(again.to_bytes(), bytes);
        assert_eq!(again.mac(), &[5; 32]);
    }
}
