//! Streaming encryption: round trips at chunk boundaries; truncation,
//! reordering, duplication, dropping, appending, header damage and wrong or
//! retired keys are all `InvalidToken`.

use std::io::Read;

use hx_aead::stream::{self, CHUNK_LEN, HEADER_LEN};
use hx_aead::{Error, Keyring};

const SEALED: usize = CHUNK_LEN + 16;

fn seal(ring: &Keyring, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    assert_eq!(
        stream::encrypt(ring, data, &mut out).unwrap(),
        data.len() as u64
    );
    out
}

fn open(ring: &Keyring, sealed: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    stream::decrypt(ring, sealed, &mut out).map(|_| out)
}

fn invalid(r: Result<Vec<u8>, Error>) -> bool {
    matches!(r, Err(Error::InvalidToken))
}

#[test]
fn round_trips_at_chunk_boundaries() {
    let ring = Keyring::generate().unwrap();
    for len in [
        0,
        1,
        CHUNK_LEN - 1,
        CHUNK_LEN,
        CHUNK_LEN + 1,
        3 * CHUNK_LEN,
        3 * CHUNK_LEN + 5,
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sealed = seal(&ring, &data);
        let chunks = if len == 0 { 1 } else { len.div_ceil(CHUNK_LEN) };
        assert_eq!(sealed.len(), HEADER_LEN + len + 16 * chunks, "len {len}");
        assert_eq!(open(&ring, &sealed).unwrap(), data, "len {len}");
        assert_ne!(seal(&ring, &data), sealed, "a fresh salt every time");
    }
}

#[test]
fn tampering_of_every_kind_is_detected() {
    let ring = Keyring::generate().unwrap();
    let data: Vec<u8> = (0..3 * CHUNK_LEN + 100).map(|i| (i % 253) as u8).collect();
    let sealed = seal(&ring, &data);
    // Across a batch boundary too: chunk 16 moved before chunk 15.
    let long: Vec<u8> = (0..20 * CHUNK_LEN).map(|i| (i % 241) as u8).collect();
    let long_sealed = seal(&ring, &long);
    let lb = &long_sealed[HEADER_LEN..];
    let lc = |i: usize| &lb[i * SEALED..((i + 1) * SEALED).min(lb.len())];
    let mut swapped = long_sealed[..HEADER_LEN].to_vec();
    for i in (0..15).chain([16, 15]).chain(17..20) {
        swapped.extend_from_slice(lc(i));
    }
    assert!(invalid(open(&ring, &swapped)), "swapped across batches");
    assert!(
        invalid(open(&ring, &long_sealed[..HEADER_LEN + 16 * SEALED])),
        "cut at a batch boundary"
    );
    assert_eq!(open(&ring, &long_sealed).unwrap(), long);
    let body = &sealed[HEADER_LEN..];
    let chunk = |i: usize| &body[i * SEALED..((i + 1) * SEALED).min(body.len())];
    let with = |parts: &[&[u8]]| [&sealed[..HEADER_LEN], &parts.concat()].concat();

    // Truncation at chunk boundaries and in the middle; nothing at all.
    for cut in [
        0,
        1,
        HEADER_LEN - 1,
        HEADER_LEN,
        HEADER_LEN + SEALED,
        HEADER_LEN + 2 * SEALED,
        sealed.len() - 1,
        HEADER_LEN + 100,
    ] {
        assert!(invalid(open(&ring, &sealed[..cut])), "cut at {cut}");
    }
    assert!(
        invalid(open(
            &ring,
            &with(&[chunk(1), chunk(0), chunk(2), chunk(3)])
        )),
        "reordered"
    );
    assert!(
        invalid(open(
            &ring,
            &with(&[chunk(0), chunk(0), chunk(1), chunk(2), chunk(3)])
        )),
        "duplicated"
    );
    assert!(
        invalid(open(&ring, &with(&[chunk(0), chunk(2), chunk(3)]))),
        "dropped"
    );
    assert!(
        invalid(open(&ring, &with(&[chunk(0), chunk(1), chunk(2)]))),
        "final chunk dropped"
    );
    assert!(
        invalid(open(&ring, &[&sealed[..], b"x"].concat())),
        "appended byte"
    );
    assert!(
        invalid(open(&ring, &[&sealed[..], chunk(3)].concat())),
        "appended chunk"
    );
    // Chunks from another stream under the same key do not splice in.
    let other = seal(&ring, &data);
    let spliced = [
        &sealed[..HEADER_LEN + SEALED],
        &other[HEADER_LEN + SEALED..],
    ]
    .concat();
    assert!(invalid(open(&ring, &spliced)), "swapped between streams");
    // A bit flipped anywhere in the header or the first chunk.
    for byte in (0..HEADER_LEN + 64).chain([HEADER_LEN + SEALED - 1]) {
        let mut bad = sealed.clone();
        bad[byte] ^= 0x10;
        assert!(invalid(open(&ring, &bad)), "byte {byte}");
    }
    // Wrong keyring; retired key; a later primary still opens old streams.
    assert!(invalid(open(&Keyring::generate().unwrap(), &sealed)));
    let mut ring = ring;
    let old = ring.primary_id();
    ring.rotate_primary().unwrap();
    assert_eq!(open(&ring, &sealed).unwrap(), data);
    ring.retire(old).unwrap();
    assert!(invalid(open(&ring, &sealed)));
}

#[test]
fn plaintext_of_a_bad_chunk_is_never_written() {
    let ring = Keyring::generate().unwrap();
    let data = vec![0x41u8; 2 * CHUNK_LEN + 10];
    let mut sealed = seal(&ring, &data);
    let second = HEADER_LEN + SEALED + 5;
    sealed[second] ^= 1;
    let mut out = Vec::new();
    assert!(stream::decrypt(&ring, &sealed[..], &mut out).is_err());
    assert!(
        out.len() <= CHUNK_LEN,
        "nothing of the damaged chunk was released"
    );
    assert_eq!(
        out,
        data[..out.len()],
        "only authentic plaintext was released"
    );
}

