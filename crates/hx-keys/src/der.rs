//! PEM and DER framing shared by every key type: which document a PEM block
//! holds, which algorithm a PKCS#8 or SubjectPublicKeyInfo document names.
//! The building blocks the key types of hx-sign and hx-kex read and write
//! themselves with; [`crate::keyfile`] is the whole-file entry point.
//!
//! ```
//! use hx_keys::der::{self, Document};
//! let pem = der::to_pem("PUBLIC KEY", &[0x30, 0x00]);
//! let (kind, bytes) = der::decode(pem.as_bytes())?;
//! assert_eq!((kind, bytes.as_slice()), (Some(Document::Spki), &[0x30, 0x00][..]));
//! # Ok::<(), hx_keys::Error>(())
//! ```

use pkcs8::der::Decode;
use pkcs8::{ObjectIdentifier, PrivateKeyInfoRef};
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

use crate::{Algorithm, Error, Result};

/// `id-Ed25519` (RFC 8410).
pub const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-X25519` (RFC 8410).
pub const OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
/// `rsaEncryption` (RFC 8017).
pub const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS` (RFC 4055): PSS-restricted RSA keys, which hx does not read.
pub const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// X-Wing (draft-connolly-cfrg-xwing-kem).
pub const OID_XWING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62253.25722");

/// What a PEM block (or a bare DER document) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// PKCS#8 `PRIVATE KEY` (OneAsymmetricKey, v1 or v2).
    Pkcs8,
    /// PKCS#1 `RSA PRIVATE KEY`.
    Pkcs1Private,
    /// SubjectPublicKeyInfo `PUBLIC KEY`.
    Spki,
    /// PKCS#1 `RSA PUBLIC KEY`.
    Pkcs1Public,
}

/// Most bytes a key file may have: an RSA-8192 PKCS#8 PEM is about 6.5 KB.
pub const MAX_KEY_FILE: usize = 64 * 1024;

/// Reads a key file's bytes: PEM (the first block, any text before it
/// ignored) or, if it does not start with a PEM boundary, bare DER whose kind
/// the caller guesses.
///
/// # Errors
/// [`Error::EncryptedKey`] for encrypted PEM, [`Error::InvalidKey`] for
/// anything that is not a key document.
pub fn decode(input: &[u8]) -> Result<(Option<Document>, Zeroizing<Vec<u8>>)> {
    if input.len() > MAX_KEY_FILE {
        return Err(Error::InvalidKey("key file larger than 64 KiB"));
    }
    let Some(start) = find(input, b"-----BEGIN ") else {
        return Ok((None, Zeroizing::new(input.to_vec())));
    };
    let block = &input[start..];
    if find(block, b"Proc-Type: 4,ENCRYPTED").is_some() {
        return Err(Error::EncryptedKey);
    }
    // One block: up to the end of the first END boundary line.
    let end = find(block, b"-----END ")
        .and_then(|e| find(&block[e + 9..], b"-----").map(|t| e + 9 + t + 5))
        .ok_or(Error::InvalidKey("PEM block without an END line"))?;
    let (label, der) =
        pem_rfc7468::decode_vec(&block[..end]).map_err(|_| Error::InvalidKey("malformed PEM"))?;
    let der = Zeroizing::new(der);
    let kind = match label {
        "PRIVATE KEY" => Document::Pkcs8,
        "RSA PRIVATE KEY" => Document::Pkcs1Private,
        "PUBLIC KEY" => Document::Spki,
        "RSA PUBLIC KEY" => Document::Pkcs1Public,
        "ENCRYPTED PRIVATE KEY" => return Err(Error::EncryptedKey),
        "OPENSSH PRIVATE KEY" => {
            return Err(Error::InvalidKey(
                "an OpenSSH private key where a PEM key is expected (hx_keys::keyfile::read and the `hx` commands read both)",
            ));
        }
        "EC PRIVATE KEY" | "EC PARAMETERS" => {
            return Err(Error::InvalidKey(
                "EC (SEC1) keys are not supported; hx reads Ed25519, X25519, X-Wing and RSA keys",
            ));
        }
        _ => {
            return Err(Error::InvalidKey(
                "the PEM block is not a private or public key",
            ));
        }
    };
    Ok((Some(kind), der))
}

/// Where `needle` first occurs in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Encodes DER as PEM with `label`, LF line endings, 64-column lines.
pub fn to_pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    // Encoding into a String cannot fail for these labels and lengths; an
    // empty string would be caught by every reader, so no panic path.
    Zeroizing::new(
        pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap_or_default(),
    )
}

/// The algorithm named by a PKCS#8 document, with the document parsed.
///
/// # Errors
/// [`Error::InvalidKey`] if it is not a PKCS#8 document.
pub fn pkcs8_algorithm(der: &[u8]) -> Result<(ObjectIdentifier, PrivateKeyInfoRef<'_>)> {
    let info = PrivateKeyInfoRef::from_der(der)
        .map_err(|_| Error::InvalidKey("malformed PKCS#8 private key"))?;
    Ok((info.algorithm.oid, info))
}

/// The algorithm named by a SubjectPublicKeyInfo document, with it parsed.
///
/// # Errors
/// [`Error::InvalidKey`] if it is not a SubjectPublicKeyInfo document.
pub fn spki_algorithm(der: &[u8]) -> Result<(ObjectIdentifier, SubjectPublicKeyInfoRef<'_>)> {
    let info = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| Error::InvalidKey("malformed SubjectPublicKeyInfo public key"))?;
    Ok((info.algorithm.oid, info))
}

/// Maps an OID hx knows but does not handle here to a typed error.
pub fn foreign_algorithm(oid: ObjectIdentifier, expected: &'static str) -> Error {
    if oid == OID_X25519 {
        Error::WrongKeyType {
            expected,
            found: Algorithm::X25519,
        }
    } else if oid == OID_XWING {
        Error::WrongKeyType {
            expected,
            found: Algorithm::XWing,
        }
    } else if oid == OID_RSA_PSS {
        Error::InvalidKey(
            "RSASSA-PSS-restricted RSA keys are not supported; use an rsaEncryption key",
        )
    } else {
        Error::UnsupportedAlgorithm(oid.to_string())
    }
}
