//! The library API: values, paths, recipients, rotation, saves.

use std::path::Path;

use hx_config::{Config, Error, Opener};
use hx_kex::PrivateKey;
use hx_keys::Algorithm;
use secrecy::ExposeSecret as _;

pub fn keyring() -> Opener {
    Opener::Keyring(hx_aead::Keyring::generate().unwrap())
}

pub fn identity(alg: Algorithm) -> Opener {
    Opener::Identity(PrivateKey::generate(alg).unwrap())
}

pub fn public(opener: &Opener) -> hx_kex::PublicKey {
    match opener {
        Opener::Identity(k) => k.public_key().unwrap(),
        _ => panic!("not an identity"),
    }
}

pub fn get(config: &Config<'_>, path: &str) -> String {
    config.get(path).unwrap().expose_secret().to_owned()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn set_get_remove_save_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.hxc");
    let opener = keyring();
    let mut config = Config::create(&path, &opener, &[]).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(config.generation(), 1);
    assert!(config.is_empty());
    config
        .set("database.password", "p@ss word\nwith newline")
        .unwrap();
    config.set("database.user", "app").unwrap();
    config.set("stripe.api-key", "sk_live_x").unwrap();
    config.set("empty", "").unwrap();
    assert!(config.is_modified());
    config.save().unwrap();
    assert!(!config.is_modified());
    assert_eq!(config.generation(), 2);
    assert_eq!(mode(&path), 0o600);

    let mut config = Config::open(&path, &opener).unwrap();
    assert_eq!(
        config.keys().collect::<Vec<_>>(),
        [
            "database.password",
            "database.user",
            "empty",
            "stripe.api-key"
        ]
    );
    assert_eq!(get(&config, "database.password"), "p@ss word\nwith newline");
    assert_eq!(get(&config, "empty"), "");
    assert_eq!(config.verify().unwrap(), 4);
    config.remove("database.user").unwrap();
    assert!(matches!(
        config.remove("database.user"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(config.get("nope"), Err(Error::NotFound(_))));
    config.save().unwrap();
    let config = Config::open(&path, &opener).unwrap();
    assert_eq!(config.len(), 3);
    assert_eq!(config.generation(), 3);
    // The file is readable: key paths in clear, values not.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("database.password = \""));
    assert!(!text.contains("p@ss"));
    assert!(!format!("{config:?}").contains("p@ss"));
}

#[test]
fn an_edit_changes_one_entry_line_and_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.hxc");
    let opener = keyring();
    let mut config = Config::create(&path, &opener, &[]).unwrap();
    for i in 0..50 {
        config
            .set(&format!("key{i:02}"), &format!("value {i}"))
            .unwrap();
    }
    config.save().unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    config.set("key17", "changed").unwrap();
    config.save().unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.split(" = ").next().unwrap().to_owned())
        .collect();
    assert_eq!(changed, ["key17", "generation", "header_mac", "mac"]);
}

#[test]
fn bad_paths_and_conflicts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let mut config = Config::create(dir.path().join("c.hxc"), &opener, &[]).unwrap();
    for bad in [
        "",
        ".a",
        "a.",
        "a..b",
        "a b",
        "a=b",
        "hx",
        "hx.version",
        "é",
        "a\"b",
    ] {
        assert!(
            matches!(config.set(bad, "v"), Err(Error::InvalidPath { .. })),
            "{bad:?}"
        );
    }
    config.set("a.b", "1").unwrap();
    assert!(matches!(
        config.set("a", "x"),
        Err(Error::PathConflict { .. })
    ));
    assert!(matches!(
        config.set("a.b.c", "x"),
        Err(Error::PathConflict { .. })
    ));
    config.set("a.bc", "ok").unwrap();
    config.set("a.b", "2").unwrap();
    config.set("hxx", "not reserved").unwrap();
    assert!(matches!(
        config.set("big", &"x".repeat(hx_config::MAX_VALUE_LEN + 1)),
        Err(Error::TooLarge(_))
    ));
}

