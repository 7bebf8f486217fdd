//! Sealed tokens and the keyring: round trips, binding, time, rotation,
//! usage counts, documents; every failure is the one `InvalidToken`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hx_aead::{
    Error, Fernet, FernetKey, KeyKind, KeyState, Keyring, MAX_CLOCK_SKEW, MasterKey, TOKEN_PREFIX,
};
use proptest::prelude::*;

const T: u64 = 1_800_000_000;

fn invalid<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::InvalidToken))
}

#[test]
fn seal_open_binds_context_and_time() {
    let ring = Keyring::generate().unwrap();
    let token = ring.seal_at(b"payload", b"ctx", T).unwrap();
    assert!(token.starts_with(TOKEN_PREFIX));
    assert_eq!(
        &*ring.open_at(&token, b"ctx", Some(10), T + 10).unwrap(),
        b"payload"
    );
    assert!(
        invalid(ring.open_at(&token, b"ctx", Some(10), T + 11)),
        "expired"
    );
    assert!(
        invalid(ring.open_at(&token, b"ctx2", None, T)),
        "wrong context"
    );
    assert!(
        invalid(ring.open_at(&token, b"", None, T)),
        "missing context"
    );
    assert!(
        ring.open_at(&token, b"ctx", None, T - MAX_CLOCK_SKEW)
            .is_ok(),
        "skew allowed"
    );
    assert!(
        invalid(ring.open_at(&token, b"ctx", None, T - MAX_CLOCK_SKEW - 1)),
        "future"
    );
    assert_eq!(ring.extract_timestamp(&token, b"ctx").unwrap(), T);
    assert!(
        invalid(ring.extract_timestamp(&token, b"other")),
        "timestamp only after authentication"
    );
    let other = Keyring::generate().unwrap();
    assert!(
        invalid(other.open_at(&token, b"ctx", None, T)),
        "unknown key id"
    );
    let empty = ring.seal_at(b"", b"", T).unwrap();
    assert_eq!(ring.open_at(&empty, b"", None, T).unwrap().len(), 0);
}

#[test]
fn every_bit_flip_truncation_and_extension_is_invalid() {
    let ring = Keyring::generate().unwrap();
    let token = ring.seal_at(b"short", b"c", T).unwrap();
    let raw = URL_SAFE_NO_PAD
        .decode(&token[TOKEN_PREFIX.len()..])
        .unwrap();
    let text = |raw: &[u8]| format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    for bit in 0..raw.len() * 8 {
        let mut bad = raw.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let r = ring.open_at(&text(&bad), b"c", None, T);
        assert!(invalid(r), "bit {bit}");
    }
    for cut in 0..raw.len() {
        assert!(
            invalid(ring.open_at(&text(&raw[..cut]), b"c", None, T)),
            "cut {cut}"
        );
    }
    assert!(invalid(ring.open_at(
        &text(&[&raw[..], &[0]].concat()),
        b"c",
        None,
        T
    )));
    for bad in [
        "",
        "hx1.",
        "hx1.!!!!",
        "hx2.",
        &token.replacen("hx1.", "hx2.", 1),
        &token[1..],
        &format!("{token}="),
    ] {
        let r = ring.open_at(bad, b"c", None, T);
        assert!(invalid(r), "{bad:?}");
    }
    let msg = ring
        .open_at("hx1.AAAA", b"c", None, T)
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "invalid token");
}

#[test]
fn rotation_lifecycle() {
    let mut ring = Keyring::generate().unwrap();
    let first = ring.primary_id();
    let old = ring.seal_at(b"data", b"c", T).unwrap();
    let second = ring.add().unwrap();
    assert_eq!(ring.primary_id(), first, "add does not promote");
    assert_eq!(
        ring.rotate(&old, b"c").unwrap(),
        old,
        "tokens under the primary are untouched"
    );
    ring.promote(second).unwrap();
    let states: Vec<_> = ring.list().iter().map(|k| (k.id, k.state)).collect();
    assert!(
        states.contains(&(first, KeyState::Active))
            && states.contains(&(second, KeyState::Primary))
    );
    let rotated = ring.rotate(&old, b"c").unwrap();
    assert_ne!(rotated, old);
    assert_eq!(
        ring.extract_timestamp(&rotated, b"c").unwrap(),
        T,
        "timestamp kept"
    );
    assert_eq!(ring.rotate(&rotated, b"c").unwrap(), rotated);
    let usage = ring.usage(
        [old.as_str(), rotated.as_str(), rotated.as_str(), "junk"],
        b"c",
    );
    assert_eq!(usage.by_key.get(&first), Some(&1));
    assert_eq!(usage.by_key.get(&second), Some(&2));
    assert_eq!(usage.invalid, 1);
    assert!(
        matches!(ring.retire(second), Err(Error::Keyring(_))),
        "primary cannot retire"
    );
    ring.retire(first).unwrap();
    assert!(
        invalid(ring.open_at(&old, b"c", None, T)),
        "retired keys open nothing"
    );
    assert!(matches!(ring.promote(first), Err(Error::Keyring(_))));
    assert!(matches!(ring.promote(12345), Err(Error::Keyring(_))));
    let third = ring.rotate_primary().unwrap();
    assert_eq!(ring.primary_id(), third);
    assert_eq!(&*ring.open_at(&rotated, b"c", None, T).unwrap(), b"data");
}

