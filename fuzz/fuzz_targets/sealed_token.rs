//! Sealed tokens: opening arbitrary text or bytes never panics and never
//! authenticates (a fixed keyring, so a forgery would have to guess its key).
#![no_main]

use std::sync::OnceLock;

use hx_aead::Keyring;
use libfuzzer_sys::fuzz_target;

fn ring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| Keyring::generate().expect("keyring"))
}

fuzz_target!(|data: &[u8]| {
    let ring = ring();
    assert!(ring.open_bytes(data, b"ctx", None).is_err());
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(ring.open(text, b"ctx", None).is_err());
        assert!(ring.open(&format!("hx1.{text}"), b"", None).is_err());
    }
    // A token we make survives any split of the context into bytes we choose.
    let token = ring.seal_bytes(data, data).expect("seal");
    assert_eq!(&*ring.open_bytes(&token, data, None).expect("open"), data);
});
