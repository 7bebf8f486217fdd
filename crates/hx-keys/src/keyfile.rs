//! Key files of every algorithm hx knows, for the crates that hold the keys
//! (hx-sign for Ed25519 and RSA signatures, hx-kex for X25519, X-Wing and
//! RSA-OAEP): read a PEM or DER file, learn its algorithm, take the raw key
//! out of its PKCS#8 or SubjectPublicKeyInfo envelope, and put one back in.
//!
//! ```
//! use hx_keys::keyfile::{self, KeyFile};
//! use hx_keys::Algorithm;
//!
//! // An Ed25519 private key (RFC 8410's example), as OpenSSL writes it.
//! let pem = "-----BEGIN PRIVATE KEY-----
//! MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
//! -----END PRIVATE KEY-----
//! ";
//! match keyfile::read(pem.as_bytes())? {
//!     KeyFile::Private { algorithm, pkcs8 } => {
//!         assert_eq!(algorithm, Algorithm::Ed25519);
//!         // The privateKey field: for Ed25519, an OCTET STRING of the seed.
//!         let field = keyfile::pkcs8_private_key(&pkcs8, algorithm)?;
//!         assert_eq!(field[..2], [0x04, 0x20]);
//!     }
//!     KeyFile::Public { .. } => panic!("a private key was read"),
//! }
//! # Ok::<(), hx_keys::Error>(())
//! ```

use pkcs8::der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use pkcs8::der::{Decode as _, Encode as _};
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::der::{self as encoding, Document, OID_ED25519, OID_RSA, OID_X25519, OID_XWING};
use crate::{Algorithm, Error, Result};

/// A key file, identified: a private key as PKCS#8 DER, or a public key as
/// SubjectPublicKeyInfo DER (PKCS#1 RSA documents are converted).
#[derive(Debug)]
pub enum KeyFile {
    /// A private key.
    Private {
        /// Its algorithm.
        algorithm: Algorithm,
        /// PKCS#8 DER, zeroized on drop.
        pkcs8: Zeroizing<Vec<u8>>,
    },
    /// A public key.
    Public {
        /// Its algorithm.
        algorithm: Algorithm,
        /// SubjectPublicKeyInfo DER.
        spki: Vec<u8>,
    },
}

/// Reads a key file of any form hx knows, and gives the key as PKCS#8 or
/// SubjectPublicKeyInfo DER whatever form it came in:
///
/// - PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `PUBLIC KEY`, `RSA PUBLIC KEY`)
///   or bare DER (PKCS#8, else SubjectPublicKeyInfo);
/// - OpenSSH: a private key (`-----BEGIN OPENSSH PRIVATE KEY-----`,
///   unencrypted) or a public-key line (`ssh-ed25519 …`, `ssh-rsa …`);
/// - age: an identity file holding one identity (`AGE-SECRET-KEY-1…`,
///   `AGE-SECRET-KEY-PQ-1…`, comment lines allowed) or a recipient
///   (`age1…`, `age1pq1…`).
///
/// ```
/// use hx_keys::{keyfile::{self, KeyFile}, Algorithm};
/// let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti me@host\n";
/// let KeyFile::Public { algorithm, .. } = keyfile::read(line.as_bytes())? else { unreachable!() };
/// assert_eq!(algorithm, Algorithm::Ed25519);
/// # Ok::<(), hx_keys::Error>(())
/// ```
///
/// # Errors
/// [`Error::EncryptedKey`], [`Error::InvalidKey`] for what is not a key
/// document, [`Error::UnsupportedAlgorithm`] for algorithms hx does not know
/// ([`Error::UnsupportedKeyType`] for SSH types),
/// [`Error::UnsupportedKeySize`] for RSA keys outside 2048–8192 bits.
pub fn read(input: &[u8]) -> Result<KeyFile> {
    if input.len() > encoding::MAX_KEY_FILE {
        return Err(Error::InvalidKey("key file larger than 64 KiB"));
    }
    if let Some(start) = encoding::find(input, crate::openssh::PRIVATE_KEY_BEGIN) {
        let key = crate::openssh::PrivateKey::from_openssh(&input[start..])?;
        return private(key.to_pkcs8()?);
    }
    let text = input.trim_ascii();
    if crate::openssh::looks_like_public_key(text) {
        let key: crate::openssh::PublicKey = utf8(text)?.parse()?;
        return public(key.to_spki()?);
    }
    if crate::age::looks_like_identity_file(input) {
        let identities = crate::age::read_identity_file(input)?;
        let [identity] = identities.as_slice() else {
            return Err(Error::InvalidKey(
                "the identity file holds several identities; a key file holds one",
            ));
        };
        return private(identity.to_pkcs8()?);
    }
    if text.starts_with(b"age1") {
        let recipient: crate::age::Recipient = utf8(text)?.parse()?;
        return public(recipient.to_spki()?);
    }
    let (kind, der) = encoding::decode(input)?;
    match kind {
        Some(Document::Pkcs8) => private(der),
        Some(Document::Spki) => public(der.to_vec()),
        Some(Document::Pkcs1Private) => private(encode_pkcs8(Algorithm::Rsa { bits: 0 }, &der)?),
        Some(Document::Pkcs1Public) => public(encode_spki(Algorithm::Rsa { bits: 0 }, &der)?),
        None if PrivateKeyInfoRef::from_der(&der).is_ok() => private(der),
        None => public(der.to_vec()),
    }
}

