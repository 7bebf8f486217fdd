//! Properties: every bit flip, truncation or extension of a token is the one
//! `InvalidToken`; no input panics; round trips hold.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use hx_aead::{Error, Fernet, FernetKey, MultiFernet, hazmat};
use proptest::prelude::*;

fn fernet() -> Fernet {
    Fernet::new(&FernetKey::from_bytes(&[7u8; 32])).unwrap()
}

#[test]
fn every_bit_flip_of_a_short_token_is_invalid() {
    let f = fernet();
    let token = f.encrypt_at_time(b"short", 1_700_000_000).unwrap();
    let raw = URL_SAFE.decode(&token).unwrap();
    let mut flips = 0;
    for i in 0..raw.len() * 8 {
        let mut bad = raw.clone();
        bad[i / 8] ^= 1 << (i % 8);
        let result = f.decrypt_at_time(&URL_SAFE.encode(&bad), None, 1_700_000_000);
        assert!(
            matches!(result, Err(Error::InvalidToken)),
            "bit {i} flip accepted"
        );
        flips += 1;
    }
    assert_eq!(flips, raw.len() * 8);
    for cut in 0..raw.len() {
        let t = URL_SAFE.encode(&raw[..cut]);
        assert!(matches!(
            f.decrypt_at_time(&t, None, 1_700_000_000),
            Err(Error::InvalidToken)
        ));
    }
    let longer = URL_SAFE.encode([&raw[..], &[0u8]].concat());
    assert!(f.decrypt_at_time(&longer, None, 1_700_000_000).is_err());
    // Unpadded, whitespace or a wrong key are refused too.
    assert!(
        f.decrypt_at_time(token.trim_end_matches('='), None, 1_700_000_000)
            .is_err()
    );
    assert!(
        f.decrypt_at_time(&format!(" {token}"), None, 1_700_000_000)
            .is_err()
    );
    let other = Fernet::new(&FernetKey::from_bytes(&[8u8; 32])).unwrap();
    assert!(other.decrypt_at_time(&token, None, 1_700_000_000).is_err());
    assert!(
        other.extract_timestamp(&token).is_err(),
        "timestamp only after authentication"
    );
}

#[test]
fn time_checks_follow_the_spec() {
    let f = fernet();
    let t = 1_700_000_000;
    let token = f.encrypt_at_time(b"x", t).unwrap();
    assert!(f.decrypt_at_time(&token, Some(10), t + 10).is_ok());
    assert!(f.decrypt_at_time(&token, Some(10), t + 11).is_err());
    assert!(
        f.decrypt_at_time(&token, None, t - 60).is_ok(),
        "60 s of clock skew allowed"
    );
    assert!(
        f.decrypt_at_time(&token, None, t - 61).is_err(),
        "further future refused"
    );
    assert!(
        f.decrypt_at_time(&token, None, u64::MAX).is_ok(),
        "no TTL: no expiry"
    );
    let far = f.encrypt_at_time(b"x", u64::MAX).unwrap();
    assert!(
        f.decrypt_at_time(&far, Some(u64::MAX), u64::MAX).is_ok(),
        "no overflow"
    );
}

#[test]
fn multifernet_rotation_keeps_time_and_moves_to_the_first_key() {
    let (k1, k2) = (
        FernetKey::from_bytes(&[1; 32]),
        FernetKey::from_bytes(&[2; 32]),
    );
    let old = Fernet::new(&k1).unwrap();
    let token = old.encrypt_at_time(b"payload", 123_456).unwrap();
    let multi = MultiFernet::new(&[FernetKey::from_bytes(&[2; 32]), k1]).unwrap();
    let rotated = multi.rotate(&token).unwrap();
    let new = Fernet::new(&k2).unwrap();
    assert_eq!(new.extract_timestamp(&rotated).unwrap(), 123_456);
    assert_eq!(
        &*new.decrypt_at_time(&rotated, None, 123_456).unwrap(),
        b"payload"
    );
    assert!(old.decrypt_at_time(&rotated, None, 123_456).is_err());
    assert!(MultiFernet::new(&[]).is_err());
    assert!(
        format!("{multi:?} {new:?} {k2:?}")
            .matches("[REDACTED")
            .count()
            == 3
    );
}

#[test]
fn key_parsing_refuses_bad_keys_without_echoing_them() {
    for bad in [
        "",
        "short",
        &"A".repeat(43),
        &"A".repeat(45),
        "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4",
        "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",
    ] {
        let err = FernetKey::from_base64(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidKey(_)), "{bad:?}");
        assert!(bad.is_empty() || !err.to_string().contains(bad));
    }
    assert!(FernetKey::from_base64("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=\n").is_ok());
}

proptest! {
    #[test]
    fn round_trip(data in prop::collection::vec(any::<u8>(), 0..2000), t in 0u64..u64::MAX / 2) {
        let f = fernet();
        let token = f.encrypt_at_time(&data, t).unwrap();
        prop_assert_eq!(&*f.decrypt_at_time(&token, None, t).unwrap(), &data[..]);
        prop_assert_eq!(f.extract_timestamp(&token).unwrap(), t);
    }

    #[test]
    fn arbitrary_tokens_never_panic(text in ".{0,300}") {
        prop_assert!(fernet().decrypt(&text, Some(60)).is_err());
        let _ = FernetKey::from_base64(&text);
    }

    #[test]
    fn arbitrary_bytes_as_tokens_never_panic(raw in prop::collection::vec(any::<u8>(), 0..200)) {
        prop_assert!(fernet().decrypt(&URL_SAFE.encode(&raw), None).is_err());
    }

    #[test]
    fn hazmat_never_panics(key in prop::collection::vec(any::<u8>(), 0..40), nonce in prop::collection::vec(any::<u8>(), 0..30), ct in prop::collection::vec(any::<u8>(), 0..100)) {
        let iv = [0u8; 16];
        let _ = hazmat::aes_cbc_pkcs7_decrypt(&key, &iv, &ct);
        let _ = hazmat::chacha_open(hazmat::ChaChaVariant::XChaCha20Poly1305, &key, &nonce, b"", &ct);
        let _ = hazmat::chacha_open(hazmat::ChaChaVariant::ChaCha20Poly1305, &key, &nonce, b"", &ct);
    }
}
