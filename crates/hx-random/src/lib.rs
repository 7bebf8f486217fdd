//! # hx-random
//!
//! Secure randomness for services, from the operating system only
//! ([`getrandom`]): no user-space generator state, so nothing to seed and
//! nothing a `fork` can duplicate.
//!
//! | what | items |
//! |---|---|
//! | raw bytes and tokens (Python `secrets` semantics) | [`fill`], [`token_bytes`], [`token_hex`], [`token_urlsafe`] |
//! | API keys: prefix, checksum, hashed storage | [`ApiKey`], [`ApiKeyHash`], [`Pepper`], [`API_KEY_REGEX`] |
//! | passwords from a policy, exact entropy | [`PasswordPolicy`], [`Password`] |
//! | diceware passphrases (EFF large list) | [`Passphrase`], [`eff_wordlist`] |
//! | CSRF tokens (signed double submit) | [`CsrfKey`] |
//!
//! ```
//! let session_token = hx_random::token_urlsafe(32)?; // 43 characters, 256 bits
//! let api_key = hx_random::ApiKey::generate("acme")?;
//! let password = hx_random::PasswordPolicy::new(20).generate()?;
//! assert!(password.entropy_bits() > 128.0);
//! # Ok::<(), hx_random::Error>(())
//! ```
//!
//! # Security
//! - Secrets are returned as [`zeroize::Zeroizing`] values or as types that
//!   zeroize on drop, with redacted `Debug` and an `expose_secret` accessor.
//! - Characters and words are chosen by rejection sampling: no modulo bias.
//! - API keys and CSRF tokens are compared in constant time, and every
//!   rejection is one opaque error.

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
