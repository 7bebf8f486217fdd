//! Hybrid public-key encryption, RFC 9180, in base mode with two suites:
//!
//! | suite | KEM | KDF | AEAD |
//! |---|---|---|---|
//! | [`Suite::X25519`] (default) | DHKEM(X25519, HKDF-SHA256), 0x0020 | HKDF-SHA256 | ChaCha20-Poly1305 |
//! | [`Suite::XWing`] (post-quantum hybrid) | X-Wing (ML-KEM-768 + X25519), 0x647a | HKDF-SHA256 | ChaCha20-Poly1305 |
//!
//! Single-shot ciphertexts are `enc ‖ AEAD ciphertext`, the layout of Python
//! `cryptography`'s `hpke.Suite.encrypt` (32 + n + 16 bytes for X25519,
//! 1120 + n + 16 for X-Wing). [`Sender`] / [`Receiver`] carry a context for
//! several messages (nonces are the context's sequence numbers, never the
//! caller's). [`seal_stream`] wraps a fresh data key with HPKE and streams
//! the body in hx-aead's STREAM format, for payloads of any size.
//!
//! The key schedule is the `hpke` crate's (RustCrypto generation of this
//! workspace), checked against the RFC 9180 and HPKE-PQ vectors.

use core::fmt;
use std::io::{Read, Write};

use hpke::{Deserializable as _, OpModeR, OpModeS, Serializable as _};
use hx_aead::stream::{self, StreamKey};
use zeroize::Zeroizing;

use crate::rng::OsRandom;
use crate::{Error, Result, x25519, xwing};

type Aead = hpke::aead::ChaCha20Poly1305;
type Kdf = hpke::kdf::HkdfSha256;
type X25519Kem = crate::dhkem::X25519Kem;
type XWingKem = xwing::Kem;
type XWingKemDerand = crate::xwing_kem::XWingKemDerand;

/// An HPKE suite (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Suite {
    /// DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + ChaCha20-Poly1305.
    X25519,
    /// X-Wing + HKDF-SHA256 + ChaCha20-Poly1305.
    XWing,
}

impl Suite {
    /// Bytes of the encapsulated key at the front of a ciphertext.
    #[must_use]
    pub const fn enc_len(self) -> usize {
        match self {
            Self::X25519 => 32,
            Self::XWing => 1120,
        }
    }

    /// The RFC 9180 KEM identifier.
    #[must_use]
    pub const fn kem_id(self) -> u16 {
        match self {
            Self::X25519 => 0x0020,
            Self::XWing => 0x647a,
        }
    }
}

/// A public key to encrypt to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An X25519 key: suite [`Suite::X25519`].
    X25519(x25519::PublicKey),
    /// An X-Wing key: suite [`Suite::XWing`].
    XWing(xwing::PublicKey),
}

impl PublicKey {
    /// The suite this key is used with.
    #[must_use]
    pub fn suite(&self) -> Suite {
        match self {
            Self::X25519(_) => Suite::X25519,
            Self::XWing(_) => Suite::XWing,
        }
    }
}

/// A private key to decrypt with.
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateKey {
    /// An X25519 key.
    X25519(x25519::StaticSecret),
    /// An X-Wing key.
    XWing(xwing::PrivateKey),
}

impl PrivateKey {
    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::X25519(k) => PublicKey::X25519(k.public_key()),
            Self::XWing(k) => PublicKey::XWing(k.public_key()),
        }
    }

    /// The suite this key is used with.
    #[must_use]
    pub fn suite(&self) -> Suite {
        match self {
            Self::X25519(_) => Suite::X25519,
            Self::XWing(_) => Suite::XWing,
        }
    }
}

fn x25519_public(key: &x25519::PublicKey) -> Result<<X25519Kem as hpke::Kem>::PublicKey> {
    <X25519Kem as hpke::Kem>::PublicKey::from_bytes(key.as_bytes())
        .map_err(|_| Error::InvalidKey("X25519 public key"))
}

