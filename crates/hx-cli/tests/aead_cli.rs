//! `hx key`, `seal`, `unseal`, `rotate-token` and `fernet` against the
//! contract, with Python's `cryptography` as the Fernet peer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::{Command, Output};

mod common;
use common::{code, hx, hx_env};
use hx_test_support::{python_json, run_python_code};

fn ok(o: &Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout.clone()
}

#[test]
fn keyring_lifecycle_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = String::from_utf8(ok(&hx(d, &["key", "new", "--out", "ring"], b""))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(d.join("ring"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    assert_eq!(
        code(&hx(d, &["key", "new", "--out", "ring"], b"")),
        2,
        "no overwrite"
    );

    let token = ok(&hx(
        d,
        &["seal", "--keyring", "ring", "--context", "c"],
        b"secret\x00bytes\n",
    ));
    assert!(token.starts_with(b"hx1.") && token.ends_with(b"\n"));
    assert_eq!(
        ok(&hx(
            d,
            &["unseal", "--keyring", "ring", "--context", "c"],
            &token
        )),
        b"secret\x00bytes\n"
    );
    for (args, input) in [
        (
            &["unseal", "--keyring", "ring", "--context", "other"][..],
            &token[..],
        ),
        (
            &["unseal", "--keyring", "ring", "--context", "c"][..],
            b"hx1.garbage\n",
        ),
        (
            &["unseal", "--keyring", "ring", "--context", "c"][..],
            b"\xff\xfe",
        ),
    ] {
        let o = hx(d, args, input);
        assert_eq!(code(&o), 1);
        assert_eq!(String::from_utf8_lossy(&o.stderr), "hx: invalid token\n");
        assert!(o.stdout.is_empty(), "no plaintext on failure");
    }

    let second =
        String::from_utf8(ok(&hx(d, &["key", "rotate", "--keyring", "ring"], b""))).unwrap();
    let rotated = ok(&hx(
        d,
        &["rotate-token", "--keyring", "ring", "--context", "c"],
        &token,
    ));
    assert_ne!(rotated, token);
    let list = String::from_utf8(ok(&hx(d, &["key", "list", "--keyring", "ring"], b""))).unwrap();
    let has = |id: &str, state: &str| {
        list.lines()
            .any(|l| l.split_whitespace().take(2).eq([id, state]))
    };
    assert!(
        has(first.trim(), "active") && has(second.trim(), "primary"),
        "{first:?} {second:?} {list}"
    );
    let doc = std::fs::read_to_string(d.join("ring")).unwrap();
    let key_text = doc.lines().nth(1).unwrap().rsplit(' ').next().unwrap();
    assert!(!list.contains(key_text), "list never shows key bytes");

    ok(&hx(
        d,
        &["key", "retire", "--keyring", "ring", "--id", first.trim()],
        b"",
    ));
    assert_eq!(
        code(&hx(
            d,
            &["unseal", "--keyring", "ring", "--context", "c"],
            &token
        )),
        1
    );
    assert_eq!(
        ok(&hx(
            d,
            &["unseal", "--keyring", "ring", "--context", "c"],
            &rotated
        )),
        b"secret\x00bytes\n"
    );
    assert_eq!(
        code(&hx(
            d,
            &["key", "retire", "--keyring", "ring", "--id", second.trim()],
            b""
        )),
        2,
        "primary"
    );
    // TTL: a token issued now is fresh for 100 s.
    assert!(
        hx(
            d,
            &[
                "unseal",
                "--keyring",
                "ring",
                "--context",
                "c",
                "--ttl",
                "100"
            ],
            &rotated
        )
        .status
        .success()
    );

    // A damaged keyring is a precise usage error that shows no key bytes.
    common::write_secret(d.join("bad"), doc.replace("primary", "boss"));
    let o = hx(d, &["key", "list", "--keyring", "bad"], b"");
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad") && err.contains("checksum") && !err.contains(key_text),
        "{err}"
    );
    let o = hx(d, &["seal", "--keyring", "missing"], b"x");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing"));
}

#[test]
fn sealed_keyring_needs_its_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_secret(
        d.join("master"),
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
    );
    ok(&hx(
        d,
        &["key", "new", "--out", "ring", "--master-key-file", "master"],
        b"",
    ));
    assert!(
        std::fs::read_to_string(d.join("ring"))
            .unwrap()
            .starts_with("hx-keyring-sealed 1")
    );
    let o = hx(d, &["seal", "--keyring", "ring"], b"x");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--master-key-file"));
    let token = ok(&hx(
        d,
        &["seal", "--keyring", "ring", "--master-key-file", "master"],
        b"x",
    ));
    ok(&hx(
        d,
        &[
            "key",
            "rotate",
            "--keyring",
            "ring",
            "--master-key-file",
            "master",
        ],
        b"",
    ));
    assert!(
        std::fs::read_to_string(d.join("ring"))
            .unwrap()
            .starts_with("hx-keyring-sealed 1"),
        "stays sealed"
    );
    assert_eq!(
        ok(&hx(
            d,
            &["unseal", "--keyring", "ring", "--master-key-file", "master"],
            &token
        )),
        b"x"
    );
    common::write_secret(
        d.join("wrong"),
        "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
    );
    assert_eq!(
        code(&hx(
            d,
            &[
                "key",
                "list",
                "--keyring",
                "ring",
                "--master-key-file",
                "wrong"
            ],
            b""
        )),
        2
    );
}

