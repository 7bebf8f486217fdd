//! hx-digest benches, with `ring` measured in the same run as the peer.
//!
//! Targets (issue 2): SHA-256 over 1 MiB ≥ 0.95× ring's throughput;
//! HMAC-SHA256 of 64 B with a prepared key ≤ 1.0× ring's time; BLAKE3 over
//! 1 MiB ≥ 4 GB/s on one core. `cargo xtask bench hx-digest` runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hx_digest::{Algorithm, HmacAlgorithm, HmacKey, hash};

const MIB: usize = 1 << 20;

fn hashes(c: &mut Criterion) {
    let data = vec![0x5au8; MIB];
    let mut g = c.benchmark_group("hash-1MiB");
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("ring/sha256", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(&data)));
    });
    for alg in Algorithm::ALL {
        g.bench_function(format!("hx/{alg}"), |b| {
            b.iter(|| hash(alg, black_box(&data)))
        });
    }
    g.bench_function("ring/sha512", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA512, black_box(&data)));
    });
    g.finish();
}

fn hmac(c: &mut Criterion) {
    let msg = [0x42u8; 64];
    let key_bytes = [0x0bu8; 32];
    let mut g = c.benchmark_group("hmac-sha256-64B");
    g.throughput(Throughput::Bytes(64));
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
    g.bench_function("ring/sign", |b| {
        b.iter(|| ring::hmac::sign(&ring_key, black_box(&msg)))
    });
    let key = HmacKey::new(HmacAlgorithm::Sha256, &key_bytes).unwrap();
    g.bench_function("hx/sign", |b| b.iter(|| key.sign(black_box(&msg))));
    let tag = key.sign(&msg);
    g.bench_function("ring/verify", |b| {
        b.iter(|| ring::hmac::verify(&ring_key, black_box(&msg), tag.as_bytes()));
    });
    g.bench_function("hx/verify", |b| {
        b.iter(|| key.verify(black_box(&msg), tag.as_bytes()))
    });
    g.finish();
}

fn ct(c: &mut Criterion) {
    let a = [7u8; 32];
    let mut bb = a;
    bb[31] ^= 1;
    c.bench_function("ct_eq-32B", |b| {
        b.iter(|| hx_digest::ct_eq(black_box(&a), black_box(&bb)))
    });
}

criterion_group!(benches, hashes, hmac, ct);
criterion_main!(benches);
