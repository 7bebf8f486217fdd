//! Peers both ways: Python's argon2-cffi, pyca/bcrypt, passlib and hashlib
//! (with Django's and Werkzeug's formats built as those frameworks build
//! them) make hashes that hx verifies, and verify the hashes hx makes
//! (tests/interop/password_peer.py). A missing peer fails the test.

use std::collections::BTreeSet;

use hx_password::{Algorithm, Error, Pepper, Policy, StoredHash};
use hx_test_support::python_json;
use serde_json::json;

fn script() -> String {
    format!(
        "{}/tests/interop/password_peer.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

const PASSWORDS: [&str; 5] = [
    "hunter2",
    "correct horse battery staple",
    "pässwörd ☃ 密码",
    // bcrypt's whole 72 bytes
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567",
    // beyond bcrypt's 72 (pyca/bcrypt refuses it; Django's bcrypt_sha256 takes it)
    "a long passphrase that goes well beyond the seventy-two bytes bcrypt reads, and then some",
];

#[test]
fn hx_verifies_what_the_python_peers_write() {
    let request = json!({ "make": PASSWORDS.iter().map(hex::encode).collect::<Vec<_>>() });
    let answer = python_json(script(), &[], &request);
    let made = answer["made"].as_array().unwrap();
    let policy = Policy::default();
    let mut producers = BTreeSet::new();
    for item in made {
        let password = hex::decode(item["password"].as_str().unwrap()).unwrap();
        let hash = item["hash"].as_str().unwrap();
        let by = item["by"].as_str().unwrap();
        policy
            .verify(&password, hash)
            .unwrap_or_else(|e| panic!("{by}: {hash}: {e}"));
        let mut wrong = password.clone();
        wrong[0] ^= 1;
        assert!(
            matches!(policy.verify(&wrong, hash), Err(Error::Mismatch)),
            "{by}: {hash}"
        );
        let stored: StoredHash = hash.parse().unwrap();
        assert_eq!(stored.to_string(), hash, "{by} writes back byte for byte");
        assert!(policy.needs_rehash(&stored), "{by}");
        let upgraded = policy.verify_and_upgrade(&password, hash).unwrap().unwrap();
        assert!(upgraded.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"));
        producers.insert(by.to_owned());
    }
    // 16 producers for the first four passwords; bcrypt's two skip the
    // one beyond 72 bytes
    assert_eq!(producers.len(), 16, "{producers:?}");
    assert_eq!(made.len(), 16 * 4 + 14);
}

#[test]
fn the_python_peers_verify_what_hx_writes() {
    let mut checks = Vec::new();
    let mut expect = Vec::new();
    let pepper_bytes = [0x5a_u8; 32];
    for algorithm in [
        Algorithm::Argon2id,
        Algorithm::Scrypt,
        Algorithm::Pbkdf2Sha256,
        Algorithm::Pbkdf2Sha512,
        Algorithm::Bcrypt,
    ] {
        for (i, password) in PASSWORDS.iter().take(4).enumerate() {
            let peppered = i == 1;
            let mut policy = Policy::recommended(algorithm).unwrap();
            if peppered {
                policy = policy.with_pepper(Pepper::from_bytes(&pepper_bytes).unwrap());
            }
            let hash = policy.hash(password.as_bytes()).unwrap();
            let pepper = peppered.then(|| hex::encode(pepper_bytes));
            checks.push(json!({"password": hex::encode(password), "hash": hash, "pepper": pepper}));
            expect.push(true);
            checks.push(json!({"password": hex::encode(format!("{password}!")), "hash": hash, "pepper": pepper}));
            // bcrypt's 72 bytes: the peer refuses a 73rd rather than answer
            expect.push(false);
            if i == 3 && algorithm == Algorithm::Bcrypt {
                checks.pop();
                expect.pop();
            }
        }
    }
    let answer = python_json(script(), &[], &json!({ "check": checks }));
    let checked: Vec<bool> = answer["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_bool().unwrap())
        .collect();
    assert_eq!(checked.len(), expect.len());
    for ((check, got), want) in checks.iter().zip(&checked).zip(&expect) {
        assert_eq!(got, want, "{check}");
    }
}

/// The real frameworks: Django's own hashers (`make_password`, Django's
/// default costs) and Werkzeug's `generate_password_hash`
/// (tests/interop/frameworks_peer.py) write hashes that hx verifies,
/// refuses for a wrong password and upgrades.
#[test]
fn hx_verifies_what_django_and_werkzeug_write() {
    let script = format!(
        "{}/tests/interop/frameworks_peer.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let passwords = [
        "hunter2",
        "pässwörd ☃ 密码 beyond seventy-two bytes of text, as long passphrases are",
    ];
    let request = json!(passwords.iter().map(hex::encode).collect::<Vec<_>>());
    let made = python_json(script, &[], &request);
    let made = made.as_array().unwrap();
    let policy = Policy::default();
    let mut producers = BTreeSet::new();
    for item in made {
        let password = hex::decode(item["password"].as_str().unwrap()).unwrap();
        let hash = item["hash"].as_str().unwrap();
        let by = item["by"].as_str().unwrap();
        policy
            .verify(&password, hash)
            .unwrap_or_else(|e| panic!("{by}: {hash}: {e}"));
        assert!(
            matches!(policy.verify(b"hunter3", hash), Err(Error::Mismatch)),
            "{by}"
        );
        let stored: StoredHash = hash.parse().unwrap();
        assert_eq!(stored.to_string(), hash, "{by} writes back byte for byte");
        assert!(
            policy
                .verify_and_upgrade(&password, hash)
                .unwrap()
                .is_some(),
            "{by}"
        );
        producers.insert(by.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
    // Django: 5 hashers for the short password, 4 for the long one (bcrypt
    // takes 72 bytes); Werkzeug: 3 methods each
    assert_eq!(made.len(), 5 + 4 + 3 * 2, "{producers:?}");
}
