//! age keys: the specification's examples and the test kit's identities
//! parse and re-encode exactly; the text is strict (case, checksum,
//! padding, prefix, length); identity files as age reads them; any text
//! gives a key or an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;

use hx_keys::age::{self, Identity, Recipient};
use hx_keys::keyfile::{self, KeyFile};
use hx_keys::{Algorithm, Error};
use proptest::prelude::*;
use x25519_dalek::{PublicKey, StaticSecret};

fn keys() -> BTreeMap<String, String> {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), "age-keys.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (name, key) = l.split_once(' ').unwrap();
            (name.to_owned(), key.to_owned())
        })
        .collect()
}

fn x25519_recipient(identity: &Identity) -> Recipient {
    let public = PublicKey::from(&StaticSecret::from(*identity.secret()));
    Recipient::new(Algorithm::X25519, public.as_bytes().to_vec()).unwrap()
}

#[test]
fn the_specification_examples() {
    let keys = keys();
    let identity: Identity = keys["spec-x25519-identity"].parse().unwrap();
    assert_eq!(identity.algorithm(), Algorithm::X25519);
    assert_eq!(identity.secret(), &[0x42; 32]);
    assert_eq!(*identity.to_encoded(), keys["spec-x25519-identity"]);
    // The recipient is the identity's X25519 public key.
    let recipient: Recipient = keys["spec-x25519-recipient"].parse().unwrap();
    assert_eq!(x25519_recipient(&identity), recipient);
    assert_eq!(recipient.to_string(), keys["spec-x25519-recipient"]);

    let pq: Identity = keys["spec-pq-identity"].parse().unwrap();
    assert_eq!(pq.algorithm(), Algorithm::XWing);
    assert_eq!(*pq.to_encoded(), keys["spec-pq-identity"]);
    // 1,959 characters: beyond BIP 173's 90 and the bech32 crate's 1,023.
    let text = &keys["spec-pq-recipient"];
    assert_eq!(text.len(), 1959);
    let pq_recipient: Recipient = text.parse().unwrap();
    assert_eq!(pq_recipient.algorithm(), Algorithm::XWing);
    assert_eq!(pq_recipient.public_key().len(), age::XWING_RECIPIENT_LEN);
    assert_eq!(&pq_recipient.to_string(), text);
}

#[test]
fn the_test_kit_identities() {
    let keys = keys();
    let mut seen = 0;
    for (name, text) in keys.iter().filter(|(n, _)| n.starts_with("testkit-")) {
        let identity: Identity = text.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = if name.contains("-pq-") {
            Algorithm::XWing
        } else {
            Algorithm::X25519
        };
        assert_eq!(identity.algorithm(), expected, "{name}");
        assert_eq!(&*identity.to_encoded(), text, "{name}");
        seen += 1;
    }
    assert_eq!(seen, 4);
    // The kit uses the same 32 bytes under both prefixes.
    let a: Identity = keys["testkit-x25519-identity-1"].parse().unwrap();
    let b: Identity = keys["testkit-pq-identity-1"].parse().unwrap();
    assert_eq!(a.secret(), b.secret());
}

