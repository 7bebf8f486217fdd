//! Property tests: streaming equals one-shot, parameters out of range give
//! typed errors, and no input makes any function panic.

use std::io::Write;

use hx_digest::{
    Algorithm, Blake2Params, Blake2b, Blake2s, Digest, Error, HkdfAlgorithm, HmacAlgorithm,
    HmacKey, Prk, Tag, ct_eq, hash, hash_reader, hkdf,
};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

proptest! {
    #[test]
    fn streaming_equals_one_shot(alg in algorithm(), data in prop::collection::vec(any::<u8>(), 0..3000), cuts in prop::collection::vec(0usize..3000, 0..6)) {
        let mut h = hx_digest::Hasher::new(alg);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        cuts.sort_unstable();
        let mut last = 0;
        for c in cuts.into_iter().chain([data.len()]) {
            h.write_all(&data[last..c]).unwrap();
            last = c;
        }
        let one_shot = hash(alg, &data);
        prop_assert_eq!(one_shot.len(), alg.output_len());
        prop_assert_eq!(&h.finalize(), &one_shot);
        prop_assert_eq!(&hash_reader(alg, &data[..]).unwrap(), &one_shot);
    }

    #[test]
    fn ct_eq_matches_slice_eq(a in prop::collection::vec(any::<u8>(), 0..64), b in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(ct_eq(&a, &b), a == b);
        prop_assert!(ct_eq(&a, &a));
    }

    #[test]
    fn blake2_params_never_panic(out in 0usize..80, key in 0usize..80, salt in 0usize..20, persona in 0usize..20, data in prop::collection::vec(any::<u8>(), 0..300)) {
        let (k, s, p) = (vec![1u8; key], vec![2u8; salt], vec![3u8; persona]);
        let params = Blake2Params::new(out).key(&k).salt(&s).persona(&p);
        match Blake2b::new(&params) {
            Ok(mut h) => { h.update(&data); prop_assert_eq!(h.finalize().len(), out); }
            Err(e) => {
                let expected = out == 0 || out > 64 || key > 64 || salt > 16 || persona > 16;
                let typed = matches!(e, Error::InvalidLength { .. });
                prop_assert!(typed && expected);
            }
        }
        match Blake2s::new(&params) {
            Ok(mut h) => { h.update(&data); prop_assert_eq!(h.finalize().len(), out); }
            Err(e) => {
                let expected = out == 0 || out > 32 || key > 32 || salt > 8 || persona > 8;
                let typed = matches!(e, Error::InvalidLength { .. });
                prop_assert!(typed && expected);
            }
        }
    }

    #[test]
    fn hmac_verify_rejects_any_change(key in prop::collection::vec(any::<u8>(), 0..200), msg in prop::collection::vec(any::<u8>(), 0..200), flip in any::<prop::sample::Index>(), alg in prop::sample::select(HmacAlgorithm::ALL.to_vec())) {
        let k = HmacKey::new(alg, &key).unwrap();
        let tag = k.sign(&msg);
        prop_assert_eq!(tag.len(), alg.output_len());
        prop_assert!(k.verify(&msg, tag.as_bytes()).is_ok());
        let mut bad = tag.as_bytes().to_vec();
        let i = flip.index(bad.len());
        bad[i] ^= 1;
        prop_assert!(matches!(k.verify(&msg, &bad), Err(Error::VerificationFailed)));
        prop_assert!(k.verify(&msg, &tag.as_bytes()[..tag.len() - 1]).is_err());
        prop_assert!(k.verify_truncated(&msg, &tag.as_bytes()[..15]).is_err());
        prop_assert!(k.verify_truncated(&msg, &tag.as_bytes()[..16]).is_ok());
    }

    #[test]
    fn hkdf_lengths_never_panic(len in 0usize..20_000, alg in prop::sample::select(vec![HkdfAlgorithm::Sha256, HkdfAlgorithm::Sha512])) {
        let out = hkdf(alg, None, b"ikm", b"info", len);
        if (1..=alg.max_output_len()).contains(&len) {
            prop_assert_eq!(out.unwrap().len(), len);
        } else {
            prop_assert!(matches!(out, Err(Error::InvalidLength { .. })), "len {}", len);
        }
    }

    #[test]
    fn output_decoders_never_panic(text in ".{0,200}") {
        let _ = Digest::from_hex(&text);
        let _ = Digest::from_base64(&text);
        let _ = Tag::from_hex(&text);
        let _ = text.parse::<Algorithm>();
        let _ = text.parse::<HmacAlgorithm>();
    }

    #[test]
    fn prk_from_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let r = Prk::from_bytes(HkdfAlgorithm::Sha256, &bytes);
        prop_assert_eq!(r.is_ok(), (32..=64).contains(&bytes.len()));
    }
}

#[test]
fn encodings_round_trip() {
    let d = hash(Algorithm::Sha256, b"abc");
    assert_eq!(Digest::from_hex(&d.to_hex()).unwrap(), d);
    assert_eq!(Digest::from_base64(&d.to_base64()).unwrap(), d);
    assert_eq!(
        d.to_base64(),
        "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
    assert_eq!(
        d.to_base64url(),
        "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
    );
    assert_eq!(format!("{d}"), d.to_hex());
}

#[test]
fn secrets_are_redacted_in_debug() {
    let key = HmacKey::new(HmacAlgorithm::Sha256, b"super secret key").unwrap();
    let shown = format!("{key:?} {:?} {:?}", key.sign(b"m"), key.start());
    assert!(shown.contains("[REDACTED]"));
    assert!(!shown.contains("super"));
    let prk = Prk::extract(HkdfAlgorithm::Sha256, None, b"ikm");
    let shown = format!("{prk:?}");
    assert!(!shown.contains(&hex::encode(prk.expose_secret())[..8]));
    assert!(shown.contains("[REDACTED]"));
}

#[test]
fn unknown_algorithm_lists_valid_names() {
    let err = "md5".parse::<Algorithm>().unwrap_err().to_string();
    for name in Algorithm::NAMES {
        assert!(err.contains(name), "{err}");
    }
    assert_eq!("SHA256".parse::<Algorithm>().unwrap(), Algorithm::Sha256);
}

#[test]
fn missing_file_names_path_and_reason() {
    let err = hx_digest::hash_file(Algorithm::Sha256, "/nonexistent/hx-test").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("/nonexistent/hx-test") && msg.contains("No such file"),
        "{msg}"
    );
}

#[test]
fn hash_file_matches_one_shot_across_buffer_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    for len in [
        0,
        1,
        hx_digest::READ_BUFFER_LEN - 1,
        hx_digest::READ_BUFFER_LEN,
        2 * hx_digest::READ_BUFFER_LEN + 7,
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let path = dir.path().join(format!("f{len}"));
        std::fs::write(&path, &data).unwrap();
        for alg in [Algorithm::Sha256, Algorithm::Blake3, Algorithm::Blake2b256] {
            assert_eq!(
                hx_digest::hash_file(alg, &path).unwrap(),
                hash(alg, &data),
                "{alg} len {len}"
            );
        }
    }
}
