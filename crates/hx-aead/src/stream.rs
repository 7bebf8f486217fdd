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
//! tag has been checked. Chunks travel in batches of 16 through a pipeline:
//! the calling thread reads and writes while two worker threads seal or
//! open, so I/O and cryptography overlap; memory stays at the four batches
//! in flight (about 4 MiB) whatever the size.

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

/// Chunks handed to a worker thread together (1 MiB of plaintext per
/// batch).
const BATCH: usize = 16;
const SEALED_LEN: usize = CHUNK_LEN + TAG_LEN;

struct ChunkCipher {
    aead: ChaCha,
    /// Authenticated with every chunk: hx's stream header (empty for age's
    /// payload).
    aad: Vec<u8>,
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
        Self::with_key(&key, &header)
    }

    fn with_key(key: &[u8; 32], aad: &[u8]) -> Result<Self> {
        Ok(Self {
            aead: ChaCha::new(key)?,
            aad: aad.to_vec(),
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
            .seal(&Self::nonce(counter, last), &self.aad, body)?;
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
            .open(&Self::nonce(counter, last), &self.aad, body, &tag)
            .map_err(|_| Error::InvalidToken)
    }

    /// Applies `op` to every chunk of `batch`; the batch's final chunk is
    /// the stream's final chunk when `batch.last` is set.
    fn run_batch(&self, batch: &mut Batch, op: ChunkOp) -> Result<()> {
        let count = batch.lens.len();
        for (i, (slot, &len)) in batch
            .buf
            .chunks_mut(SEALED_LEN)
            .zip(&batch.lens)
            .enumerate()
        {
            let counter = batch
                .counter
                .checked_add(i as u64)
                .ok_or(Error::InvalidKey("stream too long"))?;
            let chunk = slot.get_mut(..len).ok_or(Error::InvalidToken)?;
            op(self, counter, batch.last && i + 1 == count, chunk)?;
        }
        Ok(())
    }
}

/// [`ChunkCipher::seal`] or [`ChunkCipher::open`].
type ChunkOp = fn(&ChunkCipher, u64, bool, &mut [u8]) -> Result<()>;

/// Up to [`BATCH`] chunks, chunk `i` in `buf[i * SEALED_LEN..][..lens[i]]`
/// (sealed length: ciphertext and tag). The buffer's room for a whole batch
/// is reserved up front, so it never moves (and leaves no copy behind); it
/// grows only as far as chunks arrive and never shrinks, and everything up
/// to that high-water mark is wiped on drop.
struct Batch {
    buf: Vec<u8>,
    lens: Vec<usize>,
    /// Counter of the first chunk.
    counter: u64,
    /// Whether this batch ends the stream.
    last: bool,
    /// What the worker's seal or open returned.
    result: Result<()>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.buf.as_mut_slice());
    }
}

impl Batch {
    /// Chunk slot `i` (room for a full sealed chunk), growing the buffer to
    /// it within the reserved capacity.
    fn slot(&mut self, i: usize) -> Result<&mut [u8]> {
        let end = (i + 1) * SEALED_LEN;
        if self.buf.len() < end {
            self.buf.resize(end.min(self.buf.capacity()), 0);
        }
        self.buf
            .get_mut(i * SEALED_LEN..end)
            .ok_or(Error::InvalidKey("chunk slot beyond a batch"))
    }

    /// The batch's sealed chunks (ciphertext and tag), in order.
    fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.buf
            .chunks(SEALED_LEN)
            .zip(&self.lens)
            .map(|(slot, &len)| slot.get(..len).unwrap_or_default())
    }

    fn new() -> Self {
        Self {
            buf: Vec::with_capacity(BATCH * SEALED_LEN),
            lens: Vec::with_capacity(BATCH),
            counter: 0,
            last: false,
            result: Ok(()),
        }
    }
}

/// Batches in flight: one being read, one per worker, one being written.
const BATCHES_IN_FLIGHT: usize = 4;