#[allow(clippy::unnecessary_wraps)]
fn x25519_private(key: &x25519::StaticSecret) -> Result<<X25519Kem as hpke::Kem>::PrivateKey> {
    // The public key comes along, already derived.
    Ok(crate::dhkem::PrivateKey::from_static(key))
}

/// A context for sending several messages to one recipient.
pub struct Sender(SenderInner);

enum SenderInner {
    X25519(hpke::aead::AeadCtxS<Aead, Kdf, X25519Kem>),
    XWing(hpke::aead::AeadCtxS<Aead, Kdf, XWingKem>),
    XWingDerand(hpke::aead::AeadCtxS<Aead, Kdf, XWingKemDerand>),
}

/// A context for receiving several messages from one sender.
pub struct Receiver(ReceiverInner);

enum ReceiverInner {
    X25519(hpke::aead::AeadCtxR<Aead, Kdf, X25519Kem>),
    XWing(hpke::aead::AeadCtxR<Aead, Kdf, XWingKem>),
}

/// Sets up a sender context to `recipient` with `info`; returns the
/// encapsulated key to send along and the context.
///
/// # Errors
/// [`Error::Random`] if the OS generator fails, [`Error::InvalidKey`] /
/// [`Error::NonContributory`] if the recipient key is unusable.
///
/// ```
/// use hx_kex::hpke::{self, PrivateKey};
/// use hx_kex::x25519::StaticSecret;
/// let me = PrivateKey::X25519(StaticSecret::generate()?);
/// let (enc, mut sender) = hpke::sender(&me.public_key(), b"chat v1")?;
/// let c0 = sender.seal(b"", b"hello")?;
/// let c1 = sender.seal(b"", b"again")?;
/// let mut receiver = hpke::receiver(&me, &enc, b"chat v1")?;
/// assert_eq!(&receiver.open(b"", &c0)?[..], b"hello");
/// assert_eq!(&receiver.open(b"", &c1)?[..], b"again");
/// # Ok::<(), hx_kex::Error>(())
/// ```
pub fn sender(recipient: &PublicKey, info: &[u8]) -> Result<(Vec<u8>, Sender)> {
    sender_with_mode(recipient, info, None, None)
}

/// A pre-shared key (RFC 9180 psk mode): at least 32 bytes, with an id.
#[derive(Clone, Copy)]
pub struct Psk<'a> {
    /// The pre-shared key (≥ 32 bytes).
    pub key: &'a [u8],
    /// Its identifier (non-empty).
    pub id: &'a [u8],
}

impl fmt::Debug for Psk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Psk([REDACTED])")
    }
}

fn psk_bundle<'a>(psk: Option<Psk<'a>>) -> Result<Option<hpke::PskBundle<'a>>> {
    psk.map(|p| {
        if p.key.len() < 32 || p.id.is_empty() {
            return Err(Error::InvalidKey(
                "a PSK has at least 32 bytes and a non-empty id",
            ));
        }
        hpke::PskBundle::new(p.key, p.id).map_err(|_| Error::InvalidKey("PSK"))
    })
    .transpose()
}

/// [`sender`] in psk, auth or auth-psk mode (RFC 9180 §5.1.2–5.1.4):
/// `psk` binds a pre-shared key, `auth` proves the sender holds that X25519
/// key (X-Wing has no authenticated mode).
///
/// # Errors
/// As [`sender`], plus [`Error::InvalidKey`] for a short PSK or `auth` with
/// an X-Wing recipient.
pub fn sender_with_mode(
    recipient: &PublicKey,
    info: &[u8],
    psk: Option<Psk<'_>>,
    auth: Option<&x25519::StaticSecret>,
) -> Result<(Vec<u8>, Sender)> {
    let mut rng = OsRandom::new()?;
    let out = sender_with_rng(recipient, info, psk, auth, &mut rng, false)?;
    rng.check()?;
    Ok(out)
}

