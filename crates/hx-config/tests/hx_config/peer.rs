//! Peer test: an independent Python implementation of the format
//! (tests/interop/config_peer.py, on tomllib and `cryptography` 48) reads
//! files hx writes — unwrapping the data key with HPKE, checking both MACs
//! and opening every value — and writes files hx opens, with values in
//! clear (format version 2) in half the cases. Tampered files are refused by
//! both. The interpreter is `$HX_PYTHON` (set by `cargo xtask
//! ci`) or `python3`; a missing peer fails the test.

use std::collections::BTreeMap;

use hx_config::{Config, Error, Opener};
use hx_kex::PrivateKey;
use hx_keys::Algorithm;
use hx_test_support::python_json;
use serde_json::{Value, json};

use crate::api::get;

fn python(mode: &str, request: &Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/config_peer.py");
    python_json(script, &[mode], request)
}

/// Deterministic, varied values: empty, multi-line, quotes, non-ASCII, long.
fn values(seed: usize, n: usize) -> BTreeMap<String, String> {
    (0..n)
        .map(|i| {
            let value = match (seed + i) % 5 {
                0 => String::new(),
                1 => format!("line one\nline \"two\" {i}\n"),
                2 => format!("pässwörd-🔑-{i}"),
                3 => "x".repeat(1000 + i),
                _ => format!("s{i}:'single' \\ back"),
            };
            (format!("svc{}.k-{i}", i % 7), value)
        })
        .collect()
}

#[test]
fn python_reads_what_hx_writes_and_hx_reads_what_python_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for case in 0..20 {
        let identity = PrivateKey::generate(Algorithm::X25519).unwrap();
        let pem = identity.to_pem().unwrap().to_string();
        let public_pem = identity.public_key().unwrap().to_pem().unwrap();
        let opener = Opener::Identity(identity);
        let expected = values(case, case * 3);
        // in odd-numbered cases every third value is kept in clear
        let in_clear: Vec<String> = expected
            .keys()
            .enumerate()
            .filter(|(i, _)| case % 2 == 1 && i % 3 == 0)
            .map(|(_, k)| k.clone())
            .collect();

        // hx writes (with a second recipient and a rotation), Python reads.
        let path = dir.path().join(format!("hx{case}.hxc"));
        let other = PrivateKey::generate(Algorithm::X25519).unwrap();
        let mut config = Config::create(&path, &opener, &[other.public_key().unwrap()]).unwrap();
        for (k, v) in &expected {
            if in_clear.contains(k) {
                config.set_plain(k, v).unwrap();
            } else {
                config.set(k, v).unwrap();
            }
        }
        if case % 4 >= 2 {
            config.rotate().unwrap();
        }
        config.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let read = python("read", &json!({"text": text, "private_pem": pem}));
        let got: BTreeMap<String, String> =
            serde_json::from_value(read["values"].clone()).unwrap_or_else(|_| panic!("{read}"));
        assert_eq!(got, expected);
        let got_clear: Vec<String> =
            serde_json::from_value(read["plain"].clone()).unwrap_or_else(|_| panic!("{read}"));
        assert_eq!(got_clear, in_clear);
        if !in_clear.is_empty() {
            // a value in clear edited without the key
            let first = &in_clear[0];
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{first} = ")))
                .unwrap();
            let edited = text.replace(line, &format!("{first} = \"edited\""));
            let read = python("read", &json!({"text": edited, "private_pem": pem}));
            assert_eq!(read["error"], "entries mac");
        }

        // Python refuses a value moved between keys and a dropped entry.
        if expected.len() >= 2 {
            let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("svc")).collect();
            let (a, b) = (lines[0], lines[1]);
            let (ka, va) = a.split_once(" = ").unwrap();
            let (kb, vb) = b.split_once(" = ").unwrap();
            let swapped = text
                .replace(a, &format!("{ka} = {vb}"))
                .replace(b, &format!("{kb} = {va}"));
            let read = python("read", &json!({"text": swapped, "private_pem": pem}));
            assert!(read["error"].is_string(), "{read}");
            let dropped = text.replace(&format!("{a}\n"), "");
            let read = python("read", &json!({"text": dropped, "private_pem": pem}));
            assert_eq!(read["error"], "entries mac");
        }

        // Python writes, hx reads.
        let (clear, sealed): (BTreeMap<_, _>, BTreeMap<_, _>) =
            expected.iter().partition(|(k, _)| in_clear.contains(k));
        let written = python(
            "write",
            &json!({"public_pem": public_pem, "values": sealed, "plain": clear}),
        );
        let path = dir.path().join(format!("py{case}.hxc"));
        std::fs::write(&path, written["text"].as_str().unwrap()).unwrap();
        let config = Config::open(&path, &opener).unwrap();
        assert_eq!(config.len(), expected.len());
        for (k, v) in &expected {
            assert_eq!(&get(&config, k), v);
            assert_eq!(config.is_plain(k), in_clear.contains(k), "{k}");
        }
        // And refuses it once altered.
        let altered = written["text"]
            .as_str()
            .unwrap()
            .replace("generation = 1", "generation = 5");
        std::fs::write(&path, altered).unwrap();
        assert!(matches!(
            Config::open(&path, &opener),
            Err(Error::Tampered(_))
        ));
        checked += expected.len();
    }
    assert!(checked > 500, "{checked}");
}
