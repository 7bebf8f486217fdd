//! hx-password benches. Targets (issue 19), against the peers timed in the
//! same run by `cargo xtask bench hx-password` (`peer_python_password.py`):
//! Argon2id at m = 64 MiB, t = 3, p = 4 ≥ 1.0× argon2-cffi, scrypt at
//! N = 2^17, r = 8, p = 1 ≥ 1.0× Python's `hashlib.scrypt` (OpenSSL).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hx_password::{Algorithm, Policy};

fn hash_and_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("password");
    group.sample_size(10);
    for algorithm in [
        Algorithm::Argon2id,
        Algorithm::Scrypt,
        Algorithm::Pbkdf2Sha256,
        Algorithm::Bcrypt,
    ] {
        let policy = Policy::recommended(algorithm).unwrap();
        let stored = policy.hash(b"correct horse battery staple").unwrap();
        group.bench_function(format!("hash {algorithm} (recommended)"), |b| {
            b.iter(|| {
                policy
                    .hash(black_box(b"correct horse battery staple"))
                    .unwrap()
            })
        });
        group.bench_function(format!("verify {algorithm} (recommended)"), |b| {
            b.iter(|| {
                policy
                    .verify(black_box(b"correct horse battery staple"), &stored)
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn refusals(c: &mut Criterion) {
    // a hostile stored hash costs a parse, not the work it asks for
    let policy = Policy::default();
    let hostile =
        "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0";
    c.bench_function("refuse m = 4 GiB", |b| {
        b.iter(|| policy.verify(b"x", black_box(hostile)).unwrap_err())
    });
}

criterion_group!(benches, hash_and_verify, refusals);
criterion_main!(benches);
