//! `hx keygen --alg x25519|xwing`, `hx agree`, `hx pk encrypt|decrypt`
//! against the contract, with Python's `cryptography` reading what the
//! command writes (X25519 agreement, HPKE, RSA-OAEP).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Output;

mod common;
use common::{code, hx};
use hx_test_support::{python_command, run_checked};

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn agree_and_pk_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, alg) in [
        ("a", "x25519"),
        ("b", "x25519"),
        ("w", "xwing"),
        ("r", "rsa-2048"),
    ] {
        ok(&hx(
            d,
            &[
                "keygen",
                "--alg",
                alg,
                "--out",
                &format!("{name}.pem"),
                "--pub-out",
                &format!("{name}.pub"),
            ],
            b"",
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.join(format!("{name}.pem")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let printed = ok(&hx(d, &["pubkey", "--key", &format!("{name}.pem")], b""));
        assert_eq!(
            printed,
            std::fs::read_to_string(d.join(format!("{name}.pub"))).unwrap()
        );
    }
    // Both sides derive the same key; --length and --raw.
    let ab = ok(&hx(
        d,
        &["agree", "--key", "a.pem", "--peer", "b.pub", "--info", "t"],
        b"",
    ));
    let ba = ok(&hx(
        d,
        &["agree", "--key", "b.pem", "--peer", "a.pub", "--info", "t"],
        b"",
    ));
    assert_eq!(ab, ba);
    assert_eq!(ab.trim().len(), 64);
    let long = ok(&hx(
        d,
        &[
            "agree", "--key", "a.pem", "--peer", "b.pub", "--length", "64",
        ],
        b"",
    ));
    assert_eq!(long.trim().len(), 128);
    let raw = ok(&hx(
        d,
        &["agree", "--key", "a.pem", "--peer", "b.pub", "--raw"],
        b"",
    ));
    assert_ne!(raw, ab);
    assert_eq!(
        code(&hx(
            d,
            &[
                "agree", "--key", "a.pem", "--peer", "b.pub", "--length", "0"
            ],
            b""
        )),
        2
    );
    assert_eq!(
        code(&hx(d, &["agree", "--key", "w.pem", "--peer", "b.pub"], b"")),
        2
    );
    // A low-order peer key: refused (exit 1).
    let low = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END PUBLIC KEY-----\n";
    std::fs::write(d.join("low.pub"), low).unwrap();
    let out = hx(d, &["agree", "--key", "a.pem", "--peer", "low.pub"], b"");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));

    std::fs::write(d.join("msg"), b"launch codes\n").unwrap();
    for name in ["a", "w", "r"] {
        let ct = format!("{name}.ct");
        ok(&hx(
            d,
            &[
                "pk",
                "encrypt",
                "--to",
                &format!("{name}.pub"),
                "--info",
                "i",
                "--in",
                "msg",
                "--out",
                &ct,
            ],
            b"",
        ));
        let pt = format!("{name}.pt");
        ok(&hx(
            d,
            &[
                "pk",
                "decrypt",
                "--key",
                &format!("{name}.pem"),
                "--info",
                "i",
                "--in",
                &ct,
                "--out",
                &pt,
            ],
            b"",
        ));
        assert_eq!(std::fs::read(d.join(&pt)).unwrap(), b"launch codes\n");
        // Wrong info, altered ciphertext, wrong key: exit 1 and no output.
        let out = hx(
            d,
            &[
                "pk",
                "decrypt",
                "--key",
                &format!("{name}.pem"),
                "--info",
                "j",
                "--in",
                &ct,
                "--out",
                "x",
            ],
            b"",
        );
        assert_eq!(code(&out), 1);
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid ciphertext"));
        let mut bad = std::fs::read(d.join(&ct)).unwrap();
        bad[10] ^= 1;
        assert_eq!(
            code(&hx(
                d,
                &[
                    "pk",
                    "decrypt",
                    "--key",
                    &format!("{name}.pem"),
                    "--info",
                    "i",
                    "--in",
                    "-",
                    "--out",
                    "x"
                ],
                &bad
            )),
            1
        );
        assert!(!d.join("x").exists());
    }
    assert_eq!(
        code(&hx(
            d,
            &[
                "pk", "decrypt", "--key", "b.pem", "--info", "i", "--in", "a.ct", "--out", "x"
            ],
            b""
        )),
        1
    );
    // RSA-OAEP refuses messages beyond its limit with exit 2.
    std::fs::write(d.join("big"), vec![1u8; 191]).unwrap();
    let out = hx(
        d,
        &[
            "pk", "encrypt", "--to", "r.pub", "--in", "big", "--out", "x",
        ],
        b"",
    );
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 190 bytes"));
    // Signing keys are the wrong type for pk.
    ok(&hx(
        d,
        &[
            "keygen",
            "--alg",
            "ed25519",
            "--out",
            "e.pem",
            "--pub-out",
            "e.pub",
        ],
        b"",
    ));
    assert_eq!(
        code(&hx(
            d,
            &[
                "pk", "encrypt", "--to", "e.pub", "--in", "msg", "--out", "x"
            ],
            b""
        )),
        2
    );
    // And key-agreement keys are the wrong type for sign.
    assert_eq!(
        code(&hx(
            d,
            &["sign", "--key", "a.pem", "--in", "msg", "--out", "x"],
            b""
        )),
        2
    );
}

