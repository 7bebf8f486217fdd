//! The policy: how new hashes are made, which stored ones are accepted, and
//! when a stored one should be replaced.

use hx_digest::{Algorithm as DigestAlgorithm, ct_eq};
use zeroize::Zeroizing;

use crate::error::{Error, Result, malformed};
use crate::hazmat;
use crate::params::{Algorithm, Limits, Params};
use crate::pepper::Pepper;
use crate::stored::{ARGON2_V13, Format, StoredHash};

/// The longest password accepted, in bytes (as Django's limit): a bound on
/// the work one login can ask for.
pub const MAX_PASSWORD_LEN: usize = 4096;
/// The salt length of new hashes, in bytes (from the operating system).
pub const SALT_LEN: usize = 16;
/// The output length of new Argon2 and scrypt hashes, in bytes.
pub const OUTPUT_LEN: usize = 32;
/// bcrypt's output length, in bytes.
const BCRYPT_OUTPUT_LEN: usize = 23;

/// How passwords are hashed and verified.
///
/// New hashes use [`Policy::params`] (Argon2id at RFC 9106's second
/// recommendation by default) with a fresh 16-byte salt from the operating
/// system. Stored hashes of every [`Format`] verify, if their parameters are
/// within [`Policy::limits`]; those not made exactly as this policy would
/// make them [need rehashing](Policy::needs_rehash), which
/// [`Policy::verify_and_upgrade`] does at login.
///
/// ```
/// use hx_password::{Policy, Params};
/// let policy = Policy::default(); // Argon2id, m = 64 MiB, t = 3, p = 4
/// # let policy = Policy::new(Params::Bcrypt { cost: 10 })?;
/// let stored = policy.hash(b"correct horse battery staple")?;
/// assert!(policy.verify(b"correct horse battery staple", &stored).is_ok());
/// assert!(matches!(
///     policy.verify(b"Tr0ub4dor&3", &stored),
///     Err(hx_password::Error::Mismatch)
/// ));
/// # Ok::<(), hx_password::Error>(())
/// ```
#[derive(Debug)]
pub struct Policy {
    params: Params,
    limits: Limits,
    pepper: Option<Pepper>,
    previous_peppers: Vec<Pepper>,
}

impl Default for Policy {
    /// Argon2id with `m` = 64 MiB, `t` = 3, `p` = 4 and the default
    /// [`Limits`].
    fn default() -> Self {
        Self {
            params: Params::Argon2 {
                variant: crate::Argon2Variant::Argon2id,
                m_kib: 65_536,
                t: 3,
                p: 4,
            },
            limits: Limits::default(),
            pepper: None,
            previous_peppers: Vec::new(),
        }
    }
}

impl Policy {
    /// A policy that writes new hashes with `params`; the default
    /// [`Limits`], raised if needed to admit `params`.
    ///
    /// # Errors
    /// [`Error::WeakParameters`] if `params` are below the floor for new
    /// hashes ([`Params::check_floor`]); [`Error::Unsupported`] for Argon2i
    /// and Argon2d.
    ///
    /// # Example
    /// ```
    /// use hx_password::{Params, Policy, Pbkdf2Prf};
    /// assert!(Policy::new(Params::Pbkdf2 { prf: Pbkdf2Prf::Sha256, rounds: 1_000 }).is_err());
    /// assert!(Policy::new(Params::Pbkdf2 { prf: Pbkdf2Prf::Sha256, rounds: 600_000 }).is_ok());
    /// ```
    pub fn new(params: Params) -> Result<Self> {
        params.check_floor()?;
        Ok(Self {
            params,
            limits: Limits::default().admitting(&params),
            ..Self::default()
        })
    }

    /// The policy for `algorithm` at its [recommended](Algorithm::recommended)
    /// parameters.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for Argon2i and Argon2d.
    pub fn recommended(algorithm: Algorithm) -> Result<Self> {
        Self::new(algorithm.recommended()?)
    }

    /// This policy with other limits for stored hashes.
    ///
    /// # Errors
    /// [`Error::BeyondLimits`] if the limits would refuse this policy's own
    /// hashes.
    pub fn with_limits(mut self, limits: Limits) -> Result<Self> {
        limits.check(&self.params)?;
        self.limits = limits;
        Ok(self)
    }

