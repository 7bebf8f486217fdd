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
//! tag has been checked; memory stays at one batch of 16 chunks (about
//! 1 MiB) plus one chunk read ahead, whatever the size, and each batch is
//! split across two threads.

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

/// Chunks sealed or opened together, split across two threads (1 MiB of
/// plaintext per batch).
const BATCH: usize = 16;
const SEALED_LEN: usize = CHUNK_LEN + TAG_LEN;

struct ChunkCipher {
    aead: ChaCha,
    header: [u8; HEADER_LEN],
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
        })
    }

    fn nonce(counter: u64, last: bool) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[3..11].copy_from_slice(&counter.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce
    }

    /// Seals `chunk[..len - TAG_LEN]` in place and writes the tag after it.
    fn seal(&self, counter: u64, last: bool, chunk: &mut [u8]) -> Result<()> {
        let split = chunk
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::InvalidToken)?;
        let (body, tag_out) = chunk.split_at_mut(split);
        let tag = self
            .aead
            .seal(&Self::nonce(counter, last), &self.header, body)?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    /// Opens `chunk` (ciphertext ‖ tag) in place; the plaintext is
    /// `chunk[..len - TAG_LEN]` afterwards.
    fn open(&self, counter: u64, last: bool, chunk: &mut [u8]) -> Result<()> {
        let split = chunk
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::InvalidToken)?;
        let (body, tag) = chunk.split_at_mut(split);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::InvalidToken)?;
        self.aead
            .open(&Self::nonce(counter, last), &self.header, body, &tag)
            .map_err(|_| Error::InvalidToken)
    }

    /// Applies `op(counter, last, chunk)` to every chunk of a batch, on two
    /// threads when the batch has more than one chunk. `last` marks the
    /// batch's final chunk as the stream's final chunk.
    fn for_each_chunk(
        &self,
        first_counter: u64,
        final_batch: bool,
        chunks: &mut [&mut [u8]],
        op: fn(&Self, u64, bool, &mut [u8]) -> Result<()>,
    ) -> Result<()> {
        let count = chunks.len();
        let run = |offset: usize, part: &mut [&mut [u8]]| -> Result<()> {
            for (i, chunk) in part.iter_mut().enumerate() {
                let index = offset + i;
                let counter = first_counter
                    .checked_add(index as u64)
                    .ok_or(Error::InvalidKey("stream too long"))?;
                op(self, counter, final_batch && index + 1 == count, chunk)?;
            }
            Ok(())
        };
        if count < 2 {
            return run(0, chunks);
        }
        let mid = count / 2;
        let (left, right) = chunks.split_at_mut(mid);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| run(0, left));
            let mine = run(mid, right);
            let theirs = other.join().unwrap_or(Err(Error::InvalidToken));
            mine.and(theirs)
        })
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
/// Chunks are sealed in batches of 16, each split across two threads;
/// memory stays at about one batch (1 MiB) whatever the input size.
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
pub fn encrypt(keyring: &Keyring, reader: impl Read, writer: impl Write) -> Result<u64> {
    let mut salt = [0u8; 32];
    hx_random::fill(&mut salt)?;
    encrypt_with_salt(keyring, &salt, reader, writer)
}

pub(crate) fn encrypt_with_salt(
    keyring: &Keyring,
    salt: &[u8; 32],
    reader: impl Read,
    writer: impl Write,
) -> Result<u64> {
    let key_id = keyring.primary_id();
    encrypt_under(
        key_id,
        keyring.sealing_key_bytes(key_id)?,
        salt,
        reader,
        writer,
    )
}

/// A 256-bit key for streams made without a keyring, for example the data
/// key that hx-kex wraps for a public-key recipient. Streams under it carry
/// key id 0. Zeroized on drop; `Debug` prints `[REDACTED]`.
pub struct StreamKey(Zeroizing<[u8; 32]>);

impl StreamKey {
    /// A fresh key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::Random`] if the generator fails.
    pub fn generate() -> Result<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        hx_random::fill(key.as_mut())?;
        Ok(Self(key))
    }

    /// The key with these bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(Zeroizing::new(*bytes))
    }

    /// The key's bytes, to wrap it for storage or a recipient.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl core::fmt::Debug for StreamKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("StreamKey([REDACTED])")
    }
}

/// Key id written in the header of streams under a [`StreamKey`].
const STREAM_KEY_ID: u32 = 0;

/// [`encrypt`] under a [`StreamKey`] instead of a keyring (same format, key
/// id 0).
///
/// # Errors
/// As [`encrypt`].
///
/// ```
/// use hx_aead::stream::{self, StreamKey};
/// let key = StreamKey::generate()?;
/// let mut sealed = Vec::new();
/// stream::encrypt_with_key(&key, &b"payload"[..], &mut sealed)?;
/// let mut opened = Vec::new();
/// stream::decrypt_with_key(&key, &sealed[..], &mut opened)?;
/// assert_eq!(opened, b"payload");
/// # Ok::<(), hx_aead::Error>(())
/// ```
pub fn encrypt_with_key(key: &StreamKey, reader: impl Read, writer: impl Write) -> Result<u64> {
    let mut salt = [0u8; 32];
    hx_random::fill(&mut salt)?;
    encrypt_under(STREAM_KEY_ID, &key.0, &salt, reader, writer)
}

