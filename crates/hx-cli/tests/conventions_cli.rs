//! The conventions every command keeps (docs/CLI.md, "Conventions"),
//! tested on real processes: signals sent to them, real pipes, real file
//! permissions.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod common;
use common::{code, hx, hx_env, write_secret};

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(args)
        .current_dir(dir)
        .env_remove("HX_KEYRING")
        .env_remove("HX_MASTER_KEY_FILE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &mut Child, name: &str) {
    if name == "KILL" {
        child.kill().unwrap();
    } else {
        let status = Command::new("kill")
            .args(["-s", name, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// Keys and inputs the signal tests use.
fn setup(d: &Path) -> Vec<u8> {
    assert_eq!(code(&hx(d, &["key", "new", "-o", "ring"], b"")), 0);
    for (alg, name) in [("x25519", "x"), ("ed25519", "ed")] {
        let o = hx(
            d,
            &[
                "keygen",
                "--alg",
                alg,
                "-o",
                &format!("{name}.pem"),
                "--pub-out",
                &format!("{name}.pub"),
            ],
            b"",
        );
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    }
    // An age identity, and its recipient in a recipients file.
    assert_eq!(code(&hx(d, &["age", "keygen", "-o", "age.key"], b"")), 0);
    let recipient = produce(d, &["age", "keygen", "-y", "age.key"], b"");
    std::fs::write(d.join("age.rcpt"), recipient).unwrap();
    vec![0x5a; 4 << 20]
}

/// A whole stream of `data` made by `args` (stdin to stdout).
fn produce(d: &Path, args: &[&str], data: &[u8]) -> Vec<u8> {
    let o = hx(d, args, data);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

/// Every command that writes a file, stopped by every signal while it is
/// blocked half-way through its input (part of the output already made):
/// nothing of any name is left, on unnamed temporary files (O_TMPFILE) and
/// on named ones (`HX_NO_UNNAMED_TEMP`) alike, except that SIGKILL cannot be
/// cleaned up after on the named path.
#[test]
fn interrupted_commands_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = setup(d);
    let sealed = produce(d, &["encrypt", "-k", "ring", "-", "-"], &data);
    let pk_stream = produce(
        d,
        &[
            "pk", "encrypt", "-r", "x.pub", "--stream", "-i", "-", "-o", "-",
        ],
        &data,
    );
    let age_file = produce(d, &["age", "-R", "age.rcpt"], &data);
    let before = names(d);
    // (command, input fed before the signal: part of a whole).
    let cases: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["encrypt", "-k", "ring", "-", "out"], &data[..1 << 20]),
        (
            vec!["decrypt", "-k", "ring", "-", "out"],
            &sealed[..1 << 20],
        ),
        (
            vec![
                "pk", "encrypt", "-r", "x.pub", "--stream", "-i", "-", "-o", "out",
            ],
            &data[..1 << 20],
        ),
        (
            vec!["pk", "decrypt", "-k", "x.pem", "-i", "-", "-o", "out"],
            &pk_stream[..1 << 20],
        ),
        (
            vec!["pk", "encrypt", "-r", "x.pub", "-i", "-", "-o", "out"],
            &data[..1 << 20],
        ),
        (
            vec!["sign", "-k", "ed.pem", "-i", "-", "-o", "out"],
            &data[..1 << 20],
        ),
        (
            vec!["age", "-R", "age.rcpt", "-o", "out", "-"],
            &data[..1 << 20],
        ),
        (
            vec!["age", "-d", "-i", "age.key", "-o", "out", "-"],
            &age_file[..1 << 20],
        ),
    ];
    for named in [false, true] {
        let env: &[(&str, &str)] = if named {
            &[("HX_NO_UNNAMED_TEMP", "1")]
        } else {
            &[]
        };
        for (args, fed) in &cases {
            for sig in ["INT", "TERM", "HUP", "KILL"] {
                let mut child = spawn(d, args, env);
                let mut stdin = child.stdin.take().unwrap();
                stdin.write_all(fed).unwrap();
                // Let the command work through what it was given; its
                // input stays open, so it is still running.
                std::thread::sleep(Duration::from_millis(150));
                assert!(child.try_wait().unwrap().is_none(), "{args:?} ended early");
                signal(&mut child, sig);
                let status = child.wait().unwrap();
                drop(stdin);
                // The command died by the signal, as it would without a
                // handler (a shell's loop stops on Ctrl-C).
                let number = match sig {
                    "HUP" => 1,
                    "INT" => 2,
                    "KILL" => 9,
                    _ => 15,
                };
                assert_eq!(
                    status.signal(),
                    Some(number),
                    "{args:?} {sig} named={named}"
                );
                let left: Vec<_> = names(d).difference(&before).cloned().collect();
                if named && sig == "KILL" {
                    // Documented: SIGKILL can leave the named temporary file.
                    assert!(!left.iter().any(|n| n == "out"), "{args:?}: {left:?}");
                    for name in left {
                        assert!(name.starts_with(".hx-"), "{args:?}: {name}");
                        std::fs::remove_file(d.join(name)).unwrap();
                    }
                } else {
                    assert!(left.is_empty(), "{args:?} {sig} named={named}: {left:?}");
                }
            }
        }
    }
}

/// Commands that finish in an instant (key generation, `key new`,
/// `fernet key`, a config save) signalled at varying moments: afterwards
/// the directory holds the complete output or nothing, never a partial
/// or temporary file.
#[test]
fn quick_commands_signalled_at_any_moment_leave_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    assert_eq!(
        code(&hx(
            d,
            &["config", "init", "app.hxc", "--keyring", "ring"],
            b""
        )),
        0
    );
    let before = names(d);
    let cases: [&[&str]; 5] = [
        &[
            "keygen",
            "--alg",
            "rsa-3072",
            "-o",
            "out",
            "--pub-out",
            "out.pub",
        ],
        &["key", "new", "-o", "out"],
        &["fernet", "key", "-o", "out"],
        &[
            "config",
            "set",
            "app.hxc",
            "db.password",
            "--keyring",
            "ring",
        ],
        &["key", "rotate", "-k", "ring"],
    ];
    for args in cases {
        for (i, sig) in ["INT", "TERM", "KILL"].iter().cycle().take(12).enumerate() {
            let mut child = spawn(d, args, &[]);
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(b"s3cret\n");
            drop(stdin);
            std::thread::sleep(Duration::from_millis(5 * i as u64));
            signal(&mut child, sig);
            let status = child.wait().unwrap();
            let left: BTreeSet<String> = names(d).difference(&before).cloned().collect();
            if status.success() {
                // Finished before the signal: the outputs are whole.
                if args[0] == "keygen" {
                    let pem = std::fs::read_to_string(d.join("out")).unwrap();
                    assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
                }
            } else if args[0] == "config" || args[1] == "rotate" {
                // A rewrite gives the finished file a hidden name for the two
                // system calls that link and rename it (docs/CLI.md): SIGKILL
                // exactly there — or any signal for hx-config's saves, whose
                // library installs no handler — can leave that hidden name,
                // and nothing else. The file itself is whole (below).
                let hidden_may_stay = *sig == "KILL" || args[0] == "config";
                assert!(
                    left.iter().all(|n| hidden_may_stay
                        && (n.starts_with(".hx-") || n.starts_with(".app.hxc.hx-tmp."))),
                    "{args:?} {sig}: {left:?}"
                );
            } else {
                // Killed: either nothing, or (killed after naming) outputs
                // that are complete.
                assert!(
                    left.iter().all(|n| n == "out" || n == "out.pub"),
                    "{args:?} {sig}: {left:?}"
                );
            }
            if args[1] == "rotate" {
                // Whatever happened, the keyring is whole.
                assert_eq!(code(&hx(d, &["key", "list", "-k", "ring"], b"")), 0);
            }
            if args[0] == "config" {
                // Whatever happened, the file opens.
                assert_eq!(
                    code(&hx(
                        d,
                        &["config", "verify", "app.hxc", "--keyring", "ring"],
                        b""
                    )),
                    0
                );
            }
            for name in &left {
                std::fs::remove_file(d.join(name)).unwrap();
            }
        }
    }
}

/// `-` is standard input or output for every file argument, and nothing is
/// ever written to a file named `-`.
#[test]
fn dash_is_a_pipe_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = setup(d);
    let sealed = produce(d, &["encrypt", "-k", "ring", "-", "-"], &data);
    assert_eq!(
        produce(d, &["decrypt", "-k", "ring", "-", "-"], &sealed),
        data
    );
    let single = produce(
        d,
        &["pk", "encrypt", "-r", "x.pub", "-i", "-", "-o", "-"],
        b"launch codes",
    );
    assert_eq!(
        produce(
            d,
            &["pk", "decrypt", "-k", "x.pem", "-i", "-", "-o", "-"],
            &single
        ),
        b"launch codes"
    );
    let sig = produce(d, &["sign", "-k", "ed.pem", "-i", "-", "-o", "-"], b"m");
    assert_eq!(sig.len(), 64);
    std::fs::write(d.join("m"), b"m").unwrap();
    let o = hx(
        d,
        &["verify", "--pub", "ed.pub", "-i", "m", "-s", "-"],
        &sig,
    );
    assert_eq!(code(&o), 0);
    let key = produce(d, &["fernet", "key", "-o", "-"], b"");
    assert_eq!(key.len(), 45);
    // Config files: read from standard input, never written to "-".
    assert_eq!(
        code(&hx(d, &["config", "init", "app.hxc", "-k", "ring"], b"")),
        0
    );
    assert_eq!(
        code(&hx(
            d,
            &["config", "set", "app.hxc", "db.host", "-k", "ring"],
            b"h1"
        )),
        0
    );
    let config = std::fs::read(d.join("app.hxc")).unwrap();
    assert_eq!(
        produce(d, &["config", "get", "-", "db.host", "-k", "ring"], &config),
        b"h1\n"
    );
    assert_eq!(
        produce(d, &["config", "list", "-", "-k", "ring"], &config),
        b"db.host\n"
    );
    for args in [
        &["config", "init", "-", "-k", "ring"][..],
        &["config", "set", "-", "db.port", "-k", "ring"],
        &["config", "rotate", "-", "-k", "ring"],
        &["config", "merge", "app.hxc", "-", "app.hxc", "-k", "ring"],
    ] {
        let o = hx(d, args, &config);
        assert_eq!(code(&o), 2, "{args:?}");
    }
    assert!(!d.join("-").exists(), "nothing written to a file named -");

    // A damaged stream decrypted to standard output: what was released
    // had been authenticated, and the command says the rest is bad.
    let mut cut = sealed.clone();
    cut.truncate(sealed.len() - 100);
    let o = hx(d, &["decrypt", "-k", "ring", "-", "-"], &cut);
    assert_eq!(code(&o), 1);
    assert!(data.starts_with(&o.stdout) && o.stdout.len() < data.len());
    assert!(String::from_utf8_lossy(&o.stderr).contains("discarded"));
}

