//! `hx keygen`, `pubkey`, `sign` and `verify` against the contract
//! (docs/CLI.md): file modes, exit statuses, refusals, and Python's
//! `cryptography` reading what the command writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{code, hx};
use hx_test_support::{python_command, run_checked};

fn ok(o: &Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout.clone()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_sign_verify_for_each_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"ship it\n").unwrap();
    for alg in ["ed25519", "rsa-2048"] {
        let (private, public, sig) = (
            format!("{alg}.pem"),
            format!("{alg}.pub"),
            format!("{alg}.sig"),
        );
        ok(&hx(
            d,
            &[
                "keygen",
                "--alg",
                alg,
                "--out",
                &private,
                "--pub-out",
                &public,
            ],
            b"",
        ));
        #[cfg(unix)]
        assert_eq!(mode(&d.join(&private)), 0o600);
        let pem = std::fs::read_to_string(d.join(&private)).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{alg}");
        // `hx pubkey` prints exactly the public key file.
        let printed = ok(&hx(d, &["pubkey", "--key", &private], b""));
        assert_eq!(printed, std::fs::read(d.join(&public)).unwrap());

        ok(&hx(
            d,
            &["sign", "--key", &private, "--in", "msg", "--out", &sig],
            b"",
        ));
        let expected_len = if alg == "ed25519" { 64 } else { 256 };
        assert_eq!(std::fs::read(d.join(&sig)).unwrap().len(), expected_len);
        assert_eq!(
            code(&hx(
                d,
                &["verify", "--pub", &public, "--in", "msg", "--sig", &sig],
                b""
            )),
            0
        );
        // Standard input as the message.
        assert_eq!(
            code(&hx(
                d,
                &["verify", "--pub", &public, "--in", "-", "--sig", &sig],
                b"ship it\n"
            )),
            0
        );
        // Another message, a flipped signature bit: exit 1.
        assert_eq!(
            code(&hx(
                d,
                &["verify", "--pub", &public, "--in", "-", "--sig", &sig],
                b"ship it!\n"
            )),
            1
        );
        let mut bad = std::fs::read(d.join(&sig)).unwrap();
        bad[3] ^= 1;
        std::fs::write(d.join("bad.sig"), &bad).unwrap();
        let out = hx(
            d,
            &[
                "verify", "--pub", &public, "--in", "msg", "--sig", "bad.sig",
            ],
            b"",
        );
        assert_eq!(code(&out), 1);
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid signature"));
        // A truncated signature is a rejection too, not a usage error.
        std::fs::write(d.join("short.sig"), &bad[..10]).unwrap();
        assert_eq!(
            code(&hx(
                d,
                &[
                    "verify",
                    "--pub",
                    &public,
                    "--in",
                    "msg",
                    "--sig",
                    "short.sig"
                ],
                b""
            )),
            1
        );
        // Keys are never overwritten.
        assert_eq!(
            code(&hx(d, &["keygen", "--alg", alg, "--out", &private], b"")),
            2
        );
        assert_eq!(std::fs::read_to_string(d.join(&private)).unwrap(), pem);
    }
    // An Ed25519 signature does not verify under the RSA key: exit 1.
    assert_eq!(
        code(&hx(
            d,
            &[
                "verify",
                "--pub",
                "rsa-2048.pub",
                "--in",
                "msg",
                "--sig",
                "ed25519.sig"
            ],
            b""
        )),
        1
    );
}

#[test]
fn unusable_keys_are_usage_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"m").unwrap();
    std::fs::write(d.join("sig"), [0u8; 64]).unwrap();
    ok(&hx(
        d,
        &[
            "keygen",
            "--alg",
            "ed25519",
            "--out",
            "k.pem",
            "--pub-out",
            "k.pub",
        ],
        b"",
    ));
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../hx-sign/tests/data/");
    for (file, needle) in [
        ("ed25519-encrypted.pem", "the key is encrypted"),
        ("rsa1024-private.pem", "1024 bits"),
        ("x25519-private.pem", "x25519"),
        ("p256-private.pem", "1.2.840.10045.2.1"),
    ] {
        common::write_secret(
            d.join(file),
            std::fs::read(format!("{data}{file}")).unwrap(),
        );
        let out = hx(
            d,
            &["sign", "--key", file, "--in", "msg", "--out", "out.sig"],
            b"",
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{file}: {err}");
        assert!(err.contains(file) && err.contains(needle), "{file}: {err}");
        assert!(!d.join("out.sig").exists());
    }
    // A private key where the public one is expected, a missing file, junk.
    assert_eq!(
        code(&hx(
            d,
            &["verify", "--pub", "k.pem", "--in", "msg", "--sig", "sig"],
            b""
        )),
        2
    );
    assert_eq!(
        code(&hx(
            d,
            &["verify", "--pub", "nope.pub", "--in", "msg", "--sig", "sig"],
            b""
        )),
        2
    );
    assert_eq!(
        code(&hx(
            d,
            &["sign", "--key", "msg", "--in", "msg", "--out", "s"],
            b""
        )),
        2
    );
    assert_eq!(code(&hx(d, &["pubkey", "--key", "k.pub"], b"")), 2);
    assert_eq!(
        code(&hx(
            d,
            &["keygen", "--alg", "rsa-1024", "--out", "r.pem"],
            b""
        )),
        2
    );
    assert_eq!(
        code(&hx(d, &["keygen", "--alg", "dsa", "--out", "r.pem"], b"")),
        2
    );
    assert!(!d.join("r.pem").exists());
    // Key material never appears in messages.
    let pem = std::fs::read_to_string(d.join("k.pem")).unwrap();
    let body = pem.lines().nth(1).unwrap();
    let out = hx(
        d,
        &["verify", "--pub", "k.pem", "--in", "msg", "--sig", "sig"],
        b"",
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&body[10..]));
}

