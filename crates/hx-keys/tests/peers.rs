//! Keys against the programs that make them: Debian's `age-keygen` and
//! `age` (Go), and OpenSSH's `ssh-keygen`, both ways. A missing program
//! fails the test (`.ci/run` installs packages `age` and `openssh-client`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::Command;

use hx_keys::age::{self, Identity, Recipient};
use hx_keys::keyfile::{self, KeyFile};
use hx_keys::openssh::{PrivateKey, PublicKey};
use hx_keys::{Algorithm, Error};
use hx_test_support::{SplitMix64, peer_seed, peer_tool, run_checked, write_secret};
use x25519_dalek::StaticSecret;

fn age_keygen() -> Command {
    peer_tool("age-keygen", "age")
}

fn ssh_keygen() -> Command {
    peer_tool("ssh-keygen", "openssh-client")
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

fn derive(identity: &Identity) -> Recipient {
    let public = x25519_dalek::PublicKey::from(&StaticSecret::from(*identity.secret()));
    Recipient::new(Algorithm::X25519, public.as_bytes().to_vec()).unwrap()
}

/// age-keygen's identity files parse; the recipient hx derives is the one
/// age-keygen wrote beside it and prints with `-y`.
#[test]
fn identities_age_keygen_makes() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..4 {
        let path = dir.path().join(format!("key{i}.txt"));
        run_checked(age_keygen().arg("-o").arg(&path), b"");
        let file = std::fs::read(&path).unwrap();
        let identities = age::read_identity_file(&file).unwrap();
        assert_eq!(identities.len(), 1);
        let identity = &identities[0];
        assert_eq!(identity.algorithm(), Algorithm::X25519);
        // Re-encoded: the line age-keygen wrote.
        let line = text(file.clone())
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap()
            .to_owned();
        assert_eq!(*identity.to_encoded(), line);
        let printed = text(run_checked(age_keygen().arg("-y").arg(&path), b""));
        let recipient: Recipient = printed.trim().parse().unwrap();
        assert_eq!(derive(identity), recipient);
        assert!(
            text(file).contains(&format!("# public key: {recipient}\n")),
            "the comment line names the same recipient"
        );
        // And as a key file.
        match keyfile::read(&std::fs::read(&path).unwrap()).unwrap() {
            KeyFile::Private { algorithm, .. } => assert_eq!(algorithm, Algorithm::X25519),
            KeyFile::Public { .. } => panic!("an identity file"),
        }
    }
}

/// Identities hx encodes are read by age-keygen, which derives the recipient
/// hx derives; age encrypts to that recipient and decrypts with hx's file.
#[test]
fn identities_hx_encodes_work_in_age() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = SplitMix64::new(peer_seed());
    for i in 0..4 {
        let secret: [u8; 32] = rng.bytes(32).try_into().unwrap();
        let identity = Identity::new(Algorithm::X25519, secret).unwrap();
        let recipient = derive(&identity);
        let path = dir.path().join(format!("hx{i}.txt"));
        write_secret(
            &path,
            format!("# public key: {recipient}\n{}\n", *identity.to_encoded()),
        );
        let printed = text(run_checked(age_keygen().arg("-y").arg(&path), b""));
        assert_eq!(printed.trim(), recipient.to_string());
        let message = rng.bytes(100);
        let sealed = run_checked(
            peer_tool("age", "age").args(["-r", &recipient.to_string()]),
            &message,
        );
        let opened = run_checked(
            peer_tool("age", "age").arg("-d").arg("-i").arg(&path),
            &sealed,
        );
        assert_eq!(opened, message);
    }
}

fn keygen(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    run_checked(
        ssh_keygen()
            .args(["-q", "-N", "", "-C", &format!("{name}@hx-test")])
            .args(args)
            .arg("-f")
            .arg(&path),
        b"",
    );
    path
}

