//! Key files: round trips, refusals with typed errors (encrypted, too small,
//! wrong type, unsupported, malformed, truncated), redacted `Debug`, and
//! property tests that no input makes a parser panic.

use hx_sign::ed25519::{self, SigningKey};
use hx_sign::{Algorithm, Error, PrivateKey, PublicKey, rsa};
use proptest::prelude::*;

use crate::data;

fn ed25519_key() -> PrivateKey {
    PrivateKey::Ed25519(SigningKey::from_bytes(&[42; 32]))
}

fn rsa_key() -> &'static PrivateKey {
    static KEY: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(Algorithm::Rsa { bits: 2048 }).unwrap())
}

#[test]
fn pem_round_trips_and_formats() {
    for key in [&ed25519_key(), rsa_key()] {
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
        let again = PrivateKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(again.algorithm(), key.algorithm());
        assert_eq!(again.public_key(), key.public_key());
        let public_pem = key.public_key().to_pem().unwrap();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let public = PublicKey::from_pem(public_pem.as_bytes()).unwrap();
        assert_eq!(public, key.public_key());
        // Text before the block (as `openssl` sometimes writes) is ignored,
        // and CRLF line endings are read.
        let noisy = format!("Key for the test suite\r\n{}", pem.replace('\n', "\r\n"));
        assert_eq!(
            PrivateKey::from_pem(noisy.as_bytes()).unwrap().public_key(),
            key.public_key()
        );
        let sig = again.sign(b"round trip").unwrap();
        public.verify(b"round trip", &sig).unwrap();
    }
    assert_eq!(rsa_key().algorithm(), Algorithm::Rsa { bits: 2048 });
    assert_eq!(ed25519_key().algorithm().to_string(), "ed25519");
}

#[test]
fn ed25519_documents_match_openssl_layout() {
    // RFC 8410 §10.3 example key.
    let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    let key = PrivateKey::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(*key.to_pem().unwrap(), pem);
    let PrivateKey::Ed25519(inner) = &key else {
        panic!("not ed25519")
    };
    assert_eq!(
        hex::encode(*inner.to_bytes()),
        "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842"
    );
    assert_eq!(
        key.public_key().to_pem().unwrap(),
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"
    );
}

#[test]
fn pkcs8_v2_public_key_must_match() {
    // RFC 8410 §10.3: a v2 document with the public key and an attribute.
    let v2 = "-----BEGIN PRIVATE KEY-----\nMHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\noB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrB\nZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PRIVATE KEY-----\n";
    let key = PrivateKey::from_pem(v2.as_bytes()).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Ed25519);
    // The same document with one bit of the embedded public key flipped.
    let der = pem_der(v2);
    let mut bad = der.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(
        SigningKey::from_pkcs8_der(&bad),
        Err(Error::InvalidKey(_))
    ));
    assert!(SigningKey::from_pkcs8_der(&der).is_ok());
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn refusals_are_typed() {
    // Encrypted keys, both PKCS#8 and legacy PEM encryption.
    for file in ["ed25519-encrypted.pem", "rsa2048-legacy-encrypted.pem"] {
        assert!(
            matches!(
                PrivateKey::from_pem(data(file).as_bytes()),
                Err(Error::EncryptedKey)
            ),
            "{file}"
        );
    }
    // RSA below 2048 bits, private and public.
    assert!(matches!(
        PrivateKey::from_pem(data("rsa1024-private.pem").as_bytes()),
        Err(Error::UnsupportedKeySize { bits: 1024 })
    ));
    assert!(matches!(
        PublicKey::from_pem(data("rsa1024-public.pem").as_bytes()),
        Err(Error::UnsupportedKeySize { bits: 1024 })
    ));
    // X25519 keys are well formed but do not sign.
    assert!(matches!(
        PrivateKey::from_pem(data("x25519-private.pem").as_bytes()),
        Err(Error::WrongKeyType {
            found: Algorithm::X25519,
            ..
        })
    ));
    assert!(matches!(
        PublicKey::from_pem(data("x25519-public.pem").as_bytes()),
        Err(Error::WrongKeyType {
            found: Algorithm::X25519,
            ..
        })
    ));
    // An ed25519 reader given an RSA key, and the reverse.
    let rsa_pem = rsa_key().to_pem().unwrap();
    assert!(matches!(
        SigningKey::from_pem(rsa_pem.as_bytes()),
        Err(Error::UnsupportedAlgorithm(_))
    ));
    let ed_pem = ed25519_key().to_pem().unwrap();
    assert!(matches!(
        rsa::SigningKey::from_pem(ed_pem.as_bytes()),
        Err(Error::UnsupportedAlgorithm(ref oid)) if oid == "1.3.101.112"
    ));
    // Unknown algorithm (P-256) names its OID.
    let err = PrivateKey::from_pem(data("p256-private.pem").as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedAlgorithm(ref oid) if oid == "1.2.840.10045.2.1"),
        "{err}"
    );
    // Public where private is needed and the reverse.
    let public_pem = ed25519_key().public_key().to_pem().unwrap();
    assert!(matches!(
        PrivateKey::from_pem(public_pem.as_bytes()),
        Err(Error::InvalidKey(_))
    ));
    assert!(matches!(
        PublicKey::from_pem(ed_pem.as_bytes()),
        Err(Error::InvalidKey(_))
    ));
    // Not a key at all.
    for junk in [
        &b""[..],
        b"hello",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        assert!(matches!(
            PrivateKey::from_pem(junk),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            PublicKey::from_pem(junk),
            Err(Error::InvalidKey(_))
        ));
    }
    // Generation of algorithms that do not sign or sizes hx does not make.
    assert!(matches!(
        PrivateKey::generate(Algorithm::X25519),
        Err(Error::WrongKeyType { .. })
    ));
    assert!(matches!(
        PrivateKey::generate(Algorithm::Rsa { bits: 1024 }),
        Err(Error::UnsupportedKeySize { bits: 1024 })
    ));
    assert!("rsa-x".parse::<Algorithm>().is_err());
    assert!("dsa".parse::<Algorithm>().is_err());
}

