//! One module per part of the command contract (`shared/CLI.md`).

pub mod aead;
pub mod config;
pub mod digest;
pub mod kex;
pub mod pickle;
pub mod random;
pub mod sign;
pub mod tour;
