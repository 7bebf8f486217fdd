//! HPKE and RSA-OAEP decryption of arbitrary bytes, and of a real
//! ciphertext with bytes changed: never panics, never opens.
#![no_main]

use std::sync::OnceLock;

use hx_kex::{Error, PrivateKey};
use hx_sign::Algorithm;
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static [(PrivateKey, Vec<u8>)] {
    static KEYS: OnceLock<Vec<(PrivateKey, Vec<u8>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            Algorithm::X25519,
            Algorithm::XWing,
            Algorithm::Rsa { bits: 2048 },
        ]
        .into_iter()
        .map(|alg| {
            let key = PrivateKey::generate(alg).expect("generate");
            let ct = key
                .public_key()
                .expect("public")
                .encrypt(b"i", b"secret")
                .expect("encrypt");
            (key, ct)
        })
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (key, real) = &keys()[usize::from(selector) % 3];
    assert!(
        matches!(key.decrypt(b"i", rest), Err(Error::InvalidCiphertext)) || rest == real.as_slice()
    );
    // XOR the input into the real ciphertext: any change must be refused.
    if !rest.is_empty() && rest.iter().any(|&b| b != 0) {
        let mut changed = real.clone();
        for (i, b) in rest.iter().enumerate() {
            changed[i % real.len()] ^= b;
        }
        if changed != *real {
            assert!(key.decrypt(b"i", &changed).is_err());
        }
    }
});
