//! Property tests: no input makes any decoder panic, and what the bounded
//! postcard decoder accepts re-encodes to the same bytes (one encoding per
//! value).

use hx_safe_deser::pickle::{self, LoadOptions};
use hx_safe_deser::{Limits, Registry, bounded, envelope};
use proptest::prelude::*;

use crate::{Record, record};

fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    proptest::collection::vec((0..len.max(1), any::<u8>()), 0..6).prop_map(move |edits| {
        let mut out = base.clone();
        for (i, b) in edits {
            if i < out.len() {
                out[i] = b;
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn postcard_never_panics_and_is_canonical(input in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(r) = bounded::from_postcard::<Record>(&input, &Limits::default()) {
            prop_assert_eq!(postcard::to_allocvec(&r).unwrap(), input.clone());
        }
        let _ = bounded::from_postcard::<Vec<(u16, String, Option<i64>)>>(&input, &Limits::default());
    }

    #[test]
    fn mutated_records_never_panic(input in mutated(postcard::to_allocvec(&record()).unwrap())) {
        if let Ok(r) = bounded::from_postcard::<Record>(&input, &Limits::default()) {
            prop_assert_eq!(postcard::to_allocvec(&r).unwrap(), input.clone());
        }
    }

    #[test]
    fn envelopes_never_panic(input in mutated(envelope::encode(&record(), None).unwrap())) {
        let _ = Registry::<Record>::only().decode::<Record>(&input);
    }

    #[test]
    fn json_never_panics(input in "[\\[\\]{}\",:0-9a-z ]{0,64}") {
        let _ = bounded::from_json::<serde_json::Value>(input.as_bytes(), &Limits::default());
        let _ = bounded::from_json::<Record>(input.as_bytes(), &Limits::default());
    }

    #[test]
    fn pickles_never_panic(input in proptest::collection::vec(
        prop_oneof![
            4 => any::<u8>(),
            6 => proptest::sample::select(b"(.012ILJKMFGNSTUVXBC]ael)t}dsug hjpqr\x80\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x93\x94\x95cRbio\n".to_vec()),
        ],
        0..48,
    )) {
        let options = LoadOptions::default();
        let _ = pickle::load(&input, &options);
        let _ = pickle::scan(&input, &options);
    }
}
