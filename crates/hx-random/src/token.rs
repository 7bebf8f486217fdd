//! Random tokens with the semantics of Python's `secrets` module.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::error::check_len;
use crate::{Result, fill};

/// The most bytes one token may hold (64 KiB). Larger requests are almost
/// certainly a mistake (a bit count passed as bytes, say).
pub const MAX_TOKEN_BYTES: usize = 1 << 16;

/// The default token size: 32 bytes (256 bits), like Python's `secrets`.
pub const DEFAULT_TOKEN_BYTES: usize = 32;

/// `n` random bytes, like Python's `secrets.token_bytes(n)`.
///
/// # Errors
/// [`Error::InvalidLength`](crate::Error::InvalidLength) if `n` is 0 or above
/// [`MAX_TOKEN_BYTES`]; [`Error::OsRandom`](crate::Error::OsRandom) if the OS
/// generator fails.
///
/// # Example
/// ```
/// let key = hx_random::token_bytes(32)?;
/// assert_eq!(key.len(), 32);
/// assert!(hx_random::token_bytes(0).is_err());
/// # Ok::<(), hx_random::Error>(())
/// ```
pub fn token_bytes(n: usize) -> Result<Zeroizing<Vec<u8>>> {
    check_len("token size in bytes", n, 1, MAX_TOKEN_BYTES)?;
    let mut out = Zeroizing::new(vec![0u8; n]);
    fill(&mut out)?;
    Ok(out)
}

/// `n` random bytes as `2n` lowercase hex digits, like `secrets.token_hex(n)`.
///
/// # Errors
/// As [`token_bytes`].
///
/// # Example
/// ```
/// let t = hx_random::token_hex(16)?;
/// assert_eq!(t.len(), 32);
/// assert!(t.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
/// # Ok::<(), hx_random::Error>(())
/// ```
pub fn token_hex(n: usize) -> Result<Zeroizing<String>> {
    let bytes = token_bytes(n)?;
    Ok(Zeroizing::new(hex::encode(&*bytes)))
}

/// `n` random bytes as URL-safe base64 without padding, like
/// `secrets.token_urlsafe(n)`: `ceil(4n/3)` characters of `A–Z a–z 0–9 - _`.
///
/// # Errors
/// As [`token_bytes`].
///
/// # Example
/// ```
/// let t = hx_random::token_urlsafe(32)?;
/// assert_eq!(t.len(), 43);
/// assert!(t.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
/// # Ok::<(), hx_random::Error>(())
/// ```
pub fn token_urlsafe(n: usize) -> Result<Zeroizing<String>> {
    check_len("token size in bytes", n, 1, MAX_TOKEN_BYTES)?;
    if n <= 64 {
        // The common case, without a heap allocation for the raw bytes.
        let mut raw = Zeroizing::new([0u8; 64]);
        let raw = raw.get_mut(..n).unwrap_or_default();
        fill(raw)?;
        return Ok(Zeroizing::new(URL_SAFE_NO_PAD.encode(raw)));
    }
    let bytes = token_bytes(n)?;
    Ok(Zeroizing::new(URL_SAFE_NO_PAD.encode(&*bytes)))
}
