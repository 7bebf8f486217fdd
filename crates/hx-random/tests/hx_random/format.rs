//! The vectors of docs/FORMAT.md (tests/data/format_vectors.json), computed
//! independently with Python's zlib, hmac and base64.

use hx_random::{ApiKey, ApiKeyHash, CsrfKey, Pepper};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/format_vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn api_key_checksums() {
    let v = vectors();
    let keys = v["api_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 3);
    for k in keys {
        let text = k["key"].as_str().unwrap();
        let key = ApiKey::parse(text).unwrap();
        assert_eq!(key.prefix(), k["prefix"].as_str().unwrap());
    }
}

#[test]
fn stored_hash() {
    let v = vectors();
    let s = &v["stored_hash"];
    let pepper =
        Pepper::from_bytes(&hex::decode(s["pepper_hex"].as_str().unwrap()).unwrap()).unwrap();
    let key = ApiKey::parse(s["key"].as_str().unwrap()).unwrap();
    assert_eq!(key.hash(&pepper).to_string(), s["stored"].as_str().unwrap());
    let stored: ApiKeyHash = s["stored"].as_str().unwrap().parse().unwrap();
    key.verify(&pepper, &stored).unwrap();
}

#[test]
fn csrf_token() {
    let v = vectors();
    let c = &v["csrf"];
    let key =
        CsrfKey::from_bytes(&hex::decode(c["secret_hex"].as_str().unwrap()).unwrap()).unwrap();
    let token = c["token"].as_str().unwrap();
    key.verify(c["session"].as_str().unwrap(), token).unwrap();
    assert!(key.verify("session-2", token).is_err());
}
