//! `hx config …` against the contract (docs/CLI.md, "Encrypted
//! configuration"), and `hx config merge` as the merge driver of real
//! `git merge` runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{code, hx};

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn ok(o: &Output) -> String {
    assert_eq!(code(o), 0, "stderr: {}", err(o));
    out(o)
}

/// A directory with a keyring `ring.hxk` and an X25519 key pair.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&hx(d, &["key", "new", "--out", "ring.hxk"], b""));
    ok(&hx(
        d,
        &[
            "keygen",
            "--alg",
            "x25519",
            "--out",
            "id.pem",
            "--pub-out",
            "id.pub",
        ],
        b"",
    ));
    ok(&hx(
        d,
        &[
            "keygen",
            "--alg",
            "xwing",
            "--out",
            "pq.pem",
            "--pub-out",
            "pq.pub",
        ],
        b"",
    ));
    dir
}

const K: [&str; 2] = ["--keyring", "ring.hxk"];

/// `hx config VERB app.hxc KEY` with the options that open the file.
fn key_cmd(d: &Path, verb: &str, key: &str, open: &[&str], stdin: &[u8]) -> Output {
    hx(d, &with(&["config", verb, "app.hxc", key], open), stdin)
}

/// `hx config exec app.hxc --keyring ring.hxk -- sh -c SCRIPT`, with `env`
/// added to hx's environment.
fn exec_sh(d: &Path, script: &str, env: &[(&str, &str)]) -> Output {
    let args = with(
        &["config", "exec", "app.hxc"],
        &["--keyring", "ring.hxk", "--", "sh", "-c", script],
    );
    common::hx_env(d, &args, env, b"")
}

fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend_from_slice(extra);
    v
}

#[test]
fn init_set_get_list_rm_verify() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    // init never overwrites.
    assert_eq!(
        code(&hx(d, &with(&["config", "init", "app.hxc"], &K), b"")),
        2
    );
    ok(&key_cmd(d, "set", "database.password", &K, b"hunter2\n"));
    ok(&key_cmd(d, "set", "api.key", &K, b"k\r\n"));
    ok(&key_cmd(d, "set", "multi", &K, b"a\nb\n\n"));
    assert_eq!(
        ok(&key_cmd(d, "get", "database.password", &K, b"")),
        "hunter2\n"
    );
    assert_eq!(ok(&key_cmd(d, "get", "api.key", &K, b"")), "k\n");
    assert_eq!(ok(&key_cmd(d, "get", "multi", &K, b"")), "a\nb\n\n");
    assert_eq!(
        ok(&hx(d, &with(&["config", "list", "app.hxc"], &K), b"")),
        "api.key\ndatabase.password\nmulti\n"
    );
    ok(&key_cmd(d, "rm", "multi", &K, b""));
    assert_eq!(code(&key_cmd(d, "get", "multi", &K, b"")), 1);
    let v = hx(d, &with(&["config", "verify", "app.hxc"], &K), b"");
    assert_eq!(code(&v), 0);
    assert!(err(&v).contains("2 values"));
    // Values are not in the file, and the file is 0600.
    let text = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    assert!(text.contains("database.password = ") && !text.contains("hunter2"));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(d.join("app.hxc"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Environment instead of --keyring.
    let o = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(["config", "get", "app.hxc", "api.key"])
        .current_dir(d)
        .env("HX_KEYRING", "ring.hxk")
        .output()
        .unwrap();
    assert_eq!(out(&o), "k\n");
}

#[test]
fn usage_and_rejection_statuses() {
    let dir = setup();
    let d = dir.path();
    // Nobody could open it.
    assert_eq!(code(&hx(d, &["config", "init", "x.hxc"], b"")), 2);
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    ok(&key_cmd(d, "set", "a", &K, b"secret-a"));
    // No opener, missing file, bad path: usage.
    assert_eq!(code(&hx(d, &["config", "get", "app.hxc", "a"], b"")), 2);
    assert_eq!(
        code(&hx(
            d,
            &with(&["config", "get", "missing.hxc", "a"], &K),
            b""
        )),
        2
    );
    assert_eq!(code(&key_cmd(d, "set", "a..b", &K, b"v")), 2);
    // Not a recipient: rejected.
    let o = hx(
        d,
        &["config", "get", "app.hxc", "a", "--identity", "id.pem"],
        b"",
    );
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains("not one of the file's recipients"),
        "{}",
        err(&o)
    );
    // Tampered: rejected, saying what, never the value.
    let text = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    std::fs::write(
        d.join("app.hxc"),
        text.replace("generation = 2", "generation = 9"),
    )
    .unwrap();
    let o = hx(d, &with(&["config", "verify", "app.hxc"], &K), b"");
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains("header") && !err(&o).contains("secret-a"),
        "{}",
        err(&o)
    );
    // A keyring readable by others: refused with the fix.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(d.join("ring.hxk"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = hx(d, &with(&["config", "list", "app.hxc"], &K), b"");
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("chmod 600 ring.hxk"), "{}", err(&o));
}

