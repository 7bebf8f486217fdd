//! Peer test: Python's `hashlib`/`hmac` (and `cryptography`'s HKDF) compute
//! the same values over random inputs of random lengths (0 to 1 MiB).
//!
//! The interpreter is `$HX_PYTHON` (set by `cargo xtask ci` to its virtual
//! environment) or `python3`. A missing peer fails the test; it never skips.

use std::fmt::Write as _;
use std::path::PathBuf;

use hx_digest::{
    Algorithm, Blake2Params, Blake2b, Blake2s, HkdfAlgorithm, HmacAlgorithm, HmacKey, hash, hkdf,
};
use hx_test_support::{SplitMix64, peer_seed, python_command, run_checked};

/// Lengths spread over 0..=1 MiB: empty, small, around block sizes, large.
fn random_length(rng: &mut SplitMix64) -> usize {
    match rng.below_usize(5) {
        0 => rng.below_usize(4),
        1 => rng.below_usize(300),
        2 => 64 * rng.below_usize(40) + rng.below_usize(3),
        3 => rng.below_usize(100_000),
        _ => rng.below_usize((1 << 20) + 1),
    }
}

struct Case {
    json: String,
    expected: String,
}

#[test]
fn python_hashlib_agrees_on_random_inputs() {
    let seed = peer_seed();
    let mut rng = SplitMix64::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<Case> = Vec::new();
    let data_file = |rng: &mut SplitMix64, id: usize| -> (PathBuf, Vec<u8>) {
        let len = random_length(rng);
        let data = rng.bytes(len);
        let path = dir.path().join(format!("{id}.bin"));
        std::fs::write(&path, &data).unwrap();
        (path, data)
    };
    const PER_ALGORITHM: usize = 6;

    for alg in Algorithm::ALL {
        let kind = match alg {
            Algorithm::Blake3 => continue, // hashlib has no BLAKE3
            Algorithm::Blake2b512 | Algorithm::Blake2b256 | Algorithm::Blake2s256 => continue, // below, with parameters
            _ => "hash",
        };
        for _ in 0..PER_ALGORITHM {
            let id = cases.len();
            let (path, data) = data_file(&mut rng, id);
            cases.push(Case {
                json: format!(r#"{{"id":"{id}","kind":"{kind}","alg":"{alg}","data":{path:?}}}"#),
                expected: hash(alg, &data).to_hex(),
            });
        }
    }
    for (kind, max_out, max_key, max_salt) in [("blake2b", 64, 64, 16), ("blake2s", 32, 32, 8)] {
        for _ in 0..3 * PER_ALGORITHM {
            let id = cases.len();
            let (path, data) = data_file(&mut rng, id);
            let out = 1 + rng.below_usize(max_out);
            let key = {
                let n = if rng.below_usize(2) == 0 {
                    0
                } else {
                    1 + rng.below_usize(max_key)
                };
                rng.bytes(n)
            };
            let salt = {
                let n = rng.below_usize(max_salt + 1);
                rng.bytes(n)
            };
            let person = {
                let n = rng.below_usize(max_salt + 1);
                rng.bytes(n)
            };
            let params = Blake2Params::new(out)
                .key(&key)
                .salt(&salt)
                .persona(&person);
            let digest = if kind == "blake2b" {
                let mut h = Blake2b::new(&params).unwrap();
                h.update(&data);
                h.finalize()
            } else {
                let mut h = Blake2s::new(&params).unwrap();
                h.update(&data);
                h.finalize()
            };
            cases.push(Case {
                json: format!(
                    r#"{{"id":"{id}","kind":"{kind}","data":{path:?},"digest_size":{out},"key":"{}","salt":"{}","person":"{}"}}"#,
                    hex::encode(&key),
                    hex::encode(&salt),
                    hex::encode(&person)
                ),
                expected: digest.to_hex(),
            });
        }
    }
    for alg in HmacAlgorithm::ALL {
        for _ in 0..PER_ALGORITHM {
            let id = cases.len();
            let (path, data) = data_file(&mut rng, id);
            let key = {
                let n = rng.below_usize(300);
                rng.bytes(n)
            };
            cases.push(Case {
                json: format!(
                    r#"{{"id":"{id}","kind":"hmac","alg":"{alg}","data":{path:?},"key":"{}"}}"#,
                    hex::encode(&key)
                ),
                expected: HmacKey::new(alg, &key).unwrap().sign(&data).to_hex(),
            });
        }
    }
    for (alg, name) in [
        (HkdfAlgorithm::Sha256, "sha256"),
        (HkdfAlgorithm::Sha512, "sha512"),
    ] {
        for _ in 0..PER_ALGORITHM {
            let id = cases.len();
            let (path, data) = data_file(&mut rng, id);
            let salt = (rng.below_usize(3) > 0).then(|| {
                let n = rng.below_usize(100);
                rng.bytes(n)
            });
            let n = rng.below_usize(100);
            let info = rng.bytes(n);
            let length = 1 + rng.below_usize(alg.max_output_len());
            let okm = hkdf(alg, salt.as_deref(), &data, &info, length).unwrap();
            let salt_json =
                salt.map_or_else(String::new, |s| format!(r#","salt":"{}""#, hex::encode(s)));
            cases.push(Case {
                json: format!(
                    r#"{{"id":"{id}","kind":"hkdf","alg":"{name}","data":{path:?},"info":"{}","length":{length}{salt_json}}}"#,
                    hex::encode(&info)
                ),
                expected: hex::encode(&*okm),
            });
        }
    }

    let mut manifest = String::from("[");
    for (i, c) in cases.iter().enumerate() {
        if i > 0 {
            manifest.push(',');
        }
        write!(manifest, "{}", c.json).unwrap();
    }
    manifest.push(']');
    let manifest_path = dir.path().join("manifest.json");
    std::fs::write(&manifest_path, manifest).unwrap();

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/hashlib_peer.py");
    let output = run_checked(python_command().arg(&script).arg(&manifest_path), b"");
    let answers: std::collections::HashMap<String, String> =
        serde_json::from_slice(&output).unwrap();
    assert_eq!(answers.len(), cases.len());
    for (id, case) in cases.iter().enumerate() {
        assert_eq!(
            answers[&id.to_string()],
            case.expected,
            "case {}: hx and Python differ (seed {seed})",
            case.json
        );
    }
    eprintln!("peer test: {} cases agreed", cases.len());
}
