//! OpenSSH keys as age recipients and identities, as age and rage use them:
//! `ssh-ed25519` (the Ed25519 key mapped to X25519, with a tweak bound to
//! the SSH key) and `ssh-rsa` (RSA-OAEP-SHA256). Each stanza names its key
//! by the first four bytes of the SHA-256 of its SSH wire encoding.

use curve25519_dalek::edwards::CompressedEdwardsY;
use hx_digest::{Algorithm as Hash, hash};
use hx_kex::rsa_oaep;
use hx_kex::x25519::{PublicKey, StaticSecret};
use hx_keys::Algorithm;
use hx_keys::openssh;
use zeroize::Zeroizing;

use crate::format::{Stanza, decode_exact, encode_arg};
use crate::primitives::{FILE_KEY_LEN, FileKey, WRAPPED_LEN, hkdf, open_file_key, seal_file_key};
use crate::{Error, Result};

const ED25519_TAG: &str = "ssh-ed25519";
const ED25519_LABEL: &[u8] = b"age-encryption.org/v1/ssh-ed25519";
const RSA_TAG: &str = "ssh-rsa";
const RSA_LABEL: &[u8] = b"age-encryption.org/v1/ssh-rsa";

/// The stanza's key id: base64 of SHA-256(wire encoding)[..4].
fn key_tag(wire: &[u8]) -> String {
    encode_arg(&hash(Hash::Sha256, wire).as_bytes()[..4])
}

/// An Ed25519 public key as the X25519 (Montgomery) point it maps to.
fn montgomery(ed25519: &[u8]) -> Result<PublicKey> {
    let point = <[u8; 32]>::try_from(ed25519)
        .ok()
        .and_then(|b| CompressedEdwardsY(b).decompress())
        .ok_or(Error::Key(hx_keys::Error::InvalidKey(
            "the Ed25519 key is not a curve point",
        )))?;
    Ok(PublicKey::from_bytes(&point.to_montgomery().to_bytes())?)
}

/// The X25519 point `X25519(tweak, shared)` with `tweak` bound to the SSH
/// key (HKDF with the wire encoding as salt).
fn tweaked(wire: &[u8], shared: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    let tweak = hkdf(wire, &[], ED25519_LABEL)?;
    let point = PublicKey::from_bytes(shared)?;
    let out = StaticSecret::from_bytes(&tweak)
        .agree(&point)
        .map_err(|_| Error::InvalidHeader("low-order ssh-ed25519 share"))?;
    Ok(Zeroizing::new(*out.expose_secret()))
}

/// An OpenSSH public key as a recipient.
///
/// ```
/// let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti me@host";
/// let recipient: hx_age::ssh::Recipient = line.parse()?;
/// # Ok::<(), hx_age::Error>(())
/// ```
#[derive(Debug)]
pub struct Recipient {
    key: openssh::PublicKey,
    wire: Vec<u8>,
    kind: RecipientKind,
}

#[derive(Debug)]
enum RecipientKind {
    Ed25519(PublicKey),
    Rsa(rsa_oaep::EncryptionKey),
}

impl Recipient {
    /// The recipient of an OpenSSH public key.
    ///
    /// # Errors
    /// [`Error::Key`] for an Ed25519 key that is not a curve point or an
    /// RSA key the backend refuses.
    pub fn new(key: openssh::PublicKey) -> Result<Self> {
        let wire = key.to_wire()?;
        let kind = match key.algorithm() {
            Algorithm::Ed25519 => RecipientKind::Ed25519(montgomery(&key.public_key()?)?),
            _ => RecipientKind::Rsa(rsa_oaep::EncryptionKey::from_pem(&key.to_spki()?)?),
        };
        Ok(Self { key, wire, kind })
    }

    /// The OpenSSH key.
    #[must_use]
    pub fn public_key(&self) -> &openssh::PublicKey {
        &self.key
    }
}

impl core::str::FromStr for Recipient {
    type Err = Error;

    fn from_str(line: &str) -> Result<Self> {
        Self::new(line.parse()?)
    }
}

impl crate::Recipient for Recipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<Vec<Stanza>> {
        let tag = key_tag(&self.wire);
        match &self.kind {
            RecipientKind::Ed25519(theirs) => {
                let ephemeral = StaticSecret::generate()?;
                let share = ephemeral.public_key();
                let shared = ephemeral
                    .agree(theirs)
                    .map_err(|_| Error::Key(hx_keys::Error::InvalidKey("low-order Ed25519 key")))?;
                let shared = tweaked(&self.wire, shared.expose_secret())?;
                let mut salt = share.as_bytes().to_vec();
                salt.extend_from_slice(theirs.as_bytes());
                let wrap_key = hkdf(&salt, shared.as_ref(), ED25519_LABEL)?;
                let body = seal_file_key(&wrap_key, file_key)?;
                Ok(vec![Stanza::new(
                    vec![ED25519_TAG.into(), tag, encode_arg(share.as_bytes())],
                    body,
                )?])
            }
            RecipientKind::Rsa(key) => {
                let body = key.encrypt(file_key.expose_secret(), Some(RSA_LABEL))?;
                Ok(vec![Stanza::new(vec![RSA_TAG.into(), tag], body)?])
            }
        }
    }
}