pub(crate) fn sender_with_rng(
    recipient: &PublicKey,
    info: &[u8],
    psk: Option<Psk<'_>>,
    auth: Option<&x25519::StaticSecret>,
    rng: &mut impl rand_core::CryptoRng,
    fixed_randomness: bool,
) -> Result<(Vec<u8>, Sender)> {
    let bundle = psk_bundle(psk)?;
    match recipient {
        PublicKey::X25519(pk) => {
            let auth = auth
                .map(|sk| Ok::<_, Error>((x25519_private(sk)?, x25519_public(&sk.public_key())?)))
                .transpose()?;
            let mode = match (auth, bundle) {
                (None, None) => OpModeS::Base,
                (None, Some(b)) => OpModeS::Psk(b),
                (Some(a), None) => OpModeS::Auth(a),
                (Some(a), Some(b)) => OpModeS::AuthPsk(a, b),
            };
            let (enc, ctx) = hpke::setup_sender_with_rng::<Aead, Kdf, X25519Kem>(
                &mode,
                &x25519_public(pk)?,
                info,
                rng,
            )
            .map_err(|_| Error::NonContributory)?;
            Ok((enc.to_bytes().to_vec(), Sender(SenderInner::X25519(ctx))))
        }
        PublicKey::XWing(pk) => {
            if auth.is_some() {
                return Err(Error::InvalidKey("X-Wing has no authenticated mode"));
            }
            let refused = |_| Error::InvalidKey("X-Wing public key");
            if fixed_randomness {
                // Test vectors: ML-KEM's encapsulation from the given bytes.
                let mode = bundle.map_or(OpModeS::Base, OpModeS::Psk);
                let (enc, ctx) = hpke::setup_sender_with_rng::<Aead, Kdf, XWingKemDerand>(
                    &mode, &pk.inner, info, rng,
                )
                .map_err(refused)?;
                return Ok((
                    enc.to_bytes().to_vec(),
                    Sender(SenderInner::XWingDerand(ctx)),
                ));
            }
            let mode = bundle.map_or(OpModeS::Base, OpModeS::Psk);
            let (enc, ctx) =
                hpke::setup_sender_with_rng::<Aead, Kdf, XWingKem>(&mode, &pk.inner, info, rng)
                    .map_err(refused)?;
            Ok((enc.to_bytes().to_vec(), Sender(SenderInner::XWing(ctx))))
        }
    }
}

/// Sets up a receiver context from the encapsulated key `enc`.
///
/// # Errors
/// [`Error::InvalidCiphertext`] if `enc` does not decapsulate.
pub fn receiver(identity: &PrivateKey, enc: &[u8], info: &[u8]) -> Result<Receiver> {
    receiver_with_mode(identity, enc, info, None, None)
}

/// [`receiver`] in psk, auth or auth-psk mode: the same `psk` as the sender
/// and, for auth, the sender's X25519 public key.
///
/// # Errors
/// As [`receiver`], plus [`Error::InvalidKey`] as [`sender_with_mode`].
pub fn receiver_with_mode(
    identity: &PrivateKey,
    enc: &[u8],
    info: &[u8],
    psk: Option<Psk<'_>>,
    auth: Option<&x25519::PublicKey>,
) -> Result<Receiver> {
    let bundle = psk_bundle(psk)?;
    match identity {
        PrivateKey::X25519(sk) => {
            let auth = auth.map(x25519_public).transpose()?;
            let mode = match (auth, bundle) {
                (None, None) => OpModeR::Base,
                (None, Some(b)) => OpModeR::Psk(b),
                (Some(a), None) => OpModeR::Auth(a),
                (Some(a), Some(b)) => OpModeR::AuthPsk(a, b),
            };
            let enc = <X25519Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
                .map_err(|_| Error::InvalidCiphertext)?;
            let ctx = hpke::setup_receiver::<Aead, Kdf, X25519Kem>(
                &mode,
                &x25519_private(sk)?,
                &enc,
                info,
            )
            .map_err(|_| Error::InvalidCiphertext)?;
            Ok(Receiver(ReceiverInner::X25519(ctx)))
        }
        PrivateKey::XWing(sk) => {
            if auth.is_some() {
                return Err(Error::InvalidKey("X-Wing has no authenticated mode"));
            }
            let mode = bundle.map_or(OpModeR::Base, OpModeR::Psk);
            let enc = <XWingKem as hpke::Kem>::EncappedKey::from_bytes(enc)
                .map_err(|_| Error::InvalidCiphertext)?;
            let ctx = hpke::setup_receiver::<Aead, Kdf, XWingKem>(&mode, &sk.inner, &enc, info)
                .map_err(|_| Error::InvalidCiphertext)?;
            Ok(Receiver(ReceiverInner::XWing(ctx)))
        }
    }
}

