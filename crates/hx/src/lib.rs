#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "aead")]
pub use hx_aead as aead;
#[cfg(feature = "age")]
pub use hx_age as age;
#[cfg(feature = "config")]
pub use hx_config as config;
#[cfg(feature = "digest")]
pub use hx_digest as digest;
#[cfg(feature = "kex")]
pub use hx_kex as kex;
#[cfg(feature = "keys")]
pub use hx_keys as keys;
#[cfg(feature = "password")]
pub use hx_password as password;
#[cfg(feature = "random")]
pub use hx_random as random;
#[cfg(feature = "safe-deser")]
pub use hx_safe_deser as safe_deser;
#[cfg(feature = "sign")]
pub use hx_sign as sign;

/// The Rust examples of the repository's README, compiled and run as
/// doctests so that they cannot go stale.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct RepositoryReadmeExamples;