#[test]
fn error_messages_carry_no_key_material() {
    let pem = ed25519_key().to_pem().unwrap();
    let body: String = pem.lines().nth(1).unwrap().chars().take(20).collect();
    let mut truncated = pem.as_bytes()[..pem.len() - 40].to_vec();
    truncated.extend_from_slice(b"\n-----END PRIVATE KEY-----\n");
    let err = PrivateKey::from_pem(&truncated).unwrap_err().to_string();
    assert!(!err.contains(&body), "{err}");
    let debug = format!("{:?} {:?}", ed25519_key(), rsa_key());
    assert!(
        debug.contains("[REDACTED]") && !debug.contains(&body),
        "{debug}"
    );
    assert!(!format!("{:?}", SigningKey::from_bytes(&[0xab; 32])).contains("ab"));
}

#[test]
fn truncated_documents_are_errors() {
    for key in [&ed25519_key(), rsa_key()] {
        let pem = key.to_pem().unwrap();
        let der = pem_der(&pem);
        for cut in (0..der.len()).step_by(7) {
            assert!(
                PrivateKey::from_pkcs8_der(&der[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let public = pem_der(&key.public_key().to_pem().unwrap());
        for cut in 0..public.len() {
            assert!(
                PublicKey::from_spki_der(&public[..cut]).is_err(),
                "cut {cut}"
            );
        }
        // Cut PEM text anywhere: an error, never a panic.
        for cut in (0..pem.len()).step_by(5) {
            let _ = PrivateKey::from_pem(&pem.as_bytes()[..cut]);
        }
    }
}

#[test]
fn signatures_of_wrong_length_or_key_are_rejected() {
    for key in [&ed25519_key(), rsa_key()] {
        let public = key.public_key();
        let sig = key.sign(b"m").unwrap();
        for len in [0, 1, sig.len() - 1, sig.len() + 1] {
            let mut other = sig.clone();
            other.resize(len, 0);
            assert!(matches!(
                public.verify(b"m", &other),
                Err(Error::InvalidSignature)
            ));
        }
    }
    let ed_sig = ed25519_key().sign(b"m").unwrap();
    assert!(matches!(
        rsa_key().public_key().verify(b"m", &ed_sig),
        Err(Error::InvalidSignature)
    ));
    let rsa_sig = rsa_key().sign(b"m").unwrap();
    assert!(matches!(
        ed25519_key().public_key().verify(b"m", &rsa_sig),
        Err(Error::InvalidSignature)
    ));
    // Two PSS signatures of the same message differ (random salt) and both verify.
    let again = rsa_key().sign(b"m").unwrap();
    assert_ne!(rsa_sig, again);
    rsa_key().public_key().verify(b"m", &again).unwrap();
}

#[test]
fn rsa_sizes_generate() {
    for bits in [3072, 4096] {
        let key = rsa::SigningKey::generate(bits).unwrap();
        assert_eq!(key.bits(), bits);
        let sig = key.sign_pss_sha256(b"x").unwrap();
        assert_eq!(sig.len(), bits / 8);
        key.verifying_key().verify_pss_sha256(b"x", &sig).unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        assert_eq!(
            rsa::SigningKey::from_pkcs8_der(&pkcs8)
                .unwrap()
                .verifying_key(),
            key.verifying_key()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = PrivateKey::from_pem(&bytes);
        let _ = PublicKey::from_pem(&bytes);
        let _ = PrivateKey::from_pkcs8_der(&bytes);
        let _ = PublicKey::from_spki_der(&bytes);
        let _ = ed25519::VerifyingKey::from_bytes(&bytes);
        let _ = rsa::VerifyingKey::from_pkcs1_der(&bytes);
        let _ = rsa::SigningKey::from_pkcs1_der(&bytes);
    }

    #[test]
    fn mutated_key_documents_never_panic(
        which in 0usize..4,
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let ed = ed25519_key();
        let docs = [
            pem_der(&ed.to_pem().unwrap()),
            pem_der(&ed.public_key().to_pem().unwrap()),
            pem_der(&rsa_key().to_pem().unwrap()),
            pem_der(&rsa_key().public_key().to_pem().unwrap()),
        ];
        let mut doc = docs[which].clone();
        let i = pos.index(doc.len());
        doc[i] = byte;
        doc.truncate(cut.index(doc.len() + 1));
        if which % 2 == 0 {
            if let Ok(key) = PrivateKey::from_pkcs8_der(&doc) {
                // Whatever parses must sign and verify consistently.
                let sig = key.sign(b"p").unwrap();
                key.public_key().verify(b"p", &sig).unwrap();
            }
        } else if let Ok(key) = PublicKey::from_spki_der(&doc) {
            prop_assert!(key.verify(b"p", &[0u8; 64]).is_err());
        }
    }

    #[test]
    fn ed25519_public_keys_validate(bytes in any::<[u8; 32]>()) {
        // Random bytes: about half are points; of those, a key with a
        // small-order component is refused. Whatever is accepted re-encodes
        // to the same bytes.
        if let Ok(key) = ed25519::VerifyingKey::from_bytes(&bytes) {
            prop_assert_eq!(key.as_bytes(), &bytes);
        }
    }
}

/// RSA through a message digest (any size, constant memory) makes and
/// checks the very signatures the message itself does.
#[test]
fn rsa_digest_path_matches_the_message_path() {
    let key = rsa::SigningKey::generate(2048).unwrap();
    let public = key.verifying_key();
    let message: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let digest = rsa::MessageDigest::sha256_reader(&message[..]).unwrap();
    assert_eq!(
        format!("{digest:?}"),
        "MessageDigest(SHA-256)",
        "the digest type prints no bytes"
    );
    let by_digest = key.sign_pss_sha256_digest(&digest).unwrap();
    public.verify_pss_sha256(&message, &by_digest).unwrap();
    let by_message = key.sign_pss_sha256(&message).unwrap();
    public
        .verify_pss_sha256_digest(&digest, &by_message)
        .unwrap();
    let other = rsa::MessageDigest::sha256(&message[1..]);
    assert!(
        public
            .verify_pss_sha256_digest(&other, &by_message)
            .is_err()
    );
    assert!(
        public
            .verify_pkcs1v15_sha256_digest(&digest, &by_message)
            .is_err()
    );
}

/// Code written against RustCrypto's `Signer`/`Verifier`/`Keypair` takes
/// hx's keys, and the trait path is the strict one.
#[test]
fn signature_traits_sign_and_verify_strictly() {
    use signature::{Keypair, Signer, Verifier};
    fn round_trip<S, K>(key: &K, message: &[u8]) -> Result<(), signature::Error>
    where
        K: Signer<S> + Keypair,
        K::VerifyingKey: Verifier<S>,
    {
        let signature = key.try_sign(message)?;
        key.verifying_key().verify(message, &signature)?;
        match key.verifying_key().verify(b"another message", &signature) {
            Ok(()) => Err(signature::Error::new()),
            Err(_) => Ok(()),
        }
    }
    round_trip::<ed25519::Signature, _>(&SigningKey::generate().unwrap(), b"m").unwrap();
    round_trip::<Vec<u8>, _>(&rsa::SigningKey::generate(2048).unwrap(), b"m").unwrap();
    // A signature whose S is not reduced (S + L) is refused on the trait
    // path as on hx's own.
    let key = SigningKey::generate().unwrap();
    let sig = key.sign(b"m");
    let mut bytes: [u8; 64] = sig.as_ref().try_into().unwrap();
    // L = 2^252 + 27742317777372353535851937790883648493, little endian.
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(bytes[32 + i]) + u16::from(l[i]) + carry;
        bytes[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    let malleated = ed25519::Signature::from_bytes(&bytes).unwrap();
    assert!(Verifier::verify(&key.verifying_key(), b"m", &malleated).is_err());
}