/// What the command writes, Python's `cryptography` reads and verifies.
#[test]
fn python_reads_keys_and_verifies_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"interop").unwrap();
    for alg in ["ed25519", "rsa-2048"] {
        ok(&hx(
            d,
            &[
                "keygen",
                "--alg",
                alg,
                "--out",
                &format!("{alg}.pem"),
                "--pub-out",
                &format!("{alg}.pub"),
            ],
            b"",
        ));
        ok(&hx(
            d,
            &[
                "sign",
                "--key",
                &format!("{alg}.pem"),
                "--in",
                "msg",
                "--out",
                &format!("{alg}.sig"),
            ],
            b"",
        ));
    }
    let script = r#"
import sys
from cryptography.hazmat.primitives import hashes, serialization as s
from cryptography.hazmat.primitives.asymmetric import padding, ed25519, rsa
msg = open("msg", "rb").read()
for alg in ("ed25519", "rsa-2048"):
    priv = s.load_pem_private_key(open(alg + ".pem", "rb").read(), None)
    pub = s.load_pem_public_key(open(alg + ".pub", "rb").read())
    assert priv.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo) == pub.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    sig = open(alg + ".sig", "rb").read()
    if isinstance(pub, ed25519.Ed25519PublicKey):
        pub.verify(sig, msg)
    else:
        pub.verify(sig, msg, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
print("ok")
"#;
    run_checked(python_command().arg("-c").arg(script).current_dir(d), b"");
}

/// `openssl dgst -sha256 -sign` makes PKCS#1 v1.5 signatures by default:
/// `hx verify --scheme pkcs1v15` accepts them, and a plain `hx verify`
/// (RSA-PSS) refuses them with a message that names the option.
#[test]
fn verify_reads_openssl_pkcs1v15_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "RSA-2048",
            "-o",
            "k.pem",
            "--pub-out",
            "k.pub",
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(d.join("msg"), b"signed by openssl\n").unwrap();
    let o = Command::new("openssl")
        .args([
            "dgst", "-sha256", "-sign", "k.pem", "-out", "msg.sig", "msg",
        ])
        .current_dir(d)
        .output()
        .expect("openssl is the peer of hx verify --scheme pkcs1v15");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--pub", "k.pub", "-i", "msg", "-s", "msg.sig"];
        args.extend_from_slice(extra);
        hx(d, &args, b"")
    };
    let o = verify(&["--scheme", "pkcs1v15"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = verify(&[]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--scheme pkcs1v15"));
    // A changed message fails under either scheme.
    std::fs::write(d.join("msg"), b"signed by openssl!\n").unwrap();
    assert_eq!(code(&verify(&["--scheme", "pkcs1v15"])), 1);
    // The option is for RSA keys only.
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            "e.pem",
            "--pub-out",
            "e.pub",
        ],
        b"",
    );
    assert_eq!(code(&o), 0);
    let o = hx(
        d,
        &[
            "verify", "--pub", "e.pub", "-i", "msg", "-s", "msg.sig", "--scheme", "pkcs1v15",
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
}

/// The messages users hit, fixed: each names the file and says what is
/// expected, once.
#[test]
fn messages_say_what_is_wrong_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    // Sizes hx cannot generate: no contradiction with what it reads.
    let o = hx(d, &["keygen", "--alg", "rsa-8192", "-o", "big.pem"], b"");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("rsa-4096") && !stderr(&o).contains("accepts"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("big.pem").exists());
    // Algorithms in any case.
    assert_eq!(
        code(&hx(d, &["keygen", "--alg", "ED25519", "-o", "e.pem"], b"")),
        0
    );
    // A SEC1 EC key: not supported, said so.
    let ec = Command::new("openssl")
        .args(["ecparam", "-genkey", "-name", "prime256v1", "-noout"])
        .output()
        .expect("openssl makes the SEC1 key");
    assert!(String::from_utf8_lossy(&ec.stdout).contains("BEGIN EC PRIVATE KEY"));
    let ec = ec.stdout;
    common::write_secret(d.join("ec.pem"), ec);
    let o = hx(d, &["pubkey", "-k", "ec.pem"], b"");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("ec.pem") && stderr(&o).contains("EC"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("not supported"), "{}", stderr(&o));
    // The path once, at the start.
    assert_eq!(stderr(&o).matches("ec.pem").count(), 1, "{}", stderr(&o));
    // A wrong key type, in words.
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "x25519",
            "-o",
            "x.pem",
            "--pub-out",
            "x.pub",
        ],
        b"",
    );
    assert_eq!(code(&o), 0);
    std::fs::write(d.join("m"), b"m").unwrap();
    let o = hx(d, &["sign", "-k", "x.pem", "-i", "m", "-o", "m.sig"], b"");
    assert_eq!(code(&o), 2);
    assert!(
        !stderr(&o).contains(" a x25519") && !stderr(&o).contains(" a ed25519"),
        "{}",
        stderr(&o)
    );
    // A directory where a file is expected, named.
    std::fs::create_dir(d.join("adir")).unwrap();
    assert_eq!(code(&hx(d, &["key", "new", "-o", "ring"], b"")), 0);
    let o = hx(d, &["encrypt", "-k", "ring", "adir", "out"], b"");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("adir"), "{}", stderr(&o));
    // A binary master key file: what the file should hold.
    common::write_secret(d.join("master"), [0xffu8, 0xfe, 0x00, 0x80]);
    let o = hx(
        d,
        &["key", "new", "-o", "r2", "--master-key-file", "master"],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("base64url") && stderr(&o).contains("master"),
        "{}",
        stderr(&o)
    );
    // Ranges in words, not Rust syntax.
    let o = hx(d, &["token", "--bytes", "0"], b"");
    assert!(!stderr(&o).contains("..="), "{}", stderr(&o));
}

