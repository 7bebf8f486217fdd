//! Hashing with an algorithm chosen at run time: one-shot, streaming, readers
//! and whole files.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::Digest as _;

use crate::{Algorithm, Blake2b, Blake2s, Digest, Error, Result};

/// Size of the buffers files and readers are read in. Large enough that
/// SIMD hashes (BLAKE3) see many chunks at once, small enough that memory stays
/// flat however large the input.
pub const READ_BUFFER_LEN: usize = 1 << 20;

#[derive(Clone)]
enum State {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
    Blake2b(Blake2b),
    Blake2s(Blake2s),
    Blake3(Box<blake3::Hasher>),
}

/// A streaming hash whose algorithm is chosen at run time.
///
/// Feed it with [`Hasher::update`] or through [`std::io::Write`] (so
/// `std::io::copy` works), then call [`Hasher::finalize`].
///
/// # Example
/// ```
/// use hx_digest::{Algorithm, Hasher};
/// let mut h = Hasher::new(Algorithm::Sha256);
/// h.update(b"a");
/// h.update(b"bc");
/// assert_eq!(h.finalize(), hx_digest::hash(Algorithm::Sha256, b"abc"));
/// ```
#[derive(Clone)]
pub struct Hasher {
    algorithm: Algorithm,
    state: State,
}

impl Hasher {
    /// Starts a new hash.
    #[must_use]
    pub fn new(algorithm: Algorithm) -> Self {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => State::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
            Algorithm::Sha3_256 => State::Sha3_256(sha3::Sha3_256::new()),
            Algorithm::Sha3_384 => State::Sha3_384(sha3::Sha3_384::new()),
            Algorithm::Sha3_512 => State::Sha3_512(sha3::Sha3_512::new()),
            Algorithm::Blake2b512 | Algorithm::Blake2b256 => {
                State::Blake2b(Blake2b::unkeyed(algorithm.output_len()))
            }
            Algorithm::Blake2s256 => State::Blake2s(Blake2s::unkeyed(algorithm.output_len())),
            Algorithm::Blake3 => State::Blake3(Box::new(blake3::Hasher::new())),
        };
        Self { algorithm, state }
    }

    /// The algorithm this hasher computes.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(data),
            State::Sha384(h) => h.update(data),
            State::Sha512(h) => h.update(data),
            State::Sha3_256(h) => h.update(data),
            State::Sha3_384(h) => h.update(data),
            State::Sha3_512(h) => h.update(data),
            State::Blake2b(h) => h.update(data),
            State::Blake2s(h) => h.update(data),
            State::Blake3(h) => {
                h.update(data);
            }
        }
    }

    /// Finishes and returns the digest.
    #[must_use]
    pub fn finalize(self) -> Digest {
        match self.state {
            State::Sha256(h) => Digest::from_hasher(&h.finalize()),
            State::Sha384(h) => Digest::from_hasher(&h.finalize()),
            State::Sha512(h) => Digest::from_hasher(&h.finalize()),
            State::Sha3_256(h) => Digest::from_hasher(&h.finalize()),
            State::Sha3_384(h) => Digest::from_hasher(&h.finalize()),
            State::Sha3_512(h) => Digest::from_hasher(&h.finalize()),
            State::Blake2b(h) => h.finalize(),
            State::Blake2s(h) => h.finalize(),
            State::Blake3(h) => Digest::from_hasher(h.finalize().as_bytes()),
        }
    }

    /// Absorbs everything `reader` yields, in [`READ_BUFFER_LEN`] pieces.
    ///
    /// # Errors
    /// [`Error::Io`] (without a path) if reading fails.
    pub fn update_reader(&mut self, reader: impl Read) -> Result<u64> {
        read_chunks(reader, |chunk| self.update(chunk))
            .map_err(|source| Error::Io { path: None, source })
    }
}

