//! hx-kex's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_kex/keys.rs"]
mod keys;
#[path = "hx_kex/peer.rs"]
mod peer;
#[path = "hx_kex/vectors.rs"]
mod vectors;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}

pub fn arr32(s: &str) -> [u8; 32] {
    unhex(s).try_into().unwrap()
}

/// Public keys have a text form (PEM; age recipients read too) as
/// `Display` / `FromStr`, and serde uses it.
#[test]
fn public_keys_have_a_text_form() {
    use hx_kex::{x25519, xwing};
    let x = x25519::StaticSecret::generate().unwrap().public_key();
    let text = x.to_string();
    assert!(text.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{text}");
    assert_eq!(text.parse::<x25519::PublicKey>().unwrap(), x);
    assert_eq!(
        x.to_age().to_string().parse::<x25519::PublicKey>().unwrap(),
        x
    );
    let w = xwing::PrivateKey::generate().unwrap().public_key();
    let again: xwing::PublicKey = w.to_age().unwrap().to_string().parse().unwrap();
    assert_eq!(again.to_bytes(), w.to_bytes());
    let general: hx_kex::PublicKey = w.to_string().parse().unwrap();
    assert_eq!(general.to_string(), w.to_string());
    assert!("age1nope".parse::<hx_kex::PublicKey>().is_err());
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(json, serde_json::to_string(&text).unwrap());
        assert_eq!(serde_json::from_str::<x25519::PublicKey>(&json).unwrap(), x);
        let json = serde_json::to_string(&w.to_age().unwrap().to_string()).unwrap();
        let read: xwing::PublicKey = serde_json::from_str(&json).unwrap();
        assert_eq!(read.to_bytes(), w.to_bytes());
        assert!(serde_json::from_str::<hx_kex::PublicKey>("\"nope\"").is_err());
    }
}
