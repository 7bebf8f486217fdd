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

/// Argon2 of one vector's parameters (`m`, `t`, `p`, `variant`, `version`)
/// with the given inputs, into `len` bytes.
fn argon2_of(
    v: &Value,
    password: &[u8],
    salt: &[u8],
    secret: &[u8],
    associated_data: &[u8],
    len: usize,
) -> Vec<u8> {
    let mut out = vec![0u8; len];
    hazmat::argon2(
        variant(v["variant"].as_str().unwrap()),
        u32_of(&v["version"]),
        u32_of(&v["m"]),
        u32_of(&v["t"]),
        u32_of(&v["p"]),
        password,
        salt,
        secret,
        associated_data,
        &mut out,
    )
    .unwrap();
    out
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
        let field = |name: &str| unhex(kat[name].as_str().unwrap());
        let (password, salt, ad) = (field("password"), field("salt"), field("associated_data"));
        let mut secret = field("secret");
        let tag = argon2_of(kat, &password, &salt, &secret, &ad, want.len());
        assert_eq!(tag, want, "{} v{}", kat["variant"], kat["version"]);
        // and a flipped bit of the secret changes the tag
        secret[0] ^= 1;
        assert_ne!(
            argon2_of(kat, &password, &salt, &secret, &ad, want.len()),
            want
        );
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
        let salt = case["salt"].as_str().unwrap().as_bytes();
        let out = argon2_of(case, password, salt, &[], &[], want.len());
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
