//! Stored hashes: every format read, parsed once, and written back.

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::{Error, Result, malformed};
use crate::params::{Argon2Variant, Params, Pbkdf2Prf};
use crate::pepper::PEPPER_ID_LEN;

/// The longest stored hash read, in bytes; longer text is refused before it
/// is parsed.
pub const MAX_STORED_LEN: usize = 512;
/// The shortest salt accepted in a stored hash, in bytes.
pub const MIN_SALT_LEN: usize = 8;
/// The longest salt accepted in a stored hash, in bytes.
pub const MAX_SALT_LEN: usize = 48;
/// The shortest hash output accepted in a stored hash, in bytes.
pub const MIN_OUTPUT_LEN: usize = 16;
/// The longest hash output accepted in a stored hash, in bytes.
pub const MAX_OUTPUT_LEN: usize = 64;

/// Argon2 version 1.3 (`v=19`), the only one written.
pub(crate) const ARGON2_V13: u32 = 0x13;
/// Argon2 version 1.0 (`v=16`, or no `v=` field), verified only.
pub(crate) const ARGON2_V10: u32 = 0x10;

/// The prefix that names the pepper of a peppered scrypt, PBKDF2 or bcrypt
/// hash.
const PEPPER_PREFIX: &str = "$hx-pepper$k=";

/// bcrypt's base64: its own alphabet, no padding, and canonical: spare low
/// bits in the last character are refused (pyca/bcrypt and OpenBSD compare
/// the whole re-encoded string, so such a string never verifies there).
const BCRYPT64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::BCRYPT,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Decodes bcrypt's base64.
pub(crate) fn bcrypt64_decode(text: &str) -> Result<Vec<u8>> {
    BCRYPT64
        .decode(text)
        .map_err(|_| malformed("bcrypt salt or hash is not bcrypt base64"))
}

/// The text form a stored hash is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (argon2-cffi,
    /// passlib), `$scrypt$ln=…,r=…,p=…$salt$hash` (passlib, RustCrypto),
    /// `$pbkdf2-sha256$i=…,l=…$salt$hash` (RustCrypto).
    Phc,
    /// bcrypt's modular crypt form, `$2b$12$…` (also `$2a$`, `$2y$`).
    Bcrypt,
    /// passlib's `$pbkdf2-sha256$rounds$salt$hash` (and `-sha512`), with
    /// its `.`-for-`+` base64.
    PasslibPbkdf2,
    /// Django's `pbkdf2_sha256$rounds$salt$hash`.
    DjangoPbkdf2,
    /// Django's `argon2$argon2id$…` (argon2-cffi's string after `argon2`).
    DjangoArgon2,
    /// Django's `bcrypt$$2b$…`.
    DjangoBcrypt,
    /// Django's `bcrypt_sha256$$2b$…`: bcrypt over the hex SHA-256 of the
    /// password.
    DjangoBcryptSha256,
    /// Django's `scrypt$N$salt$r$p$hash`.
    DjangoScrypt,
    /// Werkzeug's (Flask's) `pbkdf2:sha256:rounds$salt$hexhash`.
    WerkzeugPbkdf2,
    /// Werkzeug's (Flask's) `scrypt:N:r:p$salt$hexhash`.
    WerkzeugScrypt,
}

