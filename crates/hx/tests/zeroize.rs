//! Zeroization, shown on the process's own memory: each secret type is
//! built from 32 fresh random bytes inside a `Box`, the test finds those
//! bytes in memory while the value lives (so the search can succeed), drops
//! it, and then finds them nowhere in the heap or anonymous memory — not in
//! the freed block, not in a temporary copy the constructor left behind.
//!
//! Memory is read through `/proc/self/mem` (Linux), so the test needs no
//! `unsafe`. The needle is only ever held masked (XOR 0x5a), and memory is
//! masked as it is read, so the search never finds its own copy. The current
//! thread's stack is not searched: moves leave copies there that the next
//! calls overwrite, and no stack can be wiped reliably from Rust. Only the
//! raw key bytes are searched for: state derived from them (hash states,
//! round keys) and encodings (base64 in a keyring document) are not.
#![cfg(all(target_os = "linux", feature = "full"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::fs::File;
use std::os::unix::fs::FileExt as _;

use zeroize::Zeroize as _;

const MASK: u8 = 0x5a;

/// Types that keep only state computed from the key (HMAC keeps the hash
/// states after the key blocks), so their raw bytes cannot be searched for.
/// A change here is a change of storage that this test must be told about.
const EXPECTED_DERIVED_ONLY: &[&str] = &["HmacKey", "Pepper", "CsrfKey", "MacKey::hmac_sha256"];
const NEEDLE_LEN: usize = 16;

/// One scanner at a time (each takes this lock): a scanner reads another
/// test's memory and unmasks it into its own buffer, which would plant that
/// test's needle in the heap.
static SCANNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// 32 random bytes, kept masked.
struct Masked([u8; 32]);

impl Masked {
    fn new() -> Self {
        let mut raw = [0u8; 32];
        hx::random::fill(&mut raw).unwrap();
        let masked = raw.map(|b| b ^ MASK);
        raw.zeroize();
        Self(masked)
    }

    /// The raw bytes, for a constructor (the caller wipes them after).
    fn raw(&self) -> [u8; 32] {
        self.0.map(|b| b ^ MASK)
    }
}

/// Read-write anonymous mappings and the heap, except this thread's stack.
fn regions() -> Vec<(u64, u64)> {
    let probe = 0u8;
    let here = std::ptr::addr_of!(probe) as u64;
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            let perms = fields.next()?;
            let path = fields.nth(3).unwrap_or("");
            let (start, end) = range.split_once('-')?;
            let (start, end) = (
                u64::from_str_radix(start, 16).ok()?,
                u64::from_str_radix(end, 16).ok()?,
            );
            let anonymous = path.is_empty() || path == "[heap]";
            (perms.starts_with("rw") && anonymous && !(start..end).contains(&here))
                .then_some((start, end))
        })
        .collect()
}

/// Reads this process's memory without allocating while it searches, so
/// that a block just freed is not handed out again before it is looked at.
struct Scanner {
    mem: File,
    buffer: Vec<u8>,
    regions: Vec<(u64, u64)>,
    /// Held while the scanner lives: one scanning test at a time.
    _alone: std::sync::MutexGuard<'static, ()>,
}

impl Scanner {
    fn new() -> Self {
        Self {
            _alone: SCANNING
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            mem: File::open("/proc/self/mem").unwrap(),
            buffer: vec![0u8; 1 << 20],
            regions: Vec::with_capacity(4096),
        }
    }

    /// Takes the current memory map (allocates: call before a drop).
    fn map(&mut self) {
        self.regions.clear();
        self.regions.extend(regions());
    }

    /// How many times the last 16 bytes of `needle` occur in the mapped
    /// memory (the allocator writes its free-list links over the first 16
    /// bytes of a freed block; the rest stays as it was).
    fn occurrences(&mut self, needle: &Masked) -> usize {
        let pattern = &needle.0[32 - NEEDLE_LEN..];
        let mut found = 0;
        for &(start, end) in &self.regions {
            let mut at = start;
            while at < end {
                let len = usize::try_from((end - at).min(self.buffer.len() as u64)).unwrap();
                let chunk = &mut self.buffer[..len];
                // Unreadable pages (guards, unmapped since) are skipped.
                if self.mem.read_exact_at(chunk, at).is_ok() {
                    chunk.iter_mut().for_each(|b| *b ^= MASK);
                    found += chunk.windows(NEEDLE_LEN).filter(|w| *w == pattern).count();
                }
                // Chunks overlap so that a needle across two is seen.
                at += len.saturating_sub(NEEDLE_LEN - 1).max(1) as u64;
            }
        }
        self.buffer.fill(0);
        found
    }
}

/// Builds a secret from fresh bytes, checks that it is visible while alive
/// and gone after drop. Returns `false` (checking nothing) for a type that
/// keeps no raw key bytes at all, only state derived from them.
fn check<T>(name: &str, scanner: &mut Scanner, build: impl FnOnce([u8; 32]) -> T) -> bool {
    let needle = Masked::new();
    let mut raw = needle.raw();
    let value = Box::new(build(raw));
    raw.zeroize();
    scanner.map();
    if scanner.occurrences(&needle) == 0 {
        return false;
    }
    drop(value);
    let after = scanner.occurrences(&needle);
    assert_eq!(
        after, 0,
        "{name}: {after} copies of the key bytes remain in memory after drop"
    );
    true
}