fn py(script: &str, args: &[&str]) -> Vec<u8> {
    run_python_code(script, args, b"")
}

#[test]
fn fernet_commands_interoperate_with_python() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let k1 = ok(&hx(d, &["fernet", "key"], b""));
    assert_eq!(k1.len(), 45);
    let k2 = String::from_utf8(py(
        "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())",
        &[],
    ))
    .unwrap();
    common::write_secret(d.join("keys"), [&k1[..], k2.as_bytes()].concat());
    let (k1s, k2s) = (
        String::from_utf8(k1.clone()).unwrap().trim().to_owned(),
        k2.trim().to_owned(),
    );

    // hx encrypts with the first key; Python decrypts.
    let token = ok(&hx(
        d,
        &["fernet", "encrypt", "--key-file", "keys"],
        b"from hx",
    ));
    let plain = py(
        "import sys; from cryptography.fernet import Fernet; sys.stdout.buffer.write(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].strip().encode()))",
        &[&k1s, std::str::from_utf8(&token).unwrap()],
    );
    assert_eq!(plain, b"from hx");
    // Python encrypts with the second key; hx decrypts (tries every key) and rotates to the first.
    let ptoken = py(
        "import sys; from cryptography.fernet import Fernet; print(Fernet(sys.argv[1].encode()).encrypt(b'from python').decode())",
        &[&k2s],
    );
    assert_eq!(
        ok(&hx(
            d,
            &["fernet", "decrypt", "--key-file", "keys", "--ttl", "60"],
            &ptoken
        )),
        b"from python"
    );
    let rotated = ok(&hx(d, &["fernet", "rotate", "--key-file", "keys"], &ptoken));
    let check = py(
        "import sys; from cryptography.fernet import Fernet; a=Fernet(sys.argv[1].encode()); t=sys.argv[2].strip().encode(); o=sys.argv[3].strip().encode(); print(a.decrypt(t).decode(), a.extract_timestamp(t) == Fernet(sys.argv[4].encode()).extract_timestamp(o))",
        &[
            &k1s,
            std::str::from_utf8(&rotated).unwrap(),
            std::str::from_utf8(&ptoken).unwrap(),
            &k2s,
        ],
    );
    assert_eq!(String::from_utf8(check).unwrap().trim(), "from python True");

    let o = hx(
        d,
        &["fernet", "decrypt", "--key-file", "keys"],
        b"gAAAAAbad\n",
    );
    assert_eq!(code(&o), 1);
    assert_eq!(String::from_utf8_lossy(&o.stderr), "hx: invalid token\n");
    common::write_secret(d.join("badkeys"), "not-a-key\n");
    let o = hx(d, &["fernet", "encrypt", "--key-file", "badkeys"], b"x");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 1"));
}

