//! Schemes, their parameters, the floor for new hashes and the limits for
//! stored ones.

use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};

/// A password hashing scheme, by the name the command line and the PHC
/// strings use.
///
/// ```
/// use hx_password::Algorithm;
/// let alg: Algorithm = "pbkdf2-sha256".parse()?;
/// assert_eq!(alg, Algorithm::Pbkdf2Sha256);
/// assert_eq!(Algorithm::Argon2id.to_string(), "argon2id");
/// # Ok::<(), hx_password::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde_with::SerializeDisplay, serde_with::DeserializeFromStr)
)]
pub enum Algorithm {
    /// Argon2id (RFC 9106), the default.
    Argon2id,
    /// Argon2i: verified, never written.
    Argon2i,
    /// Argon2d: verified, never written.
    Argon2d,
    /// scrypt (RFC 7914).
    Scrypt,
    /// PBKDF2 with HMAC-SHA-256 (RFC 8018).
    Pbkdf2Sha256,
    /// PBKDF2 with HMAC-SHA-512 (RFC 8018).
    Pbkdf2Sha512,
    /// bcrypt (OpenBSD), `$2b$`.
    Bcrypt,
}

impl Algorithm {
    /// Every scheme, in the order of [`Algorithm::NAMES`].
    pub const ALL: [Self; 7] = [
        Self::Argon2id,
        Self::Argon2i,
        Self::Argon2d,
        Self::Scrypt,
        Self::Pbkdf2Sha256,
        Self::Pbkdf2Sha512,
        Self::Bcrypt,
    ];
    /// Every scheme's name.
    pub const NAMES: [&'static str; 7] = [
        "argon2id",
        "argon2i",
        "argon2d",
        "scrypt",
        "pbkdf2-sha256",
        "pbkdf2-sha512",
        "bcrypt",
    ];

    /// The scheme's name (`argon2id`, `pbkdf2-sha256`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        let index = Self::ALL.iter().position(|a| *a == self).unwrap_or(0);
        Self::NAMES[index]
    }

    /// The parameters a new hash of this scheme gets unless told otherwise:
    /// RFC 9106's second recommendation for Argon2id (`m` = 64 MiB, `t` = 3,
    /// `p` = 4, argon2-cffi's default), and OWASP's recommendations for the
    /// others (scrypt N = 2^17, r = 8, p = 1; PBKDF2-SHA-256 600,000 rounds,
    /// PBKDF2-SHA-512 210,000; bcrypt cost 12).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for Argon2i and Argon2d, which this crate
    /// verifies but does not write (RFC 9106 recommends Argon2id).
    pub fn recommended(self) -> Result<Params> {
        Ok(match self {
            Self::Argon2id => Params::Argon2 {
                variant: Argon2Variant::Argon2id,
                m_kib: 65_536,
                t: 3,
                p: 4,
            },
            Self::Argon2i | Self::Argon2d => return Err(not_written(self)),
            Self::Scrypt => Params::Scrypt {
                log_n: 17,
                r: 8,
                p: 1,
            },
            Self::Pbkdf2Sha256 => Params::Pbkdf2 {
                prf: Pbkdf2Prf::Sha256,
                rounds: 600_000,
            },
            Self::Pbkdf2Sha512 => Params::Pbkdf2 {
                prf: Pbkdf2Prf::Sha512,
                rounds: 210_000,
            },
            Self::Bcrypt => Params::Bcrypt { cost: 12 },
        })
    }
}

fn not_written(alg: Algorithm) -> Error {
    Error::Unsupported(format!(
        "{alg} is verified but not written: new hashes use argon2id"
    ))
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::NAMES
            .iter()
            .position(|name| *name == s)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| {
                Error::Unsupported(format!("scheme name (one of {})", Self::NAMES.join(", ")))
            })
    }
}

/// The three Argon2 variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Argon2Variant {
    /// Data-dependent addressing.
    Argon2d,
    /// Data-independent addressing.
    Argon2i,
    /// Argon2i for the first half pass, then Argon2d (RFC 9106's choice).
    Argon2id,
}

/// The HMAC hash of PBKDF2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pbkdf2Prf {
    /// HMAC-SHA-256 (32-byte output).
    Sha256,
    /// HMAC-SHA-512 (64-byte output).
    Sha512,
}

impl Pbkdf2Prf {
    /// The hash's output length, PBKDF2's natural output length.
    #[must_use]
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }
}

/// A scheme and its cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Params {
    /// Argon2 (RFC 9106).
    Argon2 {
        /// Which variant.
        variant: Argon2Variant,
        /// Memory in KiB (`m`).
        m_kib: u32,
        /// Passes over memory (`t`).
        t: u32,
        /// Lanes (`p`), computed in parallel.
        p: u32,
    },
    /// scrypt (RFC 7914).
    Scrypt {
        /// log2 of the CPU/memory cost N (`ln`).
        log_n: u8,
        /// Block size (`r`).
        r: u32,
        /// Parallelism (`p`).
        p: u32,
    },
    /// PBKDF2 (RFC 8018).
    Pbkdf2 {
        /// The HMAC hash.
        prf: Pbkdf2Prf,
        /// Iterations.
        rounds: u32,
    },
    /// bcrypt.
    Bcrypt {
        /// log2 of the rounds, 4 to 31.
        cost: u32,
    },
}