/// A keyring read from its document, whose only key is `key`.
fn keyring_from_document(key: [u8; 32]) -> hx::aead::Keyring {
    use base64::Engine as _;
    let body = format!(
        "hx-keyring 1\nkey 7 primary xchacha20poly1305 1700000000 {}\n",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
    );
    let sum = hx::digest::hash(hx::digest::Algorithm::Sha256, body.as_bytes()).to_hex();
    hx::aead::Keyring::from_document(&format!("{body}checksum sha256:{sum}\n")).unwrap()
}

#[test]
fn secret_types_leave_no_copy_of_their_key_bytes_after_drop() {
    let mut scanner = Scanner::new();

    // The control: a plain array is not wiped, and the search finds it.
    let needle = Masked::new();
    let plain = Box::new(needle.raw());
    scanner.map();
    drop(plain);
    assert!(
        scanner.occurrences(&needle) > 0,
        "a dropped plain array must still be found: the check must be able to fail"
    );
    let mut held: Vec<&str> = Vec::new();
    let mut derived_only: Vec<&str> = Vec::new();
    macro_rules! checks {
        ($($name:literal => $build:expr,)*) => {$(
            if check($name, &mut scanner, $build) {
                held.push($name);
            } else {
                derived_only.push($name);
            }
        )*};
    }
    checks! {
        "HmacKey" => |k| hx::digest::HmacKey::new(hx::digest::HmacAlgorithm::Sha256, &k).unwrap(),
        "Prk" => |k| hx::digest::Prk::from_bytes(hx::digest::HkdfAlgorithm::Sha256, &k).unwrap(),
        "Blake3Key" => |k| hx::digest::Blake3Key::from_bytes(&k),
        "Pepper" => |k| hx::random::Pepper::from_bytes(&k).unwrap(),
        "CsrfKey" => |k| hx::random::CsrfKey::from_bytes(&k).unwrap(),
        "FernetKey" => |k| hx::aead::FernetKey::from_bytes(&k),
        "Fernet" => |k| hx::aead::Fernet::new(&hx::aead::FernetKey::from_bytes(&k)).unwrap(),
        "MasterKey" => |k| hx::aead::MasterKey::from_bytes(&k),
        "StreamKey" => |k| hx::aead::stream::StreamKey::from_bytes(&k),
        "ed25519::SigningKey" => |k| hx::sign::ed25519::SigningKey::from_bytes(&k),
        "x25519::StaticSecret" => |k| hx::kex::x25519::StaticSecret::from_bytes(&k),
        "MacKey::hmac_sha256" => |k| hx::safe_deser::MacKey::hmac_sha256(&k).unwrap(),
        "MacKey::blake2b" => |k| hx::safe_deser::MacKey::blake2b(&k).unwrap(),
        "Keyring (from its document)" => keyring_from_document,
    }
    eprintln!("raw key bytes held, and gone after drop: {held:?}");
    eprintln!("only state derived from the key held (nothing to find): {derived_only:?}");
    assert_eq!(derived_only, EXPECTED_DERIVED_ONLY);
}

/// Reads `len` bytes of zeros with the needle's raw bytes written at every
/// 4 KiB (away from any chunk's tail), unmasking straight into the caller's
/// buffer, so the plaintext exists only where the stream code puts it.
struct NeedleReader<'a> {
    needle: &'a Masked,
    at: usize,
    len: usize,
}

impl std::io::Read for NeedleReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.len - self.at);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            let pos = self.at + i;
            let offset = pos % 4096;
            *b = if (1024..1056).contains(&offset) {
                self.needle.0[offset - 1024] ^ MASK
            } else {
                0
            };
        }
        self.at += n;
        Ok(n)
    }
}

#[test]
fn stream_buffers_leave_no_plaintext_after_use() {
    let mut scanner = Scanner::new();
    let key = hx::aead::stream::StreamKey::from_bytes(&[7; 32]);
    // 40 chunks: more than two batches, so the worker threads run too.
    let len = 40 * hx::aead::stream::CHUNK_LEN;
    let needle = Masked::new();

    // Control: the same plaintext in a plain buffer, dropped, is found.
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut NeedleReader {
            needle: &needle,
            at: 0,
            len: 8192,
        },
        &mut plain,
    )
    .unwrap();
    scanner.map();
    drop(plain);
    assert!(
        scanner.occurrences(&needle) > 0,
        "the search must be able to fail"
    );

    let needle = Masked::new();
    let mut sealed = Vec::new();
    hx::aead::stream::encrypt_with_key(
        &key,
        NeedleReader {
            needle: &needle,
            at: 0,
            len,
        },
        &mut sealed,
    )
    .unwrap();
    let opened = hx::aead::stream::decrypt_with_key(&key, &sealed[..], std::io::sink()).unwrap();
    assert_eq!(opened, len as u64);
    scanner.map();
    let found = scanner.occurrences(&needle);
    assert_eq!(
        found, 0,
        "{found} copies of the plaintext remain after encrypting and decrypting"
    );
}
