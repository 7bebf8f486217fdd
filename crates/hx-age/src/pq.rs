//! The post-quantum recipient type `mlkem768x25519` (X-Wing: ML-KEM-768 and
//! X25519): `age1pq1…`, `AGE-SECRET-KEY-PQ-1…`. The file key is sealed with
//! HPKE (RFC 9180) base mode, X-Wing KEM, HKDF-SHA256, ChaCha20Poly1305.

use std::collections::BTreeSet;

use hx_kex::{hpke, xwing};
use hx_keys::Algorithm;

use crate::format::{Stanza, decode_arg, encode_arg};
use crate::primitives::{FILE_KEY_LEN, FileKey, WRAPPED_LEN};
use crate::{Error, Result};

const TAG: &str = "mlkem768x25519";
const INFO: &[u8] = b"age-encryption.org/mlkem768x25519";
/// Bytes of the HPKE encapsulated key.
const ENC_LEN: usize = 1120;
/// The label post-quantum recipients carry: they are not mixed with
/// classical ones (the specification's SHOULD NOT, enforced).
pub const POST_QUANTUM_LABEL: &str = "postquantum";

/// Whether an X25519 point is of low order (a multiple of it by a clamped
/// scalar, which clears the cofactor, is zero).
fn low_order(point: &[u8]) -> bool {
    let Ok(point) = hx_kex::x25519::PublicKey::from_bytes(point) else {
        return true;
    };
    hx_kex::x25519::StaticSecret::from_bytes(&[0x42; 32])
        .agree(&point)
        .is_err()
}

/// A post-quantum recipient.
#[derive(Clone)]
pub struct Recipient(xwing::PublicKey);

impl Recipient {
    /// The recipient of this X-Wing public key.
    #[must_use]
    pub fn new(key: xwing::PublicKey) -> Self {
        Self(key)
    }
}

impl core::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("pq::Recipient(")?;
        core::fmt::Display::fmt(self, f)?;
        f.write_str(")")
    }
}

impl core::str::FromStr for Recipient {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let recipient: hx_keys::age::Recipient = text.parse()?;
        Ok(Self(xwing::PublicKey::from_bytes(
            recipient.public_key_of(Algorithm::XWing)?,
        )?))
    }
}

impl core::fmt::Display for Recipient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0.to_age() {
            Ok(r) => r.fmt(f),
            Err(_) => Err(core::fmt::Error),
        }
    }
}

impl crate::Recipient for Recipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<Vec<Stanza>> {
        let sealed = hpke::seal(
            &hpke::PublicKey::XWing(self.0.clone()),
            INFO,
            b"",
            file_key.expose_secret(),
        )?;
        let (enc, body) = sealed
            .split_at_checked(ENC_LEN)
            .ok_or(Error::Backend("HPKE output length"))?;
        Ok(vec![Stanza::new(
            vec![TAG.into(), encode_arg(enc)],
            body.to_vec(),
        )?])
    }

    fn labels(&self) -> BTreeSet<String> {
        BTreeSet::from([POST_QUANTUM_LABEL.to_owned()])
    }
}

/// A post-quantum identity. Its seed is zeroized on drop.
#[derive(Debug)]
pub struct Identity {
    key: hpke::PrivateKey,
    recipient: Recipient,
    text: hx_keys::age::Identity,
}

impl Identity {
    /// A new identity from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Kex`] if the generator fails.
    pub fn generate() -> Result<Self> {
        Ok(Self::new(xwing::PrivateKey::generate()?))
    }

    /// The identity of this X-Wing key.
    #[must_use]
    pub fn new(key: xwing::PrivateKey) -> Self {
        let recipient = Recipient(key.public_key());
        let text = key.to_age();
        Self {
            key: hpke::PrivateKey::XWing(key),
            recipient,
            text,
        }
    }

    /// Its recipient.
    #[must_use]
    pub fn to_recipient(&self) -> Recipient {
        self.recipient.clone()
    }

    /// The identity as text (`AGE-SECRET-KEY-PQ-1…`).
    #[must_use]
    pub fn to_age(&self) -> &hx_keys::age::Identity {
        &self.text
    }
}

impl crate::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        if stanza.tag() != TAG {
            return None;
        }
        let [enc] = stanza.args() else {
            return Some(Err(Error::InvalidHeader("mlkem768x25519 stanza arguments")));
        };
        let Some(enc) = decode_arg(enc).filter(|e| e.len() == ENC_LEN) else {
            return Some(Err(Error::InvalidHeader("mlkem768x25519 encapsulated key")));
        };
        if stanza.body().len() != WRAPPED_LEN {
            return Some(Err(Error::InvalidHeader(
                "mlkem768x25519 stanza body length",
            )));
        }
        let share = enc[ENC_LEN - 32..].to_vec();
        let share_is_low_order = move || low_order(&share);
        let mut sealed = enc;
        sealed.extend_from_slice(stanza.body());
        let Ok(opened) = hpke::open(&self.key, INFO, b"", &sealed) else {
            // A share of low order (the all-zero X25519 secret, which hx's
            // X-Wing refuses) fails the file, as age says; checked only when
            // the stanza did not open, off the fast path.
            return share_is_low_order()
                .then_some(Err(Error::InvalidHeader("low-order X25519 share")));
        };
        let key: [u8; FILE_KEY_LEN] = opened.as_slice().try_into().ok()?;
        Some(Ok(FileKey::from_bytes(key)))
    }
}