#[test]
fn create_refuses_an_existing_file_and_no_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    std::fs::write(&path, "keep me").unwrap();
    let opener = keyring();
    assert!(matches!(
        Config::create(&path, &opener, &[]),
        Err(Error::Io { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    assert!(matches!(
        Config::create_for(dir.path().join("d.hxc"), None, &[]),
        Err(Error::LastRecipient)
    ));
}

#[test]
fn public_key_recipients_of_every_kind_open_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let x = identity(Algorithm::X25519);
    let w = identity(Algorithm::XWing);
    let r = identity(Algorithm::Rsa { bits: 2048 });
    let stranger = identity(Algorithm::X25519);
    let ring = keyring();
    let mut config =
        Config::create_for(&path, None, &[public(&x), public(&w), public(&r)]).unwrap();
    config.set("k", "v").unwrap();
    config.save().unwrap();
    for opener in [&x, &w, &r] {
        assert_eq!(get(&Config::open(&path, opener).unwrap(), "k"), "v");
    }
    assert!(matches!(
        Config::open(&path, &stranger),
        Err(Error::NotARecipient)
    ));
    assert!(matches!(
        Config::open(&path, &ring),
        Err(Error::NotARecipient)
    ));
    let kinds: Vec<_> = Config::open(&path, &x)
        .unwrap()
        .recipients()
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds.len(), 3);
    assert!(kinds.contains(&"xwing".to_owned()) && kinds.contains(&"rsa-2048".to_owned()));
}

#[test]
fn removing_a_recipient_rotates_the_data_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let alice = identity(Algorithm::X25519);
    let bob = identity(Algorithm::X25519);
    let ring = keyring();
    let mut config = Config::create(&path, &ring, &[public(&alice), public(&bob)]).unwrap();
    config.set("db.password", "old").unwrap();
    config.save().unwrap();
    let before = std::fs::read_to_string(&path).unwrap();

    let mut config = Config::open(&path, &ring).unwrap();
    config.remove_recipient(&public(&bob)).unwrap();
    assert!(matches!(
        config.remove_recipient(&public(&bob)),
        Err(Error::RecipientNotFound)
    ));
    config.set("db.password", "new").unwrap();
    config.save().unwrap();
    assert!(matches!(
        Config::open(&path, &bob),
        Err(Error::NotARecipient)
    ));
    assert_eq!(
        get(&Config::open(&path, &alice).unwrap(), "db.password"),
        "new"
    );
    // Every value was re-sealed: no ciphertext line survives the rotation.
    let after = std::fs::read_to_string(&path).unwrap();
    let cipher_lines = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("db."))
            .map(str::to_owned)
            .collect()
    };
    assert!(
        cipher_lines(&before)
            .iter()
            .all(|l| !after.contains(l.as_str()))
    );

    // An identity cannot rotate a file with a keyring recipient.
    let mut config = Config::open(&path, &alice).unwrap();
    assert!(matches!(config.rotate(), Err(Error::KeyringNeeded)));
    // The last recipient cannot be removed.
    let path2 = dir.path().join("solo.hxc");
    let mut solo = Config::create_for(&path2, None, &[public(&alice)]).unwrap();
    assert!(matches!(
        solo.remove_recipient(&public(&alice)),
        Err(Error::LastRecipient)
    ));
    // Adding twice is refused.
    let mut config = Config::open(&path, &ring).unwrap();
    assert!(matches!(
        config.add_recipient(&public(&alice)),
        Err(Error::RecipientExists)
    ));
    config.add_recipient(&public(&bob)).unwrap();
    config.save().unwrap();
    assert_eq!(
        get(&Config::open(&path, &bob).unwrap(), "db.password"),
        "new"
    );
}

