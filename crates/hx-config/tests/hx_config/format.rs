//! The fixed-input vector of docs/FORMAT.md ("Encrypted config file"),
//! computed by an independent Python implementation of the format
//! (tests/interop/config_peer.py): hx must write it byte for byte and open
//! it.

use hx_config::hazmat::{FixedInputs, document_with_fixed_inputs};
use hx_config::{Config, Opener};
use serde_json::Value;

use crate::api::get;

fn vector() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/config_vector.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fixed<const N: usize>(v: &Value) -> [u8; N] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn hx_writes_the_vector_byte_for_byte() {
    let v = vector();
    let ring = hx_aead::Keyring::from_document(v["keyring_document"].as_str().unwrap()).unwrap();
    let values: Vec<(String, String, [u8; 24])> = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_owned(),
                e[1].as_str().unwrap().to_owned(),
                fixed::<24>(&e[2]),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, [u8; 24])> = values
        .iter()
        .map(|(p, val, n)| (p.as_str(), val.as_str(), *n))
        .collect();
    let text = document_with_fixed_inputs(
        &ring,
        &FixedInputs {
            file_id: fixed(&v["file_id_hex"]),
            data_key: fixed(&v["data_key_hex"]),
            generation: v["generation"].as_u64().unwrap(),
            wrap_nonce: fixed(&v["wrap_nonce_hex"]),
            values: &borrowed,
        },
    )
    .unwrap();
    assert_eq!(text, v["text"].as_str().unwrap());
}

#[test]
fn hx_opens_the_vector() {
    let v = vector();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vector.hxc");
    std::fs::write(&path, v["text"].as_str().unwrap()).unwrap();
    let opener = Opener::Keyring(
        hx_aead::Keyring::from_document(v["keyring_document"].as_str().unwrap()).unwrap(),
    );
    let config = Config::open(&path, &opener).unwrap();
    assert_eq!(config.generation(), 2);
    assert_eq!(
        get(&config, "database.password"),
        "correct horse battery staple"
    );
    assert_eq!(get(&config, "api.key"), "sk_test_1");
}
