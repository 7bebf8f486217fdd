//! Key files as OpenSSL and Python write them, identified or refused with
//! the precise error; any bytes parse to a key or an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use hx_keys::keyfile::{self, KeyFile};
use hx_keys::{Algorithm, Error};
use proptest::prelude::*;

fn data(name: &str) -> Vec<u8> {
    hx_test_support::data_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

#[test]
fn files_are_identified() {
    match keyfile::read(&data("x25519-private.pem")).unwrap() {
        KeyFile::Private { algorithm, pkcs8 } => {
            assert_eq!(algorithm, Algorithm::X25519);
            // Back to PEM and read again: the same document.
            let pem = keyfile::private_pem(&pkcs8);
            match keyfile::read(pem.as_bytes()).unwrap() {
                KeyFile::Private { pkcs8: again, .. } => assert_eq!(*again, *pkcs8),
                KeyFile::Public { .. } => panic!("came back public"),
            }
        }
        KeyFile::Public { .. } => panic!("a private key file"),
    }
    match keyfile::read(&data("x25519-public.pem")).unwrap() {
        KeyFile::Public { algorithm, spki } => {
            assert_eq!(algorithm, Algorithm::X25519);
            assert_eq!(
                keyfile::spki_public_key(&spki, algorithm).unwrap().len(),
                32
            );
        }
        KeyFile::Private { .. } => panic!("a public key file"),
    }
}

#[test]
fn refusals_say_why() {
    assert_eq!(
        keyfile::read(&data("ed25519-encrypted.pem")).unwrap_err(),
        Error::EncryptedKey
    );
    assert_eq!(
        keyfile::read(&data("rsa2048-legacy-encrypted.pem")).unwrap_err(),
        Error::EncryptedKey
    );
    assert_eq!(
        keyfile::read(&data("rsa1024-private.pem")).unwrap_err(),
        Error::UnsupportedKeySize { bits: 1024 }
    );
    assert_eq!(
        keyfile::read(&data("rsa1024-public.pem")).unwrap_err(),
        Error::UnsupportedKeySize { bits: 1024 }
    );
    let ec = keyfile::read(&data("p256-private.pem")).unwrap_err();
    assert!(ec.to_string().contains("EC"), "{ec}");
    assert!(matches!(
        keyfile::read(b"-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n"),
        Err(Error::InvalidKey(why)) if why.contains("EC")
    ));
    assert!(matches!(
        keyfile::read(b"-----BEGIN PRIVATE KEY-----\nnot base64\n"),
        Err(Error::InvalidKey(_))
    ));
    assert!(matches!(
        keyfile::read(&vec![b'A'; 70_000]),
        Err(Error::InvalidKey(why)) if why.contains("64 KiB")
    ));
}

#[test]
fn algorithms_have_one_text_form() {
    for alg in [
        Algorithm::Ed25519,
        Algorithm::X25519,
        Algorithm::XWing,
        Algorithm::Rsa { bits: 3072 },
    ] {
        assert_eq!(alg.to_string().parse::<Algorithm>().unwrap(), alg);
        assert_eq!(
            alg.to_string().to_uppercase().parse::<Algorithm>().unwrap(),
            alg
        );
    }
    assert!("ecdsa-p256".parse::<Algorithm>().is_err());
}

proptest! {
    /// Any bytes, and any bytes inside a PEM frame: a key or an error.
    #[test]
    fn any_input_is_a_key_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = keyfile::read(&bytes);
        for label in ["PRIVATE KEY", "PUBLIC KEY", "RSA PRIVATE KEY", "RSA PUBLIC KEY"] {
            let pem = keyfile::private_pem(&bytes);
            let _ = keyfile::read(pem.replace("PRIVATE KEY", label).as_bytes());
        }
        let _ = hx_keys::rsa::public_modulus_bits(&bytes);
        let _ = hx_keys::rsa::private_modulus_bits(&bytes);
    }
}

/// OpenSSH stores a comment as bytes. One that is not UTF-8 is read as its
/// lossy UTF-8 form, so the key has one text form and survives a round trip
/// (found by the `text_keys` fuzz target).
#[test]
fn openssh_comments_that_are_not_utf8() {
    let file = data("openssh-rsa-latin1-comment");
    let key = hx_keys::openssh::PrivateKey::from_openssh(&file).unwrap();
    assert_eq!(key.public_key().comment(), "rn\u{fffd}t@vm");
    let text = key.to_openssh().unwrap();
    let again = hx_keys::openssh::PrivateKey::from_openssh(text.as_bytes()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert_eq!(*again.to_openssh().unwrap(), *text);
}
