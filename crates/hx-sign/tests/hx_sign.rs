//! hx-sign's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_sign/keys.rs"]
mod keys;
#[path = "hx_sign/peer.rs"]
mod peer;
#[path = "hx_sign/validation.rs"]
mod validation;
#[path = "hx_sign/wycheproof.rs"]
mod wycheproof;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}

/// Public keys have a text form (PEM; OpenSSH lines read too) as `Display`
/// / `FromStr`, and serde uses it.
#[test]
fn public_keys_have_a_text_form() {
    let key = hx_sign::PrivateKey::generate(hx_sign::Algorithm::Ed25519).unwrap();
    let public = key.public_key();
    let text = public.to_string();
    assert!(text.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{text}");
    assert_eq!(text.parse::<hx_sign::PublicKey>().unwrap(), public);
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti foo@bar.com";
    let from_ssh: hx_sign::PublicKey = line.parse().unwrap();
    assert_eq!(from_ssh.algorithm(), hx_sign::Algorithm::Ed25519);
    assert!("not a key".parse::<hx_sign::PublicKey>().is_err());
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&public).unwrap();
        assert_eq!(json, serde_json::to_string(&text).unwrap());
        assert_eq!(
            serde_json::from_str::<hx_sign::PublicKey>(&json).unwrap(),
            public
        );
        assert!(serde_json::from_str::<hx_sign::PublicKey>("\"nope\"").is_err());
    }
}