impl Format {
    /// A short name for messages (`"PHC string"`, `"Django pbkdf2"`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Phc => "PHC string",
            Self::Bcrypt => "bcrypt",
            Self::PasslibPbkdf2 => "passlib pbkdf2",
            Self::DjangoPbkdf2 => "Django pbkdf2",
            Self::DjangoArgon2 => "Django argon2",
            Self::DjangoBcrypt => "Django bcrypt",
            Self::DjangoBcryptSha256 => "Django bcrypt_sha256",
            Self::DjangoScrypt => "Django scrypt",
            Self::WerkzeugPbkdf2 => "Werkzeug pbkdf2",
            Self::WerkzeugScrypt => "Werkzeug scrypt",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A stored password hash, parsed once: its format, scheme and parameters,
/// salt and expected output.
///
/// Parsing checks the form only; [`Policy::verify`](crate::Policy::verify)
/// then checks the parameters against its [`Limits`](crate::Limits) before
/// any hashing. `Display` writes the hash back exactly as it was read (for
/// every string in its canonical form).
///
/// ```
/// use hx_password::{Algorithm, Format, Params, StoredHash};
/// let stored: StoredHash = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$\
///     Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0".parse()?;
/// assert_eq!(stored.format(), Format::Phc);
/// assert_eq!(stored.params().algorithm(), Algorithm::Argon2id);
/// assert!(matches!(stored.params(), Params::Argon2 { m_kib: 65536, t: 3, p: 4, .. }));
///
/// let django: StoredHash = "pbkdf2_sha256$870000$DsBc7pzvbUBM4aUw1Ey6t0$\
///     vYsK99QaVReBDfcRd5EAgd/S/GPfXEVcpyQkhYDP9F0=".parse()?;
/// assert_eq!(django.format(), Format::DjangoPbkdf2);
/// # Ok::<(), hx_password::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StoredHash {
    pub(crate) format: Format,
    pub(crate) params: Params,
    /// Argon2's version (0x10 or 0x13); 0 for the other schemes.
    pub(crate) argon2_version: u32,
    /// Whether the version was written (`v=16` is optional).
    pub(crate) argon2_version_written: bool,
    pub(crate) salt: Vec<u8>,
    pub(crate) hash: Vec<u8>,
    pub(crate) pepper_id: Option<[u8; PEPPER_ID_LEN]>,
    /// bcrypt's minor version letter (`a`, `b`, `y`), kept to write back.
    pub(crate) bcrypt_minor: u8,
}

impl StoredHash {
    /// A hash of a scheme other than Argon2 and bcrypt, without a pepper.
    fn plain(format: Format, params: Params, salt: Vec<u8>, hash: Vec<u8>) -> Self {
        Self {
            format,
            params,
            argon2_version: 0,
            argon2_version_written: false,
            salt,
            hash,
            pepper_id: None,
            bcrypt_minor: 0,
        }
    }

    /// Parses a stored hash in any [`Format`].
    ///
    /// # Errors
    /// [`Error::Malformed`] saying what is wrong; [`Error::Unsupported`] for
    /// a recognised scheme this crate does not verify.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_STORED_LEN {
            return Err(malformed("longer than 512 bytes"));
        }
        if let Some(rest) = text.strip_prefix(PEPPER_PREFIX) {
            return parse_peppered(rest);
        }
        if text.starts_with('$') {
            return parse_dollar(text);
        }
        let (head, rest) = text
            .split_once('$')
            .ok_or_else(|| malformed("not a known password hash format"))?;
        if let Some((method, args)) = head.split_once(':') {
            return parse_werkzeug(method, args, rest);
        }
        match head {
            "pbkdf2_sha256" => parse_django_pbkdf2(rest),
            "argon2" => {
                let mut stored = parse_phc(&format!("${rest}"))?;
                if !matches!(stored.params, Params::Argon2 { .. }) {
                    return Err(malformed("Django argon2 hash of another scheme"));
                }
                stored.format = Format::DjangoArgon2;
                Ok(stored)
            }
            "bcrypt" | "bcrypt_sha256" => {
                let mut stored = parse_bcrypt(rest)?;
                stored.format = if head == "bcrypt" {
                    Format::DjangoBcrypt
                } else {
                    Format::DjangoBcryptSha256
                };
                Ok(stored)
            }
            "scrypt" => parse_django_scrypt(rest),
            "pbkdf2_sha1" | "sha1" | "md5" | "unsalted_md5" | "unsalted_sha1" | "crypt" => Err(
                Error::Unsupported(format!("Django's {head} (too weak to verify)")),
            ),
            _ => Err(malformed("not a known password hash format")),
        }
    }

    /// The format the hash was read in.
    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    /// The scheme and its parameters.
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Whether a pepper was mixed in (and so is needed to verify).
    #[must_use]
    pub fn is_peppered(&self) -> bool {
        self.pepper_id.is_some()
    }

    /// The salt's length in bytes.
    #[must_use]
    pub fn salt_len(&self) -> usize {
        self.salt.len()
    }

    /// The hash output's length in bytes.
    #[must_use]
    pub fn output_len(&self) -> usize {
        self.hash.len()
    }

    /// Argon2's version: 19 (1.3) or 16 (1.0); `None` for other schemes.
    #[must_use]
    pub fn argon2_version(&self) -> Option<u32> {
        matches!(self.params, Params::Argon2 { .. }).then_some(self.argon2_version)
    }
}

