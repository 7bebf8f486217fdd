//! Encrypted config documents: parsing and opening never panic; canonical
//! text is a fixed point with the same paths, generation and recipients; and
//! a document that opens under the FORMAT.md vectors' keyring decrypts to
//! exactly one vector's values (a change anywhere either fails or changes
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
        let sealed = [
            ("api.key".to_owned(), b"sk_test_1".to_vec()),
            (
                "database.password".to_owned(),
                b"correct horse battery staple".to_vec(),
            ),
        ];
        // the version 2 vector: the same, and three values in clear
        let mut with_clear = sealed.to_vec();
        with_clear.extend([
            ("motd".to_owned(), MOTD.as_bytes().to_vec()),
            ("server.host".to_owned(), b"db.internal".to_vec()),
            ("server.port".to_owned(), b"8443".to_vec()),
        ]);
        with_clear.sort();
        assert!(values == sealed || values == with_clear, "{values:?}");
    }
});

const MOTD: &str =
    "Tab\there, \"quoted\", back\\slash,\nnew line, bell \u{7}, del \u{7f}, caf\u{e9} \u{1f511}";