    /// This policy, mixing `pepper` into every new hash.
    #[must_use]
    pub fn with_pepper(mut self, pepper: Pepper) -> Self {
        if let Some(old) = self.pepper.replace(pepper) {
            self.previous_peppers.push(old);
        }
        self
    }

    /// This policy, also verifying hashes made with an earlier `pepper`
    /// (they [need rehashing](Policy::needs_rehash)): how a pepper is
    /// rotated as users log in.
    #[must_use]
    pub fn with_previous_pepper(mut self, pepper: Pepper) -> Self {
        self.previous_peppers.push(pepper);
        self
    }

    /// The parameters of new hashes.
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The limits stored hashes are checked against before any work.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Hashes `password` with a fresh salt: a PHC string for Argon2id and
    /// scrypt (as argon2-cffi and passlib write them), passlib's
    /// `$pbkdf2-sha256$` form for PBKDF2, `$2b$` for bcrypt.
    ///
    /// # Errors
    /// [`Error::UnusablePassword`] for a password longer than
    /// [`MAX_PASSWORD_LEN`] (or, unpeppered bcrypt, 72 bytes or one with a
    /// NUL byte); [`Error::Random`] if the operating system's generator
    /// fails.
    pub fn hash(&self, password: &[u8]) -> Result<String> {
        let mut salt = vec![0u8; SALT_LEN];
        hx_random::fill(&mut salt)?;
        self.hash_with_salt(password, salt)
    }

    pub(crate) fn hash_with_salt(&self, password: &[u8], salt: Vec<u8>) -> Result<String> {
        let (format, output_len) = match self.params {
            Params::Argon2 { .. } | Params::Scrypt { .. } => (Format::Phc, OUTPUT_LEN),
            Params::Pbkdf2 { prf, .. } => (Format::PasslibPbkdf2, prf.output_len()),
            Params::Bcrypt { .. } => (Format::Bcrypt, BCRYPT_OUTPUT_LEN),
        };
        let mut stored = StoredHash {
            format,
            params: self.params,
            argon2_version: if matches!(self.params, Params::Argon2 { .. }) {
                ARGON2_V13
            } else {
                0
            },
            argon2_version_written: true,
            salt,
            hash: vec![0; output_len],
            pepper_id: self.pepper.as_ref().map(Pepper::id),
            bcrypt_minor: b'b',
        };
        let computed = derive(&stored, password, self.pepper.as_ref())?;
        stored.hash.copy_from_slice(&computed);
        Ok(stored.to_string())
    }

    /// Checks `password` against a stored hash of any [`Format`].
    ///
    /// The stored hash is parsed and its parameters checked against
    /// [`Policy::limits`] before any hashing; the outputs are compared in
    /// constant time.
    ///
    /// # Errors
    /// [`Error::Mismatch`] if the password is wrong. For a stored hash that
    /// cannot be checked: [`Error::Malformed`], [`Error::Unsupported`],
    /// [`Error::BeyondLimits`], [`Error::Pepper`] (made with a pepper this
    /// policy does not hold); [`Error::UnusablePassword`] for a password
    /// the scheme cannot take.
    pub fn verify(&self, password: &[u8], stored: &str) -> Result<()> {
        self.verify_parsed(password, &StoredHash::parse(stored)?)
    }

    /// [`Policy::verify`] with a hash already parsed.
    ///
    /// # Errors
    /// As [`Policy::verify`].
    pub fn verify_parsed(&self, password: &[u8], stored: &StoredHash) -> Result<()> {
        self.limits.check(&stored.params)?;
        let pepper = match stored.pepper_id {
            None => None,
            Some(id) => Some(
                self.pepper
                    .iter()
                    .chain(&self.previous_peppers)
                    .find(|p| p.id() == id)
                    .ok_or(Error::Pepper(
                        "the hash was made with a pepper this verifier does not hold",
                    ))?,
            ),
        };
        let computed = derive(stored, password, pepper)?;
        if ct_eq(&computed, &stored.hash) {
            Ok(())
        } else {
            Err(Error::Mismatch)
        }
    }

