//! Digest and tag decoders: never panic; what decodes re-encodes to the same
//! value. Differential: streaming equals one-shot for every algorithm.
#![no_main]

use hx_digest::{Algorithm, Digest, Hasher, Tag, hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(d) = Digest::from_hex(text) {
            assert_eq!(d.to_hex(), text.to_ascii_lowercase());
        }
        if let Ok(d) = Digest::from_base64(text) {
            assert_eq!(Digest::from_base64(&d.to_base64()).ok(), Some(d));
        }
        let _ = Tag::from_hex(text);
        let _ = text.parse::<Algorithm>();
    }
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    for alg in Algorithm::ALL {
        let mut h = Hasher::new(alg);
        h.update(&data[..split]);
        h.update(&data[split..]);
        assert_eq!(h.finalize(), hash(alg, data), "{alg}");
    }
});