impl_write_via_update!(Hasher);

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Hashes `data` in one call.
///
/// # Example
/// ```
/// use hx_digest::{Algorithm, hash};
/// assert_eq!(
///     hash(Algorithm::Blake3, b"").to_hex(),
///     "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
/// );
/// ```
#[must_use]
pub fn hash(algorithm: Algorithm, data: &[u8]) -> Digest {
    let mut h = Hasher::new(algorithm);
    h.update(data);
    h.finalize()
}

/// Hashes everything `reader` yields, with memory bounded by
/// [`READ_BUFFER_LEN`].
///
/// # Errors
/// [`Error::Io`] (without a path) if reading fails.
///
/// # Example
/// ```
/// use hx_digest::{Algorithm, hash, hash_reader};
/// let d = hash_reader(Algorithm::Sha512, &b"streamed"[..])?;
/// assert_eq!(d, hash(Algorithm::Sha512, b"streamed"));
/// # Ok::<(), hx_digest::Error>(())
/// ```
pub fn hash_reader(algorithm: Algorithm, reader: impl Read) -> Result<Digest> {
    let mut h = Hasher::new(algorithm);
    h.update_reader(reader)?;
    Ok(h.finalize())
}

/// Hashes a whole file, reading it in large buffers: memory stays flat however
/// large the file is.
///
/// Reading and hashing overlap: one thread reads the next buffer while the
/// caller's thread hashes the previous one.
///
/// # Errors
/// [`Error::Io`] carrying the path and the operating system's reason.
///
/// # Example
/// ```
/// use hx_digest::{Algorithm, hash, hash_file};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("data.bin");
/// std::fs::write(&path, b"file contents")?;
/// assert_eq!(hash_file(Algorithm::Sha256, &path)?, hash(Algorithm::Sha256, b"file contents"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hash_file(algorithm: Algorithm, path: impl AsRef<Path>) -> Result<Digest> {
    let path = path.as_ref();
    let io_err = |source| Error::Io {
        path: Some(path.to_path_buf()),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let mut h = Hasher::new(algorithm);
    read_chunks_pipelined(file, |chunk| h.update(chunk)).map_err(io_err)?;
    Ok(h.finalize())
}

/// Reads `reader` to the end in [`READ_BUFFER_LEN`] pieces; returns the byte count.
pub(crate) fn read_chunks(mut reader: impl Read, mut sink: impl FnMut(&[u8])) -> io::Result<u64> {
    let mut buf = vec![0u8; READ_BUFFER_LEN];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        sink(buf.get(..n).unwrap_or(&buf));
        total += n as u64;
    }
}

/// Like [`read_chunks`], but a second thread fills the next buffer while the
/// current one is consumed. Two buffers circulate, so memory stays at
/// `2 × READ_BUFFER_LEN`.
pub(crate) fn read_chunks_pipelined(
    mut reader: impl Read + Send,
    mut sink: impl FnMut(&[u8]),
) -> io::Result<u64> {
    use std::sync::mpsc::sync_channel;

    let (full_tx, full_rx) = sync_channel::<io::Result<(Vec<u8>, usize)>>(1);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(2);
    for _ in 0..2 {
        // Cannot fail: the channel has room for both and its receiver is alive.
        let _ = empty_tx.send(vec![0u8; READ_BUFFER_LEN]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let filled = fill(&mut reader, &mut buf);
                let done = !matches!(filled, Ok(n) if n > 0);
                if full_tx.send(filled.map(|n| (buf, n))).is_err() || done {
                    return;
                }
            }
        });
        // The consuming loop owns `empty_tx`: when it returns, the channel
        // closes and the reading thread stops waiting for buffers.
        let mut consume = move || {
            let mut total = 0u64;
            loop {
                let Ok(received) = full_rx.recv() else {
                    return Ok(total);
                };
                let (buf, n) = received?;
                if n == 0 {
                    return Ok(total);
                }
                sink(buf.get(..n).unwrap_or(&buf));
                total += n as u64;
                if empty_tx.send(buf).is_err() {
                    return Ok(total);
                }
            }
        };
        consume()
    })
}

/// Reads until `buf` is full or the input ends; returns the number of bytes.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