#[test]
fn fernet_tokens_migrate_through_a_legacy_key() {
    let fkey = FernetKey::generate().unwrap();
    let ftoken = Fernet::new(&fkey)
        .unwrap()
        .encrypt_at_time(b"legacy", T)
        .unwrap();
    let mut ring = Keyring::generate().unwrap();
    let legacy = ring.add_fernet_legacy(fkey).unwrap();
    assert!(
        ring.list()
            .iter()
            .any(|k| k.id == legacy && k.kind == KeyKind::FernetLegacy)
    );
    assert!(
        matches!(ring.promote(legacy), Err(Error::Keyring(_))),
        "legacy keys only decrypt"
    );
    // Fernet tokens carry no context: `open` and `rotate` refuse them; only
    // the explicit legacy calls take them.
    assert!(invalid(ring.open_at(&ftoken, b"", None, T)));
    assert!(invalid(
        ring.rotate(&ftoken, b"ctx").map(String::into_bytes)
    ));
    let migrated = ring.rotate_fernet(&ftoken, b"ctx").unwrap();
    assert!(migrated.starts_with(TOKEN_PREFIX));
    assert_eq!(
        &*ring.open_at(&migrated, b"ctx", None, T).unwrap(),
        b"legacy"
    );
    assert_eq!(ring.extract_timestamp(&migrated, b"ctx").unwrap(), T);
    assert!(
        invalid(ring.open_at(&migrated, b"other", None, T)),
        "bound to the context given"
    );
    assert_eq!(&*ring.open_fernet_at(&ftoken, None, T).unwrap(), b"legacy");
    assert!(
        invalid(ring.open_fernet_at(&ftoken, Some(60), T + 61)),
        "Fernet TTL applies"
    );
    assert!(
        invalid(ring.open_fernet_at(&migrated, None, T)),
        "hx tokens are not Fernet tokens"
    );
    ring.retire(legacy).unwrap();
    assert!(invalid(ring.open_fernet_at(&ftoken, None, T)));
    assert!(invalid(
        ring.rotate_fernet(&ftoken, b"ctx").map(String::into_bytes)
    ));
}

#[test]
fn documents_round_trip_and_reject_damage_precisely() {
    let mut ring = Keyring::generate().unwrap();
    let a = ring.add().unwrap();
    ring.add_fernet_legacy(FernetKey::generate().unwrap())
        .unwrap();
    ring.retire(a).unwrap();
    let token = ring.seal_at(b"x", b"", T).unwrap();
    let doc = ring.to_document();
    let back = Keyring::from_document(&doc).unwrap();
    assert_eq!(back.list(), ring.list());
    assert_eq!(back.primary_id(), ring.primary_id());
    assert_eq!(&*back.open_at(&token, b"", None, T).unwrap(), b"x");

    // Damage: a changed digit fails the checksum; the message has no key bytes.
    let key_field = doc
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let damaged = doc.replacen(&key_field[..10], "AAAAAAAAAA", 1);
    let err = Keyring::from_document(&damaged).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    assert!(!err.to_string().contains(&key_field[..10]));
    for (text, needle) in [
        ("", "checksum"),
        ("hx-keyring 2\n", "version"),
        ("nonsense\n", "not an hx keyring"),
        (
            "hx-keyring 1\nkey 1 primary xchacha20poly1305 0 short\n",
            "base64url",
        ),
        (
            "hx-keyring 1\nkey x primary xchacha20poly1305 0 AAAA\n",
            "id",
        ),
        (
            "hx-keyring 1\nkey 1 boss xchacha20poly1305 0 AAAA\n",
            "state",
        ),
        ("hx-keyring 1\n", "no primary"),
    ] {
        let with_sum = if text.is_empty() {
            String::new()
        } else {
            let sum = hx_digest::hash(hx_digest::Algorithm::Sha256, text.as_bytes()).to_hex();
            format!("{text}checksum sha256:{sum}\n")
        };
        let err = Keyring::from_document(&with_sum).unwrap_err();
        assert!(matches!(err, Error::Document { .. }), "{text:?}");
        assert!(err.to_string().contains(needle), "{text:?}: {err}");
    }
    assert!(!format!("{ring:?}").contains(&key_field));

    let master = MasterKey::generate().unwrap();
    let sealed = ring.to_sealed_document(&master).unwrap();
    assert!(Keyring::is_sealed_document(&sealed) && !sealed.contains(&key_field));
    assert_eq!(
        Keyring::from_sealed_document(&sealed, &master)
            .unwrap()
            .list(),
        ring.list()
    );
    let wrong = MasterKey::generate().unwrap();
    assert!(invalid(Keyring::from_sealed_document(&sealed, &wrong)));
    assert!(matches!(
        Keyring::from_sealed_document(&doc, &master),
        Err(Error::Document { .. })
    ));
    assert!(MasterKey::from_base64(&master.to_base64()).is_ok());
    assert!(MasterKey::from_base64("short").is_err());
}