/// No output replaces an existing file, or a symbolic link (even a dangling
/// one), unless `--force`; the refusal comes before any work.
#[test]
fn outputs_never_clobber_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), b"message").unwrap();
    std::fs::write(d.join("existing"), b"precious").unwrap();
    std::os::unix::fs::symlink("existing", d.join("link")).unwrap();
    std::os::unix::fs::symlink("nowhere", d.join("dangling")).unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["encrypt", "-k", "ring", "m", "OUT"],
        vec!["keygen", "--alg", "ed25519", "-o", "OUT"],
        vec![
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            "new.pem",
            "--pub-out",
            "OUT",
        ],
        vec!["sign", "-k", "ed.pem", "-i", "m", "-o", "OUT"],
        vec!["pk", "encrypt", "-r", "x.pub", "-i", "m", "-o", "OUT"],
        vec!["key", "new", "-o", "OUT"],
        vec!["fernet", "key", "-o", "OUT"],
    ];
    for command in &commands {
        for target in ["existing", "link", "dangling"] {
            let args: Vec<&str> = command
                .iter()
                .map(|a| if *a == "OUT" { target } else { a })
                .collect();
            let o = hx(d, &args, b"");
            assert_eq!(code(&o), 2, "{args:?}");
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("already exists"),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(std::fs::read(d.join("existing")).unwrap(), b"precious");
            assert!(!d.join("new.pem").exists(), "refused before any work");
        }
    }
    // keygen --pub-out onto the private key it is writing, or onto another
    // private key: refused.
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            "k2.pem",
            "--pub-out",
            "ed.pem",
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(
        std::fs::read_to_string(d.join("ed.pem"))
            .unwrap()
            .contains("PRIVATE KEY")
    );
    // --force replaces (a link itself, not its target).
    let o = hx(
        d,
        &["sign", "-k", "ed.pem", "-i", "m", "-o", "link", "--force"],
        b"",
    );
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read(d.join("existing")).unwrap(), b"precious");
    assert_eq!(std::fs::read(d.join("link")).unwrap().len(), 64);
    assert!(
        !std::fs::symlink_metadata(d.join("link"))
            .unwrap()
            .is_symlink()
    );
    let o = hx(d, &["fernet", "key", "-o", "existing", "-f"], b"");
    assert_eq!(code(&o), 0);
    let meta = std::fs::metadata(d.join("existing")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

/// Outputs get the mode their content calls for.
#[test]
fn outputs_have_the_right_modes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), b"message").unwrap();
    assert_eq!(
        code(&hx(d, &["encrypt", "-k", "ring", "m", "m.hx"], b"")),
        0
    );
    assert_eq!(
        code(&hx(d, &["decrypt", "-k", "ring", "m.hx", "m.out"], b"")),
        0
    );
    assert_eq!(code(&hx(d, &["fernet", "key", "-o", "f.key"], b"")), 0);
    for (file, mode) in [
        ("ring", 0o600),
        ("x.pem", 0o600),
        ("x.pub", 0o644),
        ("m.hx", 0o644),
        ("m.out", 0o600),
        ("f.key", 0o600),
    ] {
        let got = std::fs::metadata(d.join(file))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(got, mode, "{file}");
    }
}

