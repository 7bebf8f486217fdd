//! hx-random's integration tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_random/apikey.rs"]
mod apikey;
#[path = "hx_random/format.rs"]
mod format;
#[path = "hx_random/passwords.rs"]
mod passwords;
#[path = "hx_random/peer.rs"]
mod peer;
#[path = "hx_random/properties.rs"]
mod properties;
#[path = "hx_random/tokens.rs"]
mod tokens;
