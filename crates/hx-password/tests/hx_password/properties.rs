//! Property tests: parsing never panics, every canonical string of every
//! format writes back byte for byte, and verification never panics.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hx_password::{Error, Limits, Policy, StoredHash};
use proptest::prelude::*;

fn b64(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

fn text_salt() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]{8,48}"
}

/// A canonical string of some format, with arbitrary salt, output and
/// parameters in range.
fn canonical() -> impl Strategy<Value = String> {
    let salt = proptest::collection::vec(any::<u8>(), 8..=48);
    let out = proptest::collection::vec(any::<u8>(), 16..=64);
    (
        0usize..10,
        salt,
        out,
        1u32..=1_000_000,
        1u32..=64,
        1u8..=30,
        text_salt(),
    )
        .prop_map(|(kind, salt, out, big, small, ln, text)| {
            let v = ["argon2id", "argon2i", "argon2d"][usize::try_from(small % 3).unwrap()];
            // formats that fix their output length
            let fit = |n: usize| -> Vec<u8> { out.iter().copied().cycle().take(n).collect() };
            let sha = if small % 2 == 0 { 256 } else { 512 };
            let bcrypt = |minor: char| {
                let mut s = [0u8; 16];
                let mut h = [0u8; 23];
                for (i, b) in salt.iter().chain(&out).enumerate() {
                    if i < 16 {
                        s[i] = *b;
                    } else if i - 16 < 23 {
                        h[i - 16] = *b;
                    }
                }
                let engine = base64::engine::GeneralPurpose::new(
                    &base64::alphabet::BCRYPT,
                    base64::engine::general_purpose::NO_PAD,
                );
                format!(
                    "$2{minor}${:02}${}{}",
                    4 + small % 28,
                    engine.encode(s),
                    engine.encode(h)
                )
            };
            match kind {
                0 => format!(
                    "${v}$v=19$m={},t={small},p={}${}${}",
                    8 * small + big % 100_000,
                    small,
                    b64(&salt),
                    b64(&out)
                ),
                1 => format!(
                    "${v}$m={},t={small},p=1${}${}",
                    8 + big,
                    b64(&salt),
                    b64(&out)
                ),
                2 => format!(
                    "$scrypt$ln={ln},r={small},p={}${}${}",
                    1 + big % 16,
                    b64(&salt),
                    b64(&out)
                ),
                3 => format!(
                    "$pbkdf2-sha{sha}${big}${}${}",
                    b64(&salt).replace('+', "."),
                    b64(&fit(sha / 8)).replace('+', ".")
                ),
                4 => bcrypt(['a', 'b', 'y'][usize::try_from(small % 3).unwrap()]),
                5 => format!("pbkdf2_sha256${big}${text}${}", STANDARD.encode(fit(32))),
                6 => format!("bcrypt_sha256${}", bcrypt('b')),
                7 => format!(
                    "scrypt${}${text}${small}${}${}",
                    1u64 << ln,
                    1 + big % 16,
                    STANDARD.encode(fit(64))
                ),
                8 => format!("pbkdf2:sha{sha}:{big}${text}${}", hex::encode(fit(sha / 8))),
                _ => format!(
                    "scrypt:{}:{small}:1${text}${}",
                    1u64 << ln,
                    hex::encode(fit(64))
                ),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn canonical_strings_write_back(text in canonical()) {
        let stored = StoredHash::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(stored.to_string(), text);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(stored) = StoredHash::parse(&text) {
            // whatever parses writes a string that parses to the same hash
            prop_assert_eq!(StoredHash::parse(&stored.to_string()).unwrap(), stored);
        }
    }

    #[test]
    fn edits_of_canonical_strings_never_panic(text in canonical(), at in any::<prop::sample::Index>(), c in any::<char>(), op in 0u8..3) {
        let mut chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len());
        match op {
            0 => { chars.remove(i); }
            1 => chars.insert(i, c),
            _ => chars[i] = c,
        }
        let edited: String = chars.into_iter().collect();
        if let Ok(stored) = StoredHash::parse(&edited) {
            prop_assert_eq!(StoredHash::parse(&stored.to_string()).unwrap(), stored);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Verification of arbitrary edits of cheap hashes never panics, and an
    /// edit that changes what the hash means never accepts the password.
    #[test]
    fn verifying_edited_hashes_never_panics(at in any::<prop::sample::Index>(), c in any::<char>(), which in 0usize..4) {
        let hashes = [
            "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
            "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY",
            "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=",
            "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$tsEVYKap1h6scGt5ovl9aLRGOqOth+AMB+KwHpDFZPs",
        ];
        let passwords: [&[u8]; 4] = [b"Kk4DQuMMfZL9o", b"password", b"hunter2", b"password"];
        let mut chars: Vec<char> = hashes[which].chars().collect();
        let i = at.index(chars.len());
        chars[i] = c;
        let edited: String = chars.into_iter().collect();
        let policy = Policy::default().with_limits(Limits { max_work_kib: 4 << 20, ..Limits::default() }).unwrap();
        let original = StoredHash::parse(hashes[which]).unwrap();
        match policy.verify(passwords[which], &edited) {
            Ok(()) => prop_assert_eq!(StoredHash::parse(&edited).unwrap(), original),
            Err(Error::Mismatch | Error::Malformed(_) | Error::Unsupported(_)
                | Error::BeyondLimits { .. } | Error::UnusablePassword(_) | Error::Pepper(_)) => {}
            Err(other) => prop_assert!(false, "{edited}: {other}"),
        }
    }
}
