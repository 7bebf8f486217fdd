//! Bad input: malformed keys, wrong key types, truncated or altered
//! ciphertexts, wrong `info`, low-order points, oversized messages — typed
//! errors, one opaque error for any decryption failure, no panics
//! (property tests).

use hx_kex::hpke::{self, Psk};
use hx_kex::x25519::{self, StaticSecret};
use hx_kex::{Error, PrivateKey, PublicKey, rsa_oaep, xwing};
use hx_keys::Algorithm;
use proptest::prelude::*;

fn x_key() -> &'static PrivateKey {
    static K: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    K.get_or_init(|| PrivateKey::X25519(StaticSecret::from_bytes(&[9; 32])))
}

fn w_key() -> &'static PrivateKey {
    static K: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    K.get_or_init(|| PrivateKey::XWing(xwing::PrivateKey::from_seed(&[7; 32]).unwrap()))
}

fn r_key() -> &'static PrivateKey {
    static K: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    K.get_or_init(|| PrivateKey::generate(Algorithm::Rsa { bits: 2048 }).unwrap())
}

#[test]
fn pem_round_trips() {
    for key in [x_key(), w_key(), r_key()] {
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = PrivateKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(again.algorithm(), key.algorithm());
        let public_pem = key.public_key().unwrap().to_pem().unwrap();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(again.public_key().unwrap().to_pem().unwrap(), public_pem);
        let ct = PublicKey::from_pem(public_pem.as_bytes())
            .unwrap()
            .encrypt(b"i", b"m")
            .unwrap();
        assert_eq!(&again.decrypt(b"i", &ct).unwrap()[..], b"m");
    }
    // RFC 8410 §10.3 X25519 example public key and OpenSSL's layout.
    let k = StaticSecret::from_bytes(&[0x77; 32]);
    let der = k.to_pkcs8_der().unwrap();
    assert_eq!(hex::encode(&der[..16]), "302e020100300506032b656e04220420");
    assert_eq!(der.len(), 48);
    assert_eq!(
        hex::encode(&k.public_key().to_spki_der().unwrap()[..12]),
        "302a300506032b656e032100"
    );
}

#[test]
fn one_opaque_error_for_every_bad_ciphertext() {
    for key in [x_key(), w_key(), r_key()] {
        let public = key.public_key().unwrap();
        let ct = public.encrypt(b"info", b"attack at dawn").unwrap();
        // Every single-bit flip, in a sample of positions across the whole ciphertext.
        for pos in (0..ct.len()).step_by(7) {
            let mut bad = ct.clone();
            bad[pos] ^= 0x10;
            assert!(
                matches!(key.decrypt(b"info", &bad), Err(Error::InvalidCiphertext)),
                "{:?} byte {pos}",
                key.algorithm()
            );
        }
        for cut in [0, 1, ct.len() / 2, ct.len() - 1] {
            assert!(matches!(
                key.decrypt(b"info", &ct[..cut]),
                Err(Error::InvalidCiphertext)
            ));
        }
        let mut longer = ct.clone();
        longer.push(0);
        assert!(matches!(
            key.decrypt(b"info", &longer),
            Err(Error::InvalidCiphertext)
        ));
        assert!(matches!(
            key.decrypt(b"other", &ct),
            Err(Error::InvalidCiphertext)
        ));
        assert_eq!(Error::InvalidCiphertext.to_string(), "invalid ciphertext");
    }
    // A ciphertext for one key does not open under another of the same kind.
    let other = PrivateKey::X25519(StaticSecret::from_bytes(&[10; 32]));
    let ct = x_key().public_key().unwrap().encrypt(b"", b"m").unwrap();
    assert!(matches!(
        other.decrypt(b"", &ct),
        Err(Error::InvalidCiphertext)
    ));
}

