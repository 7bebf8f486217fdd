//! Key files (PEM or DER, private or public): parsing never panics; a key
//! that parses re-encodes to PEM that parses to the same key, and signs and
//! verifies consistently.
#![no_main]

use hx_sign::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PrivateKey::from_pem(data) {
        let pem = key.to_pem().expect("a parsed key encodes");
        let again = PrivateKey::from_pem(pem.as_bytes()).expect("hx reads what it writes");
        assert_eq!(again.public_key(), key.public_key());
        let sig = key.sign(b"fuzz").expect("a parsed key signs");
        key.public_key()
            .verify(b"fuzz", &sig)
            .expect("and its signature verifies");
    }
    if let Ok(key) = PublicKey::from_pem(data) {
        let pem = key.to_pem().expect("a parsed key encodes");
        assert_eq!(
            PublicKey::from_pem(pem.as_bytes()).expect("round trip"),
            key
        );
    }
    let _ = PublicKey::from_spki_der(data);
    let _ = PrivateKey::from_pkcs8_der(data);
});
