//! RFC 4231 (HMAC-SHA-256), RFC 5869 (HKDF-SHA-256) and the NIST SHA3-256
//! examples, including one million 'a'.

use hx_digest::{Algorithm, HkdfAlgorithm, HmacAlgorithm, HmacKey, Prk, hash, hkdf};
use serde::Deserialize;

use crate::{data, unhex};

#[derive(Deserialize)]
struct Doc<T> {
    tests: Vec<T>,
}

#[derive(Deserialize)]
struct Rfc4231 {
    id: u32,
    key: String,
    data: String,
    mac: String,
    truncated_to_bits: Option<usize>,
}

#[test]
fn rfc4231_hmac_sha256() {
    let doc: Doc<Rfc4231> = serde_json::from_str(&data("rfc4231_hmac_sha256.json")).unwrap();
    assert_eq!(doc.tests.len(), 7);
    for case in &doc.tests {
        let key = HmacKey::new(HmacAlgorithm::Sha256, &unhex(&case.key)).unwrap();
        let msg = unhex(&case.data);
        let mac = unhex(&case.mac);
        let tag = key.sign(&msg);
        assert_eq!(&tag.as_bytes()[..mac.len()], &mac[..], "case {}", case.id);
        if case.truncated_to_bits.is_some() {
            key.verify_truncated(&msg, &mac).unwrap();
            assert!(
                key.verify(&msg, &mac).is_err(),
                "short tag must fail full verify"
            );
        } else {
            key.verify(&msg, &mac).unwrap();
            let mut bad = mac.clone();
            bad[0] ^= 1;
            assert!(key.verify(&msg, &bad).is_err(), "case {}", case.id);
        }
    }
}

#[derive(Deserialize)]
struct Rfc5869 {
    id: u32,
    ikm: String,
    salt: String,
    info: String,
    length: usize,
    prk: String,
    okm: String,
}

#[test]
fn rfc5869_hkdf_sha256() {
    let doc: Doc<Rfc5869> = serde_json::from_str(&data("rfc5869_hkdf_sha256.json")).unwrap();
    assert_eq!(doc.tests.len(), 3);
    for case in &doc.tests {
        let salt = unhex(&case.salt);
        // A.3 has an empty salt, which RFC 5869 treats like no salt.
        let salt = (!salt.is_empty()).then_some(&salt[..]);
        let prk = Prk::extract(HkdfAlgorithm::Sha256, salt, &unhex(&case.ikm));
        assert_eq!(
            hex::encode(prk.expose_secret()),
            case.prk,
            "case {}",
            case.id
        );
        let okm = hkdf(
            HkdfAlgorithm::Sha256,
            salt,
            &unhex(&case.ikm),
            &unhex(&case.info),
            case.length,
        )
        .unwrap();
        assert_eq!(hex::encode(&*okm), case.okm, "case {}", case.id);
        // Expand-only from the published PRK gives the same OKM.
        let prk = Prk::from_bytes(HkdfAlgorithm::Sha256, &unhex(&case.prk)).unwrap();
        let mut out = vec![0u8; case.length];
        prk.expand(&unhex(&case.info), &mut out).unwrap();
        assert_eq!(hex::encode(out), case.okm, "case {}", case.id);
    }
}

#[derive(Deserialize)]
struct Sha3Example {
    description: String,
    message: Option<String>,
    message_repeat: Option<Repeat>,
    digest: String,
}

#[derive(Deserialize)]
struct Repeat {
    byte: String,
    count: usize,
}

#[test]
fn nist_sha3_256_examples() {
    let doc: Doc<Sha3Example> = serde_json::from_str(&data("sha3_256_examples.json")).unwrap();
    assert_eq!(doc.tests.len(), 6);
    for case in &doc.tests {
        let msg = match (&case.message, &case.message_repeat) {
            (Some(m), _) => unhex(m),
            (None, Some(r)) => vec![unhex(&r.byte)[0]; r.count],
            (None, None) => panic!("{}: no message", case.description),
        };
        assert_eq!(
            hash(Algorithm::Sha3_256, &msg).to_hex(),
            case.digest,
            "{}",
            case.description
        );
    }
}

#[test]
fn rfc7693_blake2b_and_blake2s_abc() {
    // RFC 7693 Appendix A (BLAKE2b-512) and Appendix B (BLAKE2s-256).
    assert_eq!(
        hash(Algorithm::Blake2b512, b"abc").to_hex(),
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
         7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
    );
    assert_eq!(
        hash(Algorithm::Blake2s256, b"abc").to_hex(),
        "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"
    );
}

#[test]
fn fips180_sha2_abc() {
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA384.pdf", "SHA512.pdf").
    assert_eq!(
        hash(Algorithm::Sha384, b"abc").to_hex(),
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
         8086072ba1e7cc2358baeca134c825a7"
    );
    assert_eq!(
        hash(Algorithm::Sha512, b"abc").to_hex(),
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
         2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    );
}

#[test]
fn blake3_reference_vectors() {
    // From the BLAKE3 repository's test_vectors.json (input: bytes 0..251
    // repeating, length 1023; key "whats the Elvish word for friend";
    // context "BLAKE3 2019-12-27 16:29:52 test vectors context").
    let input: Vec<u8> = (0..1023u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        hash(Algorithm::Blake3, &input).to_hex(),
        "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"
    );
    let key = hx_digest::Blake3Key::from_bytes(b"whats the Elvish word for friend");
    assert_eq!(
        hx_digest::blake3_keyed_hash(&key, &input).to_hex(),
        "c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e"
    );
    assert_eq!(
        hex::encode(*hx_digest::blake3_derive_key(
            "BLAKE3 2019-12-27 16:29:52 test vectors context",
            &input
        )),
        "74a16c1c3d44368a86e1ca6df64be6a2f64cce8f09220787450722d85725dea5"
    );
}