#[test]
fn file_encryption_leaves_nothing_behind_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&hx(d, &["key", "new", "--out", "ring"], b""));
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(d.join("plain"), &data).unwrap();
    ok(&hx(
        d,
        &["encrypt", "--keyring", "ring", "plain", "sealed"],
        b"",
    ));
    ok(&hx(
        d,
        &["decrypt", "--keyring", "ring", "sealed", "back"],
        b"",
    ));
    assert_eq!(std::fs::read(d.join("back")).unwrap(), data);

    let mut sealed = std::fs::read(d.join("sealed")).unwrap();
    let n = sealed.len();
    sealed.truncate(n - 10);
    std::fs::write(d.join("truncated"), &sealed).unwrap();
    let o = hx(
        d,
        &["decrypt", "--keyring", "ring", "truncated", "out"],
        b"",
    );
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not authentic"));
    assert!(!d.join("out").exists(), "no output on failure");
    // An existing output file is refused before any work, and even with
    // --force it is left as it was when the stream fails.
    std::fs::write(d.join("out"), b"keep me").unwrap();
    let o = hx(d, &["decrypt", "--keyring", "ring", "sealed", "out"], b"");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(
        code(&hx(
            d,
            &["decrypt", "--keyring", "ring", "-f", "truncated", "out"],
            b""
        )),
        1
    );
    assert_eq!(std::fs::read(d.join("out")).unwrap(), b"keep me");
    ok(&hx(
        d,
        &["decrypt", "--keyring", "ring", "--force", "sealed", "out"],
        b"",
    ));
    assert_eq!(std::fs::read(d.join("out")).unwrap(), data);
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".hx-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files removed");
    let o = hx(d, &["encrypt", "--keyring", "ring", "missing", "x"], b"");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing"));
}

#[test]
fn staged_rotation_large_keyrings_and_form_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = String::from_utf8(ok(&hx(d, &["key", "new", "--out", "ring"], b""))).unwrap();
    let token = ok(&hx(d, &["seal", "--keyring", "ring"], b"x"));
    // Staged: add (opens, does not seal), deploy, then promote.
    let added = String::from_utf8(ok(&hx(d, &["key", "add", "--keyring", "ring"], b""))).unwrap();
    let list = String::from_utf8(ok(&hx(d, &["key", "list", "--keyring", "ring"], b""))).unwrap();
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().take(2).eq([added.trim(), "active"])),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().take(2).eq([first.trim(), "primary"])),
        "{list}"
    );
    ok(&hx(
        d,
        &["key", "promote", "--keyring", "ring", "--id", added.trim()],
        b"",
    ));
    let rotated = ok(&hx(d, &["rotate-token", "--keyring", "ring"], &token));
    assert_ne!(rotated, token);
    assert_eq!(
        code(&hx(
            d,
            &["key", "promote", "--keyring", "ring", "--id", "1"],
            b""
        )),
        2
    );

    // A master key in the environment does not seal a plain keyring on rewrite.
    common::write_secret(
        d.join("master"),
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
    );
    let child = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(["key", "rotate", "--keyring", "ring"])
        .current_dir(d)
        .env("HX_MASTER_KEY_FILE", d.join("master"))
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(
        std::fs::read_to_string(d.join("ring"))
            .unwrap()
            .starts_with("hx-keyring 1\n")
    );

    // Keyrings larger than a key file (retired keys accumulate) still load.
    let mut big = hx::aead::Keyring::generate().unwrap();
    for _ in 0..1500 {
        let id = big.add().unwrap();
        big.retire(id).unwrap();
    }
    let doc = big.to_document();
    assert!(doc.len() > 64 * 1024);
    common::write_secret(d.join("big"), doc.as_bytes());
    let list = ok(&hx(d, &["key", "list", "--keyring", "big"], b""));
    assert_eq!(String::from_utf8(list).unwrap().lines().count(), 1501);
    ok(&hx(d, &["key", "rotate", "--keyring", "big"], b""));
}

