//! The bad-input list of the issue, each a test with its typed error: the
//! allocation bomb, 10,000 levels of nesting on a 2 MiB stack, one trailing
//! byte, an overlong varint, input over `max_bytes`, truncation at every
//! offset — in envelopes, JSON and pickles alike.

use std::collections::HashMap;

use hx_safe_deser::pickle::{self, LoadOptions};
use hx_safe_deser::{Error, Limits, Message, Registry, Tag, bounded, envelope};
use serde::{Deserialize, Serialize};

use crate::{Record, record};

/// A type that nests as deep as the input says.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Nest {
    Leaf,
    Node(Box<Nest>),
}
impl Message for Nest {
    const TAG: Tag = Tag::new("hx.test.Nest", 1);
}

/// Runs `f` on a thread with a 2 MiB stack (a service's worker thread).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the decoder overflowed a 2 MiB stack")
}

const DEEP: usize = 10_000;

#[test]
fn ten_thousand_levels_hit_the_depth_limit_on_a_2_mib_stack() {
    let limits = Limits::default();
    let max = limits.max_depth;
    // postcard: Node(Node(...(Leaf))) is 10,000 bytes of 0x01 and a 0x00.
    let mut nested = vec![1u8; DEEP];
    nested.push(0);
    let raw = nested.clone();
    let r = on_small_stack(move || bounded::from_postcard::<Nest>(&raw, &Limits::default()));
    assert!(
        matches!(r, Err(Error::DepthLimit { max: m }) if m == max),
        "{r:?}"
    );
    // The same payload in an envelope.
    let mut env = envelope::encode(&Nest::Leaf, None).unwrap();
    let payload_at = env.len() - 1;
    env.truncate(payload_at);
    let len = u32::try_from(nested.len()).unwrap().to_be_bytes();
    env[payload_at - 4..payload_at].copy_from_slice(&len);
    env.extend_from_slice(&nested);
    let r = on_small_stack(move || Registry::<Nest>::only().decode::<Nest>(&env));
    assert!(matches!(r, Err(Error::DepthLimit { .. })), "{r:?}");
    // JSON, as a typed value and as serde_json::Value.
    let json = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP)).into_bytes();
    let j2 = json.clone();
    let r =
        on_small_stack(move || bounded::from_json::<serde_json::Value>(&j2, &Limits::default()));
    assert!(matches!(r, Err(Error::DepthLimit { .. })), "{r:?}");
    let json = format!("{}\"Leaf\"{}", "{\"Node\":".repeat(DEEP), "}".repeat(DEEP)).into_bytes();
    let r = on_small_stack(move || bounded::from_json::<Nest>(&json, &Limits::default()));
    assert!(matches!(r, Err(Error::DepthLimit { .. })), "{r:?}");
    // A pickle of 10,000 nested lists: ] x 10,000, then APPEND x 9,999.
    let mut p = b"\x80\x02".to_vec();
    p.extend(std::iter::repeat_n(b']', DEEP));
    p.extend(std::iter::repeat_n(b'a', DEEP - 1));
    p.push(b'.');
    let r = on_small_stack(move || pickle::load(&p, &LoadOptions::default()));
    assert!(matches!(r, Err(Error::DepthLimit { .. })), "{r:?}");
    // Just under the limit still decodes.
    let mut ok = vec![1u8; max - 1];
    ok.push(0);
    assert!(bounded::from_postcard::<Nest>(&ok, &limits).is_ok());
}

/// 9 bytes: a varint of 2^32 (5 bytes) and 4 bytes of elements.
const BOMB: [u8; 9] = [0x80, 0x80, 0x80, 0x80, 0x10, 1, 2, 3, 4];

