//! Bounded decoding, differential: whatever hx's bounded postcard decoder
//! accepts, plain postcard decodes to the same value, and it re-encodes to
//! the input (no overlong varints, no trailing bytes); whatever canonical
//! input postcard accepts within the limits, hx accepts too. The same for
//! JSON against serde_json.
#![no_main]

use hx_safe_deser::{Limits, bounded};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Tree {
    Leaf(u64),
    Node(Vec<Tree>),
    Named {
        name: String,
        child: Option<Box<Tree>>,
    },
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Doc {
    version: u16,
    title: String,
    tree: Tree,
    weights: Vec<i32>,
    blob: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_depth: 32,
        ..Limits::default()
    };
    let ours = bounded::from_postcard::<Doc>(data, &limits);
    let theirs = postcard::take_from_bytes::<Doc>(data);
    match (&ours, &theirs) {
        (Ok(ours), Ok((theirs, rest))) => {
            assert!(rest.is_empty(), "hx accepted trailing bytes");
            assert_eq!(ours, theirs);
            assert_eq!(
                postcard::to_allocvec(ours).expect("encodes"),
                data,
                "not canonical"
            );
        }
        (Ok(_), Err(e)) => panic!("hx accepted what postcard refuses: {e}"),
        (Err(e), Ok((theirs, rest))) => {
            // Only for a reason: not canonical, trailing bytes, or a limit.
            let canonical =
                rest.is_empty() && postcard::to_allocvec(theirs).expect("encodes") == data;
            assert!(
                !canonical
                    || matches!(
                        e,
                        hx_safe_deser::Error::DepthLimit { .. }
                            | hx_safe_deser::Error::SeqTooLong { .. }
                            | hx_safe_deser::Error::AllocLimit { .. }
                    ),
                "hx refused canonical input: {e}"
            );
        }
        (Err(_), Err(_)) => {}
    }
    if let Ok(v) = bounded::from_json::<serde_json::Value>(data, &limits) {
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(data).expect("serde_json agrees"),
            v
        );
    }
});
