#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod key;
mod traits;

pub mod ed25519;
pub mod rsa;

/// Key files of every algorithm: moved to the `hx-keys` crate, re-exported
/// here for code that names `hx_sign::keyfile` (its functions now return
/// [`hx_keys::Error`]). New code should depend on `hx-keys`.
pub use hx_keys::keyfile;

pub use crate::error::{Error, Result};
pub use crate::key::{PrivateKey, PublicKey};
/// The key algorithms (the `hx-keys` crate's, re-exported).
pub use hx_keys::Algorithm;
