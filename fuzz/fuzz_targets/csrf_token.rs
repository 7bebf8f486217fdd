//! CSRF tokens: verification of arbitrary text never panics and never accepts
//! a token that was not issued for the session.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = hx_random::CsrfKey::from_bytes(&[0x42; 32]).expect("32-byte secret");
    let (session, token) = text.split_once('\n').unwrap_or(("session", text));
    assert!(key.verify(session, token).is_err(), "forged token accepted");
});
