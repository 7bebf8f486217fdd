//! age and OpenSSH keys (hx-keys' `age` and `openssh`): parsing never
//! panics; whatever parses has exactly one text form (it re-encodes to the
//! input) and survives the trip through PKCS#8 / SubjectPublicKeyInfo.
#![no_main]

use hx_keys::age::{self, Identity, Recipient};
use hx_keys::openssh::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(identity) = text.parse::<Identity>() {
            assert_eq!(
                identity.to_encoded().as_str(),
                text,
                "one text per identity"
            );
            let pkcs8 = identity.to_pkcs8().expect("an identity encodes");
            let again = Identity::from_pkcs8(&pkcs8).expect("and reads back");
            assert_eq!(again.secret(), identity.secret());
        }
        if let Ok(recipient) = text.parse::<Recipient>() {
            assert_eq!(recipient.to_string(), text, "one text per recipient");
            let spki = recipient.to_spki().expect("a recipient encodes");
            assert_eq!(
                Recipient::from_spki(&spki).expect("and reads back"),
                recipient
            );
        }
        if let Ok(key) = text.parse::<PublicKey>() {
            let again: PublicKey = key.to_string().parse().expect("hx reads what it writes");
            assert_eq!(again, key);
            let spki = key.to_spki().expect("a public key encodes");
            let back = PublicKey::from_spki(&spki, key.comment()).expect("and reads back");
            assert_eq!(back.to_wire().ok(), key.to_wire().ok());
            let wire = key.to_wire().expect("wire encoding");
            assert_eq!(
                PublicKey::from_wire(&wire)
                    .expect("wire round trip")
                    .to_wire()
                    .ok(),
                Some(wire)
            );
        }
    }
    if let Ok(identities) = age::read_identity_file(data) {
        assert!(!identities.is_empty());
    }
    if let Ok(key) = PrivateKey::from_openssh(data) {
        let text = key.to_openssh().expect("a parsed key encodes");
        let again = PrivateKey::from_openssh(text.as_bytes()).expect("hx reads what it writes");
        assert_eq!(again.public_key(), key.public_key());
        if let Ok(pkcs8) = key.to_pkcs8() {
            let back = PrivateKey::from_pkcs8(&pkcs8, key.public_key().comment())
                .expect("its PKCS#8 reads back");
            assert_eq!(back.public_key(), key.public_key());
        }
    }
    let _ = hx_keys::keyfile::read(data);
});
