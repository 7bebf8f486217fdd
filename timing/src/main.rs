//! dudect statistics (Reparaz, Balasch and Verbauwhede, "Dude, is my code
//! constant time?", 2017) for hx's constant-time operations, with
//! `dudect-bencher`: each benchmark times 10^6 single operations drawn at
//! random from two classes of inputs and reports Welch's t statistic; |t|
//! above 10 is strong evidence that timing depends on the class. A control
//! that compares with `==` (early exit) must exceed 100 for the run to count.
//! Run with `cargo xtask timing`, which checks those thresholds; these
//! machines are noisy, so it is not a CI gate.

use std::hint::black_box;

use dudect_bencher::rand::RngExt as _;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};

/// Measurements per benchmark.
const RUNS: usize = 1_000_000;
/// Distinct inputs per class, reused round-robin (keeps memory small).
const POOL: usize = 256;

fn bytes(rng: &mut BenchRng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.random::<u8>()).collect()
}

/// Left: equal inputs. Right: inputs that differ in their first byte — what
/// an early-exit comparison finishes fastest on. Both classes use the same
/// buffers (the byte is set before each timed call), so memory layout cannot
/// tell them apart.
fn run_compare(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    len: usize,
    eq: fn(&[u8], &[u8]) -> bool,
    right_differs: bool,
) {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..POOL)
        .map(|_| {
            let a = bytes(rng, len);
            (a.clone(), a)
        })
        .collect();
    for i in 0..RUNS {
        let (a, b) = &mut pairs[i % POOL];
        let left = rng.random::<bool>();
        b[0] = if left || !right_differs {
            a[0]
        } else {
            a[0] ^ 0x80
        };
        let (a, b) = (&*a, &*b);
        runner.run_one(
            black_box(if left { Class::Left } else { Class::Right }),
            || eq(a, b),
        );
    }
}

fn ct_eq_32(runner: &mut CtRunner, rng: &mut BenchRng) {
    run_compare(runner, rng, 32, hx_digest::ct_eq, true);
}

fn ct_eq_1k(runner: &mut CtRunner, rng: &mut BenchRng) {
    run_compare(runner, rng, 1024, hx_digest::ct_eq, true);
}

/// The noise floor: both classes get equal inputs, so any |t| here comes
/// from the machine and the harness, not from the inputs.
fn floor_ct_eq_1k_same_inputs(runner: &mut CtRunner, rng: &mut BenchRng) {
    run_compare(runner, rng, 1024, hx_digest::ct_eq, false);
}

fn control_eq_1k(runner: &mut CtRunner, rng: &mut BenchRng) {
    run_compare(runner, rng, 1024, |a, b| a == b, true);
}

/// Left: a token whose tag is wrong in its first byte. Right: wrong in its
/// last byte. Both fail to open; the time must not say where.
fn token_open_wrong_tag(runner: &mut CtRunner, rng: &mut BenchRng) {
    let Ok(ring) = hx_aead::Keyring::generate() else {
        return;
    };
    let context = b"session";
    let mut tokens: Vec<Vec<u8>> = (0..POOL)
        .filter_map(|_| ring.seal_bytes(&bytes(rng, 64), context).ok())
        .collect();
    let count = tokens.len();
    for i in 0..RUNS {
        let token = &mut tokens[i % count];
        let left = rng.random::<bool>();
        // The same buffer either way: one bit flipped in the first or the
        // last byte of the 16-byte tag, and flipped back after the call.
        let at = if left {
            token.len() - 16
        } else {
            token.len() - 1
        };
        token[at] ^= 1;
        let t = &*token;
        runner.run_one(
            black_box(if left { Class::Left } else { Class::Right }),
            || ring.open_bytes(t, context, None).is_err(),
        );
        token[at] ^= 1;
    }
}

ctbench_main!(
    ct_eq_32,
    ct_eq_1k,
    token_open_wrong_tag,
    floor_ct_eq_1k_same_inputs,
    control_eq_1k
);