    /// Whether a stored hash differs from what this policy would write now:
    /// another scheme or format, other parameters (weaker or not), Argon2
    /// version 1.0, a shorter salt or output, or another pepper (or none).
    #[must_use]
    pub fn needs_rehash(&self, stored: &StoredHash) -> bool {
        let (format, output_len) = match self.params {
            Params::Argon2 { .. } | Params::Scrypt { .. } => (Format::Phc, OUTPUT_LEN),
            Params::Pbkdf2 { prf, .. } => (Format::PasslibPbkdf2, prf.output_len()),
            Params::Bcrypt { .. } => (Format::Bcrypt, BCRYPT_OUTPUT_LEN),
        };
        stored.format != format
            || stored.params != self.params
            || (matches!(stored.params, Params::Argon2 { .. })
                && stored.argon2_version != ARGON2_V13)
            || stored.salt.len() < SALT_LEN
            || stored.hash.len() != output_len
            || stored.pepper_id != self.pepper.as_ref().map(Pepper::id)
    }

    /// Verifies `password` and, if the stored hash
    /// [needs rehashing](Policy::needs_rehash), returns a new one to store in
    /// its place: how users move to the current policy as they log in.
    ///
    /// # Errors
    /// As [`Policy::verify`], and as [`Policy::hash`] for the new hash.
    ///
    /// # Example
    /// ```
    /// use hx_password::{Params, Policy};
    /// // a Django PBKDF2 hash of "hunter2" with 1,000 rounds
    /// let legacy = "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=";
    /// let policy = Policy::new(Params::Bcrypt { cost: 10 })?; // Policy::default() in a service
    /// let upgraded = policy.verify_and_upgrade(b"hunter2", legacy)?.expect("a new hash");
    /// assert!(upgraded.starts_with("$2b$10$"));
    /// assert_eq!(policy.verify_and_upgrade(b"hunter2", &upgraded)?, None);
    /// # Ok::<(), hx_password::Error>(())
    /// ```
    pub fn verify_and_upgrade(&self, password: &[u8], stored: &str) -> Result<Option<String>> {
        let parsed = StoredHash::parse(stored)?;
        self.verify_parsed(password, &parsed)?;
        if self.needs_rehash(&parsed) {
            Ok(Some(self.hash(password)?))
        } else {
            Ok(None)
        }
    }
}

/// The output `stored`'s scheme gives for `password` under its salt.
fn derive(
    stored: &StoredHash,
    password: &[u8],
    pepper: Option<&Pepper>,
) -> Result<Zeroizing<Vec<u8>>> {
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Error::UnusablePassword("longer than 4096 bytes"));
    }
    let mut out = Zeroizing::new(vec![0u8; stored.hash.len()]);
    if let Params::Argon2 {
        variant,
        m_kib,
        t,
        p,
    } = stored.params
    {
        let secret = pepper.map_or(&[][..], Pepper::expose_secret);
        hazmat::argon2(
            variant,
            stored.argon2_version,
            m_kib,
            t,
            p,
            password,
            &stored.salt,
            secret,
            &[],
            &mut out,
        )?;
        return Ok(out);
    }
    // the other schemes take a peppered password as HMAC-SHA-256 first,
    // Django's bcrypt_sha256 as the hex SHA-256
    let premixed;
    let password = match (pepper, stored.format) {
        (Some(pepper), _) => {
            premixed = pepper.premix(password);
            &premixed[..]
        }
        (None, Format::DjangoBcryptSha256) => {
            let digest = hx_digest::hash(DigestAlgorithm::Sha256, password);
            premixed = Zeroizing::new(digest.to_hex().into_bytes());
            &premixed[..]
        }
        (None, _) => password,
    };
    match stored.params {
        Params::Scrypt { log_n, r, p } => {
            hazmat::scrypt(password, &stored.salt, log_n, r, p, &mut out)?;
        }
        Params::Pbkdf2 { prf, rounds } => {
            hazmat::pbkdf2(prf, password, &stored.salt, rounds, &mut out);
        }
        Params::Bcrypt { cost } => {
            let salt: [u8; 16] = stored
                .salt
                .as_slice()
                .try_into()
                .map_err(|_| malformed("bcrypt salt not 16 bytes"))?;
            out.copy_from_slice(&hazmat::bcrypt(password, cost, salt)?);
        }
        Params::Argon2 { .. } => {}
    }
    Ok(out)
}
