//! Streams: decrypting arbitrary bytes never panics or succeeds; the header
//! magic is prepended half the time so the chunk parser is reached.
#![no_main]

use std::sync::OnceLock;

use hx_aead::{Keyring, stream};
use libfuzzer_sys::fuzz_target;

fn ring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| Keyring::generate().expect("keyring"))
}

fuzz_target!(|data: &[u8]| {
    let ring = ring();
    let mut out = Vec::new();
    assert!(stream::decrypt(ring, data, &mut out).is_err());
    assert!(out.is_empty(), "no plaintext from a forged stream");
    let mut with_header = b"hxstream\x01".to_vec();
    with_header.extend_from_slice(&ring.primary_id().to_be_bytes());
    with_header.extend_from_slice(data);
    assert!(stream::decrypt(ring, &with_header[..], &mut out).is_err());
    assert!(out.is_empty());
});