/// Every kind of secret file that group or others can read is refused,
/// naming the file and the fix; `HX_KEY_PERMISSIONS=warn` lets it through
/// with a warning.
#[test]
fn secret_files_readable_by_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), b"message").unwrap();
    write_secret(d.join("pepper"), "a-long-server-side-pepper-value\n");
    write_secret(d.join("hmac.key"), "Jefe\n");
    write_secret(d.join("csrf"), [7u8; 48]);
    write_secret(
        d.join("master"),
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
    );
    assert_eq!(code(&hx(d, &["fernet", "key", "-o", "fernet.key"], b"")), 0);
    assert_eq!(
        code(&hx(d, &["config", "init", "app.hxc", "-k", "ring"], b"")),
        0
    );
    let apikey = hx(d, &["apikey", "new", "--prefix", "k"], b"").stdout;
    let cases: Vec<(&str, Vec<&str>, &[u8])> = vec![
        ("ring", vec!["seal", "-k", "ring"], b"x"),
        ("ring", vec!["encrypt", "-k", "ring", "m", "m.hx"], b""),
        ("ring", vec!["config", "list", "app.hxc", "-k", "ring"], b""),
        (
            "master",
            vec![
                "key",
                "new",
                "-o",
                "sealed.ring",
                "--master-key-file",
                "master",
            ],
            b"",
        ),
        (
            "ed.pem",
            vec!["sign", "-k", "ed.pem", "-i", "m", "-o", "m.sig"],
            b"",
        ),
        ("x.pem", vec!["pubkey", "-k", "x.pem"], b""),
        (
            "pepper",
            vec!["apikey", "hash", "--pepper-file", "pepper"],
            &apikey,
        ),
        ("hmac.key", vec!["hmac", "--key-file", "hmac.key", "m"], b""),
        (
            "csrf",
            vec!["csrf", "new", "--secret-file", "csrf", "--session", "s"],
            b"",
        ),
        (
            "fernet.key",
            vec!["fernet", "encrypt", "--key-file", "fernet.key"],
            b"x",
        ),
    ];
    for (file, args, stdin) in &cases {
        let path = d.join(file);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = hx(d, args, stdin);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!("hx: {file}: ")) && err.contains(&format!("chmod 600 {file}")),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains(&format!("{file}: {file}")),
            "named once: {err}"
        );
        let o = hx_env(d, args, &[("HX_KEY_PERMISSIONS", "warn")], stdin);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?} with warn: {err}");
        assert!(
            err.contains("warning") && err.contains(file),
            "{args:?}: {err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        for made in ["m.hx", "sealed.ring", "m.sig"] {
            let _ = std::fs::remove_file(d.join(made));
        }
    }
    // A public key is not a secret: 0644 is fine.
    let o = hx(
        d,
        &["pk", "encrypt", "-r", "x.pub", "-i", "m", "-o", "m.pk"],
        b"",
    );
    assert_eq!(code(&o), 0);
}

