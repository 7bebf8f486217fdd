//! Peer test: Python's `cryptography` 48 both ways. X25519 shared secrets and
//! derived keys are equal on both sides; HPKE ciphertexts (X25519 and
//! X-Wing suites, with `info`) and RSA-OAEP ciphertexts (with `info` as the
//! label) made by each side open on the other, and altered ones open on
//! neither; keys written by each side load on the other. The interpreter is
//! `$HX_PYTHON` (set by `cargo xtask ci`) or `python3`; a missing peer fails
//! the test.

use hx_kex::x25519::{self, StaticSecret};
use hx_kex::{Error, PrivateKey, PublicKey};
use hx_keys::Algorithm;
use hx_test_support::{SplitMix64, peer_seed, python_command, run_checked};
use serde_json::{Value, json};

const CASES: usize = 50;

/// Random bytes, 0 to `max` of them.
fn bytes_upto(rng: &mut SplitMix64, max: u64) -> Vec<u8> {
    let len = rng.below(max + 1);
    rng.bytes(len as usize)
}

fn python(manifest: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/kex_peer.py");
    let path = std::env::temp_dir().join(format!(
        "hx-kex-peer-{}-{}.json",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, manifest.to_string()).unwrap();
    let out = run_checked(python_command().arg(script).arg(&path), b"");
    std::fs::remove_file(&path).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("field {k}"))
}

#[test]
fn python_cryptography_both_ways() {
    let mut rng = SplitMix64::new(peer_seed());

    // X25519: hx's keys; Python brings its own.
    let x_keys: Vec<StaticSecret> = (0..CASES)
        .map(|_| StaticSecret::generate().unwrap())
        .collect();
    let x_infos: Vec<Vec<u8>> = (0..CASES).map(|_| bytes_upto(&mut rng, 24)).collect();
    let x25519_cases: Vec<Value> = x_keys
        .iter()
        .zip(&x_infos)
        .map(|(k, info)| {
            json!({
                "hx_private": k.to_pem().unwrap().as_str(),
                "hx_public": k.public_key().to_pem().unwrap(),
                "info": hex::encode(info),
            })
        })
        .collect();

    // Encryption: recipients of each kind, written by hx.
    let recipients: Vec<(&str, PrivateKey)> = [
        ("x25519", Algorithm::X25519),
        ("x25519", Algorithm::X25519),
        ("xwing", Algorithm::XWing),
        ("xwing", Algorithm::XWing),
        ("rsa", Algorithm::Rsa { bits: 2048 }),
        ("rsa", Algorithm::Rsa { bits: 2048 }),
    ]
    .into_iter()
    .map(|(kind, alg)| (kind, PrivateKey::generate(alg).unwrap()))
    .collect();
    let mut enc_cases = Vec::new();
    let mut plain = Vec::new();
    for kind_index in 0..3 {
        for i in 0..CASES {
            let (kind, key) = &recipients[kind_index * 2 + i % 2];
            let max = if *kind == "rsa" { 190 } else { 3000 };
            let (info, pt) = (bytes_upto(&mut rng, 32), bytes_upto(&mut rng, max));
            let ct = key.public_key().unwrap().encrypt(&info, &pt).unwrap();
            enc_cases.push(json!({
                "kind": kind,
                "hx_private": key.to_pem().unwrap().as_str(),
                "hx_public": key.public_key().unwrap().to_pem().unwrap(),
                "info": hex::encode(&info),
                "plaintext": hex::encode(&pt),
                "ciphertext": hex::encode(&ct),
            }));
            plain.push((kind_index * 2 + i % 2, info, pt));
        }
    }
    let answer = python(&json!({"x25519": x25519_cases, "encryption": enc_cases}));

    // X25519 agreements and derived keys match.
    for (i, a) in answer["x25519"].as_array().unwrap().iter().enumerate() {
        let theirs = x25519::PublicKey::from_pem(s(a, "public").as_bytes()).unwrap();
        let shared = x_keys[i].agree(&theirs).unwrap();
        assert_eq!(
            hex::encode(shared.expose_secret()),
            s(a, "shared"),
            "agreement {i}"
        );
        assert_eq!(
            hex::encode(&*shared.derive(&x_infos[i], 32).unwrap()),
            s(a, "derived"),
            "derive {i}"
        );
        // crypto_kx: Python is the client, hx the server.
        let server = x25519::server_session_keys(&x_keys[i], &theirs).unwrap();
        assert_eq!(
            hex::encode(server.receive()),
            s(a, "kx_client_tx"),
            "kx {i}"
        );
        assert_eq!(
            hex::encode(server.transmit()),
            s(a, "kx_client_rx"),
            "kx {i}"
        );
        let their_private = StaticSecret::from_pem(s(a, "private").as_bytes()).unwrap();
        let client = x25519::client_session_keys(&their_private, &x_keys[i].public_key()).unwrap();
        assert_eq!(
            hex::encode(client.receive()),
            s(a, "kx_client_rx"),
            "kx {i}"
        );
        assert_eq!(their_private.public_key(), theirs);
        let back = their_private.agree(&x_keys[i].public_key()).unwrap();
        assert_eq!(back.expose_secret(), shared.expose_secret());
    }

    // Encryption both ways.
    let mut per_kind = [0usize; 3];
    for (i, r) in answer["encryption"].as_array().unwrap().iter().enumerate() {
        let (key_index, info, pt) = &plain[i];
        assert_eq!(
            r["opened"].as_str(),
            Some(hex::encode(pt).as_str()),
            "case {i}: Python did not open hx's ciphertext"
        );
        assert!(
            r["opened_bad"].is_null(),
            "case {i}: Python opened an altered ciphertext"
        );
        let theirs = hex::decode(s(r, "python_ciphertext")).unwrap();
        let key = &recipients[*key_index].1;
        assert_eq!(
            &key.decrypt(info, &theirs).unwrap()[..],
            &pt[..],
            "case {i}: hx did not open Python's"
        );
        let mut bad = theirs.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        assert!(
            matches!(key.decrypt(info, &bad), Err(Error::InvalidCiphertext)),
            "case {i}"
        );
        per_kind[key_index / 2] += 1;
    }
    assert_eq!(per_kind, [CASES; 3]);

    // Keys Python wrote load in hx and open what Python encrypted to them.
    for k in answer["python_keys"].as_array().unwrap() {
        let private = PrivateKey::from_pem(s(k, "private").as_bytes()).unwrap();
        let public = PublicKey::from_pem(s(k, "public").as_bytes()).unwrap();
        assert_eq!(
            private.public_key().unwrap().to_pem().unwrap(),
            public.to_pem().unwrap()
        );
        let pt = private
            .decrypt(
                &hex::decode(s(k, "info")).unwrap(),
                &hex::decode(s(k, "ciphertext")).unwrap(),
            )
            .unwrap();
        assert_eq!(hex::encode(&*pt), s(k, "plaintext"));
    }
}
