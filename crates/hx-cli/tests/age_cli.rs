//! `hx age` and `hx age keygen` against the peers, both ways: Debian's `age`
//! and `age-keygen` (Go) for X25519, several recipients, armor and OpenSSH
//! keys from `ssh-keygen`; `pyrage` (rage's bindings) for passphrases; an
//! independent Python implementation of the post-quantum type on
//! `cryptography`'s HPKE (`tests/interop/age_pq_peer.py`). And the command
//! contract: no clobbering, nothing left on failure, secret modes, bounded
//! work, a no-echo prompt.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::path::Path;
use std::process::Output;

mod common;
use common::{code, hx};
use hx_test_support::{peer_tool, python_command, run_checked, write_secret};

fn ok(o: &Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout.clone()
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap().trim().to_owned()
}

fn age(d: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    run_checked(peer_tool("age", "age").args(args).current_dir(d), stdin)
}

fn pq_peer(d: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/age_pq_peer.py");
    run_checked(
        python_command().arg(script).args(args).current_dir(d),
        stdin,
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// 200 KiB crosses chunk boundaries (64 KiB chunks).
fn message() -> Vec<u8> {
    (0..200 * 1024u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn x25519_with_age_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let msg = message();
    std::fs::write(d.join("msg"), &msg).unwrap();

    // hx's identity, age's encryption.
    let keygen = hx(d, &["age", "keygen", "-o", "hx.key"], b"");
    ok(&keygen);
    assert_eq!(mode(&d.join("hx.key")), 0o600);
    let recipient = text(ok(&hx(d, &["age", "keygen", "-y", "hx.key"], b"")));
    assert!(
        String::from_utf8_lossy(&keygen.stderr).contains(&format!("Public key: {recipient}")),
        "age-keygen's stderr line"
    );
    let file = std::fs::read_to_string(d.join("hx.key")).unwrap();
    assert!(file.starts_with("# created: "), "{file}");
    assert!(file.contains(&format!("# public key: {recipient}\n")));
    assert_eq!(
        text(run_checked(
            peer_tool("age-keygen", "age")
                .arg("-y")
                .arg(d.join("hx.key")),
            b""
        )),
        recipient
    );
    let sealed = age(d, &["-r", &recipient], &msg);
    assert_eq!(ok(&hx(d, &["age", "-d", "-i", "hx.key"], &sealed)), msg);

    // age-keygen's identity, hx's encryption (binary and armored).
    run_checked(
        peer_tool("age-keygen", "age")
            .arg("-o")
            .arg(d.join("age.key")),
        b"",
    );
    let theirs = text(run_checked(
        peer_tool("age-keygen", "age")
            .arg("-y")
            .arg(d.join("age.key")),
        b"",
    ));
    for armor in [false, true] {
        let mut args = vec!["age", "-r", &theirs, "-o", "out.age"];
        if armor {
            args.push("-a");
        }
        args.push("msg");
        ok(&hx(d, &args, b""));
        let out = std::fs::read(d.join("out.age")).unwrap();
        assert_eq!(
            out.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----\n"),
            armor
        );
        assert_eq!(age(d, &["-d", "-i", "age.key", "out.age"], b""), msg);
        std::fs::remove_file(d.join("out.age")).unwrap();
    }
    // age's armor, read by hx.
    let armored = age(d, &["-a", "-r", &recipient], &msg);
    assert_eq!(ok(&hx(d, &["age", "-d", "-i", "hx.key"], &armored)), msg);

    // Several recipients, from -r and -R: each identity opens the file.
    std::fs::write(d.join("team"), format!("# the team\n{theirs}\n\n")).unwrap();
    let both = ok(&hx(d, &["age", "-r", &recipient, "-R", "team"], &msg));
    assert_eq!(age(d, &["-d", "-i", "age.key"], &both), msg);
    assert_eq!(age(d, &["-d", "-i", "hx.key"], &both), msg);
    assert_eq!(ok(&hx(d, &["age", "-d", "-i", "age.key"], &both)), msg);
}

#[test]
fn ssh_keys_with_age_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let msg = message();
    for (name, args) in [
        ("ed", &["-t", "ed25519"][..]),
        ("rsa", &["-t", "rsa", "-b", "3072"][..]),
    ] {
        run_checked(
            peer_tool("ssh-keygen", "openssh-client")
                .args(["-q", "-N", "", "-C", "me@host"])
                .args(args)
                .arg("-f")
                .arg(d.join(name)),
            b"",
        );
        let line = std::fs::read_to_string(d.join(format!("{name}.pub"))).unwrap();
        let sealed = ok(&hx(d, &["age", "-r", line.trim()], &msg));
        assert_eq!(
            age(d, &["-d", "-i", name], &sealed),
            msg,
            "{name}: age opens hx's"
        );
        let theirs = age(d, &["-R", &format!("{name}.pub")], &msg);
        assert_eq!(
            ok(&hx(d, &["age", "-d", "-i", name], &theirs)),
            msg,
            "{name}: hx opens age's"
        );
    }
}

#[test]
fn passphrases_with_pyrage_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_secret(d.join("pw"), "correct horse battery\n");
    let msg = b"a passphrase-protected note".to_vec();
    let sealed = ok(&hx(d, &["age", "-p", "--passphrase-file", "pw"], &msg));
    let code_py = "import pyrage, sys; sys.stdout.buffer.write(pyrage.passphrase.decrypt(sys.stdin.buffer.read(), 'correct horse battery'))";
    let opened = run_checked(python_command().args(["-c", code_py]), &sealed);
    assert_eq!(opened, msg);
    let code_py = "import pyrage, sys; sys.stdout.buffer.write(pyrage.passphrase.encrypt(sys.stdin.buffer.read(), 'correct horse battery'))";
    let theirs = run_checked(python_command().args(["-c", code_py]), &msg);
    assert_eq!(
        ok(&hx(d, &["age", "-d", "--passphrase-file", "pw"], &theirs)),
        msg
    );
    // A wrong passphrase: exit 1, nothing written.
    write_secret(d.join("wrong"), "wrong horse\n");
    let o = hx(
        d,
        &["age", "-d", "--passphrase-file", "wrong", "-o", "out"],
        &theirs,
    );
    assert_eq!(code(&o), 1);
    assert!(!d.join("out").exists());
    // The reader bounds the work factor: hx writes 2^18; a limit of 2^16 refuses.
    let o = hx(
        d,
        &[
            "age",
            "-d",
            "--passphrase-file",
            "pw",
            "--max-work-factor",
            "16",
        ],
        &sealed,
    );
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("work factor"));
    // A passphrase and a recipient do not mix.
    let o = hx(
        d,
        &[
            "age",
            "-p",
            "--passphrase-file",
            "pw",
            "-r",
            "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
        ],
        b"x",
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn post_quantum_with_python_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let msg = message();
    // hx's identity: the Python peer derives the same recipient and opens
    // hx's file.
    ok(&hx(d, &["age", "keygen", "--pq", "-o", "pq.key"], b""));
    let recipient = text(ok(&hx(d, &["age", "keygen", "-y", "pq.key"], b"")));
    assert!(recipient.starts_with("age1pq1"));
    let identity = std::fs::read_to_string(d.join("pq.key")).unwrap();
    let identity = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-PQ-1"))
        .unwrap();
    assert_eq!(text(pq_peer(d, &["recipient", identity], b"")), recipient);
    let sealed = ok(&hx(d, &["age", "-r", &recipient], &msg));
    assert_eq!(pq_peer(d, &["decrypt", "pq.key"], &sealed), msg);
    // The Python peer's identity and file, opened by hx.
    let pair = text(pq_peer(d, &["keygen"], b""));
    let (their_identity, their_recipient) = pair.split_once(' ').unwrap();
    write_secret(d.join("py.key"), format!("{their_identity}\n"));
    assert_eq!(
        text(ok(&hx(d, &["age", "keygen", "-y", "py.key"], b""))),
        their_recipient
    );
    let theirs = pq_peer(d, &["encrypt", their_recipient], &msg);
    assert_eq!(ok(&hx(d, &["age", "-d", "-i", "py.key"], &theirs)), msg);
    // Not mixed with a classical recipient.
    let o = hx(
        d,
        &[
            "age",
            "-r",
            &recipient,
            "-r",
            "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
        ],
        b"x",
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("post-quantum"));
}

#[test]
fn outputs_follow_the_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&hx(d, &["age", "keygen", "-o", "a.key"], b""));
    ok(&hx(d, &["age", "keygen", "-o", "b.key"], b""));
    let a = text(ok(&hx(d, &["age", "keygen", "-y", "a.key"], b"")));
    std::fs::write(d.join("msg"), b"hello").unwrap();
    // No clobbering: keygen and encrypt refuse an existing output.
    std::fs::write(d.join("taken"), b"keep me").unwrap();
    assert_eq!(code(&hx(d, &["age", "keygen", "-o", "taken"], b"")), 2);
    assert_eq!(
        code(&hx(d, &["age", "-r", &a, "-o", "taken", "msg"], b"")),
        2
    );
    assert_eq!(std::fs::read(d.join("taken")).unwrap(), b"keep me");
    ok(&hx(
        d,
        &["age", "-r", &a, "-o", "taken", "--force", "msg"],
        b"",
    ));
    // Decrypted output is a secret file; nothing is left when no identity
    // matches or the file is damaged.
    ok(&hx(
        d,
        &["age", "-d", "-i", "a.key", "-o", "plain", "taken"],
        b"",
    ));
    assert_eq!(mode(&d.join("plain")), 0o600);
    let o = hx(
        d,
        &["age", "-d", "-i", "b.key", "-o", "other", "taken"],
        b"",
    );
    assert_eq!(code(&o), 1);
    assert!(!d.join("other").exists());
    let mut damaged = std::fs::read(d.join("taken")).unwrap();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let o = hx(d, &["age", "-d", "-i", "a.key", "-o", "other"], &damaged);
    assert_eq!(code(&o), 1);
    assert!(!d.join("other").exists());
    // An identity file others can read is refused.
    std::fs::write(d.join("open.key"), std::fs::read(d.join("a.key")).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("open.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert_eq!(
            code(&hx(d, &["age", "-d", "-i", "open.key", "taken"], b"")),
            2
        );
    }
    // Usage errors.
    assert_eq!(code(&hx(d, &["age", "msg"], b"")), 2);
    assert_eq!(code(&hx(d, &["age", "-r", "nope", "msg"], b"")), 2);
    assert_eq!(code(&hx(d, &["age", "-d", "taken"], b"")), 2);
    // Without a terminal, -p asks for --passphrase-file instead of hanging.
    let o = hx(d, &["age", "-p", "msg"], b"");
    assert_eq!(code(&o), 2);
}

/// `-p` on a terminal asks twice without echo (util-linux's `script` gives
/// hx a pseudo-terminal); the passphrase never shows in the transcript.
#[test]
fn the_passphrase_prompt_does_not_echo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"typed secret").unwrap();
    let o = common::hx_at_terminal(
        d,
        "age -p -o out.age msg",
        &["s3cret-typed", "s3cret-typed"],
    );
    let transcript = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{transcript}");
    assert!(transcript.contains("Passphrase:"), "{transcript}");
    assert!(!transcript.contains("s3cret-typed"), "echoed: {transcript}");
    write_secret(d.join("pw"), "s3cret-typed\n");
    assert_eq!(
        ok(&hx(
            d,
            &["age", "-d", "--passphrase-file", "pw", "out.age"],
            b""
        )),
        b"typed secret"
    );
}