/// The binary token under its three openers: `open_bytes` (borrowed),
/// `open_bytes_in_place` and the text form carrying the same bytes.
#[test]
fn binary_tokens_open_borrowed_and_in_place_alike() {
    let ring = Keyring::generate().unwrap();
    let secret = b"the quick brown fox jumps over the lazy dog";
    let token = ring.seal_bytes(secret, b"row=7").unwrap();
    assert_eq!(
        &*ring.open_bytes(&token, b"row=7", Some(60)).unwrap(),
        secret
    );
    let mut buf = token.clone();
    assert_eq!(
        ring.open_bytes_in_place(&mut buf, b"row=7", Some(60))
            .unwrap(),
        secret
    );
    let text = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(&token));
    assert_eq!(&*ring.open(&text, b"row=7", Some(60)).unwrap(), secret);

    // No failure leaves plaintext in the caller's buffer: a wrong context
    // wipes the decrypted body, and so does every flipped bit or cut.
    let leaks = |buf: &[u8]| buf.windows(secret.len()).any(|w| w == secret);
    let mut buf = token.clone();
    assert!(invalid(ring.open_bytes_in_place(&mut buf, b"row=8", None)));
    assert!(buf[37..buf.len() - 16].iter().all(|&b| b == 0), "wiped");
    for bit in 0..token.len() * 8 {
        let mut bad = token.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(invalid(ring.open_bytes(&bad, b"row=7", None)), "bit {bit}");
        assert!(
            invalid(ring.open_bytes_in_place(&mut bad, b"row=7", None)),
            "bit {bit}"
        );
        assert!(!leaks(&bad), "bit {bit} left plaintext behind");
    }
    for cut in 0..token.len() {
        let mut bad = token[..cut].to_vec();
        assert!(invalid(ring.open_bytes(&bad, b"row=7", None)), "cut {cut}");
        assert!(invalid(ring.open_bytes_in_place(&mut bad, b"row=7", None)));
    }

    // An authentic but expired token is refused and wiped too.
    let old = ring.seal_at(secret, b"", 1_000_000_000).unwrap();
    let old = URL_SAFE_NO_PAD.decode(&old[TOKEN_PREFIX.len()..]).unwrap();
    let mut buf = old.clone();
    assert_eq!(
        ring.open_bytes_in_place(&mut buf, b"", None).unwrap(),
        secret
    );
    let mut buf = old.clone();
    assert!(invalid(ring.open_bytes_in_place(&mut buf, b"", Some(3600))));
    assert!(!leaks(&buf), "expired plaintext left behind");
}

#[test]
fn opening_does_not_depend_on_keyring_size() {
    let mut ring = Keyring::generate().unwrap();
    let token = ring.seal_at(b"x", b"", T).unwrap();
    for _ in 0..999 {
        ring.add().unwrap();
    }
    assert_eq!(ring.list().len(), 1000);
    assert_eq!(&*ring.open_at(&token, b"", None, T).unwrap(), b"x");
}

