//! Project Wycheproof: HMAC-SHA256, HMAC-SHA3-256 and HKDF-SHA256, valid and
//! invalid cases.

use hx_digest::{HkdfAlgorithm, HmacAlgorithm, HmacKey, hkdf};
use serde::Deserialize;

use crate::unhex;

use hx_test_support::wycheproof::{self, Expect};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacGroup {
    tag_size: usize,
    tests: Vec<MacCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacCase {
    tc_id: u32,
    comment: String,
    key: String,
    msg: String,
    tag: String,
    result: Expect,
}

fn check_mac_file(name: &str, alg: HmacAlgorithm, expected_cases: usize) {
    let file: wycheproof::File<MacGroup> = wycheproof::load(env!("CARGO_MANIFEST_DIR"), name);
    assert_eq!(file.number_of_tests, expected_cases);
    let (mut valid, mut invalid) = (0, 0);
    for group in &file.test_groups {
        let truncated = group.tag_size / 8 < alg.output_len();
        for case in &group.tests {
            let id = format!("{name} tcId {} ({})", case.tc_id, case.comment);
            let key = HmacKey::new(alg, &unhex(&case.key)).unwrap();
            let msg = unhex(&case.msg);
            let tag = unhex(&case.tag);
            let verdict = if truncated {
                key.verify_truncated(&msg, &tag)
            } else {
                key.verify(&msg, &tag)
            };
            match case.result {
                Expect::Valid => {
                    valid += 1;
                    assert!(verdict.is_ok(), "{id}: valid tag rejected");
                    let full = key.sign(&msg);
                    assert_eq!(&full.as_bytes()[..tag.len()], &tag[..], "{id}: wrong tag");
                    // The streaming form agrees with the one-shot one.
                    let mut s = key.start();
                    for chunk in msg.chunks(7) {
                        s.update(chunk);
                    }
                    assert_eq!(s.finalize(), full, "{id}: streaming differs");
                }
                Expect::Invalid => {
                    invalid += 1;
                    assert!(
                        matches!(verdict, Err(hx_digest::Error::VerificationFailed)),
                        "{id}: invalid tag accepted"
                    );
                }
                Expect::Acceptable => panic!("{id}: no acceptable cases expected"),
            }
        }
    }
    assert_eq!(valid + invalid, expected_cases, "{name}: cases run");
    assert!(invalid > 0 && valid > 0);
}

#[test]
fn hmac_sha256() {
    check_mac_file("hmac_sha256_test.json", HmacAlgorithm::Sha256, 174);
}

#[test]
fn hmac_sha3_256() {
    check_mac_file("hmac_sha3_256_test.json", HmacAlgorithm::Sha3_256, 174);
}

#[derive(Deserialize)]
struct HkdfGroup {
    tests: Vec<HkdfCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HkdfCase {
    tc_id: u32,
    comment: String,
    ikm: String,
    salt: String,
    info: String,
    size: usize,
    okm: String,
    result: Expect,
}

#[test]
fn hkdf_sha256() {
    let file: wycheproof::File<HkdfGroup> =
        wycheproof::load(env!("CARGO_MANIFEST_DIR"), "hkdf_sha256_test.json");
    let mut run = 0;
    let mut rejected = 0;
    for case in file.test_groups.iter().flat_map(|g| &g.tests) {
        run += 1;
        let id = format!("tcId {} ({})", case.tc_id, case.comment);
        let salt = unhex(&case.salt);
        let out = hkdf(
            HkdfAlgorithm::Sha256,
            Some(&salt),
            &unhex(&case.ikm),
            &unhex(&case.info),
            case.size,
        );
        match case.result {
            Expect::Valid => assert_eq!(hex::encode(&*out.unwrap()), case.okm, "{id}"),
            Expect::Invalid => {
                rejected += 1;
                assert!(
                    matches!(out, Err(hx_digest::Error::InvalidLength { .. })),
                    "{id}: invalid size accepted"
                );
            }
            Expect::Acceptable => panic!("{id}: no acceptable cases expected"),
        }
    }
    assert_eq!(run, file.number_of_tests);
    assert_eq!(rejected, 3);
}
