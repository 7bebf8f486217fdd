//! Ed25519 verification on arbitrary keys, signatures and messages: never
//! panics, nothing verifies by accident, and batch verification gives the
//! same answer as single verification.
#![no_main]

use hx_sign::ed25519::{Signature, VerifyingKey, verify_batch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 96 {
        return;
    }
    let (key, rest) = data.split_at(32);
    let (sig, msg) = rest.split_at(64);
    let Ok(key) = VerifyingKey::from_bytes(key) else {
        return;
    };
    let sig = Signature::from_bytes(sig).expect("64 bytes");
    let single = key.verify(msg, &sig).is_ok();
    let batch = verify_batch(&[(msg, &sig, &key)]).is_ok();
    assert_eq!(single, batch);
    assert!(!single, "a random signature verified");
});
