//! Every format is read, and written back byte for byte; malformed strings
//! get precise errors.

use hx_password::{Algorithm, Error, Format, Params, Pbkdf2Prf, Policy, StoredHash};

/// One sample of every format, made by the peers (see peer.rs for the
/// generated ones): the password is "hunter2".
const SAMPLES: &[(&str, Format, Algorithm)] = &[
    (
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0",
        Format::Phc,
        Algorithm::Argon2id,
    ),
    (
        "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=",
        Format::DjangoPbkdf2,
        Algorithm::Pbkdf2Sha256,
    ),
];

#[test]
fn samples_parse_and_write_back() {
    for (text, format, algorithm) in SAMPLES {
        let stored: StoredHash = text.parse().unwrap();
        assert_eq!(stored.format(), *format, "{text}");
        assert_eq!(stored.params().algorithm(), *algorithm, "{text}");
        assert_eq!(&stored.to_string(), text);
    }
    // the argon2 sample is "password" (argon2-cffi), the Django one "hunter2"
    let policy = Policy::default();
    policy.verify(b"password", SAMPLES[0].0).unwrap();
    policy.verify(b"hunter2", SAMPLES[1].0).unwrap();
}

/// Argon2 1.0 hashes are written with or without `v=16`; either form is
/// written back as read, and both verify.
#[test]
fn argon2_version_16_is_written_back_as_read() {
    let bare = "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY";
    let explicit = bare.replace("$m=", "$v=16$m=");
    for text in [bare, explicit.as_str()] {
        let stored: StoredHash = text.parse().unwrap();
        assert_eq!(stored.argon2_version(), Some(16));
        assert_eq!(stored.to_string(), text);
        Policy::default().verify(b"password", text).unwrap();
    }
}