impl Params {
    /// The scheme these parameters are for.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Argon2 { variant, .. } => match variant {
                Argon2Variant::Argon2id => Algorithm::Argon2id,
                Argon2Variant::Argon2i => Algorithm::Argon2i,
                Argon2Variant::Argon2d => Algorithm::Argon2d,
            },
            Self::Scrypt { .. } => Algorithm::Scrypt,
            Self::Pbkdf2 {
                prf: Pbkdf2Prf::Sha256,
                ..
            } => Algorithm::Pbkdf2Sha256,
            Self::Pbkdf2 {
                prf: Pbkdf2Prf::Sha512,
                ..
            } => Algorithm::Pbkdf2Sha512,
            Self::Bcrypt { .. } => Algorithm::Bcrypt,
        }
    }

    /// Checks that new hashes made with these parameters are at least as
    /// strong as OWASP's minimums (Password Storage Cheat Sheet): Argon2id
    /// with `m`·`t` ≥ 35 MiB (its five equivalent settings, 46 MiB × 1 to
    /// 7 MiB × 5); scrypt with 128·N·r·p ≥ 64 MiB; PBKDF2-SHA-256 600,000
    /// rounds, PBKDF2-SHA-512 210,000; bcrypt cost 10. Stored hashes below
    /// the floor still verify (and [`needs_rehash`](crate::Policy::needs_rehash)).
    ///
    /// # Errors
    /// [`Error::WeakParameters`] naming the first parameter below its floor;
    /// [`Error::Unsupported`] for Argon2i/Argon2d (never written) and a
    /// bcrypt cost above 31.
    pub fn check_floor(&self) -> Result<()> {
        let weak = |parameter, value: u64, minimum: u64| {
            if value < minimum {
                Err(Error::WeakParameters {
                    parameter,
                    value,
                    minimum,
                })
            } else {
                Ok(())
            }
        };
        match *self {
            Self::Argon2 {
                variant,
                m_kib,
                t,
                p,
            } => {
                if variant != Argon2Variant::Argon2id {
                    return Err(not_written(self.algorithm()));
                }
                weak("argon2 p", u64::from(p), 1)?;
                weak("argon2 t", u64::from(t), 1)?;
                weak("argon2 m (KiB)", u64::from(m_kib), 8 * u64::from(p))?;
                weak(
                    "argon2 m·t (KiB)",
                    u64::from(m_kib) * u64::from(t),
                    MIN_ARGON2_MEMORY_PASSES_KIB,
                )
            }
            Self::Scrypt { log_n, r, p } => {
                weak("scrypt r", u64::from(r), 1)?;
                weak("scrypt p", u64::from(p), 1)?;
                if !scrypt_rp_in_range(r, p) || log_n >= 64 {
                    return Err(Error::Unsupported(
                        "scrypt with r·p of 2^30 or more, or ln of 64 or more".to_owned(),
                    ));
                }
                let work = scrypt_bytes(log_n, r).saturating_mul(u64::from(p));
                weak("scrypt 128·N·r·p (bytes)", work, MIN_SCRYPT_WORK_BYTES)
            }
            Self::Pbkdf2 { prf, rounds } => weak(
                "pbkdf2 rounds",
                u64::from(rounds),
                match prf {
                    Pbkdf2Prf::Sha256 => 600_000,
                    Pbkdf2Prf::Sha512 => 210_000,
                },
            ),
            Self::Bcrypt { cost } => {
                weak("bcrypt cost", u64::from(cost), 10)?;
                if cost > 31 {
                    return Err(Error::Unsupported("bcrypt cost above 31".to_owned()));
                }
                Ok(())
            }
        }
    }
}

/// Argon2's floor for new hashes: `m`·`t` in KiB (35 MiB).
pub const MIN_ARGON2_MEMORY_PASSES_KIB: u64 = 35 * 1024;
/// scrypt's floor for new hashes: 128·N·r·p in bytes (64 MiB).
pub const MIN_SCRYPT_WORK_BYTES: u64 = 64 << 20;

/// scrypt's work, 128·N·r bytes mixed per lane (saturating).
pub(crate) fn scrypt_bytes(log_n: u8, r: u32) -> u64 {
    let n = 1u64.checked_shl(u32::from(log_n)).unwrap_or(u64::MAX);
    n.saturating_mul(128).saturating_mul(u64::from(r))
}

/// scrypt's peak memory: its 128·N·r table, the 128·r·p lane buffer and
/// 256·r of scratch, as 128·r·(N + p + 2) bytes (saturating).
pub(crate) fn scrypt_memory_bytes(log_n: u8, r: u32, p: u32) -> u64 {
    let n = 1u64.checked_shl(u32::from(log_n)).unwrap_or(u64::MAX);
    n.saturating_add(u64::from(p))
        .saturating_add(2)
        .saturating_mul(128)
        .saturating_mul(u64::from(r))
}