#[test]
fn recipients_add_rm_and_rotate() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(
        d,
        &["config", "init", "app.hxc", "--recipient", "id.pub"],
        b"",
    ));
    let id = ["--identity", "id.pem"];
    ok(&key_cmd(d, "set", "a", &id, b"1"));
    ok(&hx(
        d,
        &with(&["config", "recipients", "add", "app.hxc", "pq.pub"], &id),
        b"",
    ));
    let pq = ["--identity", "pq.pem"];
    assert_eq!(ok(&key_cmd(d, "get", "a", &pq, b"")), "1\n");
    let before = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    ok(&hx(d, &with(&["config", "rotate", "app.hxc"], &pq), b""));
    let after = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    let line = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("a = "))
            .unwrap()
            .to_owned()
    };
    assert_ne!(line(&before), line(&after));
    assert_eq!(ok(&key_cmd(d, "get", "a", &id, b"")), "1\n");
    ok(&hx(
        d,
        &with(&["config", "recipients", "rm", "app.hxc", "id.pub"], &pq),
        b"",
    ));
    assert_eq!(code(&key_cmd(d, "get", "a", &id, b"")), 1);
    assert_eq!(ok(&key_cmd(d, "get", "a", &pq, b"")), "1\n");
    // The last recipient stays.
    assert_eq!(
        code(&hx(
            d,
            &with(&["config", "recipients", "rm", "app.hxc", "pq.pub"], &pq),
            b""
        )),
        2
    );
}

#[test]
fn export_and_exec() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    ok(&key_cmd(
        d,
        "set",
        "database.password",
        &K,
        b"it's \"q\" $x",
    ));
    ok(&key_cmd(d, "set", "stripe.api-key", &K, b"sk"));
    ok(&key_cmd(d, "set", "quote", &K, b"'edge'"));
    let env = ok(&hx(
        d,
        &with(&["config", "export", "app.hxc", "--format", "env"], &K),
        b"",
    ));
    assert_eq!(
        env,
        "DATABASE_PASSWORD='it'\\''s \"q\" $x'\nQUOTE=''\\''edge'\\'''\nSTRIPE_API_KEY='sk'\n"
    );
    // The env form is what a shell reads back.
    let o = Command::new("sh")
        .args([
            "-c",
            &format!("{env}printf '%s|%s' \"$DATABASE_PASSWORD\" \"$QUOTE\""),
        ])
        .output()
        .unwrap();
    assert_eq!(out(&o), "it's \"q\" $x|'edge'");
    let json = ok(&hx(
        d,
        &with(&["config", "export", "app.hxc", "--format", "json"], &K),
        b"",
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["database"]["password"], "it's \"q\" $x");
    assert_eq!(v["stripe"]["api-key"], "sk");
    assert_eq!(v["quote"], "'edge'");

    let o = exec_sh(
        d,
        "printf '%s|%s' \"$DATABASE_PASSWORD\" \"$STRIPE_API_KEY\"; exit 3",
        &[],
    );
    assert_eq!(code(&o), 3, "{}", err(&o));
    assert_eq!(out(&o), "it's \"q\" $x|sk");
    let o = hx(
        d,
        &[
            "config",
            "exec",
            "app.hxc",
            "--keyring",
            "ring.hxk",
            "--",
            "sh",
            "-c",
            "kill -TERM $$",
        ],
        b"",
    );
    assert_eq!(code(&o), 128 + 15);
    // Two paths with one variable name are refused.
    ok(&key_cmd(d, "set", "stripe.api_key", &K, b"x"));
    let o = hx(
        d,
        &[
            "config",
            "exec",
            "app.hxc",
            "--keyring",
            "ring.hxk",
            "--",
            "true",
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("STRIPE_API_KEY"), "{}", err(&o));
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env_remove("HX_KEYRING")
        .output()
        .expect("git is needed for the merge-driver tests")
}

fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(o.status.success(), "git {args:?}: {}", err(&o));
}

/// A repository with `secrets.hxc` (a, b, c) committed on `main` and
/// `hx config merge` as its merge driver, configured as docs/CONFIG.md says.
fn repo(keys: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_ok(d, &["init", "-q", "-b", "main"]);
    std::fs::write(d.join(".gitattributes"), "*.hxc merge=hx-config\n").unwrap();
    let driver = format!(
        "{} config merge --keyring {} %O %A %B",
        env!("CARGO_BIN_EXE_hx"),
        keys.join("ring.hxk").display()
    );
    git_ok(
        d,
        &["config", "merge.hx-config.name", "hx encrypted config"],
    );
    git_ok(d, &["config", "merge.hx-config.driver", &driver]);
    let ring = keys.join("ring.hxk");
    let ring = ring.to_str().unwrap();
    ok(&hx(
        d,
        &["config", "init", "secrets.hxc", "--keyring", ring],
        b"",
    ));
    for k in ["a", "b", "c"] {
        ok(&hx(
            d,
            &["config", "set", "secrets.hxc", k, "--keyring", ring],
            format!("base-{k}").as_bytes(),
        ));
    }
    git_ok(d, &["add", "."]);
    git_ok(d, &["commit", "-qm", "base"]);
    git_ok(d, &["branch", "theirs"]);
    dir
}

fn commit_set(d: &Path, keys: &Path, branch: &str, key: &str, value: &str) {
    git_ok(d, &["checkout", "-q", branch]);
    let ring = keys.join("ring.hxk");
    ok(&hx(
        d,
        &[
            "config",
            "set",
            "secrets.hxc",
            key,
            "--keyring",
            ring.to_str().unwrap(),
        ],
        value.as_bytes(),
    ));
    git_ok(d, &["commit", "-qam", key]);
}

fn get(d: &Path, keys: &Path, key: &str) -> String {
    let ring = keys.join("ring.hxk");
    ok(&hx(
        d,
        &[
            "config",
            "get",
            "secrets.hxc",
            key,
            "--keyring",
            ring.to_str().unwrap(),
        ],
        b"",
    ))
}

