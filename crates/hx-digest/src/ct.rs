//! Constant-time comparison.

use core::hint::black_box;

use subtle::ConstantTimeEq;

/// Compares two byte strings in time that depends only on their lengths.
///
/// The equivalent of Python's `hmac.compare_digest`: the lengths may leak
/// (unequal lengths return `false` at once), the contents may not. Use it for
/// every comparison of secrets, MACs, tokens or password hashes.
///
/// # Security
/// The contents are folded eight bytes at a time into an OR of XORs with no
/// data-dependent branch; the accumulator passes through an optimisation
/// barrier ([`core::hint::black_box`]) on every step so the compiler cannot
/// turn the loop into an early exit, and the final zero test is [`subtle`]'s
/// branch-free one.
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
    if a.len() != b.len() {
        return false;
    }
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    let mut acc = 0u64;
    for (x, y) in a_words.iter().zip(b_words) {
        acc = black_box(acc | (u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y)));
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        acc = black_box(acc | u64::from(x ^ y));
    }
    acc.ct_eq(&0).into()
}