/// Runs a stream through the cipher as a pipeline: the calling thread reads
/// batches (`read`) and writes finished ones in order (`write`) while two
/// worker threads seal or open them, so I/O and cryptography overlap.
/// `read` fills a batch's chunks and sets `last`; the pipeline numbers the
/// chunks. Stops at the first error, writing nothing of the failed batch or
/// any after it. Memory: [`BATCHES_IN_FLIGHT`] batches of about 1 MiB.
fn pipeline(
    cipher: &ChunkCipher,
    op: ChunkOp,
    mut read: impl FnMut(&mut Batch) -> Result<()>,
    mut write: impl FnMut(&Batch) -> Result<()>,
) -> Result<()> {
    use std::sync::mpsc;
    // A stream of one batch (up to 1 MiB) is sealed or opened right here,
    // without starting threads.
    let mut first = Batch::new();
    read(&mut first)?;
    if first.last {
        cipher.run_batch(&mut first, op)?;
        return write(&first);
    }
    std::thread::scope(|scope| {
        let mut jobs = Vec::new();
        let mut done = Vec::new();
        for _ in 0..2 {
            let (job_tx, job_rx) = mpsc::channel::<Batch>();
            let (done_tx, done_rx) = mpsc::channel::<Batch>();
            scope.spawn(move || {
                for mut batch in job_rx {
                    batch.result = cipher.run_batch(&mut batch, op);
                    if done_tx.send(batch).is_err() {
                        return;
                    }
                }
            });
            jobs.push(job_tx);
            done.push(done_rx);
        }
        let worker_gone = || Error::InvalidKey("stream worker stopped");
        // Receives the oldest batch in flight, checks it and writes it.
        let mut finish = |worker: usize| -> Result<Batch> {
            let mut batch = done
                .get(worker)
                .and_then(|rx| rx.recv().ok())
                .ok_or_else(worker_gone)?;
            std::mem::replace(&mut batch.result, Ok(()))?;
            write(&batch)?;
            Ok(batch)
        };
        let mut in_flight = std::collections::VecDeque::new();
        let mut next = Some(first);
        let (mut counter, mut submitted) = (0u64, 0usize);
        loop {
            let mut batch = match next.take() {
                Some(batch) => batch,
                None => {
                    let mut batch = if in_flight.len() < BATCHES_IN_FLIGHT {
                        Batch::new()
                    } else {
                        finish(in_flight.pop_front().ok_or_else(worker_gone)?)?
                    };
                    batch.lens.clear();
                    batch.last = false;
                    read(&mut batch)?;
                    batch
                }
            };
            batch.counter = counter;
            counter = counter
                .checked_add(batch.lens.len() as u64)
                .ok_or(Error::InvalidKey("stream too long"))?;
            let last = batch.last;
            let worker = submitted % 2;
            jobs.get(worker)
                .and_then(|tx| tx.send(batch).ok())
                .ok_or_else(worker_gone)?;
            in_flight.push_back(worker);
            submitted += 1;
            if last {
                break;
            }
        }
        while let Some(worker) = in_flight.pop_front() {
            finish(worker)?;
        }
        Ok(())
    })
}

/// Fills `buf` starting with the byte read ahead (if any), then from the
/// input; returns the number of bytes placed.
fn read_after(reader: &mut impl Read, ahead: &mut Option<u8>, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    if let (Some(byte), Some(start)) = (ahead.take(), buf.first_mut()) {
        *start = byte;
        n = 1;
    }
    Ok(n + read_full(reader, buf.get_mut(n..).unwrap_or_default())?)
}

/// Reads one byte ahead, kept in `ahead` for [`read_after`]: whether the
/// input goes on.
fn read_ahead(reader: &mut impl Read, ahead: &mut Option<u8>) -> io::Result<bool> {
    let mut byte = [0u8; 1];
    let more = read_full(reader, &mut byte)? == 1;
    if more {
        *ahead = Some(byte[0]);
    }
    Ok(more)
}

/// Reads into all of `buf` unless the input ends first; returns the number
/// of bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|rest| !rest.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Encrypts everything `reader` yields under the keyring's primary key,
/// writing the stream to `writer`. Returns the number of plaintext bytes.
///
/// Chunks are sealed in batches of 16 by two worker threads while the
/// calling thread reads and writes; memory stays at about 4 MiB whatever the
/// input size.
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
    reader: impl Read,
    mut writer: impl Write,
) -> Result<u64> {
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8] = VERSION;
    header[9..13].copy_from_slice(&key_id.to_be_bytes());
    header[13..].copy_from_slice(salt);
    let cipher = ChunkCipher::new(key, header)?;
    writer.write_all(&header)?;
    seal_chunks(&cipher, reader, writer)
}

