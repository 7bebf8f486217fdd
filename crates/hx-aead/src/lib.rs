#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod backend;
mod clock;
mod error;
mod fernet;
pub mod hazmat;
mod keyring;
pub mod stream;

pub use crate::error::{Error, Result};
pub use crate::fernet::{FERNET_MAX_CLOCK_SKEW, Fernet, FernetKey, MultiFernet};
pub use crate::keyring::{
    KeyInfo, KeyKind, KeyState, KeyUsage, Keyring, MAX_CLOCK_SKEW, MAX_KEYRING_FILE_LEN,
    MAX_TOKEN_PLAINTEXT, MasterKey, TOKEN_PREFIX,
};
