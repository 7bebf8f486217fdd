//! hx-kex key files (X25519, X-Wing, RSA; PEM or DER): parsing never
//! panics; a key that parses re-encodes to a file that parses to the same
//! key, and encrypts to itself.
#![no_main]

use hx_kex::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PrivateKey::from_pem(data) {
        let pem = key.to_pem().expect("a parsed key encodes");
        let again = PrivateKey::from_pem(pem.as_bytes()).expect("hx reads what it writes");
        let public = key.public_key().expect("public key");
        assert_eq!(
            again
                .public_key()
                .expect("public key")
                .to_pem()
                .expect("pem"),
            public.to_pem().expect("pem")
        );
        let ct = public.encrypt(b"fuzz", b"x").expect("encrypts");
        assert_eq!(&key.decrypt(b"fuzz", &ct).expect("decrypts")[..], b"x");
    }
    if let Ok(key) = PublicKey::from_pem(data) {
        let pem = key.to_pem().expect("a parsed key encodes");
        assert_eq!(
            PublicKey::from_pem(pem.as_bytes())
                .expect("round trip")
                .to_pem()
                .expect("pem"),
            pem
        );
    }
});