#[test]
fn git_merge_of_different_keys_is_clean_and_verifies() {
    let keys = setup();
    let repo = repo(keys.path());
    let d = repo.path();
    commit_set(d, keys.path(), "theirs", "b", "theirs-b");
    commit_set(d, keys.path(), "main", "a", "ours-a");
    let o = git(d, &["merge", "--no-edit", "theirs"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    let ring = keys.path().join("ring.hxk");
    ok(&hx(
        d,
        &[
            "config",
            "verify",
            "secrets.hxc",
            "--keyring",
            ring.to_str().unwrap(),
        ],
        b"",
    ));
    assert_eq!(get(d, keys.path(), "a"), "ours-a\n");
    assert_eq!(get(d, keys.path(), "b"), "theirs-b\n");
    assert_eq!(get(d, keys.path(), "c"), "base-c\n");
    // Without the driver the same histories conflict on the header lines.
    git_ok(d, &["config", "--unset", "merge.hx-config.driver"]);
    git_ok(d, &["checkout", "-q", "-b", "plain", "HEAD~1"]);
    git_ok(d, &["branch", "-f", "theirs2", "theirs"]);
    let o = git(d, &["merge", "--no-edit", "theirs2"]);
    assert!(
        !o.status.success(),
        "a textual merge was expected to conflict"
    );
}

#[test]
fn git_merge_of_the_same_key_conflicts_on_that_key() {
    let keys = setup();
    let repo = repo(keys.path());
    let d = repo.path();
    commit_set(d, keys.path(), "theirs", "b", "theirs-b");
    commit_set(d, keys.path(), "main", "b", "ours-b");
    let o = git(d, &["merge", "--no-edit", "theirs"]);
    assert!(!o.status.success());
    let text = format!("{}{}", out(&o), err(&o));
    assert!(
        text.contains("CONFLICT") && text.contains("secrets.hxc"),
        "{text}"
    );
    assert!(text.contains("`b`"), "{text}");
    assert!(
        !text.contains("ours-b") && !text.contains("theirs-b"),
        "{text}"
    );
    // The working file is a valid config holding our value for `b`.
    assert_eq!(get(d, keys.path(), "b"), "ours-b\n");
}

/// Anyone holding a recipient's public key can write values into the file,
/// so the names that change how the child runs are refused by `exec` and
/// `export` unless allowed one by one, and a name that is not a shell
/// identifier never reaches a shell.
#[test]
fn exec_and_export_refuse_variables_that_change_how_programs_run() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    let exec = |extra: &[&str]| {
        let mut args = vec!["config", "exec", "app.hxc", "-k", "ring.hxk"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", "printf %s \"$LD_PRELOAD\""]);
        hx(d, &args, b"")
    };
    for (path, name) in [
        ("ld_preload", "LD_PRELOAD"),
        ("path", "PATH"),
        ("bash-env", "BASH_ENV"),
        ("pythonpath", "PYTHONPATH"),
        ("node.options", "NODE_OPTIONS"),
        ("dyld.insert-libraries", "DYLD_INSERT_LIBRARIES"),
    ] {
        ok(&key_cmd(d, "set", path, &K, b"/tmp/evil.so"));
        let o = exec(&[]);
        assert_eq!(code(&o), 1, "{path}: {}", err(&o));
        assert!(
            err(&o).contains(name) && err(&o).contains("--allow-env"),
            "{}",
            err(&o)
        );
        assert!(out(&o).is_empty(), "the command did not run");
        let o = hx(
            d,
            &with(&["config", "export", "app.hxc", "--format", "env"], &K),
            b"",
        );
        assert_eq!(code(&o), 1, "{path}");
        assert!(out(&o).is_empty());
        ok(&key_cmd(d, "rm", path, &K, b""));
    }
    // Allowed by name, it passes (and only the one named).
    ok(&key_cmd(d, "set", "ld_preload", &K, b"/tmp/evil.so"));
    let o = exec(&["--allow-env", "LD_PRELOAD"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "/tmp/evil.so");
    ok(&key_cmd(d, "set", "path", &K, b"/evil"));
    assert_eq!(code(&exec(&["--allow-env", "LD_PRELOAD"])), 1);
    ok(&key_cmd(d, "rm", "path", &K, b""));
    ok(&key_cmd(d, "rm", "ld_preload", &K, b""));
    // A name a shell would run as a command.
    ok(&key_cmd(d, "set", "1.b", &K, b"x"));
    let o = hx(
        d,
        &with(&["config", "export", "app.hxc", "--format", "env"], &K),
        b"",
    );
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("1_B") && out(&o).is_empty(), "{}", err(&o));
}

/// A damaged THEIRS is named as THEIRS by the merge driver (not OURS).
#[test]
fn merge_names_the_damaged_side() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    ok(&key_cmd(d, "set", "db.password", &K, b"hunter2"));
    for name in ["base.hxc", "ours.hxc", "theirs.hxc"] {
        std::fs::copy(d.join("app.hxc"), d.join(name)).unwrap();
    }
    let text = std::fs::read_to_string(d.join("theirs.hxc")).unwrap();
    let line = text.lines().find(|l| l.contains("db.password")).unwrap();
    let damaged_line = line.replacen("db.password", "db.passwore", 1);
    std::fs::write(d.join("theirs.hxc"), text.replace(line, &damaged_line)).unwrap();
    let o = hx(
        d,
        &with(
            &["config", "merge", "base.hxc", "ours.hxc", "theirs.hxc"],
            &K,
        ),
        b"",
    );
    assert_ne!(code(&o), 0);
    assert!(
        err(&o).contains("theirs.hxc") && !err(&o).contains("ours.hxc"),
        "{}",
        err(&o)
    );
}

