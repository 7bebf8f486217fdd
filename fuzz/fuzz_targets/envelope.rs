//! Safe-deser envelopes: decoding never panics; an envelope that decodes
//! (with or without a MAC) re-encodes to exactly the same bytes, so every
//! accepted value has one encoding.
#![no_main]

use hx_safe_deser::{MacKey, Message, Registry, Tag, envelope};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Kind {
    A,
    B(u16),
    C { x: i64, y: Vec<u8> },
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Record {
    id: u32,
    name: String,
    tags: Vec<String>,
    score: Option<i64>,
    kind: Kind,
}

impl Message for Record {
    const TAG: Tag = Tag::new("fuzz.Record", 1);
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Other(Vec<(u8, String)>);

impl Message for Other {
    const TAG: Tag = Tag::new("fuzz.Other", 2);
}

#[derive(Debug)]
enum Any {
    Record(Record),
    Other(Other),
}

fuzz_target!(|data: &[u8]| {
    let plain = Registry::new().allow(Any::Record).allow(Any::Other);
    match plain.decode_any(data) {
        Ok(Any::Record(r)) => assert_eq!(envelope::encode(&r, None).expect("encodes"), data),
        Ok(Any::Other(o)) => assert_eq!(envelope::encode(&o, None).expect("encodes"), data),
        Err(_) => {}
    }
    let key = MacKey::blake2b(&[7; 32]).expect("valid key");
    let authed = Registry::<Record>::only().with_mac_key(key);
    if let Ok(r) = authed.decode::<Record>(data) {
        assert_eq!(authed.encode(&r).expect("encodes"), data);
    }
});
