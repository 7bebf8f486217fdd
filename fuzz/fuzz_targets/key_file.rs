//! Key files (PEM or DER, private or public): parsing never panics, in
//! hx-keys (any algorithm: a file it identifies re-encodes to PEM that it
//! identifies the same way) or in hx-sign; a signing key that parses
//! re-encodes to PEM that parses to the same key, and signs and verifies
//! consistently.
#![no_main]

use hx_sign::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match hx_keys::keyfile::read(data) {
        Ok(hx_keys::keyfile::KeyFile::Private { algorithm, pkcs8 }) => {
            let pem = hx_keys::keyfile::private_pem(&pkcs8);
            match hx_keys::keyfile::read(pem.as_bytes()).expect("hx-keys reads what it writes") {
                hx_keys::keyfile::KeyFile::Private {
                    algorithm: again, ..
                } => {
                    assert_eq!(again, algorithm);
                }
                hx_keys::keyfile::KeyFile::Public { .. } => {
                    panic!("a private key came back public")
                }
            }
        }
        Ok(hx_keys::keyfile::KeyFile::Public { algorithm, spki }) => {
            let pem = hx_keys::keyfile::public_pem(&spki);
            match hx_keys::keyfile::read(pem.as_bytes()).expect("hx-keys reads what it writes") {
                hx_keys::keyfile::KeyFile::Public {
                    algorithm: again, ..
                } => {
                    assert_eq!(again, algorithm);
                }
                hx_keys::keyfile::KeyFile::Private { .. } => {
                    panic!("a public key came back private")
                }
            }
        }
        Err(_) => {}
    }
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
