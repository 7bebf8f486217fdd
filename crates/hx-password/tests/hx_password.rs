//! hx-password's integration tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_password/formats.rs"]
mod formats;
#[path = "hx_password/limits.rs"]
mod limits;
#[path = "hx_password/peer.rs"]
mod peer;
#[path = "hx_password/policy.rs"]
mod policy;
#[path = "hx_password/properties.rs"]
mod properties;
#[path = "hx_password/vectors.rs"]
mod vectors;
