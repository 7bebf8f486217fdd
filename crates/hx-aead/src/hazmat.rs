//! Low-level operations that take a nonce or IV from the caller. **Hazardous:**
//! reusing a nonce with the same key destroys confidentiality and, for the
//! AEADs, authenticity. They exist so published test vectors (Wycheproof,
//! the Fernet spec) can be checked against exactly the code hx runs; use the
//! high-level types in real code.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use zeroize::Zeroizing;

use crate::backend::{ChaCha, TAG_LEN, XChaCha};
use crate::{Error, Fernet, Result};

/// AES-CBC with PKCS#7 padding, AES-128/192/256 by key length.
///
/// # Errors
/// [`Error::InvalidKey`] for a key that is not 16, 24 or 32 bytes.
pub fn aes_cbc_pkcs7_encrypt(key: &[u8], iv: &[u8; 16], plaintext: &[u8]) -> Result<Vec<u8>> {
    fn run<C>(key: &[u8], iv: &[u8; 16], pt: &[u8]) -> Result<Vec<u8>>
    where
        cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
        C: cbc::cipher::BlockCipherEncrypt,
    {
        let enc = cbc::Encryptor::<C>::new_from_slices(key, iv)
            .map_err(|_| Error::InvalidKey("AES keys are 16, 24 or 32 bytes"))?;
        Ok(enc.encrypt_padded_vec::<Pkcs7>(pt))
    }
    match key.len() {
        16 => run::<Aes128>(key, iv, plaintext),
        24 => run::<Aes192>(key, iv, plaintext),
        32 => run::<Aes256>(key, iv, plaintext),
        _ => Err(Error::InvalidKey("AES keys are 16, 24 or 32 bytes")),
    }
}

/// Inverse of [`aes_cbc_pkcs7_encrypt`].
///
/// # Errors
/// [`Error::InvalidKey`] for a bad key length; [`Error::InvalidToken`] for a
/// ciphertext that is not whole blocks or whose padding is wrong.
pub fn aes_cbc_pkcs7_decrypt(
    key: &[u8],
    iv: &[u8; 16],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    fn run<C>(key: &[u8], iv: &[u8; 16], ct: &[u8]) -> Result<Zeroizing<Vec<u8>>>
    where
        cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
        C: cbc::cipher::BlockCipherDecrypt,
    {
        let dec = cbc::Decryptor::<C>::new_from_slices(key, iv)
            .map_err(|_| Error::InvalidKey("AES keys are 16, 24 or 32 bytes"))?;
        if ct.is_empty() || !ct.len().is_multiple_of(16) {
            return Err(Error::InvalidToken);
        }
        dec.decrypt_padded_vec::<Pkcs7>(ct)
            .map(Zeroizing::new)
            .map_err(|_| Error::InvalidToken)
    }
    match key.len() {
        16 => run::<Aes128>(key, iv, ciphertext),
        24 => run::<Aes192>(key, iv, ciphertext),
        32 => run::<Aes256>(key, iv, ciphertext),
        _ => Err(Error::InvalidKey("AES keys are 16, 24 or 32 bytes")),
    }
}

/// The two ChaCha20-Poly1305 AEADs hx's backend provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChaChaVariant {
    /// RFC 8439 ChaCha20-Poly1305, 96-bit nonce.
    ChaCha20Poly1305,
    /// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), 192-bit nonce.
    XChaCha20Poly1305,
}

impl ChaChaVariant {
    /// Nonce length in bytes.
    #[must_use]
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::ChaCha20Poly1305 => 12,
            Self::XChaCha20Poly1305 => 24,
        }
    }
}

/// Seals `plaintext`: returns `ciphertext ‖ tag`.
///
/// # Errors
/// [`Error::InvalidKey`] for a key that is not 32 bytes or a nonce of the
/// wrong length.
pub fn chacha_seal(
    variant: ChaChaVariant,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let key: &[u8; 32] = key.try_into().map_err(|_| bad_key())?;
    let mut buf = plaintext.to_vec();
    let tag = match variant {
        ChaChaVariant::ChaCha20Poly1305 => {
            let nonce: &[u8; 12] = nonce.try_into().map_err(|_| bad_nonce())?;
            ChaCha::new(key)?.seal(nonce, aad, &mut buf)?
        }
        ChaChaVariant::XChaCha20Poly1305 => {
            let nonce: &[u8; 24] = nonce.try_into().map_err(|_| bad_nonce())?;
            XChaCha::new(key).seal(nonce, aad, &mut buf)?
        }
    };
    buf.extend_from_slice(&tag);
    Ok(buf)
}

/// Opens `ciphertext ‖ tag`.
///
/// # Errors
/// [`Error::InvalidKey`] for a bad key or nonce length; [`Error::InvalidToken`]
/// if it does not authenticate.
pub fn chacha_open(
    variant: ChaChaVariant,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let key: &[u8; 32] = key.try_into().map_err(|_| bad_key())?;
    let split = sealed
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(Error::InvalidToken)?;
    let (ct, tag) = sealed.split_at(split);
    let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| Error::InvalidToken)?;
    let mut buf = Zeroizing::new(ct.to_vec());
    match variant {
        ChaChaVariant::ChaCha20Poly1305 => {
            let nonce: &[u8; 12] = nonce.try_into().map_err(|_| bad_nonce())?;
            ChaCha::new(key)?.open(nonce, aad, &mut buf, tag)?;
        }
        ChaChaVariant::XChaCha20Poly1305 => {
            let nonce: &[u8; 24] = nonce.try_into().map_err(|_| bad_nonce())?;
            XChaCha::new(key).open(nonce, aad, &mut buf, tag)?;
        }
    }
    Ok(buf)
}