#[test]
fn a_9_byte_input_declaring_2_pow_32_elements_allocates_almost_nothing() {
    let limits = Limits::default();
    let mut results = Vec::new();
    let info = allocation_counter::measure(|| {
        results.push(format!(
            "{:?}",
            bounded::from_postcard::<Vec<u64>>(&BOMB, &limits).err()
        ));
        results.push(format!(
            "{:?}",
            bounded::from_postcard::<Vec<String>>(&BOMB, &limits).err()
        ));
        results.push(format!(
            "{:?}",
            bounded::from_postcard::<HashMap<u8, u8>>(&BOMB, &limits).err()
        ));
        results.push(format!(
            "{:?}",
            bounded::from_postcard::<Vec<()>>(&BOMB, &limits).err()
        ));
    });
    // Either the declared length is refused up front or the input runs out;
    // a Vec<()> needs no input per element and stops at max_seq_len.
    assert!(
        results[..3]
            .iter()
            .all(|r| r.contains("SeqTooLong") || r.contains("Truncated")),
        "{results:?}"
    );
    assert!(results[3].contains("SeqTooLong"), "{results:?}");
    assert!(
        info.bytes_max <= limits.max_bytes as u64,
        "peak extra allocation {} bytes",
        info.bytes_max
    );
    // With the sequence limit raised to 2^32, still no 2^32-element
    // allocation: what is reserved up front is capped, the rest grows only
    // as elements actually arrive.
    let lax = Limits {
        max_seq_len: usize::MAX,
        ..Limits::default()
    };
    let info = allocation_counter::measure(|| {
        assert!(matches!(
            bounded::from_postcard::<Vec<u64>>(&BOMB, &lax),
            Err(Error::Truncated)
        ));
        assert!(matches!(
            bounded::from_postcard::<HashMap<u64, u64>>(&BOMB, &lax),
            Err(Error::Truncated)
        ));
    });
    assert!(
        info.bytes_max <= lax.max_bytes as u64,
        "peak extra allocation {} bytes",
        info.bytes_max
    );
}

#[test]
fn total_allocation_is_bounded() {
    // 1,000 empty strings: 1,000 bytes of input, 24 KB of String headers.
    let mut input = vec![0xe8, 0x07];
    input.extend(std::iter::repeat_n(0u8, 1000));
    let tight = Limits {
        max_total_alloc: 10_000,
        ..Limits::default()
    };
    assert!(matches!(
        bounded::from_postcard::<Vec<String>>(&input, &tight),
        Err(Error::AllocLimit { max: 10_000 })
    ));
    assert_eq!(
        bounded::from_postcard::<Vec<String>>(&input, &Limits::default())
            .unwrap()
            .len(),
        1000
    );
    // A pickle that shares one list 2^24 times over 24 levels ("billion
    // laughs"): the memo makes it 150 bytes, the tree would be 2^24 lists
    // and its JSON 2^24 times "[]".
    let mut p = b"\x80\x02]\x94".to_vec();
    for i in 0..24u8 {
        p.extend_from_slice(&[b'h', i, b'h', i, 0x86, 0x94]);
    }
    p.push(b'.');
    let options = LoadOptions::default().with_max_output(8 << 20);
    assert!(matches!(
        pickle::load(&p, &options),
        Err(Error::OutputLimit { max }) if max == 8 << 20
    ));
    assert!(matches!(
        pickle::load_json(&p, &options),
        Err(Error::OutputLimit { max }) if max == 8 << 20
    ));
}

#[test]
fn one_trailing_byte_is_refused_everywhere() {
    let limits = Limits::default();
    let mut raw = postcard::to_allocvec(&record()).unwrap();
    raw.push(0);
    assert!(matches!(
        bounded::from_postcard::<Record>(&raw, &limits),
        Err(Error::TrailingBytes { count: 1 })
    ));
    assert!(matches!(
        bounded::from_json::<u8>(b"1 2", &limits),
        Err(Error::TrailingBytes { count: 1 })
    ));
    assert_eq!(bounded::from_json::<u8>(b" 1 \n", &limits).unwrap(), 1);
    let mut env = envelope::encode(&record(), None).unwrap();
    env.push(0);
    assert!(matches!(
        Registry::<Record>::only().decode::<Record>(&env),
        Err(Error::TrailingBytes { count: 1 })
    ));
    assert!(matches!(
        pickle::load(b"N.\x00", &LoadOptions::default()),
        Err(Error::TrailingBytes { count: 1 })
    ));
}

#[test]
fn an_overlong_varint_is_refused() {
    let limits = Limits::default();
    // Record.id = 300 as ac 02; the same value padded: ac 82 00.
    let good = postcard::to_allocvec(&record()).unwrap();
    assert_eq!(&good[..2], [0xac, 0x02]);
    let mut padded = vec![0xac, 0x82, 0x00];
    padded.extend_from_slice(&good[2..]);
    // postcard itself accepts it...
    assert_eq!(postcard::from_bytes::<Record>(&padded).unwrap(), record());
    // ...hx does not, raw or in an envelope.
    assert!(matches!(
        bounded::from_postcard::<Record>(&padded, &limits),
        Err(Error::OverlongVarint)
    ));
    let mut env = envelope::encode(&record(), None).unwrap();
    let payload_at = env.len() - good.len();
    env.splice(payload_at..payload_at + 2, [0xac, 0x82, 0x00]);
    let len = u32::try_from(padded.len()).unwrap().to_be_bytes();
    env[payload_at - 4..payload_at].copy_from_slice(&len);
    assert!(matches!(
        Registry::<Record>::only().decode::<Record>(&env),
        Err(Error::OverlongVarint)
    ));
}

