//! Encrypted config documents: parsing and opening never panic; canonical
//! text is a fixed point with the same paths, generation and recipients; and
//! a document that opens under the FORMAT.md vector's keyring decrypts to
//! exactly the vector's values (a change anywhere either fails or changes
//! nothing the MACs cover).
#![no_main]

use hx_config::{Opener, hazmat};
use libfuzzer_sys::fuzz_target;

const KEYRING: &str = "hx-keyring 1\nkey 16909060 primary xchacha20poly1305 1700000000 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\nchecksum sha256:e326e589c4bd32f9763ae53f4da3f6d0104858e3af97fae39b21caeba782dd6d\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inspected = hx_config::inspect(text);
    if let Ok(canonical) = hazmat::canonical(text) {
        assert_eq!(
            hazmat::canonical(&canonical).ok().as_ref(),
            Some(&canonical)
        );
        assert_eq!(
            hx_config::inspect(&canonical).ok(),
            inspected.as_ref().ok().cloned()
        );
    }
    let opener = Opener::Keyring(hx_aead::Keyring::from_document(KEYRING).unwrap());
    if let Ok(values) = hazmat::open_text(text, &opener) {
        let values: Vec<(String, Vec<u8>)> =
            values.into_iter().map(|(k, v)| (k, v.to_vec())).collect();
        assert_eq!(
            values,
            [
                ("api.key".to_owned(), b"sk_test_1".to_vec()),
                (
                    "database.password".to_owned(),
                    b"correct horse battery staple".to_vec()
                ),
            ]
        );
    }
});
