#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod clock;
mod error;
mod fernet;
pub mod hazmat;

pub use crate::error::{Error, Result};
pub use crate::fernet::{FERNET_MAX_CLOCK_SKEW, Fernet, FernetKey, MultiFernet};
