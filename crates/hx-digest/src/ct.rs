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
    let equal: bool = acc.ct_eq(&0).into();
    declassify(equal)
}

/// The comparison's verdict is public (the caller branches on it): under the
/// constant-time check the harness marks it so; otherwise it is returned as
/// is.
#[cfg(not(hx_ct_check))]
#[inline(always)]
fn declassify(verdict: bool) -> bool {
    verdict
}

#[cfg(hx_ct_check)]
fn declassify(verdict: bool) -> bool {
    let mut cell = [u8::from(verdict)];
    if let Some(hook) = ct_check::HOOK.get() {
        // The hook receives a pointer it may write through (valgrind's
        // client request changes the byte's shadow state), so the byte is
        // read back from memory afterwards.
        hook(cell.as_mut_ptr(), cell.len());
    }
    black_box(cell)[0] != 0
}

/// The declassification hook of the constant-time check. It exists only in
/// builds with `RUSTFLAGS="--cfg hx_ct_check"`, which `cargo xtask ct` sets
/// for its own harness (docs/TESTING.md); no feature can switch it on.
#[cfg(hx_ct_check)]
pub mod ct_check {
    use std::sync::OnceLock;

    pub(super) static HOOK: OnceLock<fn(*mut u8, usize)> = OnceLock::new();

    /// Installs `hook`, called with the location of every [`crate::ct_eq`]
    /// verdict before it is returned, and of every value passed to
    /// [`declassify`] (the harness marks them as defined for valgrind
    /// memcheck). Only the first installation counts.
    pub fn set_declassify_hook(hook: fn(*mut u8, usize)) {
        let _ = HOOK.set(hook);
    }

    /// Marks `bytes` as public for the constant-time check: values derived
    /// from secrets that are published by design (a public key).
    pub fn declassify(bytes: &mut [u8]) {
        if let Some(hook) = HOOK.get() {
            hook(bytes.as_mut_ptr(), bytes.len());
        }
    }
}
