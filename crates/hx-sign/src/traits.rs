//! RustCrypto's [`signature`] traits on hx's keys, so code written against
//! `Signer`/`Verifier`/`Keypair` takes them: Ed25519 with hx's strict
//! verification, RSA-PSS-SHA256 (salt 32) with signatures as bytes.
//!
//! ```
//! use hx_sign::ed25519::{Signature, SigningKey};
//! use signature::{Keypair, Signer, Verifier};
//!
//! fn sign_with(signer: &impl Signer<Signature>, message: &[u8]) -> Signature {
//!     signer.sign(message)
//! }
//! let key = SigningKey::generate()?;
//! let signature = sign_with(&key, b"release 1.2.3");
//! key.verifying_key().verify(b"release 1.2.3", &signature)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{ed25519, rsa};

impl signature::Signer<ed25519::Signature> for ed25519::SigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<ed25519::Signature, signature::Error> {
        Ok(ed25519::SigningKey::sign(self, msg))
    }
}

/// Strict verification (hx's validation rules), whatever the trait's
/// caller expects of other implementations.
impl signature::Verifier<ed25519::Signature> for ed25519::VerifyingKey {
    fn verify(&self, msg: &[u8], signature: &ed25519::Signature) -> Result<(), signature::Error> {
        ed25519::VerifyingKey::verify(self, msg, signature).map_err(|_| signature::Error::new())
    }
}

impl signature::Keypair for ed25519::SigningKey {
    type VerifyingKey = ed25519::VerifyingKey;

    fn verifying_key(&self) -> ed25519::VerifyingKey {
        ed25519::SigningKey::verifying_key(self)
    }
}

/// RSA-PSS with SHA-256 and a 32-byte salt; the signature is as long as the
/// modulus.
impl signature::Signer<Vec<u8>> for rsa::SigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        self.sign_pss_sha256(msg)
            .map_err(|_| signature::Error::new())
    }
}

/// RSA-PSS with SHA-256 and a 32-byte salt.
impl signature::Verifier<Vec<u8>> for rsa::VerifyingKey {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        self.verify_pss_sha256(msg, signature)
            .map_err(|_| signature::Error::new())
    }
}

impl signature::Keypair for rsa::SigningKey {
    type VerifyingKey = rsa::VerifyingKey;

    fn verifying_key(&self) -> rsa::VerifyingKey {
        rsa::SigningKey::verifying_key(self).clone()
    }
}