/// Each format's parser names what is wrong; nothing here is a panic or a
/// `Mismatch`.
#[test]
fn malformed_strings_say_what_is_wrong() {
    let argon2 =
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0";
    let bcrypt = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm";
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "not a known password hash format"),
        ("hunter2".into(), "not a known password hash format"),
        (
            argon2.replace("v=19", "v=18"),
            "version other than 16 or 19",
        ),
        (argon2.replace("m=65536,", ""), "without the m parameter"),
        (argon2.replace("t=3", "t=03"), "t is not a decimal"),
        (argon2.replace("t=3", "t=0"), "out of range"),
        (
            argon2.replace(",p=4", ",p=4,x=1"),
            "unknown PHC parameter x",
        ),
        (
            argon2.replace("$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0", ""),
            "without a hash",
        ),
        (argon2.replace("c29tZXNhbHQ", "c29tZQ"), "PHC string"),
        (format!("{argon2}$extra"), "PHC string"),
        (
            argon2.replace(
                "Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0",
                "Zh/vvW8pvLyPRkar",
            ),
            "16 to 64 bytes",
        ),
        (
            "$scrypt$ln=64,r=8,p=1$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0".into(),
            "ln of 64",
        ),
        (
            "$scrypt$v=1$ln=4,r=8,p=1$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0"
                .into(),
            "with a version",
        ),
        (
            "$pbkdf2-sha256$i=1000,l=16$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0"
                .into(),
            "l differs",
        ),
        (bcrypt.replace("$04$", "$4$"), "cost is not two digits"),
        (bcrypt.replace("$04$", "$03$"), "cost outside 4 to 31"),
        (bcrypt.replace("$04$", "$32$"), "cost outside 4 to 31"),
        (bcrypt.replace("$2b$", "$2c$"), "not a bcrypt version"),
        (bcrypt[..59].to_owned(), "53 characters"),
        (bcrypt.replace("cVWp", "c+Wp"), "bcrypt base64"),
        (
            "$pbkdf2-sha256$1000$c2FsdHNhbHQ$Zh+vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2.zM0".into(),
            "adapted base64",
        ),
        (
            "$pbkdf2-sha256$01000$c2FsdHNhbHQ$Zh.vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2.zM0".into(),
            "not a decimal",
        ),
        (
            "pbkdf2_sha256$1000$salt$salt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=".into(),
            "exactly 3",
        ),
        (
            "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw".into(),
            "padded base64",
        ),
        (
            "pbkdf2_sha256$1000$salt salt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=".into(),
            "printable ASCII",
        ),
        (
            "pbkdf2_sha256$1000$short$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=".into(),
            "salt not 8 to 48",
        ),
        (
            "scrypt$1000$saltsaltsalt$8$1$c2FsdA==".into(),
            "power of two",
        ),
        (
            "pbkdf2:sha256$saltsaltsalt$00".into(),
            "without hash and rounds",
        ),
        ("scrypt:1024:8$saltsaltsalt$00".into(), "N:r:p"),
        (
            format!("scrypt:1024:8:1$saltsaltsalt${}", "AB".repeat(32)),
            "lower-case hex",
        ),
        (
            format!("scrypt:1024:8:1$saltsaltsalt${}", "0g".repeat(32)),
            "not hex",
        ),
        (
            format!("scrypt:1024:8:1$saltsaltsalt${}", "00".repeat(8)),
            "16 to 64 bytes",
        ),
        (
            format!("{}{argon2}", "$hx-pepper$k=AAAAAAAA"),
            "on an Argon2 hash",
        ),
        ("x".repeat(513), "longer than 512 bytes"),
        // each framework's own output length (hashlib's defaults, Django's)
        (
            format!("scrypt:1024:8:1$saltsaltsalt${}", "00".repeat(32)),
            "Werkzeug hash output not 64 bytes",
        ),
        (
            format!("pbkdf2:sha512:1000$saltsaltsalt${}", "00".repeat(32)),
            "Werkzeug hash output not 64 bytes",
        ),
        (
            "pbkdf2_sha256$1000$saltsaltsalt$c2FsdHNhbHRzYWx0c2FsdA==".into(),
            "Django pbkdf2 hash output not 32 bytes",
        ),
        (
            format!("scrypt$1024$saltsaltsalt$8$1${}", "AAAA".repeat(8)),
            "Django scrypt hash output not 64 bytes",
        ),
        (
            format!("$pbkdf2-sha256$1000$c2FsdHNhbHQ${}", "A".repeat(86)),
            "passlib pbkdf2 hash output not 32 bytes",
        ),
        // one PBKDF2 block per round: the limits count rounds
        (
            format!("$pbkdf2-sha256$i=1000$c2FsdHNhbHQ${}", "A".repeat(86)),
            "longer than its hash's",
        ),
        // scrypt's own bound, before the scrypt crate multiplies r and p
        (
            "$scrypt$ln=4,r=65536,p=16384$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0"
                .into(),
            "r·p of 2^30",
        ),
        // spare bits in bcrypt's last salt character: one string per hash
        (
            "$2b$04$cVWp4XaNU8a4v1uMRum2SP026BWLIoQMD/TXg5uZV.0P.uO8m3YEm".into(),
            "bcrypt base64",
        ),
        (
            "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEn".into(),
            "bcrypt base64",
        ),
    ];
    let policy = Policy::default();
    for (text, want) in &cases {
        match policy.verify(b"hunter2", text) {
            Err(Error::Malformed(why)) => {
                assert!(
                    why.contains(want),
                    "{text:?}: {why:?} does not say {want:?}"
                );
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

/// Schemes this crate will not verify are named as such.
#[test]
fn unsupported_schemes_are_named() {
    let cases = [
        (
            "$2x$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq",
            "$2x$",
        ),
        (
            "$2$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq",
            "$2$",
        ),
        ("pbkdf2_sha1$260000$saltsaltsalt$c2FsdA==", "pbkdf2_sha1"),
        ("md5$saltsaltsalt$00", "md5"),
        ("pbkdf2:sha1:1000$saltsaltsalt$00", "PBKDF2-SHA1"),
        ("pbkdf2:md5:1000$saltsaltsalt$00", "hash name"),
        (
            "$pbkdf2$1000$c2FsdHNhbHQ$Zh.vvW8pvLyPRkarwyqdekZFu1w",
            "PBKDF2-SHA1",
        ),
        ("$6$rounds=5000$saltsalt$abc", "SHA-512-crypt"),
        (
            "$argon2id$v=19$m=65536,t=3,p=4,data=c29tZQ$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0",
            "associated data",
        ),
        (
            "$argon2id$v=19$m=65536,t=3,p=4,keyid=c29tZQ$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0",
            "key id",
        ),
        (
            "$y$j9T$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0",
            "yescrypt",
        ),
    ];
    for (text, want) in cases {
        match StoredHash::parse(text) {
            Err(Error::Unsupported(what)) => {
                assert!(
                    what.contains(want),
                    "{text}: {what:?} does not name {want:?}"
                );
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

/// What each scheme's new hashes look like, and that they parse to the
/// policy's parameters.
#[test]
fn new_hashes_have_the_peer_formats() {
    let cases = [
        (Params::Bcrypt { cost: 10 }, "$2b$10$", 60),
        (
            Params::Pbkdf2 {
                prf: Pbkdf2Prf::Sha256,
                rounds: 600_000,
            },
            "$pbkdf2-sha256$600000$",
            22 + 43 + 23,
        ),
        (
            Params::Pbkdf2 {
                prf: Pbkdf2Prf::Sha512,
                rounds: 210_000,
            },
            "$pbkdf2-sha512$210000$",
            22 + 86 + 23,
        ),
        (
            Params::Scrypt {
                log_n: 16,
                r: 8,
                p: 1,
            },
            "$scrypt$ln=16,r=8,p=1$",
            22 + 22 + 1 + 43,
        ),
    ];
    for (params, prefix, len) in cases {
        let policy = Policy::new(params).unwrap();
        let hash = policy.hash(b"hunter2").unwrap();
        assert!(hash.starts_with(prefix), "{hash}");
        assert_eq!(hash.len(), len, "{hash}");
        let stored: StoredHash = hash.parse().unwrap();
        assert_eq!(stored.params(), &params);
        assert!(!policy.needs_rehash(&stored));
        policy.verify(b"hunter2", &hash).unwrap();
    }
}
