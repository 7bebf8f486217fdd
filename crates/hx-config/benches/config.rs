//! hx-config benchmarks: open a config and decrypt every value, at 100,
//! 1,000 and 10,000 entries (the cost must grow linearly), open alone, one
//! value, and a save. Whole-process figures (`hx config get`, `hx config
//! exec` against dotenvx) come from `cargo xtask bench-config`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hx_config::{Config, Opener};
use secrecy::ExposeSecret as _;

fn file(dir: &std::path::Path, opener: &Opener, n: usize) -> std::path::PathBuf {
    let path = dir.join(format!("c{n}.hxc"));
    let mut config = Config::create(&path, opener, &[]).unwrap();
    for i in 0..n {
        config
            .set(
                &format!("service{}.key{i}", i % 50),
                &format!("value-{i}-0123456789abcdef0123456789"),
            )
            .unwrap();
    }
    config.save().unwrap();
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let opener = Opener::Keyring(hx_aead::Keyring::generate().unwrap());
    let mut group = c.benchmark_group("config");
    group.sample_size(20);
    for n in [100usize, 1_000, 10_000] {
        let path = file(dir.path(), &opener, n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("open+decrypt all", n), &path, |b, path| {
            b.iter(|| {
                let config = Config::open(path, &opener).unwrap();
                let values = config.values().unwrap();
                black_box(
                    values
                        .iter()
                        .map(|(_, v)| v.expose_secret().len())
                        .sum::<usize>(),
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("open+get one", n), &path, |b, path| {
            b.iter(|| {
                let config = Config::open(path, &opener).unwrap();
                black_box(config.get("service7.key7").unwrap())
            });
        });
        group.bench_with_input(BenchmarkId::new("set one+save", n), &path, |b, path| {
            let mut config = Config::open(path, &opener).unwrap();
            b.iter(|| {
                config.set("service7.key7", "changed").unwrap();
                config.save().unwrap();
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
