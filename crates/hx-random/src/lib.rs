#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod apikey;
mod csrf;
mod error;
mod os;
mod passphrase;
mod password;
mod token;

/// The entropy floor for generated passwords and passphrases, in bits.
pub const MIN_ENTROPY_BITS: f64 = 64.0;

pub use crate::apikey::{
    API_KEY_CHECKSUM_CHARS, API_KEY_RANDOM_CHARS, API_KEY_REGEX, ApiKey, ApiKeyHash,
    MAX_PREFIX_LEN, MIN_PEPPER_LEN, Pepper,
};
pub use crate::csrf::{CSRF_TOKEN_LEN, CsrfKey, MIN_CSRF_SECRET_LEN};
pub use crate::error::{Error, Result};
pub use crate::os::fill;
pub use crate::passphrase::{DEFAULT_WORDS, MAX_WORDS, Passphrase, WORDLIST_LEN, eff_wordlist};
pub use crate::password::{
    AMBIGUOUS, DEFAULT_PASSWORD_LEN, DEFAULT_SYMBOLS, MAX_PASSWORD_LEN, Password, PasswordPolicy,
};
pub use crate::token::{
    DEFAULT_TOKEN_BYTES, MAX_TOKEN_BYTES, token_bytes, token_hex, token_urlsafe,
};
