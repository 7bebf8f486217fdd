//! # hx
//!
//! Security building blocks for services that handle secrets. This crate holds
//! no logic: it re-exports the hx crates, each behind a feature of the same
//! name (`full`, the default, enables all of them).
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `digest` | [`hx::digest`](crate::digest) | `hx-digest`: SHA-2, SHA-3, BLAKE2, BLAKE3, HMAC, HKDF, constant-time comparison |
//! | `random` | [`hx::random`](crate::random) | `hx-random`: tokens, API keys, passwords, passphrases, CSRF tokens |
//!
//! ```
//! # #[cfg(all(feature = "digest", feature = "random"))] {
//! let token = hx::random::token_urlsafe(32)?;
//! let digest = hx::digest::hash(hx::digest::Algorithm::Sha256, token.as_bytes());
//! assert_eq!(digest.len(), 32);
//! # }
//! # Ok::<(), hx::random::Error>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "digest")]
pub use hx_digest as digest;
#[cfg(feature = "random")]
pub use hx_random as random;
