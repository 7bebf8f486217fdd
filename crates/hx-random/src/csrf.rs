//! CSRF tokens with the signed double-submit cookie pattern (OWASP): a random
//! value bound to the session by an HMAC, verified in constant time.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hx_digest::{HmacAlgorithm, HmacKey};
use zeroize::Zeroizing;

use crate::error::check_len;
use crate::{Error, Result, fill};

/// Domain separation for the MAC input, so a CSRF MAC can never be mistaken
/// for another MAC made with the same key.
const DOMAIN: &[u8] = b"hx-csrf-v1";
const NONCE_LEN: usize = 32;
const MAC_LEN: usize = 32;
/// Length of a token's text: base64url(32) "." base64url(32).
pub const CSRF_TOKEN_LEN: usize = 43 + 1 + 43;
/// Shortest CSRF secret accepted, in bytes.
pub const MIN_CSRF_SECRET_LEN: usize = 32;

/// The server secret CSRF tokens are signed with. Zeroized on drop; `Debug`
/// redacted.
///
/// A token is `base64url(nonce) "." base64url(HMAC-SHA256(secret,
/// "hx-csrf-v1" ‖ u64be(len(session)) ‖ session ‖ nonce))` with a fresh
/// 32-byte nonce. Send it in a cookie and in a form field or header; on each
/// state-changing request, check that they are equal and that
/// [`CsrfKey::verify`] accepts it for the current session.
///
/// # Example
/// ```
/// use hx_random::CsrfKey;
/// let key = CsrfKey::generate()?;
/// let token = key.issue("session-8f2c")?;
/// key.verify("session-8f2c", &token)?;
/// assert!(key.verify("another-session", &token).is_err());
/// # Ok::<(), hx_random::Error>(())
/// ```
pub struct CsrfKey {
    key: HmacKey,
}

impl CsrfKey {
    /// Wraps a secret read from a file or a secret store (32 bytes to 4 KiB).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] outside that range.
    pub fn from_bytes(secret: &[u8]) -> Result<Self> {
        check_len(
            "CSRF secret length in bytes",
            secret.len(),
            MIN_CSRF_SECRET_LEN,
            4096,
        )?;
        let key =
            HmacKey::new(HmacAlgorithm::Sha256, secret).map_err(|_| Error::InvalidLength {
                what: "CSRF secret length in bytes",
                got: secret.len(),
                min: MIN_CSRF_SECRET_LEN,
                max: 4096,
            })?;
        Ok(Self { key })
    }

    /// A new random secret.
    ///
    /// # Errors
    /// [`Error::OsRandom`] if the OS generator fails.
    pub fn generate() -> Result<Self> {
        Self::from_bytes(&crate::token_bytes(32)?)
    }

    /// A new token for `session_id`.
    ///
    /// # Errors
    /// [`Error::OsRandom`] if the OS generator fails.
    pub fn issue(&self, session_id: &str) -> Result<Zeroizing<String>> {
        let mut nonce = Zeroizing::new([0u8; NONCE_LEN]);
        fill(&mut nonce[..])?;
        let mac = self.mac(session_id, &nonce);
        let mut token = Zeroizing::new(String::with_capacity(CSRF_TOKEN_LEN));
        URL_SAFE_NO_PAD.encode_string(&nonce[..], &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.as_bytes(), &mut token);
        Ok(token)
    }

    /// Checks `token` for `session_id` in constant time.
    ///
    /// # Errors
    /// [`Error::InvalidCsrfToken`] for any malformed or mismatching token.
    pub fn verify(&self, session_id: &str, token: &str) -> Result<()> {
        let (nonce_b64, mac_b64) = token.split_once('.').ok_or(Error::InvalidCsrfToken)?;
        let mut nonce = Zeroizing::new([0u8; NONCE_LEN]);
        let mut mac = [0u8; MAC_LEN];
        let n = URL_SAFE_NO_PAD
            .decode_slice(nonce_b64, &mut nonce[..])
            .map_err(|_| Error::InvalidCsrfToken)?;
        let m = URL_SAFE_NO_PAD
            .decode_slice(mac_b64, &mut mac)
            .map_err(|_| Error::InvalidCsrfToken)?;
        if n != NONCE_LEN || m != MAC_LEN {
            return Err(Error::InvalidCsrfToken);
        }
        if self.mac(session_id, &nonce).ct_eq_bytes(&mac) {
            Ok(())
        } else {
            Err(Error::InvalidCsrfToken)
        }
    }

    fn mac(&self, session_id: &str, nonce: &[u8; NONCE_LEN]) -> hx_digest::Tag {
        let mut s = self.key.start();
        s.update(DOMAIN);
        s.update(&(session_id.len() as u64).to_be_bytes());
        s.update(session_id.as_bytes());
        s.update(nonce);
        s.finalize()
    }
}

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey([REDACTED])")
    }
}
