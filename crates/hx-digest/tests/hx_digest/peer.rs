//! Peer test: Python's `hashlib`/`hmac` (and `cryptography`'s HKDF) compute
//! the same values over random inputs of random lengths (0 to 1 MiB).
//!
//! The interpreter is `$HX_PYTHON` (set by `cargo xtask ci` to its virtual
//! environment) or `python3`. A missing peer fails the test; it never skips.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use hx_digest::{
    Algorithm, Blake2Params, Blake2b, Blake2s, HkdfAlgorithm, HmacAlgorithm, HmacKey, hash, hkdf,
};

/// splitmix64: a small deterministic generator so a failing seed can be replayed
/// with `HX_PEER_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Lengths spread over 0..=1 MiB: empty, small, around block sizes, large.
    fn length(&mut self) -> usize {
        match self.below(5) {
            0 => self.below(4),
            1 => self.below(300),
            2 => 64 * self.below(40) + self.below(3),
            3 => self.below(100_000),
            _ => self.below((1 << 20) + 1),
        }
    }
}

pub fn python() -> String {
    std::env::var("HX_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

struct Case {
    json: String,
    expected: String,
}

#[test]
fn python_hashlib_agrees_on_random_inputs() {
    let seed = std::env::var("HX_PEER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("peer test seed: HX_PEER_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<Case> = Vec::new();
    let data_file = |rng: &mut Rng, id: usize| -> (PathBuf, Vec<u8>) {
        let len = rng.length();
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
            let out = 1 + rng.below(max_out);
            let key = {
                let n = if rng.below(2) == 0 {
                    0
                } else {
                    1 + rng.below(max_key)
                };
                rng.bytes(n)
            };
            let salt = {
                let n = rng.below(max_salt + 1);
                rng.bytes(n)
            };
            let person = {
                let n = rng.below(max_salt + 1);
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
                let n = rng.below(300);
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
            let salt = (rng.below(3) > 0).then(|| {
                let n = rng.below(100);
                rng.bytes(n)
            });
            let n = rng.below(100);
            let info = rng.bytes(n);
            let length = 1 + rng.below(alg.max_output_len());
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
    let output = Command::new(python())
        .arg(&script)
        .arg(&manifest_path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run the Python peer ({}): {e}; run `cargo xtask peer-env` and set HX_PYTHON", python())
        });
    assert!(
        output.status.success(),
        "Python peer failed (run `cargo xtask peer-env` and set HX_PYTHON):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: std::collections::HashMap<String, String> =
        serde_json::from_slice(&output.stdout).unwrap();
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
