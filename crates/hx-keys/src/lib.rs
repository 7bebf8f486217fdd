#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod algorithm;
mod error;

pub mod age;
pub mod der;
pub mod keyfile;
pub mod openssh;
pub mod rsa;

pub use crate::algorithm::Algorithm;
pub use crate::error::{Error, Result};

/// Gives a key type whose text form is PEM `FromStr` (through its
/// `from_pem(&[u8])`, which reads every form [`keyfile::read`] knows) and
/// `Display` (its `to_pem()`), with the calling crate's `Error` and
/// `Result`. For the public-key types of hx-sign and hx-kex.
#[doc(hidden)]
#[macro_export]
macro_rules! pem_text_form {
    ($key:ty) => {
        impl ::core::str::FromStr for $key {
            type Err = Error;

            /// Any text `from_pem` reads: PEM, or an OpenSSH or age key.
            fn from_str(text: &str) -> Result<Self> {
                Self::from_pem(text.as_bytes())
            }
        }

        impl ::core::fmt::Display for $key {
            /// The SubjectPublicKeyInfo PEM encoding.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.to_pem().map_err(|_| ::core::fmt::Error)?)
            }
        }
    };
}
