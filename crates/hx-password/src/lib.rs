#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
pub mod hazmat;
mod params;
mod pepper;
mod policy;
mod stored;

pub use crate::error::{Error, Result};
pub use crate::params::{
    Algorithm, Argon2Variant, Limits, MIN_ARGON2_MEMORY_PASSES_KIB, MIN_SCRYPT_WORK_BYTES, Params,
    Pbkdf2Prf,
};
pub use crate::pepper::{MAX_PEPPER_LEN, MIN_PEPPER_LEN, PEPPER_ID_LEN, Pepper};
pub use crate::policy::{MAX_PASSWORD_LEN, OUTPUT_LEN, Policy, SALT_LEN};
pub use crate::stored::{
    Format, MAX_OUTPUT_LEN, MAX_SALT_LEN, MAX_STORED_LEN, MIN_OUTPUT_LEN, MIN_SALT_LEN, StoredHash,
};

/// The examples of docs/PASSWORDS.md, compiled and run as doctests so that
/// they cannot go stale.
#[doc = include_str!("../../../docs/PASSWORDS.md")]
#[cfg(doctest)]
pub struct PasswordsDocExamples;
