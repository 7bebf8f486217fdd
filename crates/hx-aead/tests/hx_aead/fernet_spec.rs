//! The Fernet spec's acceptance vectors: generate, verify and invalid.

use hx_aead::{Error, Fernet, FernetKey, hazmat};
use serde::Deserialize;

use crate::{data, rfc3339};

#[derive(Deserialize)]
struct Generate {
    token: String,
    now: String,
    iv: Vec<u8>,
    src: String,
    secret: String,
}

#[derive(Deserialize)]
struct Verify {
    token: String,
    now: String,
    ttl_sec: u64,
    src: String,
    secret: String,
}

#[derive(Deserialize)]
struct Invalid {
    desc: String,
    token: String,
    now: String,
    ttl_sec: u64,
    secret: String,
}

#[test]
fn fernet_spec_generate() {
    let cases: Vec<Generate> = serde_json::from_str(&data("generate.json")).unwrap();
    assert_eq!(cases.len(), 1);
    for c in cases {
        let f = Fernet::new(&FernetKey::from_base64(&c.secret).unwrap()).unwrap();
        let iv: [u8; 16] = c.iv.try_into().unwrap();
        let token = hazmat::fernet_encrypt_with_iv(&f, c.src.as_bytes(), rfc3339(&c.now), &iv);
        assert_eq!(token, c.token);
    }
}

#[test]
fn fernet_spec_verify() {
    let cases: Vec<Verify> = serde_json::from_str(&data("verify.json")).unwrap();
    assert_eq!(cases.len(), 1);
    for c in cases {
        let f = Fernet::new(&FernetKey::from_base64(&c.secret).unwrap()).unwrap();
        let plain = f
            .decrypt_at_time(&c.token, Some(c.ttl_sec), rfc3339(&c.now))
            .unwrap();
        assert_eq!(&*plain, c.src.as_bytes());
        assert_eq!(
            f.extract_timestamp(&c.token).unwrap(),
            rfc3339("1985-10-26T01:20:00-07:00")
        );
    }
}

#[test]
fn fernet_spec_invalid() {
    let cases: Vec<Invalid> = serde_json::from_str(&data("invalid.json")).unwrap();
    assert_eq!(cases.len(), 8);
    for c in cases {
        let f = Fernet::new(&FernetKey::from_base64(&c.secret).unwrap()).unwrap();
        let result = f.decrypt_at_time(&c.token, Some(c.ttl_sec), rfc3339(&c.now));
        assert!(
            matches!(result, Err(Error::InvalidToken)),
            "{}: accepted",
            c.desc
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "invalid token",
            "{}",
            c.desc
        );
    }
}