#[test]
fn low_order_points_and_lengths() {
    // The all-zero and order-2..8 u-coordinates give an all-zero secret.
    let k = StaticSecret::from_bytes(&[3; 32]);
    for u in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let p = x25519::PublicKey::from_bytes(&u).unwrap();
        assert!(matches!(k.agree(&p), Err(Error::NonContributory)));
        assert!(matches!(
            x25519::client_session_keys(&k, &p),
            Err(Error::NonContributory)
        ));
        // HPKE to a low-order key refuses too (no panic).
        assert!(hpke::seal(&hpke::PublicKey::X25519(p), b"", b"", b"m").is_err());
    }
    assert!(matches!(
        x25519::PublicKey::from_bytes(&[0; 31]),
        Err(Error::InvalidKey(_))
    ));
    assert!(matches!(
        xwing::PublicKey::from_bytes(&[0; 1215]),
        Err(Error::InvalidKey(_))
    ));
    let shared = k
        .agree(&StaticSecret::from_bytes(&[4; 32]).public_key())
        .unwrap();
    assert!(matches!(
        shared.derive(b"", 0),
        Err(Error::InvalidLength(_))
    ));
    assert!(matches!(
        shared.derive(b"", 8161),
        Err(Error::InvalidLength(_))
    ));
    assert_eq!(shared.derive(b"", 8160).unwrap().len(), 8160);
    assert_ne!(
        *shared.derive(b"a", 32).unwrap(),
        *shared.derive(b"b", 32).unwrap()
    );
}

#[test]
fn rsa_oaep_limits() {
    let PrivateKey::Rsa(key) = r_key() else {
        panic!()
    };
    let public = key.encryption_key();
    assert_eq!(public.max_message_len(), 256 - 66);
    assert!(public.encrypt(&[0; 190], None).is_ok());
    assert!(matches!(
        public.encrypt(&[0; 191], None),
        Err(Error::MessageTooLong { max: 190 })
    ));
    assert!(matches!(
        rsa_oaep::DecryptionKey::generate(1024),
        Err(Error::InvalidKey(_))
    ));
    // Label binds: a ciphertext with one label does not open with another.
    let ct = public.encrypt(b"m", Some(b"label")).unwrap();
    assert!(matches!(
        key.decrypt(&ct, Some(b"other")),
        Err(Error::InvalidCiphertext)
    ));
    assert!(matches!(
        key.decrypt(&ct, None),
        Err(Error::InvalidCiphertext)
    ));
    assert_eq!(&key.decrypt(&ct, Some(b"label")).unwrap()[..], b"m");
}

#[test]
fn wrong_key_types_are_typed() {
    // An Ed25519 key pair (RFC 8410's example), through hx-keys alone:
    // hx-kex does not depend on hx-sign, not even to test.
    let seed = [0x04, 0x20]
        .iter()
        .chain(&[7u8; 32])
        .copied()
        .collect::<Vec<u8>>();
    let ed_pkcs8 = hx_keys::keyfile::encode_pkcs8(Algorithm::Ed25519, &seed).unwrap();
    let ed_pem = hx_keys::keyfile::private_pem(&ed_pkcs8);
    assert!(matches!(
        PrivateKey::from_pem(ed_pem.as_bytes()),
        Err(Error::KeyFile(hx_keys::Error::WrongKeyType {
            found: Algorithm::Ed25519,
            ..
        }))
    ));
    let ed_spki = hx_keys::keyfile::encode_spki(Algorithm::Ed25519, &[9u8; 32]).unwrap();
    assert!(matches!(
        PublicKey::from_pem(hx_keys::keyfile::public_pem(&ed_spki).as_bytes()),
        Err(Error::KeyFile(hx_keys::Error::WrongKeyType { .. }))
    ));
    // X25519 reader given an X-Wing key and the reverse.
    let w_pem = w_key().to_pem().unwrap();
    assert!(matches!(
        StaticSecret::from_pem(w_pem.as_bytes()),
        Err(Error::KeyFile(_))
    ));
    let x_pem = x_key().to_pem().unwrap();
    assert!(matches!(
        xwing::PrivateKey::from_pem(x_pem.as_bytes()),
        Err(Error::KeyFile(_))
    ));
    // Public for private and the reverse.
    let x_pub = x_key().public_key().unwrap().to_pem().unwrap();
    assert!(matches!(
        PrivateKey::from_pem(x_pub.as_bytes()),
        Err(Error::InvalidKey(_))
    ));
    assert!(matches!(
        PublicKey::from_pem(x_pem.as_bytes()),
        Err(Error::InvalidKey(_))
    ));
    // X-Wing has no authenticated mode: an error, not the hpke crate's panic.
    let sender = StaticSecret::from_bytes(&[1; 32]);
    assert!(matches!(
        hpke::sender_with_mode(
            &w_key().public_key().unwrap().into_hpke(),
            b"",
            None,
            Some(&sender)
        ),
        Err(Error::InvalidKey(_))
    ));
    // Short PSKs are refused.
    let short = Psk {
        key: &[0; 16],
        id: b"id",
    };
    assert!(matches!(
        hpke::sender_with_mode(
            &x_key().public_key().unwrap().into_hpke(),
            b"",
            Some(short),
            None
        ),
        Err(Error::InvalidKey(_))
    ));
    // Debug never shows secrets.
    let debug = format!("{:?} {:?} {:?}", x_key(), w_key(), r_key());
    assert_eq!(debug.matches("[REDACTED]").count(), 3, "{debug}");
}

