//! A stored hash may be written by an attacker: whatever work it asks for
//! beyond the limits is refused before any is done.

use std::time::{Duration, Instant};

use hx_password::{Error, Limits, Params, Policy};

const SALT: &str = "c29tZXNhbHQ";
const HASH: &str = "Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0";

#[test]
fn hostile_parameters_are_refused_before_any_work() {
    let cases = [
        (
            format!("$argon2id$v=19$m=4194304,t=3,p=4${SALT}${HASH}"),
            "argon2 m (KiB)",
        ),
        (
            format!("$argon2id$v=19$m=4294967295,t=1,p=1${SALT}${HASH}"),
            "argon2 m (KiB)",
        ),
        (
            format!("$argon2i$v=19$m=1048576,t=1000,p=4${SALT}${HASH}"),
            "argon2 m·t (KiB)",
        ),
        (
            format!("$argon2d$v=19$m=65536,t=3,p=255${SALT}${HASH}"),
            "argon2 p",
        ),
        (
            format!("$scrypt$ln=40,r=8,p=1${SALT}${HASH}"),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
        (
            format!("$scrypt$ln=20,r=8,p=1000${SALT}${HASH}"),
            "scrypt p",
        ),
        (
            format!("$scrypt$ln=19,r=8,p=16${SALT}${HASH}"),
            "scrypt 128·N·r·p (KiB)",
        ),
        (
            format!("$scrypt$ln=14,r=268435455,p=1${SALT}${HASH}"),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
        (
            "$pbkdf2-sha256$1000000000$c2FsdHNhbHQ$Zh.vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2.zM0"
                .to_owned(),
            "pbkdf2 rounds",
        ),
        (
            format!("$pbkdf2-sha512$i=4294967295,l=32${SALT}${HASH}"),
            "pbkdf2 rounds",
        ),
        (
            "pbkdf2_sha256$1000000000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw="
                .to_owned(),
            "pbkdf2 rounds",
        ),
        (
            format!("scrypt$1073741824$saltsaltsalt$8$1${}==", "A".repeat(86)),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
        (
            format!("pbkdf2:sha256:4000000000$saltsaltsalt${}", "00".repeat(32)),
            "pbkdf2 rounds",
        ),
        (
            format!("scrypt:2147483648:8:1$saltsaltsalt${}", "00".repeat(64)),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
        (
            "$2b$31$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm".to_owned(),
            "bcrypt cost",
        ),
        (
            "bcrypt_sha256$$2b$17$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm".to_owned(),
            "bcrypt cost",
        ),
        // the lane buffer counts: N small, r and p large (3.5 GiB otherwise)
        (
            format!("$scrypt$ln=1,r=4194304,p=4${SALT}${HASH}"),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
        (
            format!("scrypt$2$saltsalt$4194304$4${}==", "A".repeat(86)),
            "scrypt 128·r·(N+p+2) (KiB)",
        ),
    ];
    let policy = Policy::default();
    let start = Instant::now();
    for (text, parameter) in &cases {
        match policy.verify(b"hunter2", text) {
            Err(Error::BeyondLimits {
                parameter: named,
                value,
                limit,
            }) => {
                assert_eq!(named, *parameter, "{text}");
                assert!(value > limit);
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // 18 refusals, none of which hashed anything
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn limits_can_be_tightened_but_not_below_the_policy() {
    let tight = Limits {
        max_memory_kib: 65_536,
        ..Limits::default()
    };
    let policy = Policy::default().with_limits(tight).unwrap();
    let text = format!("$argon2id$v=19$m=131072,t=1,p=1${SALT}${HASH}");
    assert!(matches!(
        policy.verify(b"x", &text),
        Err(Error::BeyondLimits { limit: 65_536, .. })
    ));
    let too_tight = Limits {
        max_memory_kib: 32_768,
        ..Limits::default()
    };
    assert!(matches!(
        Policy::default().with_limits(too_tight),
        Err(Error::BeyondLimits { .. })
    ));
    // a policy above the default limits raises them to admit its own hashes
    let big = Params::Argon2 {
        variant: hx_password::Argon2Variant::Argon2id,
        m_kib: 2 << 20,
        t: 1,
        p: 4,
    };
    assert_eq!(Policy::new(big).unwrap().limits().max_memory_kib, 2 << 20);
}

#[test]
fn passwords_beyond_the_bound_are_refused() {
    let policy = Policy::default();
    let stored = format!("$argon2id$v=19$m=65536,t=3,p=4${SALT}${HASH}");
    assert!(matches!(
        policy.verify(&vec![b'a'; 4097], &stored),
        Err(Error::UnusablePassword(_))
    ));
    let bcrypt = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm";
    for bad in [&[b'a'; 73][..], b"abc\0def"] {
        assert!(matches!(
            policy.verify(bad, bcrypt),
            Err(Error::UnusablePassword(_))
        ));
    }
    // exactly 72 bytes is bcrypt's whole password, and fine
    assert!(matches!(
        policy.verify(&[b'a'; 72], bcrypt),
        Err(Error::Mismatch)
    ));
}
