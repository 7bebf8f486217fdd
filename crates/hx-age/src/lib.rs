#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod keys;
mod primitives;

pub mod armor;
pub mod format;
pub mod pq;
pub mod scrypt;
pub mod ssh;
pub mod stream;
pub mod x25519;

use std::collections::BTreeSet;
use std::io::{self, BufReader, Read, Write};

pub use crate::error::{Error, Result};
pub use crate::format::{Header, Stanza};
pub use crate::keys::{parse_recipient, read_identities, recipient_of};
pub use crate::primitives::{FILE_KEY_LEN, FileKey};

use crate::armor::{ArmoredReader, ArmoredWriter};
use crate::stream::{DecryptingReader, EncryptingWriter};

/// Something a file can be encrypted to: it wraps the file key into
/// stanzas. Implement it for a plugin or a hardware key.
pub trait Recipient {
    /// The stanzas that carry `file_key` to this recipient.
    ///
    /// # Errors
    /// Whatever wrapping fails with.
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<Vec<Stanza>>;

    /// Labels that every recipient of one file must share (rage's rule): a
    /// passphrase has a label no other recipient has, so it stays alone;
    /// post-quantum recipients carry `postquantum`, so a classical one
    /// cannot undo their protection.
    fn labels(&self) -> BTreeSet<String> {
        BTreeSet::new()
    }
}

/// Something that can open a file: it unwraps the file key from a stanza
/// addressed to it.
pub trait Identity {
    /// `None` if the stanza is not this identity's (another type, another
    /// key, or it does not open); `Some(Ok)` with the file key;
    /// `Some(Err)` if the stanza is of this identity's type but malformed,
    /// which fails the whole file.
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>>;
}

/// Encrypts to one or more recipients.
///
/// ```
/// use std::io::{Read, Write};
/// use hx_age::{Decryptor, Encryptor, x25519};
///
/// let identity = x25519::Identity::generate()?;
/// let encryptor = Encryptor::with_recipients(vec![Box::new(identity.to_recipient())])?;
/// let mut writer = encryptor.wrap_output(Vec::new())?;
/// writer.write_all(b"the launch codes")?;
/// let file = writer.finish()?;
///
/// let mut reader = Decryptor::new(&file[..])?.decrypt(&[&identity as &dyn hx_age::Identity])?;
/// let mut plaintext = Vec::new();
/// reader.read_to_end(&mut plaintext)?;
/// assert_eq!(plaintext, b"the launch codes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Encryptor {
    recipients: Vec<Box<dyn Recipient + Send + Sync>>,
}

impl Encryptor {
    /// An encryptor to these recipients (at least one; all with the same
    /// labels).
    ///
    /// # Errors
    /// [`Error::IncompatibleRecipients`] for none, or for a mix that may
    /// not share a file.
    pub fn with_recipients(recipients: Vec<Box<dyn Recipient + Send + Sync>>) -> Result<Self> {
        let mut labels = recipients.iter().map(|r| r.labels());
        let Some(first) = labels.next() else {
            return Err(Error::IncompatibleRecipients("no recipient"));
        };
        for other in labels {
            if other != first {
                let all: BTreeSet<String> = first.union(&other).cloned().collect();
                return Err(Error::IncompatibleRecipients(
                    if all.contains(scrypt::LABEL) {
                        "a passphrase cannot be combined with other recipients"
                    } else if all.contains(pq::POST_QUANTUM_LABEL) {
                        "post-quantum recipients cannot be combined with classical ones (the classical one would undo their protection)"
                    } else {
                        "these recipients cannot share a file"
                    },
                ));
            }
        }
        Ok(Self { recipients })
    }

    /// An encryptor to a passphrase.
    #[must_use]
    pub fn with_passphrase(passphrase: scrypt::Passphrase) -> Self {
        Self {
            recipients: vec![Box::new(scrypt::Recipient::new(passphrase))],
        }
    }

    /// A fresh file key, the header for it and the payload key.
    fn start(&self) -> Result<(Vec<u8>, zeroize::Zeroizing<[u8; 32]>)> {
        let file_key = FileKey::generate()?;
        let mut stanzas = Vec::new();
        for recipient in &self.recipients {
            stanzas.extend(recipient.wrap_file_key(&file_key)?);
        }
        let header = Header::seal(stanzas, |bytes| file_key.header_mac(bytes))?;
        let mut out = header.to_bytes();
        let mut nonce = [0u8; 16];
        hx_random::fill(&mut nonce)?;
        out.extend_from_slice(&nonce);
        Ok((out, file_key.payload_key(&nonce)?))
    }

    /// Writes the header to `output` and returns a writer that encrypts
    /// what is written to it; call its `finish`.
    ///
    /// # Errors
    /// [`Error::Io`] if writing fails, or what a recipient fails with.
    pub fn wrap_output<W: Write>(&self, mut output: W) -> Result<EncryptingWriter<W>> {
        let (header, key) = self.start()?;
        output.write_all(&header)?;
        EncryptingWriter::new(output, &key)
    }

    /// Encrypts all of `input` to `output`, chunks sealed on two worker
    /// threads while this one reads and writes. Returns the plaintext
    /// length.
    ///
    /// # Errors
    /// [`Error::Io`] if reading or writing fails, or what a recipient fails
    /// with.
    pub fn encrypt(&self, input: impl Read, mut output: impl Write) -> Result<u64> {
        let (header, key) = self.start()?;
        output.write_all(&header)?;
        hx_aead::hazmat::stream_seal_payload(&key, b"", input, output).map_err(aead_error)
    }

