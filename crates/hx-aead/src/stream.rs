//! Encryption of files and streams of any size (docs/FORMAT.md, "hx stream"):
//! the STREAM construction over ChaCha20-Poly1305 with a per-file key.
//!
//! ```text
//! header  = "hxstream" ‖ 0x01 ‖ key_id[4, u32be] ‖ salt[32]             (45 bytes)
//! key     = HKDF-SHA256(salt, keyring key, "hx-stream v1" ‖ header[0..13])
//! chunk i = ChaCha20-Poly1305(key, nonce = 0^3 ‖ u64be(i) ‖ last, aad = header, plaintext_i)
//! ```
//!
//! Plaintext chunks are 64 KiB; the last holds 1 to 64 KiB (or 0 for an
//! empty input) and is the only one sealed with `last = 0x01`. Truncation,
//! reordering, duplicated or swapped chunks, appended bytes and a wrong key
//! all fail authentication. A chunk's plaintext is written only after its
//! tag has been checked; memory stays at a few chunks whatever the size.

use std::io::{self, Read, Write};

use hx_digest::{HkdfAlgorithm, Prk};
use zeroize::Zeroizing;

use crate::backend::ChaCha;
use crate::{Error, Keyring, Result};

/// Plaintext bytes per chunk.
pub const CHUNK_LEN: usize = 64 * 1024;
const TAG_LEN: usize = 16;
const MAGIC: &[u8; 8] = b"hxstream";
const VERSION: u8 = 0x01;
/// Length of the stream header in bytes.
pub const HEADER_LEN: usize = 8 + 1 + 4 + 32;
const INFO_LABEL: &[u8] = b"hx-stream v1";

struct ChunkCipher {
    aead: ChaCha,
    header: [u8; HEADER_LEN],
    counter: u64,
}

impl ChunkCipher {
    fn new(keyring_key: &[u8; 32], header: [u8; HEADER_LEN]) -> Result<Self> {
        let salt = header.get(13..).ok_or(Error::InvalidToken)?;
        let mut info = INFO_LABEL.to_vec();
        info.extend_from_slice(header.get(..13).ok_or(Error::InvalidToken)?);
        let mut key = Zeroizing::new([0u8; 32]);
        Prk::extract(HkdfAlgorithm::Sha256, Some(salt), keyring_key)
            .expand(&info, &mut key[..])
            .map_err(|_| Error::InvalidKey("HKDF refused the stream key length"))?;
        Ok(Self {
            aead: ChaCha::new(&key)?,
            header,
            counter: 0,
        })
    }

    fn nonce(&self, last: bool) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[3..11].copy_from_slice(&self.counter.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce
    }

    fn advance(&mut self) -> Result<()> {
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or(Error::InvalidKey("stream too long"))?;
        Ok(())
    }