impl FromStr for StoredHash {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // salt and output are not secrets, but a hash is what an attacker
        // cracks: keep it out of logs
        f.debug_struct("StoredHash")
            .field("format", &self.format)
            .field("params", &self.params)
            .field("peppered", &self.is_peppered())
            .finish_non_exhaustive()
    }
}

fn parse_peppered(rest: &str) -> Result<StoredHash> {
    let (id, inner) = rest
        .split_once('$')
        .ok_or_else(|| malformed("hx-pepper prefix without a hash"))?;
    let id = decode_pepper_id(id)?;
    let mut stored = parse_dollar(&format!("${inner}"))?;
    if matches!(stored.params, Params::Argon2 { .. }) || stored.pepper_id.is_some() {
        return Err(malformed(
            "hx-pepper prefix on an Argon2 hash (their pepper id is keyid)",
        ));
    }
    stored.pepper_id = Some(id);
    Ok(stored)
}

fn decode_pepper_id(b64: &str) -> Result<[u8; PEPPER_ID_LEN]> {
    let bytes = STANDARD_NO_PAD
        .decode(b64)
        .map_err(|_| malformed("pepper id is not B64"))?;
    bytes.try_into().map_err(|_| {
        Error::Unsupported("a key id that is not an hx pepper id (6 bytes)".to_owned())
    })
}

/// `$…` forms: bcrypt, passlib's PBKDF2, PHC strings.
fn parse_dollar(text: &str) -> Result<StoredHash> {
    if text.starts_with("$2") {
        return parse_bcrypt(text);
    }
    for (prefix, prf) in [
        ("$pbkdf2-sha256$", Pbkdf2Prf::Sha256),
        ("$pbkdf2-sha512$", Pbkdf2Prf::Sha512),
    ] {
        if let Some(rest) = text.strip_prefix(prefix)
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return parse_passlib_pbkdf2(prf, rest);
        }
    }
    let id = text[1..].split('$').next().unwrap_or_default();
    if let Some((_, name)) = OTHER_SCHEMES.iter().find(|(other, _)| *other == id) {
        return Err(Error::Unsupported((*name).to_owned()));
    }
    parse_phc(text)
}

/// `$id$` schemes recognised and refused by name.
const OTHER_SCHEMES: &[(&str, &str)] = &[
    ("1", "MD5-crypt ($1$)"),
    ("5", "SHA-256-crypt ($5$)"),
    ("6", "SHA-512-crypt ($6$)"),
    ("y", "yescrypt ($y$)"),
    ("7", "scrypt-crypt ($7$)"),
    ("pbkdf2", "passlib's PBKDF2-SHA1 ($pbkdf2$)"),
    ("pbkdf2-sha1", "PBKDF2-SHA1"),
    ("bcrypt-sha256", "passlib's bcrypt_sha256"),
    ("argon2ds", "Argon2ds"),
];

fn phc_error(err: phc::Error) -> Error {
    Error::Malformed(format!("PHC string: {err}"))
}

