//! # hx-digest
//!
//! Hashes, MACs, key derivation and constant-time comparison for services
//! that handle secrets, built on the RustCrypto hashes and the reference
//! BLAKE3 implementation.
//!
//! | what | items |
//! |---|---|
//! | hashes chosen at run time | [`Algorithm`], [`Hasher`], [`hash`], [`hash_reader`], [`hash_file`] |
//! | BLAKE2 with every parameter | [`Blake2b`], [`Blake2s`], [`Blake2Params`] |
//! | BLAKE3 modes | [`blake3_hash`], [`blake3_keyed_hash`], [`Blake3Mac`], [`blake3_derive_key`], [`blake3_xof`] |
//! | HMAC | [`HmacKey`], [`HmacStream`], [`HmacAlgorithm`] |
//! | HKDF | [`hkdf()`], [`Prk`], [`HkdfAlgorithm`] |
//! | comparison | [`ct_eq`], and `==` on [`Digest`] and [`Tag`] |
//!
//! ```
//! use hx_digest::{Algorithm, HmacAlgorithm, HmacKey, hash};
//!
//! let digest = hash(Algorithm::Sha256, b"hello");
//! println!("{digest}"); // lowercase hex
//!
//! let key = HmacKey::new(HmacAlgorithm::Sha256, b"a server-side secret")?;
//! let tag = key.sign(b"payload");
//! key.verify(b"payload", tag.as_bytes())?; // constant time, one opaque error
//! # Ok::<(), hx_digest::Error>(())
//! ```
//!
//! # Security
//! - Every comparison of MACs and digests is constant time in the contents
//!   ([`subtle`]); lengths are public.
//! - MAC verification fails with the single [`Error::VerificationFailed`].
//! - Key types ([`HmacKey`], [`Prk`], [`Blake3Key`]) zeroize on drop and have
//!   redacted `Debug`.
//! - Hashing itself is not a password hash: use a memory-hard KDF for those.

#![forbid(unsafe_code)]

mod algorithm;
mod blake2;
mod blake3;
mod ct;
mod error;
mod hasher;
mod hkdf;
mod hmac;
mod output;

pub use crate::algorithm::Algorithm;
pub use crate::blake2::{Blake2Params, Blake2b, Blake2s};
pub use crate::blake3::{
    BLAKE3_KEY_LEN, Blake3Key, Blake3Mac, blake3_derive_key, blake3_hash, blake3_keyed_hash,
    blake3_xof,
};
pub use crate::ct::ct_eq;
pub use crate::error::{Error, Result};
pub use crate::hasher::{Hasher, READ_BUFFER_LEN, hash, hash_file, hash_reader};
pub use crate::hkdf::{HkdfAlgorithm, Prk, hkdf};
pub use crate::hmac::{HmacAlgorithm, HmacKey, HmacStream, MIN_TRUNCATED_TAG_LEN};
pub use crate::output::{Digest, MAX_OUTPUT_LEN, Tag};
