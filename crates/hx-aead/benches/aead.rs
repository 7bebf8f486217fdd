//! hx-aead benches. Fernet against Python's `cryptography` (timed by
//! `cargo xtask bench` in the same session, see docs/PERFORMANCE.md), and the
//! ChaCha20-Poly1305 backend against ring in the same run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hx_aead::hazmat::{ChaChaVariant, chacha_open, chacha_seal};
use hx_aead::{Fernet, FernetKey, Keyring};

fn fernet(c: &mut Criterion) {
    let f = Fernet::new(&FernetKey::from_bytes(&[3; 32])).unwrap();
    for size in [64usize, 1 << 20] {
        let data = vec![0x61u8; size];
        let token = f.encrypt(&data).unwrap();
        let mut g = c.benchmark_group(format!("fernet-{size}B"));
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function("encrypt", |b| {
            b.iter(|| f.encrypt(black_box(&data)).unwrap())
        });
        g.bench_function("decrypt", |b| {
            b.iter(|| f.decrypt(black_box(&token), None).unwrap())
        });
        g.finish();
    }
}

fn chacha(c: &mut Criterion) {
    let key = [9u8; 32];
    for size in [64usize, 1024, 1 << 20] {
        let data = vec![0x61u8; size];
        let mut g = c.benchmark_group(format!("chacha20poly1305-{size}B"));
        g.throughput(Throughput::Bytes(size as u64));
        let nonce = [1u8; 12];
        g.bench_function("hx/seal+open", |b| {
            b.iter(|| {
                let sealed = chacha_seal(
                    ChaChaVariant::ChaCha20Poly1305,
                    &key,
                    &nonce,
                    b"",
                    black_box(&data),
                )
                .unwrap();
                chacha_open(ChaChaVariant::ChaCha20Poly1305, &key, &nonce, b"", &sealed).unwrap()
            })
        });
        let ring_key = ring::aead::LessSafeKey::new(
            ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, &key).unwrap(),
        );
        g.bench_function("ring/seal+open", |b| {
            b.iter(|| {
                let mut buf = black_box(&data).clone();
                let n = || ring::aead::Nonce::assume_unique_for_key([1u8; 12]);
                ring_key
                    .seal_in_place_append_tag(n(), ring::aead::Aad::empty(), &mut buf)
                    .unwrap();
                let len = ring_key
                    .open_in_place(n(), ring::aead::Aad::empty(), &mut buf)
                    .unwrap()
                    .len();
                buf.truncate(len);
                buf
            })
        });
        g.finish();
    }
}

fn sealed_tokens(c: &mut Criterion) {
    let ring = Keyring::generate().unwrap();
    let key = [9u8; 32];
    let ring_key = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, &key).unwrap(),
    );
    for size in [64usize, 1024, 1 << 20] {
        let data = vec![0x61u8; size];
        let mut g = c.benchmark_group(format!("token-{size}B"));
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function("hx/seal+open", |b| {
            b.iter(|| {
                let token = ring.seal(black_box(&data), b"ctx").unwrap();
                ring.open(&token, b"ctx", None).unwrap()
            })
        });
        g.bench_function("hx-bytes/seal+open", |b| {
            b.iter(|| {
                let token = ring.seal_bytes(black_box(&data), b"ctx").unwrap();
                ring.open_bytes(&token, b"ctx", None).unwrap()
            })
        });
        g.bench_function("hx-bytes-in-place/seal+open", |b| {
            b.iter(|| {
                let mut token = ring.seal_bytes(black_box(&data), b"ctx").unwrap();
                let len = ring
                    .open_bytes_in_place(&mut token, b"ctx", None)
                    .unwrap()
                    .len();
                token.truncate(len);
                token
            })
        });
        let rng = ring::rand::SystemRandom::new();
        g.bench_function("ring-chacha20poly1305+random-nonce/seal+open", |b| {
            b.iter(|| {
                let mut nonce = [0u8; 12];
                ring::rand::SecureRandom::fill(&rng, &mut nonce).unwrap();
                let mut buf = black_box(&data).clone();
                let n = || ring::aead::Nonce::assume_unique_for_key(nonce);
                ring_key
                    .seal_in_place_append_tag(n(), ring::aead::Aad::from(b"ctx"), &mut buf)
                    .unwrap();
                let len = ring_key
                    .open_in_place(n(), ring::aead::Aad::from(b"ctx"), &mut buf)
                    .unwrap()
                    .len();
                buf.truncate(len);
                buf
            })
        });
        g.bench_function("ring-chacha20poly1305/seal+open", |b| {
            b.iter(|| {
                let mut buf = black_box(&data).clone();
                let n = || ring::aead::Nonce::assume_unique_for_key([1u8; 12]);
                ring_key
                    .seal_in_place_append_tag(n(), ring::aead::Aad::from(b"ctx"), &mut buf)
                    .unwrap();
                let len = ring_key
                    .open_in_place(n(), ring::aead::Aad::from(b"ctx"), &mut buf)
                    .unwrap()
                    .len();
                buf.truncate(len);
                buf
            })
        });
        g.finish();
    }
    // Opening cost against keyring size: 1 key versus 1000 keys.
    let mut big = Keyring::generate().unwrap();
    let token_small = ring.seal(b"x", b"").unwrap();
    let token_big = big.seal(b"x", b"").unwrap();
    for _ in 0..999 {
        big.add().unwrap();
    }
    let mut g = c.benchmark_group("open-by-keyring-size");
    g.bench_function("1-key", |b| {
        b.iter(|| ring.open(black_box(&token_small), b"", None).unwrap())
    });
    g.bench_function("1000-keys", |b| {
        b.iter(|| big.open(black_box(&token_big), b"", None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, fernet, sealed_tokens, chacha);
criterion_main!(benches);
