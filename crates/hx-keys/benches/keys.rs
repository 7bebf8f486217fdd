//! Reading key files: PEM framing, DER parsing and identification.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use hx_keys::{Algorithm, keyfile};

fn read(c: &mut Criterion) {
    let data = |name: &str| {
        std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let private = data("x25519-private.pem");
    let public = data("x25519-public.pem");
    let xwing = keyfile::public_pem(&keyfile::encode_spki(Algorithm::XWing, &[7u8; 1216]).unwrap());
    let mut group = c.benchmark_group("keyfile_read");
    group.bench_function("x25519 private PEM", |b| {
        b.iter(|| keyfile::read(std::hint::black_box(&private)).unwrap());
    });
    group.bench_function("x25519 public PEM", |b| {
        b.iter(|| keyfile::read(std::hint::black_box(&public)).unwrap());
    });
    group.bench_function("x-wing public PEM", |b| {
        b.iter(|| keyfile::read(std::hint::black_box(xwing.as_bytes())).unwrap());
    });
    group.finish();
}

criterion_group!(benches, read);
criterion_main!(benches);
