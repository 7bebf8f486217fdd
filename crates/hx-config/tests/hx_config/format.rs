//! The fixed-input vector of docs/FORMAT.md ("Encrypted config file"),
//! computed by an independent Python implementation of the format
//! (tests/interop/config_peer.py): hx must write it byte for byte and open
//! it.

use hx_config::hazmat::{FixedInputs, document_with_fixed_inputs};
use hx_config::{Config, Opener};
use serde_json::Value;

use crate::api::get;

const VECTORS: [&str; 2] = ["config_vector.json", "config_vector_v2.json"];

fn vector(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixed<const N: usize>(v: &Value) -> [u8; N] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    (
                        e[0].as_str().unwrap().to_owned(),
                        e[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn hx_writes_the_vectors_byte_for_byte() {
    for name in VECTORS {
        let v = vector(name);
        let ring =
            hx_aead::Keyring::from_document(v["keyring_document"].as_str().unwrap()).unwrap();
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
        let plain = pairs(&v["plain"]);
        let plain: Vec<(&str, &str)> = plain
            .iter()
            .map(|(p, val)| (p.as_str(), val.as_str()))
            .collect();
        let text = document_with_fixed_inputs(
            &ring,
            &FixedInputs {
                file_id: fixed(&v["file_id_hex"]),
                data_key: fixed(&v["data_key_hex"]),
                generation: v["generation"].as_u64().unwrap(),
                wrap_nonce: fixed(&v["wrap_nonce_hex"]),
                values: &borrowed,
                plain: &plain,
            },
        )
        .unwrap();
        assert_eq!(text, v["text"].as_str().unwrap(), "{name}");
        // and the canonical form of what it parses is itself
        assert_eq!(hx_config::hazmat::canonical(&text).unwrap(), text, "{name}");
    }
}

#[test]
fn hx_opens_the_vectors() {
    for name in VECTORS {
        let v = vector(name);
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
        assert!(!config.is_plain("api.key"));
        let plain = pairs(&v["plain"]);
        for (path, value) in &plain {
            assert_eq!(&get(&config, path), value, "{name}: {path}");
            assert!(config.is_plain(path), "{name}: {path}");
        }
        assert_eq!(config.len(), 2 + plain.len());
    }
}

/// A version 2 file is refused without values in clear (one spelling per
/// file), and a version 1 file with them; a build that only knew version 1
/// refused both, as it refuses any other version.
#[test]
fn the_version_matches_the_values_in_clear() {
    let v2 = vector("config_vector_v2.json");
    let text = v2["text"].as_str().unwrap();
    let as_v1 = text.replace("version = 2", "version = 1");
    assert!(matches!(
        hx_config::inspect(&as_v1),
        Err(hx_config::Error::Parse { .. })
    ));
    let start = text.find("\n# Not secret").unwrap();
    let end = text.find("\n[hx]\n").unwrap();
    let without_plain = format!("{}{}", &text[..start], &text[end..]);
    assert!(matches!(
        hx_config::inspect(&without_plain),
        Err(hx_config::Error::Parse { .. })
    ));
    let v3 = text.replace("version = 2", "version = 3");
    assert!(matches!(
        hx_config::inspect(&v3),
        Err(hx_config::Error::Parse { .. })
    ));
}
