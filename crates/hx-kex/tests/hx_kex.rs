//! hx-kex's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_kex/keys.rs"]
mod keys;
#[path = "hx_kex/peer.rs"]
mod peer;
#[path = "hx_kex/vectors.rs"]
mod vectors;

pub fn data(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

pub fn arr32(s: &str) -> [u8; 32] {
    unhex(s).try_into().unwrap()
}