#[test]
fn rotate_keeps_every_value_and_generation_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    let mut config = Config::create(&path, &ring, &[]).unwrap();
    for i in 0..100 {
        config.set(&format!("k{i}"), &format!("v{i}")).unwrap();
    }
    config.save().unwrap();
    config.rotate().unwrap();
    config.save().unwrap();
    let config = Config::open(&path, &ring).unwrap();
    assert_eq!(config.generation(), 3);
    for i in 0..100 {
        assert_eq!(get(&config, &format!("k{i}")), format!("v{i}"));
    }
}

#[test]
fn keyring_rotation_rewraps_on_save_and_retired_keys_stop_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let mut ring = hx_aead::Keyring::generate().unwrap();
    let old = ring.primary_id();
    {
        let opener = Opener::Keyring(ring);
        let mut config = Config::create(&path, &opener, &[]).unwrap();
        config.set("a", "1").unwrap();
        config.save().unwrap();
        let Opener::Keyring(r) = opener else {
            unreachable!()
        };
        ring = r;
    }
    ring.rotate_primary().unwrap();
    let opener = Opener::Keyring(ring);
    let mut config = Config::open(&path, &opener).unwrap();
    config.set("b", "2").unwrap();
    config.save().unwrap();
    let Opener::Keyring(mut ring) = opener else {
        unreachable!()
    };
    ring.retire(old).unwrap();
    let opener = Opener::Keyring(ring);
    assert_eq!(get(&Config::open(&path, &opener).unwrap(), "a"), "1");
}

#[test]
fn a_concurrent_save_is_refused_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    Config::create(&path, &ring, &[]).unwrap();
    let mut first = Config::open(&path, &ring).unwrap();
    let mut second = Config::open(&path, &ring).unwrap();
    first.set("a", "first").unwrap();
    second.set("b", "second").unwrap();
    first.save().unwrap();
    assert!(matches!(second.save(), Err(Error::ChangedOnDisk(_))));
    let config = Config::open(&path, &ring).unwrap();
    assert_eq!(config.keys().collect::<Vec<_>>(), ["a"]);
}

#[test]
fn many_writers_in_threads_lose_nothing() {
    // Each thread retries on ChangedOnDisk: the lock plus the check make
    // every successful save build on the previous one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    Config::create(&path, &ring, &[]).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (path, ring) = (&path, &ring);
            s.spawn(move || {
                for i in 0..10 {
                    loop {
                        let mut config = Config::open(path, ring).unwrap();
                        config.set(&format!("t{t}.k{i}"), "v").unwrap();
                        match config.save() {
                            Ok(()) => break,
                            Err(Error::ChangedOnDisk(_)) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            });
        }
    });
    let config = Config::open(&path, &ring).unwrap();
    assert_eq!(config.len(), 40);
    assert_eq!(config.generation(), 41);
}

