//! The fixed-input vectors of docs/FORMAT.md (tests/data/sealed_vectors.json),
//! computed by the independent Python implementation.

use hx_aead::{Keyring, hazmat};
use serde_json::Value;

use crate::{data, unhex};

#[test]
fn sealed_token_and_keyring_document_vectors() {
    let v: Value = serde_json::from_str(&data("sealed_vectors.json")).unwrap();
    let ring = Keyring::from_document(v["keyring_document"].as_str().unwrap()).unwrap();
    assert_eq!(u64::from(ring.primary_id()), v["key_id"].as_u64().unwrap());
    // The document hx writes for the same key is byte-identical.
    assert_eq!(
        ring.to_document().as_str(),
        v["keyring_document"].as_str().unwrap()
    );
    let tokens = v["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    for t in tokens {
        let plain = unhex(t["plaintext_hex"].as_str().unwrap());
        let ctx = unhex(t["context_hex"].as_str().unwrap());
        let at = t["issued_at"].as_u64().unwrap();
        let nonce: [u8; 24] = unhex(t["nonce_hex"].as_str().unwrap()).try_into().unwrap();
        let token = t["token"].as_str().unwrap();
        assert_eq!(
            hazmat::keyring_seal_with_nonce(&ring, &plain, &ctx, at, &nonce).unwrap(),
            token
        );
        assert_eq!(&*ring.open_at(token, &ctx, None, at).unwrap(), &plain[..]);
    }
}

#[test]
fn stream_vectors() {
    let v: Value = serde_json::from_str(&data("sealed_vectors.json")).unwrap();
    let ring = Keyring::from_document(v["keyring_document"].as_str().unwrap()).unwrap();
    let streams = v["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2);
    for s in streams {
        let salt: [u8; 32] = unhex(s["salt_hex"].as_str().unwrap()).try_into().unwrap();
        let plain = unhex(s["plaintext_hex"].as_str().unwrap());
        let expected = unhex(s["stream_hex"].as_str().unwrap());
        let mut out = Vec::new();
        hazmat::stream_encrypt_with_salt(&ring, &salt, &plain[..], &mut out).unwrap();
        assert_eq!(out, expected);
        let mut back = Vec::new();
        hx_aead::stream::decrypt(&ring, &expected[..], &mut back).unwrap();
        assert_eq!(back, plain);
    }
}
