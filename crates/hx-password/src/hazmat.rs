//! The raw key-derivation functions, with the salt and every parameter in
//! the caller's hands.
//!
//! # Security
//! Nothing here checks [`Limits`](crate::Limits) or the floor for new hashes,
//! generates a salt or compares in constant time: these are the building
//! blocks that [`Policy`](crate::Policy) uses after doing all of that, kept
//! public for test vectors and for callers porting another system's exact
//! derivation. Use [`Policy`](crate::Policy) to hash and verify passwords.

use argon2::{Argon2, AssociatedData, ParamsBuilder, Version};
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use crate::error::{Error, Result, malformed};
use crate::params::{Argon2Variant, Pbkdf2Prf};

/// Argon2 (RFC 9106) of `password` into `out`, with optional secret input
/// `K` and associated data `X` (up to 32 bytes).
///
/// # Errors
/// [`Error::Malformed`] for parameters Argon2 rejects (salt under 8 bytes,
/// output under 4 bytes, `m` < 8·`p`, a version other than 0x10 or 0x13) or
/// memory that cannot be allocated.
///
/// # Example
/// ```
/// use hx_password::{Argon2Variant, hazmat};
/// let mut tag = [0u8; 32];
/// hazmat::argon2(Argon2Variant::Argon2id, 0x13, 32, 3, 4, &[1; 32], &[2; 16], &[3; 8], &[4; 12], &mut tag)?;
/// assert_eq!(tag[..4], [0x0d, 0x64, 0x0d, 0xf5]); // RFC 9106 §5.3
/// # Ok::<(), hx_password::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn argon2(
    variant: Argon2Variant,
    version: u32,
    m_kib: u32,
    t: u32,
    p: u32,
    password: &[u8],
    salt: &[u8],
    secret: &[u8],
    associated_data: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let algorithm = match variant {
        Argon2Variant::Argon2d => argon2::Algorithm::Argon2d,
        Argon2Variant::Argon2i => argon2::Algorithm::Argon2i,
        Argon2Variant::Argon2id => argon2::Algorithm::Argon2id,
    };
    let version = match version {
        0x10 => Version::V0x10,
        0x13 => Version::V0x13,
        _ => return Err(malformed("Argon2 version other than 0x10 or 0x13")),
    };
    let argon2_error = |err: argon2::Error| Error::Malformed(format!("Argon2: {err}"));
    let mut builder = ParamsBuilder::new();
    builder
        .m_cost(m_kib)
        .t_cost(t)
        .p_cost(p)
        .output_len(out.len());
    if !associated_data.is_empty() {
        builder.data(AssociatedData::new(associated_data).map_err(argon2_error)?);
    }
    let params = builder.build().map_err(argon2_error)?;
    let context = if secret.is_empty() {
        Argon2::new(algorithm, version, params)
    } else {
        Argon2::new_with_secret(secret, algorithm, version, params).map_err(argon2_error)?
    };
    context
        .hash_password_into(password, salt, out)
        .map_err(argon2_error)
}

/// scrypt (RFC 7914) of `password` into `out` (any length from 1 byte).
///
/// # Errors
/// [`Error::Malformed`] for parameters scrypt rejects (`r`, `p` zero,
/// `r`·`p` ≥ 2^30, `log_n` ≥ 64) or an empty `out`.
///
/// # Example
/// ```
/// let mut out = [0u8; 64];
/// hx_password::hazmat::scrypt(b"", b"", 4, 1, 1, &mut out)?;
/// assert_eq!(out[..4], [0x77, 0xd6, 0x57, 0x62]); // RFC 7914 §12
/// # Ok::<(), hx_password::Error>(())
/// ```
pub fn scrypt(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
    out: &mut [u8],
) -> Result<()> {
    if !crate::params::scrypt_rp_in_range(r, p) {
        return Err(malformed("scrypt r·p of 2^30 or more"));
    }
    let params = scrypt::Params::new(log_n, r, p)
        .map_err(|_| malformed("scrypt parameters out of range"))?;
    scrypt::scrypt(password, salt, &params, out).map_err(|_| malformed("scrypt output length"))
}

/// PBKDF2 (RFC 8018) with HMAC-SHA-256 or HMAC-SHA-512 into `out`.
///
/// # Example
/// ```
/// use hx_password::{Pbkdf2Prf, hazmat};
/// let mut out = [0u8; 64];
/// hazmat::pbkdf2(Pbkdf2Prf::Sha256, b"passwd", b"salt", 1, &mut out);
/// assert_eq!(out[..4], [0x55, 0xac, 0x04, 0x6e]); // RFC 7914 §11
/// ```
pub fn pbkdf2(prf: Pbkdf2Prf, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    match prf {
        Pbkdf2Prf::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, rounds, out),
        Pbkdf2Prf::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, rounds, out),
    }
}

/// The longest password bcrypt uses, in bytes.
pub const BCRYPT_MAX_PASSWORD_LEN: usize = 72;

/// bcrypt of `password` (as OpenBSD's: the password and a terminating NUL,
/// up to 72 bytes) under `salt`: the 23 bytes a `$2b$` hash stores.
///
/// # Errors
/// [`Error::UnusablePassword`] for a password longer than 72 bytes or
/// holding a NUL byte: implementations disagree on both (C ones stop at the
/// NUL; pyca/bcrypt does not; older ones truncate silently), so a hash made
/// of one would mean different passwords to different verifiers.
/// [`Error::Malformed`] for a cost outside 4 to 31.
///
/// # Example
/// ```
/// let hash = hx_password::hazmat::bcrypt(b"U*U", 5, [7; 16])?;
/// assert_eq!(hash.len(), 23);
/// assert!(hx_password::hazmat::bcrypt(&[b'a'; 73], 5, [7; 16]).is_err());
/// # Ok::<(), hx_password::Error>(())
/// ```
pub fn bcrypt(password: &[u8], cost: u32, salt: [u8; 16]) -> Result<[u8; 23]> {
    if password.len() > BCRYPT_MAX_PASSWORD_LEN {
        return Err(Error::UnusablePassword(
            "bcrypt takes at most 72 bytes (refused, not truncated)",
        ));
    }
    if password.contains(&0) {
        return Err(Error::UnusablePassword(
            "bcrypt passwords cannot hold a NUL byte",
        ));
    }
    let parts = ::bcrypt::hash_with_salt(password, cost, salt)
        .map_err(|_| malformed("bcrypt cost outside 4 to 31"))?;
    // the crate exposes the 23 bytes only inside its text form
    let text = Zeroizing::new(parts.format_for_version(::bcrypt::Version::TwoB));
    let encoded = text.get(29..).ok_or_else(|| malformed("bcrypt output"))?;
    let bytes = Zeroizing::new(crate::stored::bcrypt64_decode(encoded)?);
    let mut out = [0u8; 23];
    if bytes.len() != out.len() {
        return Err(malformed("bcrypt output"));
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}
