//! Time as whole Unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch; 0 if the clock is before 1970.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The time checks shared by Fernet and sealed tokens: refused when older
/// than `ttl` seconds (if given) or more than `max_skew` seconds in the
/// future. Saturating, so no timestamp can overflow the arithmetic.
pub(crate) fn check_time(
    issued_at: u64,
    ttl: Option<u64>,
    now: u64,
    max_skew: u64,
) -> crate::Result<()> {
    let expired = ttl.is_some_and(|ttl| issued_at.saturating_add(ttl) < now);
    if expired || now.saturating_add(max_skew) < issued_at {
        return Err(crate::Error::InvalidToken);
    }
    Ok(())
}