impl Sender {
    /// Seals the next message, binding `aad`.
    ///
    /// # Errors
    /// [`Error::Backend`] if the context's sequence number is exhausted.
    pub fn seal(&mut self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        match &mut self.0 {
            SenderInner::X25519(ctx) => ctx.seal(plaintext, aad),
            SenderInner::XWing(ctx) => ctx.seal(plaintext, aad),
            SenderInner::XWingDerand(ctx) => ctx.seal(plaintext, aad),
        }
        .map_err(|_| Error::Backend)
    }

    /// `len` bytes exported from the context's exporter secret (RFC 9180 §5.3).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `len` is too long for HKDF-SHA256.
    pub fn export(&self, context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![0u8; len]);
        match &self.0 {
            SenderInner::X25519(ctx) => ctx.export(context, &mut out),
            SenderInner::XWing(ctx) => ctx.export(context, &mut out),
            SenderInner::XWingDerand(ctx) => ctx.export(context, &mut out),
        }
        .map_err(|_| Error::InvalidLength("export length"))?;
        Ok(out)
    }
}

impl Receiver {
    /// Opens the next message, checking `aad`.
    ///
    /// # Errors
    /// [`Error::InvalidCiphertext`] if it does not authenticate (including
    /// messages out of order).
    pub fn open(&mut self, aad: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        match &mut self.0 {
            ReceiverInner::X25519(ctx) => ctx.open(ciphertext, aad),
            ReceiverInner::XWing(ctx) => ctx.open(ciphertext, aad),
        }
        .map(Zeroizing::new)
        .map_err(|_| Error::InvalidCiphertext)
    }

    /// As [`Sender::export`].
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `len` is too long for HKDF-SHA256.
    pub fn export(&self, context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![0u8; len]);
        match &self.0 {
            ReceiverInner::X25519(ctx) => ctx.export(context, &mut out),
            ReceiverInner::XWing(ctx) => ctx.export(context, &mut out),
        }
        .map_err(|_| Error::InvalidLength("export length"))?;
        Ok(out)
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("hpke::Sender([REDACTED])")
    }
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("hpke::Receiver([REDACTED])")
    }
}

/// Encrypts `plaintext` to `recipient` in one shot: `enc ‖ ciphertext`.
///
/// # Errors
/// As [`sender`].
///
/// ```
/// use hx_kex::hpke::{self, PrivateKey};
/// use hx_kex::xwing;
/// let me = PrivateKey::XWing(xwing::PrivateKey::generate()?);
/// let ct = hpke::seal(&me.public_key(), b"backup v1", b"", b"secret")?;
/// assert_eq!(ct.len(), 1120 + 6 + 16);
/// assert_eq!(&hpke::open(&me, b"backup v1", b"", &ct)?[..], b"secret");
/// assert!(hpke::open(&me, b"backup v2", b"", &ct).is_err());
/// # Ok::<(), hx_kex::Error>(())
/// ```
pub fn seal(recipient: &PublicKey, info: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let (mut out, mut ctx) = sender(recipient, info)?;
    out.extend_from_slice(&ctx.seal(aad, plaintext)?);
    Ok(out)
}