#[test]
fn key_new_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("existing"), "precious").unwrap();
    let o = hx(d, &["key", "new", "--out", "existing"], b"");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(d.join("existing")).unwrap(),
        "precious"
    );
}

/// Fernet tokens migrate from the command line: a Fernet key added to the
/// keyring as a legacy key opens them (`unseal`), and `rotate-token` turns
/// them into hx tokens with the context given, timestamp kept. The keyring
/// comes from HX_KEYRING.
#[test]
fn fernet_tokens_migrate_through_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&hx(d, &["key", "new", "-o", "ring"], b""));
    ok(&hx(d, &["fernet", "key", "-o", "fernet.key"], b""));
    let token = ok(&hx(
        d,
        &["fernet", "encrypt", "-k", "fernet.key"],
        b"legacy secret",
    ));
    let token = String::from_utf8(token).unwrap();
    let with_env = |args: &[&str], stdin: &[u8]| hx_env(d, args, &[("HX_KEYRING", "ring")], stdin);
    // Not yet: the keyring has no such key.
    assert_eq!(code(&with_env(&["unseal"], token.as_bytes())), 1);
    ok(&with_env(
        &["key", "add", "--fernet-key-file", "fernet.key"],
        b"",
    ));
    assert_eq!(
        ok(&with_env(&["unseal"], token.as_bytes())),
        b"legacy secret"
    );
    // A Fernet token has no context to check.
    assert_eq!(
        code(&with_env(&["unseal", "--context", "c"], token.as_bytes())),
        2
    );
    let migrated = ok(&with_env(
        &["rotate-token", "--context", "user:1"],
        token.as_bytes(),
    ));
    let migrated = String::from_utf8(migrated).unwrap();
    assert!(migrated.starts_with("hx1."), "{migrated}");
    assert_eq!(
        ok(&with_env(
            &["unseal", "--context", "user:1"],
            migrated.as_bytes()
        )),
        b"legacy secret"
    );
    assert_eq!(code(&with_env(&["unseal"], migrated.as_bytes())), 1);
    // A damaged Fernet token is the one invalid-token answer.
    let mut damaged = token.trim().to_owned();
    damaged.replace_range(20..21, if &damaged[20..21] == "A" { "B" } else { "A" });
    let o = with_env(&["unseal"], damaged.as_bytes());
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid token"));
}

/// `hx unseal` refuses a plaintext over the 16 MiB `hx seal` allows, even in
/// an authentic token (made here by the independent Python implementation
/// of the token, tests/interop/sealed_peer.py of hx-aead).
#[test]
fn unseal_enforces_the_token_plaintext_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&hx(d, &["key", "new", "-o", "ring"], b""));
    let doc = std::fs::read_to_string(d.join("ring")).unwrap();
    let fields: Vec<&str> = doc
        .lines()
        .find(|l| l.starts_with("key "))
        .unwrap()
        .split(' ')
        .collect();
    let key_id: u32 = fields[1].parse().unwrap();
    use base64::Engine as _;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(fields[5])
        .unwrap();
    let limit = hx::aead::MAX_TOKEN_PLAINTEXT;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let seal = |len: usize| {
        let request = serde_json::json!({
            "key_hex": hex::encode(&key),
            "key_id": key_id,
            "open": [],
            "seal": [{
                "plain_hex": hex::encode(vec![0x61u8; len]),
                "context_hex": "",
                "issued_at": now,
                "nonce_hex": hex::encode([7u8; 24]),
            }],
        });
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../hx-aead/tests/interop/sealed_peer.py"
        );
        let v = python_json(script, &[], &request);
        v["sealed"][0].as_str().unwrap().to_owned()
    };
    let at_limit = seal(limit);
    let o = hx(d, &["unseal", "-k", "ring"], at_limit.as_bytes());
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout.len(), limit);
    let over = seal(limit + 1);
    let o = hx(d, &["unseal", "-k", "ring"], over.as_bytes());
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid token"));
}
