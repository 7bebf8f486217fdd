//! Maintainer tasks for hx. Run `cargo xtask help`.
//!
//! Every step echoes the command it runs; `ci` runs all of its steps even
//! when one fails, prints a summary and exits non-zero if any failed.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

mod peer;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  ci          fmt --check, clippy per package, tests, docs, bench build (what CI runs)
  bench       run the criterion benches (all, or: cargo xtask bench <crate> [filter])
  peer-env    create the Python environment the interop tests use (target/peer-venv)
  help        this text
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("ci") => ci(&root),
        Some("bench") => bench(&root, args.get(1..).unwrap_or_default()),
        Some("peer-env") => match peer::ensure(&root) {
            Ok(python) => {
                println!("peer python: {}", python.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask: {e}");
                ExitCode::FAILURE
            }
        },
        Some("help" | "-h" | "--help") | None => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown task {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The workspace's packages, for per-package clippy runs.
fn packages(root: &Path) -> Vec<String> {
    let mut names = vec!["xtask".to_owned()];
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        let mut crates: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("Cargo.toml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        crates.sort();
        names.extend(crates);
    }
    names
}

struct Step {
    name: String,
    ok: bool,
    secs: f64,
}

fn run(root: &Path, name: &str, program: &str, args: &[&str], envs: &[(&str, String)]) -> Step {
    let shown_env: String = envs.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    println!("\n==> {shown_env}{program} {}", args.join(" "));
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .status();
    let ok = match status {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("xtask: could not start {program}: {e}");
            false
        }
    };
    Step {
        name: name.to_owned(),
        ok,
        secs: start.elapsed().as_secs_f64(),
    }
}

fn ci(root: &Path) -> ExitCode {
    let started = Instant::now();
    let mut steps = Vec::new();

    println!("==> peer environment (Python with cryptography) under target/peer-venv");
    let peer_start = Instant::now();
    let python = match peer::ensure(root) {
        Ok(p) => {
            steps.push(Step {
                name: "peer-env".into(),
                ok: true,
                secs: peer_start.elapsed().as_secs_f64(),
            });
            Some(p)
        }
        Err(e) => {
            eprintln!("xtask: peer environment: {e}");
            steps.push(Step {
                name: "peer-env".into(),
                ok: false,
                secs: peer_start.elapsed().as_secs_f64(),
            });
            None
        }
    };
    let test_env: Vec<(&str, String)> = python
        .map(|p| vec![("HX_PYTHON", p.display().to_string())])
        .unwrap_or_default();

    steps.push(run(root, "fmt", "cargo", &["fmt", "--all", "--check"], &[]));
    for package in packages(root) {
        steps.push(run(
            root,
            &format!("clippy {package}"),
            "cargo",
            &[
                "clippy",
                "--package",
                &package,
                "--all-targets",
                "--all-features",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ));
    }
    steps.push(run(
        root,
        "test",
        "cargo",
        &["test", "--workspace", "--all-features", "--locked"],
        &test_env,
    ));
    steps.push(run(
        root,
        "doc",
        "cargo",
        &[
            "doc",
            "--workspace",
            "--no-deps",
            "--all-features",
            "--locked",
        ],
        &[("RUSTDOCFLAGS", "-D warnings".to_owned())],
    ));
    steps.push(run(
        root,
        "bench build",
        "cargo",
        &["bench", "--workspace", "--no-run", "--locked"],
        &[],
    ));

    println!("\n==> summary ({:.0} s)", started.elapsed().as_secs_f64());
    for step in &steps {
        println!(
            "  {:<6} {:<24} {:>7.1} s",
            if step.ok { "ok" } else { "FAILED" },
            step.name,
            step.secs
        );
    }
    let failed = steps.iter().filter(|s| !s.ok).count();
    if failed == 0 {
        println!("xtask ci: all {} steps passed", steps.len());
        ExitCode::SUCCESS
    } else {
        println!("xtask ci: {failed} of {} steps FAILED", steps.len());
        ExitCode::FAILURE
    }
}

fn bench(root: &Path, rest: &[String]) -> ExitCode {
    let mut args = vec!["bench".to_owned(), "--locked".to_owned()];
    match rest.split_first() {
        Some((krate, filter)) => {
            args.extend(["--package".to_owned(), krate.clone(), "--".to_owned()]);
            args.extend(filter.iter().cloned());
        }
        None => args.push("--workspace".to_owned()),
    }
    let python = peer::ensure(root).ok();
    let env: Vec<(&str, String)> = python
        .map(|p| vec![("HX_PYTHON", p.display().to_string())])
        .unwrap_or_default();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let step = run(root, "bench", "cargo", &arg_refs, &env);
    if step.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