/// Decrypts a one-shot ciphertext made by [`seal`] (or by Python's
/// `Suite.encrypt`).
///
/// # Errors
/// [`Error::InvalidCiphertext`] for anything that does not decrypt.
pub fn open(
    identity: &PrivateKey,
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let enc_len = identity.suite().enc_len();
    let (enc, body) = ciphertext
        .split_at_checked(enc_len)
        .ok_or(Error::InvalidCiphertext)?;
    receiver(identity, enc, info)?.open(aad, body)
}

/// The first bytes of every [`seal_stream`] output (magic and version; the
/// suite byte follows): what tells a stream from a single-shot ciphertext.
pub const STREAM_PREFIX: &[u8; 7] = b"hxhpke\x01";

/// Encrypts a stream of any size to `recipient`: a fresh data key sealed
/// with HPKE, then the body in hx-aead's STREAM format under that key
/// (docs/FORMAT.md, "HPKE stream"). Memory stays bounded.
///
/// # Errors
/// As [`sender`], plus [`Error::Io`].
///
/// ```
/// use hx_kex::hpke::{self, PrivateKey};
/// use hx_kex::x25519::StaticSecret;
/// let me = PrivateKey::X25519(StaticSecret::generate()?);
/// let data = vec![42u8; 300_000];
/// let mut sealed = Vec::new();
/// hpke::seal_stream(&me.public_key(), b"", &data[..], &mut sealed)?;
/// let mut opened = Vec::new();
/// hpke::open_stream(&me, b"", &sealed[..], &mut opened)?;
/// assert_eq!(opened, data);
/// # Ok::<(), hx_kex::Error>(())
/// ```
pub fn seal_stream(
    recipient: &PublicKey,
    info: &[u8],
    reader: impl Read,
    mut writer: impl Write,
) -> Result<u64> {
    let key = StreamKey::generate()?;
    let header = stream_header(recipient.suite());
    let wrapped = seal(recipient, info, &header, key.expose_secret())?;
    writer.write_all(&header)?;
    writer.write_all(&wrapped)?;
    Ok(stream::encrypt_with_key(&key, reader, writer)?)
}

/// Decrypts a stream made by [`seal_stream`].
///
/// # Errors
/// [`Error::InvalidCiphertext`] for anything that does not decrypt; output
/// may have been written before a later chunk failed, so keep it only on
/// `Ok`.
pub fn open_stream(
    identity: &PrivateKey,
    info: &[u8],
    mut reader: impl Read,
    writer: impl Write,
) -> Result<u64> {
    let header = stream_header(identity.suite());
    let mut got = [0u8; 8];
    read_exact_or_invalid(&mut reader, &mut got)?;
    if got != header {
        return Err(Error::InvalidCiphertext);
    }
    let mut wrapped = vec![0u8; identity.suite().enc_len() + 32 + 16];
    read_exact_or_invalid(&mut reader, &mut wrapped)?;
    let key_bytes = open(identity, info, &header, &wrapped)?;
    let key_bytes: &[u8; 32] = key_bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::InvalidCiphertext)?;
    Ok(stream::decrypt_with_key(
        &StreamKey::from_bytes(key_bytes),
        reader,
        writer,
    )?)
}

fn stream_header(suite: Suite) -> [u8; 8] {
    let mut header = [0u8; 8];
    header[..7].copy_from_slice(STREAM_PREFIX);
    header[7] = match suite {
        Suite::X25519 => 1,
        Suite::XWing => 2,
    };
    header
}

fn read_exact_or_invalid(reader: &mut impl Read, buf: &mut [u8]) -> Result<()> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::InvalidCiphertext,
        _ => Error::Io(e),
    })
}