/// Inputs bounded by their kind are read with that bound: a signature from
/// an endless source is refused after its largest size, not read forever.
#[test]
fn bounded_inputs_stop_at_their_bound() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), b"m").unwrap();
    let started = std::time::Instant::now();
    let o = hx(
        d,
        &["verify", "--pub", "ed.pub", "-i", "m", "--sig", "/dev/zero"],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a signature"));
    assert!(started.elapsed() < Duration::from_secs(10));
    // An endless key file.
    // A key file over the 64 KiB a key file may hold.
    write_secret(d.join("huge.key"), vec![b'k'; (64 << 10) + 1]);
    let o = hx(d, &["hmac", "--key-file", "huge.key", "m"], b"");
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("larger than"));
}

/// A closed output pipe ends any command quietly, like coreutils: the
/// reading end is closed before the command writes anything.
#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), vec![1u8; 1 << 20]).unwrap();
    let cases: [&[&str]; 11] = [
        &["tour"],
        &["age", "-R", "age.rcpt", "m"],
        &["age", "keygen"],
        &["completions", "zsh"],
        &["completions", "bash"],
        &["token"],
        &["password"],
        &["digest", "m"],
        &["pubkey", "-k", "ed.pem"],
        &["encrypt", "-k", "ring", "m", "-"],
        &[
            "pk", "encrypt", "-r", "x.pub", "--stream", "-i", "m", "-o", "-",
        ],
    ];
    for args in cases {
        // the reading end is closed before the command starts: no race with
        // a command quick enough to write before the test could close it
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let child = Command::new(env!("CARGO_BIN_EXE_hx"))
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(141), "{args:?}");
    }
}