/// `exec -f A -f B`: the later file wins; a variable already set wins over
/// the files unless `--overload` (dotenvx's rule); the positional form and
/// `-f` do not mix.
#[test]
fn exec_with_several_files_and_the_environment() {
    let dir = setup();
    let d = dir.path();
    for (file, pairs) in [
        ("base.hxc", [("a", "base-a"), ("b", "base-b")]),
        ("prod.hxc", [("b", "prod-b"), ("c", "prod-c")]),
    ] {
        ok(&hx(d, &with(&["config", "init", file], &K), b""));
        for (key, value) in pairs {
            ok(&hx(
                d,
                &with(&["config", "set", file, key], &K),
                value.as_bytes(),
            ));
        }
    }
    let show = ["--", "sh", "-c", "printf '%s|%s|%s' \"$A\" \"$B\" \"$C\""];
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["config", "exec"];
        all.extend_from_slice(args);
        all.extend_from_slice(&K);
        all.extend_from_slice(&show);
        common::hx_env(d, &all, env, b"")
    };
    assert_eq!(
        ok(&run(&["-f", "base.hxc", "-f", "prod.hxc"], &[])),
        "base-a|prod-b|prod-c"
    );
    assert_eq!(
        ok(&run(&["-f", "prod.hxc", "-f", "base.hxc"], &[])),
        "base-a|base-b|prod-c"
    );
    assert_eq!(
        ok(&run(
            &["-f", "base.hxc", "-f", "prod.hxc"],
            &[("B", "outer")]
        )),
        "base-a|outer|prod-c"
    );
    assert_eq!(
        ok(&run(
            &["-f", "base.hxc", "-f", "prod.hxc", "--overload"],
            &[("B", "outer")]
        )),
        "base-a|prod-b|prod-c"
    );
    assert_eq!(ok(&run(&["base.hxc"], &[("A", "outer")])), "outer|base-b|");
    assert_eq!(code(&run(&["base.hxc", "-f", "prod.hxc"], &[])), 2);
    // an override applies once, to what the files give together: a key
    // that is a value in one file and a table in another is no conflict
    ok(&hx(d, &with(&["config", "init", "t.hxc"], &K), b""));
    ok(&hx(
        d,
        &with(&["config", "set", "t.hxc", "c"], &K),
        b"value",
    ));
    ok(&hx(d, &with(&["config", "init", "u.hxc"], &K), b""));
    ok(&hx(
        d,
        &with(&["config", "set", "u.hxc", "c.d"], &K),
        b"deep",
    ));
    let o = common::hx_env(
        d,
        &with(
            &["config", "exec", "-f", "t.hxc", "-f", "u.hxc"],
            &[
                "--keyring",
                "ring.hxk",
                "--",
                "sh",
                "-c",
                "printf '%s|%s' \"$C\" \"$C_D\"",
            ],
        ),
        &[("HX__C__D", "over")],
        b"",
    );
    assert_eq!(ok(&o), "value|over");
    assert_eq!(code(&run(&[], &[])), 2);
}

/// `HX__…` variables override values from the command line as they do in
/// the library, also for keys written in upper case.
#[test]
fn environment_overrides_from_the_command_line() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    ok(&key_cmd(d, "set", "API_KEY", &K, b"from-file"));
    ok(&key_cmd(d, "set", "database.password", &K, b"file-pw"));
    let env = [
        ("HX__API_KEY", "from-env"),
        ("HX__DATABASE__PASSWORD", "env-pw"),
        ("HX__NEW__KEY", "added"),
    ];
    let get = |key: &str| {
        ok(&common::hx_env(
            d,
            &with(&["config", "get", "app.hxc", key], &K),
            &env,
            b"",
        ))
    };
    assert_eq!(get("API_KEY"), "from-env\n");
    assert_eq!(get("database.password"), "env-pw\n");
    let exported = ok(&common::hx_env(
        d,
        &with(&["config", "export", "app.hxc", "--format", "env"], &K),
        &env,
        b"",
    ));
    assert_eq!(
        exported,
        "API_KEY='from-env'\nDATABASE_PASSWORD='env-pw'\nNEW_KEY='added'\n"
    );
    let o = exec_sh(d, "printf %s \"$API_KEY\"", &env);
    assert_eq!(ok(&o), "from-env");
    // without the variables, the file's values
    assert_eq!(ok(&key_cmd(d, "get", "API_KEY", &K, b"")), "from-file\n");
}

/// An empty value is refused unless `--allow-empty`; at a terminal the
/// value is asked for twice without echo (util-linux's `script` gives hx a
/// pseudo-terminal).
#[test]
fn set_refuses_empty_values_and_prompts_without_echo() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    let o = key_cmd(d, "set", "flag", &K, b"\n");
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("--allow-empty"), "{}", err(&o));
    ok(&hx(
        d,
        &with(&["config", "set", "app.hxc", "flag", "--allow-empty"], &K),
        b"",
    ));
    assert_eq!(ok(&key_cmd(d, "get", "flag", &K, b"")), "\n");
    let o = common::hx_at_terminal(
        d,
        "config set app.hxc stripe.key --keyring ring.hxk",
        &["sk_typed_42", "sk_typed_42"],
    );
    let transcript = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{transcript}");
    assert!(transcript.contains("Value for stripe.key:"), "{transcript}");
    assert!(!transcript.contains("sk_typed_42"), "echoed: {transcript}");
    assert_eq!(
        ok(&key_cmd(d, "get", "stripe.key", &K, b"")),
        "sk_typed_42\n"
    );
}

