#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

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
#[cfg(hx_ct_check)]
pub use crate::ct::ct_check;
pub use crate::ct::ct_eq;
pub use crate::error::{Error, Result};
pub use crate::hasher::{Hasher, READ_BUFFER_LEN, hash, hash_file, hash_reader};
pub use crate::hkdf::{HkdfAlgorithm, Prk, hkdf};
pub use crate::hmac::{HmacAlgorithm, HmacKey, HmacStream, MIN_TRUNCATED_TAG_LEN};
pub use crate::output::{Digest, MAX_OUTPUT_LEN, Tag};
