//! hx-sign benches, with ring in the same run (Python's `cryptography` is
//! timed by `benches/peer_python_sign.py` in the same `cargo xtask bench`
//! session). Figures and ratios: docs/PERFORMANCE.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hx_sign::{ed25519, rsa};
use ring::signature::{self as rs, KeyPair as _};

const MESSAGE: &[u8] = &[0x61; 64];

fn ed25519_single(c: &mut Criterion) {
    let key = ed25519::SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key();
    let sig = key.sign(MESSAGE);
    let ring_key = rs::Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
    let ring_public =
        rs::UnparsedPublicKey::new(&rs::ED25519, ring_key.public_key().as_ref().to_vec());
    assert_eq!(ring_key.sign(MESSAGE).as_ref(), sig.to_bytes());

    let mut g = c.benchmark_group("ed25519-64B");
    g.throughput(Throughput::Elements(1));
    g.bench_function("hx/sign", |b| b.iter(|| key.sign(black_box(MESSAGE))));
    g.bench_function("ring/sign", |b| {
        b.iter(|| ring_key.sign(black_box(MESSAGE)))
    });
    g.bench_function("hx/verify", |b| {
        b.iter(|| public.verify(black_box(MESSAGE), &sig).unwrap())
    });
    g.bench_function("ring/verify", |b| {
        b.iter(|| {
            ring_public
                .verify(black_box(MESSAGE), sig.as_ref())
                .unwrap()
        })
    });
    g.finish();
}

fn ed25519_batch(c: &mut Criterion) {
    const N: usize = 64;
    let keys: Vec<_> = (0..N)
        .map(|i| ed25519::SigningKey::from_bytes(&[i as u8; 32]))
        .collect();
    let publics: Vec<_> = keys
        .iter()
        .map(ed25519::SigningKey::verifying_key)
        .collect();
    let messages: Vec<Vec<u8>> = (0..N).map(|i| vec![i as u8; 64]).collect();
    let sigs: Vec<_> = keys.iter().zip(&messages).map(|(k, m)| k.sign(m)).collect();
    let items: Vec<_> = (0..N)
        .map(|i| (messages[i].as_slice(), &sigs[i], &publics[i]))
        .collect();

    let mut g = c.benchmark_group("ed25519-verify-64-signatures");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("hx/batch", |b| {
        b.iter(|| ed25519::verify_batch(black_box(&items)).unwrap())
    });
    g.bench_function("hx/single-x64", |b| {
        b.iter(|| {
            for (m, s, k) in &items {
                k.verify(black_box(m), s).unwrap();
            }
        })
    });
    g.finish();
}

fn rsa_pss(c: &mut Criterion) {
    let key = rsa::SigningKey::generate(2048).unwrap();
    let public = key.verifying_key().clone();
    let sig = key.sign_pss_sha256(MESSAGE).unwrap();
    let pkcs1 = {
        // ring verifies from the PKCS#1 RSAPublicKey inside the SPKI.
        let spki = public.to_spki_der().unwrap();
        spki[24..].to_vec()
    };
    let ring_public = rs::UnparsedPublicKey::new(&rs::RSA_PSS_2048_8192_SHA256, pkcs1);
    ring_public.verify(MESSAGE, &sig).unwrap();
    let ring_key = rs::RsaKeyPair::from_pkcs8(&key.to_pkcs8_der().unwrap()).unwrap();
    let rng = ring::rand::SystemRandom::new();

    let mut g = c.benchmark_group("rsa-2048-pss-sha256");
    g.throughput(Throughput::Elements(1));
    g.bench_function("hx/sign", |b| {
        b.iter(|| key.sign_pss_sha256(black_box(MESSAGE)).unwrap())
    });
    g.bench_function("ring/sign", |b| {
        let mut out = vec![0; ring_key.public().modulus_len()];
        b.iter(|| {
            ring_key
                .sign(&rs::RSA_PSS_SHA256, &rng, black_box(MESSAGE), &mut out)
                .unwrap()
        })
    });
    g.bench_function("hx/verify", |b| {
        b.iter(|| public.verify_pss_sha256(black_box(MESSAGE), &sig).unwrap())
    });
    g.bench_function("ring/verify", |b| {
        b.iter(|| ring_public.verify(black_box(MESSAGE), &sig).unwrap())
    });
    g.finish();
}

criterion_group!(benches, ed25519_single, ed25519_batch, rsa_pss);
criterion_main!(benches);
