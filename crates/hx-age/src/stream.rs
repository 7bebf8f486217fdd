//! The payload: a 16-byte nonce, then STREAM over ChaCha20-Poly1305 in
//! 64 KiB chunks (nonce = 11-byte big-endian counter ‖ last flag), as a
//! `Write` for encrypting and a `Read` for decrypting. Memory stays at one
//! chunk; a chunk's plaintext is released only after its tag is checked.
//! The pipelined whole-stream functions of `hx_aead::hazmat` do the same
//! work on two threads.

use std::io::{self, Read, Write};

use hx_aead::hazmat::ChaCha20Poly1305;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Plaintext bytes per chunk.
pub const CHUNK_LEN: usize = 64 * 1024;
const TAG_LEN: usize = 16;
const SEALED_LEN: usize = CHUNK_LEN + TAG_LEN;

fn nonce(counter: u64, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[3..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

fn payload_error() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Error::Payload)
}

/// Encrypts what is written to it into an age file's payload. Call
/// [`finish`](Self::finish) at the end: without it the file has no final
/// chunk and will not decrypt.
pub struct EncryptingWriter<W: Write> {
    inner: W,
    aead: ChaCha20Poly1305,
    counter: u64,
    chunk: Zeroizing<Vec<u8>>,
}

impl<W: Write> EncryptingWriter<W> {
    pub(crate) fn new(inner: W, key: &[u8; 32]) -> Result<Self> {
        Ok(Self {
            inner,
            aead: ChaCha20Poly1305::new(key).map_err(|_| Error::Backend("ChaCha20-Poly1305"))?,
            counter: 0,
            chunk: Zeroizing::new(Vec::with_capacity(SEALED_LEN)),
        })
    }

    fn seal_chunk(&mut self, last: bool) -> io::Result<()> {
        let tag = self
            .aead
            .seal_in_place(&nonce(self.counter, last), b"", &mut self.chunk)
            .map_err(|_| io::Error::other(Error::Backend("ChaCha20-Poly1305")))?;
        self.inner.write_all(&self.chunk)?;
        self.inner.write_all(&tag)?;
        self.chunk.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other(Error::Backend("stream too long")))?;
        Ok(())
    }

    /// Writes the final chunk and returns the output.
    ///
    /// # Errors
    /// [`Error::Io`] if writing fails.
    pub fn finish(mut self) -> Result<W> {
        self.seal_chunk(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let total = data.len();
        while !data.is_empty() {
            // A full chunk is sealed only once more data shows it is not
            // the last.
            if self.chunk.len() == CHUNK_LEN {
                self.seal_chunk(false)?;
            }
            let take = (CHUNK_LEN - self.chunk.len()).min(data.len());
            self.chunk.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(total)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts an age file's payload as it is read. A read that returns an
/// error with [`Error::Payload`] inside means the file is damaged or cut
/// short: discard what was read before.
pub struct DecryptingReader<R: Read> {
    inner: R,
    aead: ChaCha20Poly1305,
    counter: u64,
    chunk: Zeroizing<Vec<u8>>,
    plain: std::ops::Range<usize>,
    ahead: Option<u8>,
    done: bool,
    failed: bool,
}

impl<R: Read> DecryptingReader<R> {
    pub(crate) fn new(inner: R, key: &[u8; 32]) -> Result<Self> {
        Ok(Self {
            inner,
            aead: ChaCha20Poly1305::new(key).map_err(|_| Error::Backend("ChaCha20-Poly1305"))?,
            counter: 0,
            chunk: Zeroizing::new(vec![0; SEALED_LEN]),
            plain: 0..0,
            ahead: None,
            done: false,
            failed: false,
        })
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let mut n = 0;
        if let Some(byte) = self.ahead.take() {
            self.chunk[0] = byte;
            n = 1;
        }
        n += read_full(&mut self.inner, &mut self.chunk[n..])?;
        let last = if n == SEALED_LEN {
            let mut byte = [0u8; 1];
            let more = read_full(&mut self.inner, &mut byte)? == 1;
            if more {
                self.ahead = Some(byte[0]);
            }
            !more
        } else {
            true
        };
        // Every chunk has a tag; an empty final chunk is only the empty file.
        if n < TAG_LEN || (last && n == TAG_LEN && self.counter > 0) {
            return Err(payload_error());
        }
        let (body, tag) = self.chunk[..n].split_at_mut(n - TAG_LEN);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| payload_error())?;
        self.aead
            .open_in_place(&nonce(self.counter, last), b"", body, &tag)
            .map_err(|_| payload_error())?;
        self.plain = 0..n - TAG_LEN;
        self.counter = self.counter.checked_add(1).ok_or_else(payload_error)?;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.failed {
            return Err(payload_error());
        }
        while self.plain.is_empty() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            if let Err(e) = self.next_chunk() {
                self.failed = true;
                return Err(e);
            }
        }
        let n = self.plain.len().min(out.len());
        out[..n].copy_from_slice(&self.chunk[self.plain.start..][..n]);
        self.plain.start += n;
        Ok(n)
    }
}

/// Reads into all of `buf` unless the input ends first.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
