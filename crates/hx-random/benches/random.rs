//! hx-random benches. Target (issue 2): `token_urlsafe(32)` ≤ 500 ns
//! (Python's `secrets.token_urlsafe(32)` takes about 1.06 µs on these
//! machines; `cargo xtask bench hx-random` also times it in the same run when
//! the peer environment exists).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hx_random::{ApiKey, CsrfKey, Passphrase, PasswordPolicy, Pepper};

fn tokens(c: &mut Criterion) {
    c.bench_function("token_urlsafe(32)", |b| {
        b.iter(|| hx_random::token_urlsafe(black_box(32)).unwrap())
    });
    c.bench_function("token_hex(32)", |b| {
        b.iter(|| hx_random::token_hex(black_box(32)).unwrap())
    });
    c.bench_function("token_bytes(32)", |b| {
        b.iter(|| hx_random::token_bytes(black_box(32)).unwrap())
    });
}

fn keys_and_passwords(c: &mut Criterion) {
    c.bench_function("ApiKey::generate", |b| {
        b.iter(|| ApiKey::generate(black_box("acme")).unwrap())
    });
    let key = ApiKey::generate("acme").unwrap();
    let pepper = Pepper::from_bytes(&[1; 32]).unwrap();
    let stored = key.hash(&pepper);
    c.bench_function("ApiKey::parse+verify", |b| {
        b.iter(|| {
            ApiKey::parse(black_box(key.expose_secret()))
                .unwrap()
                .verify(&pepper, &stored)
        })
    });
    let policy = PasswordPolicy::new(20);
    c.bench_function("password(20)", |b| b.iter(|| policy.generate().unwrap()));
    c.bench_function("passphrase(6)", |b| {
        b.iter(|| Passphrase::generate(6, "-").unwrap())
    });
    let csrf = CsrfKey::from_bytes(&[2; 32]).unwrap();
    let token = csrf.issue("session").unwrap();
    c.bench_function("csrf verify", |b| {
        b.iter(|| csrf.verify(black_box("session"), &token))
    });
}

criterion_group!(benches, tokens, keys_and_passwords);
criterion_main!(benches);
