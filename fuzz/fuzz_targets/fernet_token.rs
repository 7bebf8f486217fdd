//! Fernet tokens: decryption of arbitrary text never panics or authenticates.
#![no_main]

use hx_aead::{Fernet, FernetKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = Fernet::new(&FernetKey::from_bytes(&[9; 32])).expect("key");
    assert!(f.decrypt(text, Some(60)).is_err());
    assert!(f.extract_timestamp(text).is_err());
    let _ = FernetKey::from_base64(text);
});
