//! hx-random's integration tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_random/apikey.rs"]
mod apikey;
#[path = "hx_random/format.rs"]
mod format;
#[path = "hx_random/passwords.rs"]
mod passwords;
#[path = "hx_random/peer.rs"]
mod peer;
#[path = "hx_random/properties.rs"]
mod properties;
#[path = "hx_random/tokens.rs"]
mod tokens;

/// An API key's stored hash has a text form (`hmac-sha256:HEX`) as
/// `Display` / `FromStr`, and serde uses it; the key itself parses with
/// `FromStr` but has no `Display`.
#[test]
fn api_key_hashes_have_a_text_form() {
    let pepper = hx_random::Pepper::generate().unwrap();
    let key = hx_random::ApiKey::generate("acme").unwrap();
    let stored = key.hash(&pepper);
    let text = stored.to_string();
    assert!(text.starts_with("hmac-sha256:"), "{text}");
    let again: hx_random::ApiKeyHash = text.parse().unwrap();
    let presented: hx_random::ApiKey = key.expose_secret().parse().unwrap();
    presented.verify(&pepper, &again).unwrap();
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&stored).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        let read: hx_random::ApiKeyHash = serde_json::from_str(&json).unwrap();
        presented.verify(&pepper, &read).unwrap();
        assert!(serde_json::from_str::<hx_random::ApiKeyHash>("\"hmac-sha256:00\"").is_err());
    }
}