proptest! {
    #[test]
    fn round_trip(data in prop::collection::vec(any::<u8>(), 0..3000), ctx in prop::collection::vec(any::<u8>(), 0..64)) {
        let ring = Keyring::generate().unwrap();
        let token = ring.seal_at(&data, &ctx, T).unwrap();
        prop_assert_eq!(&*ring.open_at(&token, &ctx, Some(0), T).unwrap(), &data[..]);
    }

    #[test]
    fn in_place_round_trip(data in prop::collection::vec(any::<u8>(), 0..3000), ctx in prop::collection::vec(any::<u8>(), 0..300)) {
        let ring = Keyring::generate().unwrap();
        let mut token = ring.seal_bytes(&data, &ctx).unwrap();
        prop_assert_eq!(&*ring.open_bytes(&token, &ctx, Some(60)).unwrap(), &data[..]);
        prop_assert_eq!(&*ring.open_bytes_in_place(&mut token, &ctx, Some(60)).unwrap(), &data[..]);
    }

    #[test]
    fn arbitrary_binary_tokens_never_panic(mut raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let ring = Keyring::generate().unwrap();
        prop_assert!(ring.open_bytes(&raw, b"", None).is_err());
        prop_assert!(ring.open_bytes_in_place(&mut raw, b"", None).is_err());
    }

    #[test]
    fn arbitrary_tokens_and_documents_never_panic(text in ".{0,400}") {
        let ring = Keyring::generate().unwrap();
        prop_assert!(ring.open(&text, b"", None).is_err());
        let prefixed = format!("hx1.{text}");
        prop_assert!(ring.open(&prefixed, b"", None).is_err());
        let _ = Keyring::from_document(&text);
        let _ = Keyring::from_document(&format!("hx-keyring 1\n{text}"));
        let _ = Keyring::from_sealed_document(&format!("hx-keyring-sealed 1\n{text}"), &MasterKey::from_bytes(&[1; 32]));
    }
}

/// The reader is as strict as docs/FORMAT.md: any other spelling of a valid
/// document (CR LF, non-canonical numbers, a different checksum spelling,
/// bytes after the checksum line) is refused, even with a matching checksum.
#[test]
fn keyring_documents_are_read_only_in_their_one_spelling() {
    fn with_checksum(body: &str) -> String {
        let sum = hx_digest::hash(hx_digest::Algorithm::Sha256, body.as_bytes());
        format!("{body}checksum sha256:{sum}\n")
    }
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    let good = format!("hx-keyring 1\nkey 16909060 primary xchacha20poly1305 1700000000 {key}\n");
    assert!(Keyring::from_document(&with_checksum(&good)).is_ok());
    let respelled = [
        with_checksum(&good.replace('\n', "\r\n")),
        with_checksum(&good.replace("16909060", "016909060")),
        with_checksum(&good.replace("16909060", "+16909060")),
        with_checksum(&good.replace("1700000000", "01700000000")),
        with_checksum(&good).trim_end().to_owned(),
        format!("{}\n", with_checksum(&good)),
        format!("{} \n", with_checksum(&good).trim_end()),
    ];
    for (i, text) in respelled.iter().enumerate() {
        assert!(
            matches!(Keyring::from_document(text), Err(Error::Document { .. })),
            "spelling {i} accepted: {text:?}"
        );
    }
    // Upper-case hex in the checksum.
    let upper = {
        let doc = with_checksum(&good);
        let (body, sum) = doc.split_at(doc.rfind(':').unwrap() + 1);
        format!("{body}{}", sum.to_uppercase())
    };
    assert!(Keyring::from_document(&upper).is_err());
}

/// Keyring files from the library: saved atomically with mode 0600 (sealed
/// or not), loaded back with their permissions checked, nothing else left
/// in the directory.
#[cfg(unix)]
#[test]
fn keyring_files_load_and_save() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.ring");
    let mut ring = Keyring::generate().unwrap();
    ring.save(&path, None).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let loaded = Keyring::load(&path, None).unwrap();
    let token = ring.seal(b"x", b"").unwrap();
    assert_eq!(&*loaded.open(&token, b"", None).unwrap(), b"x");
    // Replaced in place, sealed this time.
    ring.rotate_primary().unwrap();
    let master = MasterKey::generate().unwrap();
    ring.save(&path, Some(&master)).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["app.ring"], "no temporary file left");
    assert!(matches!(
        Keyring::load(&path, None),
        Err(Error::InvalidKey(_))
    ));
    let other = MasterKey::generate().unwrap();
    assert!(matches!(
        Keyring::load(&path, Some(&other)),
        Err(Error::InvalidToken)
    ));
    let loaded = Keyring::load(&path, Some(&master)).unwrap();
    assert_eq!(loaded.primary_id(), ring.primary_id());
    // Open to others: refused, naming the fix.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let e = Keyring::load(&path, Some(&master)).unwrap_err();
    assert!(matches!(e, Error::InsecurePermissions { mode: 0o640, .. }));
    assert!(e.to_string().contains("chmod 600"));
    // Too large to be a keyring: refused before it is read whole.
    let big = dir.path().join("big.ring");
    std::fs::write(&big, vec![b'a'; (16 << 20) + 1]).unwrap();
    std::fs::set_permissions(&big, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(Keyring::load(&big, None), Err(Error::Io(_))));
}
