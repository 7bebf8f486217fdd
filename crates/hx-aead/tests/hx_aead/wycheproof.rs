//! Project Wycheproof through exactly the backends hx runs: AES-CBC-PKCS5
//! (Fernet's layer), ChaCha20-Poly1305 and XChaCha20-Poly1305.

use hx_aead::hazmat::{self, ChaChaVariant};
use serde::Deserialize;

use crate::unhex;

use hx_test_support::wycheproof::{self, Expect};

#[derive(Deserialize)]
struct CbcGroup {
    tests: Vec<CbcCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CbcCase {
    tc_id: u32,
    comment: String,
    key: String,
    iv: String,
    msg: String,
    ct: String,
    result: Expect,
}

#[test]
fn aes_cbc_pkcs5() {
    let file: wycheproof::File<CbcGroup> =
        wycheproof::load(env!("CARGO_MANIFEST_DIR"), "aes_cbc_pkcs5_test.json");
    let (mut valid, mut invalid) = (0, 0);
    for c in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = format!("tcId {} ({})", c.tc_id, c.comment);
        let key = unhex(&c.key);
        let iv: [u8; 16] = unhex(&c.iv).try_into().unwrap();
        let ct = unhex(&c.ct);
        let opened = hazmat::aes_cbc_pkcs7_decrypt(&key, &iv, &ct);
        match c.result {
            Expect::Valid => {
                valid += 1;
                assert_eq!(hex::encode(&*opened.unwrap()), c.msg, "{id}");
                let ours = hazmat::aes_cbc_pkcs7_encrypt(&key, &iv, &unhex(&c.msg)).unwrap();
                assert_eq!(hex::encode(ours), c.ct, "{id}");
            }
            Expect::Invalid => {
                invalid += 1;
                assert!(opened.is_err(), "{id}: invalid ciphertext accepted");
            }
            Expect::Acceptable => panic!("{id}: unexpected acceptable case"),
        }
    }
    assert_eq!(valid + invalid, file.number_of_tests);
    assert_eq!((valid, invalid), (72, 144));
}

#[derive(Deserialize)]
struct AeadGroup {
    tests: Vec<AeadCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AeadCase {
    tc_id: u32,
    comment: String,
    key: String,
    iv: String,
    aad: String,
    msg: String,
    ct: String,
    tag: String,
    result: Expect,
}

fn check_aead(name: &str, variant: ChaChaVariant, expected: (usize, usize)) {
    let file: wycheproof::File<AeadGroup> = wycheproof::load(env!("CARGO_MANIFEST_DIR"), name);
    let (mut valid, mut invalid) = (0, 0);
    for c in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = format!("{name} tcId {} ({})", c.tc_id, c.comment);
        let (key, nonce, aad) = (unhex(&c.key), unhex(&c.iv), unhex(&c.aad));
        let sealed = [unhex(&c.ct), unhex(&c.tag)].concat();
        let opened = hazmat::chacha_open(variant, &key, &nonce, &aad, &sealed);
        match c.result {
            Expect::Valid => {
                valid += 1;
                assert_eq!(hex::encode(&*opened.unwrap()), c.msg, "{id}");
                let resealed =
                    hazmat::chacha_seal(variant, &key, &nonce, &aad, &unhex(&c.msg)).unwrap();
                assert_eq!(resealed, sealed, "{id}");
            }
            Expect::Invalid => {
                invalid += 1;
                assert!(opened.is_err(), "{id}: invalid case accepted");
            }
            Expect::Acceptable => panic!("{id}: unexpected acceptable case"),
        }
    }
    assert_eq!(valid + invalid, file.number_of_tests, "{name}");
    assert_eq!((valid, invalid), expected, "{name}");
}

#[test]
fn chacha20_poly1305() {
    check_aead(
        "chacha20_poly1305_test.json",
        ChaChaVariant::ChaCha20Poly1305,
        (256, 69),
    );
}

#[test]
fn xchacha20_poly1305() {
    check_aead(
        "xchacha20_poly1305_test.json",
        ChaChaVariant::XChaCha20Poly1305,
        (246, 69),
    );
}