/// scrypt's own bound (RFC 7914): r·p < 2^30.
pub(crate) fn scrypt_rp_in_range(r: u32, p: u32) -> bool {
    u64::from(r) * u64::from(p) < 1 << 30
}

/// The most work a stored hash may ask of the verifier, checked before any
/// is done, so that a hash written by an attacker (an `m` of 4 GiB, scrypt
/// `ln=40`, a billion PBKDF2 rounds) is refused at once.
///
/// The defaults admit every recommended setting, RFC 9106's first one
/// (2 GiB) aside, with room to grow:
///
/// ```
/// let limits = hx_password::Limits::default();
/// assert_eq!(limits.max_memory_kib, 1 << 20); // 1 GiB
/// assert_eq!(limits.max_pbkdf2_rounds, 10_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Argon2's `m`, and scrypt's peak memory (128·r·(N + p + 2) bytes), in
    /// KiB.
    pub max_memory_kib: u32,
    /// Argon2's memory times passes (`m`·`t`), and scrypt's 128·N·r·p, in
    /// KiB: the time a verification takes.
    pub max_work_kib: u64,
    /// Argon2's lanes and scrypt's `p`.
    pub max_parallelism: u32,
    /// PBKDF2's iterations.
    pub max_pbkdf2_rounds: u32,
    /// bcrypt's cost (each step doubles the time).
    pub max_bcrypt_cost: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_kib: 1 << 20,
            max_work_kib: 4 << 20,
            max_parallelism: 16,
            max_pbkdf2_rounds: 10_000_000,
            max_bcrypt_cost: 16,
        }
    }
}

impl Limits {
    /// These limits raised as far as needed to admit `params`.
    #[must_use]
    pub fn admitting(mut self, params: &Params) -> Self {
        match *params {
            Params::Argon2 { m_kib, t, p, .. } => {
                self.max_memory_kib = self.max_memory_kib.max(m_kib);
                self.max_work_kib = self
                    .max_work_kib
                    .max(u64::from(m_kib).saturating_mul(u64::from(t)));
                self.max_parallelism = self.max_parallelism.max(p);
            }
            Params::Scrypt { log_n, r, p } => {
                let memory_kib = scrypt_memory_bytes(log_n, r, p).div_ceil(1024);
                self.max_memory_kib = self
                    .max_memory_kib
                    .max(u32::try_from(memory_kib).unwrap_or(u32::MAX));
                let work_kib = (scrypt_bytes(log_n, r) / 1024).saturating_mul(u64::from(p));
                self.max_work_kib = self.max_work_kib.max(work_kib);
                self.max_parallelism = self.max_parallelism.max(p);
            }
            Params::Pbkdf2 { rounds, .. } => {
                self.max_pbkdf2_rounds = self.max_pbkdf2_rounds.max(rounds);
            }
            Params::Bcrypt { cost } => self.max_bcrypt_cost = self.max_bcrypt_cost.max(cost),
        }
        self
    }

    /// Checks `params` against these limits.
    ///
    /// # Errors
    /// [`Error::BeyondLimits`] naming the first parameter beyond its limit.
    pub fn check(&self, params: &Params) -> Result<()> {
        let beyond = |parameter, value: u64, limit: u64| {
            if value > limit {
                Err(Error::BeyondLimits {
                    parameter,
                    value,
                    limit,
                })
            } else {
                Ok(())
            }
        };
        match *params {
            Params::Argon2 { m_kib, t, p, .. } => {
                beyond("argon2 p", u64::from(p), u64::from(self.max_parallelism))?;
                beyond(
                    "argon2 m (KiB)",
                    u64::from(m_kib),
                    u64::from(self.max_memory_kib),
                )?;
                beyond(
                    "argon2 m·t (KiB)",
                    u64::from(m_kib).saturating_mul(u64::from(t)),
                    self.max_work_kib,
                )
            }
            Params::Scrypt { log_n, r, p } => {
                beyond("scrypt p", u64::from(p), u64::from(self.max_parallelism))?;
                beyond(
                    "scrypt 128·r·(N+p+2) (KiB)",
                    scrypt_memory_bytes(log_n, r, p).div_ceil(1024),
                    u64::from(self.max_memory_kib),
                )?;
                beyond(
                    "scrypt 128·N·r·p (KiB)",
                    (scrypt_bytes(log_n, r) / 1024).saturating_mul(u64::from(p)),
                    self.max_work_kib,
                )
            }
            Params::Pbkdf2 { rounds, .. } => beyond(
                "pbkdf2 rounds",
                u64::from(rounds),
                u64::from(self.max_pbkdf2_rounds),
            ),
            Params::Bcrypt { cost } => beyond(
                "bcrypt cost",
                u64::from(cost),
                u64::from(self.max_bcrypt_cost),
            ),
        }
    }
}
