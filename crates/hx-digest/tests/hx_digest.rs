//! hx-digest's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_digest/blake2_kat.rs"]
mod blake2_kat;
#[path = "hx_digest/nist.rs"]
mod nist;
#[path = "hx_digest/peer.rs"]
mod peer;
#[path = "hx_digest/properties.rs"]
mod properties;
#[path = "hx_digest/rfc.rs"]
mod rfc;
#[path = "hx_digest/wycheproof.rs"]
mod wycheproof;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}