/// `git-setup` registers both drivers and one .gitattributes line, again
/// and again without change; then real `git merge` and `git diff` use them.
#[test]
fn git_setup_registers_the_drivers_once() {
    let keys = setup();
    let ring = keys.path().join("ring.hxk");
    let ring = ring.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_ok(d, &["init", "-q", "-b", "main"]);
    std::fs::write(d.join(".gitattributes"), "*.txt text").unwrap();
    for _ in 0..2 {
        ok(&hx(d, &["config", "git-setup", "--keyring", ring], b""));
    }
    let attributes = std::fs::read_to_string(d.join(".gitattributes")).unwrap();
    assert_eq!(
        attributes,
        "*.txt text\n*.hxc merge=hx-config diff=hx-config\n"
    );
    let driver = out(&git(d, &["config", "--get", "merge.hx-config.driver"]));
    assert_eq!(
        driver.trim(),
        format!("hx config merge --keyring '{ring}' %O %A %B")
    );
    let textconv = out(&git(d, &["config", "--get", "diff.hx-config.textconv"]));
    assert_eq!(
        textconv.trim(),
        format!("hx config export --format env --no-overrides --keyring '{ring}'")
    );
    // a key path from a subdirectory is made absolute, and `%` is doubled
    // for the merge driver (git expands %O, %A, %B, %%…)
    std::fs::create_dir(d.join("sub")).unwrap();
    let odd = keys.path().join("50%off.hxk");
    std::fs::copy(keys.path().join("ring.hxk"), &odd).unwrap();
    std::fs::copy(&odd, d.join("sub").join("rel%.hxk")).unwrap();
    ok(&hx(
        &d.join("sub"),
        &["config", "git-setup", "--keyring", "rel%.hxk"],
        b"",
    ));
    let driver = out(&git(d, &["config", "--get", "merge.hx-config.driver"]));
    let rel = std::fs::canonicalize(d.join("sub").join("rel%.hxk")).unwrap();
    assert_eq!(
        driver.trim(),
        format!(
            "hx config merge --keyring '{}' %O %A %B",
            rel.to_str().unwrap().replace('%', "%%")
        )
    );
    for bad in ["!x", "\"x", "[attr]x", "a b", ""] {
        let o = hx(d, &["config", "git-setup", "--pattern", bad], b"");
        assert_eq!(code(&o), 2, "{bad}");
    }
    // back to the keyring for the rest
    ok(&hx(d, &["config", "git-setup", "--keyring", ring], b""));
    // outside a repository: exit 2, nothing written
    let outside = tempfile::tempdir().unwrap();
    let o = common::hx_env(
        outside.path(),
        &["config", "git-setup"],
        &[(
            "GIT_CEILING_DIRECTORIES",
            outside.path().parent().unwrap().to_str().unwrap(),
        )],
        b"",
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(!outside.path().join(".gitattributes").exists());

    // git finds `hx` on PATH
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hx")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let git_path = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(d)
            .env("PATH", &path)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env_remove("HX_KEYRING")
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", err(&o));
        out(&o)
    };
    let set = |key: &str, value: &str| {
        ok(&hx(
            d,
            &["config", "set", "app.hxc", key, "--keyring", ring],
            value.as_bytes(),
        ));
    };
    ok(&hx(
        d,
        &["config", "init", "app.hxc", "--keyring", ring],
        b"",
    ));
    set("a", "base-a");
    set("b", "base-b");
    git_path(&["add", "."]);
    git_path(&["commit", "-qm", "base"]);
    git_path(&["checkout", "-qb", "theirs"]);
    set("b", "theirs-b");
    git_path(&["commit", "-qam", "b"]);
    git_path(&["checkout", "-q", "main"]);
    set("a", "ours-a");
    let diff = git_path(&["diff", "app.hxc"]);
    assert!(
        diff.contains("-A='base-a'") && diff.contains("+A='ours-a'"),
        "{diff}"
    );
    git_path(&["commit", "-qam", "a"]);
    git_path(&["merge", "-q", "--no-edit", "theirs"]);
    let values = ok(&hx(
        d,
        &[
            "config",
            "export",
            "app.hxc",
            "--format",
            "env",
            "--keyring",
            ring,
        ],
        b"",
    ));
    assert_eq!(values, "A='ours-a'\nB='theirs-b'\n");
}

/// `config import`: a `.env` file read as python-dotenv reads it (checked
/// against python-dotenv itself), a flat JSON object, and refusals that
/// name the line and change nothing.
#[test]
fn import_reads_env_files_as_python_dotenv_does() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    let env = "# app settings\nexport DATABASE_URL=postgres://u:p@db/app\nAPI_KEY = 'sk_live_123' # inline\nGREETING=\"hello\\n\\\"world\\\"\"\nPEM=\"-----BEGIN-----\nabc\n-----END-----\"\nEMPTY=\nHOME_REF=${HOME}/x\nBARE\nspaced=a b c   # trailing\n";
    std::fs::write(d.join(".env"), env).unwrap();
    let o = hx(d, &with(&["config", "import", "app.hxc", ".env"], &K), b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("imported 7 values"), "{}", err(&o));
    assert!(err(&o).contains("`BARE` has no value"), "{}", err(&o));
    // python-dotenv (no interpolation) reads the same values
    let python = hx_test_support::run_python_code(
        "import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps({k: v for k, v in dotenv_values(sys.argv[1], interpolate=False).items() if v is not None}))",
        &[d.join(".env").to_str().unwrap()],
        b"",
    );
    let want: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&python).unwrap();
    assert_eq!(want.len(), 7);
    for (key, value) in &want {
        let got = ok(&key_cmd(d, "get", key, &K, b""));
        assert_eq!(got, format!("{}\n", value.as_str().unwrap()), "{key}");
    }
    // a flat JSON object; numbers and booleans as written
    std::fs::write(
        d.join("s.json"),
        r#"{"feature.flag": true, "pool": 12, "name": "x"}"#,
    )
    .unwrap();
    ok(&hx(
        d,
        &with(
            &["config", "import", "app.hxc", "s.json", "--format", "json"],
            &K,
        ),
        b"",
    ));
    assert_eq!(ok(&key_cmd(d, "get", "feature.flag", &K, b"")), "true\n");
    assert_eq!(ok(&key_cmd(d, "get", "pool", &K, b"")), "12\n");
    // refusals name where, never the value, and leave the file as it was
    let before = std::fs::read(d.join("app.hxc")).unwrap();
    for (name, text, want) in [
        ("bad1.env", "A=1\nB=\"unterminated secret\n", "line 2"),
        (
            "bad2.env",
            "A=1\n'bad key'=secret-value\n",
            "line 2: `bad key` is not a key path",
        ),
        (
            "bad3.json",
            r#"{"nested": {"a": "secret-value"}}"#,
            "`nested` is not a string",
        ),
        (
            "bad4.json",
            r#"{"price": 1.50}"#,
            "`price` is not a string, an integer",
        ),
    ] {
        std::fs::write(d.join(name), text).unwrap();
        let mut args = vec!["config", "import", "app.hxc", name];
        if name.ends_with("json") {
            args.extend(["--format", "json"]);
        }
        let o = hx(d, &with(&args, &K), b"");
        assert_eq!(code(&o), 1, "{name}: {}", err(&o));
        assert!(err(&o).contains(want), "{name}: {}", err(&o));
        assert!(!err(&o).contains("secret"), "{name}: {}", err(&o));
    }
    assert_eq!(std::fs::read(d.join("app.hxc")).unwrap(), before);
    // standard input
    ok(&hx(
        d,
        &with(&["config", "import", "app.hxc", "-"], &K),
        b"FROM_STDIN=yes\n",
    ));
    assert_eq!(ok(&key_cmd(d, "get", "FROM_STDIN", &K, b"")), "yes\n");
}

