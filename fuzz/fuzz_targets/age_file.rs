//! age files (hx-age): the header parser, the armor and the decryptor never
//! panic; a header that parses re-encodes to the bytes it was read from;
//! armor that decodes re-armors to something that decodes the same.
#![no_main]

use std::io::{Read, Write};
use std::sync::OnceLock;

use hx_age::{Decryptor, Header, Identity, scrypt, x25519};
use libfuzzer_sys::fuzz_target;

fn identity() -> &'static x25519::Identity {
    static ID: OnceLock<x25519::Identity> = OnceLock::new();
    ID.get_or_init(|| x25519::Identity::new(hx_kex::x25519::StaticSecret::from_bytes(&[7; 32])))
}

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    if let Ok(header) = Header::read(&mut input) {
        let consumed = &data[..data.len() - input.len()];
        assert_eq!(header.to_bytes(), consumed, "one encoding per header");
    }
    let mut decoded = Vec::new();
    if hx_age::armor::ArmoredReader::new(data)
        .read_to_end(&mut decoded)
        .is_ok()
    {
        let mut again = hx_age::armor::ArmoredWriter::new(Vec::new());
        again.write_all(&decoded).expect("armor writes");
        let text = again.finish().expect("armor finishes");
        if !decoded.is_empty() {
            let mut back = Vec::new();
            hx_age::armor::ArmoredReader::new(&text[..])
                .read_to_end(&mut back)
                .expect("hx reads its armor");
            assert_eq!(back, decoded);
        }
    }
    // Small work factors only: the fuzzer must not spend its time in scrypt.
    let passphrase =
        scrypt::Identity::new(scrypt::Passphrase::new(b"fuzz".to_vec())).with_max_log_n(4);
    let ids: [&dyn Identity; 2] = [identity(), &passphrase];
    if let Ok(decryptor) = Decryptor::new(data) {
        let mut out = Vec::new();
        let _ = decryptor.decrypt_to(&ids, &mut out);
    }
    if let Ok(decryptor) = Decryptor::new(data) {
        if let Ok(mut reader) = decryptor.decrypt(&ids) {
            let mut out = Vec::new();
            let _ = reader.read_to_end(&mut out);
        }
    }
});