#[test]
fn key_files_readable_by_others_are_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let ring_path = dir.path().join("ring.hxk");
    let ring = hx_aead::Keyring::generate().unwrap();
    std::fs::write(&ring_path, ring.to_document().as_bytes()).unwrap();
    std::fs::set_permissions(&ring_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Opener::keyring_file(&ring_path, None).unwrap_err();
    assert!(matches!(err, Error::InsecurePermissions { .. }));
    let message = err.to_string();
    assert!(
        message.contains("chmod 600") && message.contains("ring.hxk"),
        "{message}"
    );
    std::fs::set_permissions(&ring_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(Opener::keyring_file(&ring_path, None).is_ok());

    let key_path = dir.path().join("id.pem");
    let key = PrivateKey::generate(Algorithm::X25519).unwrap();
    std::fs::write(&key_path, key.to_pem().unwrap().as_bytes()).unwrap();
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(matches!(
        Opener::identity_file(&key_path),
        Err(Error::InsecurePermissions { .. })
    ));
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert!(Opener::identity_file(&key_path).is_ok());
}

#[test]
fn debug_output_is_redacted() {
    let ring = keyring();
    assert_eq!(format!("{ring:?}"), "Opener::Keyring([REDACTED])");
    let id = identity(Algorithm::X25519);
    assert_eq!(format!("{id:?}"), "Opener::Identity([REDACTED])");
}

#[test]
fn openers_from_the_environment_including_a_sealed_keyring() {
    use std::ffi::OsString;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let private = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    };
    let ring = hx_aead::Keyring::generate().unwrap();
    let master = hx_aead::MasterKey::generate().unwrap();
    let ring_path = private(
        "ring.hxk",
        ring.to_sealed_document(&master).unwrap().as_bytes(),
    );
    let master_path = private("master.key", master.to_base64().as_bytes());
    let key = PrivateKey::generate(Algorithm::X25519).unwrap();
    let key_path = private("id.pem", key.to_pem().unwrap().as_bytes());

    let vars = |pairs: Vec<(&'static str, std::path::PathBuf)>| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    };
    let opener = Opener::from_vars(vars(vec![
        ("HX_KEYRING", ring_path.clone()),
        ("HX_MASTER_KEY_FILE", master_path),
        ("HX_IDENTITY", key_path.clone()),
    ]))
    .unwrap()
    .unwrap();
    assert!(matches!(opener, Opener::Keyring(_)), "the keyring wins");
    // The sealed keyring without its master key is an error, not a silent miss.
    assert!(Opener::from_vars(vars(vec![("HX_KEYRING", ring_path)])).is_err());
    let opener = Opener::from_vars(vars(vec![("HX_IDENTITY", key_path)]))
        .unwrap()
        .unwrap();
    assert!(matches!(opener, Opener::Identity(_)));
    assert!(Opener::from_vars(|_| None).unwrap().is_none());
}

#[test]
fn a_value_and_a_table_at_one_path_are_refused_whatever_sorts_between() {
    // `a-b` sorts between `a` and `a.b` (`-` is before `.`).
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let mut config = Config::create(dir.path().join("c.hxc"), &opener, &[]).unwrap();
    config.set("a-b", "1").unwrap();
    config.set("a.b", "2").unwrap();
    config.set("a-c.d", "3").unwrap();
    assert!(matches!(
        config.set("a", "x"),
        Err(Error::PathConflict { existing, .. }) if existing == "a.b"
    ));
    config.set("a-c.e", "4").unwrap();
    assert!(matches!(
        config.set("a-c", "x"),
        Err(Error::PathConflict { .. })
    ));
    config.save().unwrap();
}

/// age recipients: a file opens with the age identity (an identity file's
/// text) as it opens with the keyring; a damaged wrapped key is header
/// tampering; the recipient's text is stored canonical (no SSH comment).
#[test]
fn age_recipients_open_with_age_identities() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.hxc");
    let ring = keyring();
    let identity = hx_age::x25519::Identity::generate().unwrap();
    let recipient = identity.to_recipient().to_string();
    let identity_file = format!("# a comment\n{}\n", *identity.to_age().to_encoded());
    let mut config =
        Config::create_with_age(&path, Some(&ring), &[], &[recipient.as_str()]).unwrap();
    config.set("db.password", "s3cret").unwrap();
    config.save().unwrap();
    let age = Opener::identity_bytes(identity_file.as_bytes()).unwrap();
    assert!(format!("{age:?}").contains("REDACTED"));
    let opened = Config::open(&path, &age).unwrap();
    assert_eq!(opened.get("db.password").unwrap().expose_secret(), "s3cret");
    assert!(matches!(
        Config::create_with_age(dir.path().join("x.hxc"), Some(&ring), &[], &["age1nope"]),
        Err(Error::Age(_))
    ));
    // another age identity is not a recipient
    let stranger = hx_age::x25519::Identity::generate().unwrap();
    let stranger = Opener::identity_bytes(stranger.to_age().to_encoded().as_bytes()).unwrap();
    assert!(matches!(
        Config::open(&path, &stranger),
        Err(Error::NotARecipient)
    ));
    // a flipped byte in the wrapped age file is header tampering
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("type = \"age\"").unwrap();
    let wrapped_at =
        start + text[start..].find("wrapped = \"").unwrap() + "wrapped = \"".len() + 60;
    let mut bytes = text.into_bytes();
    bytes[wrapped_at] = if bytes[wrapped_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        Config::open(&path, &age),
        Err(Error::Tampered(_) | Error::Parse { .. })
    ));
}

