//! Scans the pickles named on the command line and prints what it finds,
//! with the throughput: `cargo run --release --example scan_file -- FILE...`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hx_safe_deser::pickle::{self, LoadOptions};

fn main() {
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).expect("readable file");
        let start = std::time::Instant::now();
        let mut report = pickle::scan(&data, &LoadOptions::default());
        for _ in 0..9 {
            report = pickle::scan(&data, &LoadOptions::default());
        }
        let secs = start.elapsed().as_secs_f64() / 10.0;
        println!(
            "{path}: {} globals, {} pickles, problem {:?}: {:.0} MB/s",
            report.globals.len(),
            report.pickles,
            report.problem,
            data.len() as f64 / secs / 1e6
        );
    }
}
