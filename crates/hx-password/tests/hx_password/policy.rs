//! Hashing under a policy, verifying, upgrading at login, the pepper.

use hx_password::{Algorithm, Argon2Variant, Error, Params, Pbkdf2Prf, Pepper, Policy, StoredHash};

#[test]
fn the_default_is_argon2id_at_rfc9106s_second_recommendation() {
    let policy = Policy::default();
    let hash = policy.hash(b"correct horse battery staple").unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"),
        "{hash}"
    );
    let stored: StoredHash = hash.parse().unwrap();
    assert_eq!((stored.salt_len(), stored.output_len()), (16, 32));
    policy
        .verify(b"correct horse battery staple", &hash)
        .unwrap();
    assert!(matches!(
        policy.verify(b"correct horse battery stapl", &hash),
        Err(Error::Mismatch)
    ));
    // a fresh salt every time
    assert_ne!(hash, policy.hash(b"correct horse battery staple").unwrap());
}

#[test]
fn every_written_scheme_round_trips_at_its_recommended_cost() {
    for algorithm in [
        Algorithm::Argon2id,
        Algorithm::Scrypt,
        Algorithm::Pbkdf2Sha256,
        Algorithm::Pbkdf2Sha512,
        Algorithm::Bcrypt,
    ] {
        let policy = Policy::recommended(algorithm).unwrap();
        let hash = policy.hash("pässwörd".as_bytes()).unwrap();
        let stored: StoredHash = hash.parse().unwrap();
        assert_eq!(stored.params().algorithm(), algorithm);
        assert!(!policy.needs_rehash(&stored), "{hash}");
        policy.verify("pässwörd".as_bytes(), &hash).unwrap();
        assert!(matches!(
            policy.verify(b"password", &hash),
            Err(Error::Mismatch)
        ));
        assert_eq!(
            policy
                .verify_and_upgrade("pässwörd".as_bytes(), &hash)
                .unwrap(),
            None
        );
    }
}

#[test]
fn new_hashes_have_a_floor() {
    let weak = [
        Params::Argon2 {
            variant: Argon2Variant::Argon2id,
            m_kib: 19_456,
            t: 1,
            p: 1,
        },
        Params::Scrypt {
            log_n: 14,
            r: 8,
            p: 1,
        },
        Params::Pbkdf2 {
            prf: Pbkdf2Prf::Sha256,
            rounds: 599_999,
        },
        Params::Pbkdf2 {
            prf: Pbkdf2Prf::Sha512,
            rounds: 100_000,
        },
        Params::Bcrypt { cost: 9 },
    ];
    for params in weak {
        assert!(
            matches!(Policy::new(params), Err(Error::WeakParameters { .. })),
            "{params:?}"
        );
    }
    // OWASP's equivalents are all accepted
    for (m_kib, t) in [
        (47_104, 1),
        (19_456, 2),
        (12_288, 3),
        (9_216, 4),
        (7_168, 5),
    ] {
        Policy::new(Params::Argon2 {
            variant: Argon2Variant::Argon2id,
            m_kib,
            t,
            p: 1,
        })
        .unwrap();
    }
    for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d] {
        assert!(matches!(
            Policy::recommended(algorithm),
            Err(Error::Unsupported(_))
        ));
    }
    assert!(matches!(
        Policy::new(Params::Bcrypt { cost: 32 }),
        Err(Error::Unsupported(_))
    ));
    // scrypt's r·p < 2^30, checked before the scrypt crate multiplies them
    let huge = Params::Scrypt {
        log_n: 1,
        r: 1 << 16,
        p: 1 << 16,
    };
    assert!(matches!(Policy::new(huge), Err(Error::Unsupported(_))));
    let mut out = [0u8; 32];
    assert!(matches!(
        hx_password::hazmat::scrypt(b"", b"", 1, 1 << 16, 1 << 16, &mut out),
        Err(Error::Malformed(_))
    ));
}