#[test]
fn input_over_max_bytes_is_refused_before_parsing() {
    let limits = Limits {
        max_bytes: 8,
        ..Limits::default()
    };
    let garbage = [0xffu8; 9];
    assert!(matches!(
        bounded::from_postcard::<u8>(&garbage, &limits),
        Err(Error::TooLarge { len: 9, max: 8 })
    ));
    assert!(matches!(
        bounded::from_json::<u8>(&garbage, &limits),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        Registry::<Record>::only()
            .with_limits(limits)
            .decode::<Record>(&garbage),
        Err(Error::TooLarge { .. })
    ));
    let options = LoadOptions::default().with_limits(limits);
    assert!(matches!(
        pickle::load(&garbage, &options),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn long_sequences_are_refused_while_decoding() {
    let limits = Limits {
        max_seq_len: 3,
        ..Limits::default()
    };
    assert!(bounded::from_postcard::<Vec<u8>>(&[3, 1, 2, 3], &limits).is_ok());
    assert!(matches!(
        bounded::from_postcard::<Vec<u8>>(&[4, 1, 2, 3, 4], &limits),
        Err(Error::SeqTooLong { max: 3 })
    ));
    assert!(matches!(
        bounded::from_json::<Vec<u8>>(b"[1,2,3,4]", &limits),
        Err(Error::SeqTooLong { max: 3 })
    ));
    let options = LoadOptions::default().with_limits(limits);
    assert!(matches!(
        pickle::load(b"(K\x01K\x02K\x03K\x04l.", &options),
        Err(Error::SeqTooLong { max: 3 })
    ));
    assert!(matches!(
        pickle::load(b"](K\x01K\x02K\x03K\x04e.", &options),
        Err(Error::SeqTooLong { max: 3 })
    ));
}

#[test]
fn truncation_at_every_offset_is_a_typed_error() {
    let r = Registry::<Record>::only()
        .with_mac_key(hx_safe_deser::MacKey::hmac_sha256(&[9; 32]).unwrap());
    let env = r.encode(&record()).unwrap();
    for cut in 0..env.len() {
        let err = r.decode::<Record>(&env[..cut]).unwrap_err();
        assert!(
            matches!(err, Error::Truncated | Error::BadMagic),
            "envelope cut at {cut}: {err:?}"
        );
        if cut >= 4 {
            assert!(
                matches!(err, Error::Truncated),
                "envelope cut at {cut}: {err:?}"
            );
        }
    }
    let raw = postcard::to_allocvec(&record()).unwrap();
    for cut in 0..raw.len() {
        let err = bounded::from_postcard::<Record>(&raw[..cut], &Limits::default()).unwrap_err();
        assert!(
            matches!(err, Error::Truncated),
            "postcard cut at {cut}: {err:?}"
        );
    }
    // A pickle with every kind of argument: protocol 4 framing, strings,
    // bytes, ints, floats, memo, containers.
    let p = b"\x80\x04\x95\x2f\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01M\x00\x01J\x00\x00\x00\x80\x8a\x01\x7fG?\xf8\x00\x00\x00\x00\x00\x00C\x02hi\x88Ne\x8c\x01b\x94h\x02u.";
    let full = pickle::load(p, &LoadOptions::default()).unwrap();
    assert_eq!(
        full.to_json(),
        r#"{"a":[1,256,-2147483648,127,1.5,{"$bytes":"aGk="},true,null],"b":[1,256,-2147483648,127,1.5,{"$bytes":"aGk="},true,null]}"#
    );
    for cut in 0..p.len() {
        let err = pickle::load(&p[..cut], &LoadOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::Truncated),
            "pickle cut at {cut}: {err:?}"
        );
        let report = pickle::scan(&p[..cut], &LoadOptions::default());
        assert!(
            matches!(report.problem, Some(Error::Truncated)),
            "scan cut at {cut}: {:?}",
            report.problem
        );
    }
}

#[test]
fn memo_limit() {
    let options = LoadOptions::default().with_max_memo(2);
    assert!(pickle::load(b"\x80\x04N\x94N\x94\x86.", &options).is_ok());
    assert!(matches!(
        pickle::load(b"\x80\x04N\x94N\x94N\x94\x87.", &options),
        Err(Error::MemoLimit { max: 2 })
    ));
}
