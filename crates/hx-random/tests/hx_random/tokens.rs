//! Tokens: sizes, alphabets, limits, uniqueness.

use std::collections::HashSet;

use hx_random::{Error, MAX_TOKEN_BYTES, token_bytes, token_hex, token_urlsafe};

#[test]
fn sizes_follow_python_secrets() {
    for n in [1, 2, 3, 16, 31, 32, 33, 64, 65, 1000] {
        assert_eq!(token_bytes(n).unwrap().len(), n);
        assert_eq!(token_hex(n).unwrap().len(), 2 * n);
        assert_eq!(
            token_urlsafe(n).unwrap().len(),
            (4 * n).div_ceil(3),
            "n = {n}"
        );
    }
}

#[test]
fn zero_and_absurd_sizes_are_errors() {
    for n in [0, MAX_TOKEN_BYTES + 1, usize::MAX] {
        assert!(matches!(token_bytes(n), Err(Error::InvalidLength { .. })));
        assert!(matches!(token_hex(n), Err(Error::InvalidLength { .. })));
        assert!(matches!(token_urlsafe(n), Err(Error::InvalidLength { .. })));
    }
    assert!(token_bytes(MAX_TOKEN_BYTES).is_ok());
}

#[test]
fn tokens_do_not_repeat_and_use_every_symbol() {
    let tokens: Vec<_> = (0..2000).map(|_| token_urlsafe(32).unwrap()).collect();
    let unique: HashSet<&str> = tokens.iter().map(|t| t.as_str()).collect();
    assert_eq!(unique.len(), tokens.len());
    let used: HashSet<char> = tokens.iter().flat_map(|t| t.chars()).collect();
    assert_eq!(used.len(), 64, "every url-safe base64 symbol appears");
    assert!(!used.contains(&'=') && !used.contains(&'+') && !used.contains(&'/'));
}

#[test]
fn bytes_are_not_obviously_biased() {
    // 1 MiB of output: each byte value should appear about 4096 times.
    let data = token_bytes(MAX_TOKEN_BYTES).unwrap();
    let mut counts = [0u32; 256];
    for chunk in 0..16 {
        let more = if chunk == 0 {
            data.clone()
        } else {
            token_bytes(MAX_TOKEN_BYTES).unwrap()
        };
        more.iter().for_each(|b| counts[*b as usize] += 1);
    }
    let expected = 16.0 * MAX_TOKEN_BYTES as f64 / 256.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    // 255 degrees of freedom: p < 1e-6 beyond about 370.
    assert!(chi2 < 370.0, "chi-square {chi2}");
}