fn parse_phc(text: &str) -> Result<StoredHash> {
    let phc = phc::PasswordHash::new(text).map_err(phc_error)?;
    let salt = phc
        .salt
        .ok_or_else(|| malformed("PHC string without a salt"))?
        .as_ref()
        .to_vec();
    let hash = phc
        .hash
        .ok_or_else(|| malformed("PHC string without a hash"))?
        .as_bytes()
        .to_vec();
    check_lengths(&salt, &hash)?;
    let params = &phc.params;
    let decimal = |name: &'static str| -> Result<u32> {
        params
            .get(name)
            .ok_or_else(|| Error::Malformed(format!("PHC string without the {name} parameter")))?
            .decimal()
            .map_err(|_| Error::Malformed(format!("PHC parameter {name} is not a decimal")))
    };
    let allow_only = |names: &[&str]| -> Result<()> {
        for (name, _) in params.iter() {
            if !names.contains(&name.as_str()) {
                return Err(if name.as_str() == "data" {
                    Error::Unsupported("Argon2 associated data (data=)".to_owned())
                } else {
                    Error::Malformed(format!("unknown PHC parameter {}", name.as_str()))
                });
            }
        }
        Ok(())
    };
    let no_version = |what: &str| -> Result<()> {
        if phc.version.is_some() {
            return Err(Error::Malformed(format!(
                "{what} PHC string with a version"
            )));
        }
        Ok(())
    };
    let mut pepper_id = None;
    let mut argon2_version = 0;
    let argon2_version_written = phc.version.is_some();
    let params = match phc.algorithm.as_str() {
        id @ ("argon2id" | "argon2i" | "argon2d") => {
            allow_only(&["m", "t", "p", "keyid"])?;
            argon2_version = match phc.version {
                None | Some(16) => ARGON2_V10,
                Some(19) => ARGON2_V13,
                Some(_) => return Err(malformed("Argon2 version other than 16 or 19")),
            };
            if let Some(keyid) = params.get("keyid") {
                pepper_id = Some(decode_pepper_id(keyid.as_str())?);
            }
            let variant = match id {
                "argon2id" => Argon2Variant::Argon2id,
                "argon2i" => Argon2Variant::Argon2i,
                _ => Argon2Variant::Argon2d,
            };
            let (m_kib, t, p) = (decimal("m")?, decimal("t")?, decimal("p")?);
            if t == 0 || p == 0 || u64::from(m_kib) < 8 * u64::from(p) {
                return Err(malformed(
                    "Argon2 parameters out of range (t, p ≥ 1; m ≥ 8p)",
                ));
            }
            Params::Argon2 {
                variant,
                m_kib,
                t,
                p,
            }
        }
        "scrypt" => {
            no_version("scrypt")?;
            allow_only(&["ln", "r", "p"])?;
            let (ln, r, p) = (decimal("ln")?, decimal("r")?, decimal("p")?);
            scrypt_params(ln, r, p)?
        }
        id @ ("pbkdf2-sha256" | "pbkdf2-sha512") => {
            no_version("pbkdf2")?;
            allow_only(&["i", "l"])?;
            if let Some(l) = params.get("l")
                && l.decimal().ok() != u32::try_from(hash.len()).ok()
            {
                return Err(malformed("PBKDF2 length parameter l differs from the hash"));
            }
            let prf = if id == "pbkdf2-sha256" {
                Pbkdf2Prf::Sha256
            } else {
                Pbkdf2Prf::Sha512
            };
            // one HMAC block per round: the limits count rounds
            if hash.len() > prf.output_len() {
                return Err(malformed("PBKDF2 output longer than its hash's"));
            }
            pbkdf2_params(prf, decimal("i")?)?
        }
        other => return Err(Error::Unsupported(format!("PHC scheme {other}"))),
    };
    Ok(StoredHash {
        format: Format::Phc,
        params,
        argon2_version,
        argon2_version_written,
        salt,
        hash,
        pepper_id,
        bcrypt_minor: 0,
    })
}

fn scrypt_params(ln: u32, r: u32, p: u32) -> Result<Params> {
    if ln == 0 || r == 0 || p == 0 {
        return Err(malformed("scrypt parameters out of range (ln, r, p ≥ 1)"));
    }
    let log_n = u8::try_from(ln)
        .ok()
        .filter(|ln| *ln < 64)
        .ok_or_else(|| malformed("scrypt ln of 64 or more"))?;
    if !crate::params::scrypt_rp_in_range(r, p) {
        return Err(malformed("scrypt r·p of 2^30 or more"));
    }
    Ok(Params::Scrypt { log_n, r, p })
}

fn pbkdf2_params(prf: Pbkdf2Prf, rounds: u32) -> Result<Params> {
    if rounds == 0 {
        return Err(malformed("PBKDF2 with zero rounds"));
    }
    Ok(Params::Pbkdf2 { prf, rounds })
}

/// A format that fixes its output length (Django, Werkzeug, passlib).
fn check_output_len(hash: &[u8], len: usize, what: &str) -> Result<()> {
    if hash.len() != len {
        return Err(Error::Malformed(format!(
            "{what} hash output not {len} bytes"
        )));
    }
    Ok(())
}