/// A reader of `len` pseudo-random bytes that never holds them all.
struct Pattern {
    left: u64,
    state: u64,
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left as usize);
        for b in &mut buf[..n] {
            self.state = self
                .state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.state >> 56) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn large_streams_flow_through_bounded_buffers() {
    let ring = Keyring::generate().unwrap();
    // More than two batches of 16 chunks, ending in a short chunk.
    let len = 40 * CHUNK_LEN as u64 + 123;
    let mut sealed = Vec::new();
    stream::encrypt(
        &ring,
        Pattern {
            left: len,
            state: 1,
        },
        &mut sealed,
    )
    .unwrap();
    let mut digest_in = hx_digest::Hasher::new(hx_digest::Algorithm::Blake3);
    std::io::copy(
        &mut Pattern {
            left: len,
            state: 1,
        },
        &mut digest_in,
    )
    .unwrap();
    let mut digest_out = hx_digest::Hasher::new(hx_digest::Algorithm::Blake3);
    assert_eq!(
        stream::decrypt(&ring, &sealed[..], &mut digest_out).unwrap(),
        len
    );
    assert_eq!(digest_in.finalize(), digest_out.finalize());
}

#[test]
fn stream_key_streams_round_trip_and_refuse_other_keys() {
    use hx_aead::stream::{StreamKey, decrypt_with_key, encrypt_with_key};
    let key = StreamKey::generate().unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    let mut sealed = Vec::new();
    assert_eq!(
        encrypt_with_key(&key, &data[..], &mut sealed).unwrap(),
        200_000
    );
    assert_eq!(&sealed[9..13], &[0, 0, 0, 0], "key id 0");
    let mut opened = Vec::new();
    decrypt_with_key(&key, &sealed[..], &mut opened).unwrap();
    assert_eq!(opened, data);
    // Another key, a changed key id, a truncation: one opaque error.
    let other = StreamKey::from_bytes(&[1; 32]);
    assert!(matches!(
        decrypt_with_key(&other, &sealed[..], &mut Vec::new()),
        Err(Error::InvalidToken)
    ));
    let mut relabelled = sealed.clone();
    relabelled[12] = 1;
    assert!(decrypt_with_key(&key, &relabelled[..], &mut Vec::new()).is_err());
    assert!(decrypt_with_key(&key, &sealed[..sealed.len() - 1], &mut Vec::new()).is_err());
    assert_eq!(format!("{key:?}"), "StreamKey([REDACTED])");
}

/// Gives at most `step` bytes per read, so chunks and batches are put
/// together from odd pieces.
struct Trickle<R> {
    inner: R,
    step: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step);
        self.inner.read(&mut buf[..n])
    }
}

/// Streams of several batches (16 chunks each, four batches in flight)
/// ending exactly on, or one byte past, a batch boundary, read in odd
/// pieces; a chunk damaged in a late batch releases only the authentic
/// plaintext before it.
#[test]
fn many_batches_round_trip_from_odd_reads() {
    let ring = Keyring::generate().unwrap();
    for chunks in [16usize, 64, 80] {
        for extra in [0usize, 1] {
            let len = chunks * CHUNK_LEN + extra;
            let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let mut sealed = Vec::new();
            let reader = Trickle {
                inner: &data[..],
                step: 7777,
            };
            assert_eq!(
                stream::encrypt(&ring, reader, &mut sealed).unwrap(),
                len as u64
            );
            let expect = chunks + extra;
            assert_eq!(sealed.len(), HEADER_LEN + len + 16 * expect, "{len}");
            let mut out = Vec::new();
            let reader = Trickle {
                inner: &sealed[..],
                step: 5000,
            };
            assert_eq!(
                stream::decrypt(&ring, reader, &mut out).unwrap(),
                len as u64
            );
            assert!(out == data, "round trip of {len} bytes");
        }
    }
    let data: Vec<u8> = (0..80 * CHUNK_LEN).map(|i| (i % 241) as u8).collect();
    let mut sealed = seal(&ring, &data);
    sealed[HEADER_LEN + 50 * SEALED + 9] ^= 0x80;
    let mut out = Vec::new();
    assert!(invalid(
        stream::decrypt(&ring, &sealed[..], &mut out).map(|_| Vec::new())
    ));
    assert!(out.len() <= 50 * CHUNK_LEN, "released {} bytes", out.len());
    assert!(out[..] == data[..out.len()], "only authentic plaintext");
}

/// Memory stays at the batches in flight (4 × about 1 MiB) however long
/// the stream: 100 MiB through encryption and decryption.
#[test]
fn memory_is_bounded_whatever_the_length() {
    let ring = Keyring::generate().unwrap();
    let len = 100 << 20;
    let bound = 5 << 20;
    let info = allocation_counter::measure(|| {
        let input = Pattern {
            left: len,
            state: 7,
        };
        stream::encrypt(&ring, input, std::io::sink()).unwrap();
    });
    assert!(
        info.bytes_max < bound,
        "encrypt peak {} bytes",
        info.bytes_max
    );

    let mut sealed = Vec::new();
    let input = Pattern {
        left: 20 << 20,
        state: 7,
    };
    stream::encrypt(&ring, input, &mut sealed).unwrap();
    let info = allocation_counter::measure(|| {
        stream::decrypt(&ring, &sealed[..], std::io::sink()).unwrap();
    });
    assert!(
        info.bytes_max < bound,
        "decrypt peak {} bytes",
        info.bytes_max
    );
}
