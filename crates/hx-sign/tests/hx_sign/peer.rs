//! Peer test: Python's `cryptography` (OpenSSL) both ways, for Ed25519 and
//! RSA-PSS-SHA256: keys each side writes load on the other and derive the
//! same public key; signatures made by each verify on the other (Ed25519
//! signatures are byte-identical); tampered signatures are rejected by both.
//! The interpreter is `$HX_PYTHON` (set by `cargo xtask ci`) or `python3`; a
//! missing peer fails the test.

use std::process::Command;

use hx_sign::{Algorithm, Error, PrivateKey, PublicKey};
use serde_json::{Value, json};

const CASES: usize = 60;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let len = self.next() % max;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn python(manifest: &Value) -> Value {
    let py = std::env::var("HX_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/sign_peer.py");
    let path = std::env::temp_dir().join(format!(
        "hx-sign-peer-{}-{}.json",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, manifest.to_string()).unwrap();
    let out = Command::new(&py)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the Python peer ({py}): {e}"));
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "Python peer failed (run `cargo xtask peer-env`, set HX_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn spki_hex(key: &PublicKey) -> String {
    let pem = key.to_pem().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    hex::encode(
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap(),
    )
}

#[test]
fn python_cryptography_both_ways() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("sign peer seed {seed}");
    let mut rng = Rng(seed);

    // hx's keys: three Ed25519, two RSA-2048, one RSA-3072.
    let specs = [
        Algorithm::Ed25519,
        Algorithm::Ed25519,
        Algorithm::Ed25519,
        Algorithm::Rsa { bits: 2048 },
        Algorithm::Rsa { bits: 2048 },
        Algorithm::Rsa { bits: 3072 },
    ];
    let keys: Vec<PrivateKey> = specs
        .iter()
        .map(|&a| PrivateKey::generate(a).unwrap())
        .collect();
    let is_ed = |i: usize| i < 3;
    // Each algorithm gets CASES signatures: even cases Ed25519, odd RSA.
    let mut cases = Vec::new();
    let mut messages = Vec::new();
    for i in 0..2 * CASES {
        let key = if i % 2 == 0 {
            (i / 2) % 3
        } else {
            3 + (i / 2) % 3
        };
        let msg = rng.bytes(4096);
        let sig = keys[key].sign(&msg).unwrap();
        cases.push(json!({"key": key, "msg": hex::encode(&msg), "sig": hex::encode(&sig)}));
        messages.push((key, msg));
    }
    let python_keys = [
        "ed25519", "ed25519", "ed25519", "rsa-2048", "rsa-2048", "rsa-3072",
    ];
    let manifest = json!({
        "keys": keys.iter().map(|k| json!({
            "private": k.to_pem().unwrap().as_str(),
            "public": k.public_key().to_pem().unwrap(),
        })).collect::<Vec<_>>(),
        "cases": cases,
        "python_keys": python_keys,
        "python_cases": messages.iter().map(|(k, m)| json!({"key": k, "msg": hex::encode(m)})).collect::<Vec<_>>(),
    });
    let answer = python(&manifest);

    // Python read hx's keys: same public key from the private and public files.
    for (i, k) in answer["hx_keys"].as_array().unwrap().iter().enumerate() {
        assert_eq!(k["public_matches"], true, "hx key {i}");
        assert_eq!(
            k["spki"].as_str().unwrap(),
            spki_hex(&keys[i].public_key()),
            "hx key {i}"
        );
    }
    // Python verified hx's signatures and rejected tampered ones.
    let (mut ed_checked, mut rsa_checked) = (0, 0);
    for (i, r) in answer["hx_cases"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["valid"], true, "case {i}: Python rejected hx's signature");
        assert_eq!(
            r["tampered_valid"], false,
            "case {i}: Python accepted a tampered signature"
        );
        let (key, msg) = &messages[i];
        if is_ed(*key) {
            let hx_sig = keys[*key].sign(msg).unwrap();
            assert_eq!(
                r["python_sig"].as_str().unwrap(),
                hex::encode(hx_sig),
                "case {i}: Ed25519 differs"
            );
            ed_checked += 1;
        } else {
            rsa_checked += 1;
        }
    }
    assert_eq!((ed_checked, rsa_checked), (CASES, CASES));

    // hx reads Python's keys and verifies Python's signatures.
    let py_keys: Vec<(PrivateKey, PublicKey)> = answer["py_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let private = PrivateKey::from_pem(k["private"].as_str().unwrap().as_bytes()).unwrap();
            let public = PublicKey::from_pem(k["public"].as_str().unwrap().as_bytes()).unwrap();
            assert_eq!(private.public_key(), public);
            assert_eq!(spki_hex(&public), k["spki"].as_str().unwrap());
            (private, public)
        })
        .collect();
    for (i, (algorithm, (private, _))) in specs.iter().zip(&py_keys).enumerate() {
        assert_eq!(private.algorithm(), *algorithm, "Python key {i}");
    }
    let mut verified = [0usize; 2];
    for (i, r) in answer["py_cases"].as_array().unwrap().iter().enumerate() {
        let (key, msg) = &messages[i];
        let sig = hex::decode(r["sig"].as_str().unwrap()).unwrap();
        let public = &py_keys[*key].1;
        public
            .verify(msg, &sig)
            .unwrap_or_else(|e| panic!("case {i}: hx rejected Python's signature: {e}"));
        let mut bad = sig.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        assert!(
            matches!(public.verify(msg, &bad), Err(Error::InvalidSignature)),
            "case {i}"
        );
        if is_ed(*key) {
            // Deterministic: hx's signature with Python's key is Python's.
            assert_eq!(py_keys[*key].0.sign(msg).unwrap(), sig, "case {i}");
        }
        verified[usize::from(!is_ed(*key))] += 1;
    }
    assert_eq!(verified, [CASES, CASES]);

    // PKCS#1 ("TraditionalOpenSSL") RSA keys load; small and encrypted keys are refused.
    let traditional =
        PrivateKey::from_pem(answer["traditional_rsa"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(
        spki_hex(&traditional.public_key()),
        answer["traditional_rsa_spki"].as_str().unwrap()
    );
    assert!(matches!(
        PrivateKey::from_pem(answer["rsa_1024"].as_str().unwrap().as_bytes()),
        Err(Error::UnsupportedKeySize { bits: 1024 })
    ));
    assert!(matches!(
        PrivateKey::from_pem(answer["encrypted"].as_str().unwrap().as_bytes()),
        Err(Error::EncryptedKey)
    ));
}
