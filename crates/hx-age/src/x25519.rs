//! The X25519 recipient type (`age1…`, `AGE-SECRET-KEY-1…`).

use hx_kex::x25519::{PublicKey, StaticSecret};
use hx_keys::Algorithm;

use crate::format::{Stanza, decode_exact, encode_arg};
use crate::primitives::{FileKey, WRAPPED_LEN, hkdf, open_file_key, seal_file_key};
use crate::{Error, Result};

const TAG: &str = "X25519";
const INFO: &[u8] = b"age-encryption.org/v1/X25519";

/// An X25519 recipient.
///
/// ```
/// use hx_age::x25519;
/// let recipient: x25519::Recipient =
///     "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj".parse()?;
/// # Ok::<(), hx_age::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient(PublicKey);

impl Recipient {
    /// The recipient of this public key.
    #[must_use]
    pub fn new(key: PublicKey) -> Self {
        Self(key)
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.0
    }
}

impl core::str::FromStr for Recipient {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let recipient: hx_keys::age::Recipient = text.parse()?;
        let key = PublicKey::from_bytes(recipient.public_key_of(Algorithm::X25519)?)
            .map_err(|_| Error::Key(hx_keys::Error::InvalidKey("X25519 recipient")))?;
        Ok(Self(key))
    }
}

impl core::fmt::Display for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.to_age().fmt(f)
    }
}

impl crate::Recipient for Recipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<Vec<Stanza>> {
        let ephemeral = StaticSecret::generate()?;
        let share = ephemeral.public_key();
        let shared = ephemeral
            .agree(&self.0)
            .map_err(|_| Error::Key(hx_keys::Error::InvalidKey("low-order X25519 recipient")))?;
        let mut salt = share.as_bytes().to_vec();
        salt.extend_from_slice(self.0.as_bytes());
        let wrap_key = hkdf(&salt, shared.expose_secret(), INFO)?;
        let body = seal_file_key(&wrap_key, file_key)?;
        Ok(vec![Stanza::new(
            vec![TAG.into(), encode_arg(share.as_bytes())],
            body,
        )?])
    }
}

/// An X25519 identity. Its secret is zeroized on drop.
#[derive(Debug)]
pub struct Identity {
    secret: StaticSecret,
    public: PublicKey,
}

impl Identity {
    /// A new identity from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        Ok(Self::new(StaticSecret::generate()?))
    }

    /// The identity of this key.
    #[must_use]
    pub fn new(secret: StaticSecret) -> Self {
        let public = secret.public_key();
        Self { secret, public }
    }

    /// Its recipient.
    #[must_use]
    pub fn to_recipient(&self) -> Recipient {
        Recipient(self.public)
    }

    /// The identity as `age-keygen` writes it (`AGE-SECRET-KEY-1…`).
    #[must_use]
    pub fn to_age(&self) -> hx_keys::age::Identity {
        self.secret.to_age()
    }
}

impl crate::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        if stanza.tag() != TAG {
            return None;
        }
        let [share] = stanza.args() else {
            return Some(Err(Error::InvalidHeader("X25519 stanza arguments")));
        };
        let Some(share) = decode_exact::<32>(share.as_bytes()) else {
            return Some(Err(Error::InvalidHeader("X25519 share")));
        };
        if stanza.body().len() != WRAPPED_LEN {
            return Some(Err(Error::InvalidHeader("X25519 stanza body length")));
        }
        let Ok(share_key) = PublicKey::from_bytes(&share) else {
            return Some(Err(Error::InvalidHeader("X25519 share")));
        };
        // An all-zero secret (a low-order share) aborts, as the spec says.
        let Ok(shared) = self.secret.agree(&share_key) else {
            return Some(Err(Error::InvalidHeader("low-order X25519 share")));
        };
        let mut salt = share.to_vec();
        salt.extend_from_slice(self.public.as_bytes());
        let wrap_key = match hkdf(&salt, shared.expose_secret(), INFO) {
            Ok(k) => k,
            Err(e) => return Some(Err(e)),
        };
        open_file_key(&wrap_key, stanza.body()).map(Ok)
    }
}
