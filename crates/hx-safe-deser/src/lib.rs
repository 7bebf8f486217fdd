#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod limits;

pub mod bounded;
pub mod envelope;
pub mod pickle;

pub use crate::envelope::{MacKey, Message, Registry, Tag};
pub use crate::error::{Error, Result};
pub use crate::limits::Limits;