trait IntoHpke {
    fn into_hpke(self) -> hpke::PublicKey;
}

impl IntoHpke for PublicKey {
    fn into_hpke(self) -> hpke::PublicKey {
        match self {
            PublicKey::X25519(k) => hpke::PublicKey::X25519(k),
            PublicKey::XWing(k) => hpke::PublicKey::XWing(k),
            _ => panic!("no HPKE for RSA"),
        }
    }
}

#[test]
fn streams_detect_damage() {
    let PrivateKey::X25519(k) = x_key() else {
        panic!()
    };
    let identity = hpke::PrivateKey::X25519(StaticSecret::from_bytes(&k.to_bytes()));
    let data = vec![5u8; 150_000];
    let mut sealed = Vec::new();
    hpke::seal_stream(&identity.public_key(), b"i", &data[..], &mut sealed).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        hpke::open_stream(&identity, b"i", &sealed[..], &mut out).unwrap(),
        150_000
    );
    assert_eq!(out, data);
    for pos in [0, 7, 8, 50, 100, sealed.len() / 2, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[pos] ^= 1;
        assert!(
            matches!(
                hpke::open_stream(&identity, b"i", &bad[..], &mut Vec::new()),
                Err(Error::InvalidCiphertext)
            ),
            "byte {pos}"
        );
    }
    assert!(hpke::open_stream(&identity, b"j", &sealed[..], &mut Vec::new()).is_err());
    assert!(
        hpke::open_stream(
            &identity,
            b"i",
            &sealed[..sealed.len() - 10],
            &mut Vec::new()
        )
        .is_err()
    );
    assert!(hpke::open_stream(&identity, b"i", &sealed[..20], &mut Vec::new()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_ciphertexts_never_open(bytes in proptest::collection::vec(any::<u8>(), 0..1400)) {
        for key in [x_key(), w_key(), r_key()] {
            prop_assert!(matches!(key.decrypt(b"", &bytes), Err(Error::InvalidCiphertext)));
        }
    }

    #[test]
    fn arbitrary_key_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let _ = PrivateKey::from_pem(&bytes);
        let _ = PublicKey::from_pem(&bytes);
        let _ = xwing::PublicKey::from_bytes(&bytes);
        let _ = x25519::PublicKey::from_spki_der(&bytes);
        let _ = xwing::PrivateKey::from_pkcs8_der(&bytes);
    }

    #[test]
    fn mutated_key_documents_never_panic(which in 0usize..6, pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let keys = [x_key(), w_key(), r_key()];
        let key = keys[which / 2];
        let pem = if which % 2 == 0 { key.to_pem().unwrap().to_string() } else { key.public_key().unwrap().to_pem().unwrap() };
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        let mut der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
        let i = pos.index(der.len());
        der[i] = byte;
        if which % 2 == 0 {
            if let Ok(k) = PrivateKey::from_pem(&der) {
                let ct = k.public_key().unwrap().encrypt(b"", b"x").unwrap();
                prop_assert_eq!(&k.decrypt(b"", &ct).unwrap()[..], b"x");
            }
        } else {
            let _ = PublicKey::from_pem(&der);
        }
    }
}
