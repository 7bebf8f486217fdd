//! Keyring documents: parsing never panics; a document that parses writes
//! back to a document that parses to the same keys.
#![no_main]

use hx_aead::{Keyring, MasterKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ring) = Keyring::from_document(text) {
        let again = Keyring::from_document(&ring.to_document()).expect("round trip");
        assert_eq!(again.list(), ring.list());
    }
    // With a valid checksum appended, the line parser itself is reached.
    let sum = hx_digest::hash(hx_digest::Algorithm::Sha256, text.as_bytes()).to_hex();
    let _ = Keyring::from_document(&format!("{text}checksum sha256:{sum}\n"));
    let _ = Keyring::from_sealed_document(text, &MasterKey::from_bytes(&[1; 32]));
});
