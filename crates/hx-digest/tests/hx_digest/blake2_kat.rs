//! The BLAKE2 reference keyed KAT for BLAKE2b-512 (256 cases).

use hx_digest::{Blake2Params, Blake2b};

use crate::{data, unhex};

#[test]
fn blake2b_keyed_kat() {
    let text = data("blake2b-kat.txt");
    let mut cases = 0;
    for record in text.split("\n\n").filter(|r| !r.trim().is_empty()) {
        let field = |name: &str| {
            record
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| unhex(v.trim()))
                .unwrap_or_else(|| panic!("record without {name}: {record}"))
        };
        let (input, key, expected) = (field("in:"), field("key:"), field("hash:"));
        let params = Blake2Params::new(64).key(&key);
        let mut h = Blake2b::new(&params).unwrap();
        h.update(&input);
        assert_eq!(
            h.finalize().as_bytes(),
            &expected[..],
            "in.len() = {}",
            input.len()
        );
        // Verification with the same parameters accepts it, and rejects a flip.
        let mut h = Blake2b::new(&params).unwrap();
        h.update(&input);
        h.clone().verify(&expected).unwrap();
        let mut bad = expected.clone();
        bad[63] ^= 0x80;
        assert!(h.verify(&bad).is_err());
        cases += 1;
    }
    assert_eq!(cases, 256);
}