/// An OpenSSH private key as an identity.
#[derive(Debug)]
pub struct Identity {
    wire: Vec<u8>,
    kind: IdentityKind,
}

#[derive(Debug)]
enum IdentityKind {
    Ed25519 {
        /// SHA-512(seed)[..32]: the X25519 scalar of the Ed25519 key.
        scalar: StaticSecret,
        /// The Montgomery form of the Ed25519 public key.
        ours: PublicKey,
    },
    Rsa(rsa_oaep::DecryptionKey),
}

impl Identity {
    /// The identity of an OpenSSH private key.
    ///
    /// # Errors
    /// [`Error::Key`] for a key the backend refuses.
    pub fn new(key: &openssh::PrivateKey) -> Result<Self> {
        let public = key.public_key();
        let wire = public.to_wire()?;
        let pkcs8 = key.to_pkcs8()?;
        let kind = match key.algorithm() {
            Algorithm::Ed25519 => {
                let field = hx_keys::keyfile::pkcs8_private_key(&pkcs8, Algorithm::Ed25519)?;
                let seed = field
                    .get(2..)
                    .ok_or(Error::Key(hx_keys::Error::InvalidKey("Ed25519 seed")))?;
                let digest = hash(Hash::Sha512, seed);
                let scalar: [u8; 32] = digest.as_bytes()[..32]
                    .try_into()
                    .map_err(|_| Error::Backend("SHA-512 length"))?;
                let scalar = Zeroizing::new(scalar);
                IdentityKind::Ed25519 {
                    scalar: StaticSecret::from_bytes(&scalar),
                    ours: montgomery(&public.public_key()?)?,
                }
            }
            _ => IdentityKind::Rsa(rsa_oaep::DecryptionKey::from_pkcs8_der(&pkcs8)?),
        };
        Ok(Self { wire, kind })
    }

    fn unwrap_ed25519(
        &self,
        scalar: &StaticSecret,
        ours: &PublicKey,
        stanza: &Stanza,
    ) -> Option<Result<FileKey>> {
        let [tag, share] = stanza.args() else {
            return Some(Err(Error::InvalidHeader("ssh-ed25519 stanza arguments")));
        };
        let Some(share) = decode_exact::<32>(share.as_bytes()) else {
            return Some(Err(Error::InvalidHeader("ssh-ed25519 share")));
        };
        if *tag != key_tag(&self.wire) {
            return None;
        }
        if stanza.body().len() != WRAPPED_LEN {
            return Some(Err(Error::InvalidHeader("ssh-ed25519 stanza body length")));
        }
        let result = (|| {
            let shared = scalar
                .agree(&PublicKey::from_bytes(&share)?)
                .map_err(|_| Error::InvalidHeader("low-order ssh-ed25519 share"))?;
            let shared = tweaked(&self.wire, shared.expose_secret())?;
            let mut salt = share.to_vec();
            salt.extend_from_slice(ours.as_bytes());
            let wrap_key = hkdf(&salt, shared.as_ref(), ED25519_LABEL)?;
            // The key id matched: a body that does not open is an error,
            // not someone else's stanza (as age does).
            open_file_key(&wrap_key, stanza.body())
                .ok_or(Error::InvalidHeader("ssh-ed25519 stanza does not open"))
        })();
        Some(result)
    }
}

impl crate::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        match (&self.kind, stanza.tag()) {
            (IdentityKind::Ed25519 { scalar, ours }, ED25519_TAG) => {
                self.unwrap_ed25519(scalar, ours, stanza)
            }
            (IdentityKind::Rsa(key), RSA_TAG) => {
                let [tag] = stanza.args() else {
                    return Some(Err(Error::InvalidHeader("ssh-rsa stanza arguments")));
                };
                if *tag != key_tag(&self.wire) {
                    return None;
                }
                let result = key
                    .decrypt(stanza.body(), Some(RSA_LABEL))
                    .ok()
                    .and_then(|k| <[u8; FILE_KEY_LEN]>::try_from(k.as_slice()).ok())
                    .map(FileKey::from_bytes)
                    .ok_or(Error::InvalidHeader("ssh-rsa stanza does not open"));
                Some(result)
            }
            _ => None,
        }
    }
}
