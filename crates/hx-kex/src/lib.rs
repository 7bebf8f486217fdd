#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod dhkem;
mod error;
mod key;
mod rng;
mod xwing_kem;

pub mod hazmat;
pub mod hpke;
pub mod rsa_oaep;
pub mod x25519;
pub mod xwing;

pub use crate::error::{Error, Result};
pub use crate::key::{PrivateKey, PublicKey};
