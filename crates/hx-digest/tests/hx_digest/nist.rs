//! NIST CAVP SHA3-256 short messages (136 cases, Len 8..=1088 bits).

use hx_digest::{Algorithm, Hasher, hash};

use crate::{data, unhex};

#[test]
fn nist_cavp_sha3_256_short_msg() {
    let text = data("SHA3_256ShortMsg.rsp");
    let mut cases = 0;
    let mut len_bits = None;
    let mut msg = None;
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match name.trim() {
            "Len" => len_bits = Some(value.parse::<usize>().unwrap()),
            "Msg" => msg = Some(unhex(value)),
            "MD" => {
                let bytes = len_bits.take().unwrap() / 8;
                let full = msg.take().unwrap();
                let m = &full[..bytes];
                assert_eq!(
                    hash(Algorithm::Sha3_256, m).to_hex(),
                    value,
                    "Len = {}",
                    bytes * 8
                );
                // Byte-at-a-time streaming gives the same digest.
                let mut h = Hasher::new(Algorithm::Sha3_256);
                m.iter().for_each(|b| h.update(&[*b]));
                assert_eq!(h.finalize().to_hex(), value);
                cases += 1;
            }
            _ => {}
        }
    }
    assert_eq!(cases, 136);
}
