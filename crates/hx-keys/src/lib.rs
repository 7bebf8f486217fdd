#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod algorithm;
mod error;

pub mod der;
pub mod keyfile;
pub mod rsa;

pub use crate::algorithm::Algorithm;
pub use crate::error::{Error, Result};