    /// Seals `buf` in place and appends the tag.
    fn seal(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<()> {
        let nonce = self.nonce(last);
        let tag = self.aead.seal(&nonce, &self.header, buf)?;
        buf.extend_from_slice(&tag);
        self.advance()
    }

    /// Opens `buf` (ciphertext ‖ tag) in place, leaving the plaintext.
    fn open(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<()> {
        let split = buf.len().checked_sub(TAG_LEN).ok_or(Error::InvalidToken)?;
        let tag: [u8; TAG_LEN] = buf
            .get(split..)
            .and_then(|t| t.try_into().ok())
            .ok_or(Error::InvalidToken)?;
        buf.truncate(split);
        let nonce = self.nonce(last);
        self.aead.open(&nonce, &self.header, buf, &tag)?;
        self.advance()
    }
}

/// Reads until `buf` holds `want` bytes or the input ends.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
    while buf.len() < want {
        let start = buf.len();
        buf.resize(want, 0);
        match reader.read(buf.get_mut(start..).unwrap_or_default()) {
            Ok(0) => {
                buf.truncate(start);
                return Ok(());
            }
            Ok(n) => buf.truncate(start + n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Encrypts everything `reader` yields under the keyring's primary key,
/// writing the stream to `writer`. Returns the number of plaintext bytes.
///
/// # Errors
/// [`Error::Io`] if reading or writing fails; [`Error::Random`] if the OS
/// generator fails.
///
/// # Example
/// ```
/// use hx_aead::{Keyring, stream};
/// let ring = Keyring::generate()?;
/// let data = vec![7u8; 200_000];
/// let mut sealed = Vec::new();
/// stream::encrypt(&ring, &data[..], &mut sealed)?;
/// let mut opened = Vec::new();
/// stream::decrypt(&ring, &sealed[..], &mut opened)?;
/// assert_eq!(opened, data);
/// sealed.truncate(sealed.len() - 1);
/// assert!(stream::decrypt(&ring, &sealed[..], &mut Vec::new()).is_err());
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub fn encrypt(keyring: &Keyring, mut reader: impl Read, mut writer: impl Write) -> Result<u64> {
    let key_id = keyring.primary_id();
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8] = VERSION;
    header[9..13].copy_from_slice(&key_id.to_be_bytes());
    hx_random::fill(&mut header[13..])?;
    let mut cipher = ChunkCipher::new(keyring.sealing_key_bytes(key_id)?, header)?;
    writer.write_all(&header)?;

    // One chunk of look-ahead tells whether the current chunk is the last.
    let mut current = Zeroizing::new(Vec::with_capacity(CHUNK_LEN + TAG_LEN));
    let mut next = Zeroizing::new(Vec::with_capacity(CHUNK_LEN + TAG_LEN));
    fill(&mut reader, &mut current, CHUNK_LEN)?;
    let mut total = 0u64;
    loop {
        let full = current.len() == CHUNK_LEN;
        if full {
            fill(&mut reader, &mut next, CHUNK_LEN)?;
        }
        let last = !full || next.is_empty();
        total += current.len() as u64;
        cipher.seal(&mut current, last)?;
        writer.write_all(&current)?;
        if last {
            writer.flush()?;
            return Ok(total);
        }
        core::mem::swap(&mut current, &mut next);
        next.clear();
    }
}

/// Decrypts a stream made by [`encrypt`] with any non-retired key of
/// `keyring`, writing each chunk's plaintext only after its tag is checked.
/// Returns the number of plaintext bytes.
///
/// A failure can come after earlier chunks were written: write to a
/// temporary place and keep the output only if this returns `Ok` (the `hx
/// decrypt` command does).
///
/// # Errors
/// [`Error::InvalidToken`] for anything that does not authenticate (wrong
/// key, damaged, truncated, reordered or extended data); [`Error::Io`] if
/// reading or writing fails.
pub fn decrypt(keyring: &Keyring, mut reader: impl Read, mut writer: impl Write) -> Result<u64> {
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::InvalidToken,
        _ => Error::Io(e),
    })?;
    if header.get(..8) != Some(&MAGIC[..]) || header[8] != VERSION {
        return Err(Error::InvalidToken);
    }
    let key_id = u32::from_be_bytes([header[9], header[10], header[11], header[12]]);
    let mut cipher = ChunkCipher::new(keyring.sealing_key_bytes(key_id)?, header)?;

    let sealed_len = CHUNK_LEN + TAG_LEN;
    let mut current = Zeroizing::new(Vec::with_capacity(sealed_len + 1));
    fill(&mut reader, &mut current, sealed_len + 1)?;
    let mut total = 0u64;
    loop {
        // More than one sealed chunk available: this one is not the last.
        let last = current.len() <= sealed_len;
        let mut chunk = Zeroizing::new(current.split_off(0));
        let carry = if last {
            Vec::new()
        } else {
            chunk.split_off(sealed_len)
        };
        if chunk.len() < TAG_LEN || (last && chunk.len() == TAG_LEN && cipher.counter > 0) {
            // Too short, or an empty final chunk after data: not made by `encrypt`.
            return Err(Error::InvalidToken);
        }
        cipher.open(&mut chunk, last)?;
        writer.write_all(&chunk)?;
        total += chunk.len() as u64;
        if last {
            writer.flush()?;
            return Ok(total);
        }
        current.extend_from_slice(&carry);
        fill(&mut reader, &mut current, sealed_len + 1)?;
    }
}