fn check_lengths(salt: &[u8], hash: &[u8]) -> Result<()> {
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(malformed("salt not 8 to 48 bytes long"));
    }
    if !(MIN_OUTPUT_LEN..=MAX_OUTPUT_LEN).contains(&hash.len()) {
        return Err(malformed("hash output not 16 to 64 bytes long"));
    }
    Ok(())
}

/// A decimal with no sign, no leading zero and at most ten digits.
fn decimal(text: &str, what: &str) -> Result<u32> {
    let canonical = !text.is_empty()
        && text.len() <= 10
        && text.bytes().all(|b| b.is_ascii_digit())
        && !(text.len() > 1 && text.starts_with('0'));
    canonical
        .then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| Error::Malformed(format!("{what} is not a decimal number")))
}

/// A salt kept as text (Django, Werkzeug): printable ASCII without `$`.
fn text_salt(text: &str) -> Result<Vec<u8>> {
    if !text.bytes().all(|b| b.is_ascii_graphic() && b != b'$') {
        return Err(malformed(
            "salt holds characters other than printable ASCII",
        ));
    }
    Ok(text.as_bytes().to_vec())
}

fn fields<'a, const N: usize>(text: &'a str, what: &str) -> Result<[&'a str; N]> {
    let parts: Vec<&str> = text.split('$').collect();
    parts
        .try_into()
        .map_err(|_| Error::Malformed(format!("{what} without exactly {N} $-separated fields")))
}

fn parse_bcrypt(text: &str) -> Result<StoredHash> {
    let [empty, version, cost, rest] = fields::<4>(text, "bcrypt hash")?;
    if !empty.is_empty() {
        return Err(malformed("bcrypt hash not starting with $"));
    }
    let minor = match version {
        "2a" => b'a',
        "2b" => b'b',
        "2y" => b'y',
        "2x" => {
            return Err(Error::Unsupported(
                "bcrypt $2x$ (crypt_blowfish's buggy variant)".to_owned(),
            ));
        }
        "2" => return Err(Error::Unsupported("bcrypt $2$ (the original)".to_owned())),
        _ => return Err(malformed("not a bcrypt version ($2a$, $2b$, $2y$)")),
    };
    if cost.len() != 2 || !cost.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("bcrypt cost is not two digits"));
    }
    let cost: u32 = cost.parse().unwrap_or(0);
    if !(4..=31).contains(&cost) {
        return Err(malformed("bcrypt cost outside 4 to 31"));
    }
    if rest.len() != 53 || !rest.is_ascii() {
        return Err(malformed("bcrypt salt and hash not 53 characters"));
    }
    let (salt, hash) = rest.split_at(22);
    let salt = BCRYPT64
        .decode(salt)
        .map_err(|_| malformed("bcrypt salt is not bcrypt base64"))?;
    let hash = BCRYPT64
        .decode(hash)
        .map_err(|_| malformed("bcrypt hash is not bcrypt base64"))?;
    Ok(StoredHash {
        format: Format::Bcrypt,
        params: Params::Bcrypt { cost },
        argon2_version: 0,
        argon2_version_written: false,
        salt,
        hash,
        pepper_id: None,
        bcrypt_minor: minor,
    })
}

/// passlib's "adapted base64": `.` for `+`, no padding.
fn ab64_decode(text: &str, what: &str) -> Result<Vec<u8>> {
    if text.contains('+') {
        return Err(Error::Malformed(format!("{what} is not adapted base64")));
    }
    STANDARD_NO_PAD
        .decode(text.replace('.', "+"))
        .map_err(|_| Error::Malformed(format!("{what} is not adapted base64")))
}

fn ab64_encode(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes).replace('+', ".")
}

fn parse_passlib_pbkdf2(prf: Pbkdf2Prf, rest: &str) -> Result<StoredHash> {
    let [rounds, salt, hash] = fields::<3>(rest, "passlib pbkdf2 hash")?;
    let params = pbkdf2_params(prf, decimal(rounds, "passlib pbkdf2 rounds")?)?;
    let salt = ab64_decode(salt, "passlib pbkdf2 salt")?;
    let hash = ab64_decode(hash, "passlib pbkdf2 hash")?;
    check_lengths(&salt, &hash)?;
    check_output_len(&hash, prf.output_len(), "passlib pbkdf2")?;
    Ok(StoredHash::plain(Format::PasslibPbkdf2, params, salt, hash))
}

