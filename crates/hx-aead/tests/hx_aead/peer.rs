//! Peer test: Python's `cryptography` Fernet and MultiFernet, both ways, over
//! 200 random cases from empty to 1 MiB: tokens hx makes open in Python,
//! tokens Python makes open in hx, rotation in each direction keeps the
//! timestamp, TTL expiry agrees. The interpreter is `$HX_PYTHON` (set by
//! `cargo xtask ci`) or `python3`; a missing peer fails the test.

use std::path::Path;

use hx_aead::{Error, Fernet, FernetKey, MultiFernet};
use hx_test_support::{SplitMix64, peer_seed, python_command, run_checked};
use serde_json::{Value, json};

fn python(mode: &str, manifest: &Path) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/fernet_peer.py");
    let out = run_checked(python_command().args([script, mode]).arg(manifest), b"");
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn python_cryptography_fernet_both_ways() {
    const CASES: usize = 200;
    let mut rng = SplitMix64::new(peer_seed());
    let dir = tempfile::tempdir().unwrap();
    let key = FernetKey::generate().unwrap();
    let key_new = FernetKey::generate().unwrap();
    let fernet = Fernet::new(&key).unwrap();

    let mut cases = Vec::new();
    let mut datas = Vec::new();
    for id in 0..CASES {
        let len = match id % 4 {
            0 => 0,
            1 => rng.below(100),
            2 => rng.below(20_000),
            _ if id % 40 == 3 => (1 << 20) - rng.below(16),
            _ => rng.below(200_000),
        } as usize;
        let data = rng.bytes(len);
        let time = 1_000_000_000 + rng.below(1_000_000_000);
        let ttl = 1 + rng.below(100_000);
        let path = |name: &str| {
            dir.path()
                .join(format!("{id}.{name}"))
                .display()
                .to_string()
        };
        std::fs::write(path("data"), &data).unwrap();
        std::fs::write(path("hx"), fernet.encrypt_at_time(&data, time).unwrap()).unwrap();
        cases.push(json!({
            "id": id, "time": time, "ttl": ttl,
            "data": path("data"), "hx_token": path("hx"), "py_token": path("py"),
            "py_rotated": path("pyrot"), "hx_rotated": path("hxrot"),
        }));
        datas.push(data);
    }
    let manifest = json!({
        "key": key.to_base64().as_str(), "key_new": key_new.to_base64().as_str(), "cases": cases,
    });
    let manifest_path = dir.path().join("manifest.json");
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();

    // Python opens hx's tokens and makes its own.
    let made = python("make", &manifest_path);
    assert_eq!(made["checked"], json!(CASES));
    assert_eq!(made["failures"], json!([]), "Python disagreed with hx");

    // hx opens Python's tokens and Python's rotations, and rotates Python's tokens.
    let multi = MultiFernet::new(&[
        FernetKey::from_bytes(key_new.expose_secret()),
        FernetKey::from_bytes(key.expose_secret()),
    ])
    .unwrap();
    let fernet_new = Fernet::new(&key_new).unwrap();
    let mut mismatches = 0;
    for (c, data) in cases.iter().zip(&datas) {
        let read = |k: &str| std::fs::read_to_string(c[k].as_str().unwrap()).unwrap();
        let (time, ttl) = (c["time"].as_u64().unwrap(), c["ttl"].as_u64().unwrap());
        let py = read("py_token");
        if fernet
            .decrypt_at_time(&py, Some(ttl), time + ttl)
            .ok()
            .as_deref()
            .map(|v| &v[..])
            != Some(&data[..])
        {
            mismatches += 1;
        }
        assert!(matches!(
            fernet.decrypt_at_time(&py, Some(ttl), time + ttl + 1),
            Err(Error::InvalidToken)
        ));
        assert_eq!(fernet.extract_timestamp(&py).unwrap(), time);
        let py_rotated = read("py_rotated");
        assert_eq!(
            &*fernet_new.decrypt_at_time(&py_rotated, None, time).unwrap(),
            &data[..]
        );
        assert_eq!(fernet_new.extract_timestamp(&py_rotated).unwrap(), time);
        assert!(
            fernet.decrypt_at_time(&py_rotated, None, time).is_err(),
            "rotated under the new key only"
        );
        std::fs::write(
            c["hx_rotated"].as_str().unwrap(),
            multi.rotate(&py).unwrap(),
        )
        .unwrap();
    }
    assert_eq!(mismatches, 0, "hx could not open Python's tokens");

    let checked = python("check", &manifest_path);
    assert_eq!(checked["checked"], json!(CASES));
    assert_eq!(
        checked["failures"],
        json!([]),
        "Python refused hx's rotations"
    );
}