#[test]
fn values_in_clear_read_as_any_value_and_switch_kind_with_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    let mut config = Config::create(&path, &ring, &[]).unwrap();
    config.set("db.password", "secret-pw").unwrap();
    config.set_plain("db.port", "5432").unwrap();
    config.set_plain("db.host", "db.internal").unwrap();
    // a value in clear is a value: conflicts, sizes and paths as for `set`
    assert!(matches!(
        config.set_plain("db.port.x", "1"),
        Err(Error::PathConflict { .. })
    ));
    assert!(matches!(
        config.set_plain("hx.a", "1"),
        Err(Error::InvalidPath { .. })
    ));
    assert!(matches!(
        config.set_plain("big", &"x".repeat(hx_config::MAX_VALUE_LEN + 1)),
        Err(Error::TooLarge(_))
    ));
    config.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("db.port = \"5432\"") && !text.contains("secret-pw"));
    assert!(text.contains("\nversion = 2\n"));

    let mut config = Config::open(&path, &ring).unwrap();
    assert!(config.is_plain("db.port") && !config.is_plain("db.password"));
    assert!(!config.is_plain("absent"));
    assert_eq!(get(&config, "db.port"), "5432");
    assert_eq!(config.verify().unwrap(), 3);
    let values: Vec<_> = config
        .values()
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.expose_secret().to_owned()))
        .collect();
    assert_eq!(
        values,
        [
            ("db.host".to_owned(), "db.internal".to_owned()),
            ("db.password".to_owned(), "secret-pw".to_owned()),
            ("db.port".to_owned(), "5432".to_owned()),
        ]
    );

    // `set` seals a value kept in clear; `set_plain` unseals a sealed one
    config.set("db.port", "5433").unwrap();
    config
        .set_plain("db.password", "not-secret-after-all")
        .unwrap();
    config.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("5433"));
    assert!(text.contains("db.password = \"not-secret-after-all\""));
    let config = Config::open(&path, &ring).unwrap();
    assert!(!config.is_plain("db.port") && config.is_plain("db.password"));
    assert_eq!(get(&config, "db.port"), "5433");
}

#[test]
fn without_values_in_clear_the_file_is_version_1_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    let mut config = Config::create(&path, &ring, &[]).unwrap();
    config.set("a", "secret-a").unwrap();
    config.set_plain("b", "1").unwrap();
    config.save().unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("version = 2")
    );
    config.remove("b").unwrap();
    config.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\nversion = 1\n") && !text.contains("[hx.plain]"));
    assert_eq!(get(&Config::open(&path, &ring).unwrap(), "a"), "secret-a");
}

#[test]
fn rotation_reseals_the_secrets_and_leaves_values_in_clear_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let ring = keyring();
    let other = identity(Algorithm::X25519);
    let mut config = Config::create(&path, &ring, &[public(&other)]).unwrap();
    config.set("secret", "secret-s").unwrap();
    config.set_plain("port", "8443").unwrap();
    config.save().unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    config.remove_recipient(&public(&other)).unwrap();
    config.save().unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    let line = |t: &str, k: &str| {
        t.lines()
            .find(|l| l.starts_with(&format!("{k} = ")))
            .unwrap()
            .to_owned()
    };
    assert_ne!(line(&before, "secret"), line(&after, "secret"));
    assert_eq!(line(&before, "port"), line(&after, "port"));
    let config = Config::open(&path, &ring).unwrap();
    assert!(config.is_plain("port"));
    assert_eq!(get(&config, "port"), "8443");
    assert_eq!(get(&config, "secret"), "secret-s");
    assert!(matches!(
        Config::open(&path, &other),
        Err(Error::NotARecipient)
    ));
}