    /// As [`encrypt`](Self::encrypt), writing the ASCII armor.
    ///
    /// # Errors
    /// As [`encrypt`](Self::encrypt).
    pub fn encrypt_armored(&self, input: impl Read, output: impl Write) -> Result<u64> {
        let mut armored = ArmoredWriter::new(output);
        let n = self.encrypt(input, &mut armored)?;
        armored.finish()?;
        Ok(n)
    }
}

fn aead_error(e: hx_aead::Error) -> Error {
    match e {
        hx_aead::Error::Io(e) => Error::from(e),
        hx_aead::Error::InvalidToken => Error::Payload,
        _ => Error::Backend("ChaCha20-Poly1305 stream"),
    }
}

/// The input of a [`Decryptor`]: binary, or armored (recognised by its
/// first bytes).
pub enum Input<R: Read> {
    /// A binary age file.
    Binary(BufReader<io::Chain<io::Cursor<Vec<u8>>, R>>),
    /// An armored age file.
    Armored(BufReader<ArmoredReader<io::Chain<io::Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Binary(r) => r.read(buf),
            Self::Armored(r) => r.read(buf),
        }
    }
}

impl<R: Read> io::BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Self::Binary(r) => r.fill_buf(),
            Self::Armored(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Self::Binary(r) => r.consume(n),
            Self::Armored(r) => r.consume(n),
        }
    }
}

/// Reads an age file's header, then decrypts it with identities.
pub struct Decryptor<R: Read> {
    input: Input<R>,
    header: Header,
}

impl<R: Read> Decryptor<R> {
    /// Reads the header of `input`, binary or armored (armor is recognised
    /// by `-----BEGIN` after any whitespace at the start).
    ///
    /// # Errors
    /// [`Error::InvalidHeader`], [`Error::UnsupportedVersion`],
    /// [`Error::Armor`], [`Error::Io`].
    pub fn new(mut input: R) -> Result<Self> {
        let mut start = vec![0u8; 256];
        let n = stream::read_full(&mut input, &mut start)?;
        start.truncate(n);
        let armored = armor::is_armored(&start);
        Self::with_armor(io::Cursor::new(start).chain(input), armored)
    }

    /// Reads the header of an input the caller knows to be armored (or
    /// not): no detection.
    ///
    /// # Errors
    /// As [`Decryptor::new`].
    pub fn new_armored(input: R, armored: bool) -> Result<Self> {
        Self::with_armor(io::Cursor::new(Vec::new()).chain(input), armored)
    }

    fn with_armor(chained: io::Chain<io::Cursor<Vec<u8>>, R>, armored: bool) -> Result<Self> {
        let mut input = if armored {
            Input::Armored(BufReader::new(ArmoredReader::new(chained)))
        } else {
            Input::Binary(BufReader::new(chained))
        };
        let header = Header::read(&mut input)?;
        // A passphrase stanza is the only stanza of its file.
        let decryptor = Self { input, header };
        if decryptor.header.stanzas().len() > 1 && decryptor.is_passphrase() {
            return Err(Error::InvalidHeader("an scrypt stanza with other stanzas"));
        }
        Ok(decryptor)
    }

    /// The header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Whether the file is encrypted to a passphrase.
    #[must_use]
    pub fn is_passphrase(&self) -> bool {
        self.header
            .stanzas()
            .iter()
            .any(|s| s.tag() == scrypt::STANZA_TAG)
    }

    /// The payload key, if one of `identities` opens a stanza and the
    /// header MAC matches.
    fn payload_key(
        &mut self,
        identities: &[&dyn Identity],
    ) -> Result<zeroize::Zeroizing<[u8; 32]>> {
        let mut found = None;
        'search: for identity in identities {
            for stanza in self.header.stanzas() {
                match identity.unwrap_stanza(stanza) {
                    Some(Ok(key)) => {
                        found = Some(key);
                        break 'search;
                    }
                    Some(Err(e)) => return Err(e),
                    None => {}
                }
            }
        }
        let file_key = found.ok_or(Error::NoMatch)?;
        file_key.verify_header_mac(self.header.authenticated_bytes(), self.header.mac())?;
        let mut nonce = [0u8; 16];
        if stream::read_full(&mut self.input, &mut nonce)? != nonce.len() {
            return Err(Error::InvalidHeader("the payload nonce is missing"));
        }
        file_key.payload_key(&nonce)
    }

    /// Opens the file with the first of `identities` that matches a
    /// stanza; returns a reader of the plaintext, which releases a chunk
    /// only after its tag is checked.
    ///
    /// # Errors
    /// [`Error::NoMatch`], [`Error::HeaderMac`], [`Error::InvalidHeader`]
    /// for a malformed stanza of an identity's type, [`Error::Payload`] if
    /// the payload's nonce is missing.
    pub fn decrypt(mut self, identities: &[&dyn Identity]) -> Result<DecryptingReader<Input<R>>> {
        let key = self.payload_key(identities)?;
        DecryptingReader::new(self.input, &key)
    }

    /// Opens the file and writes all of its plaintext to `output`, chunks
    /// opened on two worker threads; returns its length. A failure can
    /// come after output was written: keep it only on `Ok`.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt), plus [`Error::Payload`] for a damaged
    /// payload and [`Error::Io`].
    pub fn decrypt_to(mut self, identities: &[&dyn Identity], output: impl Write) -> Result<u64> {
        let key = self.payload_key(identities)?;
        hx_aead::hazmat::stream_open_payload(&key, b"", self.input, output).map_err(aead_error)
    }
}