fn utf8(text: &[u8]) -> Result<&str> {
    core::str::from_utf8(text).map_err(|_| Error::InvalidKey("key text is not UTF-8"))
}

fn private(pkcs8: Zeroizing<Vec<u8>>) -> Result<KeyFile> {
    let (oid, info) = encoding::pkcs8_algorithm(&pkcs8)?;
    let algorithm = match known(oid)? {
        Algorithm::Rsa { .. } => Algorithm::Rsa {
            bits: crate::rsa::private_modulus_bits(info.private_key.as_bytes())?,
        },
        other => other,
    };
    Ok(KeyFile::Private { algorithm, pkcs8 })
}

fn public(spki: Vec<u8>) -> Result<KeyFile> {
    let (oid, info) = encoding::spki_algorithm(&spki)?;
    let algorithm = match known(oid)? {
        Algorithm::Rsa { .. } => {
            let pkcs1 = info
                .subject_public_key
                .as_bytes()
                .ok_or(Error::InvalidKey("RSA public key has unused bits"))?;
            Algorithm::Rsa {
                bits: crate::rsa::public_modulus_bits(pkcs1)?,
            }
        }
        other => other,
    };
    Ok(KeyFile::Public { algorithm, spki })
}

fn known(oid: ObjectIdentifier) -> Result<Algorithm> {
    match oid {
        o if o == OID_ED25519 => Ok(Algorithm::Ed25519),
        o if o == OID_X25519 => Ok(Algorithm::X25519),
        o if o == OID_XWING => Ok(Algorithm::XWing),
        o if o == OID_RSA => Ok(Algorithm::Rsa { bits: 0 }),
        o => Err(encoding::foreign_algorithm(o, "a known key type")),
    }
}

fn oid_of(algorithm: Algorithm) -> ObjectIdentifier {
    match algorithm {
        Algorithm::Ed25519 => OID_ED25519,
        Algorithm::X25519 => OID_X25519,
        Algorithm::XWing => OID_XWING,
        Algorithm::Rsa { .. } => OID_RSA,
    }
}

/// RSA's AlgorithmIdentifier carries NULL parameters; the others none
/// (RFC 8410, the X-Wing draft).
fn algorithm_identifier(algorithm: Algorithm) -> AlgorithmIdentifierRef<'static> {
    AlgorithmIdentifierRef {
        oid: oid_of(algorithm),
        parameters: matches!(algorithm, Algorithm::Rsa { .. }).then_some(AnyRef::NULL),
    }
}

