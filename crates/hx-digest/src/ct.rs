//! Constant-time comparison.

use subtle::ConstantTimeEq;

/// Compares two byte strings in time that depends only on their lengths.
///
/// The equivalent of Python's `hmac.compare_digest`: the lengths may leak
/// (unequal lengths return `false` at once), the contents may not. Use it for
/// every comparison of secrets, MACs, tokens or password hashes.
///
/// # Security
/// Built on [`subtle`], whose comparisons go through an optimisation barrier so
/// the compiler cannot turn them into early-exit loops.
///
/// # Example
/// ```
/// use hx_digest::ct_eq;
/// assert!(ct_eq(b"tag-123", b"tag-123"));
/// assert!(!ct_eq(b"tag-123", b"tag-124"));
/// assert!(!ct_eq(b"tag", b"tag-123"));
/// ```
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}
