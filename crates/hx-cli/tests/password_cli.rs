//! `hx password hash` and `hx password verify`: formats, exit statuses,
//! `--rehash`, the pepper file, bounds, the no-echo prompt, and argon2-cffi
//! reading what the command writes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::process::Output;

mod common;
use common::{code, hx};
use hx_test_support::{run_python_code, write_secret};

fn line(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .trim_end()
        .to_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn hash_then_verify_with_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let stored = line(&hx(d, &["password", "hash"], b"correct horse\n"));
    assert!(
        stored.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"),
        "{stored}"
    );
    // the newline ending standard input is not part of the password
    let o = hx(
        d,
        &["password", "verify", "--hash", &stored],
        b"correct horse",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let o = hx(
        d,
        &["password", "verify", "--hash", &stored],
        b"correct horse!\n",
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("does not match"), "{}", stderr(&o));
    // malformed, or beyond the limits: 2, before any work
    let hostile = stored.replace("m=65536", "m=4194304");
    let o = hx(
        d,
        &["password", "verify", "--hash", &hostile],
        b"correct horse",
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("argon2 m (KiB) = 4194304 is beyond the limit"),
        "{}",
        stderr(&o)
    );
    let o = hx(
        d,
        &["password", "verify", "--hash", "$argon2id$v=19$m=65536"],
        b"x",
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("malformed password hash"),
        "{}",
        stderr(&o)
    );
    // argon2-cffi reads what the command writes
    let out = run_python_code(
        "import sys, argon2; print(argon2.PasswordHasher().verify(sys.argv[1], b'correct horse'))",
        &[&stored],
        b"",
    );
    assert_eq!(String::from_utf8(out).unwrap().trim(), "True");
}

#[test]
fn schemes_costs_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (alg, prefix) in [
        ("bcrypt", "$2b$12$"),
        ("scrypt", "$scrypt$ln=17,r=8,p=1$"),
        ("pbkdf2-sha256", "$pbkdf2-sha256$600000$"),
        ("pbkdf2-sha512", "$pbkdf2-sha512$210000$"),
    ] {
        let stored = line(&hx(d, &["password", "hash", "--alg", alg], b"pw-of-mine"));
        assert!(stored.starts_with(prefix), "{stored}");
        let o = hx(d, &["password", "verify", "--hash", &stored], b"pw-of-mine");
        assert_eq!(code(&o), 0, "{alg}: {}", stderr(&o));
    }
    let stored = line(&hx(
        d,
        &["password", "hash", "--m", "47104", "--t", "1", "--p", "2"],
        b"pw",
    ));
    assert!(
        stored.starts_with("$argon2id$v=19$m=47104,t=1,p=2$"),
        "{stored}"
    );
    let refusals: [(&[&str], &str); 5] = [
        (&["--m", "1024"], "below the minimum"),
        (&["--alg", "bcrypt", "--t", "4"], "Argon2id's parameters"),
        (&["--alg", "argon2i"], "verified, not written"),
        (&["--alg", "md5"], "one of argon2id"),
        (
            &["--alg", "pbkdf2-sha256", "--p", "2"],
            "Argon2id's parameters",
        ),
    ];
    for (args, want) in refusals {
        let mut all = vec!["password", "hash"];
        all.extend_from_slice(args);
        let o = hx(d, &all, b"pw");
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    // an empty password is not hashed; bcrypt's 73rd byte is refused
    assert_eq!(code(&hx(d, &["password", "hash"], b"\n")), 2);
    let o = hx(d, &["password", "hash", "--alg", "bcrypt"], &[b'a'; 73]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("72 bytes"), "{}", stderr(&o));
    // passwords are bounded
    let o = hx(d, &["password", "hash"], &vec![b'a'; 10_000]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("longer than 4096 bytes"),
        "{}",
        stderr(&o)
    );
    // `hx password` alone still generates, and does not mix with hash
    assert_eq!(
        line(&hx(d, &["password", "--length", "24"], b""))
            .chars()
            .count(),
        24
    );
    assert_eq!(
        code(&hx(d, &["password", "--length", "24", "hash"], b"pw")),
        2
    );
}

#[test]
fn rehash_answers_legacy_hashes_with_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let legacy = "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=";
    let new = line(&hx(
        d,
        &["password", "verify", "--hash", legacy, "--rehash"],
        b"hunter2",
    ));
    assert!(new.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{new}");
    // the new hash is current: nothing to print
    let o = hx(
        d,
        &["password", "verify", "--hash", &new, "--rehash"],
        b"hunter2",
    );
    assert_eq!(code(&o), 0);
    assert!(o.stdout.is_empty());
    // under another policy it is not
    let o = hx(
        d,
        &[
            "password", "verify", "--hash", &new, "--rehash", "--alg", "bcrypt",
        ],
        b"hunter2",
    );
    assert!(line(&o).starts_with("$2b$12$"));
    // the stored hash may come from a file (out of the process list)
    std::fs::write(d.join("stored"), format!("{legacy}\n")).unwrap();
    let o = hx(
        d,
        &["password", "verify", "--hash-file", "stored", "--rehash"],
        b"hunter2",
    );
    assert!(line(&o).starts_with("$argon2id$"));
    assert_eq!(code(&hx(d, &["password", "verify"], b"hunter2")), 2);
    std::fs::write(d.join("huge"), "x".repeat(100_000)).unwrap();
    let o = hx(
        d,
        &["password", "verify", "--hash-file", "huge"],
        b"hunter2",
    );
    assert_eq!(code(&o), 2);
    // a wrong password is refused, and nothing is printed
    let o = hx(
        d,
        &["password", "verify", "--hash", legacy, "--rehash"],
        b"hunter3",
    );
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
}

#[test]
fn the_pepper_is_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_secret(d.join("pepper"), "a pepper of thirty-two bytes....\n");
    let stored = line(&hx(
        d,
        &[
            "password",
            "hash",
            "--alg",
            "bcrypt",
            "--pepper-file",
            "pepper",
        ],
        b"pw",
    ));
    assert!(stored.starts_with("$hx-pepper$k="), "{stored}");
    let o = hx(
        d,
        &[
            "password",
            "verify",
            "--hash",
            &stored,
            "--pepper-file",
            "pepper",
        ],
        b"pw",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = hx(d, &["password", "verify", "--hash", &stored], b"pw");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("pepper this verifier does not hold"),
        "{}",
        stderr(&o)
    );
    // rotation: the old pepper verifies, and --rehash moves to the new one
    write_secret(d.join("pepper2"), "another pepper, also 32 bytes...");
    let new = line(&hx(
        d,
        &[
            "password",
            "verify",
            "--hash",
            &stored,
            "--rehash",
            "--pepper-file",
            "pepper2",
            "--previous-pepper-file",
            "pepper",
        ],
        b"pw",
    ));
    assert!(new.contains(",keyid="), "{new}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("pepper"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = hx(d, &["password", "hash", "--pepper-file", "pepper"], b"pw");
        assert_eq!(code(&o), 2);
        assert!(
            stderr(&o).contains("open to group or others"),
            "{}",
            stderr(&o)
        );
    }
}

/// At a terminal the password is asked for twice, without echo
/// (util-linux's `script` gives hx a pseudo-terminal).
#[test]
fn the_prompt_does_not_echo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = common::hx_at_terminal(
        d,
        "password hash --alg bcrypt",
        &["typed-pw-123", "typed-pw-123"],
    );
    let transcript = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{transcript}");
    assert!(transcript.contains("Password:") && transcript.contains("Confirm password:"));
    assert!(!transcript.contains("typed-pw-123"), "echoed: {transcript}");
    let stored = transcript
        .split_whitespace()
        .find(|w| w.starts_with("$2b$"))
        .expect("a hash in the transcript");
    let o = hx(
        d,
        &["password", "verify", "--hash", stored],
        b"typed-pw-123",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