/// [`decrypt`] under a [`StreamKey`].
///
/// # Errors
/// As [`decrypt`]; a stream whose header names another key id is
/// [`Error::InvalidToken`].
pub fn decrypt_with_key(key: &StreamKey, reader: impl Read, writer: impl Write) -> Result<u64> {
    decrypt_under(reader, writer, |id| {
        if id == STREAM_KEY_ID {
            Ok(&key.0)
        } else {
            Err(Error::InvalidToken)
        }
    })
}

fn encrypt_under(
    key_id: u32,
    key: &[u8; 32],
    salt: &[u8; 32],
    mut reader: impl Read,
    mut writer: impl Write,
) -> Result<u64> {
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8] = VERSION;
    header[9..13].copy_from_slice(&key_id.to_be_bytes());
    header[13..].copy_from_slice(salt);
    let cipher = ChunkCipher::new(key, header)?;
    writer.write_all(&header)?;

    // Chunk i of a batch occupies buf[i * SEALED_LEN..][..len + TAG_LEN].
    let mut buf = Zeroizing::new(vec![0u8; BATCH * SEALED_LEN]);
    let mut lens: Vec<usize> = Vec::with_capacity(BATCH);
    // One chunk read ahead tells whether the batch's final chunk is the last.
    let mut ahead = Zeroizing::new(Vec::with_capacity(CHUNK_LEN));
    fill(&mut reader, &mut ahead, CHUNK_LEN)?;
    let (mut counter, mut total) = (0u64, 0u64);
    loop {
        lens.clear();
        let mut last = false;
        while lens.len() < BATCH {
            let slot = lens.len() * SEALED_LEN;
            let n = ahead.len();
            buf.get_mut(slot..slot + n)
                .ok_or(Error::InvalidKey("chunk buffer"))?
                .copy_from_slice(&ahead);
            lens.push(n);
            ahead.clear();
            if n < CHUNK_LEN {
                last = true; // a short chunk (or the empty input) ends the stream
                break;
            }
            fill(&mut reader, &mut ahead, CHUNK_LEN)?;
            if ahead.is_empty() {
                last = true;
                break;
            }
        }
        total += lens.iter().map(|&n| n as u64).sum::<u64>();
        let mut chunks: Vec<&mut [u8]> = buf
            .chunks_mut(SEALED_LEN)
            .zip(&lens)
            .map(|(slot, &n)| slot.get_mut(..n + TAG_LEN).unwrap_or_default())
            .collect();
        cipher.for_each_chunk(counter, last, &mut chunks, ChunkCipher::seal)?;
        for chunk in &chunks {
            writer.write_all(chunk)?;
        }
        counter += lens.len() as u64;
        if last {
            writer.flush()?;
            return Ok(total);
        }
    }
}

/// Decrypts a stream made by [`encrypt`] with any non-retired key of
/// `keyring`, writing plaintext only after the tags of its chunks are
/// checked. Returns the number of plaintext bytes.
///
/// A failure can come after earlier chunks were written: write to a
/// temporary place and keep the output only if this returns `Ok` (the `hx
/// decrypt` command does).
///
/// # Errors
/// [`Error::InvalidToken`] for anything that does not authenticate (wrong
/// key, damaged, truncated, reordered or extended data); [`Error::Io`] if
/// reading or writing fails.
pub fn decrypt(keyring: &Keyring, reader: impl Read, writer: impl Write) -> Result<u64> {
    decrypt_under(reader, writer, |id| keyring.sealing_key_bytes(id))
}

fn decrypt_under<'k>(
    mut reader: impl Read,
    mut writer: impl Write,
    key_for: impl FnOnce(u32) -> Result<&'k [u8; 32]>,
) -> Result<u64> {
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::InvalidToken,
        _ => Error::Io(e),
    })?;
    if header.get(..8) != Some(&MAGIC[..]) || header[8] != VERSION {
        return Err(Error::InvalidToken);
    }
    let key_id = u32::from_be_bytes([header[9], header[10], header[11], header[12]]);
    let cipher = ChunkCipher::new(key_for(key_id)?, header)?;

    let batch_len = BATCH * SEALED_LEN;
    // One byte beyond a full batch tells whether more chunks follow.
    let mut buf = Zeroizing::new(Vec::with_capacity(batch_len + 1));
    fill(&mut reader, &mut buf, batch_len + 1)?;
    let (mut counter, mut total) = (0u64, 0u64);
    loop {
        let last = buf.len() <= batch_len;
        let carry = if last { None } else { buf.pop() };
        let count = buf.len().div_ceil(SEALED_LEN);
        let final_len = buf.len() - (count.max(1) - 1) * SEALED_LEN;
        // Every chunk carries a tag; an empty final chunk is only the empty input.
        if count == 0
            || final_len < TAG_LEN
            || (last && final_len == TAG_LEN && (counter > 0 || count > 1))
        {
            return Err(Error::InvalidToken);
        }
        let mut chunks: Vec<&mut [u8]> = buf.chunks_mut(SEALED_LEN).collect();
        cipher.for_each_chunk(counter, last, &mut chunks, ChunkCipher::open)?;
        for chunk in &chunks {
            let plain = chunk.get(..chunk.len() - TAG_LEN).unwrap_or_default();
            writer.write_all(plain)?;
            total += plain.len() as u64;
        }
        if last {
            writer.flush()?;
            return Ok(total);
        }
        counter += count as u64;
        buf.clear();
        buf.extend(carry);
        fill(&mut reader, &mut buf, batch_len + 1)?;
    }
}
