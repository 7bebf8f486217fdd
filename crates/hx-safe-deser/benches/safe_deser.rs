//! Criterion benches for hx-safe-deser: bounded postcard decoding against
//! plain `postcard::from_bytes` in the same run, envelopes with and without a
//! MAC, JSON under limits against plain `serde_json`, pickle `load`, and
//! pickle `scan` throughput on large benign pickles written by Python's own
//! `pickle.dump` (`benches/peer_python_pickle.py` times
//! `pickletools.genops` over the same files in the same `cargo xtask bench`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hx_safe_deser::pickle::{self, LoadOptions};
use hx_safe_deser::{Limits, MacKey, Message, Registry, Tag, bounded, envelope};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Address {
    street: String,
    city: String,
    postcode: String,
    country: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Item {
    sku: String,
    quantity: u32,
    price_cents: u64,
    tags: Vec<String>,
}

/// A realistic message: a few hundred bytes, nested vectors and strings.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Order {
    id: u64,
    customer: String,
    email: String,
    items: Vec<Item>,
    shipping: Address,
    notes: Option<String>,
    created_at: i64,
}

impl Message for Order {
    const TAG: Tag = Tag::new("bench.Order", 1);
}

fn order() -> Order {
    let item = |i: u32| Item {
        sku: format!("SKU-{i:05}-BLUE"),
        quantity: i % 4 + 1,
        price_cents: 1999 + u64::from(i) * 250,
        tags: vec!["gift".into(), "fragile".into(), format!("batch-{i}")],
    };
    Order {
        id: 9_007_199_254_740_993,
        customer: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        items: (0..5).map(item).collect(),
        shipping: Address {
            street: "12 Analytical Engine Row".into(),
            city: "London".into(),
            postcode: "NW1 2DB".into(),
            country: "GB".into(),
        },
        notes: Some("Leave at the door, ring twice.".into()),
        created_at: 1_796_000_000,
    }
}

fn decode(c: &mut Criterion) {
    let value = order();
    let bytes = postcard::to_allocvec(&value).unwrap();
    let limits = Limits::default();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function(format!("postcard::from_bytes {} B", bytes.len()), |b| {
        b.iter(|| postcard::from_bytes::<Order>(black_box(&bytes)).unwrap());
    });
    g.bench_function(format!("bounded::from_postcard {} B", bytes.len()), |b| {
        b.iter(|| bounded::from_postcard::<Order>(black_box(&bytes), &limits).unwrap());
    });
    let plain = Registry::<Order>::only();
    let env = envelope::encode(&value, None).unwrap();
    g.bench_function("envelope, no MAC", |b| {
        b.iter(|| plain.decode::<Order>(black_box(&env)).unwrap());
    });
    let key = MacKey::hmac_sha256(&[7; 32]).unwrap();
    let signed = envelope::encode(&value, Some(&key)).unwrap();
    let authed = Registry::<Order>::only().with_mac_key(key);
    g.bench_function("envelope, HMAC-SHA256", |b| {
        b.iter(|| authed.decode::<Order>(black_box(&signed)).unwrap());
    });
    let json = serde_json::to_vec(&value).unwrap();
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function(format!("serde_json::from_slice {} B", json.len()), |b| {
        b.iter(|| serde_json::from_slice::<Order>(black_box(&json)).unwrap());
    });
    g.bench_function(format!("bounded::from_json {} B", json.len()), |b| {
        b.iter(|| bounded::from_json::<Order>(black_box(&json), &limits).unwrap());
    });
    g.finish();
}

/// A large benign pickle made by Python's `pickle.dump` (cached under
/// `target/bench-data/`).
fn python_pickle(kind: &str, mib: u32) -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/bench-data"
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{kind}-{mib}mib.pkl"));
    if !path.exists() {
        let py = std::env::var("HX_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/interop/safe_deser_peer.py"
        );
        let tmp = path.with_extension("tmp");
        let status = Command::new(&py)
            .args([
                script,
                "large",
                tmp.to_str().unwrap(),
                &mib.to_string(),
                kind,
            ])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run Python ({py}) to write the bench pickle: {e}"));
        assert!(status.success());
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn scan(c: &mut Criterion) {
    let options = LoadOptions::default();
    let mut g = c.benchmark_group("pickle");
    g.sample_size(10);
    for kind in ["records", "objects"] {
        let data = std::fs::read(python_pickle(kind, 64)).unwrap();
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(format!("scan {kind} {} MiB", data.len() >> 20), |b| {
            b.iter(|| {
                let report = pickle::scan(black_box(&data), &options);
                assert!(report.is_safe());
            });
        });
        g.bench_function(
            format!("scan_reader {kind} {} MiB", data.len() >> 20),
            |b| {
                b.iter(|| {
                    let report = pickle::scan_reader(black_box(&data[..]), &options).unwrap();
                    assert!(report.is_safe());
                });
            },
        );
    }
    let data = std::fs::read(python_pickle("objects", 4)).unwrap();
    let big = LoadOptions::default().with_limits(Limits {
        max_bytes: 64 << 20,
        max_total_alloc: 1 << 30,
        ..Limits::default()
    });
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(format!("load objects {} MiB", data.len() >> 20), |b| {
        b.iter(|| pickle::load(black_box(&data), &big).unwrap());
    });
    // What `hx pickle load` runs: the JSON form straight from the loader.
    g.bench_function(format!("load_json objects {} MiB", data.len() >> 20), |b| {
        b.iter(|| pickle::load_json(black_box(&data), &big).unwrap());
    });
    g.finish();
}

criterion_group!(benches, decode, scan);
criterion_main!(benches);
