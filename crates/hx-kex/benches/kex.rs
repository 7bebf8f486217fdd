//! hx-kex benches, with ring in the same run (Python's `cryptography` is
//! timed by `benches/peer_python_kex.py` in the same `cargo xtask bench`
//! session). Figures and ratios: docs/PERFORMANCE.md.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hx_kex::x25519::{EphemeralSecret, StaticSecret};
use hx_kex::{PrivateKey, hpke, rsa_oaep};
use hx_keys::Algorithm;

fn x25519(c: &mut Criterion) {
    let peer = StaticSecret::generate().unwrap().public_key();
    let rng = ring::rand::SystemRandom::new();
    let ring_peer =
        ring::agreement::UnparsedPublicKey::new(&ring::agreement::X25519, *peer.as_bytes());
    let mut g = c.benchmark_group("x25519-agreement-with-keygen");
    g.throughput(Throughput::Elements(1));
    g.bench_function("hx", |b| {
        b.iter(|| {
            let secret = EphemeralSecret::generate().unwrap();
            secret.agree(black_box(&peer)).unwrap()
        })
    });
    g.bench_function("ring", |b| {
        b.iter(|| {
            let secret =
                ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::X25519, &rng)
                    .unwrap();
            ring::agreement::agree_ephemeral(secret, black_box(&ring_peer), |k| k[0]).unwrap()
        })
    });
    let static_secret = StaticSecret::generate().unwrap();
    g.bench_function("hx/static-agree-only", |b| {
        b.iter(|| static_secret.agree(black_box(&peer)).unwrap())
    });
    g.finish();
}

fn hpke_64(c: &mut Criterion) {
    let x = PrivateKey::generate(Algorithm::X25519).unwrap();
    let w = PrivateKey::generate(Algorithm::XWing).unwrap();
    let msg = [0x61u8; 64];
    let mut g = c.benchmark_group("hpke-seal+open-64B");
    g.throughput(Throughput::Elements(1));
    for (name, key) in [("x25519", &x), ("xwing", &w)] {
        let public = key.public_key().unwrap();
        g.bench_function(format!("hx/{name}"), |b| {
            b.iter(|| {
                let ct = public.encrypt(b"bench", black_box(&msg)).unwrap();
                key.decrypt(b"bench", &ct).unwrap()
            })
        });
    }
    g.finish();
    let _ = hpke::Suite::X25519;
}

fn rsa(c: &mut Criterion) {
    let key = rsa_oaep::DecryptionKey::generate(2048).unwrap();
    let ct = key.encryption_key().encrypt(&[0x61; 32], None).unwrap();
    let mut g = c.benchmark_group("rsa-2048-oaep-sha256");
    g.throughput(Throughput::Elements(1));
    g.bench_function("hx/decrypt", |b| {
        b.iter(|| key.decrypt(black_box(&ct), None).unwrap())
    });
    g.bench_function("hx/encrypt", |b| {
        b.iter(|| {
            key.encryption_key()
                .encrypt(black_box(&[0x61; 32]), None)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, x25519, hpke_64, rsa);
criterion_main!(benches);