/// Every single-character change of a valid key is refused: the checksum
/// catches substitutions, the case rule and the prefix rule the rest.
#[test]
fn every_single_character_change_is_refused() {
    let keys = keys();
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    for name in [
        "spec-x25519-identity",
        "spec-x25519-recipient",
        "spec-pq-identity",
    ] {
        let text = keys[name].as_bytes();
        for i in 0..text.len() {
            for &c in CHARSET.iter().chain(b"1bBiIoO-".iter()) {
                let mut changed = text.to_vec();
                let c = if text[i].is_ascii_uppercase() {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                if changed[i] == c {
                    continue;
                }
                changed[i] = c;
                let changed = String::from_utf8(changed).unwrap();
                assert!(
                    changed.parse::<Identity>().is_err(),
                    "{name} at {i}: {changed}"
                );
                assert!(
                    changed.parse::<Recipient>().is_err(),
                    "{name} at {i}: {changed}"
                );
            }
        }
    }
}

#[test]
fn the_text_is_strict() {
    let keys = keys();
    let identity = &keys["spec-x25519-identity"];
    let recipient = &keys["spec-x25519-recipient"];
    let refused = |text: &str| {
        assert!(text.parse::<Identity>().is_err(), "identity {text:?}");
        assert!(text.parse::<Recipient>().is_err(), "recipient {text:?}");
    };
    // Case: identities upper, recipients lower, never mixed (age's rule).
    refused(&identity.to_lowercase());
    refused(&recipient.to_uppercase());
    let mut mixed = identity.clone();
    mixed.replace_range(20..21, &identity[20..21].to_lowercase());
    refused(&mixed);
    // Surrounding text, truncation, a recipient's prefix on identity data.
    refused(&format!(" {identity}"));
    refused(&format!("{recipient}\n"));
    refused(&identity[..identity.len() - 1]);
    refused("");
    refused("age1");
    refused("AGE-SECRET-KEY-1");
    // Keys of the wrong length, correctly encoded.
    for len in [0, 31, 33, 64] {
        let short = bech32::encode_lower::<bech32::Bech32>(
            bech32::Hrp::parse("age").unwrap(),
            &vec![7; len],
        )
        .unwrap();
        assert_eq!(
            short.parse::<Recipient>().unwrap_err(),
            Error::InvalidKey("age recipient of the wrong length"),
            "{len}"
        );
    }
    // Another HRP with a valid checksum.
    let other =
        bech32::encode_lower::<bech32::Bech32>(bech32::Hrp::parse("agx").unwrap(), &[7; 32])
            .unwrap();
    refused(&other);
    // Bech32m's checksum is not age's.
    let m = bech32::encode_lower::<bech32::Bech32m>(bech32::Hrp::parse("age").unwrap(), &[7; 32])
        .unwrap();
    refused(&m);
}

/// 32 bytes are 51.2 five-bit groups: the last group carries 3 padding
/// bits, which must be zero. A non-zero padding with a valid checksum is
/// refused (it would decode to the same key: two texts for one key).
#[test]
fn non_canonical_padding_is_refused() {
    let hrp = bech32::Hrp::parse("age").unwrap();
    let canonical = bech32::encode_lower::<bech32::Bech32>(hrp, &[0x5a; 32]).unwrap();
    assert!(canonical.parse::<Recipient>().is_ok());
    // Rebuild the data part with padding bits set, then a valid checksum.
    let data: Vec<bech32::Fe32> = canonical[4..canonical.len() - 6]
        .chars()
        .map(|c| bech32::Fe32::from_char(c).unwrap())
        .collect();
    let mut padded = data.clone();
    let last = padded.last_mut().unwrap();
    *last = bech32::Fe32::try_from(last.to_u8() | 0b001).unwrap();
    let text = with_checksum("age", &padded);
    assert_ne!(text, canonical);
    assert!(bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(&text).is_ok());
    assert_eq!(
        text.parse::<Recipient>().unwrap_err(),
        Error::InvalidKey("not an age recipient (age1… or age1pq1…)")
    );
}

fn with_checksum(hrp: &str, data: &[bech32::Fe32]) -> String {
    use bech32::primitives::iter::Fe32IterExt as _;
    let hrp = bech32::Hrp::parse(hrp).unwrap();
    data.iter()
        .copied()
        .with_checksum::<bech32::Bech32>(&hrp)
        .chars()
        .collect()
}

#[test]
fn identity_files_read_as_age_reads_them() {
    let keys = keys();
    let x = &keys["spec-x25519-identity"];
    let pq = &keys["spec-pq-identity"];
    let file = format!("# created: 2026-12-02T00:00:00Z\r\n# public key: …\r\n\r\n{x}\r\n{pq}\n");
    let identities = age::read_identity_file(file.as_bytes()).unwrap();
    assert_eq!(identities.len(), 2);
    assert_eq!(identities[1].algorithm(), Algorithm::XWing);
    // The failing line is named by number, its text never shown.
    let bad = format!("# comment\n{x}\nAGE-SECRET-KEY-1SECRETSECRET\n");
    let err = age::read_identity_file(bad.as_bytes()).unwrap_err();
    assert_eq!(err, Error::InvalidIdentityLine { line: 3 });
    assert!(!err.to_string().contains("SECRETSECRET"), "{err}");
    assert!(age::read_identity_file(b"# only a comment\n").is_err());
    assert!(age::read_identity_file(b"\xff\xfe").is_err());
    assert!(age::read_identity_file(&vec![b'#'; age::MAX_IDENTITY_FILE + 1]).is_err());
}

#[test]
fn secrets_do_not_print() {
    let identity: Identity = keys()["spec-x25519-identity"].parse().unwrap();
    let shown = format!("{identity:?}");
    assert!(shown.contains("[REDACTED]"), "{shown}");
    assert!(!shown.contains("GFPYY"), "{shown}");
}

#[test]
fn key_files_read_age_keys_as_der() {
    let keys = keys();
    for name in ["spec-x25519-identity", "spec-pq-identity"] {
        let file = format!("# a comment\n{}\n", keys[name]);
        let identity: Identity = keys[name].parse().unwrap();
        match keyfile::read(file.as_bytes()).unwrap() {
            KeyFile::Private { algorithm, pkcs8 } => {
                assert_eq!(algorithm, identity.algorithm(), "{name}");
                assert_eq!(*pkcs8, *identity.to_pkcs8().unwrap(), "{name}");
                assert_eq!(
                    Identity::from_pkcs8(&pkcs8).unwrap().secret(),
                    identity.secret()
                );
            }
            KeyFile::Public { .. } => panic!("{name}"),
        }
    }
    for name in ["spec-x25519-recipient", "spec-pq-recipient"] {
        let recipient: Recipient = keys[name].parse().unwrap();
        match keyfile::read(format!("{}\n", keys[name]).as_bytes()).unwrap() {
            KeyFile::Public { algorithm, spki } => {
                assert_eq!(algorithm, recipient.algorithm(), "{name}");
                assert_eq!(Recipient::from_spki(&spki).unwrap(), recipient, "{name}");
            }
            KeyFile::Private { .. } => panic!("{name}"),
        }
    }
    let two = format!(
        "{}\n{}\n",
        keys["spec-x25519-identity"], keys["spec-pq-identity"]
    );
    assert!(keyfile::read(two.as_bytes()).is_err());
    // An Ed25519 PKCS#8 key is not an age identity.
    let ed = keyfile::encode_pkcs8(Algorithm::Ed25519, &[0x04, 0x20, 1, 2, 3]).unwrap();
    assert!(matches!(
        Identity::from_pkcs8(&ed),
        Err(Error::WrongKeyType {
            found: Algorithm::Ed25519,
            ..
        })
    ));
}

proptest! {
    #[test]
    fn any_secret_round_trips(secret in any::<[u8; 32]>(), pq in any::<bool>()) {
        let algorithm = if pq { Algorithm::XWing } else { Algorithm::X25519 };
        let identity = Identity::new(algorithm, secret).unwrap();
        let again: Identity = identity.to_encoded().parse().unwrap();
        prop_assert_eq!(again.secret(), &secret);
        prop_assert_eq!(again.algorithm(), algorithm);
    }

    #[test]
    fn any_recipient_round_trips(public in proptest::collection::vec(any::<u8>(), 1216), pq in any::<bool>()) {
        let (algorithm, public) = if pq {
            (Algorithm::XWing, public)
        } else {
            (Algorithm::X25519, public[..32].to_vec())
        };
        let recipient = Recipient::new(algorithm, public).unwrap();
        let again: Recipient = recipient.to_string().parse().unwrap();
        prop_assert_eq!(again, recipient);
    }

    #[test]
    fn any_text_is_a_key_or_an_error(text in "(AGE-SECRET-KEY-(PQ-)?1|age1(pq1)?)?[qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L1]{0,120}") {
        let _ = text.parse::<Identity>();
        let _ = text.parse::<Recipient>();
        let _ = age::read_identity_file(text.as_bytes());
        let _ = keyfile::read(text.as_bytes());
    }
}

/// serde writes age recipients, OpenSSH public keys and algorithms as
/// their text forms and reads them back through the same strict parsers.
#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_text_forms() {
    let keys = keys();
    let recipient: Recipient = keys["spec-pq-recipient"].parse().unwrap();
    let json = serde_json::to_string(&recipient).unwrap();
    assert_eq!(json, format!("\"{}\"", keys["spec-pq-recipient"]));
    assert_eq!(serde_json::from_str::<Recipient>(&json).unwrap(), recipient);
    assert!(serde_json::from_str::<Recipient>(&json.to_uppercase()).is_err());
    assert_eq!(
        serde_json::to_string(&Algorithm::Rsa { bits: 3072 }).unwrap(),
        "\"rsa-3072\""
    );
    assert_eq!(
        serde_json::from_str::<Algorithm>("\"xwing\"").unwrap(),
        Algorithm::XWing
    );
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti foo@bar.com";
    let ssh: hx_keys::openssh::PublicKey = line.parse().unwrap();
    let json = serde_json::to_string(&ssh).unwrap();
    assert_eq!(json, format!("\"{line}\""));
    assert_eq!(
        serde_json::from_str::<hx_keys::openssh::PublicKey>(&json).unwrap(),
        ssh
    );
}
