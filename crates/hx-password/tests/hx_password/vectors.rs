//! Published vectors, grouped by source (tests/data/README.md names each
//! file's origin and licence).

use hx_password::{Argon2Variant, Error, Pbkdf2Prf, Policy, StoredHash, hazmat};
use hx_test_support::unhex;
use serde_json::Value;

fn data(name: &str) -> Value {
    serde_json::from_str(&hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)).unwrap()
}

fn variant(name: &str) -> Argon2Variant {
    match name {
        "argon2d" => Argon2Variant::Argon2d,
        "argon2i" => Argon2Variant::Argon2i,
        "argon2id" => Argon2Variant::Argon2id,
        other => panic!("unknown variant {other}"),
    }
}

fn u32_of(v: &Value) -> u32 {
    u32::try_from(v.as_u64().unwrap()).unwrap()
}

/// RFC 9106 §5 (Argon2d, Argon2i, Argon2id at version 0x13) and the
/// reference implementation's version-0x10 twins: secret input and
/// associated data included.
#[test]
fn rfc9106_and_reference_kats() {
    let doc = data("argon2.json");
    let kats = doc["kats"].as_array().unwrap();
    assert_eq!(kats.len(), 6);
    for kat in kats {
        let want = unhex(kat["tag"].as_str().unwrap());
        let mut tag = vec![0u8; want.len()];
        hazmat::argon2(
            variant(kat["variant"].as_str().unwrap()),
            u32_of(&kat["version"]),
            u32_of(&kat["m"]),
            u32_of(&kat["t"]),
            u32_of(&kat["p"]),
            &unhex(kat["password"].as_str().unwrap()),
            &unhex(kat["salt"].as_str().unwrap()),
            &unhex(kat["secret"].as_str().unwrap()),
            &unhex(kat["associated_data"].as_str().unwrap()),
            &mut tag,
        )
        .unwrap();
        assert_eq!(tag, want, "{} v{}", kat["variant"], kat["version"]);
        // and a flipped bit of the secret changes the tag
        let mut secret = unhex(kat["secret"].as_str().unwrap());
        secret[0] ^= 1;
        let mut other = vec![0u8; want.len()];
        hazmat::argon2(
            variant(kat["variant"].as_str().unwrap()),
            u32_of(&kat["version"]),
            u32_of(&kat["m"]),
            u32_of(&kat["t"]),
            u32_of(&kat["p"]),
            &unhex(kat["password"].as_str().unwrap()),
            &unhex(kat["salt"].as_str().unwrap()),
            &secret,
            &unhex(kat["associated_data"].as_str().unwrap()),
            &mut other,
        )
        .unwrap();
        assert_ne!(other, want);
    }
}

/// The reference implementation's test.c: raw output, the encoded string
/// (parsed, verified, written back byte for byte) and a wrong password.
#[test]
fn reference_hash_tests() {
    let doc = data("argon2.json");
    let cases = doc["hashtests"].as_array().unwrap();
    assert_eq!(cases.len(), 26);
    let policy = Policy::default();
    for case in cases {
        let password = case["password"].as_str().unwrap().as_bytes();
        let encoded = case["encoded"].as_str().unwrap();
        let want = unhex(case["hash"].as_str().unwrap());
        let mut out = vec![0u8; want.len()];
        hazmat::argon2(
            variant(case["variant"].as_str().unwrap()),
            u32_of(&case["version"]),
            u32_of(&case["m"]),
            u32_of(&case["t"]),
            u32_of(&case["p"]),
            password,
            case["salt"].as_str().unwrap().as_bytes(),
            &[],
            &[],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, want, "{encoded}");
        let stored: StoredHash = encoded.parse().unwrap();
        assert_eq!(stored.to_string(), encoded);
        assert_eq!(stored.argon2_version(), Some(u32_of(&case["version"])));
        policy.verify(password, encoded).unwrap();
        assert!(matches!(
            policy.verify(b"not the password", encoded),
            Err(Error::Mismatch)
        ));
    }
}

/// RFC 7914 §12 (scrypt, including the 1 GiB N = 2^20 case) and §11
/// (PBKDF2-HMAC-SHA-256).
#[test]
fn rfc7914() {
    let doc = data("rfc7914.json");
    let scrypt = doc["scrypt"].as_array().unwrap();
    assert_eq!(scrypt.len(), 4);
    for case in scrypt {
        let want = unhex(case["output"].as_str().unwrap());
        let mut out = vec![0u8; want.len()];
        let n = case["n"].as_u64().unwrap();
        hazmat::scrypt(
            case["password"].as_str().unwrap().as_bytes(),
            case["salt"].as_str().unwrap().as_bytes(),
            n.trailing_zeros() as u8,
            u32_of(&case["r"]),
            u32_of(&case["p"]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, want, "scrypt N = {n}");
    }
    let pbkdf2 = doc["pbkdf2_sha256"].as_array().unwrap();
    assert_eq!(pbkdf2.len(), 2);
    for case in pbkdf2 {
        let want = unhex(case["output"].as_str().unwrap());
        let mut out = vec![0u8; want.len()];
        hazmat::pbkdf2(
            Pbkdf2Prf::Sha256,
            case["password"].as_str().unwrap().as_bytes(),
            case["salt"].as_str().unwrap().as_bytes(),
            u32_of(&case["rounds"]),
            &mut out,
        );
        assert_eq!(out, want);
    }
}

/// OpenBSD's and crypt_blowfish's vectors, as pyca/bcrypt's tests carry
/// them: every one verifies and writes back byte for byte, except the two
/// whose password holds a NUL byte, which are refused (implementations
/// disagree on them).
#[test]
fn bcrypt_vectors() {
    let doc = data("bcrypt.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 28);
    let policy = Policy::default();
    let mut refused = 0;
    for v in vectors {
        let password = unhex(v["password"].as_str().unwrap());
        let hash = v["hash"].as_str().unwrap();
        let stored: StoredHash = hash.parse().unwrap();
        assert_eq!(stored.to_string(), hash);
        if password.contains(&0) {
            assert!(matches!(
                policy.verify(&password, hash),
                Err(Error::UnusablePassword(_))
            ));
            refused += 1;
            continue;
        }
        policy.verify(&password, hash).unwrap();
        let mut wrong = password.clone();
        wrong.push(b'x');
        assert!(matches!(policy.verify(&wrong, hash), Err(Error::Mismatch)));
    }
    assert_eq!(refused, 2);
}
