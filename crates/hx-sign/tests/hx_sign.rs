//! hx-sign's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_sign/keys.rs"]
mod keys;
#[path = "hx_sign/peer.rs"]
mod peer;
#[path = "hx_sign/validation.rs"]
mod validation;
#[path = "hx_sign/wycheproof.rs"]
mod wycheproof;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}
