#![allow(dead_code)]
//! Helpers shared by the command's integration tests.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `hx` in `dir` with `args`, writing `stdin` to it (without a master
/// key from the environment: tests that want one set it themselves).
pub fn hx(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    hx_env(dir, args, &[], stdin)
}

/// [`hx`] with the variables `env` set in its environment.
pub fn hx_env(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(args)
        .current_dir(dir)
        .env_remove("HX_MASTER_KEY_FILE")
        .env_remove("HX_KEYRING")
        .env_remove("HX_IDENTITY")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The child may exit before reading its input: ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// The exit status.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// Writes a secret file as a careful user would: mode 0600 (`hx` refuses
/// secret files that group or others can read).
#[allow(unused_imports)] // as `dead_code` above: not every test file writes secrets
pub use hx_test_support::write_secret;

/// Runs `hx ARGS` at a pseudo-terminal (util-linux's `script`) in `dir`,
/// typing each of `lines` after a pause, as a user answering prompts; the
/// terminal transcript is the output's stdout. `HX_KEYRING` and
/// `HX_IDENTITY` are removed as for [`hx`].
pub fn hx_at_terminal(dir: &Path, args: &str, lines: &[&str]) -> Output {
    let hx_bin = env!("CARGO_BIN_EXE_hx");
    Command::new("script")
        .args(["-qec", &format!("{hx_bin} {args}"), "/dev/null"])
        .current_dir(dir)
        .env_remove("HX_KEYRING")
        .env_remove("HX_IDENTITY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            let mut stdin = child.stdin.take().unwrap();
            for line in lines {
                std::thread::sleep(std::time::Duration::from_millis(300));
                stdin.write_all(line.as_bytes())?;
                stdin.write_all(b"\n")?;
            }
            drop(stdin);
            child.wait_with_output()
        })
        .expect("util-linux script gives the test a terminal")
}
