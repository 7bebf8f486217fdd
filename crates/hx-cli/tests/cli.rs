//! The `hx` command against its contract (docs/CLI.md): outputs, exit
//! statuses, and coreutils' `sha256sum`/`b2sum` as peers for `hx digest`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;

fn hx(args: &[&str], stdin: &[u8]) -> Output {
    hx_in(None, args, stdin)
}

fn hx_in(dir: Option<&Path>, args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hx"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().unwrap();
    // The child may exit before reading its input (a usage error): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

#[test]
fn token_sizes_and_encodings() {
    let o = hx(&["token"], b"");
    assert_eq!(code(&o), 0);
    let t = stdout(&o);
    assert!(t.ends_with('\n') && !t.ends_with("\n\n"));
    assert_eq!(t.trim_end().len(), 43);
    assert_eq!(
        stdout(&hx(&["token", "--bytes", "16", "--encoding", "hex"], b""))
            .trim_end()
            .len(),
        32
    );
    assert_eq!(
        stdout(&hx(
            &["token", "--bytes", "16", "--encoding", "base64"],
            b""
        ))
        .trim_end()
        .len(),
        24
    );
    for bad in ["0", "65537", "-1", "lots"] {
        let o = hx(&["token", "--bytes", bad], b"");
        assert_eq!(code(&o), 2, "--bytes {bad}");
        assert!(!stderr(&o).is_empty());
    }
    assert!(stderr(&hx(&["token", "--bytes", "0"], b"")).contains("from 1 to 65536"));
}

#[test]
fn apikey_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let pepper = dir.path().join("pepper");
    common::write_secret(&pepper, "a-long-server-side-pepper-value\n");
    let pepper = pepper.to_str().unwrap();

    let key = stdout(&hx(&["apikey", "new", "--prefix", "acme"], b""));
    assert!(key.starts_with("acme_") && key.trim_end().len() == 5 + 39);
    assert_eq!(code(&hx(&["apikey", "check"], key.as_bytes())), 0);

    let mut typo = key.trim_end().to_owned();
    let c = typo.pop().unwrap();
    typo.push(if c == 'x' { 'y' } else { 'x' });
    let huge = vec![b'a'; 100_000];
    for bad in [
        typo.as_bytes(),
        b"acme_short\n",
        b"",
        b"\xff\xfe",
        &huge[..],
    ] {
        let o = hx(&["apikey", "check"], bad);
        assert_eq!(code(&o), 1);
        assert_eq!(stderr(&o), "hx: invalid API key\n");
        assert!(stdout(&o).is_empty());
    }

    let hash = stdout(&hx(
        &["apikey", "hash", "--pepper-file", pepper],
        key.as_bytes(),
    ));
    let hash = hash.trim_end();
    assert!(hash.starts_with("hmac-sha256:"));
    assert!(!hash.contains(&key.trim_end()[5..]));
    let ok = hx(
        &["apikey", "verify", "--pepper-file", pepper, "--hash", hash],
        key.as_bytes(),
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let other = stdout(&hx(&["apikey", "new", "--prefix", "acme"], b""));
    let o = hx(
        &["apikey", "verify", "--pepper-file", pepper, "--hash", hash],
        other.as_bytes(),
    );
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "hx: invalid API key\n");

    let o = hx(
        &["apikey", "hash", "--pepper-file", "/nonexistent/pepper"],
        key.as_bytes(),
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/pepper") && stderr(&o).contains("No such file"));
    let o = hx(&["apikey", "new", "--prefix", "Bad-Prefix"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("prefix"));
}

#[test]
fn passwords_and_passphrases() {
    let o = hx(&["password"], b"");
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o).trim_end().len(), 20);
    let o = hx(
        &[
            "password",
            "--length",
            "32",
            "--no-symbols",
            "--no-ambiguous",
            "--show-entropy",
        ],
        b"",
    );
    let pw = stdout(&o);
    assert!(
        pw.trim_end()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"Il1O0o".contains(c))
    );
    assert!(stderr(&o).starts_with("entropy: "));
    let o = hx(&["password", "--symbols", "@#", "--length", "24"], b"");
    assert!(
        stdout(&o)
            .trim_end()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@#".contains(c))
    );
    let o = hx(&["password", "--length", "8"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("weak policy"));

    let o = hx(&["passphrase", "--words", "7", "--separator", "."], b"");
    assert_eq!(stdout(&o).trim_end().split('.').count(), 7);
    assert_eq!(code(&hx(&["passphrase", "--words", "3"], b"")), 2);
}