/// The contents of the `privateKey` OCTET STRING of a PKCS#8 document of
/// `algorithm`: for X25519 and Ed25519 an inner OCTET STRING (RFC 8410), for
/// X-Wing the 32-byte seed itself, for RSA a PKCS#1 `RSAPrivateKey`.
///
/// # Errors
/// [`Error::InvalidKey`] if it is malformed, [`Error::WrongKeyType`] or
/// [`Error::UnsupportedAlgorithm`] if it holds another algorithm.
pub fn pkcs8_private_key(pkcs8: &[u8], algorithm: Algorithm) -> Result<Zeroizing<Vec<u8>>> {
    let (oid, info) = encoding::pkcs8_algorithm(pkcs8)?;
    check(oid, algorithm, info.algorithm.parameters.is_some())?;
    Ok(Zeroizing::new(info.private_key.as_bytes().to_vec()))
}

/// The contents of the `subjectPublicKey` BIT STRING of a
/// SubjectPublicKeyInfo document of `algorithm`.
///
/// # Errors
/// As [`pkcs8_private_key`].
pub fn spki_public_key(spki: &[u8], algorithm: Algorithm) -> Result<Vec<u8>> {
    let (oid, info) = encoding::spki_algorithm(spki)?;
    check(oid, algorithm, info.algorithm.parameters.is_some())?;
    info.subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or(Error::InvalidKey("public key has unused bits"))
}

fn check(oid: ObjectIdentifier, algorithm: Algorithm, has_parameters: bool) -> Result<()> {
    if oid != oid_of(algorithm) {
        let expected = match algorithm {
            Algorithm::Ed25519 => "an Ed25519 key",
            Algorithm::X25519 => "an X25519 key",
            Algorithm::XWing => "an X-Wing key",
            Algorithm::Rsa { .. } => "an RSA key",
        };
        return Err(match known(oid) {
            Ok(found) => Error::WrongKeyType { expected, found },
            Err(e) => e,
        });
    }
    if has_parameters && !matches!(algorithm, Algorithm::Rsa { .. }) {
        return Err(Error::InvalidKey("algorithm identifier with parameters"));
    }
    Ok(())
}

/// A PKCS#8 v1 document holding `private_key` (the `privateKey` OCTET
/// STRING contents, as [`pkcs8_private_key`] returns them).
///
/// # Errors
/// [`Error::InvalidKey`] if the key is too long to encode.
pub fn encode_pkcs8(algorithm: Algorithm, private_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let octets = OctetStringRef::new(private_key).map_err(|_| Error::InvalidKey("key too long"))?;
    let info: PrivateKeyInfoRef<'_> =
        pkcs8::PrivateKeyInfo::new(algorithm_identifier(algorithm), octets);
    info.to_der()
        .map(Zeroizing::new)
        .map_err(|_| Error::InvalidKey("key too long"))
}

/// A SubjectPublicKeyInfo document holding `public_key`.
///
/// # Errors
/// [`Error::InvalidKey`] if the key is too long to encode.
pub fn encode_spki(algorithm: Algorithm, public_key: &[u8]) -> Result<Vec<u8>> {
    let bits = BitStringRef::new(0, public_key).map_err(|_| Error::InvalidKey("key too long"))?;
    SubjectPublicKeyInfoRef {
        algorithm: algorithm_identifier(algorithm),
        subject_public_key: bits,
    }
    .to_der()
    .map_err(|_| Error::InvalidKey("key too long"))
}

/// PEM text of a private key document (`-----BEGIN PRIVATE KEY-----`).
#[must_use]
pub fn private_pem(pkcs8: &[u8]) -> Zeroizing<String> {
    encoding::to_pem("PRIVATE KEY", pkcs8)
}

/// PEM text of a public key document (`-----BEGIN PUBLIC KEY-----`).
#[must_use]
pub fn public_pem(spki: &[u8]) -> String {
    encoding::to_pem("PUBLIC KEY", spki).to_string()
}
