//! hx-age: encrypting and decrypting to an X25519 and a post-quantum
//! recipient (1 KiB and 1 MiB), and the header alone.
#![allow(missing_docs, clippy::unwrap_used, clippy::type_complexity)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hx_age::{Decryptor, Encryptor, Identity, pq, x25519};

fn bench(c: &mut Criterion) {
    let x = x25519::Identity::generate().unwrap();
    let p = pq::Identity::generate().unwrap();
    let cases: [(&str, Box<dyn Fn() -> Encryptor>, &dyn Identity); 2] = [
        (
            "x25519",
            Box::new(|| Encryptor::with_recipients(vec![Box::new(x.to_recipient())]).unwrap()),
            &x,
        ),
        (
            "mlkem768x25519",
            Box::new(|| Encryptor::with_recipients(vec![Box::new(p.to_recipient())]).unwrap()),
            &p,
        ),
    ];
    let mut group = c.benchmark_group("age");
    for len in [1024usize, 1 << 20] {
        let data = vec![7u8; len];
        group.throughput(Throughput::Bytes(len as u64));
        for (name, encryptor, identity) in &cases {
            let encryptor = encryptor();
            group.bench_with_input(
                BenchmarkId::new(format!("encrypt {name}"), len),
                &data,
                |b, d| {
                    b.iter(|| {
                        let mut out = Vec::with_capacity(len + 2048);
                        encryptor.encrypt(&d[..], &mut out).unwrap();
                        out
                    });
                },
            );
            let mut file = Vec::new();
            encryptor.encrypt(&data[..], &mut file).unwrap();
            group.bench_with_input(
                BenchmarkId::new(format!("decrypt {name}"), len),
                &file,
                |b, f| {
                    b.iter(|| {
                        let mut out = Vec::with_capacity(len);
                        Decryptor::new(&f[..])
                            .unwrap()
                            .decrypt_to(&[*identity], &mut out)
                            .unwrap();
                        out
                    });
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