fn padded_base64(text: &str, what: &str) -> Result<Vec<u8>> {
    STANDARD
        .decode(text)
        .map_err(|_| Error::Malformed(format!("{what} is not padded base64")))
}

fn parse_django_pbkdf2(rest: &str) -> Result<StoredHash> {
    let [rounds, salt, hash] = fields::<3>(rest, "Django pbkdf2 hash")?;
    let params = pbkdf2_params(Pbkdf2Prf::Sha256, decimal(rounds, "Django pbkdf2 rounds")?)?;
    let salt = text_salt(salt)?;
    let hash = padded_base64(hash, "Django pbkdf2 hash")?;
    check_lengths(&salt, &hash)?;
    check_output_len(&hash, 32, "Django pbkdf2")?;
    Ok(StoredHash::plain(Format::DjangoPbkdf2, params, salt, hash))
}

/// N as written (a power of two) to log2(N).
fn log2_of(n: u32) -> Result<u32> {
    if n < 2 || !n.is_power_of_two() {
        return Err(malformed("scrypt N is not a power of two above 1"));
    }
    Ok(n.trailing_zeros())
}

fn parse_django_scrypt(rest: &str) -> Result<StoredHash> {
    let [n, salt, r, p, hash] = fields::<5>(rest, "Django scrypt hash")?;
    let ln = log2_of(decimal(n, "Django scrypt N")?)?;
    let params = scrypt_params(
        ln,
        decimal(r, "Django scrypt r")?,
        decimal(p, "Django scrypt p")?,
    )?;
    let salt = text_salt(salt)?;
    let hash = padded_base64(hash, "Django scrypt hash")?;
    check_lengths(&salt, &hash)?;
    check_output_len(&hash, 64, "Django scrypt")?;
    Ok(StoredHash::plain(Format::DjangoScrypt, params, salt, hash))
}

fn parse_werkzeug(method: &str, args: &str, rest: &str) -> Result<StoredHash> {
    let [salt, hash] = fields::<2>(rest, "Werkzeug hash")?;
    let (format, params) = match method {
        "pbkdf2" => {
            let (name, rounds) = args
                .split_once(':')
                .ok_or_else(|| malformed("Werkzeug pbkdf2 method without hash and rounds"))?;
            let prf = match name {
                "sha256" => Pbkdf2Prf::Sha256,
                "sha512" => Pbkdf2Prf::Sha512,
                "sha1" => return Err(Error::Unsupported("PBKDF2-SHA1".to_owned())),
                _ => return Err(Error::Unsupported("a Werkzeug pbkdf2 hash name".to_owned())),
            };
            (
                Format::WerkzeugPbkdf2,
                pbkdf2_params(prf, decimal(rounds, "Werkzeug pbkdf2 rounds")?)?,
            )
        }
        "scrypt" => {
            let [n, r, p] = args
                .split(':')
                .collect::<Vec<_>>()
                .try_into()
                .map_err(|_| malformed("Werkzeug scrypt method without N:r:p"))?;
            let ln = log2_of(decimal(n, "Werkzeug scrypt N")?)?;
            (
                Format::WerkzeugScrypt,
                scrypt_params(
                    ln,
                    decimal(r, "Werkzeug scrypt r")?,
                    decimal(p, "Werkzeug scrypt p")?,
                )?,
            )
        }
        _ => return Err(malformed("not a known Werkzeug method (pbkdf2, scrypt)")),
    };
    let salt = text_salt(salt)?;
    if hash.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(malformed("Werkzeug hash is not lower-case hex"));
    }
    let hash = hex::decode(hash).map_err(|_| malformed("Werkzeug hash is not hex"))?;
    check_lengths(&salt, &hash)?;
    // hashlib's default lengths, which Werkzeug uses
    let len = match params {
        Params::Pbkdf2 { prf, .. } => prf.output_len(),
        _ => 64,
    };
    check_output_len(&hash, len, "Werkzeug")?;
    Ok(StoredHash::plain(format, params, salt, hash))
}

