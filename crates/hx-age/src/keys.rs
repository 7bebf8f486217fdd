//! Recipients and identities from their text: what a recipient argument,
//! a recipients file line or an identity file holds, of any type hx-age
//! knows.

use hx_kex::{x25519 as kex_x25519, xwing};
use hx_keys::Algorithm;

use crate::{Error, Identity, Recipient, Result, pq, ssh, x25519};

/// A recipient from its text: `age1…`, `age1pq1…`, `ssh-ed25519 …` or
/// `ssh-rsa …`.
///
/// ```
/// let r = hx_age::parse_recipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")?;
/// assert!(hx_age::parse_recipient("nope").is_err());
/// # let _ = r;
/// # Ok::<(), hx_age::Error>(())
/// ```
///
/// # Errors
/// [`Error::Key`] for text that is none of these, or a key that does not
/// parse.
pub fn parse_recipient(text: &str) -> Result<Box<dyn Recipient + Send + Sync>> {
    if text.starts_with("age1pq1") {
        Ok(Box::new(text.parse::<pq::Recipient>()?))
    } else if text.starts_with("age1") {
        Ok(Box::new(text.parse::<x25519::Recipient>()?))
    } else if text.starts_with("ssh-") {
        Ok(Box::new(text.parse::<ssh::Recipient>()?))
    } else {
        Err(Error::Key(hx_keys::Error::InvalidKey(
            "not a recipient (age1…, age1pq1…, ssh-ed25519 …, ssh-rsa …)",
        )))
    }
}

/// The identities an identity file holds: age identities (X25519 and
/// post-quantum, `#` comments allowed), or one OpenSSH private key.
///
/// # Errors
/// [`Error::Key`] for a file that is neither, or a key that cannot be used
/// (an encrypted OpenSSH key, an unsupported type).
///
/// The identities are `Send + Sync`, so that a service can share them.
pub fn read_identities(file: &[u8]) -> Result<Vec<Box<dyn Identity + Send + Sync>>> {
    if hx_keys::openssh::looks_like_private_key(file) {
        let key = hx_keys::openssh::PrivateKey::from_openssh(file)?;
        return Ok(vec![Box::new(ssh::Identity::new(&key)?)]);
    }
    let mut out: Vec<Box<dyn Identity + Send + Sync>> = Vec::new();
    for key in hx_keys::age::read_identity_file(file)? {
        out.push(match key.algorithm() {
            Algorithm::XWing => Box::new(pq::Identity::new(xwing::PrivateKey::from_age(&key)?)),
            _ => Box::new(x25519::Identity::new(kex_x25519::StaticSecret::from_age(
                &key,
            )?)),
        });
    }
    Ok(out)
}

/// The recipient of an age identity (what `age-keygen -y` prints).
///
/// # Errors
/// [`Error::Kex`] if the key cannot be derived.
pub fn recipient_of(key: &hx_keys::age::Identity) -> Result<String> {
    Ok(match key.algorithm() {
        Algorithm::XWing => {
            pq::Recipient::new(xwing::PrivateKey::from_age(key)?.public_key()).to_string()
        }
        _ => x25519::Recipient::new(kex_x25519::StaticSecret::from_age(key)?.public_key())
            .to_string(),
    })
}
