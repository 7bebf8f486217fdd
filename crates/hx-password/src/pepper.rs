//! The pepper: a secret kept outside the database of hashes.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hx_digest::{HmacAlgorithm, HmacKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The shortest pepper accepted, in bytes.
pub const MIN_PEPPER_LEN: usize = 16;
/// The longest pepper accepted, in bytes.
pub const MAX_PEPPER_LEN: usize = 4096;
/// The length of a pepper's id in a stored hash, in bytes (8 B64
/// characters).
pub const PEPPER_ID_LEN: usize = 6;

/// A secret mixed into every new hash and kept apart from the hashes (in a
/// file, an environment variable or a secret store), so that a stolen
/// database alone cannot be attacked offline.
///
/// Argon2 takes it as its secret input `K` (RFC 9106 §3.1); scrypt, PBKDF2
/// and bcrypt take the password as `base64(HMAC-SHA-256(pepper, password))`
/// (44 characters, within bcrypt's 72 bytes). A peppered hash names its
/// pepper by an id derived from it (never the pepper itself): Argon2 hashes
/// in the `keyid` parameter their PHC format defines, the others behind an
/// `$hx-pepper$k=<id>` prefix. A verifier without that pepper answers
/// [`Error::Pepper`] rather than a silent mismatch.
///
/// Zeroized on drop; `Debug` prints `[REDACTED]`.
///
/// ```
/// use hx_password::{Pepper, Policy};
/// let pepper = Pepper::from_bytes(&[7u8; 32])?;
/// let policy = Policy::default().with_pepper(pepper);
/// # let policy = hx_password::Policy::new(hx_password::Params::Bcrypt { cost: 10 })?
/// #     .with_pepper(hx_password::Pepper::from_bytes(&[7u8; 32])?);
/// let stored = policy.hash(b"correct horse")?;
/// assert!(policy.verify(b"correct horse", &stored).is_ok());
/// // without the pepper, the hash cannot be checked at all
/// # let unpeppered = hx_password::Policy::new(hx_password::Params::Bcrypt { cost: 10 })?;
/// assert!(matches!(
///     unpeppered.verify(b"correct horse", &stored),
///     Err(hx_password::Error::Pepper(_))
/// ));
/// # Ok::<(), hx_password::Error>(())
/// ```
pub struct Pepper {
    secret: Zeroizing<Vec<u8>>,
    key: HmacKey,
    id: [u8; PEPPER_ID_LEN],
}

impl Pepper {
    /// Wraps pepper bytes.
    ///
    /// # Errors
    /// [`Error::Pepper`] if shorter than [`MIN_PEPPER_LEN`] or longer than
    /// [`MAX_PEPPER_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if !(MIN_PEPPER_LEN..=MAX_PEPPER_LEN).contains(&bytes.len()) {
            return Err(Error::Pepper("must be 16 to 4096 bytes long"));
        }
        let key = HmacKey::new(HmacAlgorithm::Sha256, bytes)
            .map_err(|_| Error::Pepper("must be 16 to 4096 bytes long"))?;
        let tag = key.sign(b"hx-password pepper id v1");
        let mut id = [0u8; PEPPER_ID_LEN];
        for (out, byte) in id.iter_mut().zip(tag.as_bytes()) {
            *out = *byte;
        }
        Ok(Self {
            secret: Zeroizing::new(bytes.to_vec()),
            key,
            id,
        })
    }

    /// The id a peppered hash names this pepper by: the first six bytes of
    /// HMAC-SHA-256(pepper, `"hx-password pepper id v1"`).
    #[must_use]
    pub fn id(&self) -> [u8; PEPPER_ID_LEN] {
        self.id
    }

    /// The bytes, for Argon2's secret input.
    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.secret
    }

    /// The password as the other schemes take it when peppered.
    pub(crate) fn premix(&self, password: &[u8]) -> Zeroizing<Vec<u8>> {
        // the tag zeroizes itself on drop
        let tag = self.key.sign(password);
        Zeroizing::new(STANDARD.encode(tag.as_bytes()).into_bytes())
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper([REDACTED])")
    }
}
