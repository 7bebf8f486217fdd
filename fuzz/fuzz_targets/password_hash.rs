//! Stored password hashes (hx-password's PHC, bcrypt, passlib, Django and
//! Werkzeug parsers): parsing never panics; whatever parses writes a string
//! that parses to the same hash; verification of whatever is cheap enough
//! never panics and never accepts a password that does not match.
#![no_main]

use hx_password::{Error, Limits, Policy, StoredHash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(stored) = StoredHash::parse(text) else {
        return;
    };
    let written = stored.to_string();
    assert_eq!(
        StoredHash::parse(&written).expect("a written hash parses"),
        stored,
        "one meaning per hash"
    );
    // verify only what costs little (the limits are checked before any work
    // in verify itself; these keep the fuzzer fast)
    let cheap = Limits {
        max_memory_kib: 1024,
        max_work_kib: 4096,
        max_parallelism: 4,
        max_pbkdf2_rounds: 2_000,
        max_bcrypt_cost: 5,
    };
    if cheap.check(stored.params()).is_ok() {
        match Policy::default().verify(b"fuzz", text) {
            Ok(()) | Err(Error::Mismatch | Error::UnusablePassword(_) | Error::Pepper(_)) => {}
            Err(other) => panic!("a parsed hash within limits failed otherwise: {other}"),
        }
    }
});