/// Long jobs draw progress (rate and ETA) on a terminal — here a real
/// pseudo-terminal from util-linux's `script` — and nothing in a pipe or
/// with `--quiet`.
#[test]
fn progress_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("big"), vec![7u8; 48 << 20]).unwrap();
    // A pickle of one 48 MiB bytes object: PROTO 4, BINBYTES8, STOP.
    let mut pickle = b"\x80\x04\x8e".to_vec();
    pickle.extend_from_slice(&(48u64 << 20).to_le_bytes());
    pickle.resize(pickle.len() + (48 << 20), 7);
    pickle.push(b'.');
    std::fs::write(d.join("big.pkl"), pickle).unwrap();
    let hx = env!("CARGO_BIN_EXE_hx");
    let on_tty = |command: &str| {
        let o = Command::new("script")
            .args(["-qec", command, "/dev/null"])
            .current_dir(d)
            .env_remove("HX_KEYRING")
            .output()
            .expect("util-linux script gives the test a terminal");
        assert!(o.status.success(), "{command}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for args in [
        "digest big",
        "encrypt -k ring big big.hx",
        "pickle scan big.pkl",
    ] {
        let shown = on_tty(&format!("{hx} {args}"));
        assert!(
            shown.contains("ETA") && shown.contains("/s"),
            "{args}: {shown:?}"
        );
        let _ = std::fs::remove_file(d.join("big.hx"));
        let quiet = on_tty(&format!("{hx} --quiet {args}"));
        assert!(!quiet.contains("ETA"), "{args} --quiet: {quiet:?}");
        let _ = std::fs::remove_file(d.join("big.hx"));
        // In a pipe: stderr holds nothing but what the command says.
        let o = Command::new(hx)
            .args(args.split(' '))
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("ETA"),
            "{args}"
        );
        let _ = std::fs::remove_file(d.join("big.hx"));
    }
}

/// Failures name the file once, and the missing directory rather than a
/// temporary file's name.
#[test]
fn failures_name_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let o = hx(d, &["key", "new", "-o", "no/such/dir/ring"], b"");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 2);
    assert!(
        err.contains("no/such/dir") && !err.contains(".hx-"),
        "{err}"
    );
    assert_eq!(
        code(&hx(d, &["config", "init", "app.hxc", "-k", "ring"], b"")),
        0
    );
    let o = hx(d, &["config", "init", "app.hxc", "-k", "ring"], b"");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 2);
    assert_eq!(err.matches("app.hxc").count(), 1, "{err}");
}