/// Seals the chunks of the whole input with `cipher`, through the pipeline.
fn seal_chunks(cipher: &ChunkCipher, mut reader: impl Read, mut writer: impl Write) -> Result<u64> {
    // After a batch of full chunks, one byte read ahead tells whether the
    // stream goes on; it opens the next batch.
    let mut carry: Option<u8> = None;
    let mut total = 0u64;
    let read = |batch: &mut Batch| -> Result<()> {
        for i in 0..BATCH {
            let plain = batch
                .slot(i)?
                .get_mut(..CHUNK_LEN)
                .ok_or(Error::InvalidToken)?;
            let n = read_after(&mut reader, &mut carry, plain)?;
            if n == 0 && i > 0 {
                batch.last = true; // the input ended with the previous chunk
                break;
            }
            batch.lens.push(n + TAG_LEN);
            total += n as u64;
            if n < CHUNK_LEN {
                batch.last = true; // a short chunk (or the empty input) ends the stream
                break;
            }
        }
        if !batch.last {
            batch.last = !read_ahead(&mut reader, &mut carry)?;
        }
        Ok(())
    };
    let write = |batch: &Batch| -> Result<()> {
        for chunk in batch.chunks() {
            writer.write_all(chunk)?;
        }
        Ok(())
    };
    pipeline(cipher, ChunkCipher::seal, read, write)?;
    writer.flush()?;
    Ok(total)
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
    writer: impl Write,
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
    open_chunks(&cipher, reader, writer)
}

/// Opens the chunks of the whole input with `cipher`, through the pipeline,
/// writing each batch's plaintext only after its tags are checked.
fn open_chunks(cipher: &ChunkCipher, mut reader: impl Read, mut writer: impl Write) -> Result<u64> {
    // After a batch of full chunks, one byte read ahead tells whether more
    // chunks follow; it opens the next batch.
    let mut carry: Option<u8> = None;
    let mut first = true;
    let read = |batch: &mut Batch| -> Result<()> {
        let mut filled = 0;
        for i in 0..BATCH {
            let n = read_after(&mut reader, &mut carry, batch.slot(i)?)?;
            filled += n;
            if n < SEALED_LEN {
                batch.last = true;
                break;
            }
        }
        if !batch.last {
            batch.last = !read_ahead(&mut reader, &mut carry)?;
        }
        let count = filled.div_ceil(SEALED_LEN);
        let final_len = filled - (count.max(1) - 1) * SEALED_LEN;
        // Every chunk carries a tag; an empty final chunk is only the empty input.
        if count == 0
            || final_len < TAG_LEN
            || (batch.last && final_len == TAG_LEN && (!first || count > 1))
        {
            return Err(Error::InvalidToken);
        }
        first = false;
        batch.lens.extend((0..count).map(|i| {
            if i + 1 == count {
                final_len
            } else {
                SEALED_LEN
            }
        }));
        Ok(())
    };
    let mut total = 0u64;
    let write = |batch: &Batch| -> Result<()> {
        for chunk in batch.chunks() {
            let plain = chunk.get(..chunk.len() - TAG_LEN).unwrap_or_default();
            writer.write_all(plain)?;
            total += plain.len() as u64;
        }
        Ok(())
    };
    pipeline(cipher, ChunkCipher::open, read, write)?;
    writer.flush()?;
    Ok(total)
}

/// Seals a payload in the STREAM construction of hx's streams under a key
/// the caller derived and will not use again (see
/// [`crate::hazmat::stream_seal_payload`]).
pub(crate) fn seal_payload(
    key: &[u8; 32],
    aad: &[u8],
    reader: impl Read,
    writer: impl Write,
) -> Result<u64> {
    seal_chunks(&ChunkCipher::with_key(key, aad)?, reader, writer)
}

/// Opens what [`seal_payload`] wrote.
pub(crate) fn open_payload(
    key: &[u8; 32],
    aad: &[u8],
    reader: impl Read,
    writer: impl Write,
) -> Result<u64> {
    open_chunks(&ChunkCipher::with_key(key, aad)?, reader, writer)
}