/// Legacy and weaker hashes verify and are replaced by a policy-strength
/// one; the replacement verifies and needs nothing more.
#[test]
fn verify_and_upgrade_moves_users_to_the_policy() {
    let policy = Policy::default();
    let legacy = [
        // Django PBKDF2, 1,000 rounds, "hunter2"
        "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=",
        // bcrypt from the OpenBSD vectors ("U*U")
        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
        // Argon2i 1.0 from the reference implementation ("password")
        "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY",
    ];
    for (stored, password) in legacy.iter().zip([&b"hunter2"[..], b"U*U", b"password"]) {
        let parsed: StoredHash = stored.parse().unwrap();
        assert!(policy.needs_rehash(&parsed));
        let new = policy
            .verify_and_upgrade(password, stored)
            .unwrap()
            .expect("an upgrade");
        assert!(new.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"));
        assert_eq!(policy.verify_and_upgrade(password, &new).unwrap(), None);
        // a wrong password upgrades nothing
        assert!(matches!(
            policy.verify_and_upgrade(b"wrong", stored),
            Err(Error::Mismatch)
        ));
    }
    // same scheme, other parameters: rehash (weaker or stronger)
    let weaker = Policy::new(Params::Argon2 {
        variant: Argon2Variant::Argon2id,
        m_kib: 19_456,
        t: 2,
        p: 1,
    })
    .unwrap();
    let old = weaker.hash(b"pw").unwrap();
    assert!(policy.verify_and_upgrade(b"pw", &old).unwrap().is_some());
}

#[test]
fn a_pepper_is_needed_named_and_rotated() {
    let pepper = || Pepper::from_bytes(&[7u8; 32]).unwrap();
    let for_bcrypt = || Policy::new(Params::Bcrypt { cost: 10 }).unwrap();
    for base in [Policy::default(), for_bcrypt()] {
        let peppered = base.with_pepper(pepper());
        let hash = peppered.hash(b"hunter2").unwrap();
        let stored: StoredHash = hash.parse().unwrap();
        assert!(stored.is_peppered());
        assert_eq!(stored.to_string(), hash);
        peppered.verify(b"hunter2", &hash).unwrap();
        assert!(matches!(
            peppered.verify(b"hunter3", &hash),
            Err(Error::Mismatch)
        ));
        assert!(!peppered.needs_rehash(&stored));

        // without it, or with another, the hash cannot be checked at all
        let bare = Policy::default();
        assert!(matches!(
            bare.verify(b"hunter2", &hash),
            Err(Error::Pepper(_))
        ));
        let other = Policy::default().with_pepper(Pepper::from_bytes(&[8u8; 32]).unwrap());
        assert!(matches!(
            other.verify(b"hunter2", &hash),
            Err(Error::Pepper(_))
        ));

        // rotation: the new pepper writes, the old one still verifies, and
        // the login moves the user to the new one
        let rotated = Policy::default()
            .with_pepper(Pepper::from_bytes(&[8u8; 32]).unwrap())
            .with_previous_pepper(pepper());
        rotated.verify(b"hunter2", &hash).unwrap();
        assert!(rotated.needs_rehash(&stored));
        let new = rotated
            .verify_and_upgrade(b"hunter2", &hash)
            .unwrap()
            .unwrap();
        assert!(matches!(
            peppered.verify(b"hunter2", &new),
            Err(Error::Pepper(_))
        ));
        rotated.verify(b"hunter2", &new).unwrap();
    }
    // a hash made before the pepper verifies without it, and is upgraded
    let unpeppered = Policy::default().hash(b"hunter2").unwrap();
    let peppered = Policy::default().with_pepper(pepper());
    let new = peppered
        .verify_and_upgrade(b"hunter2", &unpeppered)
        .unwrap()
        .unwrap();
    assert!(new.contains(",keyid="), "{new}");
    // a peppered bcrypt password is 44 bytes whatever the password's length
    let long = vec![b'x'; 200];
    let policy = for_bcrypt().with_pepper(pepper());
    policy.verify(&long, &policy.hash(&long).unwrap()).unwrap();
    assert!(Pepper::from_bytes(&[1; 15]).is_err());
}

#[test]
fn nothing_secret_in_debug() {
    let pepper = Pepper::from_bytes(b"0123456789abcdef0123").unwrap();
    assert_eq!(format!("{pepper:?}"), "Pepper([REDACTED])");
    let policy = Policy::default().with_pepper(pepper);
    assert!(!format!("{policy:?}").contains("0123456789"));
    let stored: StoredHash =
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0"
            .parse()
            .unwrap();
    let shown = format!("{stored:?}");
    assert!(
        !shown.contains("c29tZXNhbHQ") && !shown.contains("Zh/vvW8"),
        "{shown}"
    );
    // and the errors name fields, never the stored text
    let err = Policy::default()
        .verify(b"pw", "pbkdf2_sha256$1000$salt salt$c2VjcmV0")
        .unwrap_err()
        .to_string();
    assert!(
        !err.contains("salt salt") && !err.contains("c2VjcmV0"),
        "{err}"
    );
}

#[test]
fn algorithm_names() {
    for (algorithm, name) in Algorithm::ALL.iter().zip(Algorithm::NAMES) {
        assert_eq!(algorithm.to_string(), name);
        assert_eq!(name.parse::<Algorithm>().unwrap(), *algorithm);
    }
    assert!("argon2".parse::<Algorithm>().is_err());
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&Algorithm::Pbkdf2Sha512).unwrap();
        assert_eq!(json, "\"pbkdf2-sha512\"");
        let back: Algorithm = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Algorithm::Pbkdf2Sha512);
    }
}