/// RSA-PSS signs and verifies a file of any size by streaming its SHA-256
/// (here a sparse file just over the 1 GiB that used to be the limit),
/// and OpenSSL agrees with the signature.
#[test]
fn rsa_signs_files_of_any_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "rsa-2048",
            "-o",
            "k.pem",
            "--pub-out",
            "k.pub",
        ],
        b"",
    );
    assert_eq!(code(&o), 0);
    let big = std::fs::File::create(d.join("big")).unwrap();
    big.set_len((1 << 30) + 4096).unwrap();
    drop(big);
    let o = hx(
        d,
        &["sign", "-k", "k.pem", "-i", "big", "-o", "big.sig"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = hx(
        d,
        &["verify", "--pub", "k.pub", "-i", "big", "-s", "big.sig"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-verify",
            "k.pub",
            "-signature",
            "big.sig",
            "big",
        ])
        .current_dir(d)
        .output()
        .expect("openssl verifies hx's RSA-PSS signatures");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // One byte more and it no longer verifies.
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("big"))
        .unwrap();
    f.set_len((1 << 30) + 4097).unwrap();
    let o = hx(
        d,
        &["verify", "--pub", "k.pub", "-i", "big", "-s", "big.sig"],
        b"",
    );
    assert_eq!(code(&o), 1);
}

/// The keys people already have: `hx sign` takes an OpenSSH private key as
/// `ssh-keygen` writes it (Ed25519 and RSA), `hx verify` its `.pub` line.
#[test]
fn openssh_keys_sign_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"deploy 1.2.3\n").unwrap();
    for (name, args) in [
        ("id_ed25519", &["-t", "ed25519"][..]),
        ("id_rsa", &["-t", "rsa", "-b", "2048"][..]),
    ] {
        run_checked(
            hx_test_support::peer_tool("ssh-keygen", "openssh-client")
                .args(["-q", "-N", "", "-C", "me@host"])
                .args(args)
                .arg("-f")
                .arg(d.join(name)),
            b"",
        );
        let sig = format!("{name}.sig");
        ok(&hx(d, &["sign", "-k", name, "-i", "msg", "-o", &sig], b""));
        let public = format!("{name}.pub");
        ok(&hx(
            d,
            &["verify", "--pub", &public, "--in", "msg", "--sig", &sig],
            b"",
        ));
        std::fs::write(d.join("other"), b"deploy 6.6.6\n").unwrap();
        let bad = hx(
            d,
            &["verify", "--pub", &public, "--in", "other", "--sig", &sig],
            b"",
        );
        assert_eq!(code(&bad), 1, "{name}");
    }
    // An encrypted OpenSSH key is refused by name, not as "malformed".
    run_checked(
        hx_test_support::peer_tool("ssh-keygen", "openssh-client")
            .args(["-q", "-t", "ed25519", "-N", "a passphrase", "-f"])
            .arg(d.join("locked")),
        b"",
    );
    let refused = hx(
        d,
        &["sign", "-k", "locked", "-i", "msg", "-o", "locked.sig"],
        b"",
    );
    assert_ne!(code(&refused), 0);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("encrypted"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!d.join("locked.sig").exists());
}