/// ssh-keygen's keys: the private file re-encodes byte for byte, its public
/// half is the `.pub` line, the fingerprint is `ssh-keygen -l`'s, and the
/// PKCS#8 hx derives for RSA is the one `ssh-keygen -p -m PKCS8` writes.
#[test]
fn keys_ssh_keygen_makes() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args, algorithm) in [
        ("ed25519", &["-t", "ed25519"][..], Algorithm::Ed25519),
        (
            "rsa2048",
            &["-t", "rsa", "-b", "2048"][..],
            Algorithm::Rsa { bits: 2048 },
        ),
        (
            "rsa3072",
            &["-t", "rsa", "-b", "3072"][..],
            Algorithm::Rsa { bits: 3072 },
        ),
    ] {
        let path = keygen(dir.path(), name, args);
        let file = std::fs::read(&path).unwrap();
        let key = PrivateKey::from_openssh(&file).unwrap();
        assert_eq!(key.algorithm(), algorithm, "{name}");
        assert_eq!(key.to_openssh().unwrap().as_bytes(), &file[..], "{name}");

        let pub_line = std::fs::read_to_string(path.with_extension("pub")).unwrap();
        let public: PublicKey = pub_line.parse().unwrap();
        assert_eq!(&public, key.public_key(), "{name}");
        assert_eq!(public.to_string(), pub_line.trim_end(), "{name}");
        assert_eq!(public.comment(), format!("{name}@hx-test"));
        let listed = text(run_checked(
            ssh_keygen()
                .args(["-l", "-E", "sha256", "-f"])
                .arg(path.with_extension("pub")),
            b"",
        ));
        assert_eq!(
            listed.split(' ').nth(1).unwrap(),
            public.fingerprint(),
            "{name}"
        );

        // Through PKCS#8 and back: the same OpenSSH file (same comment; the
        // check integer is derived again, so compare the keys, not bytes).
        let pkcs8 = key.to_pkcs8().unwrap();
        let again = PrivateKey::from_pkcs8(&pkcs8, public.comment()).unwrap();
        assert_eq!(again.public_key(), key.public_key(), "{name}");
        assert_eq!(*again.to_pkcs8().unwrap(), *pkcs8, "{name}");
        // hx's OpenSSH file is read by ssh-keygen, which derives the same
        // public key.
        let ours = dir.path().join(format!("{name}-hx"));
        write_secret(&ours, again.to_openssh().unwrap().as_bytes());
        let derived = text(run_checked(
            ssh_keygen().arg("-y").arg("-f").arg(&ours),
            b"",
        ));
        let derived: PublicKey = derived.parse().unwrap();
        assert_eq!(
            derived.with_comment(""),
            public.clone().with_comment(""),
            "{name}"
        );

        // As key files, private and public.
        match keyfile::read(&file).unwrap() {
            KeyFile::Private {
                algorithm: a,
                pkcs8: p,
            } => {
                assert_eq!(a, algorithm);
                assert_eq!(*p, *pkcs8);
            }
            KeyFile::Public { .. } => panic!("{name}"),
        }
        match keyfile::read(pub_line.as_bytes()).unwrap() {
            KeyFile::Public { algorithm: a, spki } => {
                assert_eq!(a, algorithm);
                assert_eq!(spki, public.to_spki().unwrap());
                assert_eq!(
                    PublicKey::from_spki(&spki, public.comment()).unwrap(),
                    public
                );
            }
            KeyFile::Private { .. } => panic!("{name}"),
        }

        if matches!(algorithm, Algorithm::Rsa { .. }) {
            // OpenSSH converts RSA keys to PKCS#8 (through OpenSSL): the same
            // DER, CRT exponents included.
            let converted = dir.path().join(format!("{name}-pkcs8"));
            std::fs::copy(&path, &converted).unwrap();
            run_checked(
                ssh_keygen()
                    .args(["-q", "-p", "-N", "", "-P", "", "-m", "PKCS8", "-f"])
                    .arg(&converted),
                b"",
            );
            match keyfile::read(&std::fs::read(&converted).unwrap()).unwrap() {
                KeyFile::Private { pkcs8: theirs, .. } => assert_eq!(*theirs, *pkcs8, "{name}"),
                KeyFile::Public { .. } => panic!("{name}"),
            }
            // And the public key, as ssh-keygen exports it.
            let exported = run_checked(
                ssh_keygen()
                    .args(["-e", "-m", "PKCS8", "-f"])
                    .arg(path.with_extension("pub")),
                b"",
            );
            match keyfile::read(&exported).unwrap() {
                KeyFile::Public { spki, .. } => assert_eq!(spki, public.to_spki().unwrap()),
                KeyFile::Private { .. } => panic!("{name}"),
            }
        }
    }
}

#[test]
fn ssh_keys_hx_does_not_read_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let encrypted = dir.path().join("encrypted");
    run_checked(
        ssh_keygen()
            .args(["-q", "-t", "ed25519", "-N", "correct horse", "-f"])
            .arg(&encrypted),
        b"",
    );
    let file = std::fs::read(&encrypted).unwrap();
    assert_eq!(
        PrivateKey::from_openssh(&file).unwrap_err(),
        Error::EncryptedKey
    );
    assert_eq!(keyfile::read(&file).unwrap_err(), Error::EncryptedKey);
    // Its public half is fine.
    let line = std::fs::read_to_string(encrypted.with_extension("pub")).unwrap();
    assert!(line.parse::<PublicKey>().is_ok());

    let ecdsa = keygen(dir.path(), "ecdsa", &["-t", "ecdsa", "-b", "256"]);
    let expected = Error::UnsupportedKeyType("ecdsa-sha2-nistp256".into());
    assert_eq!(
        PrivateKey::from_openssh(&std::fs::read(&ecdsa).unwrap()).unwrap_err(),
        expected
    );
    let line = std::fs::read_to_string(ecdsa.with_extension("pub")).unwrap();
    assert_eq!(line.parse::<PublicKey>().unwrap_err(), expected);
    assert!(expected.to_string().contains("ssh-ed25519"));

    let small = keygen(dir.path(), "rsa1024", &["-t", "rsa", "-b", "1024"]);
    assert_eq!(
        PrivateKey::from_openssh(&std::fs::read(&small).unwrap()).unwrap_err(),
        Error::UnsupportedKeySize { bits: 1024 }
    );
    let line = std::fs::read_to_string(small.with_extension("pub")).unwrap();
    assert_eq!(
        line.parse::<PublicKey>().unwrap_err(),
        Error::UnsupportedKeySize { bits: 1024 }
    );
}
