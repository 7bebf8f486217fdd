//! Envelopes: the FORMAT.md vectors (built independently by the Python
//! peer from the spec), MACs, the registry, and the order of checks.

use hx_safe_deser::envelope::{self, MAC_LEN, MacAlgorithm};
use hx_safe_deser::{Error, Limits, MacKey, Message, Registry, Tag};
use serde::{Deserialize, Serialize};

use crate::{Record, python, record};

const KEY: [u8; 32] = [0x42; 32];

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Other {
    n: u8,
}
impl Message for Other {
    const TAG: Tag = Tag::new("hx.test.Other", 1);
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Stranger {
    n: u8,
}
impl Message for Stranger {
    const TAG: Tag = Tag::new("hx.test.Stranger", 1);
}

#[derive(Debug, PartialEq)]
enum Any {
    Record(Record),
    Other(Other),
}

fn registry() -> Registry<Any> {
    Registry::new().allow(Any::Record).allow(Any::Other)
}

fn hmac() -> MacKey {
    MacKey::hmac_sha256(&KEY).unwrap()
}

fn blake() -> MacKey {
    MacKey::blake2b(&KEY).unwrap()
}

/// The vectors in docs/FORMAT.md, checked here.
const VECTOR_NONE: &str =
    "4858534401000e68782e746573742e5265636f726400030000000eac020361646102017802797a0109";
const VECTOR_HMAC: &str = "4858534401010e68782e746573742e5265636f726400030000000eac020361646102017802797a0109b8d81a999396b440ba3fbec1b108ef65c60499d20cf8fe6e04586041ce073502";
const VECTOR_BLAKE2B: &str = "4858534401020e68782e746573742e5265636f726400030000000eac020361646102017802797a010917dc20022fa780f7654df63ef8a8f7234d1aa1844f200efbc99315a54ddb487c";

#[test]
fn format_vectors_match_hx_and_the_python_peer() {
    let peer = python(&["envelope", &hex::encode(KEY)]);
    for (label, vector, key) in [
        ("none", VECTOR_NONE, None),
        ("hmac-sha256", VECTOR_HMAC, Some(hmac())),
        ("blake2b-256", VECTOR_BLAKE2B, Some(blake())),
    ] {
        let ours = envelope::encode(&record(), key.as_ref()).unwrap();
        assert_eq!(hex::encode(&ours), vector, "{label}: hx");
        assert_eq!(
            peer[label].as_str().unwrap(),
            vector,
            "{label}: Python, from the spec"
        );
        let mut registry = Registry::<Record>::only();
        if let Some(key) = key {
            registry = registry.with_mac_key(key);
        }
        assert_eq!(
            registry
                .decode::<Record>(&hex::decode(vector).unwrap())
                .unwrap(),
            record()
        );
    }
}

#[test]
fn registry_decodes_allowed_types_and_refuses_others() {
    let r = registry();
    let bytes = envelope::encode(&Other { n: 7 }, None).unwrap();
    assert_eq!(r.decode_any(&bytes).unwrap(), Any::Other(Other { n: 7 }));
    assert_eq!(r.decode::<Other>(&bytes).unwrap(), Other { n: 7 });
    assert!(matches!(
        r.decode::<Record>(&bytes),
        Err(Error::UnexpectedType { expected, found })
            if expected == "hx.test.Record@3" && found == "hx.test.Other@1"
    ));
    let stranger = envelope::encode(&Stranger { n: 1 }, None).unwrap();
    assert!(
        matches!(r.decode_any(&stranger), Err(Error::NotAllowed { tag }) if tag == "hx.test.Stranger@1")
    );
    assert!(matches!(
        r.decode::<Stranger>(&stranger),
        Err(Error::NotAllowed { .. })
    ));
    assert!(r.is_allowed(Record::TAG) && !r.is_allowed(Stranger::TAG));
}

#[test]
fn a_new_schema_version_is_a_different_type() {
    let mut bytes = envelope::encode(&record(), None).unwrap();
    // Tag version (u16 BE) follows the 14-byte name at offset 7.
    bytes[7 + 14 + 1] = 4;
    assert!(
        matches!(registry().decode_any(&bytes), Err(Error::NotAllowed { tag }) if tag == "hx.test.Record@4")
    );
}

#[test]
fn every_altered_byte_of_an_authenticated_envelope_is_refused() {
    for key in [hmac(), blake()] {
        let algorithm = key.algorithm();
        let r = Registry::<Record>::only().with_mac_key(key);
        let bytes = r.encode(&record()).unwrap();
        for i in 0..bytes.len() {
            for bit in [0x01, 0x80] {
                let mut altered = bytes.clone();
                altered[i] ^= bit;
                let err = r.decode::<Record>(&altered).unwrap_err();
                // Header fields that say how to read the rest fail as such;
                // everything else is one opaque BadMac.
                assert!(
                    matches!(
                        err,
                        Error::BadMac
                            | Error::BadMagic
                            | Error::UnsupportedVersion(_)
                            | Error::Truncated
                            | Error::TrailingBytes { .. }
                            | Error::Malformed(_)
                    ),
                    "{algorithm:?} byte {i}: {err:?}"
                );
                if i >= 7 {
                    assert!(
                        matches!(
                            err,
                            Error::BadMac
                                | Error::Truncated
                                | Error::TrailingBytes { .. }
                                | Error::Malformed(_)
                        ),
                        "{algorithm:?} byte {i}: {err:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn mac_must_match_the_configuration() {
    let plain = envelope::encode(&record(), None).unwrap();
    let with_hmac = envelope::encode(&record(), Some(&hmac())).unwrap();
    let with_blake = envelope::encode(&record(), Some(&blake())).unwrap();
    let wants_hmac = Registry::<Record>::only().with_mac_key(hmac());
    let wants_none = Registry::<Record>::only();
    // A MAC is required when a key is configured: no downgrade by stripping it.
    assert!(matches!(
        wants_hmac.decode::<Record>(&plain),
        Err(Error::BadMac)
    ));
    assert!(matches!(
        wants_hmac.decode::<Record>(&with_blake),
        Err(Error::BadMac)
    ));
    // And refused when none is: a configuration mistake shows, not passes.
    assert!(matches!(
        wants_none.decode::<Record>(&with_hmac),
        Err(Error::BadMac)
    ));
    // The wrong key.
    let other_key = Registry::<Record>::only().with_mac_key(MacKey::hmac_sha256(&[1; 32]).unwrap());
    assert!(matches!(
        other_key.decode::<Record>(&with_hmac),
        Err(Error::BadMac)
    ));
    assert_eq!(hmac().algorithm(), MacAlgorithm::HmacSha256);
    assert!(MacKey::hmac_sha256(&[0; 15]).is_err());
    assert!(MacKey::blake2b(&[0; 65]).is_err());
    assert_eq!(with_hmac.len(), plain.len() + MAC_LEN);
}

#[test]
fn checks_run_in_the_documented_order() {
    let r = Registry::<Record>::only()
        .with_mac_key(hmac())
        .with_limits(Limits {
            max_bytes: 100,
            ..Limits::default()
        });
    // Size before anything: garbage over the limit is TooLarge, not BadMagic.
    assert!(matches!(
        r.decode::<Record>(&[0xff; 101]),
        Err(Error::TooLarge { len: 101, max: 100 })
    ));
    // MAC before the tag: a forged envelope of a type not allowed is BadMac.
    let mut stranger = envelope::encode(&Stranger { n: 1 }, Some(&hmac())).unwrap();
    let last = stranger.len() - 1;
    stranger[last] ^= 1;
    assert!(matches!(r.decode::<Record>(&stranger), Err(Error::BadMac)));
    // Tag before decoding: a payload that would not decode, under a tag not
    // allowed, is NotAllowed.
    let mut bad_payload = envelope::encode(&Stranger { n: 1 }, None).unwrap();
    let last = bad_payload.len() - 1;
    bad_payload[last] = 0x80; // an unterminated varint, were it decoded
    assert!(matches!(
        Registry::<Record>::only().decode::<Record>(&bad_payload),
        Err(Error::NotAllowed { .. })
    ));
    // Trailing bytes inside the declared payload come after decoding.
    let mut trailing = envelope::encode(&Other { n: 1 }, None).unwrap();
    trailing.push(0);
    let len_at = trailing.len() - 1 - 1 - 4;
    trailing[len_at + 3] += 1;
    assert!(matches!(
        registry().decode_any(&trailing),
        Err(Error::TrailingBytes { count: 1 })
    ));
}

#[test]
fn mac_key_debug_is_redacted() {
    let shown = format!("{:?}", MacKey::blake2b(&[0xab; 32]).unwrap());
    assert!(shown.contains("[REDACTED]") && !shown.contains("ab") && !shown.contains("171"));
    let shown = format!("{:?}", registry().with_mac_key(hmac()));
    assert!(shown.contains("[REDACTED]") && shown.contains("hx.test.Record"));
}