/// Python reads hx's key files, agrees on the same X25519 secret, and opens
/// hx's HPKE (X25519, X-Wing) and RSA-OAEP ciphertexts.
#[test]
fn python_reads_what_the_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"interop").unwrap();
    for (name, alg) in [
        ("a", "x25519"),
        ("b", "x25519"),
        ("w", "xwing"),
        ("r", "rsa-2048"),
    ] {
        ok(&hx(
            d,
            &[
                "keygen",
                "--alg",
                alg,
                "--out",
                &format!("{name}.pem"),
                "--pub-out",
                &format!("{name}.pub"),
            ],
            b"",
        ));
    }
    let raw = ok(&hx(
        d,
        &["agree", "--key", "a.pem", "--peer", "b.pub", "--raw"],
        b"",
    ));
    std::fs::write(d.join("raw"), raw.trim()).unwrap();
    for name in ["a", "w", "r"] {
        ok(&hx(
            d,
            &[
                "pk",
                "encrypt",
                "--to",
                &format!("{name}.pub"),
                "--info",
                "ctx",
                "--in",
                "msg",
                "--out",
                &format!("{name}.ct"),
            ],
            b"",
        ));
    }
    let script = r#"
import base64, hashlib
from cryptography.hazmat.primitives import hashes, hpke, serialization as s
from cryptography.hazmat.primitives.asymmetric import mlkem, padding, x25519
a = s.load_pem_private_key(open("a.pem", "rb").read(), None)
b = s.load_pem_public_key(open("b.pub", "rb").read())
assert a.exchange(b).hex() == open("raw").read()
suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
assert suite.decrypt(open("a.ct", "rb").read(), a, info=b"ctx") == b"interop"
der = base64.b64decode("".join(l for l in open("w.pem").read().splitlines() if not l.startswith("-----")))
e = hashlib.shake_256(der[-32:]).digest(96)
w = hpke.MLKEM768X25519PrivateKey(mlkem.MLKEM768PrivateKey.from_seed_bytes(e[:64]), x25519.X25519PrivateKey.from_private_bytes(e[64:]))
xsuite = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
assert xsuite.decrypt(open("w.ct", "rb").read(), w, info=b"ctx") == b"interop"
r = s.load_pem_private_key(open("r.pem", "rb").read(), None)
oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=b"ctx")
assert r.decrypt(open("r.ct", "rb").read(), oaep) == b"interop"
print("ok")
"#;
    run_checked(python_command().arg("-c").arg(script).current_dir(d), b"");
}

/// The keys people already have: `hx pk` encrypts to an age recipient
/// (`age1…` from `age-keygen -y`, or `age1pq1…`) and decrypts with the age
/// identity file, as written by `age-keygen` (X25519) or by hx (post-quantum).
#[test]
fn age_keys_encrypt_and_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_checked(
        hx_test_support::peer_tool("age-keygen", "age")
            .arg("-o")
            .arg(d.join("x25519.txt")),
        b"",
    );
    let recipient = run_checked(
        hx_test_support::peer_tool("age-keygen", "age")
            .arg("-y")
            .arg(d.join("x25519.txt")),
        b"",
    );
    std::fs::write(d.join("x25519.pub"), &recipient).unwrap();
    let pq = hx::kex::xwing::PrivateKey::generate().unwrap();
    hx_test_support::write_secret(d.join("pq.txt"), format!("{}\n", *pq.to_age().to_encoded()));
    std::fs::write(
        d.join("pq.pub"),
        format!("{}\n", pq.public_key().to_age().unwrap()),
    )
    .unwrap();
    for name in ["x25519", "pq"] {
        let (public, private) = (format!("{name}.pub"), format!("{name}.txt"));
        let sealed = hx(
            d,
            &["pk", "encrypt", "--to", &public, "--in", "-", "--out", "-"],
            b"the launch codes",
        );
        assert!(
            sealed.status.success(),
            "{}",
            String::from_utf8_lossy(&sealed.stderr)
        );
        let opened = hx(
            d,
            &[
                "pk", "decrypt", "--key", &private, "--in", "-", "--out", "-",
            ],
            &sealed.stdout,
        );
        assert!(
            opened.status.success(),
            "{}",
            String::from_utf8_lossy(&opened.stderr)
        );
        assert_eq!(opened.stdout, b"the launch codes", "{name}");
    }
}