/// Writes an executable editor script into `d`.
fn editor_script(d: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let path = d.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A config with three values, and its text.
fn three_values(d: &Path) -> String {
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    for (key, value) in [
        ("database.host", "db1"),
        ("database.password", "pw1"),
        ("port", "5432"),
    ] {
        ok(&key_cmd(d, "set", key, &K, value.as_bytes()));
    }
    std::fs::read_to_string(d.join("app.hxc")).unwrap()
}

/// `config edit`: a scripted $EDITOR changes one value, removes one and
/// adds one; only those lines of the file change (the others keep their
/// ciphertext); the plaintext was in a private directory under
/// $XDG_RUNTIME_DIR and is gone.
#[test]
fn edit_reseals_only_what_changed() {
    let dir = setup();
    let d = dir.path();
    let before = three_values(d);
    let runtime = tempfile::tempdir().unwrap();
    let editor = editor_script(
        d,
        "ed.sh",
        &format!(
            "echo \"$1\" > {seen}\nstat -c %a \"$(dirname \"$1\")\" >> {seen}\n\
             sed -i -e 's/\"pw1\"/\"pw2\"/' -e '/^port/d' \"$1\"\necho 'new.key = \"added\"' >> \"$1\"",
            seen = d.join("seen").display()
        ),
    );
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[
            ("EDITOR", &editor),
            ("VISUAL", ""),
            ("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap()),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("3 values changed"), "{}", err(&o));
    assert_eq!(
        ok(&key_cmd(d, "get", "database.password", &K, b"")),
        "pw2\n"
    );
    assert_eq!(ok(&key_cmd(d, "get", "new.key", &K, b"")), "added\n");
    assert_eq!(code(&key_cmd(d, "get", "port", &K, b"")), 1);
    let after = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    let line = |text: &str, key: &str| text.lines().find(|l| l.starts_with(key)).map(str::to_owned);
    assert_eq!(
        line(&before, "database.host ="),
        line(&after, "database.host =")
    );
    assert_ne!(
        line(&before, "database.password ="),
        line(&after, "database.password =")
    );
    let seen = std::fs::read_to_string(d.join("seen")).unwrap();
    let mut seen = seen.lines();
    let plain = seen.next().unwrap();
    assert!(
        plain.starts_with(runtime.path().to_str().unwrap()),
        "{plain}"
    );
    assert_eq!(seen.next(), Some("700"));
    assert!(!Path::new(plain).exists());
    assert!(!Path::new(plain).parent().unwrap().exists());
    // a value can become a table (removals go first)
    let nest = editor_script(
        d,
        "nest.sh",
        "sed -i 's/^new.key = /new.key.inner = /' \"$1\"",
    );
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[("EDITOR", &nest), ("VISUAL", "")],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(ok(&key_cmd(d, "get", "new.key.inner", &K, b"")), "added\n");
    let after = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    // a key that is not a key path asks again; an abort keeps the file
    let bad = editor_script(d, "bad.sh", "echo '\"a b\" = \"x\"' >> \"$1\"");
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[("EDITOR", &bad), ("VISUAL", "")],
        b"a\n",
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("e-open the editor"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.join("app.hxc")).unwrap(), after);
    // an editor that changes nothing saves nothing
    let same = editor_script(d, "same.sh", "true");
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[("EDITOR", &same), ("VISUAL", "")],
        b"",
    );
    assert!(err(&o).contains("no changes"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.join("app.hxc")).unwrap(), after);
}

/// Invalid TOML asks to re-open or abort; an abort, a failing editor and a
/// Ctrl-C all leave the file as it was and no plaintext behind.
#[test]
fn edit_failures_change_nothing_and_leave_no_plaintext() {
    let dir = setup();
    let d = dir.path();
    let before = three_values(d);
    let seen = d.join("seen");
    // the first run leaves invalid TOML, the second (on the same text,
    // re-opened) repairs it and makes a change
    let editor = editor_script(
        d,
        "twice.sh",
        &format!(
            "echo \"$1\" >> {seen}\nif [ -e {flag} ]; then sed -i -e '/^broken/d' -e 's/\"db1\"/\"db2\"/' \"$1\"; \
             else touch {flag}; echo 'broken = ' >> \"$1\"; fi",
            seen = seen.display(),
            flag = d.join("flag").display()
        ),
    );
    let env = [("EDITOR", editor.as_str()), ("VISUAL", "")];
    // abort: nothing changed
    let o = common::hx_env(d, &with(&["config", "edit", "app.hxc"], &K), &env, b"a\n");
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("is not valid TOML") && err(&o).contains("aborted"),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains("pw1"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.join("app.hxc")).unwrap(), before);
    // re-open: the second edit is saved
    std::fs::remove_file(d.join("flag")).unwrap();
    let o = common::hx_env(d, &with(&["config", "edit", "app.hxc"], &K), &env, b"r\n");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(ok(&key_cmd(d, "get", "database.host", &K, b"")), "db2\n");
    let changed = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    // a failing editor
    let failing = editor_script(
        d,
        "fail.sh",
        &format!("echo \"$1\" >> {}\nexit 3", seen.display()),
    );
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[("EDITOR", &failing), ("VISUAL", "")],
        b"",
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("nothing changed"), "{}", err(&o));
    // Ctrl-C while the editor runs
    let slow = editor_script(
        d,
        "slow.sh",
        &format!(
            "echo \"$1\" >> {}\ntouch {}\nsleep 30",
            seen.display(),
            d.join("ready").display()
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(["config", "edit", "app.hxc", "--keyring", "ring.hxk"])
        .current_dir(d)
        .env("EDITOR", &slow)
        .env("VISUAL", "")
        .env_remove("HX_KEYRING")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !d.join("ready").exists() {
        assert!(start.elapsed().as_secs() < 20, "the editor never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = i32::try_from(child.id()).unwrap();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(std::fs::read_to_string(d.join("app.hxc")).unwrap(), changed);
    // every plaintext file and its directory are gone
    for plain in std::fs::read_to_string(&seen).unwrap().lines() {
        assert!(
            !Path::new(plain).parent().unwrap().exists(),
            "{plain} left behind"
        );
    }
}

/// Team keys: age recipients (from `age-keygen`, and post-quantum ones from
/// `hx age keygen --pq`) and OpenSSH keys (from `ssh-keygen`) open the file
/// with the identities that open the team's age files; each wrapped data
/// key is an age file that Debian's `age` itself decrypts; removing a
/// recipient rotates it out.
#[test]
fn age_and_ssh_recipients_open_the_file() {
    use base64::Engine as _;
    let dir = setup();
    let d = dir.path();
    hx_test_support::run_checked(
        hx_test_support::peer_tool("age-keygen", "age")
            .args(["-o", "key.txt"])
            .current_dir(d),
        b"",
    );
    let age_recipient = String::from_utf8(hx_test_support::run_checked(
        hx_test_support::peer_tool("age-keygen", "age")
            .args(["-y", "key.txt"])
            .current_dir(d),
        b"",
    ))
    .unwrap()
    .trim()
    .to_owned();
    for (kind, file) in [("ed25519", "id_ed25519"), ("rsa", "id_rsa")] {
        let mut cmd = hx_test_support::peer_tool("ssh-keygen", "openssh-client");
        cmd.args(["-q", "-t", kind, "-N", "", "-C", "dev@example", "-f", file])
            .current_dir(d);
        if kind == "rsa" {
            cmd.args(["-b", "2048"]);
        }
        hx_test_support::run_checked(&mut cmd, b"");
    }
    ok(&hx(d, &["age", "keygen", "--pq", "-o", "pq.txt"], b""));
    let pq_recipient = ok(&hx(d, &["age", "keygen", "-y", "pq.txt"], b""))
        .trim()
        .to_owned();
    // a literal age recipient and an .pub file
    ok(&hx(
        d,
        &with(
            &[
                "config",
                "init",
                "team.hxc",
                "--recipient",
                &age_recipient,
                "--recipient",
                "id_ed25519.pub",
            ],
            &K,
        ),
        b"",
    ));
    ok(&hx(
        d,
        &with(&["config", "set", "team.hxc", "db.password"], &K),
        b"s3cret",
    ));
    let get = |identity: &str| {
        hx(
            d,
            &["config", "get", "team.hxc", "db.password", "-i", identity],
            b"",
        )
    };
    assert_eq!(ok(&get("key.txt")), "s3cret\n");
    assert_eq!(ok(&get("id_ed25519")), "s3cret\n");
    assert_eq!(code(&get("id_rsa")), 1);
    // an ssh-rsa key given as its public line (comment dropped)
    let rsa_line = std::fs::read_to_string(d.join("id_rsa.pub")).unwrap();
    ok(&hx(
        d,
        &with(
            &["config", "recipients", "add", "team.hxc", rsa_line.trim()],
            &K,
        ),
        b"",
    ));
    assert_eq!(ok(&get("id_rsa")), "s3cret\n");
    // the wrapped data key of the age recipient is an age file `age` opens
    let text = std::fs::read_to_string(d.join("team.hxc")).unwrap();
    assert!(!text.contains("dev@example"), "comments are not kept");
    let doc: toml::Table = text.parse().unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut opened = 0;
    for r in doc["hx"]["recipient"].as_array().unwrap() {
        if r["type"].as_str() != Some("age") {
            continue;
        }
        let public = b64.decode(r["public"].as_str().unwrap()).unwrap();
        if public != age_recipient.as_bytes() {
            continue;
        }
        std::fs::write(
            d.join("wrapped.age"),
            b64.decode(r["wrapped"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let plain = hx_test_support::run_checked(
            hx_test_support::peer_tool("age", "age")
                .args(["-d", "-i", "key.txt", "wrapped.age"])
                .current_dir(d),
            b"",
        );
        assert!(plain.starts_with(b"hx-config v1 wrap\0"), "{plain:?}");
        assert_eq!(plain.len(), "hx-config v1 wrap\0".len() + 16 + 32);
        opened += 1;
    }
    assert_eq!(opened, 1);
    // post-quantum recipients are their own age files (never mixed with
    // classical stanzas in one)
    ok(&hx(
        d,
        &with(
            &["config", "recipients", "add", "team.hxc", &pq_recipient],
            &K,
        ),
        b"",
    ));
    assert_eq!(ok(&get("pq.txt")), "s3cret\n");
    // removal rotates the data key: the removed identity no longer opens
    ok(&hx(
        d,
        &with(
            &["config", "recipients", "rm", "team.hxc", &age_recipient],
            &K,
        ),
        b"",
    ));
    assert_eq!(code(&get("key.txt")), 1);
    for identity in ["id_ed25519", "id_rsa", "pq.txt"] {
        assert_eq!(ok(&get(identity)), "s3cret\n", "{identity}");
    }
    ok(&hx(d, &with(&["config", "verify", "team.hxc"], &K), b""));
    // not a recipient: refused by name
    let o = hx(
        d,
        &with(&["config", "recipients", "add", "team.hxc", "age1nope"], &K),
        b"",
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
}

/// `config set --plain`: the value is in clear in the file (so in a git
/// diff), read by get, export, exec and edit like any other; `set` without
/// it seals it again; an edit of the file without the key is refused.
#[test]
fn set_plain_keeps_a_setting_in_clear_under_the_mac() {
    let dir = setup();
    let d = dir.path();
    ok(&hx(d, &with(&["config", "init", "app.hxc"], &K), b""));
    ok(&key_cmd(d, "set", "database.password", &K, b"secret-pw"));
    ok(&hx(
        d,
        &with(
            &["config", "set", "app.hxc", "database.port", "--plain"],
            &K,
        ),
        b"5432\n",
    ));
    ok(&hx(
        d,
        &with(
            &["config", "set", "app.hxc", "database.host", "--plain"],
            &K,
        ),
        b"db.internal",
    ));
    let text = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    assert!(
        text.contains("[hx.plain]\ndatabase.host = \"db.internal\"\ndatabase.port = \"5432\"\n"),
        "{text}"
    );
    assert!(!text.contains("secret-pw"));
    assert_eq!(ok(&key_cmd(d, "get", "database.port", &K, b"")), "5432\n");
    assert_eq!(
        ok(&hx(
            d,
            &with(&["config", "export", "app.hxc", "--format", "env"], &K),
            b""
        )),
        "DATABASE_HOST='db.internal'\nDATABASE_PASSWORD='secret-pw'\nDATABASE_PORT='5432'\n"
    );
    let o = exec_sh(
        d,
        "printf '%s|%s' \"$DATABASE_PORT\" \"$DATABASE_PASSWORD\"",
        &[],
    );
    assert_eq!(out(&o), "5432|secret-pw");
    let v = hx(d, &with(&["config", "verify", "app.hxc"], &K), b"");
    assert!(err(&v).contains("3 values"), "{}", err(&v));

    // changed without the key: refused by every command that opens it
    let edited = text.replace("\"5432\"", "\"6543\"");
    std::fs::write(d.join("app.hxc"), &edited).unwrap();
    let o = key_cmd(d, "get", "database.password", &K, b"");
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).is_empty() && !err(&o).contains("secret-pw"));
    std::fs::write(d.join("app.hxc"), &text).unwrap();

    // an edit shows which values are in clear, keeps them in clear and
    // says so, and seals a new key
    let editor = editor_script(
        d,
        "ed.sh",
        &format!(
            "cp \"$1\" {seen}\nsed -i 's/\"5432\"/\"5433\"/' \"$1\"\necho 'new.key = \"added\"' >> \"$1\"",
            seen = d.join("seen.toml").display()
        ),
    );
    let o = common::hx_env(
        d,
        &with(&["config", "edit", "app.hxc"], &K),
        &[("EDITOR", &editor), ("VISUAL", "")],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("kept in clear (set --plain): database.port"),
        "{}",
        err(&o)
    );
    let seen = std::fs::read_to_string(d.join("seen.toml")).unwrap();
    assert!(
        seen.contains("database.port = \"5432\"   # in clear\n"),
        "{seen}"
    );
    assert!(
        seen.contains("database.password = \"secret-pw\"\n"),
        "{seen}"
    );
    let text = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    assert!(text.contains("database.port = \"5433\""), "{text}");
    assert!(!text.contains("added"));
    assert_eq!(ok(&key_cmd(d, "get", "new.key", &K, b"")), "added\n");

    // `set` without --plain seals it again, and says so; --plain on a
    // sealed key says so too
    let o = key_cmd(d, "set", "database.port", &K, b"5434");
    assert!(
        err(&o).contains("`database.port` was in clear, is now sealed"),
        "{}",
        err(&o)
    );
    let text = std::fs::read_to_string(d.join("app.hxc")).unwrap();
    let port_line = text
        .lines()
        .find(|l| l.starts_with("database.port = "))
        .unwrap();
    assert!(
        text.find(port_line) < text.find("[hx.plain]") && !port_line.contains("543"),
        "{text}"
    );
    assert_eq!(ok(&key_cmd(d, "get", "database.port", &K, b"")), "5434\n");
    let o = hx(
        d,
        &with(&["config", "set", "app.hxc", "new.key", "--plain"], &K),
        b"visible",
    );
    assert!(
        err(&o).contains("`new.key` was sealed, is now in clear"),
        "{}",
        err(&o)
    );
}