fn bad_key() -> Error {
    Error::InvalidKey("ChaCha20-Poly1305 keys are 32 bytes")
}

fn bad_nonce() -> Error {
    Error::InvalidKey("wrong nonce length for this AEAD")
}

/// A Fernet token with a caller-chosen IV, for the spec's `generate.json`
/// vectors. Reusing an IV under one key leaks plaintext relations.
#[must_use]
pub fn fernet_encrypt_with_iv(
    fernet: &Fernet,
    data: &[u8],
    timestamp: u64,
    iv: &[u8; 16],
) -> String {
    fernet.encrypt_with_iv(data, timestamp, iv)
}

/// A sealed token with a caller-chosen nonce, for the fixed-input vectors of
/// docs/FORMAT.md. Reusing a nonce under one key breaks XChaCha20-Poly1305.
///
/// # Errors
/// As [`crate::Keyring::seal`].
pub fn keyring_seal_with_nonce(
    keyring: &crate::Keyring,
    plaintext: &[u8],
    context: &[u8],
    issued_at: u64,
    nonce: &[u8; 24],
) -> Result<String> {
    keyring.seal_with_nonce(plaintext, context, issued_at, nonce)
}

/// A stream with a caller-chosen salt, for the fixed-input vectors of
/// docs/FORMAT.md. Reusing a salt under one key reuses every chunk nonce.
///
/// # Errors
/// As [`crate::stream::encrypt`].
pub fn stream_encrypt_with_salt(
    keyring: &crate::Keyring,
    salt: &[u8; 32],
    reader: impl std::io::Read,
    writer: impl std::io::Write,
) -> Result<u64> {
    crate::stream::encrypt_with_salt(keyring, salt, reader, writer)
}

/// Seals everything `reader` yields as the STREAM construction hx's streams
/// use, without hx's header: 64 KiB chunks of ChaCha20-Poly1305 under `key`,
/// chunk `i` with the nonce `0^3 ‖ u64be(i) ‖ last` and `aad`. With an empty
/// `aad` this is the payload of the age format (whose 11-byte counter is
/// this nonce). Pipelined on two worker threads; returns the plaintext
/// length.
///
/// The key must be fresh for every payload (age derives it from a new file
/// key and nonce): sealing two inputs under one key reuses every nonce.
///
/// ```
/// use hx_aead::hazmat::{stream_open_payload, stream_seal_payload};
/// let key = [7u8; 32];
/// let mut sealed = Vec::new();
/// stream_seal_payload(&key, b"", &b"hello"[..], &mut sealed)?;
/// assert_eq!(sealed.len(), 5 + 16);
/// let mut opened = Vec::new();
/// stream_open_payload(&key, b"", &sealed[..], &mut opened)?;
/// assert_eq!(opened, b"hello");
/// # Ok::<(), hx_aead::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if reading or writing fails.
pub fn stream_seal_payload(
    key: &[u8; 32],
    aad: &[u8],
    reader: impl std::io::Read,
    writer: impl std::io::Write,
) -> Result<u64> {
    crate::stream::seal_payload(key, aad, reader, writer)
}

/// Opens what [`stream_seal_payload`] wrote, writing plaintext only after
/// the tags of its chunks are checked (a failure can follow earlier
/// output: keep it only on `Ok`).
///
/// # Errors
/// [`Error::InvalidToken`] for anything that does not authenticate (wrong
/// key, damaged, cut short, reordered or extended, an empty final chunk
/// after others); [`Error::Io`] if reading or writing fails.
pub fn stream_open_payload(
    key: &[u8; 32],
    aad: &[u8],
    reader: impl std::io::Read,
    writer: impl std::io::Write,
) -> Result<u64> {
    crate::stream::open_payload(key, aad, reader, writer)
}

/// ChaCha20-Poly1305 (RFC 8439) on hx's backend (ring's assembly with the
/// `ring` feature), in place, with the caller's nonce: for formats that
/// define their nonces (age's stanza bodies use an all-zero nonce under
/// single-use keys). A nonce used twice under one key breaks both
/// confidentiality and authenticity.
///
/// ```
/// use hx_aead::hazmat::ChaCha20Poly1305;
/// let aead = ChaCha20Poly1305::new(&[1; 32])?;
/// let mut buf = *b"file key bytes!!";
/// let tag = aead.seal_in_place(&[0; 12], b"", &mut buf)?;
/// aead.open_in_place(&[0; 12], b"", &mut buf, &tag)?;
/// assert_eq!(&buf, b"file key bytes!!");
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub struct ChaCha20Poly1305(ChaCha);

impl ChaCha20Poly1305 {
    /// The cipher under `key`.
    ///
    /// # Errors
    /// None in practice ([`Error::InvalidKey`] if the backend refuses it).
    pub fn new(key: &[u8; 32]) -> Result<Self> {
        ChaCha::new(key).map(Self)
    }

    /// Encrypts `buf` in place; returns the tag.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a message longer than the AEAD allows.
    pub fn seal_in_place(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16]> {
        self.0.seal(nonce, aad, buf)
    }

    /// Decrypts `buf` in place if `tag` authenticates it.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] if it does not authenticate (`buf` is then
    /// unspecified).
    pub fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<()> {
        self.0.open(nonce, aad, buf, tag)
    }
}

impl core::fmt::Debug for ChaCha20Poly1305 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ChaCha20Poly1305([REDACTED])")
    }
}
