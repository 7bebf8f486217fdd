//! Model files: any bytes given to `scan_model` (zip archives, .npy
//! headers, legacy PyTorch files, plain pickles) give a report or an I/O
//! error, never a panic, within the archive bounds.
#![no_main]

use std::io::Cursor;

use hx_safe_deser::pickle::{self, ArchiveLimits, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_member_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        ..ArchiveLimits::default()
    };
    let report = pickle::scan_model(Cursor::new(data), &LoadOptions::default(), &limits)
        .expect("no I/O errors from memory");
    // A report is safe only if every member's is.
    if report.is_safe() {
        assert!(report.members.iter().all(|m| m.report.is_safe()));
    }
});
