#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod encoding;
mod error;
mod key;
mod traits;

pub mod ed25519;
pub mod keyfile;
pub mod rsa;

pub use crate::encoding::Algorithm;
pub use crate::error::{Error, Result};
pub use crate::key::{PrivateKey, PublicKey};