impl fmt::Display for StoredHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = &self.pepper_id
            && !matches!(self.params, Params::Argon2 { .. })
        {
            write!(f, "{PEPPER_PREFIX}{}", STANDARD_NO_PAD.encode(id))?;
        }
        let salt_text = String::from_utf8_lossy(&self.salt);
        let b64 = |bytes: &[u8]| STANDARD_NO_PAD.encode(bytes);
        match (self.format, self.params) {
            (Format::DjangoBcrypt, _) => f.write_str("bcrypt$")?,
            (Format::DjangoBcryptSha256, _) => f.write_str("bcrypt_sha256$")?,
            (Format::DjangoArgon2, _) => f.write_str("argon2")?,
            _ => {}
        }
        match (self.format, self.params) {
            (
                Format::Phc | Format::DjangoArgon2,
                Params::Argon2 {
                    variant,
                    m_kib,
                    t,
                    p,
                },
            ) => {
                let name = match variant {
                    Argon2Variant::Argon2id => "argon2id",
                    Argon2Variant::Argon2i => "argon2i",
                    Argon2Variant::Argon2d => "argon2d",
                };
                write!(f, "${name}$")?;
                if self.argon2_version == ARGON2_V13 || self.argon2_version_written {
                    write!(f, "v={}$", self.argon2_version)?;
                }
                write!(f, "m={m_kib},t={t},p={p}")?;
                if let Some(id) = &self.pepper_id {
                    write!(f, ",keyid={}", b64(id))?;
                }
                write!(f, "${}${}", b64(&self.salt), b64(&self.hash))
            }
            (Format::Phc, Params::Scrypt { log_n, r, p }) => write!(
                f,
                "$scrypt$ln={log_n},r={r},p={p}${}${}",
                b64(&self.salt),
                b64(&self.hash)
            ),
            (Format::Phc, Params::Pbkdf2 { prf, rounds }) => write!(
                f,
                "$pbkdf2-{}$i={rounds},l={}${}${}",
                prf_name(prf),
                self.hash.len(),
                b64(&self.salt),
                b64(&self.hash)
            ),
            (
                Format::Bcrypt | Format::DjangoBcrypt | Format::DjangoBcryptSha256,
                Params::Bcrypt { cost },
            ) => write!(
                f,
                "$2{}${cost:02}${}{}",
                char::from(self.bcrypt_minor),
                BCRYPT64.encode(&self.salt),
                BCRYPT64.encode(&self.hash)
            ),
            (Format::PasslibPbkdf2, Params::Pbkdf2 { prf, rounds }) => write!(
                f,
                "$pbkdf2-{}${rounds}${}${}",
                prf_name(prf),
                ab64_encode(&self.salt),
                ab64_encode(&self.hash)
            ),
            (Format::DjangoPbkdf2, Params::Pbkdf2 { rounds, .. }) => write!(
                f,
                "pbkdf2_sha256${rounds}${salt_text}${}",
                STANDARD.encode(&self.hash)
            ),
            (Format::DjangoScrypt, Params::Scrypt { log_n, r, p }) => write!(
                f,
                "scrypt${}${salt_text}${r}${p}${}",
                1u64 << log_n,
                STANDARD.encode(&self.hash)
            ),
            (Format::WerkzeugPbkdf2, Params::Pbkdf2 { prf, rounds }) => write!(
                f,
                "pbkdf2:{}:{rounds}${salt_text}${}",
                match prf {
                    Pbkdf2Prf::Sha256 => "sha256",
                    Pbkdf2Prf::Sha512 => "sha512",
                },
                hex::encode(&self.hash)
            ),
            (Format::WerkzeugScrypt, Params::Scrypt { log_n, r, p }) => write!(
                f,
                "scrypt:{}:{r}:{p}${salt_text}${}",
                1u64 << log_n,
                hex::encode(&self.hash)
            ),
            // parsing never pairs a format with another scheme's parameters
            _ => Err(fmt::Error),
        }
    }
}

fn prf_name(prf: Pbkdf2Prf) -> &'static str {
    match prf {
        Pbkdf2Prf::Sha256 => "sha256",
        Pbkdf2Prf::Sha512 => "sha512",
    }
}
