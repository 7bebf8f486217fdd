#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod atomic;
mod config;
mod crypto;
mod document;
pub mod dotenv;
mod error;
mod load;
mod merge;
mod path;
mod recipient;

#[cfg(feature = "figment")]
pub mod figment;
pub mod hazmat;

pub use crate::config::{Config, Inspection, RecipientInfo, inspect};
pub use crate::document::{FORMAT_VERSION, MAX_DOCUMENT_LEN, MAX_RECIPIENTS, MAX_VALUE_LEN};
pub use crate::error::{Error, Result, Tamper};
pub use crate::load::{apply_overrides, load, load_with_env, override_vars};
pub use crate::merge::{Merged, merge};
pub use crate::path::{
    MAX_PATH_DEPTH, MAX_PATH_LEN, RESERVED_SEGMENT, check_path, env_name, override_path,
    override_target,
};
pub use crate::recipient::{Opener, public_der};