#[test]
fn csrf_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("csrf");
    common::write_secret(&secret, [7u8; 48]);
    let secret = secret.to_str().unwrap();
    let token = stdout(&hx(
        &["csrf", "new", "--secret-file", secret, "--session", "abc"],
        b"",
    ));
    assert_eq!(
        code(&hx(
            &[
                "csrf",
                "verify",
                "--secret-file",
                secret,
                "--session",
                "abc"
            ],
            token.as_bytes()
        )),
        0
    );
    let o = hx(
        &[
            "csrf",
            "verify",
            "--secret-file",
            secret,
            "--session",
            "abd",
        ],
        token.as_bytes(),
    );
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "hx: invalid CSRF token\n");
    common::write_secret(dir.path().join("short"), b"short");
    let short = dir.path().join("short");
    let o = hx(
        &[
            "csrf",
            "new",
            "--secret-file",
            short.to_str().unwrap(),
            "--session",
            "abc",
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(!stderr(&o).contains("short\n"), "never echoes the secret");
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn digest_matches_coreutils_both_ways() {
    assert!(
        have("sha256sum") && have("b2sum"),
        "coreutils sha256sum and b2sum are the peers of hx digest"
    );
    let dir = tempfile::tempdir().unwrap();
    let names = ["empty", "small.txt", "with space.bin", "big.bin"];
    let contents: [Vec<u8>; 4] = [
        vec![],
        b"hello\n".to_vec(),
        vec![0xa5; 70_000],
        (0..3_000_000u32).map(|i| (i * 7 % 256) as u8).collect(),
    ];
    for (n, c) in names.iter().zip(&contents) {
        std::fs::write(dir.path().join(n), c).unwrap();
    }
    for (alg, tool) in [
        ("sha256", "sha256sum"),
        ("sha512", "sha512sum"),
        ("blake2b", "b2sum"),
    ] {
        let ours = hx_in(
            Some(dir.path()),
            &[&["digest", "--alg", alg][..], &names[..]].concat(),
            b"",
        );
        assert_eq!(code(&ours), 0);
        let theirs = Command::new(tool)
            .args(names)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            stdout(&ours),
            String::from_utf8(theirs.stdout).unwrap(),
            "{alg} vs {tool}"
        );
        // Each accepts the other's sums file.
        std::fs::write(dir.path().join("SUMS"), &ours.stdout).unwrap();
        let o = Command::new(tool)
            .args(["-c", "SUMS"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{tool} -c on hx's output");
        let o = hx_in(
            Some(dir.path()),
            &["digest", "--alg", alg, "--check", "SUMS"],
            b"",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            stdout(&o).lines().filter(|l| l.ends_with(": OK")).count(),
            4
        );
    }
    // stdin, and '-'.
    let o = hx(&["digest"], b"abc");
    assert_eq!(
        stdout(&o),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n"
    );
    assert_eq!(stdout(&hx(&["digest", "-"], b"abc")), stdout(&o));

    // A changed file fails the check with exit 1.
    let sums = stdout(&hx_in(
        Some(dir.path()),
        &["digest", "small.txt", "empty"],
        b"",
    ));
    std::fs::write(dir.path().join("SUMS"), sums).unwrap();
    std::fs::write(dir.path().join("small.txt"), b"hellO\n").unwrap();
    let o = hx_in(Some(dir.path()), &["digest", "--check", "SUMS"], b"");
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("small.txt: FAILED") && stdout(&o).contains("empty: OK"));
}

#[test]
fn digest_bad_input() {
    let o = hx(&["digest", "--alg", "md5"], b"");
    assert_eq!(code(&o), 2);
    for name in ["sha256", "sha3-256", "blake2b", "blake3"] {
        assert!(stderr(&o).contains(name), "{}", stderr(&o));
    }
    let o = hx(&["digest", "/nonexistent/file"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/file") && stderr(&o).contains("No such file"));
    let o = hx(&["digest", "--check", "/nonexistent/SUMS"], b"");
    assert_eq!(code(&o), 2);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("SUMS"), "not a sums line\n").unwrap();
    let o = hx_in(Some(dir.path()), &["digest", "--check", "SUMS"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no properly formatted"));
    // Every algorithm's output has the right length.
    for (alg, len) in [
        ("sha384", 96),
        ("sha3-512", 128),
        ("blake2b-256", 64),
        ("blake2s", 64),
        ("blake3", 64),
    ] {
        let out = stdout(&hx(&["digest", "--alg", alg], b"x"));
        assert_eq!(out.split_once("  ").unwrap().0.len(), len, "{alg}");
    }
}

#[test]
fn hmac_over_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    common::write_secret(&key, "Jefe\n");
    let key = key.to_str().unwrap();
    let o = hx(
        &["hmac", "--alg", "sha256", "--key-file", key],
        b"what do ya want for nothing?",
    );
    assert_eq!(
        stdout(&o),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n"
    );
    let data = dir.path().join("data");
    std::fs::write(&data, b"what do ya want for nothing?").unwrap();
    let o = hx(
        &[
            "hmac",
            "--alg",
            "sha512",
            "--key-file",
            key,
            data.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        stdout(&o).trim_end(),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
    );
    assert_eq!(
        code(&hx(&["hmac", "--alg", "md5", "--key-file", key], b"")),
        2
    );
    let o = hx(&["hmac", "--key-file", "/nonexistent/key"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/key"));
    let empty = dir.path().join("empty-key");
    common::write_secret(&empty, "\n");
    let o = hx(&["hmac", "--key-file", empty.to_str().unwrap()], b"data");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));
}

#[test]
fn tour_verifies_itself() {
    let o = hx(&["tour"], b"");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for step in [
        "1. Randomness",
        "2. Constant-time comparison",
        "3. Hashing",
        "4. Authenticated encryption",
        "5. Signatures",
        "6. Key exchange",
        "7. Safe deserialization",
        "8. The encrypted configuration manager",
    ] {
        assert!(out.contains(step), "{step}");
    }
    assert!(!out.contains("FAILED"));
    // Step 1 includes password storage.
    assert!(
        out.contains("ok a legacy Django hash verifies and is upgraded to Argon2id"),
        "{out}"
    );
    assert!(
        out.contains("ok a hostile stored hash is refused before any work"),
        "{out}"
    );
    // Step 6 includes the age round trips.
    assert!(out.contains("ok age file to the X25519 recipient"), "{out}");
    assert!(
        out.contains("ok age file to the post-quantum recipient"),
        "{out}"
    );
    // No secret of step 8 is ever printed.
    assert!(!out.contains("correct horse") && !out.contains("sk_live_tour"));
}

#[test]
fn help_completions_and_usage_errors() {
    assert_eq!(code(&hx(&["--help"], b"")), 0);
    let o = hx(&["completions", "bash"], b"");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("apikey"));
    assert_eq!(code(&hx(&["no-such-command"], b"")), 2);
    assert_eq!(code(&hx(&["token", "--unknown"], b"")), 2);
}

#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    // `hx pickle load -` waits on standard input: long enough to look at it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(["pickle", "load", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limits_path = format!("/proc/{}/limits", child.id());
    let mut line = String::new();
    for _ in 0..200 {
        let limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        line = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap_or_default()
            .to_owned();
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(4..6) == Some(&["0", "0"][..]) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.stdin.take().unwrap().write_all(b"N.");
    let _ = child.wait();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.get(4..6), Some(&["0", "0"][..]), "{line}");
}

/// `--tag` lines match coreutils' byte for byte and are read back by both;
/// the algorithm of a sums file is inferred (BSD tags, the file's name, the
/// digest's length); `-c`, `--quiet`, `--status` and `--ignore-missing`
/// behave as sha256sum's.
#[test]
fn digest_tags_inference_and_check_options_match_coreutils() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = ["a.txt", "b c.bin"];
    std::fs::write(d.join(names[0]), b"hello\n").unwrap();
    std::fs::write(d.join(names[1]), vec![0x5a; 100_000]).unwrap();
    let peer = |tool: &str, args: &[&str]| {
        let o = Command::new(tool)
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{tool} {args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    for (alg, tool, extra) in [
        ("sha256", "sha256sum", &[][..]),
        ("sha512", "sha512sum", &[]),
        ("blake2b", "b2sum", &[]),
        ("blake2b-256", "b2sum", &["-l", "256"]),
    ] {
        let ours = hx_in(
            Some(d),
            &[&["digest", "--tag", "-a", alg][..], &names[..]].concat(),
            b"",
        );
        let theirs = peer(tool, &[&["--tag"][..], extra, &names[..]].concat());
        assert_eq!(stdout(&ours), theirs, "{alg} --tag vs {tool}");
        // Both read hx's tagged lines; hx reads them without --alg.
        std::fs::write(d.join("TAGS"), &theirs).unwrap();
        peer(tool, &[&["-c"][..], extra, &["TAGS"]].concat());
        let o = hx_in(Some(d), &["digest", "-c", "TAGS"], b"");
        assert_eq!(code(&o), 0, "{alg}: {}", stderr(&o));
        assert_eq!(stdout(&o).matches(": OK").count(), 2);
    }
    // GNU lines without --alg: b2sum's output in a file named b2sums, and
    // SHA-512 by its length.
    std::fs::write(d.join("b2sums"), peer("b2sum", &names)).unwrap();
    std::fs::write(d.join("sums512"), peer("sha512sum", &names)).unwrap();
    for sums in ["b2sums", "sums512"] {
        let o = hx_in(Some(d), &["digest", "--check", sums], b"");
        assert_eq!(code(&o), 0, "{sums}: {}", stderr(&o));
    }
    // Case does not matter in algorithm names.
    assert_eq!(
        code(&hx_in(Some(d), &["digest", "-a", "SHA256", "a.txt"], b"")),
        0
    );
    // --quiet prints only failures; --status prints nothing.
    std::fs::write(d.join("SUMS"), peer("sha256sum", &names)).unwrap();
    let o = hx_in(Some(d), &["digest", "-c", "SUMS", "--quiet"], b"");
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""));
    std::fs::write(d.join("a.txt"), b"changed\n").unwrap();
    let o = hx_in(Some(d), &["digest", "-c", "SUMS", "--quiet"], b"");
    assert_eq!((code(&o), stdout(&o).as_str()), (1, "a.txt: FAILED\n"));
    let o = hx_in(Some(d), &["digest", "-c", "SUMS", "--status"], b"");
    assert_eq!(
        (code(&o), stdout(&o).as_str(), stderr(&o).as_str()),
        (1, "", "")
    );
    // --ignore-missing skips files that are gone; all gone is a failure.
    std::fs::remove_file(d.join("a.txt")).unwrap();
    let o = hx_in(Some(d), &["digest", "-c", "SUMS"], b"");
    assert_eq!(code(&o), 1);
    let o = hx_in(Some(d), &["digest", "-c", "SUMS", "--ignore-missing"], b"");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "b c.bin: OK\n");
    std::fs::remove_file(d.join("b c.bin")).unwrap();
    let o = hx_in(Some(d), &["digest", "-c", "SUMS", "--ignore-missing"], b"");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no file was verified"));
}

/// `hx hmac --verify HEX`: exit 0 for the right MAC, 1 for any other
/// (a flipped bit anywhere), 2 for a MAC that is not one.
#[test]
fn hmac_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_secret(d.join("key"), "Jefe\n");
    std::fs::write(d.join("data"), b"what do ya want for nothing?").unwrap();
    // RFC 4231 test case 2.
    let mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let o = hx_in(
        Some(d),
        &["hmac", "-k", "key", "--verify", mac, "data"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for at in [0, 31, 63] {
        let mut bad: Vec<u8> = mac.bytes().collect();
        bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        let o = hx_in(
            Some(d),
            &["hmac", "-k", "key", "--verify", &bad, "data"],
            b"",
        );
        assert_eq!(code(&o), 1, "{at}");
        assert!(stdout(&o).is_empty());
    }
    let o = hx_in(
        Some(d),
        &["hmac", "-k", "key", "--verify", &mac[..40], "data"],
        b"",
    );
    assert_eq!(code(&o), 2);
    let o = hx_in(
        Some(d),
        &["hmac", "-k", "key", "--verify", "zz", "data"],
        b"",
    );
    assert_eq!(code(&o), 2);
    // From standard input too, and with the algorithm in capitals.
    let o = hx_in(
        Some(d),
        &["hmac", "-a", "SHA256", "-k", "key", "--verify", mac],
        b"what do ya want for nothing?",
    );
    assert_eq!(code(&o), 0);
}
