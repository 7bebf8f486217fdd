//! Peer test: Python's `cryptography` (OpenSSL) both ways, for Ed25519 and
//! RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt), over random messages of 0
//! to 4096 bytes: keys each side writes (PKCS#8 and SubjectPublicKeyInfo PEM)
//! load on the other and give the same public key; signatures each side makes
//! verify on the other, and with one bit flipped are refused by both; Ed25519
//! signatures are byte-identical. Python's PKCS#1 ("traditional") RSA keys
//! load; its 1024-bit and encrypted keys are refused with the right error.
//! The interpreter is `$HX_PYTHON` (set by `cargo xtask ci`) or `python3`; a
//! missing peer fails the test.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hx_sign::{Algorithm, Error, PrivateKey, PublicKey, rsa};
use hx_test_support::{SplitMix64, peer_seed, python_command, run_checked};
use serde_json::{Value, json};

/// Signatures per algorithm and direction.
const CASES: usize = 60;
/// Longest message.
const MAX_LEN: u64 = 4096;

/// A message of random length, 0 to `MAX_LEN` bytes.
fn message(rng: &mut SplitMix64) -> Vec<u8> {
    let len = rng.below(MAX_LEN + 1);
    rng.bytes(len as usize)
}

/// A bit to flip in a signature of `len` bytes: (byte, bit).
fn flip(rng: &mut SplitMix64, len: usize) -> (usize, u32) {
    (rng.below_usize(len), rng.below(8) as u32)
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Runs `sign_peer.py MODE MANIFEST` with the manifest written to a fresh
/// directory under the system temp dir, and parses what it prints.
fn python(mode: &str, manifest: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/sign_peer.py");
    let dir = std::env::temp_dir().join(format!("hx-sign-peer-{}-{}", std::process::id(), nanos()));
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join(format!("{mode}.json"));
    std::fs::write(&path, manifest.to_string()).unwrap();
    let out = run_checked(python_command().arg(script).arg(mode).arg(&path), b"");
    std::fs::remove_dir_all(&dir).unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// `CASES` Ed25519 cases over keys `0..ed` then `CASES` RSA cases over keys
/// `ed..ed + rsa`: (key, message). Each run has an empty and a 4096-byte
/// message; the other lengths are random.
fn messages(rng: &mut SplitMix64, ed: usize, rsa: usize) -> Vec<(usize, Vec<u8>)> {
    (0..2 * CASES)
        .map(|i| {
            let (j, key) = if i < CASES {
                (i, i % ed)
            } else {
                (i - CASES, ed + (i - CASES) % rsa)
            };
            let len = match j {
                0 => 0,
                1 => MAX_LEN,
                _ => rng.below(MAX_LEN + 1),
            };
            (key, rng.bytes(len as usize))
        })
        .collect()
}

/// A signature hx makes with a key Python generated, for Python to verify.
fn foreign_case(
    rng: &mut SplitMix64,
    public_pem: &str,
    sign: impl FnOnce(&[u8]) -> hx_sign::Result<Vec<u8>>,
) -> Value {
    let msg = message(rng);
    let sig = sign(&msg).unwrap();
    json!({"public": public_pem, "msg": hex::encode(&msg), "sig": hex::encode(sig)})
}

fn spki(key: &PublicKey) -> Vec<u8> {
    match key {
        PublicKey::Ed25519(k) => k.to_spki_der(),
        PublicKey::Rsa(k) => k.to_spki_der().unwrap(),
        other => panic!("not a signature key: {other:?}"),
    }
}

fn raw_ed25519(key: &PublicKey) -> Option<String> {
    match key {
        PublicKey::Ed25519(k) => Some(hex::encode(k.as_bytes())),
        _ => None,
    }
}

/// The RSA modulus size, 0 for other keys.
fn rsa_bits(key: &PublicKey) -> usize {
    match key.algorithm() {
        Algorithm::Rsa { bits } => bits,
        _ => 0,
    }
}

fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn str_hex(v: &Value) -> Vec<u8> {
    hex::decode(text(v)).unwrap()
}

/// Mismatches, collected so one run reports all of them.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
}

fn refused(result: hx_sign::Result<impl std::fmt::Debug>, want: &Error) -> bool {
    match (result, want) {
        (Err(Error::UnsupportedKeySize { bits }), Error::UnsupportedKeySize { bits: w }) => {
            bits == *w
        }
        (Err(Error::EncryptedKey), Error::EncryptedKey) => true,
        _ => false,
    }
}

#[test]
fn python_cryptography_both_ways() {
    let start = Instant::now();
    let seed = peer_seed();
    let mut rng = SplitMix64::new(seed);
    let mut failures = Failures::default();
    let mut foreign = Vec::new();

    // Python's keys and signatures; hx reads and verifies them.
    let py_specs = [
        "ed25519", "ed25519", "ed25519", "rsa-2048", "rsa-2048", "rsa-3072", "rsa-4096",
    ];
    let py_cases = messages(&mut rng, 3, 4);
    let made = python(
        "make",
        &json!({
            "keys": py_specs,
            "cases": py_cases.iter().map(|(k, m)| json!({"key": k, "msg": hex::encode(m)})).collect::<Vec<_>>(),
        }),
    );
    let py_made = start.elapsed();

    let made_keys = made["keys"].as_array().unwrap();
    assert_eq!(made_keys.len(), py_specs.len());
    let mut py_keys = Vec::new();
    for (i, (k, spec)) in made_keys.iter().zip(py_specs).enumerate() {
        let algorithm = match spec.strip_prefix("rsa-") {
            Some(bits) => Algorithm::Rsa {
                bits: bits.parse().unwrap(),
            },
            None => Algorithm::Ed25519,
        };
        let private = PrivateKey::from_pem(text(&k["private"]).as_bytes())
            .unwrap_or_else(|e| panic!("hx refused Python's {spec} private key {i}: {e}"));
        let public = PublicKey::from_pem(text(&k["public"]).as_bytes())
            .unwrap_or_else(|e| panic!("hx refused Python's {spec} public key {i}: {e}"));
        failures.check(
            private.algorithm() == algorithm && public.algorithm() == algorithm,
            || {
                format!(
                    "Python key {i}: hx reads {:?}, Python wrote {spec}",
                    private.algorithm()
                )
            },
        );
        failures.check(private.public_key() == public, || {
            format!("Python key {i}: hx derives another public key from the private one")
        });
        failures.check(spki(&public) == str_hex(&k["spki"]), || {
            format!("Python key {i}: hx's SubjectPublicKeyInfo differs from Python's")
        });
        if let Some(raw) = raw_ed25519(&public) {
            failures.check(raw == text(&k["raw"]), || {
                format!("Python key {i}: Ed25519 public key bytes differ")
            });
        } else {
            failures.check(k["bits"] == json!(rsa_bits(&public)), || {
                format!("Python key {i}: modulus size differs")
            });
            // OpenSSL's traditional PKCS#1 file, through both entry points.
            let pkcs1 = text(&k["traditional"]).as_bytes();
            assert!(pkcs1.starts_with(b"-----BEGIN RSA PRIVATE KEY-----"));
            let traditional = PrivateKey::from_pem(pkcs1)
                .unwrap_or_else(|e| panic!("hx refused Python's PKCS#1 key {i}: {e}"));
            let rsa_key = rsa::SigningKey::from_pem(pkcs1)
                .unwrap_or_else(|e| panic!("rsa::SigningKey refused Python's PKCS#1 key {i}: {e}"));
            failures.check(
                traditional.public_key() == public
                    && PublicKey::Rsa(rsa_key.verifying_key().clone()) == public
                    && rsa_key.bits() == rsa_bits(&public),
                || format!("Python key {i}: the PKCS#1 file gives another key"),
            );
            // hx signs with them too (one from each file); Python verifies.
            let public_pem = text(&k["public"]);
            foreign.push(foreign_case(&mut rng, public_pem, |m| {
                rsa_key.sign_pss_sha256(m)
            }));
            foreign.push(foreign_case(&mut rng, public_pem, |m| traditional.sign(m)));
        }
        foreign.push(foreign_case(&mut rng, text(&k["public"]), |m| {
            private.sign(m)
        }));
        py_keys.push((private, public));
    }

    let sigs = made["sigs"].as_array().unwrap();
    assert_eq!(sigs.len(), py_cases.len());
    let mut py_verified = [0usize; 2];
    for (i, ((key, msg), sig)) in py_cases.iter().zip(sigs).enumerate() {
        let (private, public) = &py_keys[*key];
        let sig = str_hex(sig);
        let is_ed = matches!(public, PublicKey::Ed25519(_));
        let verified = public.verify(msg, &sig);
        failures.check(verified.is_ok(), || {
            format!("Python case {i} (key {key}): hx rejected Python's signature: {verified:?}")
        });
        let mut bad = sig.clone();
        let (byte, bit) = flip(&mut rng, bad.len());
        bad[byte] ^= 1 << bit;
        let tampered = public.verify(msg, &bad);
        failures.check(matches!(tampered, Err(Error::InvalidSignature)), || {
            format!("Python case {i} (key {key}): bit {byte}.{bit} flipped gives {tampered:?}")
        });
        if is_ed {
            failures.check(private.sign(msg).unwrap() == sig, || {
                format!("Python case {i} (key {key}): hx's Ed25519 signature differs from Python's")
            });
        }
        py_verified[usize::from(!is_ed)] += 1;
    }

    // Key files hx must refuse.
    let refuse = &made["refuse"];
    let pem = |name: &str| text(&refuse[name]).as_bytes();
    let small = Error::UnsupportedKeySize { bits: 1024 };
    let mut refusals = 0;
    let mut refused_as = |what: &str, ok: bool| {
        refusals += 1;
        failures.check(ok, || format!("{what} was not refused as it should be"));
    };
    for name in ["rsa_1024_private", "rsa_1024_traditional"] {
        refused_as(name, refused(PrivateKey::from_pem(pem(name)), &small));
        refused_as(name, refused(rsa::SigningKey::from_pem(pem(name)), &small));
    }
    refused_as(
        "rsa_1024_public",
        refused(PublicKey::from_pem(pem("rsa_1024_public")), &small),
    );
    refused_as(
        "rsa_1024_public",
        refused(rsa::VerifyingKey::from_pem(pem("rsa_1024_public")), &small),
    );
    for name in [
        "encrypted_pkcs8_ed25519",
        "encrypted_pkcs8_rsa",
        "encrypted_traditional_rsa",
    ] {
        refused_as(
            name,
            refused(PrivateKey::from_pem(pem(name)), &Error::EncryptedKey),
        );
    }
    for name in ["encrypted_pkcs8_rsa", "encrypted_traditional_rsa"] {
        refused_as(
            name,
            refused(rsa::SigningKey::from_pem(pem(name)), &Error::EncryptedKey),
        );
    }

    // hx's keys and signatures; Python reads and verifies them.
    let hx_specs = [
        Algorithm::Ed25519,
        Algorithm::Ed25519,
        Algorithm::Ed25519,
        Algorithm::Rsa { bits: 2048 },
        Algorithm::Rsa { bits: 2048 },
        Algorithm::Rsa { bits: 3072 },
        Algorithm::Rsa { bits: 4096 },
    ];
    let hx_keys: Vec<PrivateKey> = hx_specs
        .iter()
        .map(|&a| PrivateKey::generate(a).unwrap())
        .collect();
    let hx_cases = messages(&mut rng, 3, 4);
    let keys_json: Vec<Value> = hx_keys
        .iter()
        .map(|k| {
            let public = k.public_key();
            json!({
                "algorithm": if raw_ed25519(&public).is_some() { "ed25519" } else { "rsa" },
                "bits": rsa_bits(&public),
                "private": k.to_pem().unwrap().as_str(),
                "public": public.to_pem().unwrap(),
                "spki": hex::encode(spki(&public)),
                "raw": raw_ed25519(&public),
            })
        })
        .collect();
    let cases_json: Vec<Value> = hx_cases
        .iter()
        .map(|(key, msg)| {
            let sig = hx_keys[*key].sign(msg).unwrap();
            let (byte, bit) = flip(&mut rng, sig.len());
            json!({"key": key, "msg": hex::encode(msg), "sig": hex::encode(&sig), "flip": [byte, bit]})
        })
        .collect();
    let checked = python(
        "check",
        &json!({"keys": keys_json, "cases": cases_json, "foreign": foreign}),
    );
    for f in checked["failures"].as_array().unwrap() {
        failures.0.push(format!("Python: {}", text(f)));
    }

    eprintln!(
        "sign peer: Python -> hx {} Ed25519 + {} RSA-PSS signatures, {} keys; \
         hx -> Python {} + {}, {} keys, {} signatures with Python's keys; \
         {refusals} refusals; {} mismatches; Python keygen+sign {:.1?}, total {:.1?}",
        py_verified[0],
        py_verified[1],
        py_keys.len(),
        checked["checked"]["ed25519"],
        checked["checked"]["rsa"],
        checked["checked"]["keys"],
        checked["checked"]["foreign"],
        failures.0.len(),
        py_made,
        start.elapsed(),
    );
    assert!(
        failures.0.is_empty(),
        "{} mismatches with Python's cryptography (seed {seed}):\n{}",
        failures.0.len(),
        failures.0.join("\n")
    );
    assert_eq!(py_verified, [CASES, CASES]);
    assert_eq!(
        checked["checked"],
        json!({"keys": hx_keys.len(), "ed25519": CASES, "rsa": CASES, "foreign": foreign.len()})
    );
}