/// Under `nohup` (SIGHUP ignored) the named-file path keeps SIGHUP ignored:
/// the command carries on and finishes its output.
#[test]
fn an_ignored_hangup_stays_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let hx_bin = env!("CARGO_BIN_EXE_hx");
    let mut child = Command::new("sh")
        .args([
            "-c",
            &format!("trap '' HUP; exec {hx_bin} encrypt -k ring - out"),
        ])
        .current_dir(d)
        .env("HX_NO_UNNAMED_TEMP", "1")
        .env_remove("HX_KEYRING")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&[1u8; 1 << 20]).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    signal(&mut child, "HUP");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP was not ignored"
    );
    stdin.write_all(&[2u8; 1 << 20]).unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("out").exists());
}

/// Even --force replaces only regular files: a fifo (as a device would be)
/// is refused and left as it was.
#[test]
fn force_never_replaces_a_device_or_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let made = Command::new("mkfifo").arg(d.join("fifo")).status().unwrap();
    assert!(made.success());
    std::fs::write(d.join("m"), b"m").unwrap();
    let o = hx(
        d,
        &["sign", "-k", "ed.pem", "-i", "m", "-o", "fifo", "--force"],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
    let kind = std::fs::symlink_metadata(d.join("fifo"))
        .unwrap()
        .file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
}

/// `keygen` never writes its public key over its private key, and leaves
/// nothing when it refuses.
#[test]
fn keygen_outputs_are_checked_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for force in [&[][..], &["--force"]] {
        let mut args = vec![
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            "k.pem",
            "--pub-out",
            "k.pem",
        ];
        args.extend_from_slice(force);
        let o = hx(d, &args, b"");
        assert_eq!(code(&o), 2, "{force:?}");
        assert!(!d.join("k.pem").exists(), "{force:?}");
    }
    let o = hx(
        d,
        &[
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            "k.pem",
            "--pub-out",
            "no/dir/k.pub",
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(!d.join("k.pem").exists(), "nothing left after a refusal");
}

/// Public outputs are 0644 and secret ones 0600 on the named-file path
/// too, whatever the umask.
#[test]
fn modes_hold_on_the_named_path_under_any_umask() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    std::fs::write(d.join("m"), b"m").unwrap();
    let hx_bin = env!("CARGO_BIN_EXE_hx");
    for (umask, named) in [("077", "1"), ("077", ""), ("000", "1")] {
        let script = format!(
            "umask {umask}; {hx_bin} sign -k ed.pem -i m -o s.sig -f && \
             {hx_bin} fernet key -o f.key -f"
        );
        let mut command = Command::new("sh");
        command.args(["-c", &script]).current_dir(d);
        if named.is_empty() {
            command.env_remove("HX_NO_UNNAMED_TEMP");
        } else {
            command.env("HX_NO_UNNAMED_TEMP", named);
        }
        assert!(command.status().unwrap().success());
        let mode = |f: &str| std::fs::metadata(d.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("s.sig"), 0o644, "umask {umask} named {named:?}");
        assert_eq!(mode("f.key"), 0o600, "umask {umask} named {named:?}");
    }
}

/// Concurrent `hx key` commands on one keyring lose no key, and a keyring
/// reached through a symbolic link is rewritten where the link points.
#[test]
fn keyring_rewrites_are_serialised_and_follow_links() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let hx_bin = env!("CARGO_BIN_EXE_hx");
    let workers: Vec<_> = (0..4)
        .map(|_| {
            Command::new("sh")
                .args([
                    "-c",
                    &format!("for i in 1 2 3 4 5 6 7 8; do {hx_bin} key add -k ring >/dev/null || exit 1; done"),
                ])
                .current_dir(d)
                .env_remove("HX_KEYRING")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut w in workers {
        assert!(w.wait().unwrap().success());
    }
    let list = hx(d, &["key", "list", "-k", "ring"], b"");
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        1 + 32
    );
    std::os::unix::fs::symlink("ring", d.join("link.ring")).unwrap();
    assert_eq!(code(&hx(d, &["key", "rotate", "-k", "link.ring"], b"")), 0);
    assert!(
        std::fs::symlink_metadata(d.join("link.ring"))
            .unwrap()
            .is_symlink()
    );
    let list = hx(d, &["key", "list", "-k", "ring"], b"");
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        1 + 33
    );
}
